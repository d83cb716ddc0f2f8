"""Config model for the Cache component (stack config key ``<project>:cache``)."""

import re
from typing import Annotated

from pydantic import field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.image_reference import IMAGE_REFERENCE
from ..core.log_retention import RetentionDays
from ..core.secret_recovery import RecoveryWindowDays

# The Redis protocol port, for ElastiCache and the sidecar alike.
PORT = 6379


class CacheMode(ConfigEnum):
    """Where the cache runs."""

    ELASTICACHE = "elasticache"
    """A managed, encrypted replication group in the isolated subnets, shared by every task."""
    SIDECAR = "sidecar"
    """A container inside each app task, for dev only: its data is per task and lost on restart."""
    NONE = "none"
    """The app uses no cache; the program creates no Cache component at all."""


class CacheEngine(ConfigEnum):
    """The engine ElastiCache runs."""

    VALKEY = "valkey"
    """Valkey, the open-source fork of Redis: cheaper per node."""
    REDIS = "redis"
    """Redis OSS."""


class MaxmemoryPolicy(ConfigEnum):
    """What the engine evicts when memory is full (``maxmemory-policy``, spelled as the engine does)."""

    VOLATILE_LRU = "volatile-lru"
    """The least recently used key among those with an expiry."""
    ALLKEYS_LRU = "allkeys-lru"
    """The least recently used key of all."""
    VOLATILE_LFU = "volatile-lfu"
    """The least frequently used key among those with an expiry."""
    ALLKEYS_LFU = "allkeys-lfu"
    """The least frequently used key of all."""
    VOLATILE_RANDOM = "volatile-random"
    """A random key among those with an expiry."""
    ALLKEYS_RANDOM = "allkeys-random"
    """A random key of all."""
    VOLATILE_TTL = "volatile-ttl"
    """The key with an expiry that is closest to expiring."""
    NOEVICTION = "noeviction"
    """Nothing: writes fail once memory is full."""


# The versions ElastiCache offers per engine and the parameter group family each one needs.
# Valkey 8.1 and 8.2 keep the valkey8 family (ElastiCache engine-specific parameters guide).
ENGINE_VERSIONS: dict[CacheEngine, dict[str, str]] = {
    CacheEngine.VALKEY: {"7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8", "8.2": "valkey8"},
    CacheEngine.REDIS: {"6.2": "redis6.x", "7.0": "redis7", "7.1": "redis7"},
}
DEFAULT_ENGINE_VERSION = {CacheEngine.VALKEY: "8.0", CacheEngine.REDIS: "7.1"}

