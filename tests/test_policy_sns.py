"""SNS policy rule: the topics alarms notify have a subscriber."""

from policies import sns
from policies._framework import Resource
from tests.policy_harness import plan_stack, resource, stack

TOPIC_URN_PROP = {"name": "webapp-prod-alarms"}


def alarm_on(topic_urn: str, name: str = "cpu") -> Resource:
    return resource(
        sns.ALARMS[0],
        {"alarmActions": ["arn:aws:sns:us-east-1:1:t"]},
        name,
        property_dependencies={"alarmActions": [topic_urn]},
    )


def test_an_alarm_topic_without_subscription_fails() -> None:
    topic = resource(sns.TOPIC, TOPIC_URN_PROP, "pager")
    subject = stack(topic, alarm_on(topic.urn, "cpu"), alarm_on(topic.urn, "memory"))
    assert sns.sns_alarms_reach_someone.findings(subject) == [
        (
            topic.urn,
            "2 alarms notify this topic but nothing subscribes to it, so no one hears them: add a "
            "TopicSubscription (here: an address in webapp:monitoring.emails)",
        )
    ]


def test_a_subscribed_alarm_topic_passes_and_other_topics_are_not_alarm_topics() -> None:
    topic = resource(sns.TOPIC, TOPIC_URN_PROP, "pager")
    email = resource(
        sns.SUBSCRIPTION, {"protocol": "email"}, "oncall", property_dependencies={"topic": [topic.urn]}
    )
    unrelated = resource(sns.TOPIC, {"name": "orders"}, "orders")
    subject = stack(topic, email, unrelated, alarm_on(topic.urn))
    assert sns.sns_alarms_reach_someone.findings(subject) == []


def test_a_known_topic_arn_links_alarm_and_subscription_without_property_dependencies() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:pager"
    topic = resource(sns.TOPIC, {"arn": arn}, "pager")
    alarm = resource(sns.ALARMS[0], {"okActions": [arn]}, "cpu")
    assert sns.sns_alarms_reach_someone.messages(stack(topic, alarm)) == [
        "1 alarm notifies this topic but nothing subscribes to it, so no one hears them: add a "
        "TopicSubscription (here: an address in webapp:monitoring.emails)"
    ]
    https = resource(sns.SUBSCRIPTION, {"topic": arn, "protocol": "https"}, "pagerduty")
    assert sns.sns_alarms_reach_someone.findings(stack(topic, alarm, https)) == []


def test_committed_stacks() -> None:
    rule = sns.sns_alarms_reach_someone
    # prod names an on-call address; dev has none and gets an advisory (production_only).
    assert rule.findings(plan_stack("prod")) == []
    assert [u.rsplit("::", 1)[-1] for u, _ in rule.findings(plan_stack("dev"))] == ["ops-alarms"]
    assert rule.production_only
