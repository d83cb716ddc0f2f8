"""Stack profiles and derived defaults: what a key is when the stack file does not say.

``webapp:profile: dev`` (the default) is the cheapest setup that still passes every mandatory
policy; ``prod`` is highly available, protected, logged and retained. A stack file holds only
what differs from its profile. The pack config follows the profile too
(``policies/config/<profile>.json``).

Two kinds of default are filled in here, before pydantic validates the stack config, so a key's
value never depends on the stack's name:

- profile defaults: ``PROFILE_DEFAULTS`` per section, plus the ones that only make sense for a
  choice the stack made (an Aurora database gets no instance class, a Spot service no on-demand
  base, a disabled site no access logs, a prod site with a domain HTTPS to its origin);
- derived defaults: a key left out follows the key it depends on (``desiredCount`` from
  ``minCount``, ``memory`` from ``cpu``, ``maxAllocatedStorage`` from ``allocatedStorage``, the
  migration task's size from the API's, ...), in every profile.

A key the stack sets always wins. Python code that builds an args model directly (tests, other
programs) gets the model's own field defaults.

Example::

    data = apply_profile({"profile": "prod", "service": {"minCount": 3}})
    data["service"]["desiredCount"]   # 3
    data["database"]["multiAz"]       # True
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from .compute.container_service_args import ContainerServiceArgs
from .compute.fargate_task_size import FARGATE_MEMORY
from .core._model import ConfigEnum
from .data.database_args import AURORA_ONLY_KEYS, INSTANCE_ONLY_KEYS


class Profile(ConfigEnum):
    """Which defaults a stack starts from; ``pulumi config set profile prod``."""

    DEV = "dev"
    """Cheapest: Fargate Spot, one NAT instance, a database that pauses when idle, no WAF."""
    PROD = "prod"
    """Highly available and protected: two on-demand API tasks, a NAT per AZ, Multi-AZ, WAF, protect."""


# Static defaults per profile, spelled as in the stack files; the stack's own keys are merged over
# them. Keys that depend on another choice are filled by the functions below instead. Prod keeps
# every log group at least 365 days (CloudWatch.16's default minimum; the migration task's logs
# follow the API's).
PROFILE_DEFAULTS: dict[Profile, dict[str, Any]] = {
    Profile.DEV: {
        # A t4g.nano NAT instance (~$3/month) instead of a NAT gateway (~$33/month).
        "network": {"natType": "instance"},
        # A destroyed dev stack frees its secret names at once, so it can be re-created the same day.
        "secrets": {"recoveryWindowDays": 0},
    },
    Profile.PROD: {
        # Pulumi `protect` on every stateful resource (keys, secrets, repository, data, log buckets).
        "protect": True,
        "network": {"natStrategy": "onePerAz", "natType": "gateway", "flowLogs": {"retentionDays": 365}},
        "image": {"keepLastImages": 50},
        "secrets": {"recoveryWindowDays": 30},
        "loadBalancer": {"deletionProtection": True, "accessLogs": {"enabled": True, "retentionDays": 365}},
        "database": {"backupRetentionDays": 14, "logRetentionDays": 365, "deletionProtection": True},
        "uploads": {
            "noncurrentVersionExpirationDays": 90,
            "accessLogs": {"enabled": True, "retentionDays": 365},
        },
        "waf": {"enabled": True, "logRetentionDays": 365},
        # Every log group under a stack KMS key (one per region holding log groups, $1/month each).
        "monitoring": {"budget": {"monthlyLimitUsd": 500}, "logEncryption": True},
        "cluster": {"execLogRetentionDays": 365},
        "auditTrail": {"logRetentionDays": 365, "bucketRetentionDays": 2557},
        # Traces of 5% of requests, Application Signals' metrics of all (docs/decisions/0019).
        "tracing": {"enabled": True, "sampling": 0.05},
    },
}

# `ephemeral: true` (pull request previews): these win over the profile's, a stack's own keys win
# over these, and a key the stack sets otherwise is refused (`destroy_blockers`).
EPHEMERAL_DEFAULTS: dict[str, Any] = {
    "protect": False,
    "secrets": {"recoveryWindowDays": 0},
    "loadBalancer": {"deletionProtection": False},
    "database": {"deletionProtection": False},
    "cache": {"recoveryWindowDays": 0},
}
DESTROY_BLOCKED = "blocks or delays `pulumi destroy`, and ephemeral is true: leave it out"


def destroy_blockers(
    model: BaseModel, defaults: Mapping[str, Any] = EPHEMERAL_DEFAULTS, prefix: str = ""
) -> list[tuple[str, Any]]:
    """The keys of ``EPHEMERAL_DEFAULTS`` (or its section ``defaults``) that ``model`` has otherwise.

    Each as ``(key, value)`` with the key's full camelCase path, in the table's order: what an
    ephemeral stack (or a hosted part) must refuse, since it would block or delay a destroy.

    Example::

        destroy_blockers(stack_config)   # [("database.deletionProtection", True)]
    """
    found: list[tuple[str, Any]] = []
    for key, default in defaults.items():
        value = getattr(model, to_snake(key))
        if isinstance(default, Mapping):
            found += destroy_blockers(value, default, f"{prefix}{key}.")
        elif value != default:
            found.append((f"{prefix}{key}", value))
    return found


# Only for an enabled site: a disabled one refuses site-only keys.
_PROD_SITE = {
    "htmlTtlSeconds": 300,
    "noncurrentVersionExpirationDays": 90,
    "accessLogs": {"enabled": True, "retentionDays": 365},
}
# The API in prod: two on-demand tasks in two AZs at all times, growth on Spot, scaling on requests.
_PROD_API = {
    "cpu": 512,
    "logRetentionDays": 365,
    "minCount": 2,
    "maxCount": 10,
    "autoscaling": {"requestsPerTarget": 1000},
    # A full second set of tasks takes traffic all at once and the old set waits out the bake time:
    # a bad release rolls back by moving traffic, not by starting tasks. Workers stay rolling (no
    # load balancer to shift).
    "deployment": {"strategy": "blueGreen"},
}
_PROD_WORKER = {"cpu": 512, "logRetentionDays": 365, "minCount": 2, "maxCount": 6}
_PROD_CACHE = {"logRetentionDays": 365, "recoveryWindowDays": 30}
_PROD_ELASTICACHE = {"nodeCount": 2, "snapshotRetentionDays": 7}
_PROD_RDS_INSTANCE = {
    "instanceClass": "db.t4g.small",
    "allocatedStorage": 50,
    "multiAz": True,
    "enhancedMonitoringSeconds": 60,
}
# Aurora's high availability is a reader in another AZ.
_PROD_AURORA = {"readReplicas": 1, "enhancedMonitoringSeconds": 60}
# Dev's database pauses at 0 ACU after 10 idle minutes: storage is all it costs while unused.
_DEV_AURORA = {"minCapacity": 0, "secondsUntilAutoPause": 600}

# RDS storage autoscaling may grow the disk to ten times what it starts with.
_STORAGE_GROWTH = 10
_MAX_STORAGE_GIB = 65536
_MODEL_MAX_COUNT: int = ContainerServiceArgs.model_fields["max_count"].default


def apply_profile(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (a stack's ``<project>:*`` keys) with its profile's and the derived defaults filled in.

    Values that are not mappings where a section belongs are left alone: validation reports them.
    """
    out = {_top_level_alias(key): value for key, value in data.items()}
    profile = _profile(out.get("profile", Profile.DEV.value))
    defaults = PROFILE_DEFAULTS[profile] if profile is not None else {}
    if _true(out.get("ephemeral")):
        defaults = _merge(defaults, EPHEMERAL_DEFAULTS)
    out = _merge(defaults, out)
    workers = out.get("workers")
    has_workers = isinstance(workers, Mapping) and len(workers) > 0
    _section(out, "site", lambda site: _site(site, profile))
    _section(out, "service", lambda service: _service(service, profile, worker=False))
    if isinstance(workers, Mapping):
        out["workers"] = {
            name: _service(dict(worker), profile, worker=True) if isinstance(worker, Mapping) else worker
            for name, worker in workers.items()
        }
    _section(out, "database", lambda db: _database(db, profile))
    _section(out, "cache", lambda cache: _cache(cache, profile, has_workers))
    if isinstance(out.get("migration"), Mapping) and isinstance(out.get("service"), Mapping):
        out["migration"] = _migration(dict(out["migration"]), out["service"])
    return out


