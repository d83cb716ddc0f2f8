"""CloudWatch policy rules over fixtures and the committed stacks (which have no alarms yet)."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import cloudwatch as cw
from policies._framework import Rule, Stack, UnknownValueError
from tests.policy_harness import plan_stack, resource

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"


def test_log_groups_expire() -> None:
    assert cw.cloudwatch_log_group_retention.messages(resource(cw.LOG_GROUP, {"retentionInDays": 30})) == []
    assert cw.cloudwatch_log_group_retention.messages(resource(cw.LOG_GROUP, {"name": "/x"})) == [
        "retentionInDays is not set (never expire): set it, e.g. 30 days for service logs"
    ]
    assert cw.cloudwatch_log_group_retention.messages(resource(cw.LOG_GROUP, {"retentionInDays": 0})) == [
        "retentionInDays is 0 (never expire): set it, e.g. 30 days for service logs"
    ]


def test_an_unknown_retention_waits_for_the_update() -> None:
    group = resource(cw.LOG_GROUP, {"retentionInDays": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        cw.cloudwatch_log_group_retention.messages(group)


def test_alarms_have_enabled_actions() -> None:
    ok = resource(cw.METRIC_ALARM, {"alarmActions": [TOPIC]})
    assert cw.cloudwatch_alarm_has_action.messages(ok) == []
    assert cw.cloudwatch_alarm_actions_enabled.messages(ok) == []
    unknown_topic = resource(
        cw.METRIC_ALARM, {"alarmActions": [UNKNOWN_STRING_VALUE], "actionsEnabled": True}
    )
    assert cw.cloudwatch_alarm_has_action.messages(unknown_topic) == []
    silent = resource(cw.METRIC_ALARM, {"alarmActions": [], "okActions": [TOPIC], "actionsEnabled": False})
    assert cw.cloudwatch_alarm_has_action.messages(silent) == [
        "alarmActions is empty: add an SNS topic (or other action) so someone hears about the alarm"
    ]
    assert cw.cloudwatch_alarm_actions_enabled.messages(silent) == [
        "actionsEnabled is false: set it to true (the default) so the alarm's actions run"
    ]


def _stack_messages(rule: Rule, stack: Stack, config: dict[str, int] | None = None) -> list[str]:
    if rule.resource_types:
        return [m for r in stack.of_type(*rule.resource_types) for m in rule.messages(r)]
    return rule.messages(stack, config)


# Production-only rules are advisory in dev (policies/config/dev.json): checked on prod only.
@pytest.mark.parametrize(
    ("rule", "stack_name"),
    [(r, s) for r in cw.RULES for s in ("dev", "prod") if s == "prod" or not r.production_only],
    ids=lambda v: v.name if isinstance(v, Rule) else v,
)
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    assert _stack_messages(rule, plan_stack(stack_name)) == []


def test_every_committed_log_group_is_checked() -> None:
    assert len(plan_stack("prod").of_type(cw.LOG_GROUP)) >= 8


# --- CloudWatch.16: a year of logs -----------------------------------------------------------------


def _groups(*days: object) -> Stack:
    return Stack(
        tuple(resource(cw.LOG_GROUP, {"retentionInDays": d}, name=f"g{i}") for i, d in enumerate(days))
    )


def test_retention_period_is_365_days_by_default() -> None:
    rule = cw.cloudwatch_log_group_retention_period
    assert rule.production_only and rule.controls == ("CloudWatch.16",)
    assert rule.config_properties["minimumRetentionDays"]["default"] == 365
    assert rule.messages(_groups(365, 3653)) == []
    assert rule.findings(_groups(365, 90)) == [
        (
            "urn:pulumi:dev::webapp::aws:cloudwatch/logGroup:LogGroup::g1",
            "retentionInDays is 90: keep the logs at least 365 days "
            "(an incident or audit may look back a year)",
        )
    ]


def test_retention_period_follows_the_pack_config() -> None:
    rule = cw.cloudwatch_log_group_retention_period
    assert rule.messages(_groups(30), {"minimumRetentionDays": 30}) == []
    assert rule.messages(_groups(7), {"minimumRetentionDays": 30}) == [
        "retentionInDays is 7: keep the logs at least 30 days (an incident or audit may look back a year)"
    ]


def test_never_expiring_groups_are_left_to_the_retention_rule() -> None:
    # One verdict per problem: cloudwatch-log-group-retention already reports them.
    assert cw.cloudwatch_log_group_retention_period.messages(_groups(None, 0)) == []


def test_an_unknown_retention_period_waits_for_the_update() -> None:
    with pytest.raises(UnknownValueError):
        cw.cloudwatch_log_group_retention_period.messages(_groups(UNKNOWN_STRING_VALUE))


def test_dev_keeps_its_short_retention_as_advisory_and_prod_keeps_a_year() -> None:
    rule = cw.cloudwatch_log_group_retention_period
    assert rule.messages(plan_stack("dev"))  # 7-day logs: advisory there
    prod = plan_stack("prod")
    assert all(int(g.props["retentionInDays"]) >= 365 for g in prod.of_type(cw.LOG_GROUP))


# --- CKV_AWS_158: a customer-managed key ------------------------------------------------------------


def test_log_groups_are_encrypted_with_a_kms_key() -> None:
    rule = cw.cloudwatch_log_group_encrypted
    assert rule.production_only and rule.controls == ("CKV_AWS_158",)
    key = "arn:aws:kms:us-east-1:123456789012:key/k"
    assert rule.messages(resource(cw.LOG_GROUP, {"retentionInDays": 365, "kmsKeyId": key})) == []
    # Unknown in a first preview (the key is created in the same update): it will be set.
    assert rule.messages(resource(cw.LOG_GROUP, {"kmsKeyId": UNKNOWN_STRING_VALUE})) == []
    assert rule.messages(resource(cw.LOG_GROUP, {"retentionInDays": 365})) == [
        "kmsKeyId is not set (AWS-owned key): encrypt it with a KMS key of the log group's region "
        "(webapp:monitoring.logEncryption true)"
    ]


def test_every_prod_log_group_has_a_key_and_dev_none() -> None:
    assert all(g.props.get("kmsKeyId") for g in plan_stack("prod").of_type(cw.LOG_GROUP))
    assert not any(g.props.get("kmsKeyId") for g in plan_stack("dev").of_type(cw.LOG_GROUP))
