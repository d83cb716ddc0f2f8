"""Issue 16: deployment strategies, alarm rollback, no drift from ECS's own changes, cost.

Each strategy's resources and inputs (dev rolling, prod blueGreen, canary, linear), the config
errors of impossible combinations, the alarms a deployment watches and Monitoring creates, the
``ignore_changes`` recorded for what ECS rewrites, and the cost line of the second task set.
"""

import json
from typing import Any

import pytest

from offline.preview_json import to_preview_json
from policies.cost_model import estimate_cost, load_pricing
from tests.harness import (
    PlanResult,
    Registration,
    config_problems,
    dev_always_on,
    effective_config,
    plan,
    stack_config,
    stack_section,
)
from tests.policy_harness import check_plan, plan_stack

SERVICE = "aws:ecs/service:Service"
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ECS_OWNED_RULE = ["actions[0].forward", "actions[0].targetGroupArn"]
ECS_OWNED_SERVICE = [
    "desiredCount",
    "loadBalancers[0].targetGroupArn",
    "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn",
]


def with_deployment(stack: str = "dev", **deployment: Any) -> PlanResult:
    return plan(stack, service={**stack_section(stack, "service"), "deployment": deployment})


@pytest.fixture(scope="module")
def dev() -> PlanResult:
    return plan("dev")


@pytest.fixture(scope="module")
def prod() -> PlanResult:
    return plan("prod")


def api(result: PlanResult) -> Registration:
    return result.one(SERVICE, "api-svc")


# --- dev: rolling -------------------------------------------------------------------------------


def test_dev_api_deploys_rolling_with_alarm_rollback_and_no_second_target_group(dev: PlanResult) -> None:
    service = api(dev)
    assert service.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service.inputs["alarms"] == {
        "alarmNames": ["webapp-dev-alb-target-5xx", "webapp-dev-alb-unhealthy-hosts"],
        "enable": True,
        "rollback": True,
    }
    assert "advancedConfiguration" not in service.inputs["loadBalancers"][0]
    assert service.ignore_changes == ["desiredCount"]
    assert dev.by_type(RULE) == []
    assert [t.name for t in dev.by_type(TARGET_GROUP)] == ["api-tg"]
    assert [r.name for r in dev.by_type(ROLE) if r.name.endswith("ecs-infra")] == []
    assert "testListenerUrl" not in dev.outputs


# --- prod: blueGreen ----------------------------------------------------------------------------


