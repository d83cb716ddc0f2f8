"""SNS rules: alarms reach someone.

An alarm topic is a topic that some CloudWatch alarm's ``alarmActions`` (or ``okActions``) point to,
found through the alarm's property dependencies on the topic (or, when the topic's ARN is known,
the ARN in the actions). Such a topic needs at least one ``TopicSubscription`` whose ``topic`` input
came from it; otherwise every alarm of the stack fires into a topic nobody reads. In this project
the subscriptions are ``webapp:monitoring.emails`` (components/observability/monitoring.py);
a subscription made by anything else in the stack counts too. Production only: a dev stack may
run without anyone on call, and gets an advisory.

Not covered: subscriptions made outside the stack (another stack, the console) are invisible to
the policy; such a stack sets this policy's enforcement level in its own pack config.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._framework import Finding, Resource, Rule, Severity, Stack, UnknownValueError, stack_rule

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ALARMS = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
ACTION_KEYS = ("alarmActions", "okActions")


def _known(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]``, or None when absent or not known yet (the ARN of a topic being created).

    Not a silent pass: the ARNs are only the fallback for topics named by a literal ARN. An ARN
    unknown during a preview is computed from a resource of this stack, so the property
    dependency the rule reads first already links the alarm or subscription to that topic."""
    if key not in list(props.keys()):
        return None
    try:
        value = props[key]
        if isinstance(value, Sequence) and not isinstance(value, str):
            return [value[i] for i in range(len(value))]
        return value
    except UnknownValueError:
        return None


def _notifies(alarm: Resource, topic: Resource) -> bool:
    if any(alarm.depends_on(key, topic) for key in ACTION_KEYS):
        return True
    arn = _known(topic.props, "arn")
    return isinstance(arn, str) and any(arn in (_known(alarm.props, key) or []) for key in ACTION_KEYS)


def _subscribed(stack: Stack, topic: Resource) -> bool:
    if stack.referencing(topic, "topic", SUBSCRIPTION):
        return True
    arn = _known(topic.props, "arn")
    return isinstance(arn, str) and any(_known(s.props, "topic") == arn for s in stack.of_type(SUBSCRIPTION))


@stack_rule(
    "sns-alarms-reach-someone",
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="Every SNS topic that CloudWatch alarms notify has at least one subscription.",
    production_only=True,
)
def sns_alarms_reach_someone(stack: Stack) -> Iterator[Finding]:
    alarms = stack.of_type(*ALARMS)
    for topic in stack.of_type(TOPIC):
        count = sum(1 for alarm in alarms if _notifies(alarm, topic))
        if count and not _subscribed(stack, topic):
            yield Finding(
                topic,
                f"{count} {'alarm notifies' if count == 1 else 'alarms notify'} this topic but nothing "
                "subscribes to it, so no one hears them: add a TopicSubscription (here: an address in "
                "webapp:monitoring.emails)",
            )


RULES: tuple[Rule, ...] = (sns_alarms_reach_someone,)
