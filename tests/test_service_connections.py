"""ContainerService with data-store connections and sidecars: rules, variables, IAM, wiring errors."""

import json
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.compute.container_service import ContainerService
from components.compute.container_service_args import ContainerServiceArgs
from components.core.wiring import ClusterRef, Connection, ImageRef, SecretReference, SidecarContainer
from offline.mocks import STACK_TYPE
from offline.run import ProgramRun
from tests.harness import PlanResult, run_components

CLUSTER = ClusterRef("mock-cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/mock-cluster")
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/api"
IMAGE = ImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:abc", REPO_ARN)
APP_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-GhIjKl"
SECRETS = {"SESSION_KEY": SecretReference("secretsmanager", APP_SECRET, APP_SECRET)}
# What the mocks invent for the database resources created in data_stores().
DB_SG = "mock-db"
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-master-mock-MoCk12"
DB_KEY = "arn:aws:kms:us-east-1:123456789012:key/mock-key-db-key"
CACHE_SG = "sg-mock-cache"
CACHE_PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/webapp/dev/cache-auth"
CACHE_KEY = "arn:aws:kms:us-east-1:123456789012:key/cache"
VALKEY = SidecarContainer(
    name="valkey",
    image="public.ecr.aws/docker/library/valkey:8.1-alpine",
    port=6379,
    command=("valkey-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
    memory_reservation=64,
)
LOCAL_CACHE = Connection("local-cache", None, 6379, {"CACHE_URL": "redis://localhost:6379/0"}, {})

TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def data_stores() -> list[Connection]:
    """A database whose values are resource Outputs (as the Database component hands them over)
    and a cache with plain values and an SSM parameter under its own key."""
    db_group = aws.ec2.SecurityGroup("db", description="database", vpc_id="vpc-mock")
    db_key = aws.kms.Key("db-key", enable_key_rotation=True)
    db_secret = aws.secretsmanager.Secret("db-master", kms_key_id=db_key.arn)
    db_dns = aws.route53.Record(
        "db-dns", zone_id="ZMOCK", name="db.mock.internal", type="CNAME", ttl=60, records=["x.mock"]
    )
    database = Connection(
        name="database",
        security_group_id=db_group.id,
        port=5432,
        environment={"DB_HOST": db_dns.fqdn, "DB_PORT": "5432", "DB_NAME": "app"},
        secrets={
            "DB_PASSWORD": SecretReference(
                "secretsmanager",
                pulumi.Output.concat(db_secret.arn, ":password::"),
                db_secret.arn,
                db_key.arn,
            )
        },
    )
    cache = Connection(
        name="cache",
        security_group_id=CACHE_SG,
        port=6379,
        environment={"CACHE_URL": "rediss://cache.mock.internal:6379/0"},
        secrets={"CACHE_AUTH_TOKEN": SecretReference("ssm", CACHE_PARAM, CACHE_PARAM, CACHE_KEY)},
    )
    return [database, cache]


def deploy(
    args: ContainerServiceArgs | None = None,
    *,
    connections: Callable[[], Sequence[Connection]] = data_stores,
    sidecars: Sequence[SidecarContainer] = (),
    secrets: dict[str, SecretReference] | None = None,
) -> PlanResult:
    return run_components(lambda: _service(args, connections, sidecars, secrets))


def _service(
    args: ContainerServiceArgs | None,
    connections: Callable[[], Sequence[Connection]],
    sidecars: Sequence[SidecarContainer],
    secrets: dict[str, SecretReference] | None,
) -> None:
    ContainerService(
        "api",
        args or ContainerServiceArgs(),
        cluster=CLUSTER,
        vpc_id="vpc-mock",
        subnet_ids=["subnet-a", "subnet-b"],
        image=IMAGE,
        secrets=SECRETS if secrets is None else secrets,
        connections=connections(),
        sidecars=sidecars,
    )


def rejected(
    args: ContainerServiceArgs | None = None,
    *,
    connections: Callable[[], Sequence[Connection]] = lambda: (),
    sidecars: Sequence[SidecarContainer] = (),
    secrets: dict[str, SecretReference] | None = None,
) -> tuple[str, list[str]]:
    """The ValueError a wiring mistake raises, and the types registered before it (should be none)."""
    run = ProgramRun(
        {"aws:region": "us-east-1"},
        project="webapp",
        stack="dev",
        program=lambda: _service(args, connections, sidecars, secrets),
    )
    with pytest.raises(ValueError) as raised:
        run.execute()
    return str(raised.value), [r.type for r in run.monitor.registrations if r.type != STACK_TYPE]


def containers(result: PlanResult) -> list[dict[str, Any]]:
    return json.loads(result.one(TASK_DEF, "api-task-def").inputs["containerDefinitions"])


@pytest.fixture(scope="module")
def connected() -> PlanResult:
    return deploy()


# --- security group rules ------------------------------------------------------------------------


def test_each_connection_opens_egress_to_the_store_and_the_stores_ingress(connected: PlanResult) -> None:
    def rule(group: str, peer: str, description: str, port: int) -> dict[str, Any]:
        return {
            "securityGroupId": group,
            "description": description,
            "ipProtocol": "tcp",
            "fromPort": port,
            "toPort": port,
            "referencedSecurityGroupId": peer,
        }

    egress = {r.name: r.inputs for r in connected.by_type(EGRESS)}
    assert egress == {
        "api-https-out": {
            "securityGroupId": "mock-api-sg",
            "description": "HTTPS to AWS APIs and ECR, through NAT or VPC endpoints",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrIpv4": "0.0.0.0/0",
        },
        "api-to-database": rule("mock-api-sg", DB_SG, "api to database on 5432", 5432),
        "api-to-cache": rule("mock-api-sg", CACHE_SG, "api to cache on 6379", 6379),
    }
    ingress = {r.name: r.inputs for r in connected.by_type(INGRESS)}
    assert ingress == {
        "api-database-ingress": rule(DB_SG, "mock-api-sg", "api to database on 5432", 5432),
        "api-cache-ingress": rule(CACHE_SG, "mock-api-sg", "api to cache on 6379", 6379),
    }


def test_rules_belong_to_the_service_and_exist_before_it_starts(connected: PlanResult) -> None:
    component = connected.one("webapp:index:ContainerService", "api")
    names = ["api-to-database", "api-database-ingress", "api-to-cache", "api-cache-ingress"]
    rules = [r for r in connected.by_type(EGRESS) + connected.by_type(INGRESS) if r.name in names]
    assert sorted(r.name for r in rules) == sorted(names)
    assert all(r.parent == component.urn for r in rules)
    service = connected.one(SERVICE, "api-svc")
    assert {r.urn for r in rules} <= set(service.dependencies)


def test_a_connection_without_a_security_group_opens_nothing() -> None:
    result = deploy(connections=lambda: [LOCAL_CACHE])
    assert result.by_type(INGRESS) == []
    assert [r.name for r in result.by_type(EGRESS)] == ["api-https-out"]
    [app] = containers(result)
    assert app["environment"] == [{"name": "CACHE_URL", "value": "redis://localhost:6379/0"}]


# --- container variables and the execution role -----------------------------------------------


def test_connection_environment_and_secrets_reach_the_app_container() -> None:
    args_env = ContainerServiceArgs(environment={"LOG_LEVEL": "info"})
    [app] = containers(deploy(args_env))
    assert app["environment"] == [
        {"name": "CACHE_URL", "value": "rediss://cache.mock.internal:6379/0"},
        {"name": "DB_HOST", "value": "db.mock.internal"},
        {"name": "DB_NAME", "value": "app"},
        {"name": "DB_PORT", "value": "5432"},
        {"name": "LOG_LEVEL", "value": "info"},
    ]
    assert app["secrets"] == [
        {"name": "CACHE_AUTH_TOKEN", "valueFrom": CACHE_PARAM},
        {"name": "DB_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
        {"name": "SESSION_KEY", "valueFrom": APP_SECRET},
    ]
    assert "arn:aws:" not in json.dumps(app["environment"])


def test_execution_role_reads_exactly_the_given_and_connected_secrets(connected: PlanResult) -> None:
    policy = json.loads(connected.one("aws:iam/rolePolicy:RolePolicy", "api-execution").inputs["policy"])
    assert policy["Statement"][3:] == [
        {
            "Sid": "ReadSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [APP_SECRET, DB_SECRET],
        },
        {
            "Sid": "ReadParameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameters"],
            "Resource": [CACHE_PARAM],
        },
        {
            "Sid": "DecryptSecrets",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [CACHE_KEY, DB_KEY],
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": [
                        "secretsmanager.us-east-1.amazonaws.com",
                        "ssm.us-east-1.amazonaws.com",
                    ]
                }
            },
        },
    ]
    assert [(s["Sid"], s["Resource"]) for s in policy["Statement"][:3]] == [
        ("EcrLogin", ["*"]),
        ("PullImage", [REPO_ARN]),
        ("WriteLogs", ["arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/ecs/api:*"]),
    ]


