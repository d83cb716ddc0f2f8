"""MigrationTask on its own: the task definition, its execution role, the run-task command, config errors."""

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.compute.fargate_task_size import Architecture
from components.compute.migration_task import MigrationTask
from components.compute.migration_task_args import MigrationArgs
from components.core.wiring import ClusterRef, Connection, ImageRef, SecretReference
from tests.harness import PlanResult, run_components

CLUSTER = ClusterRef("mock-cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/mock-cluster")
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/api"
IMAGE = ImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:abc", REPO_ARN)
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
SECRETS_KEY = "arn:aws:kms:us-east-1:123456789012:key/secrets"
SECRETS = {"DATABASE_URL": SecretReference("secretsmanager", f"{DB_SECRET}:url::", DB_SECRET, SECRETS_KEY)}
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"


def deploy(
    args: MigrationArgs | None = None,
    *,
    environment: Mapping[str, str] | Callable[[], Mapping[str, pulumi.Input[str]]] | None = None,
    log_retention_days: int = 7,
    architecture: Architecture = Architecture.ARM64,
    connections: Callable[[], Sequence[Connection]] = lambda: (),
) -> PlanResult:
    def build() -> None:
        migration = MigrationTask(
            "migrate",
            args or MigrationArgs(command=("alembic", "upgrade", "head")),
            cluster=CLUSTER,
            subnet_ids=["subnet-a", "subnet-b"],
            security_group_id="sg-x",
            image=IMAGE,
            secrets=SECRETS,
            environment=_environment(environment),
            log_retention_days=log_retention_days,
            architecture=architecture,
            connections=connections(),
        )
        pulumi.export("taskFamily", migration.task_family)
        pulumi.export("runTaskCommand", migration.run_task_command)
        pulumi.export("taskDefinitionArn", migration.task_definition_arn)

    return run_components(build)


def _environment(
    given: Mapping[str, str] | Callable[[], Mapping[str, pulumi.Input[str]]] | None,
) -> Mapping[str, pulumi.Input[str]]:
    if given is None:
        return {"LOG_LEVEL": "info"}
    return given() if callable(given) else given


@pytest.fixture(scope="module")
def migration() -> PlanResult:
    return deploy()


def container(result: PlanResult) -> dict[str, Any]:
    [only] = json.loads(result.one(TASK_DEF, "migrate-task-def").inputs["containerDefinitions"])
    return only


def test_run_task_command(migration: PlanResult) -> None:
    assert migration.outputs["runTaskCommand"] == (
        "aws ecs run-task --cluster mock-cluster --task-definition webapp-dev-migrate --launch-type FARGATE "
        "--network-configuration 'awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-x],"
        "assignPublicIp=DISABLED}' --started-by migration"
    )
    assert migration.outputs["taskFamily"] == "webapp-dev-migrate"
    assert migration.outputs["taskDefinitionArn"] == (
        "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-dev-migrate:1"
    )