def _profile(value: Any) -> Profile | None:
    try:
        return Profile(value)
    except ValueError:
        return None  # StackConfig reports the bad value; apply only the derived defaults


def _section(out: dict[str, Any], key: str, fill: Any) -> None:
    value = out.get(key, {})
    if isinstance(value, Mapping):
        out[key] = fill(dict(value))


def _site(site: dict[str, Any], profile: Profile | None) -> dict[str, Any]:
    if profile is Profile.PROD and _get(site, "enabled", True) is not False:
        site = _merge(_PROD_SITE, site)
        # A custom domain gives the origin a name to hold a certificate, so prod encrypts the hop
        # from CloudFront to the ALB too; without one, originTls would be refused.
        if isinstance(site.get("domain"), Mapping) and "originTls" not in site:
            site["originTls"] = True
    return site


def _service(service: dict[str, Any], profile: Profile | None, *, worker: bool) -> dict[str, Any]:
    given = dict(service)
    if profile is Profile.PROD:
        service = _merge(_PROD_WORKER if worker else _PROD_API, service)
    if worker and not _has(service, "port"):
        # Workers sit behind no load balancer; their container health check then needs a command.
        service["port"] = None
        if not _has(service, "healthCheck"):
            service["healthCheck"] = {"enabled": False}
    _fargate_memory(service)
    min_count = _int(_get(service, "minCount"))
    if min_count is not None:
        _default(service, "desiredCount", min_count)
        if _has(given, "minCount") and not _has(given, "maxCount"):
            # Room to scale out from the floor the stack chose, never less than the profile's.
            profile_max = _int(_get(service, "maxCount")) or _MODEL_MAX_COUNT
            service["maxCount"] = max(profile_max, min_count * 2)
    capacity = _get(service, "capacity", {})
    if profile is Profile.PROD and isinstance(capacity, Mapping):
        capacity = dict(capacity)
        _default(capacity, "strategy", "mixed")
        if _get(capacity, "strategy") in ("mixed", "onDemand"):
            # The API's floor never runs on Spot; for workers half the floor does not, so one Spot
            # reclaim cannot stop every worker.
            floor = min_count or 1
            _default(capacity, "onDemandBase", (floor + 1) // 2 if worker else floor)
        service["capacity"] = capacity
    return service


def _fargate_memory(task: dict[str, Any]) -> None:
    cpu = _int(_get(task, "cpu"))
    if cpu in FARGATE_MEMORY and not _has(task, "memory"):
        # The smallest memory Fargate pairs with that cpu (256 -> 512 MiB, 1024 -> 2048 MiB).
        task["memory"] = FARGATE_MEMORY[cpu][0]


def _migration(migration: dict[str, Any], service: Mapping[str, Any]) -> dict[str, Any]:
    # The migration runs the API's image and code: the API's size is known to fit it.
    cpu, memory = _int(_get(service, "cpu")), _int(_get(service, "memory"))
    fits = cpu in FARGATE_MEMORY and memory in FARGATE_MEMORY[cpu]
    if fits and not _has(migration, "cpu") and not _has(migration, "memory"):
        migration.update(cpu=cpu, memory=memory)
    _fargate_memory(migration)
    return migration


def _database(db: dict[str, Any], profile: Profile | None) -> dict[str, Any]:
    # A stack that sets an instance-only key (instanceClass...) means an RDS instance, one that sets
    # an Aurora-only key (maxCapacity...) means Aurora; otherwise the profile chooses.
    if any(_has(db, key) for key in INSTANCE_ONLY_KEYS.values()):
        _default(db, "engineMode", "instance")
    elif any(_has(db, key) for key in AURORA_ONLY_KEYS.values()):
        _default(db, "engineMode", "aurora-serverless-v2")
    _default(db, "engineMode", "aurora-serverless-v2" if profile is Profile.DEV else "instance")
    aurora = _get(db, "engineMode") == "aurora-serverless-v2"
    if aurora and profile is Profile.DEV and not _has(db, "minCapacity"):
        db = _merge(_DEV_AURORA, db)
    if profile is Profile.PROD:
        db = _merge(_PROD_AURORA if aurora else _PROD_RDS_INSTANCE, db)
    storage = _int(_get(db, "allocatedStorage"))
    if not aurora and storage is not None:
        _default(db, "maxAllocatedStorage", min(max(storage * _STORAGE_GROWTH, 100), _MAX_STORAGE_GIB))
    return db


def _cache(cache: dict[str, Any], profile: Profile | None, has_workers: bool) -> dict[str, Any]:
    # Dev's cache is a free container inside each API task, which workers cannot reach.
    sidecar_fits = profile is Profile.DEV and not has_workers
    _default(cache, "mode", "sidecar" if sidecar_fits else "elasticache")
    if _get(cache, "mode") != "elasticache":
        return cache
    if profile is Profile.PROD:
        cache = _merge({**_PROD_CACHE, **_PROD_ELASTICACHE}, cache)
    node_count = _int(_get(cache, "nodeCount"))
    if node_count is not None and profile is Profile.PROD:
        # A replica in another AZ takes over on failure; one node has nothing to fail over to.
        _default(cache, "automaticFailover", node_count >= 2)
        _default(cache, "multiAz", _get(cache, "automaticFailover") is True)
    if has_workers:
        # Workers keep their queues in the cache (Celery, Sidekiq, RQ) as keys without a TTL, which
        # volatile-lru never evicts.
        _default(cache, "maxmemoryPolicy", "volatile-lru")
    return cache


# --- dict helpers: keys as the stack files spell them (camelCase), or their snake_case names ---


def _has(data: Mapping[str, Any], key: str) -> bool:
    return key in data or to_snake(key) in data


def _get(data: Mapping[str, Any], key: str, default: Any = None) -> Any:
    if key in data:
        return data[key]
    return data.get(to_snake(key), default)


def _default(data: dict[str, Any], key: str, value: Any) -> None:
    if not _has(data, key):
        data[key] = value


def _merge(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` over ``defaults``: mappings merge key by key, anything else in ``given`` wins."""
    out = dict(given)
    for key, default in defaults.items():
        present = key if key in given else to_snake(key) if to_snake(key) in given else None
        if present is None:
            out[key] = _merge(default, {}) if isinstance(default, Mapping) else default
        elif isinstance(default, Mapping) and isinstance(given[present], Mapping):
            out[present] = _merge(default, given[present])
    return out


def _true(value: Any) -> bool:
    # Config values may arrive as the CLI's text ("true"); pydantic later accepts both spellings.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# StackConfig accepts its snake_case field names too; the defaults above are keyed in camelCase.
_TOP_LEVEL_ALIASES = {
    "load_balancer": "loadBalancer",
    "audit_trail": "auditTrail",
    "policy_pack_config": "policyPackConfig",
}


def _top_level_alias(key: str) -> str:
    return _TOP_LEVEL_ALIASES.get(key, key)