# --- sidecars --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_sidecar() -> PlanResult:
    return deploy(connections=lambda: [LOCAL_CACHE], sidecars=[VALKEY])


def test_sidecar_runs_beside_the_app_hardened_and_unpublished(with_sidecar: PlanResult) -> None:
    app, sidecar = containers(with_sidecar)
    assert app["name"] == "app"
    assert sidecar == {
        "name": "valkey",
        "image": "public.ecr.aws/docker/library/valkey:8.1-alpine",
        "essential": True,
        "command": ["valkey-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        "memoryReservation": 64,
        "readonlyRootFilesystem": True,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/webapp/dev/ecs/api",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "api-valkey",
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
    }


def test_app_starts_after_its_sidecars(with_sidecar: PlanResult) -> None:
    app, _ = containers(with_sidecar)
    assert app["dependsOn"] == [{"containerName": "valkey", "condition": "START"}]
    assert app["logConfiguration"]["options"]["awslogs-stream-prefix"] == "api"
    assert app["portMappings"] == [{"containerPort": 8000, "protocol": "tcp", "name": "app-8000"}]
    [without] = containers(deploy(connections=lambda: [LOCAL_CACHE]))
    assert "dependsOn" not in without


def test_sidecar_adds_no_grant_to_the_execution_role(with_sidecar: PlanResult) -> None:
    policy = json.loads(with_sidecar.one("aws:iam/rolePolicy:RolePolicy", "api-execution").inputs["policy"])
    assert [(s["Sid"], s["Resource"]) for s in policy["Statement"]] == [
        ("EcrLogin", ["*"]),
        ("PullImage", [REPO_ARN]),
        ("WriteLogs", ["arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/ecs/api:*"]),
        ("ReadSecrets", [APP_SECRET]),
    ]
    task = with_sidecar.one(TASK_DEF).inputs
    assert (task["cpu"], task["memory"]) == ("256", "512")


# --- wiring errors ---------------------------------------------------------------------------------


def _plain_database(**changes: Any) -> Connection:
    base: dict[str, Any] = {
        "name": "database",
        "security_group_id": "sg-db",
        "port": 5432,
        "environment": {"DB_HOST": "db.mock.internal"},
        "secrets": {"DB_PASSWORD": SecretReference("secretsmanager", DB_SECRET, DB_SECRET, DB_KEY)},
    }
    return Connection(**{**base, **changes})


DATABASE = _plain_database()


def _cache(**changes: Any) -> Connection:
    return _plain_database(**{"name": "cache", "port": 6379, "environment": {}, "secrets": {}, **changes})


@pytest.mark.parametrize(
    ("connections", "kwargs", "message"),
    [
        (
            [DATABASE],
            {"args": ContainerServiceArgs(environment={"DB_HOST": "localhost"})},
            "api: DB_HOST is set by both environment and connection 'database'; each variable must come from "
            "one place",
        ),
        (
            [DATABASE],
            {"secrets": {"DB_PASSWORD": SecretReference("secretsmanager", APP_SECRET, APP_SECRET)}},
            "api: DB_PASSWORD is set by both secrets and connection 'database'; each variable must come from "
            "one place",
        ),
        (
            [DATABASE, _cache(environment={"DB_HOST": "cache"})],
            {},
            "api: DB_HOST is set by both connection 'database' and connection 'cache'; each variable must "
            "come from one place",
        ),
        (
            [DATABASE, _cache(secrets={"DB_HOST": SECRETS["SESSION_KEY"]})],
            {},
            "api: DB_HOST is set by both connection 'database' and connection 'cache'; each variable must "
            "come from one place",
        ),
        ([DATABASE, _plain_database(port=5433)], {}, "api: connections must be unique; repeated: database"),
        (
            [_cache(environment={"CACHE_PASSWORD": "hunter2"})],
            {},
            "api: connection 'cache': environment CACHE_PASSWORD looks like a credential (the name contains "
            "PASSWORD); pass it in the connection's secrets, which the task definition only references",
        ),
        (
            [_cache(environment={"cache-url": "x"})],
            {},
            "api: connection 'cache' environment names must be environment variable names (letters, digits, "
            "_): cache-url",
        ),
        (
            [_cache(secrets={"auth token": SECRETS["SESSION_KEY"]})],
            {},
            "api: connection 'cache' secret names must be environment variable names (letters, digits, _): "
            "auth token",
        ),
        (
            [_plain_database(name="my cache")],
            {},
            "api: connection 'my cache': the name must be 1-63 letters, digits, _ or -, starting with a "
            "letter",
        ),
        ([_cache(port=0)], {}, "api: connection 'cache': port 0 must be from 1 to 65535"),
        (
            [_cache(environment={"CACHE_URL": "x"}, secrets={"CACHE_URL": SECRETS["SESSION_KEY"]})],
            {},
            "api: connection 'cache': CACHE_URL is both in its environment and in its secrets",
        ),
    ],
)
def test_connection_wiring_errors_stop_before_any_resource(
    connections: list[Connection], kwargs: dict[str, Any], message: str
) -> None:
    assert rejected(connections=lambda: connections, **kwargs) == (message, [])


def _sidecar(**changes: Any) -> SidecarContainer:
    base = {"name": "valkey", "image": VALKEY.image, "port": 6379, "command": (), "memory_reservation": 64}
    return SidecarContainer(**{**base, **changes})


@pytest.mark.parametrize(
    ("sidecars", "message"),
    [
        (
            [_sidecar(memory_reservation=512)],
            "api: sidecars reserve 512 MiB (valkey) of the task's 512 MiB, leaving nothing for the app; "
            "raise memory or lower the sidecars' memory_reservation",
        ),
        (
            [_sidecar(memory_reservation=256), _sidecar(name="proxy", port=9000, memory_reservation=300)],
            "api: sidecars reserve 556 MiB (valkey, proxy) of the task's 512 MiB, leaving nothing for the "
            "app; raise memory or lower the sidecars' memory_reservation",
        ),
        (
            [_sidecar(memory_reservation=5)],
            "api: sidecar 'valkey': memory_reservation must be at least 6 MiB",
        ),
        (
            [_sidecar(name="app")],
            "api: sidecar 'app': the name must be 1-63 letters, digits, _ or -, start with a letter and not "
            "be 'app' (the app container)",
        ),
        ([_sidecar(), _sidecar(port=6380)], "api: sidecars must be unique; repeated: valkey"),
        ([_sidecar(), _sidecar(name="other")], "api: sidecar ports must be unique; repeated: 6379"),
        (
            [_sidecar(port=8000)],
            "api: sidecar 'valkey': port 8000 is the app's port; containers share localhost",
        ),
        (
            [_sidecar(image="123456789012.dkr.ecr.us-east-1.amazonaws.com/valkey:8")],
            "api: sidecar 'valkey': the image must come from a public registry such as public.ecr.aws; the "
            "execution role may pull only the app's own ECR repository",
        ),
    ],
)
def test_sidecar_wiring_errors_stop_before_any_resource(
    sidecars: list[SidecarContainer], message: str
) -> None:
    assert rejected(sidecars=sidecars) == (message, [])


def test_sidecars_may_reserve_up_to_just_below_the_task_memory() -> None:
    result = deploy(connections=lambda: [], sidecars=[_sidecar(memory_reservation=511)])
    assert containers(result)[1]["memoryReservation"] == 511