def test_prod_api_deploys_blue_green_natively_with_bake_time(prod: PlanResult) -> None:
    service = api(prod)
    assert service.inputs["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "10"}
    assert "deploymentController" not in service.inputs  # ECS's own controller, not CodeDeploy
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_prod_load_balancer_block_names_the_alternate_group_rules_and_role(prod: PlanResult) -> None:
    block = api(prod).inputs["loadBalancers"][0]
    groups = {t.name: t for t in prod.by_type(TARGET_GROUP)}
    rules = {r.name: r for r in prod.by_type(RULE)}
    assert set(groups) == {"api-tg", "api-tg-alt"}
    assert set(rules) == {"api-production", "api-test"}
    advanced = block["advancedConfiguration"]
    assert block["targetGroupArn"].endswith("targetgroup/api-tg/mock")
    assert advanced["alternateTargetGroupArn"].endswith("targetgroup/api-tg-alt/mock")
    assert advanced["productionListenerRule"].endswith("/api-production")
    assert advanced["testListenerRule"].endswith("/api-test")
    assert advanced["roleArn"].endswith("role/api-ecs-infra-mock")
    # Both target groups check health the same way.
    assert groups["api-tg"].inputs["healthCheck"] == groups["api-tg-alt"].inputs["healthCheck"]
    # The service starts only once the rules it names and the role's policy exist.
    deps = set(api(prod).dependencies)
    assert {
        rules["api-production"].urn,
        rules["api-test"].urn,
        prod.one(ATTACHMENT, "api-ecs-infra-elb").urn,
    } <= deps


def test_prod_rules_forward_everything_to_the_primary_group_until_ecs_shifts_them(prod: PlanResult) -> None:
    listeners = {lst.name: lst for lst in prod.by_type(LISTENER)}
    for rule_name, listener in (("api-production", "api-http"), ("api-test", "api-test")):
        rule = prod.one(RULE, rule_name)
        assert rule.inputs["listenerArn"].endswith(f"/{listener}")
        assert rule.inputs["priority"] == 1
        assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
        targets = rule.inputs["actions"][0]["forward"]["targetGroups"]
        assert [(t["arn"].split("/")[-2], t["weight"]) for t in targets] == [
            ("api-tg", 100),
            ("api-tg-alt", 0),
        ]
    test = listeners["api-test"]
    assert (test.inputs["port"], test.inputs["protocol"]) == (8080, "HTTP")
    assert test.inputs["defaultActions"][0]["type"] == "fixed-response"
    assert prod.outputs["testListenerUrl"].endswith(":8080")


def test_the_test_port_admits_the_vpc_only(prod: PlanResult) -> None:
    rules = [r for r in prod.by_type(INGRESS) if r.inputs.get("fromPort") == 8080]
    assert [(r.name, r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in rules] == [
        ("api-alb-test", 8080, effective_config("prod")["network"]["cidrBlock"])
    ]


def _alb_stack(cidr: str, port: int, listener_port: int = 8080) -> Any:
    from policies._framework import Resource, Stack

    lb = Resource("aws:lb/loadBalancer:LoadBalancer", "alb", "urn:lb", {"internal": True},
                  property_dependencies={"securityGroups": ("urn:sg",)})  # fmt: skip
    group = Resource("aws:ec2/securityGroup:SecurityGroup", "sg", "urn:sg", {})
    listener = Resource(LISTENER, "test", "urn:listener", {"port": listener_port},
                        property_dependencies={"loadBalancerArn": ("urn:lb",)})  # fmt: skip
    rule = Resource(INGRESS, "rule", "urn:rule",
                    {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": cidr},
                    property_dependencies={"securityGroupId": ("urn:sg",)})  # fmt: skip
    return Stack((lb, group, listener, rule))


@pytest.mark.parametrize(
    ("cidr", "port", "passes"),
    [("10.10.0.0/16", 8080, True), ("10.10.0.0/16", 22, False), ("0.0.0.0/0", 8080, False),
     ("8.8.8.0/24", 8080, False)],
)  # fmt: skip
def test_the_pack_admits_private_addresses_on_a_test_listener_port_only(
    cidr: str, port: int, passes: bool
) -> None:
    from policies.ec2 import ec2_alb_ingress_matches_front_door

    findings = ec2_alb_ingress_matches_front_door.findings(_alb_stack(cidr, port))
    assert (findings == []) is passes, findings


def test_ecs_owned_properties_are_ignored_on_the_rules_and_the_service(prod: PlanResult) -> None:
    assert api(prod).ignore_changes == ECS_OWNED_SERVICE
    for rule in prod.by_type(RULE):
        assert rule.ignore_changes == ECS_OWNED_RULE, rule.name
    # Only the rules: the primary listener's default action and the target groups stay Pulumi's.
    assert all(r.ignore_changes == [] for r in [*prod.by_type(LISTENER), *prod.by_type(TARGET_GROUP)])


def test_ignore_changes_reach_the_plan_file(prod: PlanResult) -> None:
    steps = {s["urn"].rsplit("::", 1)[-1]: s["newState"] for s in to_preview_json(prod)["steps"]}
    assert steps["api-svc"]["ignoreChanges"] == ECS_OWNED_SERVICE
    assert steps["api-production"]["ignoreChanges"] == ECS_OWNED_RULE


def test_infrastructure_role_trusts_only_ecs_for_this_account_inside_the_guard(prod: PlanResult) -> None:
    role = prod.one(ROLE, "api-ecs-infra")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
    task_role = prod.one(ROLE, "api-task")
    assert role.inputs["path"] == task_role.inputs["path"] == "/webapp/prod/"
    assert role.inputs["permissionsBoundary"] == task_role.inputs["permissionsBoundary"]
    attachment = prod.one(ATTACHMENT, "api-ecs-infra-elb")
    assert (
        attachment.inputs["policyArn"]
        == "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
    )


def test_prod_workers_stay_rolling_without_alarms_of_their_own(prod: PlanResult) -> None:
    worker = prod.one(SERVICE, "worker-celery-svc")
    assert worker.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert "alarms" not in worker.inputs
    assert worker.ignore_changes == ["desiredCount"]
    assert effective_config("prod")["workers"]["celery"]["deployment"]["strategy"] == "rolling"
    assert effective_config("prod")["service"]["deployment"]["strategy"] == "blueGreen"
    assert effective_config("dev")["service"]["deployment"]["strategy"] == "rolling"


# --- canary and linear --------------------------------------------------------------------------


def test_canary_sends_its_percentage_and_interval() -> None:
    result = with_deployment(
        strategy="canary", canaryPercent=12.5, canaryIntervalMinutes=20, bakeTimeMinutes=30
    )
    assert api(result).inputs["deploymentConfiguration"] == {
        "strategy": "CANARY",
        "bakeTimeInMinutes": "30",
        "canaryConfiguration": {"canaryPercent": 12.5, "canaryBakeTimeInMinutes": "20"},
    }
    assert api(result).ignore_changes == ECS_OWNED_SERVICE
    assert {r.name for r in result.by_type(RULE)} == {"api-production", "api-test"}


def test_canary_and_linear_defaults_are_ecs_own() -> None:
    canary = api(with_deployment(strategy="canary")).inputs["deploymentConfiguration"]
    assert canary["canaryConfiguration"] == {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "10"}
    linear = api(with_deployment(strategy="linear")).inputs["deploymentConfiguration"]
    assert linear == {
        "strategy": "LINEAR",
        "bakeTimeInMinutes": "10",
        "linearConfiguration": {"stepPercent": 10.0, "stepBakeTimeInMinutes": "6"},
    }


def test_linear_sends_its_step_and_interval_and_user_alarms_join_the_watched_ones() -> None:
    result = with_deployment(
        strategy="linear", linearStepPercent=25, linearIntervalMinutes=3, alarmNames=["checkout-errors"]
    )
    service = api(result)
    assert service.inputs["deploymentConfiguration"]["linearConfiguration"] == {
        "stepPercent": 25.0,
        "stepBakeTimeInMinutes": "3",
    }
    assert service.inputs["alarms"]["alarmNames"] == [
        "webapp-dev-alb-target-5xx",
        "webapp-dev-alb-unhealthy-hosts",
        "webapp-dev-alb-unhealthy-hosts-alternate",
        "checkout-errors",
    ]


def test_direct_mode_test_listener_is_https_with_the_certificate() -> None:
    result = plan(
        "dev",
        loadBalancer={"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"},
        site={"enabled": False},
        service={**stack_section("dev", "service"), "deployment": {"strategy": "blueGreen"}},
    )
    listeners = {lst.name: lst.inputs for lst in result.by_type(LISTENER)}
    assert (listeners["api-test"]["protocol"], listeners["api-test"]["port"]) == ("HTTPS", 8080)
    assert listeners["api-test"]["certificateArn"] == listeners["api-https"]["certificateArn"]
    assert listeners["api-test"]["sslPolicy"] == listeners["api-https"]["sslPolicy"]
    assert result.one(RULE, "api-production").inputs["listenerArn"].endswith("/api-https")


# --- alarms: names the service watches are the names Monitoring creates ---------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_watched_alarm_is_created_by_monitoring(stack: str) -> None:
    result = plan(stack)
    created = {a.inputs.get("name") for a in result.by_type(ALARM)}
    watched = api(result).inputs["alarms"]["alarmNames"]
    assert watched and set(watched) <= created


def test_with_two_target_groups_target_alarms_watch_the_whole_load_balancer(prod: PlanResult) -> None:
    alarms = {a.inputs.get("name"): a.inputs for a in prod.by_type(ALARM)}
    for name in ("webapp-prod-alb-target-5xx", "webapp-prod-alb-latency-p95"):
        assert set(alarms[name]["dimensions"]) == {"LoadBalancer"}, name
    primary = alarms["webapp-prod-alb-unhealthy-hosts"]["dimensions"]["TargetGroup"]
    alternate = alarms["webapp-prod-alb-unhealthy-hosts-alternate"]["dimensions"]["TargetGroup"]
    assert (primary, alternate) == ("targetgroup/api-tg/mock", "targetgroup/api-tg-alt/mock")


def test_a_disabled_health_alarm_is_not_watched() -> None:
    result = plan(
        "dev",
        monitoring={**stack_section("dev", "monitoring"), "alarms": {"albTarget5xx": {"enabled": False}}},
    )
    assert api(result).inputs["alarms"]["alarmNames"] == ["webapp-dev-alb-unhealthy-hosts"]


# --- impossible combinations ----------------------------------------------------------------------


def problems(**overrides: Any) -> list[str]:
    found, registered = config_problems(stack_config("dev", **overrides))
    assert registered == []  # refused before any resource exists
    return found


def test_a_worker_cannot_shift_traffic() -> None:
    workers = dev_always_on()["workers"]
    workers["celery"]["deployment"] = {"strategy": "canary"}
    assert problems(**{**dev_always_on(), "workers": workers}) == [
        'webapp:workers.celery.deployment.strategy = "canary": must be "rolling" for a worker (no port, so '
        "no load balancer): blueGreen, canary and linear move load balancer traffic between two target groups"
    ]


def test_keys_of_another_strategy_are_refused_one_line_each() -> None:
    service = {
        **stack_section("dev", "service"),
        "deployment": {"bakeTimeMinutes": 5, "linearStepPercent": 10},
    }
    assert problems(service=service) == [
        'webapp:service.deployment.bakeTimeMinutes = 5: only applies to strategy "blueGreen", "canary" or '
        '"linear"; strategy is "rolling": remove it or change the strategy',
        'webapp:service.deployment.linearStepPercent = 10: only applies to strategy "linear"; strategy is '
        '"rolling": remove it or change the strategy',
    ]
    service["deployment"] = {"strategy": "blueGreen", "canaryPercent": 10, "canaryIntervalMinutes": 5}
    assert problems(service=service) == [
        'webapp:service.deployment.canaryPercent = 10: only applies to strategy "canary"; strategy is '
        '"blueGreen": remove it or change the strategy',
        'webapp:service.deployment.canaryIntervalMinutes = 5: only applies to strategy "canary"; strategy is '
        '"blueGreen": remove it or change the strategy',
    ]


@pytest.mark.parametrize(
    ("deployment", "line"),
    [
        ({"strategy": "canary", "canaryPercent": 0.05},
         "canaryPercent = 0.05: must be a multiple of 0.1 from 0.1 to 100 (percent of production traffic)"),
        ({"strategy": "canary", "canaryPercent": 10.25},
         "canaryPercent = 10.25: must be a multiple of 0.1 from 0.1 to 100 (percent of production traffic)"),
        ({"strategy": "linear", "linearStepPercent": 2.9},
         "linearStepPercent = 2.9: must be a multiple of 0.1 from 3 to 100 (percent of production traffic)"),
        ({"strategy": "blueGreen", "bakeTimeMinutes": 1441},
         "bakeTimeMinutes = 1441: must be less than or equal to 1440"),
        ({"strategy": "linear", "linearIntervalMinutes": -1},
         "linearIntervalMinutes = -1: must be greater than or equal to 0"),
        ({"strategy": "recreate"},
         "strategy = \"recreate\": must be 'rolling', 'blueGreen', 'canary' or 'linear'"),
    ],
)  # fmt: skip
def test_strategy_ranges(deployment: dict[str, Any], line: str) -> None:
    service = {**stack_section("dev", "service"), "deployment": deployment}
    assert problems(service=service) == [f"webapp:service.deployment.{line}"]


# --- pack and cost --------------------------------------------------------------------------------


def test_the_prod_plan_passes_the_pack_with_blue_green(prod: PlanResult) -> None:
    report = check_plan(to_preview_json(prod), "prod")
    mandatory = [(v.policy, v.resource) for v in report.verdicts if v.enforcement == "mandatory"]
    assert [m for m in mandatory if m[0].startswith(("ecs-", "elb-", "ec2-"))] == []


def test_blue_green_counts_a_second_task_set_in_the_maximum_only() -> None:
    items = [i for i in estimate_cost(plan_stack("prod"), load_pricing()).items if i.resource == "api-svc"]
    tasks, *_tracing, shift = items  # prod traces: the agent's share and the ingestion in between
    assert shift.min_usd == 0
    # Ten tasks at most, for the 10-minute bake time of 30 deployments: 5 hours of the maximum's rate.
    assert shift.max_usd == pytest.approx(tasks.max_usd / 730 * 5, abs=0.01)
    assert "second set of up to 10 tasks for 10 min per deployment" in shift.billed
    assert "the second target group is free" in shift.billed
    dev_items = [i for i in estimate_cost(plan_stack("dev"), load_pricing()).items if i.resource == "api-svc"]
    assert len(dev_items) == 1  # rolling: no second set


def test_a_traffic_shifting_service_needs_a_load_balancer_built_for_it() -> None:
    from components.compute.container_service import ContainerService
    from components.compute.container_service_args import (
        ContainerServiceArgs,
        DeploymentArgs,
        DeploymentStrategy,
    )
    from components.core.wiring import ClusterRef, ImageRef
    from tests.harness import run_components

    args = ContainerServiceArgs(deployment=DeploymentArgs(strategy=DeploymentStrategy.BLUE_GREEN))

    def build() -> None:
        ContainerService(
            "api",
            args,
            cluster=ClusterRef("c", "arn:aws:ecs:us-east-1:123456789012:cluster/c"),
            vpc_id="vpc-1",
            subnet_ids=["subnet-a"],
            image=ImageRef("public.ecr.aws/x/y:1", None),
            secrets={},
        )

    with pytest.raises(Exception, match="'blueGreen' needs a load balancer built with traffic_shifting"):
        run_components(build)
