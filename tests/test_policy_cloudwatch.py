"""CloudWatch policy rules over fixtures and the committed stacks (which have no alarms yet)."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import cloudwatch as cw
from policies._framework import Rule, UnknownValueError
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


@pytest.mark.parametrize("rule", cw.RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    resources = plan_stack(stack_name).of_type(*rule.resource_types)
    assert [m for r in resources for m in rule.messages(r)] == []


def test_every_committed_log_group_is_checked() -> None:
    assert len(plan_stack("prod").of_type(cw.LOG_GROUP)) >= 8
