"""How __main__.py wires the components: who reaches whom, with which image, secrets and guards."""

import json
from pathlib import Path

import pytest

from tests.harness import (
    PlanResult,
    config_problems,
    dev_celery_worker,
    dev_elasticache,
    plan,
    stack_config,
    stack_section,
)

SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def container(result: PlanResult, task: str) -> dict:
    """The app container (prod's tasks also run the tracing agent and the instrumentation copy)."""
    definitions = json.loads(result.one(TASK, task).inputs["containerDefinitions"])
    [definition] = [d for d in definitions if d["name"] == "app"]
    return definition


def app_container(result: PlanResult, task: str) -> dict:
    """The app container of a task that may also run the Valkey sidecar (dev's API task)."""
    definitions = json.loads(result.one(TASK, task).inputs["containerDefinitions"])
    [definition] = [d for d in definitions if d["name"] == "app"]
    return definition


def test_api_sits_behind_the_load_balancer_and_only_it_gets_in(dev: PlanResult) -> None:
    api = dev.one(SERVICE, "api-svc").inputs
    assert api["loadBalancers"] == [
        {"containerName": "app", "containerPort": 8000,
         "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/mock"},
    ]  # fmt: skip
    assert api["networkConfiguration"] == {
        "assignPublicIp": False,
        "securityGroups": ["mock-api-sg"],
        "subnets": ["subnet-mock-private-1", "subnet-mock-private-2"],
    }
    ingress = {r.name: r.inputs for r in dev.by_type(INGRESS) if r.inputs["securityGroupId"] == "mock-api-sg"}
    assert ingress == {
        "api-from-lb": {
            "securityGroupId": "mock-api-sg", "referencedSecurityGroupId": "mock-api-alb",
            "ipProtocol": "tcp",
            "fromPort": 8000, "toPort": 8000, "description": "Load balancer to api on 8000",
        }
    }  # fmt: skip
    lb_egress = dev.one(EGRESS, "api-lb-egress").inputs
    assert (lb_egress["securityGroupId"], lb_egress["referencedSecurityGroupId"]) == (
        "mock-api-alb",
        "mock-api-sg",
    )
    assert lb_egress["fromPort"] == lb_egress["toPort"] == 8000


def test_api_waits_for_the_listener(dev: PlanResult) -> None:
    listener = dev.one("aws:lb/listener:Listener", "api-http")
    assert listener.urn in dev.one(SERVICE, "api-svc").dependencies


def test_cdn_front_door_keeps_the_alb_internal(dev: PlanResult) -> None:
    alb = dev.one("aws:lb/loadBalancer:LoadBalancer", "api-alb").inputs
    assert alb["internal"] is True
    assert alb["subnets"] == ["subnet-mock-private-1", "subnet-mock-private-2"]
    assert dev.outputs["apiUrl"] == "https://dmock-site-cdn.cloudfront.net/api/"


def test_worker_runs_the_same_image_without_a_load_balancer(prod: PlanResult) -> None:
    worker = prod.one(SERVICE, "worker-celery-svc").inputs
    assert "loadBalancers" not in worker
    assert "healthCheckGracePeriodSeconds" not in worker
    assert not [r for r in prod.by_type(INGRESS) if r.inputs["securityGroupId"] == "mock-worker-celery-sg"]
    api_image = container(prod, "api-task-def")["image"]
    assert api_image == "123456789012.dkr.ecr.us-east-1.amazonaws.com/webapp/prod/api:bootstrap"
    celery = container(prod, "worker-celery-task-def")
    assert celery["image"] == api_image
    assert celery["command"] == ["celery", "-A", "app", "worker", "--loglevel", "info"]
    assert "portMappings" not in celery
    assert prod.outputs["workerServiceNames"] == {"celery": "worker-celery-svc-mock"}


def test_dev_runs_no_worker(dev: PlanResult) -> None:
    """Dev's cache is a sidecar that only the API reaches, so dev declares no celery worker."""
    assert [r.name for r in dev.by_type(SERVICE)] == ["api-svc"]
    assert sorted(r.name for r in dev.by_type(TASK)) == ["api-task-def", "migrate-task-def"]
    assert dev.outputs["workerServiceNames"] == {}


SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
DB_SECRET = f"{SECRETS}rds!db-mock-db-instance-MoCk12"
APP_SECRET = f"{SECRETS}webapp/prod/app/SECRET_KEY-MoCk12"
CACHE_SECRET = f"{SECRETS}webapp/prod/cache/REDIS_AUTH_TOKEN-MoCk12"
DEV_DB_SECRET = f"{SECRETS}rds!cluster-mock-db-cluster-MoCk12"
DEV_APP_SECRET = f"{SECRETS}webapp/dev/app/SECRET_KEY-MoCk12"


def test_secrets_reach_every_container_only_as_secrets(prod: PlanResult) -> None:
    for task in ("api-task-def", "worker-celery-task-def", "migrate-task-def"):
        definition = container(prod, task)
        assert definition["secrets"] == [
            {"name": "DB_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
            {"name": "REDIS_AUTH_TOKEN", "valueFrom": CACHE_SECRET},
            {"name": "SECRET_KEY", "valueFrom": APP_SECRET},
        ]
        plain = {e["name"]: e["value"] for e in definition["environment"]}
        assert not {"DB_PASSWORD", "REDIS_AUTH_TOKEN", "SECRET_KEY"} & set(plain)
        # Prod traces the services (tests/test_tracing.py), never the migration task.
        tracing = {n for n in plain if n.startswith("OTEL_") or n == "PYTHONPATH"}
        assert bool(tracing) == (task != "migrate-task-def")
        plain = {n: v for n, v in plain.items() if n not in tracing}
        assert plain == {
            "APP_ENV": "prod",
            "DB_HOST": "webapp-prod-db.mock.us-east-1.rds.amazonaws.com",
            "DB_NAME": "app",
            "DB_PORT": "5432",
            "DB_USER": "app_admin",
            "REDIS_HOST": "master.cache-rg-mock.mock.us-east-1.cache.amazonaws.com",
            "REDIS_PORT": "6379",
            "REDIS_TLS": "true",
        }


def test_dev_secrets_are_the_aurora_password_and_the_app_secret(dev: PlanResult) -> None:
    """Dev's sidecar cache has no AUTH token; the password is the Aurora cluster's RDS-managed secret."""
    for task in ("api-task-def", "migrate-task-def"):
        definition = app_container(dev, task)
        assert definition["secrets"] == [
            {"name": "DB_PASSWORD", "valueFrom": f"{DEV_DB_SECRET}:password::"},
            {"name": "SECRET_KEY", "valueFrom": DEV_APP_SECRET},
        ]
        plain = {e["name"]: e["value"] for e in definition["environment"]}
        assert not {"DB_PASSWORD", "REDIS_AUTH_TOKEN", "SECRET_KEY"} & set(plain)
        assert plain["DB_HOST"] == "webapp-dev-db.cluster-mock.us-east-1.rds.amazonaws.com"
    [redis] = [d for d in json.loads(dev.one(TASK, "api-task-def").inputs["containerDefinitions"])
               if d["name"] != "app"]  # fmt: skip
    assert redis["name"] == "redis"
    assert "secrets" not in redis and "environment" not in redis


def test_only_the_services_reach_the_data_tier(prod: PlanResult) -> None:
    data_tier = ("mock-db-sg", "mock-cache-sg")
    rules = [r.inputs for r in prod.by_type(INGRESS) if r.inputs["securityGroupId"] in data_tier]
    assert all("cidrIpv4" not in r and "cidrIpv6" not in r for r in rules)
    admitted = {
        (r["securityGroupId"], r["referencedSecurityGroupId"], r["fromPort"], r["toPort"]) for r in rules
    }
    assert admitted == {
        ("mock-db-sg", "mock-api-sg", 5432, 5432),
        ("mock-db-sg", "mock-worker-celery-sg", 5432, 5432),
        ("mock-cache-sg", "mock-api-sg", 6379, 6379),
        ("mock-cache-sg", "mock-worker-celery-sg", 6379, 6379),
    }
    egress = {
        (r.inputs.get("referencedSecurityGroupId"), r.inputs["fromPort"])
        for r in prod.by_type(EGRESS)
        if r.inputs["securityGroupId"] == "mock-api-sg"
    }
    assert egress == {(None, 443), ("mock-db-sg", 5432), ("mock-cache-sg", 6379)}
    assert prod.one("aws:rds/instance:Instance").inputs["publiclyAccessible"] is False


def test_only_the_api_reaches_the_dev_database(dev: PlanResult) -> None:
    """Dev has no worker and no ElastiCache: the API (and the migration, in its group) reach Aurora only."""
    rules = [r.inputs for r in dev.by_type(INGRESS) if r.inputs["securityGroupId"] == "mock-db-sg"]
    assert [(r["referencedSecurityGroupId"], r["fromPort"], r["toPort"]) for r in rules] == [
        ("mock-api-sg", 5432, 5432)
    ]
    assert all("cidrIpv4" not in r and "cidrIpv6" not in r for r in rules)
    egress = {
        (r.inputs.get("referencedSecurityGroupId"), r.inputs["fromPort"])
        for r in dev.by_type(EGRESS)
        if r.inputs["securityGroupId"] == "mock-api-sg"
    }
    assert egress == {(None, 443), ("mock-db-sg", 5432)}
    assert dev.one("aws:rds/clusterInstance:ClusterInstance").inputs["publiclyAccessible"] is False


def test_data_stores_live_in_the_isolated_subnets(dev: PlanResult, prod: PlanResult) -> None:
    isolated = [f"subnet-mock-isolated-{i}" for i in (1, 2)]
    assert prod.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == isolated
    assert prod.one("aws:elasticache/subnetGroup:SubnetGroup").inputs["subnetIds"] == isolated
    assert dev.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == isolated
    assert dev.by_type("aws:elasticache/subnetGroup:SubnetGroup") == []


def test_execution_role_reads_exactly_the_app_secret_and_its_key(prod: PlanResult) -> None:
    policy = json.loads(prod.one("aws:iam/rolePolicy:RolePolicy", "api-execution").inputs["policy"])
    grants = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert grants["ReadSecrets"] == (["secretsmanager:GetSecretValue"], [DB_SECRET, APP_SECRET, CACHE_SECRET])
    keys = "arn:aws:kms:us-east-1:123456789012:key/mock-key-"
    assert grants["DecryptSecrets"] == (
        ["kms:Decrypt"],
        [f"{keys}app-secrets", f"{keys}cache-key", f"{keys}db-key"],
    )
    assert grants["PullImage"][1] == ["arn:aws:ecr:us-east-1:123456789012:repository/webapp/prod/api"]


def test_dev_execution_role_reads_no_cache_secret(dev: PlanResult) -> None:
    policy = json.loads(dev.one("aws:iam/rolePolicy:RolePolicy", "api-execution").inputs["policy"])
    grants = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert grants["ReadSecrets"] == (["secretsmanager:GetSecretValue"], [DEV_DB_SECRET, DEV_APP_SECRET])
    keys = "arn:aws:kms:us-east-1:123456789012:key/mock-key-"
    assert grants["DecryptSecrets"] == (["kms:Decrypt"], [f"{keys}app-secrets", f"{keys}db-key"])
    assert grants["PullImage"][1] == ["arn:aws:ecr:us-east-1:123456789012:repository/webapp/dev/api"]


def test_migration_command_runs_in_the_api_security_group(dev: PlanResult) -> None:
    assert dev.outputs["migrationCommand"] == (
        "aws ecs run-task --cluster app-cluster-mock --task-definition webapp-dev-migrate "
        "--launch-type FARGATE "
        "--network-configuration 'awsvpcConfiguration={subnets=[subnet-mock-private-1,subnet-mock-private-2],"
        "securityGroups=[mock-api-sg],assignPublicIp=DISABLED}' --started-by migration"
    )
    assert container(dev, "migrate-task-def")["command"] == ["alembic", "upgrade", "head"]


def test_without_migration_config_there_is_no_migration_task() -> None:
    result = plan("dev", migration=None)
    assert result.by_type("webapp:index:MigrationTask") == []
    assert "migrationCommand" not in result.outputs


PROTECTED = {
    ("aws:kms/key:Key", "app-secrets"),
    ("aws:secretsmanager/secret:Secret", "app-SECRET_KEY"),
    ("aws:secretsmanager/secretVersion:SecretVersion", "app-SECRET_KEY"),
    ("aws:ecr/repository:Repository", "api-repo"),
    ("aws:s3/bucket:Bucket", "api-access-logs"),
    ("aws:kms/key:Key", "db-key"),
    ("aws:rds/instance:Instance", "db-instance"),
    ("aws:rds/parameterGroup:ParameterGroup", "db-params"),
    ("aws:kms/key:Key", "cache-key"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "cache-rg"),
    ("aws:elasticache/parameterGroup:ParameterGroup", "cache-params"),
    ("aws:secretsmanager/secret:Secret", "cache-auth"),
    ("aws:secretsmanager/secretVersion:SecretVersion", "cache-auth"),
    ("aws:s3/bucket:Bucket", "site-content"),
    ("aws:kms/key:Key", "ops-alarms"),
    ("aws:kms/key:Key", "logs-key"),  # monitoring.logEncryption, on in the prod profile
}


def test_prod_protects_every_stateful_resource(prod: PlanResult) -> None:
    assert {(r.type, r.name) for r in prod.resources if r.protect} == PROTECTED


def test_dev_protects_nothing(dev: PlanResult) -> None:
    assert [r.urn for r in dev.resources if r.protect] == []


def test_prod_profile(prod: PlanResult) -> None:
    alb = prod.one("aws:lb/loadBalancer:LoadBalancer", "api-alb").inputs
    assert alb["enableDeletionProtection"] is True
    assert alb["accessLogs"]["enabled"] is True
    api = prod.one(SERVICE, "api-svc").inputs
    assert api["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]
    target = prod.one("aws:appautoscaling/target:Target", "api-scaling").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 10)
    assert prod.one("aws:cloudwatch/logGroup:LogGroup", "api-logs").inputs["retentionInDays"] == 365
    db = prod.one("aws:rds/instance:Instance").inputs
    assert (db["multiAz"], db["deletionProtection"], db["backupRetentionPeriod"]) == (True, True, 14)
    assert db["skipFinalSnapshot"] is False
    cache = prod.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert (cache["numCacheClusters"], cache["automaticFailoverEnabled"], cache["multiAzEnabled"]) == (
        2,
        True,
        True,
    )


def test_dev_profile_runs_on_spot_and_sleeps_at_night(dev: PlanResult) -> None:
    api = dev.one(SERVICE, "api-svc").inputs
    assert api["capacityProviderStrategies"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    schedules = {r.name: r.inputs for r in dev.by_type("aws:appautoscaling/scheduledAction:ScheduledAction")}
    night = next(s for name, s in schedules.items() if name.startswith("api-") and "evening-off" in name)
    assert night["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    assert night["schedule"] == "cron(0 20 ? * MON-FRI *)"


def problems(**overrides: object) -> list[str]:
    lines, registered = config_problems(stack_config("dev", **overrides))
    assert registered == []
    return lines


def service(**changes: object) -> dict:
    return {**json.loads(stack_config("dev")["webapp:service"]), **changes}


def test_invalid_cpu_memory_pair() -> None:
    assert problems(service=service(cpu=256, memory=4096)) == [
        "webapp:service.memory = 4096: does not fit cpu 256: Fargate allows 512, 1024 or 2048 MiB with it"
    ]


def test_min_above_max() -> None:
    assert problems(service=service(minCount=3, maxCount=2, desiredCount=2)) == [
        "webapp:service.minCount = 3: must not exceed maxCount (2)"
    ]


def test_unknown_capacity_strategy() -> None:
    assert problems(service=service(capacity={"strategy": "cheap"})) == [
        "webapp:service.capacity.strategy = \"cheap\": must be 'spot', 'onDemand' or 'mixed'"
    ]


def test_direct_front_door_without_a_domain() -> None:
    assert problems(loadBalancer={"frontDoor": "direct"}) == [
        'webapp:loadBalancer.domain = null: frontDoor "direct" needs a domain for the HTTPS certificate and '
        "the DNS alias, e.g. api.example.com"
    ]


def test_image_is_required() -> None:
    assert problems(image=None) == ["webapp:image = missing: is required and has no default"]


def test_api_needs_a_port() -> None:
    assert problems(service=service(port=None, healthCheck={"enabled": False})) == [
        "webapp:service.port = null: the API sits behind the load balancer and needs a port"
    ]


def test_a_variable_is_either_environment_or_secret() -> None:
    assert problems(service=service(environment={"SECRET_KEY_ID": "x"})) == [
        'webapp:service.environment.SECRET_KEY_ID = "<redacted>": looks like a credential (the name contains '
        "SECRET); environment values are readable by anyone who can describe the task definition: put it in "
        "webapp:secrets instead"
    ]
    assert problems(service=service(environment={"APP_ENV": "dev", "DJANGO_SETTINGS": "x"}),
                    secrets={"values": {"DJANGO_SETTINGS": {"generate": {}}}}) == [
        'webapp:service.environment.DJANGO_SETTINGS = "x": is also a key of secrets.values; a variable comes '
        "from one place"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("workers", "expected"),
    [
        ({"Celery": {"port": None, "healthCheck": {"enabled": False}}},
         'webapp:workers.Celery = {"healthCheck": {"enabled": false}, "port": null}: worker names are 1-24 '
         "lowercase letters, digits or '-', led by a letter"),
        ({"celery": {"port": None, "healthCheck": {"enabled": False},
                     "autoscaling": {"requestsPerTarget": 50}}},
         "webapp:workers.celery.autoscaling.requestsPerTarget = 50: workers have no load balancer to count "
         "requests on; scale on cpu/memory"),
        ({"celery": {"command": ["celery", "worker"], "port": 8000}},
         "webapp:workers.celery.port = 8000: workers get no load balancer and nothing connects to them: set "
         "port: null (and healthCheck.enabled: false or a healthCheck.command that does not call the port)"),
    ],
)  # fmt: skip
def test_worker_config_errors(workers: dict, expected: str) -> None:
    assert problems(workers=workers) == [expected]


def test_sidecar_cache_runs_in_the_api_task_only() -> None:
    result = plan("dev", workers={}, cache={"mode": "sidecar"})
    assert result.by_type("aws:elasticache/replicationGroup:ReplicationGroup") == []
    containers = json.loads(result.one(TASK, "api-task-def").inputs["containerDefinitions"])
    assert [c["name"] for c in containers] == ["app", "redis"]
    assert containers[0]["dependsOn"] == [{"containerName": "redis", "condition": "START"}]
    plain = {e["name"]: e["value"] for e in containers[0]["environment"]}
    assert (plain["REDIS_HOST"], plain["REDIS_TLS"]) == ("localhost", "false")
    assert "REDIS_AUTH_TOKEN" not in {s["name"] for s in containers[0]["secrets"]}
    assert "cacheSecurityGroupId" not in result.outputs


def test_sidecar_cache_with_workers_is_a_config_error() -> None:
    assert problems(cache={"mode": "sidecar"}, workers=dev_celery_worker()) == [
        'webapp:cache.mode = "sidecar": a sidecar cache lives inside each API task, so workers (celery) '
        'could not reach it: use mode "elasticache", or remove the workers'
    ]


def test_connection_variables_cannot_be_redefined() -> None:
    assert problems(service=service(environment={"DB_HOST": "localhost"})) == [
        'webapp:service.environment.DB_HOST = "localhost": is set by the database connection; '
        "choose another name"
    ]
    assert problems(secrets={"values": {"REDIS_AUTH_TOKEN": {"generate": {}}}}) == [
        'webapp:secrets.values.REDIS_AUTH_TOKEN = {"generate": {"length": 48}}: is set by the cache '
        "connection; choose another name"
    ]


def test_connection_variable_list_matches_the_components() -> None:
    from stack_config import CONNECTION_VARIABLES

    # prod: ElastiCache adds REDIS_AUTH_TOKEN, which dev's sidecar cache does not have.
    definition = container(plan("prod", uploads={"enabled": True}), "api-task-def")
    names = {e["name"] for e in definition["environment"]} | {s["name"] for s in definition["secrets"]}
    declared = {name for names in CONNECTION_VARIABLES.values() for name in names}
    tracing = {n for n in names if n.startswith("OTEL_") or n == "PYTHONPATH"}
    assert declared == names - {"APP_ENV", "SECRET_KEY"} - tracing


def secret_windows(result: PlanResult) -> dict[str, float]:
    return {
        r.name: r.inputs["recoveryWindowInDays"] for r in result.by_type("aws:secretsmanager/secret:Secret")
    }


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        # Dev's sidecar cache has no AUTH token secret.
        ("dev", {"app-SECRET_KEY": 0}),
        ("prod", {"app-SECRET_KEY": 30, "cache-auth": 30}),
    ],
)
def test_secret_recovery_window_per_profile(stack: str, expected: dict[str, int]) -> None:
    assert secret_windows(plan(stack)) == expected


def test_dev_elasticache_auth_token_also_has_no_recovery_window() -> None:
    result = plan("dev", cache=dev_elasticache(), workers=dev_celery_worker())
    assert secret_windows(result) == {"app-SECRET_KEY": 0, "cache-auth": 0}


def test_dev_worker_also_sleeps_at_night() -> None:
    """A worker added to dev (with ElastiCache, as Pulumi.dev.yaml describes) follows its schedules."""
    result = plan("dev", cache=dev_elasticache(), workers=dev_celery_worker())
    actions = {r.name: r.inputs for r in result.by_type("aws:appautoscaling/scheduledAction:ScheduledAction")}
    night = [a for name, a in actions.items() if name.startswith("worker-celery") and "evening-off" in name]
    assert [a["scalableTargetAction"] for a in night] == [{"minCapacity": 0, "maxCapacity": 0}]


def test_migration_gets_no_redis_settings_with_a_sidecar_cache() -> None:
    result = plan("dev", workers={}, cache={"mode": "sidecar"})
    migrate = container(result, "migrate-task-def")
    assert not [e for e in migrate["environment"] if e["name"].startswith("REDIS_")]
    assert "DB_HOST" in {e["name"] for e in migrate["environment"]}


def test_uploads_bucket_is_reachable_only_through_the_task_roles() -> None:
    result = plan("prod", uploads={"enabled": True})
    bucket = "uploads-bucket-mock"
    for task in ("api-task-def", "worker-celery-task-def"):
        plain = {e["name"]: e["value"] for e in container(result, task)["environment"]}
        assert plain["UPLOADS_BUCKET"] == bucket
    assert "UPLOADS_BUCKET" not in {e["name"] for e in container(result, "migrate-task-def")["environment"]}
    grants = {
        r.name: r for r in result.by_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("uploads-")
    }
    assert set(grants) == {"uploads-api-access", "uploads-worker-celery-access"}
    assert grants["uploads-api-access"].inputs["role"] == "api-task-mock"
    statements = json.loads(grants["uploads-api-access"].inputs["policy"])["Statement"]
    resources = sorted(
        r for s in statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    )
    assert resources == sorted(
        [
            f"arn:aws:s3:::{bucket}",
            f"arn:aws:s3:::{bucket}/*",
            "arn:aws:kms:us-east-1:123456789012:key/mock-key-uploads-key",
        ]
    )
    assert result.outputs["uploadsBucketName"] == bucket


def test_prod_protects_the_uploads_bucket_when_enabled() -> None:
    result = plan("prod", uploads={"enabled": True})
    protected = {(r.type, r.name) for r in result.resources if r.protect}
    assert {("aws:s3/bucket:Bucket", "uploads-bucket"), ("aws:kms/key:Key", "uploads-key")} <= protected


def test_committed_stacks_create_no_uploads_bucket(dev: PlanResult) -> None:
    assert dev.by_type("webapp:index:UploadsBucket") == []
    assert "uploadsBucketName" not in dev.outputs


def test_cdn_mode_routes_api_through_cloudfront_to_the_internal_alb(dev: PlanResult) -> None:
    distribution = dev.one("aws:cloudfront/distribution:Distribution").inputs
    first = distribution["orderedCacheBehaviors"][0]
    assert first["pathPattern"] == "/api/*"
    assert first["targetOriginId"] == "api"
    assert "functionAssociations" not in first
    vpc_origin = dev.one("aws:cloudfront/vpcOrigin:VpcOrigin").inputs
    assert vpc_origin["vpcOriginEndpointConfig"]["arn"] == dev.outputs["loadBalancerArn"]
    into_alb = [r.inputs for r in dev.by_type(INGRESS) if r.inputs["securityGroupId"] == "mock-api-alb"]
    assert [(r["referencedSecurityGroupId"], r["fromPort"]) for r in into_alb] == [
        ("sg-mock-cloudfront-vpc-origins", 80)
    ]
    assert all("cidrIpv4" not in r for r in into_alb)


def test_direct_mode_keeps_the_api_off_cloudfront() -> None:
    result = plan("dev", loadBalancer={"frontDoor": "direct", "domain": "api.example.com",
                                       "hostedZoneName": "example.com"})  # fmt: skip
    assert result.by_type("aws:cloudfront/vpcOrigin:VpcOrigin") == []
    distribution = result.one("aws:cloudfront/distribution:Distribution").inputs
    assert all(b["pathPattern"] != "/api/*" for b in distribution.get("orderedCacheBehaviors", []))
    assert result.outputs["apiUrl"] == "https://api.example.com"
    assert result.outputs["siteUrl"] == "https://dmock-site-cdn.cloudfront.net"


def test_both_providers_carry_the_default_tags(dev: PlanResult) -> None:
    tags = {
        name: json.loads(dev.one("pulumi:providers:aws", name).inputs["defaultTags"])["tags"]
        for name in ("aws", "aws-us-east-1")
    }
    assert tags["aws"] == tags["aws-us-east-1"]
    assert dev.one("pulumi:providers:aws", "aws-us-east-1").inputs["region"] == "us-east-1"


def test_prod_puts_a_us_east_1_web_acl_on_the_distribution(prod: PlanResult) -> None:
    acl = prod.one("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["scope"] == "CLOUDFRONT"
    edge = prod.one("pulumi:providers:aws", "aws-us-east-1")
    assert acl.provider == f"{edge.urn}::{edge.id}"
    distribution = prod.one("aws:cloudfront/distribution:Distribution").inputs
    assert distribution["webAclId"].startswith("arn:aws:wafv2:us-east-1:123456789012:global/webacl/")
    assert prod.by_type("aws:wafv2/webAclAssociation:WebAclAssociation") == []


def test_dev_has_no_web_acl(dev: PlanResult) -> None:
    assert dev.by_type("aws:wafv2/webAcl:WebAcl") == []
    assert "webAclId" not in dev.one("aws:cloudfront/distribution:Distribution").inputs


def test_direct_mode_also_guards_the_public_alb() -> None:
    direct = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}
    result = plan("dev", waf={"enabled": True}, loadBalancer=direct)
    scopes = sorted(r.inputs["scope"] for r in result.by_type("aws:wafv2/webAcl:WebAcl"))
    assert scopes == ["CLOUDFRONT", "REGIONAL"]
    [association] = result.by_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["resourceArn"] == result.outputs["loadBalancerArn"]


def test_custom_domain_serves_the_site_with_a_us_east_1_certificate() -> None:
    site = {"domain": {"domain": "example.com", "hostedZoneName": "example.com"}}
    result = plan("dev", site=site)
    edge = result.one("pulumi:providers:aws", "aws-us-east-1")
    certificate = result.one("aws:acm/certificate:Certificate", "site-cert")
    assert certificate.provider == f"{edge.urn}::{edge.id}"
    assert certificate.inputs["subjectAlternativeNames"] == ["www.example.com"]
    distribution = result.one("aws:cloudfront/distribution:Distribution").inputs
    assert distribution["aliases"] == ["example.com", "www.example.com"]
    assert distribution["viewerCertificate"]["sslSupportMethod"] == "sni-only"
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    aliases = {(r.inputs["name"], r.inputs["type"]) for r in result.by_type("aws:route53/record:Record")
               if "aliases" in r.inputs}  # fmt: skip
    assert aliases == {("example.com", "A"), ("example.com", "AAAA"),
                       ("www.example.com", "A"), ("www.example.com", "AAAA")}  # fmt: skip
    assert result.outputs["siteUrl"] == "https://example.com"


def test_a_build_dir_is_uploaded_into_the_site_bucket(tmp_path: Path) -> None:
    site = stack_section("dev", "site")
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "assets" / "app.1a2b.js").write_text("console.log(1)")
    result = plan("dev", site={**site, "buildDir": str(tmp_path)})
    objects = {r.inputs["key"]: r.inputs for r in result.by_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    bucket = result.outputs["siteBucketName"]
    assert {key: (o["bucket"], o["cacheControl"]) for key, o in objects.items()} == {
        "index.html": (bucket, "no-cache"),
        "assets/app.1a2b.js": (bucket, "public, max-age=31536000, immutable"),
    }
    invalidation = result.one("pulumi-python:dynamic:Resource", "site-invalidation").inputs
    assert invalidation["distributionId"] == "mock-site-cdn"
    assert result.outputs["siteContentHash"] == invalidation["contentHash"]


def test_without_a_build_dir_nothing_is_uploaded(dev: PlanResult) -> None:
    assert dev.by_type("aws:s3/bucketObjectv2:BucketObjectv2") == []
    assert "siteContentHash" not in dev.outputs


def test_alarms_cover_every_part_the_stack_has(dev: PlanResult, prod: PlanResult) -> None:
    def alarms(result: PlanResult) -> set[str]:
        return {r.name for r in result.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")}

    common = {
        "ops-alb-elb-5xx", "ops-alb-target-5xx", "ops-alb-latency-p95", "ops-alb-unhealthy-hosts",
        "ops-api-cpu", "ops-api-memory", "ops-db-cpu", "ops-db-connections", "ops-cdn-5xx-rate",
    }  # fmt: skip
    # Dev's API scales to zero at night, so a running-task alarm would fire every evening. Its
    # Aurora Serverless v2 database is watched on ACU use instead of instance memory and storage;
    # its cache is a sidecar (no ElastiCache alarms); it has no worker. The NAT instance has its own
    # recovery alarms (tests/test_nat_instance.py).
    assert alarms(dev) == common | {"ops-db-acu", "net-nat-1-recover", "net-nat-1-reboot"}
    # Prod deploys blue/green: the alternate target group has its own unhealthy-host alarm.
    assert alarms(prod) == common | {
        "ops-alb-unhealthy-hosts-alternate",
        "ops-api-running-tasks", "ops-db-free-storage", "ops-db-freeable-memory",
        "ops-worker-celery-cpu", "ops-worker-celery-memory", "ops-worker-celery-running-tasks",
        "ops-cache-1-engine-cpu", "ops-cache-1-memory", "ops-cache-1-evictions",
        "ops-cache-2-engine-cpu", "ops-cache-2-memory", "ops-cache-2-evictions",
    }  # fmt: skip
    for result in (dev, prod):
        topic = result.one("aws:sns/topic:Topic")
        for alarm in result.by_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
            if alarm.name.startswith("net-nat-"):
                # EC2 recover/reboot actions, not notifications.
                assert alarm.inputs["alarmActions"][0].startswith("arn:aws:automate:us-east-1:ec2:")
                continue
            assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] != []
            assert topic.urn in alarm.dependencies


def test_a_one_node_elasticache_and_a_worker_in_dev_get_their_alarms() -> None:
    result = plan("dev", cache=dev_elasticache(), workers=dev_celery_worker())
    names = {r.name for r in result.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert {n for n in names if n.startswith(("ops-cache", "ops-worker"))} == {
        "ops-cache-1-engine-cpu", "ops-cache-1-memory", "ops-cache-1-evictions",
        "ops-worker-celery-cpu", "ops-worker-celery-memory",
    }  # fmt: skip


def test_a_sidecar_cache_has_no_cache_alarms() -> None:
    result = plan("dev", workers={}, cache={"mode": "sidecar"})
    names = {r.name for r in result.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert not any(name.startswith("ops-cache") for name in names)


def test_the_audit_trail_is_off_unless_enabled(dev: PlanResult) -> None:
    assert dev.by_type("aws:cloudtrail/trail:Trail") == []
    result = plan("prod", auditTrail={"enabled": True})
    trail = result.one("aws:cloudtrail/trail:Trail").inputs
    assert trail["isMultiRegionTrail"] is True
    assert trail["enableLogFileValidation"] is True
    assert result.one("aws:s3/bucket:Bucket", "audit-bucket").protect is True
