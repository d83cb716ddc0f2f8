"""Config model for the WebAcl component (stack config key ``<project>:waf``)."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, field_validator

from ..core._model import ConfigModel
from ..core.log_retention import RetentionDays

# AWS WAF's range for a rate-based rule's limit (the API reference; it was 100 before 2023).
RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000


class ManagedRuleGroup(StrEnum):
    """AWS managed rule groups this stack offers (vendor ``AWS``).

    All are included in the web ACL price except ``AWSManagedRulesBotControlRuleSet``, which
    adds a monthly subscription plus a charge per million requests inspected.
    """

    COMMON = "AWSManagedRulesCommonRuleSet"
    KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"
    AMAZON_IP_REPUTATION = "AWSManagedRulesAmazonIpReputationList"
    SQLI = "AWSManagedRulesSQLiRuleSet"
    LINUX = "AWSManagedRulesLinuxRuleSet"
    ANONYMOUS_IP = "AWSManagedRulesAnonymousIpList"
    BOT_CONTROL = "AWSManagedRulesBotControlRuleSet"


DEFAULT_MANAGED_RULE_GROUPS = (
    ManagedRuleGroup.COMMON,
    ManagedRuleGroup.KNOWN_BAD_INPUTS,
    ManagedRuleGroup.AMAZON_IP_REPUTATION,
    ManagedRuleGroup.SQLI,
)


def _known_group(value: Any) -> Any:
    # Replaces pydantic's bare enum message with one that also warns about Bot Control's price.
    if value not in {g.value for g in ManagedRuleGroup}:
        allowed = ", ".join(g.value for g in ManagedRuleGroup)
        raise ValueError(
            f"must be one of {allowed} (AWSManagedRulesBotControlRuleSet costs extra per request)"
        )
    return value


class WebAclArgs(ConfigModel):
    """An AWS WAF web ACL in front of the app; profiles fill more defaults.

    Dev: ``enabled`` false, so the program creates no WebAcl at all (a web ACL costs about
    $5/month plus $1 per rule and $0.60 per million requests). Prod: ``enabled`` true. When
    enabled: the four baseline AWS managed rule groups, a per-IP limit of 1000 requests per
    5 minutes, and blocking on. ``blockMode`` false turns every rule into count-only for a
    rollout: watch the metrics and logs, then switch it on.

    Example::

        WebAclArgs(enabled=True, rate_limit_per5_minutes=2000,
                   managed_rule_groups=(*DEFAULT_MANAGED_RULE_GROUPS, ManagedRuleGroup.LINUX),
                   block_mode=False, log_retention_days=90)
    """

    enabled: bool = False
    rate_limit_per5_minutes: int = 1000
    managed_rule_groups: tuple[Annotated[ManagedRuleGroup, BeforeValidator(_known_group)], ...] = (
        DEFAULT_MANAGED_RULE_GROUPS
    )
    block_mode: bool = True
    log_retention_days: RetentionDays = 30

    @field_validator("rate_limit_per5_minutes")
    @classmethod
    def _rate_limit(cls, value: int) -> int:
        if not RATE_LIMIT_MIN <= value <= RATE_LIMIT_MAX:
            raise ValueError(
                f"must be from {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX} requests per 5 minutes per client IP "
                "(AWS WAF's range for a rate-based rule)"
            )
        return value

    @field_validator("managed_rule_groups")
    @classmethod
    def _no_duplicates(cls, value: tuple[ManagedRuleGroup, ...]) -> tuple[ManagedRuleGroup, ...]:
        seen: set[ManagedRuleGroup] = set()
        for group in value:
            if group in seen:
                raise ValueError(f"lists {group.value} twice; each rule group may appear once")
            seen.add(group)
        return value
