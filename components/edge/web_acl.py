"""WebAcl: an AWS WAFv2 web ACL with AWS managed rule groups, a per-IP rate limit and logging."""

import re
from typing import Literal

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from .web_acl_args import ManagedRuleGroup, WebAclArgs

Scope = Literal["CLOUDFRONT", "REGIONAL"]

RATE_RULE_NAME = "RateLimitPerIp"
# Never written to the logs: session tokens and credentials travel in these headers.
# WAF wants header names in lowercase.
REDACTED_HEADERS = ("authorization", "cookie")


class WebAcl(pulumi.ComponentResource):
    """A WAFv2 web ACL that allows by default and blocks what its rules match.

    Rules, in evaluation order: one per entry of ``managed_rule_groups`` (vendor ``AWS``, priority
    = list position), then ``RateLimitPerIp``, which blocks a client IP sending more than
    ``rate_limit_per5_minutes`` requests in 5 minutes. With ``block_mode`` false every rule only
    counts. Each rule and the ACL publish CloudWatch metrics and sampled requests. Every request
    is logged to the CloudWatch log group ``aws-waf-logs-<project>-<stack>-<name>`` (WAF only
    writes to groups with that prefix) with the ``authorization`` and ``cookie`` headers redacted.

    Create it only when ``args.enabled`` is true; the component itself does not read ``enabled``
    (the stack does not create one yet: attaching it to the distribution or the ALB comes with
    the edge wiring).

    ``scope="REGIONAL"`` protects an ALB (or API Gateway stage, ...) in the provider's region:
    attach it with ``associate``. ``scope="CLOUDFRONT"`` must live in us-east-1 whatever the
    stack's region, so pass a us-east-1 provider in ``opts`` (the log group follows it); attach it
    through the distribution's ``web_acl_id`` (this ACL's ``arn``), not through ``associate``.
    ``log_kms_key_arn`` encrypts the log group with a key of the log group's region (the
    provider's: a us-east-1 key for a CLOUDFRONT ACL).

    Example::

        waf = WebAcl("waf", WebAclArgs(enabled=True), scope="REGIONAL",
                     opts=pulumi.ResourceOptions(providers={"aws": provider}))
        waf.associate("alb", load_balancer.arn)

        edge = WebAcl("edge", WebAclArgs(enabled=True), scope="CLOUDFRONT",
                      opts=pulumi.ResourceOptions(providers={"aws": us_east_1}))
        aws.cloudfront.Distribution("cdn", web_acl_id=edge.arn, ...)
    """

    arn: pulumi.Output[str]
    id: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: WebAclArgs,
        *,
        scope: Scope,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:WebAcl", name, None, opts)
        self._name = name
        self.scope: Scope = scope
        self._acl(name, args, scope)
        self._logging(name, args, log_kms_key_arn)
        register_declared_outputs(self)

    def _acl(self, name: str, args: WebAclArgs, scope: Scope) -> None:
        """The web ACL: the managed rule groups in order, then the per-IP rate limit."""
        child = pulumi.ResourceOptions(parent=self)
        project, stack = pulumi.get_project(), pulumi.get_stack()
        # Web ACL and metric names allow only letters, digits, '-' and '_'.
        acl_name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{project}-{stack}-{name}")
        rules = [
            _managed_rule(group, priority, args.block_mode)
            for priority, group in enumerate(args.managed_rule_groups)
        ]
        rules.append(_rate_rule(len(rules), args.rate_limit_per5_minutes, args.block_mode))
        self.web_acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            name=acl_name,
            description=f"{project}/{stack} {name}: AWS managed rules and a per-IP rate limit",
            scope=scope,
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=acl_name, sampled_requests_enabled=True
            ),
            opts=child,
        )
        self.arn = self.web_acl.arn
        self.id = self.web_acl.id

    def _logging(self, name: str, args: WebAclArgs, kms_key_arn: pulumi.Input[str] | None) -> None:
        """WAF logs to ``aws-waf-logs-...`` (the prefix WAF requires), sensitive headers redacted."""
        child = pulumi.ResourceOptions(parent=self)
        project, stack = pulumi.get_project(), pulumi.get_stack()
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"aws-waf-logs-{project}-{stack}-{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=kms_key_arn,
            opts=child,
        )
        self.log_group_name = self.log_group.name
        self.logging = aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.web_acl.arn,
            # The provider strips the ":*" suffix from a log group's ARN, which WAF would reject.
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name=header
                    )
                )
                for header in REDACTED_HEADERS
            ],
            opts=child,
        )

    def associate(self, resource_name: str, resource_arn: pulumi.Input[str]) -> aws.wafv2.WebAclAssociation:
        """Protect a regional resource (an ALB's ARN, ...) with this ACL.

        The association is named ``<component name>-<resource_name>``. CloudFront distributions
        take the ACL through their own ``web_acl_id`` instead, so a CLOUDFRONT ACL refuses.
        """
        if self.scope == "CLOUDFRONT":
            raise ValueError(
                f"WebAcl {self._name!r} has scope CLOUDFRONT: attach it by setting the distribution's "
                "web_acl_id to its arn; associate() is for REGIONAL web ACLs"
            )
        return aws.wafv2.WebAclAssociation(
            f"{self._name}-{resource_name}",
            resource_arn=resource_arn,
            web_acl_arn=self.web_acl.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _visibility(metric_name: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _managed_rule(group: ManagedRuleGroup, priority: int, block: bool) -> aws.wafv2.WebAclRuleArgs:
    override = (
        aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs())
        if block
        else aws.wafv2.WebAclRuleOverrideActionArgs(count=aws.wafv2.WebAclRuleOverrideActionCountArgs())
    )
    configs = None
    if group is ManagedRuleGroup.BOT_CONTROL:
        # COMMON: the base bot detection; TARGETED costs more again.
        configs = [
            aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgs(
                aws_managed_rules_bot_control_rule_set=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigAwsManagedRulesBotControlRuleSetArgs(
                    inspection_level="COMMON"
                )
            )
        ]
    return aws.wafv2.WebAclRuleArgs(
        name=group.value,
        priority=priority,
        override_action=override,
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                name=group.value, vendor_name="AWS", managed_rule_group_configs=configs
            )
        ),
        visibility_config=_visibility(group.value),
    )


def _rate_rule(priority: int, limit: int, block: bool) -> aws.wafv2.WebAclRuleArgs:
    action = (
        aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs())
        if block
        else aws.wafv2.WebAclRuleActionArgs(count=aws.wafv2.WebAclRuleActionCountArgs())
    )
    return aws.wafv2.WebAclRuleArgs(
        name=RATE_RULE_NAME,
        priority=priority,
        action=action,
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                aggregate_key_type="IP", limit=limit, evaluation_window_sec=300
            )
        ),
        visibility_config=_visibility(RATE_RULE_NAME),
    )
