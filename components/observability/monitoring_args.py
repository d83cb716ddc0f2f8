"""Config model for the Monitoring component (stack config key ``<project>:monitoring``)."""

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError

# Deliberately loose (one @, a dot in the domain, no spaces): SNS sends a confirmation mail, which
# is the real check; this only catches typos such as a missing @ or a stray comma.
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
# AWS Budgets accepts at most 10 email subscribers per notification.
MAX_EMAILS = 10
# CloudWatch rejects alarms whose evaluation range (periods x period) exceeds one day.
MAX_EVALUATION_SECONDS = 86_400


class Unit(ConfigEnum):
    """What an alarm's threshold measures, which decides the values it may take (not a config key)."""

    PERCENT = "percent"
    """A percentage from 1 to 100."""
    COUNT = "count"
    """A count of 0 or more."""
    SECONDS = "seconds"
    """Seconds, above 0."""
    GIB = "GiB"
    """Gibibytes, above 0 (the unit's own symbol)."""
    MIB = "MiB"
    """Mebibytes, above 0 (the unit's own symbol)."""
    TASKS = "tasks"
    """Running tasks: the threshold is each service's minCount, not config."""


@dataclass(frozen=True)
class AlarmDefaults:
    """An alarm's built-in threshold, evaluation periods and period (seconds)."""

    unit: Unit
    threshold: float
    evaluation_periods: int
    period_seconds: int


# Every alarm the component can create, keyed by its config name. Seed 001's numbers where it
# gives them: ALB 5xx > 10 in 5 minutes, p95 latency > 2 s for 3 periods, ECS CPU > 80% for 10 min.
ALARM_DEFAULTS: dict[str, AlarmDefaults] = {
    "albElb5xx": AlarmDefaults(Unit.COUNT, 10, 1, 300),
    "albTarget5xx": AlarmDefaults(Unit.COUNT, 10, 1, 300),
    "albLatencyP95": AlarmDefaults(Unit.SECONDS, 2, 3, 60),
    "albUnhealthyHosts": AlarmDefaults(Unit.COUNT, 0, 2, 60),
    "ecsCpu": AlarmDefaults(Unit.PERCENT, 80, 2, 300),
    "ecsMemory": AlarmDefaults(Unit.PERCENT, 80, 2, 300),
    # The threshold is each service's lowest task count (ServiceMetrics.min_tasks), not config.
    "ecsRunningTasks": AlarmDefaults(Unit.TASKS, 0, 5, 60),
    "dbCpu": AlarmDefaults(Unit.PERCENT, 80, 2, 300),
    "dbFreeStorage": AlarmDefaults(Unit.GIB, 2, 1, 300),
    "dbFreeableMemory": AlarmDefaults(Unit.MIB, 64, 3, 300),
    "dbConnections": AlarmDefaults(Unit.COUNT, 80, 2, 300),
    "dbReplicaLag": AlarmDefaults(Unit.SECONDS, 5, 3, 60),
    "dbAcuUtilization": AlarmDefaults(Unit.PERCENT, 90, 3, 300),
    "cacheEngineCpu": AlarmDefaults(Unit.PERCENT, 80, 2, 300),
    "cacheMemory": AlarmDefaults(Unit.PERCENT, 80, 2, 300),
    "cacheEvictions": AlarmDefaults(Unit.COUNT, 0, 1, 300),
    "cdn5xxRate": AlarmDefaults(Unit.PERCENT, 5, 2, 300),
}

_UNIT_RULES: dict[Unit, tuple[float, float | None, bool, str]] = {
    # (lowest, highest, lowest allowed itself, message)
    Unit.PERCENT: (1, 100, True, "must be a percentage from 1 to 100"),
    Unit.COUNT: (0, None, True, "must be a count of 0 or more"),
    Unit.SECONDS: (0, None, False, "must be a number of seconds above 0"),
    Unit.GIB: (0, None, False, "must be a number of GiB above 0"),
    Unit.MIB: (0, None, False, "must be a number of MiB above 0"),
}


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("is not an email address")
    return value


Email = Annotated[str, AfterValidator(_email), InSchema(pattern=_EMAIL.pattern)]


class AlarmOverride(ConfigModel):
    """Changes to one built-in alarm (``monitoring.alarms.<name>``); unset keys keep the default.

    ``threshold`` is in the alarm's unit (percent, count, seconds, GiB or MiB;
    docs/guides/configuration.md lists each alarm).

    Example::

        AlarmOverride(threshold=1.5, evaluation_periods=5)   # {threshold: 1.5, evaluationPeriods: 5}
    """

    enabled: bool = True
    """Create the alarm; false switches this one off."""
    threshold: float | None = None
    """The limit in the alarm's unit (percent 1-100, count, seconds, GiB or MiB); null: the default."""
    evaluation_periods: int | None = Field(default=None, ge=1, le=1440)
    """Consecutive breaching periods before the alarm fires; null: the default."""
    period_seconds: (
        Annotated[int, InSchema(minimum=60, maximum=MAX_EVALUATION_SECONDS, multipleOf=60)] | None
    ) = None
    """Seconds per evaluated period, a multiple of 60; null: the default."""

    @field_validator("period_seconds")
    @classmethod
    def _period(cls, value: int | None) -> int | None:
        if value is not None and not (60 <= value <= MAX_EVALUATION_SECONDS and value % 60 == 0):
            raise ValueError("must be a multiple of 60 from 60 to 86400 (seconds)")
        return value