# Burstable families come in small sizes only, the general-purpose and memory ones from large up.
_BURSTABLE = ("t4g", "t3")
_STANDARD = ("m6g", "m7g", "r6g", "r7g")
_NODE_TYPE = re.compile(
    rf"^cache\.(?:(?:{'|'.join(_BURSTABLE)})\.(?:micro|small|medium)"
    rf"|(?:{'|'.join(_STANDARD)})\.(?:large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge))$"
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_SNAPSHOT_WINDOW = re.compile(rf"^{_TIME}-{_TIME}$")
_MAINTENANCE_WINDOW = re.compile(rf"^({'|'.join(_DAYS)}):{_TIME}-({'|'.join(_DAYS)}):{_TIME}$")
_DAY, _WEEK = 24 * 60, 7 * 24 * 60


class CacheArgs(ConfigModel):
    """Everything the Cache component needs; profiles fill more defaults.

    Dev: one ``cache.t4g.micro`` Valkey node, no failover, snapshots kept 1 day. Prod: two or
    more nodes with ``automaticFailover`` and ``multiAz``, snapshots kept 7 days.

    ``mode: sidecar`` runs the engine as a container in every app task instead: no AWS
    resources and no cost, but its data is lost on every task restart and deploy, each task has
    its own (nothing is shared between tasks), and workers in other tasks cannot reach it. Use
    it for dev only. ``sidecarImage``/``sidecarMemoryMb`` apply to that mode only,
    ``maxmemoryPolicy`` to both, and the other keys to ``elasticache`` only.

    ``mode: none`` is for an app without Redis: no cache resources, no ``REDIS_*`` variables, no
    cache alarms and no ``cacheEndpoint`` output. The other keys are still validated but unused
    (as the ``elasticache`` keys are in ``sidecar`` mode), so switching modes is a one-key change.

    Example::

        CacheArgs(node_type="cache.m7g.large", node_count=2, automatic_failover=True,
                  multi_az=True, snapshot_retention_days=7)
        CacheArgs(mode=CacheMode.SIDECAR)
        CacheArgs(mode=CacheMode.NONE)
    """

    mode: CacheMode = CacheMode.ELASTICACHE
    """Where the cache runs: ElastiCache, a sidecar container in each API task, or nowhere."""
    engine: CacheEngine = CacheEngine.VALKEY
    """Valkey or Redis OSS, in ElastiCache (the sidecar runs whatever sidecarImage holds)."""
    engine_version: str | None = None
    """An engine version ElastiCache offers, e.g. ``"8.0"``; null: the engine's default (see ``version``)."""
    node_type: Annotated[str, InSchema(pattern=_NODE_TYPE.pattern)] = "cache.t4g.micro"
    """ElastiCache node type ``cache.<family>.<size>`` (t4g/t3 small sizes, m6g-r7g from large)."""
    node_count: Annotated[int, InSchema(minimum=1, maximum=6)] = 1
    """Nodes in the replication group: a primary and up to 5 replicas."""
    automatic_failover: bool = False
    """Promote a replica when the primary fails (needs nodeCount 2 or more)."""
    multi_az: bool = False
    """Place replicas in other AZs than the primary (needs automaticFailover)."""
    maxmemory_policy: MaxmemoryPolicy = MaxmemoryPolicy.ALLKEYS_LRU
    """What the engine evicts when memory is full, in ElastiCache and the sidecar alike."""
    snapshot_retention_days: Annotated[int, InSchema(minimum=0, maximum=35)] = 1
    """Days daily snapshots are kept; 0 takes none."""
    snapshot_window: Annotated[str, InSchema(pattern=_SNAPSHOT_WINDOW.pattern)] = "03:00-04:00"
    """Daily UTC window ``hh:mm-hh:mm`` (60 minutes or more) for snapshots, apart from maintenance."""
    maintenance_window: Annotated[str, InSchema(pattern=_MAINTENANCE_WINDOW.pattern)] = "sun:05:00-sun:06:00"
    """Weekly UTC window ``ddd:hh:mm-ddd:hh:mm`` (60 minutes or more) for patches."""
    log_retention_days: RetentionDays = 7
    """Days CloudWatch Logs keeps the engine and slow logs."""
    recovery_window_days: RecoveryWindowDays = 7
    """Days the deleted AUTH token secret can still be restored; 0 deletes it at once."""
    sidecar_image: str = "public.ecr.aws/docker/library/valkey:8.1-alpine"
    """The official valkey or redis image from a public registry, pinned to a version; mode sidecar."""
    sidecar_memory_mb: Annotated[int, InSchema(minimum=32, maximum=1024)] = 64
    """MiB of the API task's memory reserved for the sidecar; mode sidecar."""

    @property
    def version(self) -> str:
        """The engine version to deploy: ``engineVersion`` or the engine's default."""
        return self.engine_version or DEFAULT_ENGINE_VERSION[self.engine]

    @property
    def parameter_group_family(self) -> str:
        return ENGINE_VERSIONS[self.engine][self.version]

    @field_validator("node_type")
    @classmethod
    def _node_type(cls, value: str) -> str:
        if not _NODE_TYPE.match(value):
            raise ValueError(
                "must be cache.<family>.<size>: family t4g or t3 with size micro, small or medium, or "
                "family m6g, m7g, r6g or r7g with size large, xlarge, 2xlarge, 4xlarge, 8xlarge, "
                "12xlarge or 16xlarge, such as cache.t4g.micro"
            )
        return value

    @field_validator("node_count")
    @classmethod
    def _node_count(cls, value: int) -> int:
        if not 1 <= value <= 6:
            raise ValueError("must be from 1 to 6 (a primary and up to 5 replicas)")
        return value

    @field_validator("snapshot_retention_days")
    @classmethod
    def _snapshot_retention(cls, value: int) -> int:
        if not 0 <= value <= 35:
            raise ValueError("must be from 0 (no snapshots) to 35 days")
        return value

    @field_validator("sidecar_memory_mb")
    @classmethod
    def _sidecar_memory(cls, value: int) -> int:
        if not 32 <= value <= 1024:
            raise ValueError("must be from 32 to 1024 (MiB)")
        return value

    @field_validator("snapshot_window")
    @classmethod
    def _snapshot_window(cls, value: str) -> str:
        if _window_minutes(value) is None:
            raise ValueError(
                'must be "hh:mm-hh:mm" in UTC and at least 60 minutes long, such as "03:00-04:00"'
            )
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, value: str) -> str:
        if _window_minutes(value) is None:
            raise ValueError(
                'must be "ddd:hh:mm-ddd:hh:mm" in UTC (days mon to sun) and at least 60 minutes long, '
                'such as "sun:05:00-sun:06:00"'
            )
        return value

    @field_validator("sidecar_image")
    @classmethod
    def _sidecar_image(cls, value: str) -> str:
        match = IMAGE_REFERENCE.match(value)
        registry = match["registry"] if match else ""
        has_host = "." in registry or ":" in registry or registry == "localhost"
        if not match or not has_host or not match["tag"] or match["tag"] == "latest":
            raise ValueError(
                "must be an image reference with a registry and a version tag (not latest), such as "
                "public.ecr.aws/docker/library/valkey:8.1-alpine, so every deploy runs a known engine"
            )
        if re.match(r"^[0-9]{12}\.dkr\.ecr\.", registry):
            raise ValueError(
                "must come from a public registry (such as public.ecr.aws): the task's execution role "
                "may pull only the app's own repository"
            )
        if match["repository"].rsplit("/", 1)[-1] not in ("valkey", "redis"):
            raise ValueError(
                "must be the official valkey or redis image or a mirror of it (a repository named valkey or "
                "redis): the sidecar starts /usr/local/bin/valkey-server or redis-server"
            )
        return value

    @property
    def sidecar_server(self) -> str:
        """The server binary in ``sidecarImage``, where the official images install it."""
        repository = IMAGE_REFERENCE.match(self.sidecar_image)
        name = repository["repository"].rsplit("/", 1)[-1] if repository else "valkey"
        return f"/usr/local/bin/{name}-server"

    @model_validator(mode="after")
    def _engine_version(self) -> "CacheArgs":
        allowed = ENGINE_VERSIONS[self.engine]
        if self.version not in allowed:
            listed = ", ".join(f'"{v}"' for v in allowed)
            raise ConfigFieldError(
                "engineVersion",
                self.engine_version,
                f"is not a {self.engine.value} version this stack supports on ElastiCache: must be one "
                f"of {listed}",
            )
        return self

    @model_validator(mode="after")
    def _failover(self) -> "CacheArgs":
        if self.automatic_failover and self.node_count < 2:
            raise ConfigFieldError(
                "automaticFailover",
                True,
                "automatic failover with a single cache node has no replica to promote: set nodeCount "
                "to 2 or more, or automaticFailover to false",
            )
        if self.multi_az and not self.automatic_failover:
            raise ConfigFieldError(
                "multiAz", True, "requires automaticFailover = true (and nodeCount of 2 or more)"
            )
        return self

    @model_validator(mode="after")
    def _windows_apart(self) -> "CacheArgs":
        if self.snapshot_retention_days == 0:
            return self  # no snapshots, so the snapshot window is not used
        snapshot, maintenance = (
            _window_minutes(self.snapshot_window),
            _window_minutes(self.maintenance_window),
        )
        if snapshot is None or maintenance is None:
            return self  # already reported by the field validators
        for day in range(7):
            start = day * _DAY + snapshot[0]
            if _overlaps(start, start + snapshot[1], maintenance):
                raise ConfigFieldError(
                    "snapshotWindow",
                    self.snapshot_window,
                    f'overlaps maintenanceWindow "{self.maintenance_window}" on {_DAYS[day]}: the two '
                    "windows must not overlap",
                )
        return self


