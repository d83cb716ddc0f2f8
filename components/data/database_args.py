"""Config model for the Database component (stack config key ``<project>:database``)."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, field_validator, model_validator

from ..core._model import Between, ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.log_retention import RetentionDays
from .database_windows import overlaps, parse_daily, parse_weekly

# Majors both RDS for PostgreSQL and Aurora PostgreSQL offer; 13 and older are out of standard
# support (RDS bills Extended Support for them).
ENGINE_VERSIONS = ("14", "15", "16", "17", "18")
# Current-generation classes with encryption, gp3 and Performance Insights for PostgreSQL.
INSTANCE_FAMILIES = ("t4g", "t3", "m6g", "m7g", "m6i", "m7i", "r6g", "r7g", "r6i", "r7i")
BURSTABLE_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
ENHANCED_MONITORING_SECONDS = (0, 1, 5, 10, 15, 30, 60)
RESERVED_DATABASE_NAMES = ("postgres", "template0", "template1", "rdsadmin")
RESERVED_USERNAMES = ("postgres", "admin", "rdsadmin", "root")

_INSTANCE_CLASS = re.compile(r"^db\.([a-z0-9]+)\.([a-z0-9]+)$")
_LARGE_SIZE = re.compile(r"^(large|xlarge|([2-9]|[1-4]\d)xlarge)$")
# Unquoted PostgreSQL identifiers fold to lower case; lower case from the start avoids quoting.
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class EngineMode(ConfigEnum):
    """Which PostgreSQL service runs the database.

    ``aurora-serverless-v2`` predates the camelCase rule for invented values and is kept as
    spelled: existing stack files, profiles and policies use it (a documented exception).
    """

    INSTANCE = "instance"
    """RDS for PostgreSQL on one instance class (cheapest steady cost, gp3 storage)."""
    AURORA_SERVERLESS_V2 = "aurora-serverless-v2"
    """Aurora PostgreSQL ``db.serverless`` instances scaling from minCapacity to maxCapacity ACUs."""


# Keys that mean something in one mode only; setting one in the other mode is an error rather
# than a silently ignored setting.
INSTANCE_ONLY_KEYS = {
    "instance_class": "instanceClass",
    "allocated_storage": "allocatedStorage",
    "max_allocated_storage": "maxAllocatedStorage",
    "multi_az": "multiAz",
}
_AURORA_HINT = " (Aurora storage grows by itself across three AZs; readReplicas adds failover targets)"
AURORA_ONLY_KEYS = {
    "min_capacity": "minCapacity",
    "max_capacity": "maxCapacity",
    "seconds_until_auto_pause": "secondsUntilAutoPause",
}


def _acu(value: float) -> float:
    if value * 2 != int(value * 2):
        raise ValueError("must be a multiple of 0.5 ACU")
    return value


class DatabaseArgs(ConfigModel):
    """The PostgreSQL database; profiles fill more defaults.

    Dev: one ``db.t4g.micro`` RDS instance, 20 GiB gp3 growing to 100 GiB, single-AZ, 7 days
    of backups, Performance Insights (free 7-day tier), no enhanced monitoring, no replicas.
    Prod: ``multiAz``, ``deletionProtection``, ``backupRetentionDays`` 14, ``logRetentionDays`` 30,
    ``enhancedMonitoringSeconds`` 60 and a larger ``instanceClass``.

    ``engineMode: aurora-serverless-v2`` runs Aurora Serverless v2 instead: set ``minCapacity``,
    ``maxCapacity`` (and ``secondsUntilAutoPause`` with ``minCapacity: 0``); ``instanceClass``,
    ``allocatedStorage``, ``maxAllocatedStorage`` and ``multiAz`` are then refused (Aurora
    storage grows by itself and spans three AZs; add ``readReplicas`` for a failover target).

    Example::

        DatabaseArgs(instance_class="db.m7g.large", multi_az=True, deletion_protection=True,
                     backup_retention_days=14, log_retention_days=30, enhanced_monitoring_seconds=60)
        DatabaseArgs(engine_mode=EngineMode.AURORA_SERVERLESS_V2, min_capacity=0,
                     seconds_until_auto_pause=600)
    """

    engine_mode: EngineMode = EngineMode.INSTANCE
    """Which PostgreSQL service runs the database: an RDS instance or Aurora Serverless v2."""
    engine_version: Annotated[str, InSchema(enum=list(ENGINE_VERSIONS))] = "17"
    """PostgreSQL major version; AWS picks the newest minor and applies minor upgrades."""
    instance_class: Annotated[str, InSchema(pattern=_INSTANCE_CLASS.pattern)] = "db.t4g.micro"
    """RDS instance class ``db.<family>.<size>`` of a current generation; engineMode instance only."""
    allocated_storage: Annotated[int, Between(20, 65536, " GiB")] = 20
    """Initial gp3 storage in GiB; engineMode instance only."""
    max_allocated_storage: Annotated[int, Between(20, 65536, " GiB")] = 100
    """Storage autoscaling limit in GiB, at least 10% above allocatedStorage; engineMode instance only."""
    database_name: Annotated[str, InSchema(pattern=_IDENTIFIER.pattern)] = "app"
    """The database created for the app (lower case, so it never needs quoting)."""
    username: Annotated[str, InSchema(pattern=_IDENTIFIER.pattern)] = "app_admin"
    """Master user name; not postgres, admin, root or pg_/rds names, which password guessers try first."""
    backup_retention_days: Annotated[int, Between(1, 35, " days")] = 7
    """Days automated backups (point-in-time recovery) are kept."""
    backup_window: str = "03:00-04:00"
    """Daily UTC window ``hh:mm-hh:mm`` for automated backups, apart from maintenanceWindow."""
    maintenance_window: str = "sun:04:30-sun:05:30"
    """Weekly UTC window ``ddd:hh:mm-ddd:hh:mm`` for patches and minor upgrades."""
    slow_query_ms: Annotated[int, InSchema(minimum=-1, maximum=60000)] = 500
    """Statements slower than this many milliseconds are logged; -1 off, 0 every statement."""
    log_retention_days: RetentionDays = 7
    """Days CloudWatch Logs keeps the exported PostgreSQL logs."""
    multi_az: bool = False
    """A synchronous standby in a second AZ for failover; engineMode instance only."""
    deletion_protection: bool = False
    """Refuse to delete the database until this is turned off."""
    performance_insights: bool = True
    """Performance Insights with its free 7-day retention."""
    enhanced_monitoring_seconds: Annotated[int, InSchema(enum=list(ENHANCED_MONITORING_SECONDS))] = 0
    """Interval of OS-level Enhanced Monitoring metrics in seconds; 0 turns it off."""
    read_replicas: Annotated[int, Between(0, 5)] = 0
    """Aurora readers (failover targets); an RDS instance with a managed password cannot have any."""
    auto_minor_version_upgrade: bool = True
    """Apply minor PostgreSQL upgrades in the maintenance window."""
    iam_authentication: bool = True
    """Allow IAM database authentication alongside the password."""
    min_capacity: Annotated[
        float, Between(0, 256, " ACU"), AfterValidator(_acu), InSchema(multipleOf=0.5)
    ] = 0.5
    """Smallest Aurora size in ACUs (steps of 0.5); 0 pauses when idle; engineMode aurora-serverless-v2."""
    max_capacity: Annotated[
        float, Between(1, 256, " ACU"), AfterValidator(_acu), InSchema(multipleOf=0.5)
    ] = 2
    """Largest Aurora size in ACUs (steps of 0.5), which caps the bill; engineMode aurora-serverless-v2."""
    seconds_until_auto_pause: Annotated[int, Between(300, 86400, " seconds")] | None = None
    """Idle seconds before Aurora pauses at 0 ACU; only with minCapacity 0."""

    @field_validator("engine_version", mode="before")
    @classmethod
    def _major_from_number(cls, value: Any) -> Any:
        # YAML reads `engineVersion: 17` as a number.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("engine_version")
    @classmethod
    def _engine_version(cls, value: str) -> str:
        if value not in ENGINE_VERSIONS:
            raise ValueError(
                f"must be a PostgreSQL major version: {', '.join(ENGINE_VERSIONS)} (AWS picks the newest "
                "minor and applies minor upgrades in the maintenance window)"
            )
        return value

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        match = _INSTANCE_CLASS.match(value)
        if match is None:
            raise ValueError('must be an RDS instance class "db.<family>.<size>", such as "db.t4g.micro"')
        family, size = match.groups()
        if family not in INSTANCE_FAMILIES:
            raise ValueError(f"must use one of the families {', '.join(INSTANCE_FAMILIES)}")
        if family in ("t4g", "t3") and size not in BURSTABLE_SIZES:
            raise ValueError(f"must use a db.{family} size: {', '.join(BURSTABLE_SIZES)}")
        if family not in ("t4g", "t3") and not _LARGE_SIZE.match(size):
            raise ValueError(
                f"must use a db.{family} size: large, xlarge or <n>xlarge (2xlarge, 4xlarge, ...)"
            )
        return value

    @field_validator("database_name")
    @classmethod
    def _database_name(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError("must be 1-63 lowercase letters, digits or '_', starting with a letter")
        if value in RESERVED_DATABASE_NAMES:
            raise ValueError(
                f"must not be one of the built-in databases {', '.join(RESERVED_DATABASE_NAMES)}"
            )
        return value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError("must be 1-63 lowercase letters, digits or '_', starting with a letter")
        if value in RESERVED_USERNAMES or value.startswith(("pg_", "rds")):
            raise ValueError(
                f"must not be {', '.join(RESERVED_USERNAMES[:-1])} or {RESERVED_USERNAMES[-1]}, nor start "
                "with pg_ or rds: PostgreSQL and RDS reserve them, and password guessers try them first"
            )
        return value

    @field_validator("backup_window")
    @classmethod
    def _backup_window(cls, value: str) -> str:
        # WindowError is a ValueError: pydantic reports its message against this key.
        parse_daily(value)
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, value: str) -> str:
        parse_weekly(value)
        # RDS reports the window in lower case; storing it so keeps `pulumi up` from showing a diff.
        return value.lower()

    @field_validator("slow_query_ms")
    @classmethod
    def _slow_query(cls, value: int) -> int:
        if value != -1 and not 0 <= value <= 60000:
            raise ValueError("must be -1 (off) or from 0 (every statement) to 60000 milliseconds")
        return value

    @field_validator("enhanced_monitoring_seconds")
    @classmethod
    def _monitoring(cls, value: int) -> int:
        if value not in ENHANCED_MONITORING_SECONDS:
            allowed = ", ".join(str(s) for s in ENHANCED_MONITORING_SECONDS)
            raise ValueError(f"must be one of {allowed} (0 turns enhanced monitoring off)")
        return value

    @model_validator(mode="after")
    def _keys_of_the_other_mode(self) -> "DatabaseArgs":
        aurora = self.engine_mode is EngineMode.AURORA_SERVERLESS_V2
        foreign = INSTANCE_ONLY_KEYS if aurora else AURORA_ONLY_KEYS
        for field, key in foreign.items():
            if field in self.model_fields_set:
                mode = EngineMode.INSTANCE if aurora else EngineMode.AURORA_SERVERLESS_V2
                hint = _AURORA_HINT if aurora else ""
                raise ConfigFieldError(
                    key, getattr(self, field), f'applies only to engineMode "{mode.value}"; remove it{hint}'
                )
        return self

    @model_validator(mode="after")
    def _replicas_need_aurora(self) -> "DatabaseArgs":
        if self.engine_mode is EngineMode.INSTANCE and self.read_replicas > 0:
            raise ConfigFieldError(
                "readReplicas",
                self.read_replicas,
                "RDS cannot create read replicas of an instance whose master password it manages in "
                'Secrets Manager, as this stack does: use engineMode "aurora-serverless-v2", whose '
                "readers share the cluster's storage, or 0",
            )
        return self

    @model_validator(mode="after")
    def _storage(self) -> "DatabaseArgs":
        # RDS refuses a storage autoscaling limit less than 10% above the allocated storage.
        least = (self.allocated_storage * 11 + 9) // 10
        if self.max_allocated_storage < least:
            raise ConfigFieldError(
                "maxAllocatedStorage",
                self.max_allocated_storage,
                f"maximum storage below allocated storage: storage autoscaling needs at least 10% above "
                f"allocatedStorage ({self.allocated_storage} GiB), so {least} GiB or more",
            )
        return self

    @model_validator(mode="after")
    def _windows_apart(self) -> "DatabaseArgs":
        if overlaps(self.backup_window, self.maintenance_window):
            raise ConfigFieldError(
                "maintenanceWindow",
                self.maintenance_window,
                f'overlaps backupWindow "{self.backup_window}" on one or more days; RDS refuses '
                "overlapping windows, so move one of them",
            )
        return self

    @model_validator(mode="after")
    def _capacity(self) -> "DatabaseArgs":
        if self.min_capacity > self.max_capacity:
            raise ConfigFieldError(
                "minCapacity",
                self.min_capacity,
                f"ACU minimum above maximum: must be at most maxCapacity ({self.max_capacity})",
            )
        if self.min_capacity == 0 and self.seconds_until_auto_pause is None:
            raise ConfigFieldError(
                "minCapacity",
                self.min_capacity,
                "0 ACU pauses the database when idle and needs secondsUntilAutoPause (300 to 86400); "
                "set it, or keep 0.5 or more",
            )
        if self.min_capacity > 0 and self.seconds_until_auto_pause is not None:
            raise ConfigFieldError(
                "secondsUntilAutoPause",
                self.seconds_until_auto_pause,
                f"applies only with minCapacity 0 (auto-pause); minCapacity is {self.min_capacity}",
            )
        return self

    def parameter_group_family(self) -> str:
        """``postgres17`` for an RDS instance, ``aurora-postgresql17`` for Aurora."""
        prefix = "aurora-postgresql" if self.engine_mode is EngineMode.AURORA_SERVERLESS_V2 else "postgres"
        return f"{prefix}{self.engine_version}"
