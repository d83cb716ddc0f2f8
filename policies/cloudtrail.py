"""CloudTrail rules, for any trail the stack creates (it creates none today; the account's trail lives
outside this project, which is why no rule demands that a trail exist).

Covers CloudTrail.1 (multi-Region, logging, read and write management events: with no selectors a
trail logs all of them; classic ``eventSelectors`` need one with ``includeManagementEvents`` not false,
``readWriteType`` All and no ``excludeManagementEventSources``; ``advancedEventSelectors`` need one
selecting ``eventCategory`` Management without narrowing ``readOnly`` or excluding event sources),
CloudTrail.2 (``kmsKeyId``), CloudTrail.4 (``enableLogFileValidation``) and CloudTrail.5
(``cloudWatchLogsGroupArn`` with ``cloudWatchLogsRoleArn``).

Not covered: CloudTrail.6/7 (the trail bucket is not public and logs access): those are S3 bucket
properties the S3 rules already require of every bucket.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from ._framework import Resource, Rule, Severity, is_set, resource_rule

TRAIL = "aws:cloudtrail/trail:Trail"


def _management_selector_problem(props: Mapping[str, Any]) -> str | None:
    """Why the selectors do not log all read and write management events (None when they do)."""
    advanced = props.get("advancedEventSelectors") or []
    if advanced:
        for selector in advanced:
            fields = {f.get("field"): f for f in selector.get("fieldSelectors") or []}
            category = fields.get("eventCategory")
            if category is None or list(category.get("equals") or []) != ["Management"]:
                continue
            if "readOnly" not in fields and not _excludes(fields.get("eventSource")):
                return None
        return (
            "advancedEventSelectors select no unfiltered management events: add a selector with "
            'eventCategory equals ["Management"] and no readOnly or eventSource exclusion'
        )
    selectors = props.get("eventSelectors") or []
    if not selectors:
        return None
    for selector in selectors:
        if (
            selector.get("includeManagementEvents") is not False
            and (selector.get("readWriteType") or "All") == "All"
            and not selector.get("excludeManagementEventSources")
        ):
            return None
    return (
        "eventSelectors log no read and write management events: set includeManagementEvents true, "
        "readWriteType All and no excludeManagementEventSources on one selector"
    )


def _excludes(selector: Mapping[str, Any] | None) -> bool:
    if selector is None:
        return False
    return any(selector.get(k) for k in ("notEquals", "notStartsWiths", "notEndsWiths"))


@resource_rule(
    "cloudtrail-multi-region-management-events",
    types=[TRAIL],
    controls=["CloudTrail.1"],
    severity=Severity.HIGH,
    description="Trails are multi-Region, logging, and record read and write management events.",
)
def cloudtrail_multi_region_management_events(trail: Resource) -> Iterator[str]:
    props = trail.props
    if props.get("isMultiRegionTrail") is not True:
        yield "isMultiRegionTrail is not true: set it to true so activity in every Region is recorded"
    if props.get("enableLogging") is False:
        yield "enableLogging is false: set it to true (the default) so the trail records events"
    problem = _management_selector_problem(props)
    if problem is not None:
        yield problem


@resource_rule(
    "cloudtrail-encrypted",
    types=[TRAIL],
    controls=["CloudTrail.2"],
    severity=Severity.MEDIUM,
    description="Trail log files are encrypted with a KMS key (kmsKeyId).",
)
def cloudtrail_encrypted(trail: Resource) -> Iterator[str]:
    if not is_set(trail.props, "kmsKeyId"):
        yield "kmsKeyId is not set: set it to a customer managed KMS key so log files are SSE-KMS encrypted"


@resource_rule(
    "cloudtrail-log-file-validation",
    types=[TRAIL],
    controls=["CloudTrail.4"],
    severity=Severity.LOW,
    description="Trails write digest files so tampering with log files is detectable.",
)
def cloudtrail_log_file_validation(trail: Resource) -> Iterator[str]:
    if trail.props.get("enableLogFileValidation") is not True:
        yield "enableLogFileValidation is not true: set it to true so altered or deleted log files show up"


@resource_rule(
    "cloudtrail-cloudwatch-logs",
    types=[TRAIL],
    controls=["CloudTrail.5"],
    severity=Severity.LOW,
    description="Trails deliver to a CloudWatch Logs group (cloudWatchLogsGroupArn, cloudWatchLogsRoleArn).",
)
def cloudtrail_cloudwatch_logs(trail: Resource) -> Iterator[str]:
    if not is_set(trail.props, "cloudWatchLogsGroupArn"):
        yield "cloudWatchLogsGroupArn is not set: deliver the trail to a log group so events can raise alarms"
    elif not is_set(trail.props, "cloudWatchLogsRoleArn"):
        yield "cloudWatchLogsRoleArn is not set: CloudTrail needs a role to write to cloudWatchLogsGroupArn"


RULES: tuple[Rule, ...] = (
    cloudtrail_multi_region_management_events,
    cloudtrail_encrypted,
    cloudtrail_log_file_validation,
    cloudtrail_cloudwatch_logs,
)
