"""The whole program: both committed stacks plan, the plan printer, isolation between runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components import ConfigError
from offline.plan import render_text
from offline.preview_json import to_preview_json
from offline.run import StackFileError, load_stack_file
from tests.harness import PlanResult, plan

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stacks_plan(stack: str) -> None:
    result = plan(stack)
    assert result.outputs["vpcId"] == "vpc-mock-net-vpc"
    assert result.outputs["vpcCidr"] == {"dev": "10.0.0.0/16", "prod": "10.10.0.0/16"}[stack]
    assert set(result.outputs) == {
        "vpcId", "vpcCidr", "publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds", "flowLogGroupName",
        "apiUrl", "loadBalancerArn", "loadBalancerSecurityGroupId", "clusterName", "image",
        "imageRepositoryUrl", "serviceName", "serviceSecurityGroupId", "serviceLogGroup", "taskFamily",
        "workerServiceNames", "migrationTaskFamily", "migrationCommand", "databaseAddress",
        "databaseSecurityGroupId", "databaseMasterSecretArn", "cacheEndpoint",
        "siteUrl", "distributionId", "siteBucketName", "alarmTopicArn", "dashboardUrl",
    } | ({"siteAccessLogGroupName", "cacheSecurityGroupId", "testListenerUrl"}
         if stack == "prod" else set())  # fmt: skip
    if stack == "dev":
        # The sidecar cache has no security group of its own, and dev runs no worker.
        assert result.outputs["cacheEndpoint"] == "localhost"
        assert result.outputs["workerServiceNames"] == {}


def test_runs_do_not_leak_into_each_other() -> None:
    prod = plan("prod")
    dev = plan("dev")
    assert len(dev.resources) < len(prod.resources)
    assert all(r.urn.startswith("urn:pulumi:dev::") for r in dev.resources)
    assert dev.outputs["vpcCidr"] == "10.0.0.0/16"


def test_urns_are_unique(prod: PlanResult) -> None:
    urns = [r.urn for r in prod.resources]
    assert len(urns) == len(set(urns))


def test_preview_json_shape(dev: PlanResult) -> None:
    preview = to_preview_json(dev)
    assert set(preview) == {"steps", "outputs"}
    assert preview["steps"][0]["newState"]["type"] == "pulumi:pulumi:Stack"
    assert {step["op"] for step in preview["steps"]} == {"create"}
    by_type = {step["newState"]["type"]: step for step in preview["steps"]}
    log_group = by_type["aws:cloudwatch/logGroup:LogGroup"]["newState"]
    assert log_group["inputs"]["retentionInDays"] == 7  # integers stay integers
    assert log_group["parent"] == "urn:pulumi:dev::webapp::webapp:index:Network::net"
    assert log_group["protect"] is False and log_group["retainOnDelete"] is False
    assert log_group["provider"].startswith("urn:pulumi:dev::webapp::pulumi:providers:aws::aws::")
    parents_first = [step["urn"] for step in preview["steps"]]
    for step in preview["steps"][1:]:
        parent = step["newState"]["parent"]
        assert parent in parents_first[: parents_first.index(step["urn"])]
    assert preview["outputs"]["flowLogGroupName"] == "/webapp/dev/net/vpc-flow-logs"
    json.dumps(preview)  # serialisable as is


def test_text_plan_lists_the_tree_and_outputs(dev: PlanResult) -> None:
    import io

    out = io.StringIO()
    render_text(dev, out)
    text = out.getvalue()
    assert "+ webapp:index:Network  net\n" in text
    assert "      + aws:ec2/flowLog:FlowLog  net-flow-log\n" in text
    assert "(awsx component: subnets, route tables, internet and NAT gateways exist only" in text
    assert 'vpcCidr: "10.0.0.0/16"' in text


def run_plan_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline.plan", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_plan_cli_json_is_parseable() -> None:
    done = run_plan_cli("--stack", "prod", "--format", "json")
    assert done.returncode == 0, done.stderr
    preview = json.loads(done.stdout)
    assert any(s["newState"]["type"] == "awsx:ec2:Vpc" for s in preview["steps"])
    assert done.stderr == ""


def test_plan_cli_unknown_stack_is_one_line() -> None:
    done = run_plan_cli("--stack", "staging")
    assert done.returncode == 2
    assert done.stderr == "error: no stack file Pulumi.staging.yaml; stacks here: dev, prod\n"


def test_plan_cli_bad_stack_name_is_one_line() -> None:
    done = run_plan_cli("--stack", "../etc")
    assert done.returncode == 2
    assert done.stderr == "error: bad stack name '../etc': use letters, digits, '-', '_' or '.'\n"


def test_broken_stack_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  webapp:network: {azCount: 2\n")
    with pytest.raises(StackFileError, match=r"^Pulumi\.dev\.yaml: line 3: not valid YAML"):
        load_stack_file("dev", tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  network: {}\n")
    with pytest.raises(StackFileError, match=r"config key 'network' must be namespaced, e.g. webapp:network"):
        load_stack_file("dev", tmp_path)


def test_secure_values_become_mock_secrets(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  webapp:apiKey:\n    secure: AAABAxyz\n")
    stack_file = load_stack_file("dev", tmp_path)
    assert stack_file.config == {"webapp:apiKey": "mock-secret-value"}
    assert stack_file.secret_keys == ["webapp:apiKey"]


def test_config_error_from_the_cli_lists_problems_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.broken.yaml"
    bad.write_text(
        "config:\n  aws:region: us-east-1\n  webapp:image: {tag: v1}\n  webapp:network:\n    azCount: 1\n"
    )
    target = ROOT / bad.name
    target.write_text(bad.read_text())
    try:
        done = run_plan_cli("--stack", "broken")
    finally:
        target.unlink()
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: invalid config in Pulumi.broken.yaml:",
        "  webapp:network.azCount = 1: must be from 2 to 6: RDS and ElastiCache subnet groups and the load "
        "balancer need two AZs, and no region this stack targets has more than 6",
    ]


def test_config_error_is_a_pulumi_run_error() -> None:
    import pulumi

    assert issubclass(ConfigError, pulumi.RunError)
    err = ConfigError(["a = 1: bad", "b = 2: bad"])
    assert str(err) == "invalid stack config (2 problems):\na = 1: bad\nb = 2: bad"


def test_project_level_config_from_pulumi_yaml_is_applied(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: webapp\nruntime: python\nconfig:\n  greeting: hi\n  azs:\n    type: integer\n    default: 2\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  webapp:azs: 3\n")
    assert load_stack_file("dev", tmp_path).config == {"webapp:greeting": "hi", "webapp:azs": "3"}
