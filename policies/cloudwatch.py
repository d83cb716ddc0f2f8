"""CloudWatch rules: log groups expire their logs, alarms notify someone.

FSBP has no CloudWatch controls; these come from NIST 800-53 in Security Hub: CloudWatch.15 (an
alarm has an action for the ALARM state: ``alarmActions``) and CloudWatch.17 (alarm actions are
activated: ``actionsEnabled`` not false), plus our own retention rule: every log group sets
``retentionInDays`` (never-expire log groups grow their bill forever and keep data longer than
needed).

Deliberately not covered: CloudWatch.16's 365-day minimum (retention is a per-stack cost decision:
the stacks keep service logs 30 days and flow/edge logs longer), CloudWatch.1-14 (CIS metric
filters on a CloudTrail log group, an account-level concern), log group KMS encryption (no Security
Hub control; the AWS-owned key already encrypts them).
"""

from collections.abc import Iterator

from ._framework import Resource, Rule, Severity, is_set, resource_rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@resource_rule(
    "cloudwatch-log-group-retention",
    types=[LOG_GROUP],
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="Every CloudWatch log group sets a retention period (retentionInDays, not never-expire).",
)
def cloudwatch_log_group_retention(group: Resource) -> Iterator[str]:
    days = group.props.get("retentionInDays")
    if days is None or float(days) == 0:
        shown = "not set" if days is None else "0"
        yield f"retentionInDays is {shown} (never expire): set it, e.g. 30 days for service logs"


@resource_rule(
    "cloudwatch-alarm-has-action",
    types=[METRIC_ALARM],
    controls=["CloudWatch.15"],
    severity=Severity.HIGH,
    description="Every CloudWatch alarm has at least one action for the ALARM state (alarmActions).",
)
def cloudwatch_alarm_has_action(alarm: Resource) -> Iterator[str]:
    if not is_set(alarm.props, "alarmActions"):
        yield "alarmActions is empty: add an SNS topic (or other action) so someone hears about the alarm"


@resource_rule(
    "cloudwatch-alarm-actions-enabled",
    types=[METRIC_ALARM],
    controls=["CloudWatch.17"],
    severity=Severity.HIGH,
    description="CloudWatch alarm actions are activated (actionsEnabled is not false).",
)
def cloudwatch_alarm_actions_enabled(alarm: Resource) -> Iterator[str]:
    if alarm.props.get("actionsEnabled") is False:
        yield "actionsEnabled is false: set it to true (the default) so the alarm's actions run"


RULES: tuple[Rule, ...] = (
    cloudwatch_log_group_retention,
    cloudwatch_alarm_has_action,
    cloudwatch_alarm_actions_enabled,
)
