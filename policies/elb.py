"""Application Load Balancer rules: the load balancer, its listeners, and what stands in front.

Covers ELB.1 (HTTP redirects to HTTPS), ELB.4 (drop invalid headers), ELB.5 (access logs,
production), ELB.6 (deletion protection, production), ELB.12 (desync mitigation), ELB.13 (two
or more subnets), ELB.16 (WAF, production), ELB.17 (recommended TLS policy) and ELB.18 (secure
listener protocols).

The CDN front door: with ``loadBalancer.frontDoor: cdn`` the ALB is internal and CloudFront
reaches it through a VPC origin, over HTTPS:443 with ``site.originTls`` (a custom domain certifies
the origin's name), else over plain HTTP:80 (ADR 0006); viewers only ever talk HTTPS to
CloudFront. ELB.1 and ELB.18 report such an HTTP listener as a design exception (no custom domain,
so no certificate for the origin) when no distribution in front of the ALB has aliases and the
ALB is *cdn-only*: internal,
and every ingress rule on its security groups admits nothing but a group the stack looked up
for a CloudFront VPC origin (a ``SecurityGroupIngressRule`` whose ``referencedSecurityGroupId``
was computed from an ``aws:cloudfront/vpcOrigin:VpcOrigin``, as components/edge/static_site.py
does), with no CIDR, prefix list, inline or legacy ``SecurityGroupRule`` ingress and at least
one such rule. For ELB.16 a cdn-only ALB is covered by the web ACL of the distribution(s) whose
origins point at it (directly or through its VPC origin); every other ALB, internal or not,
needs its own ``WebAclAssociation``. An internet-facing ALB never gets the exception.

ELB.13 counts subnets (or subnet mappings): the plan holds subnet ids, not their zones, so two
distinct subnets stand for two AZs (the Network component puts one subnet per AZ in each tier).

Not covered: ELB.2/3/7/8/9/10/14 (Classic Load Balancers: none here); target groups have no FSBP
control, and HTTP from the ALB to tasks in private subnets is deliberate (TLS ends at the ALB).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from ._framework import (
    DesignException,
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
from .cloudfront import NO_ORIGIN_CERTIFICATE_REASON
from .ec2 import admits_private_test_traffic_only

LOAD_BALANCER = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULE = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUP = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"

# Security Hub's recommended policies: TLS 1.3 policies whose floor is TLS 1.2 (any variant:
# Res, Ext, FIPS, PQ) or TLS 1.3, and the forward-secrecy TLS 1.2 "Res" policies.
RECOMMENDED_TLS_PREFIXES = ("ELBSecurityPolicy-TLS13-1-2-", "ELBSecurityPolicy-TLS13-1-3-")
RECOMMENDED_TLS_POLICIES = frozenset(
    {"ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2020-10"}
)
SECURE_PROTOCOLS = ("HTTPS", "TLS")
SAFE_DESYNC_MODES = ("defensive", "strictest")
CIDR_KEYS = ("cidrIpv4", "cidrIpv6", "prefixListId")


# --- shared judgements (wafv2.py uses them too) -------------------------------------------------


def is_application(lb: Resource) -> bool:
    return lb.props.get("loadBalancerType") in (None, "application")


def is_internet_facing(lb: Resource) -> bool:
    return lb.props.get("internal") is not True


def _from_cloudfront_vpc_origin(stack: Stack, rule: Resource) -> bool:
    if any(is_set(rule.props, key) for key in CIDR_KEYS) or not is_set(
        rule.props, "referencedSecurityGroupId"
    ):
        return False
    sources = stack.referenced_by(rule, "referencedSecurityGroupId")
    # A group the stack creates itself is not CloudFront's; the looked-up one comes from the origin.
    return any(s.type == VPC_ORIGIN for s in sources) and not any(s.type == SECURITY_GROUP for s in sources)


def is_cdn_only(stack: Stack, lb: Resource) -> bool:
    """Internal, and reachable only from CloudFront's VPC-origin security group (see module doc),
    apart from private addresses on a blue/green test listener's port."""
    if is_internet_facing(lb):
        return False
    groups = [g for g in stack.referenced_by(lb, "securityGroups") if g.type == SECURITY_GROUP]
    if not groups:
        return False
    admitted = 0
    for group in groups:
        if has_items(group.props, "ingress"):
            return False
        if any(
            r.props.get("type") != "egress"
            for r in stack.referencing(group, "securityGroupId", LEGACY_SG_RULE)
        ):
            return False
        for rule in stack.referencing(group, "securityGroupId", INGRESS_RULE):
            if admits_private_test_traffic_only(stack, lb, rule):
                continue  # a blue/green test listener, answered inside the VPC only
            if not _from_cloudfront_vpc_origin(stack, rule):
                return False
            admitted += 1
    return admitted > 0


