"""The Cluster component: Container Insights, ECS Exec logging, Fargate capacity providers."""

import json

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.compute.cluster import Cluster
from components.compute.cluster_args import ClusterArgs, ContainerInsights
from offline.analyzer_view import plan_states, stack_resources
from offline.mock_values import MOCK_ACCOUNT
from offline.preview_json import to_preview_json
from policies._framework import Stack, stack_from
from policies.ecs import ecs_exec_sessions_encrypted_and_logged
from tests.harness import PlanResult, plan, run_components, stack_section

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/app-cluster-mock"


def build(args: ClusterArgs | None = None) -> PlanResult:
    def program() -> None:
        cluster = Cluster("app", args or ClusterArgs())
        # Stands in for a ContainerService: consumes the ref the way a service would.
        aws.ecs.Service("svc", cluster=cluster.ref.arn)
        pulumi.export("name", cluster.name)
        pulumi.export("arn", cluster.arn)
        pulumi.export("refName", cluster.ref.name)

    return run_components(program)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build()


def test_container_insights_on_and_exec_logging_default(default: PlanResult) -> None:
    cluster = default.one(CLUSTER, "app-cluster")
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert cluster.inputs["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert cluster.parent == default.one("webapp:index:Cluster", "app").urn


def test_enhanced_container_insights() -> None:
    result = build(ClusterArgs(container_insights=ContainerInsights.ENHANCED))
    assert result.one(CLUSTER).inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_fargate_and_spot_with_spot_as_the_default(default: PlanResult) -> None:
    capacity = default.one(CAPACITY, "app-capacity")
    assert capacity.inputs == {
        "clusterName": "app-cluster-mock",
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    }
    assert default.one(CLUSTER).urn in capacity.dependencies


def test_outputs_and_ref(default: PlanResult) -> None:
    assert default.outputs == {"name": "app-cluster-mock", "arn": CLUSTER_ARN, "refName": "app-cluster-mock"}


def test_consumers_of_the_ref_wait_for_the_capacity_providers(default: PlanResult) -> None:
    service = default.one("aws:ecs/service:Service", "svc")
    assert service.inputs["cluster"] == CLUSTER_ARN
    assert default.one(CAPACITY).urn in service.dependencies


def test_defaults_validate_from_empty_config() -> None:
    assert validate_config(ClusterArgs, {}, "webapp:cluster") == ClusterArgs(
        container_insights=ContainerInsights.ENABLED
    )
    assert validate_config(ClusterArgs, {"containerInsights": "enhanced"}, "webapp:cluster") == ClusterArgs(
        container_insights=ContainerInsights.ENHANCED
    )


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "disabled",
            "webapp:cluster.containerInsights = \"disabled\": must be 'enabled' or 'enhanced': "
            "Container Insights stays on (Security Hub ECS.12)",
        ),
        ("on", "webapp:cluster.containerInsights = \"on\": must be 'enabled' or 'enhanced'"),
    ],
)
def test_container_insights_cannot_be_turned_off(value: str, line: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_config(ClusterArgs, {"containerInsights": value}, "webapp:cluster")
    assert err.value.problems == [line]


def test_unknown_key() -> None:
    with pytest.raises(ConfigError) as err:
        validate_config(ClusterArgs, {"insights": "enabled"}, "webapp:cluster")
    assert err.value.problems == [
        'webapp:cluster.insights = "enabled": unknown key (did you mean containerInsights?); '
        "allowed keys: containerInsights, execLogRetentionDays"
    ]


# --- ECS Exec: encrypted and logged sessions -----------------------------------------------------------

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/exec"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def build_with_exec(args: ClusterArgs | None = None) -> PlanResult:
    def program() -> None:
        cluster = Cluster("app", args or ClusterArgs(), exec_kms_key_arn=KEY_ARN)
        role = aws.iam.Role("web-task", assume_role_policy="{}")
        cluster.grant_execute_command("web", role)

    return run_components(program)


def test_exec_sessions_are_encrypted_and_logged_to_their_own_encrypted_group() -> None:
    result = build_with_exec(ClusterArgs(exec_log_retention_days=365))
    group = result.one(LOG_GROUP, "app-exec-logs")
    assert group.inputs == {
        "name": "/aws/ecs/webapp-dev/app/exec",
        "retentionInDays": 365,
        "kmsKeyId": KEY_ARN,
    }
    assert result.one(CLUSTER).inputs["configuration"] == {
        "executeCommandConfiguration": {
            "kmsKeyId": KEY_ARN,
            "logging": "OVERRIDE",
            "logConfiguration": {
                "cloudWatchLogGroupName": "/aws/ecs/webapp-dev/app/exec",
                "cloudWatchEncryptionEnabled": True,
            },
        }
    }


def test_the_grant_lets_a_task_role_decrypt_and_log_sessions_only() -> None:
    result = build_with_exec()
    grant = result.one(ROLE_POLICY, "app-web-exec-sessions")
    assert grant.property_dependencies["role"] == [result.one("aws:iam/role:Role", "web-task").urn]
    group_arn = f"arn:aws:logs:us-east-1:{MOCK_ACCOUNT}:log-group:/aws/ecs/webapp-dev/app/exec"
    assert json.loads(grant.inputs["policy"])["Statement"] == [
        {
            "Sid": "EcsExecDecryptSessions",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [KEY_ARN],
        },
        {
            "Sid": "EcsExecFindLogGroup",
            "Effect": "Allow",
            "Action": ["logs:DescribeLogGroups"],
            "Resource": ["*"],
        },
        {
            "Sid": "EcsExecReadLogStreams",
            "Effect": "Allow",
            "Action": ["logs:DescribeLogStreams"],
            "Resource": [group_arn],
        },
        {
            "Sid": "EcsExecWriteSessions",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{group_arn}:log-stream:*"],
        },
    ]


def test_without_a_key_there_is_no_exec_log_and_nothing_to_grant(default: PlanResult) -> None:
    assert default.by_type(LOG_GROUP) == []

    def program() -> None:
        Cluster("app", ClusterArgs()).grant_execute_command("web", aws.iam.Role("r", assume_role_policy="{}"))

    with pytest.raises(Exception, match="has no exec_kms_key_arn: ECS Exec sessions are neither"):
        run_components(program)


def plan_stack_of(result: PlanResult) -> Stack:
    """The plan as a stack policy sees it."""
    return stack_from(stack_resources(plan_states(to_preview_json(result))))


def _exec_on(stack: str) -> dict[str, object]:
    return {**stack_section(stack, "service"), "enableExecuteCommand": True, "readonlyRootFilesystem": False}


def test_a_dev_service_with_exec_gets_the_stack_key_and_its_task_role_the_grant() -> None:
    result = plan("dev", service=_exec_on("dev"))
    # logEncryption stays off in dev: the key exists for the exec sessions alone.
    key_arn = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT}:key/mock-key-logs-key"
    config = result.one(CLUSTER).inputs["configuration"]["executeCommandConfiguration"]
    assert (config["kmsKeyId"], config["logging"]) == (key_arn, "OVERRIDE")
    assert [g.name for g in result.by_type(LOG_GROUP) if "kmsKeyId" in g.inputs] == ["app-exec-logs"]
    assert result.one(LOG_GROUP, "app-exec-logs").inputs["retentionInDays"] == 90
    grant = result.one(ROLE_POLICY, "app-api-exec-sessions")
    assert grant.property_dependencies["role"] == [result.one("aws:iam/role:Role", "api-task").urn]
    assert ecs_exec_sessions_encrypted_and_logged.findings(plan_stack_of(result)) == []


def test_prod_keeps_exec_sessions_a_year() -> None:
    celery = {**stack_section("prod", "workers")["celery"], "enableExecuteCommand": True}
    prod = plan("prod", workers={"celery": {**celery, "readonlyRootFilesystem": False}})
    assert prod.one(LOG_GROUP, "app-exec-logs").inputs["retentionInDays"] == 365
    assert [p.name for p in prod.by_type(ROLE_POLICY) if p.name.endswith("-exec-sessions")] == [
        "app-worker-celery-exec-sessions"
    ]


def test_without_exec_dev_keeps_the_default_session_logging() -> None:
    result = plan("dev")
    assert result.one(CLUSTER).inputs["configuration"] == {
        "executeCommandConfiguration": {"logging": "DEFAULT"}
    }
    assert not [p for p in result.by_type(ROLE_POLICY) if p.name.endswith("-exec-sessions")]
