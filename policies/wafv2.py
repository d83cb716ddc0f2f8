"""WAFv2 rules: web ACLs have rules, publish rule metrics and log, and something is in front in prod.

Covers WAF.10 (a web ACL has a rule or rule group), WAF.11 (web ACL logging), WAF.12 (every rule
publishes CloudWatch metrics) and the seeds' "WAF in front in prod": every CloudFront
distribution has ``webAclId`` and every internet-facing ALB has a ``WebAclAssociation``
(production_only; its ALB half uses elb.py's judgement and message, so the two rules agree; ELB.16
in elb.py also covers internal ALBs, via the distribution's web ACL when only CloudFront reaches
them).

Rules can live inline (``WebAcl.rules``) or as separate resources (``aws:wafv2/webAclRule``,
``aws:wafv2/webAclRuleGroupAssociation``, joined through ``webAclArn``); both count for WAF.10
and both are checked for WAF.12, as are the rules of a ``RuleGroup``. WAF.11 is mandatory
wherever a web ACL exists (the stack creates one only with ``waf.enabled``, always with logging).

Not covered: WAF.1-4 and 6-8 (WAF Classic: none here). CloudFront.6 itself is left to the
CloudFront module; the seed rule here only overlaps it.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from ._framework import (
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    each,
    has_items,
    is_set,
    resource_rule,
    stack_rule,
)
from .elb import LOAD_BALANCER, NO_WAF_MESSAGE, has_waf_association, is_application, is_internet_facing

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_RULE = "aws:wafv2/webAclRule:WebAclRule"
RULE_GROUP = "aws:wafv2/ruleGroup:RuleGroup"
RULE_GROUP_ASSOCIATION = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING_CONFIGURATION = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


@stack_rule(
    "waf-web-acl-has-rules",
    controls=["WAF.10"],
    severity=Severity.MEDIUM,
    description="Every web ACL has at least one rule or rule group (inline or as separate resources).",
)
def waf_web_acl_has_rules(stack: Stack) -> Iterator[Finding]:
    def check(acl: Resource) -> Iterator[Finding]:
        if stack.referencing(acl, "webAclArn", WEB_ACL_RULE, RULE_GROUP_ASSOCIATION):
            return
        # An unknown list of inline rules raises: it may turn out empty.
        if not has_items(acl.props, "rules"):
            yield Finding(
                acl,
                "it has no rules: add a rule or a managed rule group (waf.managedRuleGroups) so it filters "
                "something besides its default action",
            )

    return each(stack.of_type(WEB_ACL), check)


def _metrics_disabled(visibility: Any) -> bool:
    return not isinstance(visibility, Mapping) or visibility.get("cloudwatchMetricsEnabled") is not True


@resource_rule(
    "waf-rule-metrics",
    types=[WEB_ACL, RULE_GROUP, WEB_ACL_RULE, RULE_GROUP_ASSOCIATION],
    controls=["WAF.12"],
    severity=Severity.MEDIUM,
    description="Every WAF rule has visibilityConfig.cloudwatchMetricsEnabled true.",
)
def waf_rule_metrics(resource: Resource) -> Iterator[str]:
    if resource.type in (WEB_ACL_RULE, RULE_GROUP_ASSOCIATION):
        if _metrics_disabled(resource.props.get("visibilityConfig")):
            yield "visibilityConfig.cloudwatchMetricsEnabled is not true: set it to true to count matches"
        return
    for rule in resource.props.get("rules") or []:
        if isinstance(rule, Mapping) and _metrics_disabled(rule.get("visibilityConfig")):
            yield (
                f"rule {rule.get('name', '?')!r} has visibilityConfig.cloudwatchMetricsEnabled not true: "
                "set it to true so its matches show in CloudWatch"
            )


@stack_rule(
    "waf-logging",
    controls=["WAF.11"],
    severity=Severity.LOW,
    description="Every web ACL has a logging configuration (WebAclLoggingConfiguration on its ARN).",
)
def waf_logging(stack: Stack) -> Iterator[Finding]:
    for acl in stack.of_type(WEB_ACL):
        if not stack.referencing(acl, "resourceArn", LOGGING_CONFIGURATION):
            yield Finding(
                acl,
                "no logging configuration: add an aws.wafv2.WebAclLoggingConfiguration whose resourceArn is "
                "this web ACL's arn (to an aws-waf-logs-* log group)",
            )


@stack_rule(
    "waf-in-front",
    controls=["seed checklist"],
    severity=Severity.MEDIUM,
    description="Every CloudFront distribution has a web ACL, and every internet-facing ALB an association.",
    production_only=True,
)
def waf_in_front(stack: Stack) -> Iterator[Finding]:
    for distribution in stack.of_type(DISTRIBUTION):
        if not is_set(distribution.props, "webAclId"):
            yield Finding(
                distribution,
                "webAclId is not set: attach a CLOUDFRONT-scope web ACL (us-east-1) with waf.enabled",
            )

    def check(lb: Resource) -> Iterator[Finding]:
        if is_application(lb) and is_internet_facing(lb) and not has_waf_association(stack, lb):
            yield Finding(lb, NO_WAF_MESSAGE)

    yield from each(stack.of_type(*LOAD_BALANCER), check)


RULES: tuple[Rule, ...] = (waf_web_acl_has_rules, waf_rule_metrics, waf_logging, waf_in_front)
