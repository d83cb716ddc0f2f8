"""WAFv2 policy rules: rules present, rule metrics, logging, and WAF in front in prod."""

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies._framework import Rule, Stack
from policies.elb import LOAD_BALANCER, NO_WAF_MESSAGE
from policies.wafv2 import (
    DISTRIBUTION,
    LOGGING_CONFIGURATION,
    RULES,
    WEB_ACL,
    WEB_ACL_ASSOCIATION,
    WEB_ACL_RULE,
    waf_in_front,
    waf_logging,
    waf_rule_metrics,
    waf_web_acl_has_rules,
)
from tests.policy_harness import plan_stack, resource, stack

METRICS = {"cloudwatchMetricsEnabled": True, "metricName": "m", "sampledRequestsEnabled": True}
RULE: dict[str, Any] = {"name": "RateLimitPerIp", "priority": 0, "visibilityConfig": METRICS}


def test_web_acl_needs_a_rule() -> None:
    empty = resource(WEB_ACL, {"rules": []}, name="acl")
    assert waf_web_acl_has_rules.messages(stack(empty)) == [
        "it has no rules: add a rule or a managed rule group (waf.managedRuleGroups) so it filters something "
        "besides its default action"
    ]
    assert waf_web_acl_has_rules.messages(stack(resource(WEB_ACL, {"rules": [RULE]}))) == []
    separate = resource(
        WEB_ACL_RULE, {"visibilityConfig": METRICS}, property_dependencies={"webAclArn": [empty.urn]}
    )
    assert waf_web_acl_has_rules.messages(stack(empty, separate)) == []


def test_every_rule_publishes_metrics() -> None:
    quiet = {**RULE, "name": "Quiet", "visibilityConfig": {**METRICS, "cloudwatchMetricsEnabled": False}}
    assert waf_rule_metrics.messages(resource(WEB_ACL, {"rules": [RULE, quiet]})) == [
        "rule 'Quiet' has visibilityConfig.cloudwatchMetricsEnabled not true: set it to true so its matches "
        "show in CloudWatch"
    ]
    assert waf_rule_metrics.messages(resource(WEB_ACL_RULE, {"name": "x"})) == [
        "visibilityConfig.cloudwatchMetricsEnabled is not true: set it to true to count matches"
    ]
    assert waf_rule_metrics.messages(resource(WEB_ACL_RULE, {"visibilityConfig": METRICS})) == []


def test_unknown_rules_raise_so_the_check_runs_on_update() -> None:
    from pulumi_policy.proxy import UnknownValueError

    with pytest.raises(UnknownValueError):
        waf_rule_metrics.messages(resource(WEB_ACL, {"rules": UNKNOWN_STRING_VALUE}))


def test_web_acl_logging() -> None:
    acl = resource(WEB_ACL, {"rules": [RULE]}, name="acl")
    assert waf_logging.messages(stack(acl)) == [
        "no logging configuration: add an aws.wafv2.WebAclLoggingConfiguration whose resourceArn is this web "
        "ACL's arn (to an aws-waf-logs-* log group)"
    ]
    logging = resource(
        LOGGING_CONFIGURATION,
        {"resourceArn": UNKNOWN_STRING_VALUE},
        property_dependencies={"resourceArn": [acl.urn]},
    )
    assert waf_logging.messages(stack(acl, logging)) == []


def test_waf_in_front_of_distributions_and_public_albs() -> None:
    bare = resource(DISTRIBUTION, {}, name="cdn")
    guarded = resource(DISTRIBUTION, {"webAclId": UNKNOWN_STRING_VALUE}, name="cdn2")
    public = resource(LOAD_BALANCER[0], {"internal": False}, name="public")
    internal = resource(LOAD_BALANCER[0], {"internal": True}, name="internal")
    assert waf_in_front.messages(stack(bare, guarded, public, internal)) == [
        "webAclId is not set: attach a CLOUDFRONT-scope web ACL (us-east-1) with waf.enabled",
        NO_WAF_MESSAGE,
    ]
    association = resource(WEB_ACL_ASSOCIATION, {}, property_dependencies={"resourceArn": [public.urn]})
    assert waf_in_front.messages(stack(guarded, public, association)) == []


def _findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    found = (
        rule.findings(target) if rule.check_stack else [f for r in target.resources for f in rule.findings(r)]
    )
    return [(u.rsplit("::", 1)[-1], m) for u, m in found]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_prod_plan(rule: Rule) -> None:
    assert _findings(rule, plan_stack("prod")) == []


def test_prod_plan_has_the_edge_web_acl_checked() -> None:
    assert [r.name for r in plan_stack("prod").of_type(WEB_ACL)] == ["edge-acl"]


def test_dev_plan_fails_only_waf_in_front() -> None:
    found = {rule.name: _findings(rule, plan_stack("dev")) for rule in RULES}
    assert {name: f for name, f in found.items() if f} == {
        "waf-in-front": [
            (
                "site-cdn",
                "webAclId is not set: attach a CLOUDFRONT-scope web ACL (us-east-1) with waf.enabled",
            )
        ]
    }
    assert waf_in_front.production_only
