"""Config model for the WebAcl component (stack config key ``<project>:waf``)."""

from typing import Annotated, Any

from pydantic import BeforeValidator, field_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.log_retention import RetentionDays

# AWS WAF's range for a rate-based rule's limit (the API reference; it was 100 before 2023).
RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000


class ManagedRuleGroup(ConfigEnum):
    """AWS managed rule groups this stack offers (vendor ``AWS``).

    All are included in the web ACL price except ``AWSManagedRulesBotControlRuleSet``, which
    adds a monthly subscription plus a charge per million requests inspected.
    """

    COMMON = "AWSManagedRulesCommonRuleSet"
    """The core rule set: OWASP Top 10 style exploits such as XSS and bad request sizes."""
    KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"
    """Request patterns known to be malicious, such as Log4j exploit strings."""
    AMAZON_IP_REPUTATION = "AWSManagedRulesAmazonIpReputationList"
    """IP addresses Amazon threat intelligence flags as bots or attackers."""
    SQLI = "AWSManagedRulesSQLiRuleSet"
    """SQL injection in query strings, bodies, cookies and URIs."""
    LINUX = "AWSManagedRulesLinuxRuleSet"
    """Linux-specific exploits such as local file inclusion."""
    ANONYMOUS_IP = "AWSManagedRulesAnonymousIpList"
    """Requests from VPNs, proxies, Tor and hosting providers that hide the client."""
    BOT_CONTROL = "AWSManagedRulesBotControlRuleSet"
    """Bot detection: a monthly subscription plus a charge per million requests inspected."""


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
    """Create the web ACL (about $5/month plus $1 per rule and $0.60 per million requests)."""
    rate_limit_per5_minutes: Annotated[int, InSchema(minimum=RATE_LIMIT_MIN, maximum=RATE_LIMIT_MAX)] = 1000
    """Requests one client IP may send in 5 minutes before it is blocked (a rate-based rule)."""
    managed_rule_groups: tuple[Annotated[ManagedRuleGroup, BeforeValidator(_known_group)], ...] = (
        DEFAULT_MANAGED_RULE_GROUPS
    )
    """AWS managed rule groups to apply, each at most once."""
    block_mode: bool = True
    """Block matching requests; false only counts them, for a rollout watched in metrics and logs."""
    log_retention_days: RetentionDays = 30
    """Days CloudWatch Logs keeps the web ACL's request logs."""

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