class BudgetArgs(ConfigModel):
    """A monthly AWS Budgets cost budget (``monitoring.budget``) mailing the alarm recipients.

    ``filterByStackTag`` (default true) counts only costs tagged ``stack=<stack name>``, so the
    budget measures the stack, not the account; ``bootstrap/`` activates ``stack`` as a cost
    allocation tag (until it is active, the budget sees $0). False: the whole account.

    Example::

        BudgetArgs(monthly_limit_usd=500)   # {monthlyLimitUsd: 500}
    """

    enabled: bool = True
    """Create the budget."""
    monthly_limit_usd: float = Field(default=50, gt=0, le=1_000_000)
    """The monthly limit in USD (dev $50, just above issue 9's $45 target; prod $500, seed 001)."""
    actual_percent: float = Field(default=80, gt=0, le=1000)
    """Mail when actual spend passes this percentage of the limit."""
    forecast_percent: float = Field(default=100, gt=0, le=1000)
    """Mail when forecast spend passes this percentage of the limit."""
    filter_by_stack_tag: bool = True
    """Count only costs tagged ``stack=<stack name>``; false: the whole account."""


@dataclass(frozen=True)
class AlarmSetting:
    """One alarm's effective settings: the defaults with the config override applied."""

    enabled: bool
    threshold: float
    evaluation_periods: int
    period_seconds: int


class MonitoringArgs(ConfigModel):
    """Everything the Monitoring component needs; profiles fill more defaults.

    Every built-in alarm is on (for the components that exist) with the thresholds of
    ``ALARM_DEFAULTS``; ``alarms`` tunes or switches off single ones by name.

    Example::

        MonitoringArgs(emails=["ops@example.com"],
                       alarms={"albLatencyP95": AlarmOverride(threshold=1)},
                       budget=BudgetArgs(monthly_limit_usd=500), log_encryption=True)
    """

    emails: Annotated[tuple[Email, ...], InSchema(maxItems=MAX_EMAILS)] = ()
    """Who gets alarm and budget mails (each confirms an SNS subscription); AWS Budgets takes 10."""
    alarms: Annotated[dict[str, AlarmOverride], InSchema(propertyNames={"enum": sorted(ALARM_DEFAULTS)})] = (
        Field(default_factory=dict)
    )
    """Changes to built-in alarms by name; unset keys keep the defaults."""
    dashboard: bool = True
    """Create a CloudWatch dashboard of the stack's main metrics."""
    budget: BudgetArgs = BudgetArgs()
    """A monthly cost budget mailing the alarm recipients."""
    log_encryption: bool = False
    """Encrypt every log group with a stack KMS key (+$1/month per key: a second in us-east-1 for the
    CloudFront and WAF logs when the stack is elsewhere); on in the prod profile."""

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > MAX_EMAILS:
            raise ValueError(f"lists {len(value)} addresses; AWS Budgets notifies at most {MAX_EMAILS}")
        if len({e.lower() for e in value}) != len(value):
            raise ValueError("lists an address twice")
        return value

    @field_validator("alarms")
    @classmethod
    def _alarms(cls, value: dict[str, AlarmOverride]) -> dict[str, AlarmOverride]:
        for name, override in value.items():
            defaults = ALARM_DEFAULTS.get(name)
            if defaults is None:
                raise ConfigFieldError(
                    name,
                    override.model_dump(by_alias=True, exclude_defaults=True),
                    f"unknown alarm; known alarms: {', '.join(sorted(ALARM_DEFAULTS))}",
                )
            _check_threshold(name, defaults.unit, override.threshold)
            periods = override.evaluation_periods or defaults.evaluation_periods
            period = override.period_seconds or defaults.period_seconds
            if periods * period > MAX_EVALUATION_SECONDS:
                raise ConfigFieldError(
                    f"{name}.evaluationPeriods",
                    periods,
                    f"times periodSeconds ({period}) must not exceed 86400 seconds (one day)",
                )
        return value

    def alarm(self, name: str) -> AlarmSetting:
        """The effective settings of the built-in alarm ``name``."""
        defaults = ALARM_DEFAULTS[name]
        override = self.alarms.get(name, AlarmOverride())
        return AlarmSetting(
            enabled=override.enabled,
            threshold=defaults.threshold if override.threshold is None else override.threshold,
            evaluation_periods=override.evaluation_periods or defaults.evaluation_periods,
            period_seconds=override.period_seconds or defaults.period_seconds,
        )


def _check_threshold(name: str, unit: Unit, threshold: Any) -> None:
    if threshold is None:
        return
    if unit is Unit.TASKS:
        raise ConfigFieldError(
            f"{name}.threshold",
            threshold,
            "cannot be set: the threshold is each service's minCount (the lowest of its schedules)",
        )
    low, high, low_allowed, message = _UNIT_RULES[unit]
    too_low = threshold < low if low_allowed else threshold <= low
    if too_low or (high is not None and threshold > high):
        raise ConfigFieldError(f"{name}.threshold", threshold, message)
