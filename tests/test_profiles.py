"""Profiles and derived defaults: what a key is when the stack file does not say it."""

from typing import Any

import pytest

from components import ConfigError, validate_config
from stack_config import StackConfig
from tests.harness import PROJECT, effective_config, plan

IMAGE = {"tag": "abc123"}


def effective(**keys: Any) -> dict[str, Any]:
    """The validated config for a stack file holding only ``keys`` (plus an image)."""
    config = validate_config(StackConfig, {"image": IMAGE, **keys}, f"{PROJECT}:")
    return config.model_dump(by_alias=True, mode="json")


def problems(**keys: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(StackConfig, {"image": IMAGE, **keys}, f"{PROJECT}:")
    return caught.value.problems


def test_profile_defaults_to_dev() -> None:
    assert effective()["profile"] == "dev"


def test_a_profile_that_does_not_exist_is_one_line() -> None:
    assert problems(profile="staging") == ["webapp:profile = \"staging\": must be 'dev' or 'prod'"]


def test_dev_profile_is_the_cheapest_secure_setup() -> None:
    dev = effective()
    assert dev["network"]["natType"] == "instance"
    assert dev["network"]["natStrategy"] == "single"
    assert dev["database"]["engineMode"] == "aurora-serverless-v2"
    assert (dev["database"]["minCapacity"], dev["database"]["secondsUntilAutoPause"]) == (0, 600)
    assert dev["cache"]["mode"] == "sidecar"
    assert dev["service"]["capacity"]["strategy"] == "spot"
    assert (dev["service"]["cpu"], dev["service"]["memory"]) == (256, 512)
    assert dev["secrets"]["recoveryWindowDays"] == 0
    assert dev["waf"]["enabled"] is False
    assert dev["protect"] is False
    assert dev["monitoring"]["budget"]["monthlyLimitUsd"] == 50


def test_prod_profile_is_highly_available_protected_logged_and_retained() -> None:
    prod = effective(profile="prod")
    assert prod["protect"] is True
    assert (prod["network"]["natStrategy"], prod["network"]["natType"]) == ("onePerAz", "gateway")
    assert prod["network"]["flowLogs"]["retentionDays"] == 365
    database = prod["database"]
    assert (database["engineMode"], database["instanceClass"], database["multiAz"]) == (
        "instance",
        "db.t4g.small",
        True,
    )
    assert (database["allocatedStorage"], database["maxAllocatedStorage"]) == (50, 500)
    assert (database["deletionProtection"], database["enhancedMonitoringSeconds"]) == (True, 60)
    assert database["backupRetentionDays"] == 14
    cache = prod["cache"]
    assert (cache["mode"], cache["nodeCount"], cache["automaticFailover"], cache["multiAz"]) == (
        "elasticache",
        2,
        True,
        True,
    )
    service = prod["service"]
    assert (service["cpu"], service["memory"], service["minCount"], service["desiredCount"]) == (
        512,
        1024,
        2,
        2,
    )
    assert service["capacity"] == {
        "strategy": "mixed",
        "onDemandBase": 2,
        "onDemandWeight": 1,
        "spotWeight": 3,
    }
    assert service["autoscaling"]["requestsPerTarget"] == 1000
    assert prod["loadBalancer"]["deletionProtection"] is True
    assert prod["loadBalancer"]["accessLogs"] == {"enabled": True, "retentionDays": 365}
    assert prod["site"]["accessLogs"] == {"enabled": True, "retentionDays": 365}
    assert prod["uploads"]["accessLogs"] == {"enabled": True, "retentionDays": 365}
    assert prod["waf"]["enabled"] is True
    assert prod["secrets"]["recoveryWindowDays"] == 30
    assert prod["monitoring"]["budget"]["monthlyLimitUsd"] == 500


def test_the_stack_file_wins_over_its_profile() -> None:
    prod = effective(
        profile="prod",
        database={"multiAz": False, "instanceClass": "db.m7g.large"},
        loadBalancer={"accessLogs": {"retentionDays": 90}},
        waf={"enabled": False},
    )
    assert (prod["database"]["multiAz"], prod["database"]["instanceClass"]) == (False, "db.m7g.large")
    # A nested object merges key by key: the profile's enabled stays, the file's retention wins.
    assert prod["loadBalancer"]["accessLogs"] == {"enabled": True, "retentionDays": 90}
    assert prod["waf"]["enabled"] is False


def test_committed_stack_files_hold_only_what_differs_from_their_profile() -> None:
    # Everything else in the two stacks comes from the profiles above.
    assert effective_config("dev") == effective(
        profile="dev",
        tags={"environment": "dev", "cost-center": "engineering"},
        image={"tag": "bootstrap"},
        secrets={"values": {"SECRET_KEY": {"generate": {"length": 50}}}},
        service={
            "environment": {"APP_ENV": "dev"},
            "autoscaling": {
                "schedules": [
                    {
                        "name": "evening-off",
                        "schedule": "cron(0 20 ? * MON-FRI *)",
                        "minCount": 0,
                        "maxCount": 0,
                    },
                    {
                        "name": "morning-on",
                        "schedule": "cron(0 7 ? * MON-FRI *)",
                        "minCount": 1,
                        "maxCount": 2,
                    },
                ]
            },
        },
        migration={"command": ["alembic", "upgrade", "head"]},
    )


# --- derived defaults: a key left out follows the key it depends on ---------------------------------


def test_min_count_alone_raises_desired_and_max_count() -> None:
    service = effective(service={"minCount": 2})["service"]
    assert (service["minCount"], service["desiredCount"], service["maxCount"]) == (2, 2, 4)
    # The profile's maxCount stays when it already leaves room above the floor.
    prod = effective(profile="prod", service={"minCount": 3})["service"]
    assert (prod["desiredCount"], prod["maxCount"], prod["capacity"]["onDemandBase"]) == (3, 10, 3)


def test_an_explicit_max_count_is_kept_and_checked() -> None:
    assert problems(service={"minCount": 3, "maxCount": 2}) == [
        "webapp:service.minCount = 3: must not exceed maxCount (2)"
    ]


def test_allocated_storage_alone_raises_the_storage_autoscaling_limit() -> None:
    database = effective(database={"engineMode": "instance", "allocatedStorage": 100})["database"]
    assert (database["allocatedStorage"], database["maxAllocatedStorage"]) == (100, 1000)


def test_an_instance_only_key_means_an_instance_in_dev() -> None:
    database = effective(database={"instanceClass": "db.t4g.small"})["database"]
    assert (database["engineMode"], database["instanceClass"]) == ("instance", "db.t4g.small")
    # Aurora's keys from the dev profile are not forced onto an instance.
    assert database["secondsUntilAutoPause"] is None


def test_an_aurora_only_key_means_aurora_in_prod() -> None:
    database = effective(profile="prod", database={"maxCapacity": 8})["database"]
    assert (database["engineMode"], database["maxCapacity"], database["readReplicas"]) == (
        "aurora-serverless-v2",
        8,
        1,
    )
    assert database["multiAz"] is False  # an instance-only key, never given to Aurora


def test_memory_follows_cpu() -> None:
    service = effective(service={"cpu": 1024})["service"]
    assert (service["cpu"], service["memory"]) == (1024, 2048)
    assert effective(service={"cpu": 4096})["service"]["memory"] == 8192


def test_the_migration_task_is_the_apis_size_unless_told() -> None:
    sized = effective(service={"cpu": 1024, "memory": 4096}, migration={"command": ["migrate"]})
    assert (sized["migration"]["cpu"], sized["migration"]["memory"]) == (1024, 4096)
    own = effective(service={"cpu": 1024}, migration={"command": ["migrate"], "cpu": 256})
    assert (own["migration"]["cpu"], own["migration"]["memory"]) == (256, 512)


def test_workers_get_no_port_and_no_port_health_check() -> None:
    worker = effective(workers={"sidekiq": {"command": ["bundle", "exec", "sidekiq"]}})["workers"]["sidekiq"]
    assert worker["port"] is None
    assert worker["healthCheck"]["enabled"] is False


def test_prod_workers_keep_half_their_floor_on_demand() -> None:
    worker = effective(profile="prod", workers={"beat": {"command": ["celery", "beat"]}})["workers"]["beat"]
    assert (worker["minCount"], worker["maxCount"], worker["cpu"], worker["memory"]) == (2, 6, 512, 1024)
    assert worker["capacity"]["strategy"] == "mixed"
    assert worker["capacity"]["onDemandBase"] == 1


def test_a_spot_service_in_prod_gets_no_on_demand_base() -> None:
    service = effective(profile="prod", service={"capacity": {"strategy": "spot"}})["service"]
    assert service["capacity"]["onDemandBase"] == 0


def test_workers_move_dev_cache_to_elasticache_that_keeps_their_queues() -> None:
    cache = effective(workers={"celery": {"command": ["celery", "worker"]}})["cache"]
    assert (cache["mode"], cache["maxmemoryPolicy"]) == ("elasticache", "volatile-lru")
    assert effective()["cache"]["maxmemoryPolicy"] == "allkeys-lru"


def test_one_cache_node_in_prod_has_no_failover_to_claim() -> None:
    cache = effective(profile="prod", cache={"nodeCount": 1})["cache"]
    assert (cache["nodeCount"], cache["automaticFailover"], cache["multiAz"]) == (1, False, False)


def test_a_prod_stack_from_scratch_plans_highly_available() -> None:
    result = plan(
        "prod",
        profile="prod",
        network=None,
        service=None,
        workers=None,
        migration=None,
        monitoring={"emails": ["ops@example.com"]},
    )
    db = result.one("aws:rds/instance:Instance")
    assert (db.inputs["multiAz"], db.inputs["deletionProtection"], db.protect) == (True, True, True)
    group = result.one("aws:elasticache/replicationGroup:ReplicationGroup")
    assert (group.inputs["numCacheClusters"], group.inputs["automaticFailoverEnabled"]) == (2, True)
    assert len(result.by_type("aws:wafv2/webAcl:WebAcl")) == 1


def test_prod_keeps_every_log_group_a_year_under_a_stack_key() -> None:
    prod = effective(
        profile="prod", workers={"celery": {"command": ["celery"]}}, cache={"mode": "elasticache"}
    )
    assert prod["monitoring"]["logEncryption"] is True
    assert {
        "service": prod["service"]["logRetentionDays"],
        "worker": prod["workers"]["celery"]["logRetentionDays"],
        "database": prod["database"]["logRetentionDays"],
        "cache": prod["cache"]["logRetentionDays"],
        "waf": prod["waf"]["logRetentionDays"],
        "flowLogs": prod["network"]["flowLogs"]["retentionDays"],
        "siteAccessLogs": prod["site"]["accessLogs"]["retentionDays"],
        "auditTrail": prod["auditTrail"]["logRetentionDays"],
        "ecsExec": prod["cluster"]["execLogRetentionDays"],
    } == dict.fromkeys(
        [
            "service",
            "worker",
            "database",
            "cache",
            "waf",
            "flowLogs",
            "siteAccessLogs",
            "auditTrail",
            "ecsExec",
        ],
        365,
    )
    dev = effective()
    assert dev["monitoring"]["logEncryption"] is False