def fronting_distributions(stack: Stack, lb: Resource) -> list[Resource]:
    """CloudFront distributions with an origin computed from ``lb`` or from its VPC origin."""
    sources = [lb, *stack.referencing(lb, "vpcOriginEndpointConfig", VPC_ORIGIN)]
    return [d for d in stack.of_type(DISTRIBUTION) if any(d.depends_on("origins", s) for s in sources)]


def has_waf_association(stack: Stack, lb: Resource) -> bool:
    return bool(stack.referencing(lb, "resourceArn", WEB_ACL_ASSOCIATION))


NO_WAF_MESSAGE = (
    "no WAF web ACL is associated: add an aws.wafv2.WebAclAssociation whose resourceArn is this "
    "load balancer's arn (a REGIONAL web ACL)"
)


# --- listeners -----------------------------------------------------------------------------------


def _actions(props: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [a for a in (props.get(key) or []) if isinstance(a, Mapping)]


def _redirects_to_https(actions: list[Mapping[str, Any]]) -> bool:
    terminal = [
        a for a in actions if a.get("type") != "authenticate-cognito" and a.get("type") != "authenticate-oidc"
    ]
    return bool(terminal) and all(
        a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS" for a in terminal
    )


def _describe(actions: list[Mapping[str, Any]]) -> str:
    kinds = [str(a.get("type")) for a in actions]
    return "+".join(kinds) if kinds else "missing"


def _protocol(listener: Resource, lbs: list[Resource]) -> str | None:
    protocol = listener.props.get("protocol")
    if protocol is None and any(is_application(lb) for lb in lbs):
        return "HTTP"  # the provider's default for an ALB listener
    return protocol


def _behind_a_custom_domain(stack: Stack, lbs: list[Resource]) -> bool:
    return any(has_items(d.props, "aliases") for lb in lbs for d in fronting_distributions(stack, lb))


def _http_problem(stack: Stack, listener: Resource) -> str | DesignException | None:
    """Why a plain-HTTP listener is not acceptable, None (redirect-only), or the design exception
    of a cdn-only ALB whose distributions have no custom domain to certify its name."""
    lbs = [lb for lb in stack.referenced_by(listener, "loadBalancerArn") if lb.type in LOAD_BALANCER]
    if _protocol(listener, lbs) != "HTTP":
        return None
    default = _actions(listener.props, "defaultActions")
    rules = stack.referencing(listener, "listenerArn", *LISTENER_RULE)
    bad_rules = [r for r in rules if not _redirects_to_https(_actions(r.props, "actions"))]
    if _redirects_to_https(default) and not bad_rules:
        return None
    if lbs and all(is_cdn_only(stack, lb) for lb in lbs):
        if not _behind_a_custom_domain(stack, lbs):
            return DesignException(NO_ORIGIN_CERTIFICATE_REASON)
        return (
            "HTTP listener serves the CloudFront distribution of a custom domain: serve HTTPS:443 with "
            "a certificate for the origin's name instead (webapp:site.originTls: true)"
        )
    what = f"default action is {_describe(default)}"
    if _redirects_to_https(default):
        what = f"{len(bad_rules)} listener rule(s) serve plain HTTP"
    if lbs and not any(is_internet_facing(lb) for lb in lbs):
        return (
            f"HTTP listener {what}: redirect to HTTPS, or admit only CloudFront's VPC-origin security "
            "group on the internal load balancer (then CloudFront alone reaches it)"
        )
    return (
        f"HTTP listener on an internet-facing load balancer: its {what}; make every action a redirect "
        'with protocol "HTTPS" (port 443, HTTP_301) and serve on an HTTPS listener'
    )


@stack_rule(
    "elb-http-redirects-to-https",
    controls=["ELB.1"],
    severity=Severity.MEDIUM,
    description=(
        "HTTP listeners only redirect to HTTPS; an internal ALB that only CloudFront VPC origins "
        "can reach may serve HTTP as a design exception while the site has no custom domain."
    ),
)
def elb_http_redirects_to_https(stack: Stack) -> Iterator[Finding]:
    def check(listener: Resource) -> Iterator[Finding]:
        problem = _http_problem(stack, listener)
        if isinstance(problem, DesignException):
            yield Finding.design_exception(listener, problem.reason)
        elif problem is not None:
            yield Finding(listener, problem)

    return each(stack.of_type(*LISTENER), check)


@stack_rule(
    "elb-listener-secure-protocol",
    controls=["ELB.18"],
    severity=Severity.MEDIUM,
    description=(
        "Listeners use HTTPS or TLS, or HTTP only to redirect to HTTPS (or, as a design exception, "
        "behind a CloudFront distribution without a custom domain on a cdn-only internal ALB)."
    ),
)
def elb_listener_secure_protocol(stack: Stack) -> Iterator[Finding]:
    return each(stack.of_type(*LISTENER), lambda listener: _secure_protocol(stack, listener))


def _secure_protocol(stack: Stack, listener: Resource) -> Iterator[Finding]:
    lbs = [lb for lb in stack.referenced_by(listener, "loadBalancerArn") if lb.type in LOAD_BALANCER]
    if any(lb.props.get("loadBalancerType") == "gateway" for lb in lbs):
        return  # GENEVE: no protocol to choose
    protocol = _protocol(listener, lbs)
    if protocol in SECURE_PROTOCOLS:
        return
    if protocol == "HTTP":
        problem = _http_problem(stack, listener)
        if isinstance(problem, DesignException):
            yield Finding.design_exception(listener, problem.reason)
        elif problem is not None:
            yield Finding(
                listener,
                "protocol is HTTP and the listener serves traffic: use HTTPS with a certificate, "
                "keeping HTTP only as a redirect to HTTPS",
            )
        return
    yield Finding(listener, f"protocol is {protocol}: use TLS (or HTTPS) so traffic is encrypted in transit")


@resource_rule(
    "elb-tls-policy",
    types=LISTENER,
    controls=["ELB.17"],
    severity=Severity.MEDIUM,
    description="HTTPS and TLS listeners use a recommended TLS 1.3 (or FS-1-2-Res) security policy.",
)
def elb_tls_policy(listener: Resource) -> Iterator[str]:
    if listener.props.get("protocol") not in SECURE_PROTOCOLS:
        return
    policy = listener.props.get("sslPolicy")
    if policy in RECOMMENDED_TLS_POLICIES or (
        isinstance(policy, str) and policy.startswith(RECOMMENDED_TLS_PREFIXES)
    ):
        return
    shown = f'"{policy}"' if policy else "not set (ELBSecurityPolicy-2016-08, which allows TLS 1.0)"
    yield f'sslPolicy is {shown}: set it to "ELBSecurityPolicy-TLS13-1-2-2021-06" or another TLS13-1-2 policy'


# --- load balancers ------------------------------------------------------------------------------


@resource_rule(
    "elb-drop-invalid-headers",
    types=LOAD_BALANCER,
    controls=["ELB.4"],
    severity=Severity.MEDIUM,
    description="Application Load Balancers drop invalid HTTP header fields.",
)
def elb_drop_invalid_headers(lb: Resource) -> Iterator[str]:
    if is_application(lb) and lb.props.get("dropInvalidHeaderFields") is not True:
        value = lb.props.get("dropInvalidHeaderFields")
        yield f"dropInvalidHeaderFields is {'not set' if value is None else value}: set it to true"


@resource_rule(
    "elb-access-logs",
    types=LOAD_BALANCER,
    controls=["ELB.5"],
    severity=Severity.MEDIUM,
    description="Application Load Balancers write access logs to S3.",
    production_only=True,
)
def elb_access_logs(lb: Resource) -> Iterator[str]:
    if not is_application(lb):
        return
    logs = lb.props.get("accessLogs") or {}
    if logs.get("enabled") is not True or not is_set(logs, "bucket"):
        yield "accessLogs is not enabled: set accessLogs.enabled to true with an S3 bucket to write to"


@resource_rule(
    "elb-deletion-protection",
    types=LOAD_BALANCER,
    controls=["ELB.6"],
    severity=Severity.MEDIUM,
    description="Application Load Balancers have deletion protection.",
    production_only=True,
)
def elb_deletion_protection(lb: Resource) -> Iterator[str]:
    if is_application(lb) and lb.props.get("enableDeletionProtection") is not True:
        yield "enableDeletionProtection is not true: set it to true (loadBalancer.deletionProtection)"


@resource_rule(
    "elb-desync-mitigation",
    types=LOAD_BALANCER,
    controls=["ELB.12"],
    severity=Severity.MEDIUM,
    description="Application Load Balancers use the defensive or strictest desync mitigation mode.",
)
def elb_desync_mitigation(lb: Resource) -> Iterator[str]:
    mode = lb.props.get("desyncMitigationMode")
    if is_application(lb) and mode is not None and mode not in SAFE_DESYNC_MODES:
        yield f'desyncMitigationMode is "{mode}": set it to "defensive" or "strictest"'


@resource_rule(
    "elb-multiple-azs",
    types=LOAD_BALANCER,
    controls=["ELB.13"],
    severity=Severity.MEDIUM,
    description="Load balancers span at least two subnets in different Availability Zones.",
)
def elb_multiple_azs(lb: Resource) -> Iterator[str]:
    # Counted without reading the items: subnet IDs are unknown until the subnets exist, their
    # number is not. An unknown list raises.
    count = len(lb.props.get("subnets") or []) or len(lb.props.get("subnetMappings") or [])
    if count < 2:
        yield f"it has {count} subnet(s): give it subnets in at least two Availability Zones"


@stack_rule(
    "elb-waf-attached",
    controls=["ELB.16"],
    severity=Severity.MEDIUM,
    description=(
        "Every ALB has a WAF web ACL association, or is internal, reached only by CloudFront, "
        "and covered by the distribution's web ACL."
    ),
    production_only=True,
)
def elb_waf_attached(stack: Stack) -> Iterator[Finding]:
    return each(stack.of_type(*LOAD_BALANCER), lambda lb: _waf_attached(stack, lb))


def _waf_attached(stack: Stack, lb: Resource) -> Iterator[Finding]:
    if not is_application(lb) or has_waf_association(stack, lb):
        return
    if not is_cdn_only(stack, lb):
        yield Finding(lb, NO_WAF_MESSAGE)
        return
    distributions = fronting_distributions(stack, lb)
    if not distributions:
        yield Finding(
            lb,
            "only CloudFront reaches it, but no distribution in this stack routes to it: associate a "
            "regional web ACL, or route to it from a distribution with webAclId",
        )
    elif not all(is_set(d.props, "webAclId") for d in distributions):
        yield Finding(
            lb,
            "the CloudFront distribution in front of it has no webAclId: set webAclId (waf.enabled) so "
            "the edge web ACL filters API requests too",
        )


RULES: tuple[Rule, ...] = (
    elb_http_redirects_to_https,
    elb_drop_invalid_headers,
    elb_access_logs,
    elb_deletion_protection,
    elb_desync_mitigation,
    elb_multiple_azs,
    elb_waf_attached,
    elb_tls_policy,
    elb_listener_secure_protocol,
)
