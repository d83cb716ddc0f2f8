"""CloudWatch rules: log groups expire their logs, keep them a year and encrypt them; alarms notify someone.

FSBP has no CloudWatch controls; these come from NIST 800-53 in Security Hub: CloudWatch.15 (an
alarm has an action for the ALARM state: ``alarmActions``), CloudWatch.16 (log groups are kept at
least ``minimumRetentionDays``, 365 unless the pack config says otherwise) and CloudWatch.17
(alarm actions are activated: ``actionsEnabled`` not false), plus our own retention rule: every log
group sets ``retentionInDays`` (never-expire log groups grow their bill forever and keep data
longer than needed), and log group KMS encryption (``kmsKeyId``), which Security Hub has no control
for but Checkov (CKV_AWS_158) and cdk-nag (``NIST.800.53.R5-CloudWatchLogGroupEncrypted``) check.

The 365-day minimum and the encryption are production_only: dev keeps its logs 7 days under the
AWS-owned key, a cost decision (a year of logs and a $1/month key per region buy nothing there);
prod's profile keeps every log group 365 days under a stack key. Setting a retention at all stays
mandatory everywhere.

Deliberately not covered: CloudWatch.1-14 (CIS metric filters on a CloudTrail log group, an
account-level concern).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from ._framework import (
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    configured_stack_rule,
    has_items,
    is_set,
    resource_rule,
)

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


# CloudWatch.16's default minRetentionTime: a year.
DEFAULT_MINIMUM_RETENTION_DAYS = 365


@configured_stack_rule(
    "cloudwatch-log-group-retention-period",
    controls=["CloudWatch.16"],
    severity=Severity.MEDIUM,
    description="Every CloudWatch log group keeps its logs at least minimumRetentionDays (default 365).",
    production_only=True,
    config_properties={
        "minimumRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MINIMUM_RETENTION_DAYS,
            "description": "The shortest retentionInDays a log group may have (CloudWatch.16: 365).",
        }
    },
)
def cloudwatch_log_group_retention_period(stack: Stack, config: Mapping[str, Any]) -> Iterator[Finding]:
    minimum = int(config.get("minimumRetentionDays", DEFAULT_MINIMUM_RETENTION_DAYS))
    for group in stack.of_type(LOG_GROUP):
        days = group.props.get("retentionInDays")
        # Never-expire (unset or 0) keeps logs forever: cloudwatch-log-group-retention reports it.
        if days is not None and 0 < float(days) < minimum:
            yield Finding(
                group,
                f"retentionInDays is {int(days)}: keep the logs at least {minimum} days "
                "(an incident or audit may look back a year)",
            )


@resource_rule(
    "cloudwatch-log-group-encrypted",
    types=[LOG_GROUP],
    controls=["CKV_AWS_158"],
    severity=Severity.MEDIUM,
    description="Every CloudWatch log group is encrypted with a customer-managed KMS key (kmsKeyId).",
    production_only=True,
)
def cloudwatch_log_group_encrypted(group: Resource) -> Iterator[str]:
    if not is_set(group.props, "kmsKeyId"):
        yield (
            "kmsKeyId is not set (AWS-owned key): encrypt it with a KMS key of the log group's region "
            "(webapp:monitoring.logEncryption true)"
        )


@resource_rule(
    "cloudwatch-alarm-has-action",
    types=[METRIC_ALARM],
    controls=["CloudWatch.15"],
    severity=Severity.HIGH,
    description="Every CloudWatch alarm has at least one action for the ALARM state (alarmActions).",
)
def cloudwatch_alarm_has_action(alarm: Resource) -> Iterator[str]:
    # A list computed as a whole is unknown until the update and may be empty: has_items raises.
    if not has_items(alarm.props, "alarmActions"):
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
    cloudwatch_log_group_retention_period,
    cloudwatch_log_group_encrypted,
    cloudwatch_alarm_has_action,
    cloudwatch_alarm_actions_enabled,
)
