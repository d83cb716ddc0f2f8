"""CloudTrail policy rules over fixtures (the stacks create no trail)."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import cloudtrail as ct
from policies._framework import Rule
from tests.policy_harness import plan_stack, resource

GOOD = {
    "s3BucketName": "trail-bucket",
    "isMultiRegionTrail": True,
    "enableLogFileValidation": True,
    "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
    "cloudWatchLogsGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
    "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail",
}


@pytest.mark.parametrize("rule", ct.RULES, ids=lambda r: r.name)
def test_a_complete_trail_passes(rule: Rule) -> None:
    assert rule.messages(resource(ct.TRAIL, GOOD)) == []


def test_a_bare_trail_fails_every_rule() -> None:
    bare = resource(ct.TRAIL, {"s3BucketName": "trail-bucket", "enableLogging": False})
    assert ct.cloudtrail_multi_region_management_events.messages(bare) == [
        "isMultiRegionTrail is not true: set it to true so activity in every Region is recorded",
        "enableLogging is false: set it to true (the default) so the trail records events",
    ]
    assert ct.cloudtrail_encrypted.messages(bare) == [
        "kmsKeyId is not set: set it to a customer managed KMS key so log files are SSE-KMS encrypted"
    ]
    assert ct.cloudtrail_log_file_validation.messages(bare) == [
        "enableLogFileValidation is not true: set it to true so altered or deleted log files show up"
    ]
    assert ct.cloudtrail_cloudwatch_logs.messages(bare) == [
        "cloudWatchLogsGroupArn is not set: deliver the trail to a log group so events can raise alarms"
    ]
    no_role = resource(ct.TRAIL, {**GOOD, "cloudWatchLogsRoleArn": None})
    assert ct.cloudtrail_cloudwatch_logs.messages(no_role) == [
        "cloudWatchLogsRoleArn is not set: CloudTrail needs a role to write to cloudWatchLogsGroupArn"
    ]


def test_an_unknown_key_arn_counts_as_set() -> None:
    assert (
        ct.cloudtrail_encrypted.messages(resource(ct.TRAIL, {**GOOD, "kmsKeyId": UNKNOWN_STRING_VALUE})) == []
    )


CLASSIC = "eventSelectors log no read and write management events: set includeManagementEvents true, readWriteType All and no excludeManagementEventSources on one selector"  # noqa: E501
ADVANCED = 'advancedEventSelectors select no unfiltered management events: add a selector with eventCategory equals ["Management"] and no readOnly or eventSource exclusion'  # noqa: E501
MANAGEMENT = {"field": "eventCategory", "equals": ["Management"]}


@pytest.mark.parametrize(
    ("selectors", "messages"),
    [
        ({"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True}]}, []),
        ({"eventSelectors": [{"readWriteType": "WriteOnly"}]}, [CLASSIC]),
        ({"eventSelectors": [{"includeManagementEvents": False}]}, [CLASSIC]),
        ({"eventSelectors": [{"excludeManagementEventSources": ["kms.amazonaws.com"]}]}, [CLASSIC]),
        ({"advancedEventSelectors": [{"fieldSelectors": [MANAGEMENT]}]}, []),
        ({"advancedEventSelectors": [{"fieldSelectors": [
            MANAGEMENT, {"field": "readOnly", "equals": ["false"]}]}]}, [ADVANCED]),
        ({"advancedEventSelectors": [{"fieldSelectors": [
            MANAGEMENT, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]}]}, [ADVANCED]),
        ({"advancedEventSelectors": [{"fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]}]},
         [ADVANCED]),
    ],
)  # fmt: skip
def test_management_event_selectors(selectors: dict, messages: list[str]) -> None:
    trail = resource(ct.TRAIL, {**GOOD, **selectors})
    assert ct.cloudtrail_multi_region_management_events.messages(trail) == messages


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_have_no_trail_to_check(stack_name: str) -> None:
    assert plan_stack(stack_name).of_type(ct.TRAIL) == []