def test_task_definition_runs_the_migration_command(migration: PlanResult) -> None:
    task = migration.one(TASK_DEF, "migrate-task-def").inputs
    assert task["family"] == "webapp-dev-migrate"
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["networkMode"] == "awsvpc"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert task["executionRoleArn"] == "arn:aws:iam::123456789012:role/migrate-execution-mock"
    # No task role: migration code gets no AWS credentials.
    assert "taskRoleArn" not in task
    assert container(migration) == {
        "name": "app",
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:abc",
        "essential": True,
        "command": ["alembic", "upgrade", "head"],
        "environment": [{"name": "LOG_LEVEL", "value": "info"}],
        "secrets": [{"name": "DATABASE_URL", "valueFrom": f"{DB_SECRET}:url::"}],
        "readonlyRootFilesystem": True,
        "mountPoints": [{"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/webapp/dev/ecs/migrate",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "migrate",
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
        "stopTimeout": 30,
    }
    assert [r.name for r in migration.by_type("aws:iam/role:Role")] == ["migrate-execution"]


def test_size_architecture_and_retention_follow_arguments() -> None:
    args = MigrationArgs(command=("python", "-m", "app.migrate"), cpu=512, memory=2048)
    result = deploy(args, log_retention_days=30, architecture=Architecture.X86_64)
    task = result.one(TASK_DEF).inputs
    assert (task["cpu"], task["memory"]) == ("512", "2048")
    assert task["runtimePlatform"]["cpuArchitecture"] == "X86_64"
    assert container(result)["command"] == ["python", "-m", "app.migrate"]
    group = result.one("aws:cloudwatch/logGroup:LogGroup", "migrate-logs").inputs
    assert group == {"name": "/webapp/dev/ecs/migrate", "retentionInDays": 30}


def test_execution_role_has_the_service_shape(migration: PlanResult) -> None:
    policy = json.loads(migration.one("aws:iam/rolePolicy:RolePolicy", "migrate-execution").inputs["policy"])
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        ("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
        (
            "PullImage",
            ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            [REPO_ARN],
        ),
        (
            "WriteLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            ["arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/ecs/migrate:*"],
        ),
        ("ReadSecrets", ["secretsmanager:GetSecretValue"], [DB_SECRET]),
        ("DecryptSecrets", ["kms:Decrypt"], [SECRETS_KEY]),
    ]
    assert policy["Statement"][-1]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"]}
    }
    trust = json.loads(migration.one("aws:iam/role:Role", "migrate-execution").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_children_are_parented_to_the_component(migration: PlanResult) -> None:
    component = migration.one("webapp:index:MigrationTask", "migrate")
    others = [r for r in migration.resources if r is not component]
    assert others and all(r.parent == component.urn for r in others)


def test_environment_that_shadows_a_secret_is_rejected() -> None:
    with pytest.raises(ValueError) as raised:
        deploy(environment={"DATABASE_URL": "postgres://localhost/app"})
    assert str(raised.value) == (
        "migrate: DATABASE_URL is set both in environment and as a secret; keep it only in webapp:secrets"
    )


CACHE_PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/webapp/dev/cache-auth"
CACHE_KEY = "arn:aws:kms:us-east-1:123456789012:key/cache"


def data_stores() -> list[Connection]:
    """The API's connections: a database with Output values, a cache with an SSM parameter."""
    db_dns = aws.route53.Record(
        "db-dns", zone_id="ZMOCK", name="db.mock.internal", type="CNAME", ttl=60, records=["x.mock"]
    )
    database = Connection(
        "database",
        "sg-mock-db",
        5432,
        {"DB_HOST": db_dns.fqdn, "DB_PORT": "5432"},
        {"DB_PASSWORD": SecretReference("secretsmanager", f"{DB_SECRET}:password::", DB_SECRET, SECRETS_KEY)},
    )
    cache = Connection(
        "cache",
        "sg-mock-cache",
        6379,
        {},
        {"CACHE_AUTH_TOKEN": SecretReference("ssm", CACHE_PARAM, CACHE_PARAM, CACHE_KEY)},
    )
    return [database, cache]


@pytest.fixture(scope="module")
def connected() -> PlanResult:
    # Outputs are accepted in the environment too (created inside the run, as __main__.py would).
    return deploy(
        environment=lambda: {"LOG_LEVEL": pulumi.Output.from_input("debug")}, connections=data_stores
    )


def test_connections_add_environment_and_secrets(connected: PlanResult) -> None:
    app = container(connected)
    assert app["environment"] == [
        {"name": "DB_HOST", "value": "db.mock.internal"},
        {"name": "DB_PORT", "value": "5432"},
        {"name": "LOG_LEVEL", "value": "debug"},
    ]
    assert app["secrets"] == [
        {"name": "CACHE_AUTH_TOKEN", "valueFrom": CACHE_PARAM},
        {"name": "DATABASE_URL", "valueFrom": f"{DB_SECRET}:url::"},
        {"name": "DB_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
    ]


def test_connections_extend_the_execution_role_by_their_secrets(connected: PlanResult) -> None:
    policy = json.loads(connected.one("aws:iam/rolePolicy:RolePolicy", "migrate-execution").inputs["policy"])
    assert [(s["Sid"], s["Resource"]) for s in policy["Statement"][3:]] == [
        ("ReadSecrets", [DB_SECRET]),
        ("ReadParameters", [CACHE_PARAM]),
        ("DecryptSecrets", [CACHE_KEY, SECRETS_KEY]),
    ]
    assert policy["Statement"][-1]["Condition"] == {
        "StringEquals": {
            "kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com"]
        }
    }


def test_connections_open_no_security_group_rules(connected: PlanResult) -> None:
    # The task runs in the API's security group, whose own connections opened these paths.
    assert sorted({r.type for r in connected.resources}) == [
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:route53/record:Record",
        "webapp:index:MigrationTask",
    ]


def test_a_variable_set_by_a_connection_and_the_environment_is_rejected() -> None:
    with pytest.raises(ValueError) as raised:
        deploy(environment={"DB_HOST": "localhost"}, connections=data_stores)
    assert str(raised.value) == (
        "migrate: DB_HOST is set by both environment and connection 'database'; each variable must come from "
        "one place"
    )


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    with pytest.raises(ValueError) as raised:
        deploy(log_retention_days=10)
    assert str(raised.value) == "migrate: log_retention_days 10 is no CloudWatch retention period"


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        validate_config(MigrationArgs, data, "webapp:migration")
    return raised.value.problems


def test_config_defaults_and_errors() -> None:
    args = validate_config(MigrationArgs, {"command": ["alembic", "upgrade", "head"]}, "webapp:migration")
    assert (args.command, args.cpu, args.memory) == (("alembic", "upgrade", "head"), 256, 512)
    assert problems({}) == ["webapp:migration.command = missing: is required and has no default"]
    assert problems({"command": []}) == [
        'webapp:migration.command = []: must list the program and its arguments, e.g. ["alembic", "upgrade", '
        '"head"]'
    ]
    assert problems({"command": ["alembic"], "cpu": 512, "memory": 512}) == [
        "webapp:migration.memory = 512: does not fit cpu 512: Fargate allows 1024 to 4096 MiB in steps of "
        "1024 with it"
    ]
    assert problems({"command": ["alembic"], "cpu": 100}) == [
        "webapp:migration.cpu = 100: must be one of Fargate's CPU sizes (units, 1024 = 1 vCPU): 256, 512, "
        "1024, 2048, 4096, 8192, 16384"
    ]