def _window_minutes(window: str) -> tuple[int, int] | None:
    """``(start, length)`` in minutes (start from Monday 00:00 for a weekly window); None if invalid."""
    daily = _SNAPSHOT_WINDOW.match(window)
    weekly = _MAINTENANCE_WINDOW.match(window)
    if daily:
        h1, m1, h2, m2 = (int(g) for g in daily.groups())
        start, end, period = h1 * 60 + m1, h2 * 60 + m2, _DAY
    elif weekly:
        d1, h1, m1, d2, h2, m2 = weekly.groups()
        start = _DAYS.index(d1) * _DAY + int(h1) * 60 + int(m1)
        end = _DAYS.index(d2) * _DAY + int(h2) * 60 + int(m2)
        period = _WEEK
    else:
        return None
    length = (end - start) % period  # a window may wrap past midnight or the end of the week
    return (start, length) if length >= 60 else None


def _overlaps(start: int, end: int, weekly: tuple[int, int]) -> bool:
    """Whether minutes [start, end) of the week meet the weekly ``(start, length)`` window."""
    w_start, w_length = weekly
    # Shift the weekly window by -1, 0 and +1 weeks so wrapping windows are compared whole.
    return any(start < w_start + shift + w_length and w_start + shift < end for shift in (-_WEEK, 0, _WEEK))
