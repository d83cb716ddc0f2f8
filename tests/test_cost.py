"""The cost model and ``make cost``: hand-computed totals, price differences, the pricing file, the CLI."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from offline.cost import estimate_plan, main
from policies.cost_model import PRICING_DIR, estimate_cost, load_pricing, split_tasks
from tests.policy_harness import plan_json, plan_stack

H = 730  # hours per month, as in the pricing file


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::webapp::{type_}::{name}"


def state(
    type_: str, name: str, inputs: dict[str, Any], deps: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {
        "op": "create",
        "urn": urn(type_, name),
        "newState": {
            "type": type_,
            "urn": urn(type_, name),
            "custom": True,
            "parent": "",
            "inputs": inputs,
            "propertyDependencies": deps or {},
        },
    }


SERVICE, TASK, TARGET = (
    "aws:ecs/service:Service",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:appautoscaling/target:Target",
)
VPC, DB, INSTANCE = "awsx:ec2:Vpc", "aws:rds/instance:Instance", "aws:ec2/instance:Instance"


def small_plan() -> dict[str, Any]:
    """One of every common billable type, priced by hand in ``test_small_plan_equals_the_hand_sum``."""
    return {
        "steps": [
            state("pulumi:pulumi:Stack", "webapp-test", {}),
            state(VPC, "net-vpc", {"natGateways": {"strategy": "Single"}, "numberOfAvailabilityZones": 2}),
            state("aws:lb/loadBalancer:LoadBalancer", "api-alb", {"internal": False, "subnets": ["a", "b"]}),
            state(
                TASK,
                "api-task-def",
                {
                    "cpu": "256",
                    "memory": "512",
                    "family": "api",
                    "runtimePlatform": {"cpuArchitecture": "ARM64"},
                },
            ),
            state(
                SERVICE,
                "api-svc",
                {
                    "desiredCount": 1,
                    "capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
                },
                {"taskDefinition": [urn(TASK, "api-task-def")]},
            ),
            state(
                TARGET,
                "api-scaling",
                {"scalableDimension": "ecs:service:DesiredCount", "minCapacity": 1, "maxCapacity": 3},
                {"resourceId": [urn(SERVICE, "api-svc")]},
            ),
            state(
                DB,
                "db-instance",
                {
                    "instanceClass": "db.t4g.micro",
                    "multiAz": False,
                    "storageType": "gp3",
                    "allocatedStorage": 20,
                    "maxAllocatedStorage": 100,
                },
            ),
            state(
                "aws:elasticache/replicationGroup:ReplicationGroup",
                "cache-rg",
                {"engine": "valkey", "nodeType": "cache.t4g.micro", "numCacheClusters": 1},
            ),
            state("aws:secretsmanager/secret:Secret", "app-secret", {}),
            state("aws:kms/key:Key", "app-key", {}),
            state("aws:cloudwatch/metricAlarm:MetricAlarm", "ops-cpu", {"period": 60}),
            state("aws:cloudwatch/dashboard:Dashboard", "ops-dashboard", {}),
            state("aws:cloudwatch/logGroup:LogGroup", "api-logs", {}),
            state("aws:iam/role:Role", "api-task", {}),
        ]
    }


# Hand-computed from policies/pricing/us-east-1.json (values and assumptions written out).
NAT_GATEWAY = (0.045 + 0.005) * H + 5 * 0.045 + 5 * 0.09  # hour + its IPv4; 5 GB processed, 5 GB out
ALB = (0.0225 + 0.5 * 0.008 + 2 * 0.005) * H  # hour + 0.5 LCU + 2 public IPv4 (internet-facing, 2 AZs)
TASK_SPOT = (0.25 * 0.03238 + 0.5 * 0.00356) * (1 - 0.65) * H  # one ARM task on Spot
DB_MICRO = 0.016 * H + 20 * 0.115  # instance + 20 GB gp3
CACHE = 0.0128 * H
# secret, key, alarm, dashboard, 0.5 GB logs ingested + 12 months of them stored (never expires)
FLAT = 0.40 + 1.00 + 0.10 + 3.00 + 0.5 * 0.50 + 0.5 * 12 * 0.03
HAND_MIN = NAT_GATEWAY + ALB + TASK_SPOT + DB_MICRO + CACHE + FLAT
HAND_MAX = HAND_MIN + 2 * TASK_SPOT + 80 * 0.115  # 3 tasks; 100 GB storage


def with_changes(plan: dict[str, Any], name: str, **inputs: Any) -> dict[str, Any]:
    changed = copy.deepcopy(plan)
    for step in changed["steps"]:
        if step["urn"].endswith(f"::{name}"):
            step["newState"]["inputs"].update(inputs)
    return changed


def test_small_plan_equals_the_hand_sum() -> None:
    estimate = estimate_plan(small_plan())

    assert estimate.min_total == pytest.approx(HAND_MIN, abs=0.02)
    assert estimate.max_total == pytest.approx(HAND_MAX, abs=0.02)
    assert {i.resource: i.billed for i in estimate.items} == {
        "net-vpc": (
            "1 NAT gateway (Single) + public IPv4 each, 730 h; 5 GB processed and 5 GB out each (assumed)"
        ),
        "api-alb": "internet-facing ALB + 2 public IPv4, 730 h, 0.5 LCU (assumed)",
        "api-svc": "1-3 x 0.25 vCPU + 0.5 GB ARM Fargate Spot, 730 h",
        "db-instance": "db.t4g.micro, 730 h + 20-100 GB gp3",
        "cache-rg": "1 x cache.t4g.micro valkey node, 730 h",
        "app-secret": "1 secret",
        "app-key": "1 customer managed key",
        "ops-cpu": "standard alarm on 1 metric",
        "ops-dashboard": "1 dashboard",
        "api-logs": "0.5 GB/month ingested + 6 GB stored (never expires, first year), assumed",
    }
    assert estimate.not_priced == ()


@pytest.mark.parametrize(
    ("days", "stored_gb", "billed"),
    [
        # A year of 0.5 GB/month: 6 GB held once the group is a year old.
        (365, 6.0, "0.5 GB/month ingested + 6 GB stored (365 days kept), assumed"),
        (7, 0.5 * 7 / (365 / 12), "0.5 GB/month ingested + 0.115 GB stored (7 days kept), assumed"),
    ],
)
def test_a_log_group_pays_for_what_its_retention_keeps(days: int, stored_gb: float, billed: str) -> None:
    estimate = estimate_plan(with_changes(small_plan(), "api-logs", retentionInDays=days))
    [line] = [i for i in estimate.items if i.resource == "api-logs"]
    assert line.billed == billed
    assert line.min_usd == pytest.approx(0.5 * 0.50 + stored_gb * 0.03, abs=0.005)


def test_changing_the_instance_class_changes_the_total_by_the_price_difference() -> None:
    plan = small_plan()
    small = with_changes(plan, "db-instance", instanceClass="db.t4g.small")

    difference = estimate_plan(small).min_total - estimate_plan(plan).min_total

    assert difference == pytest.approx((0.032 - 0.016) * H, abs=0.01)


def test_multi_az_doubles_instance_and_storage() -> None:
    plan = small_plan()
    multi = with_changes(plan, "db-instance", multiAz=True)

    assert estimate_plan(multi).min_total - estimate_plan(plan).min_total == pytest.approx(DB_MICRO, abs=0.01)


def test_one_nat_gateway_per_az_adds_a_gateway_per_extra_az() -> None:
    plan = small_plan()
    per_az = with_changes(plan, "net-vpc", natGateways={"strategy": "OnePerAz"})

    assert estimate_plan(per_az).min_total - estimate_plan(plan).min_total == pytest.approx(
        NAT_GATEWAY, abs=0.01
    )


def test_a_nat_instance_instead_of_a_gateway_costs_the_instance() -> None:
    plan = with_changes(small_plan(), "net-vpc", natGateways={"strategy": "None"})
    plan["steps"].append(
        state(
            INSTANCE,
            "net-nat",
            {"instanceType": "t4g.nano", "associatePublicIpAddress": True, "sourceDestCheck": False},
        )
    )
    nat_instance = (0.0042 + 0.005) * H + 8 * 0.08 + 5 * 0.09  # instance + IPv4, 8 GB gp3 root, 5 GB out

    estimate = estimate_plan(plan)

    assert estimate.min_total == pytest.approx(HAND_MIN - NAT_GATEWAY + nat_instance, abs=0.02)
    [line] = [i for i in estimate.items if i.resource == "net-nat"]
    assert line.billed == (
        "t4g.nano instance + public IPv4, 730 h + 8 GB gp3 root; 5 GB out to the internet (assumed)"
    )


def test_detailed_monitoring_adds_seven_metrics_to_an_instance() -> None:
    nat = {"instanceType": "t4g.nano", "associatePublicIpAddress": True, "sourceDestCheck": False}
    plain, monitored = small_plan(), small_plan()
    plain["steps"].append(state(INSTANCE, "net-nat", nat))
    monitored["steps"].append(state(INSTANCE, "net-nat", {**nat, "monitoring": True}))

    difference = estimate_plan(monitored).min_total - estimate_plan(plain).min_total

    assert difference == pytest.approx(7 * 0.30, abs=0.01)  # 7 metrics at $0.30 per metric-month
    [line] = [i for i in estimate_plan(monitored).items if i.resource == "net-nat"]
    assert line.billed == (
        "t4g.nano instance + public IPv4, 730 h + 8 GB gp3 root + detailed monitoring (7 metrics); "
        "5 GB out to the internet (assumed)"
    )


def test_unpriced_billable_resources_are_listed_not_guessed() -> None:
    plan = with_changes(small_plan(), "db-instance", instanceClass="db.x2g.16xlarge")
    plan["steps"].append(state("aws:dynamodb/table:Table", "sessions", {}))

    estimate = estimate_plan(plan)

    assert estimate.not_priced == (
        "db-instance (aws:rds/instance:Instance): no price 'rds.instance.db.x2g.16xlarge' in "
        "pricing/us-east-1.json",
        "sessions (aws:dynamodb/table:Table): no cost model for this type",
    )
    assert estimate.min_total == pytest.approx(HAND_MIN - DB_MICRO, abs=0.02)


def test_capacity_provider_base_then_weights() -> None:
    strategy = [("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 3)]

    assert split_tasks(2, strategy) == (2.0, 0.0)
    assert split_tasks(10, strategy) == (4.0, 6.0)
    assert split_tasks(3, [("FARGATE_SPOT", 0, 1)]) == (0.0, 3.0)


def test_aurora_serverless_is_priced_between_min_and_max_acu() -> None:
    cluster = "aws:rds/cluster:Cluster"
    plan = {
        "steps": [
            state(
                cluster,
                "db-cluster",
                {"serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 4}},
            ),
            state(
                "aws:rds/clusterInstance:ClusterInstance",
                "db-writer",
                {"instanceClass": "db.serverless"},
                {"clusterIdentifier": [urn(cluster, "db-cluster")]},
            ),
        ]
    }

    estimate = estimate_plan(plan)

    assert estimate.min_total == pytest.approx(0.5 * 0.12 * H + 20 * 0.10, abs=0.01)
    assert estimate.max_total == pytest.approx(4 * 0.12 * H + 20 * 0.10, abs=0.01)


def test_interface_endpoints_are_billed_per_az() -> None:
    endpoint = {
        "vpcEndpointType": "Interface",
        "serviceName": "com.amazonaws.us-east-1.ecr.api",
        "subnetIds": ["a", "b", "c"],
    }
    endpoint_type = "aws:ec2/vpcEndpoint:VpcEndpoint"
    plan = {
        "steps": [
            state(endpoint_type, "net-ecr-api", endpoint),
            state(endpoint_type, "net-s3", {"vpcEndpointType": "Gateway"}),
        ]
    }

    [line] = estimate_plan(plan).items

    assert line.billed == "interface endpoint (ecr.api) in 3 AZs, 730 h; 1 GB (assumed)"
    assert line.min_usd == pytest.approx(3 * 0.01 * H + 1 * 0.01, abs=0.005)


def test_the_pricing_file_states_every_source_and_assumption() -> None:
    data = json.loads((PRICING_DIR / "us-east-1.json").read_text())

    assert data["region"] == "us-east-1"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["retrieved"])
    for key, entry in data["prices"].items():
        assert entry["usd"] > 0 and entry["unit"], key
        assert entry["source"].startswith("https://aws.amazon.com/"), key
        assert isinstance(entry["verified"], bool), key
    assert data["assumptions"]["hoursPerMonth"]["value"] == H
    assert all("value" in a and "why" in a for a in data["assumptions"].values())


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_are_fully_priced_within_sanity_bounds(stack_name: str) -> None:
    estimate = estimate_cost(plan_stack(stack_name), load_pricing())

    assert estimate.not_priced == ()
    assert 20 < estimate.min_total <= estimate.max_total < 2000


def test_prod_costs_more_than_dev() -> None:
    dev = estimate_cost(plan_stack("dev"), load_pricing())
    prod = estimate_cost(plan_stack("prod"), load_pricing())

    assert prod.min_total > dev.min_total


def test_cli_prints_the_table_and_both_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(small_plan()))

    assert main(["--plan", str(path)]) == 0

    out = capsys.readouterr().out
    estimate = estimate_plan(small_plan())
    assert f"Estimated monthly cost: ${estimate.min_total:,.2f} at minimum capacity, " in out
    assert f"${estimate.max_total:,.2f} at maximum autoscaling capacity" in out
    assert re.search(
        r"api-svc +1-3 x 0\.25 vCPU \+ 0\.5 GB ARM Fargate Spot, 730 h +\d+\.\d\d / \d+\.\d\d", out
    )


def test_cli_reads_the_committed_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"]) == 0

    assert "Monthly cost estimate for stack 'dev'" in capsys.readouterr().out
    assert plan_json("dev")  # the plan the estimate read is the committed stack's


def test_cli_bad_plan_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{")

    assert main(["--plan", str(path)]) == 2

    assert capsys.readouterr().err.startswith(f"error: {path}: not JSON: ")


def test_prod_pays_for_a_year_of_every_log_group_and_its_log_key_within_budget() -> None:
    estimate = estimate_cost(plan_stack("prod"), load_pricing())
    logs = [i for i in estimate.items if i.type == "aws:cloudwatch/logGroup:LogGroup"]
    assert len(logs) >= 10
    assert {i.billed for i in logs} == {"0.5 GB/month ingested + 6 GB stored (365 days kept), assumed"}
    keys = {i.resource for i in estimate.items if i.type == "aws:kms/key:Key"}
    assert "logs-key" in keys
    assert estimate.min_total <= 500
