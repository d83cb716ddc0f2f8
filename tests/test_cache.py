"""The Cache component: an encrypted, AUTH-protected ElastiCache group, or a dev-only sidecar."""

import dataclasses
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.data.cache import Cache
from components.data.cache_args import CacheArgs
from offline.mocks import is_secret
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:Cache"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SG = "aws:ec2/securityGroup:SecurityGroup"
SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mock-key-cache-key"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webapp/dev/cache/REDIS_AUTH_TOKEN-MoCk12"
ENDPOINT = "master.cache-rg-mock.mock.us-east-1.cache.amazonaws.com"
SUBNET_IDS = ["subnet-isolated-1", "subnet-isolated-2"]
PROD = {
    "nodeType": "cache.m7g.large",
    "nodeCount": 2,
    "automaticFailover": True,
    "multiAz": True,
    "snapshotRetentionDays": 7,
    "logRetentionDays": 30,
}


def cache_args(data: dict[str, Any]) -> CacheArgs:
    return validate_config(CacheArgs, data, "webapp:cache")


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        cache_args(data)
    return err.value.problems


def fields_of(value: Any) -> dict[str, Any]:
    """A dataclass as a dict, keeping Outputs as they are (``asdict`` would deep-copy them)."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def build(args: CacheArgs, protect: bool = False) -> PlanResult:
    def program() -> None:
        cache = Cache("cache", args, vpc_id="vpc-1", subnet_ids=SUBNET_IDS, protect=protect)
        connection = cache.connection
        pulumi.export("connection", fields_of(connection))
        pulumi.export("token", {k: fields_of(v) for k, v in connection.secrets.items()})
        pulumi.export("securityGroupId", cache.security_group_id)
        pulumi.export("primaryEndpoint", cache.primary_endpoint)
        pulumi.export("port", cache.port)
        pulumi.export("replicationGroupId", cache.replication_group_id)
        pulumi.export("kmsKeyArn", cache.kms_key_arn)
        pulumi.export("authSecretArn", cache.auth_secret_arn)
        pulumi.export("sidecar", fields_of(cache.sidecar) if cache.sidecar else None)

    return run_components(program)


@pytest.fixture(scope="module")
def dev() -> PlanResult:
    return build(CacheArgs())


@pytest.fixture(scope="module")
def prod() -> PlanResult:
    return build(cache_args(PROD), protect=True)


def unwrap(value: Any) -> Any:
    assert is_secret(value), f"{value!r} is not a Pulumi secret"
    return value["value"]


# --- elasticache: encryption and the AUTH token ---------------------------------------------------


def test_one_rotated_key_with_an_alias(dev: PlanResult) -> None:
    key = dev.one(KEY, "cache-key")
    assert key.inputs == {
        "description": "Encrypts the webapp/dev cache cache, its snapshots and AUTH token",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    alias = dev.one(ALIAS, "cache-key")
    assert alias.inputs == {"name": "alias/webapp-dev-cache-elasticache", "targetKeyId": "mock-key-cache-key"}
    component = dev.one(COMPONENT, "cache").urn
    assert all(r.parent == component for r in dev.resources if r.type != COMPONENT)


def test_auth_secret_is_encrypted_with_the_cache_key_and_recoverable(dev: PlanResult) -> None:
    assert dev.one(SECRET, "cache-auth").inputs == {
        "name": "webapp/dev/cache/REDIS_AUTH_TOKEN",
        "description": "AUTH token of the webapp/dev cache cache; generated once by Pulumi",
        "kmsKeyId": KEY_ARN,
        "recoveryWindowInDays": 7,
    }


def test_auth_token_meets_elasticache_rules_and_is_never_rewritten(dev: PlanResult) -> None:
    version = dev.one(VERSION, "cache-auth")
    assert version.inputs["secretId"] == "mock-cache-auth"
    token = unwrap(version.inputs["secretString"])
    assert len(token) == 64
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert version.ignore_changes == ["secretString"]


def test_replication_group_uses_the_stored_token(dev: PlanResult) -> None:
    group = dev.one(GROUP)
    token = unwrap(dev.one(VERSION).inputs["secretString"])
    assert unwrap(group.inputs["authToken"]) == token
    assert group.inputs["authTokenUpdateStrategy"] == "ROTATE"
    # The token follows the stored value, so nothing on the group is ignored.
    assert group.ignore_changes == []
    assert dev.one(VERSION).urn in group.dependencies


def test_the_token_appears_only_in_its_secret_and_the_group(dev: PlanResult) -> None:
    token = unwrap(dev.one(VERSION).inputs["secretString"])
    for registration in dev.resources:
        if registration.type not in (VERSION, GROUP):
            assert token not in repr(registration.inputs)
    assert token not in repr(dev.outputs)


def test_tokens_differ_between_caches() -> None:
    def program() -> None:
        Cache("a", CacheArgs(), vpc_id="vpc-1", subnet_ids=SUBNET_IDS)
        Cache("b", CacheArgs(), vpc_id="vpc-1", subnet_ids=SUBNET_IDS)

    result = run_components(program)
    a, b = (unwrap(result.one(VERSION, f"{n}-auth").inputs["secretString"]) for n in "ab")
    assert a != b


# --- elasticache: network, parameters, logs, the replication group ------------------------------


def test_security_group_has_no_rules_of_its_own(dev: PlanResult) -> None:
    assert dev.one(SG, "cache-sg").inputs == {
        "description": "ElastiCache cache; the services wired to it add their own ingress",
        "vpcId": "vpc-1",
        "tags": {"Name": "cache-elasticache"},
    }
    rule_types = {r.type for r in dev.resources if "Rule" in r.type or "securityGroupRule" in r.type}
    assert rule_types == set()


def test_subnet_group_on_the_given_subnets(dev: PlanResult) -> None:
    assert dev.one(SUBNETS, "cache-subnets").inputs == {
        "description": "Isolated subnets of the cache cache",
        "subnetIds": SUBNET_IDS,
    }


@pytest.mark.parametrize(
    ("data", "family"),
    [
        ({}, "valkey8"),
        ({"engineVersion": "7.2"}, "valkey7"),
        ({"engineVersion": "8.2"}, "valkey8"),
        ({"engine": "redis"}, "redis7"),
        ({"engine": "redis", "engineVersion": "6.2"}, "redis6.x"),
    ],
)
def test_parameter_group_family_follows_the_engine(data: dict[str, Any], family: str) -> None:
    args = cache_args({**data, "maxmemoryPolicy": "volatile-ttl"})
    params = build(args).one(PARAMS, "cache-params").inputs
    assert params == {
        "family": family,
        "description": f"cache cache: {args.engine.value} {args.version}",
        "parameters": [{"name": "maxmemory-policy", "value": "volatile-ttl"}],
    }


def test_slow_and_engine_logs_go_to_their_own_log_groups(dev: PlanResult, prod: PlanResult) -> None:
    for log_type in ("slow-log", "engine-log"):
        assert dev.one(LOG_GROUP, f"cache-{log_type}").inputs == {
            "name": f"/aws/vendedlogs/webapp/dev/cache/{log_type}",
            "retentionInDays": 7,
        }
        assert prod.one(LOG_GROUP, f"cache-{log_type}").inputs["retentionInDays"] == 30
    assert dev.one(GROUP).inputs["logDeliveryConfigurations"] == [
        {
            "destination": f"/aws/vendedlogs/webapp/dev/cache/{log_type}",
            "destinationType": "cloudwatch-logs",
            "logFormat": "json",
            "logType": log_type,
        }
        for log_type in ("slow-log", "engine-log")
    ]


def test_dev_replication_group(dev: PlanResult) -> None:
    checked_elsewhere = ("authToken", "logDeliveryConfigurations")
    inputs = {k: v for k, v in dev.one(GROUP, "cache-rg").inputs.items() if k not in checked_elsewhere}
    assert inputs == {
        "description": "valkey cache cache of webapp/dev",
        "engine": "valkey",
        "engineVersion": "8.0",
        "nodeType": "cache.t4g.micro",
        "numCacheClusters": 1,
        "port": 6379,
        "parameterGroupName": "cache-params-mock",
        "subnetGroupName": "cache-subnets-mock",
        "securityGroupIds": ["mock-cache-sg"],
        "atRestEncryptionEnabled": True,
        "kmsKeyId": KEY_ARN,
        "transitEncryptionEnabled": True,
        "transitEncryptionMode": "required",
        "authTokenUpdateStrategy": "ROTATE",
        "automaticFailoverEnabled": False,
        "multiAzEnabled": False,
        "snapshotRetentionLimit": 1,
        "snapshotWindow": "03:00-04:00",
        "maintenanceWindow": "sun:05:00-sun:06:00",
        "autoMinorVersionUpgrade": True,
        "applyImmediately": False,
        "finalSnapshotIdentifier": "webapp-dev-cache-final",
    }


def test_prod_replication_group_fails_over_across_azs(prod: PlanResult) -> None:
    group = prod.one(GROUP).inputs
    assert group["nodeType"] == "cache.m7g.large"
    assert group["numCacheClusters"] == 2
    assert group["automaticFailoverEnabled"] is True
    assert group["multiAzEnabled"] is True
    assert group["snapshotRetentionLimit"] == 7


def test_no_snapshots_means_no_window_and_no_final_snapshot() -> None:
    # The snapshot window is unused, so overlapping the maintenance window is fine.
    args = cache_args({"snapshotRetentionDays": 0, "snapshotWindow": "05:00-06:00"})
    group = build(args).one(GROUP).inputs
    assert group["snapshotRetentionLimit"] == 0
    assert "snapshotWindow" not in group
    assert "finalSnapshotIdentifier" not in group


def test_redis_6_gets_tls_without_the_mode_setting() -> None:
    group = build(cache_args({"engine": "redis", "engineVersion": "6.2"})).one(GROUP).inputs
    assert (group["engine"], group["engineVersion"]) == ("redis", "6.2")
    assert group["transitEncryptionEnabled"] is True
    assert "transitEncryptionMode" not in group
    redis_7 = build(cache_args({"engine": "redis"})).one(GROUP).inputs
    assert (redis_7["engineVersion"], redis_7["transitEncryptionMode"]) == ("7.1", "required")


@pytest.mark.parametrize("protect", [False, True])
def test_protect_covers_the_stateful_resources_only(protect: bool) -> None:
    result = build(CacheArgs(), protect=protect)
    protected = {(r.type, r.name) for r in result.resources if r.protect}
    expected = {(KEY, "cache-key"), (SECRET, "cache-auth"), (VERSION, "cache-auth"), (GROUP, "cache-rg"),
                (PARAMS, "cache-params")}  # fmt: skip
    assert protected == (expected if protect else set())


# --- elasticache: what consumers get ------------------------------------------------------------


def test_connection_carries_the_endpoint_tls_and_the_token_reference(dev: PlanResult) -> None:
    connection = dev.outputs["connection"]
    assert connection["name"] == "cache"
    assert connection["security_group_id"] == "mock-cache-sg"
    assert connection["port"] == 6379
    assert connection["environment"] == {"REDIS_HOST": ENDPOINT, "REDIS_PORT": "6379", "REDIS_TLS": "true"}
    assert dev.outputs["token"] == {
        "REDIS_AUTH_TOKEN": {
            "kind": "secretsmanager",
            "value_from": SECRET_ARN,
            "resource_arn": SECRET_ARN,
            "kms_key_arn": KEY_ARN,
        }
    }


def test_attributes(dev: PlanResult) -> None:
    assert {k: v for k, v in dev.outputs.items() if k not in ("connection", "token")} == {
        "securityGroupId": "mock-cache-sg",
        "primaryEndpoint": ENDPOINT,
        "port": 6379,
        "replicationGroupId": "cache-rg-mock",
        "kmsKeyArn": KEY_ARN,
        "authSecretArn": SECRET_ARN,
        "sidecar": None,
    }


def test_consumers_of_the_token_wait_for_its_value() -> None:
    def program() -> None:
        cache = Cache("cache", CacheArgs(), vpc_id="vpc-1", subnet_ids=SUBNET_IDS)
        # Stands in for a ContainerService's task definition reading the reference.
        ref = cache.connection.secrets["REDIS_AUTH_TOKEN"]
        aws.ecs.TaskDefinition("task", family="app", container_definitions=ref.value_from)

    result = run_components(program)
    task = result.one("aws:ecs/taskDefinition:TaskDefinition")
    assert task.inputs["containerDefinitions"] == SECRET_ARN
    assert result.one(VERSION).urn in task.dependencies


# --- sidecar --------------------------------------------------------------------------------------


def test_sidecar_creates_no_aws_resources() -> None:
    result = build(cache_args({"mode": "sidecar", "sidecarMemoryMb": 128, "maxmemoryPolicy": "allkeys-lfu"}))
    assert [r.type for r in result.resources] == [COMPONENT]
    sidecar = result.outputs["sidecar"]
    assert {k: v for k, v in sidecar.items() if k != "command"} == {
        "name": "redis",
        "image": "public.ecr.aws/docker/library/valkey:8.1-alpine",
        "port": 6379,
        "memory_reservation": 128,
    }
    # Localhost only, no snapshots or append-only file, memory bounded to the reservation.
    assert list(sidecar["command"]) == [
        "/usr/local/bin/valkey-server",
        "--bind", "127.0.0.1",
        "--port", "6379",
        "--protected-mode", "yes",
        "--save", "",
        "--appendonly", "no",
        "--maxmemory", "128mb",
        "--maxmemory-policy", "allkeys-lfu",
    ]  # fmt: skip
    assert result.outputs["connection"] == {
        "name": "cache",
        "security_group_id": None,
        "port": 6379,
        "environment": {"REDIS_HOST": "localhost", "REDIS_PORT": "6379", "REDIS_TLS": "false"},
        "secrets": {},
    }
    assert result.outputs["primaryEndpoint"] == "localhost"
    for attribute in ("securityGroupId", "replicationGroupId", "kmsKeyArn", "authSecretArn"):
        assert result.outputs[attribute] is None


def test_sidecar_image_is_configurable() -> None:
    args = cache_args({"mode": "sidecar", "sidecarImage": "docker.io/library/redis:7.4-alpine"})
    result = build(args)
    assert result.outputs["sidecar"]["image"] == "docker.io/library/redis:7.4-alpine"
    assert result.outputs["sidecar"]["command"][0] == "/usr/local/bin/redis-server"
    assert result.outputs["sidecar"]["memory_reservation"] == 64


# --- config errors --------------------------------------------------------------------------------


def test_defaults_are_the_dev_profile() -> None:
    args = CacheArgs()
    assert (args.mode.value, args.engine.value, args.version, args.node_type, args.node_count) == (
        "elasticache", "valkey", "8.0", "cache.t4g.micro", 1,
    )  # fmt: skip
    assert cache_args({"engine": "redis"}).version == "7.1"


def test_unknown_engine() -> None:
    assert problems({"engine": "memcached"}) == [
        "webapp:cache.engine = \"memcached\": must be 'valkey' or 'redis'"
    ]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"engineVersion": "7.1"},
            'webapp:cache.engineVersion = "7.1": is not a valkey version this stack supports on ElastiCache: '
            'must be one of "7.2", "8.0", "8.1", "8.2"',
        ),
        (
            {"engine": "redis", "engineVersion": "8.0"},
            'webapp:cache.engineVersion = "8.0": is not a redis version this stack supports on ElastiCache: '
            'must be one of "6.2", "7.0", "7.1"',
        ),
    ],
)
def test_engine_version_must_suit_the_engine(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [line]


def test_automatic_failover_with_a_single_node() -> None:
    assert problems({"automaticFailover": True}) == [
        "webapp:cache.automaticFailover = true: automatic failover with a single cache node has no replica "
        "to promote: set nodeCount to 2 or more, or automaticFailover to false"
    ]


def test_multi_az_without_failover() -> None:
    assert problems({"nodeCount": 2, "multiAz": True}) == [
        "webapp:cache.multiAz = true: requires automaticFailover = true (and nodeCount of 2 or more)"
    ]


def test_bad_maxmemory_policy() -> None:
    assert problems({"maxmemoryPolicy": "lru"}) == [
        "webapp:cache.maxmemoryPolicy = \"lru\": must be 'volatile-lru', 'allkeys-lru', 'volatile-lfu', "
        "'allkeys-lfu', 'volatile-random', 'allkeys-random', 'volatile-ttl' or 'noeviction'"
    ]


@pytest.mark.parametrize(
    ("snapshot", "maintenance", "day"),
    [
        ("05:30-06:30", "sun:05:00-sun:06:00", "sun"),
        ("00:00-01:00", "sat:23:30-sun:00:30", "sun"),  # wraps past midnight
        ("23:30-00:30", "mon:00:00-mon:01:00", "sun"),  # Sunday's window runs into Monday
    ],
)
def test_overlapping_windows(snapshot: str, maintenance: str, day: str) -> None:
    assert problems({"snapshotWindow": snapshot, "maintenanceWindow": maintenance}) == [
        f'webapp:cache.snapshotWindow = "{snapshot}": overlaps maintenanceWindow "{maintenance}" on {day}: '
        "the two windows must not overlap"
    ]


def test_adjacent_windows_are_fine() -> None:
    args = cache_args({"snapshotWindow": "04:00-05:00", "maintenanceWindow": "sun:05:00-sun:06:00"})
    assert args.snapshot_window == "04:00-05:00"


DAILY_FORMAT = 'must be "hh:mm-hh:mm" in UTC and at least 60 minutes long, such as "03:00-04:00"'
WEEKLY_FORMAT = (
    'must be "ddd:hh:mm-ddd:hh:mm" in UTC (days mon to sun) and at least 60 minutes long, such as '
    '"sun:05:00-sun:06:00"'
)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("snapshotWindow", "03:00-03:30", DAILY_FORMAT),
        ("snapshotWindow", "3:00-4:00", DAILY_FORMAT),
        ("snapshotWindow", "23:30-00:00", DAILY_FORMAT),
        ("maintenanceWindow", "sun:05:00-06:00", WEEKLY_FORMAT),
        ("maintenanceWindow", "sun:05:00-sun:05:30", WEEKLY_FORMAT),
        ("maintenanceWindow", "sunday:05:00-sunday:06:00", WEEKLY_FORMAT),
    ],
)
def test_window_formats(key: str, value: str, message: str) -> None:
    assert problems({key: value}) == [f'webapp:cache.{key} = "{value}": {message}']


@pytest.mark.parametrize("node_type", ["cache.t4g.large", "cache.t2.micro", "cache.r5.large", "t4g.micro"])
def test_bad_node_type(node_type: str) -> None:
    assert problems({"nodeType": node_type}) == [
        f'webapp:cache.nodeType = "{node_type}": must be cache.<family>.<size>: family t4g or t3 with size '
        "micro, small or medium, or family m6g, m7g, r6g or r7g with size large, xlarge, 2xlarge, 4xlarge, "
        "8xlarge, 12xlarge or 16xlarge, such as cache.t4g.micro"
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("nodeCount", 7, "must be from 1 to 6 (a primary and up to 5 replicas)"),
        ("nodeCount", 0, "must be from 1 to 6 (a primary and up to 5 replicas)"),
        ("snapshotRetentionDays", 36, "must be from 0 (no snapshots) to 35 days"),
        (
            "recoveryWindowDays",
            3,
            "must be 0 (delete at once, so a destroyed dev stack can be re-created the same day) or from "
            "7 to 30 days (how long a deleted secret can be restored)",
        ),
        ("sidecarMemoryMb", 16, "must be from 32 to 1024 (MiB)"),
        ("sidecarMemoryMb", 2048, "must be from 32 to 1024 (MiB)"),
        ("mode", "local", "must be 'elasticache', 'sidecar' or 'none'"),
    ],
)
def test_ranges_and_modes(key: str, value: Any, message: str) -> None:
    assert problems({key: value}) == [f"webapp:cache.{key} = {json.dumps(value)}: {message}"]


@pytest.mark.parametrize(
    "image",
    [
        "public.ecr.aws/docker/library/valkey:latest",
        "public.ecr.aws/docker/library/valkey",
        "valkey/valkey:8.1",
    ],
)
def test_sidecar_image_needs_a_registry_and_a_version_tag(image: str) -> None:
    assert problems({"sidecarImage": image}) == [
        f'webapp:cache.sidecarImage = "{image}": must be an image reference with a registry and a version '
        "tag (not latest), such as public.ecr.aws/docker/library/valkey:8.1-alpine, so every deploy runs a "
        "known engine"
    ]


def test_sidecar_image_must_be_valkey_or_redis() -> None:
    image = "public.ecr.aws/docker/library/memcached:1.6"
    assert problems({"sidecarImage": image}) == [
        f'webapp:cache.sidecarImage = "{image}": must be the official valkey or redis image or a mirror of '
        "it (a repository named valkey or redis): the sidecar starts /usr/local/bin/valkey-server or "
        "redis-server"
    ]


def test_sidecar_image_must_be_public() -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/valkey:8.1"
    assert problems({"mode": "sidecar", "sidecarImage": image}) == [
        f'webapp:cache.sidecarImage = "{image}": must come from a public registry (such as public.ecr.aws): '
        "the task's execution role may pull only the app's own repository"
    ]
