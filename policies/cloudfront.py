"""CloudFront rules: HTTPS to viewers and origins, certificates and TLS policy, OAC, logs, WAF.

Covered: CloudFront.1 (default root object), CloudFront.3 (viewers on HTTPS), CloudFront.5 (access
logs, legacy or v2 through CloudWatch log delivery; production only), CloudFront.6 (WAF; production
only), CloudFront.7 (custom certificate), CloudFront.8 (SNI), CloudFront.9 (HTTPS to custom
origins; VPC origins accepted), CloudFront.10 (no SSLv3 to origins), CloudFront.13 (S3 origins
through origin access control) and CloudFront.15 (recommended TLS policy). The seeds' "SSL/TLS
with ACM certificates" and "TLS everywhere users connect" are .3, .7 and .15.

Design exceptions, both structural (no custom domain): CloudFront.7 on a distribution without
aliases, which can only be served on its cloudfront.net name with CloudFront's certificate; and
CloudFront.9 on an http-only VPC origin of such a distribution, since without a domain there is no
name to issue the internal ALB a certificate for. With a domain, the VPC origin must be https-only
(``webapp:site.originTls``, prod's default then).

Not covered: CloudFront.4 (origin failover: one bucket and one ALB, no second origin to fail over
to), CloudFront.12 (origin bucket exists: a deploy-time fact the plan cannot see; our S3 origin is
always this stack's own bucket), CloudFront.2 (OAI; retired, replaced by .13), CloudFront.14/16/17
(tags, Lambda URL origins, signed-URL key groups: none of ours).
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

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ORIGIN_ACCESS_CONTROL = "aws:cloudfront/originAccessControl:OriginAccessControl"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
LOG_DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"

HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
RECOMMENDED_TLS_POLICIES = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
DEFAULT_DOMAIN_REASON = (
    "No custom domain configured (webapp:site.domain unset): the site is served on its cloudfront.net "
    "name with CloudFront's default certificate, TLS 1.2+"
)

# Shared with policies/elb.py, which reports the ALB's side of the same hop.
NO_ORIGIN_CERTIFICATE_REASON = (
    "No custom domain configured (webapp:site.domain unset), so no certificate for the origin: "
    "CloudFront reaches the internal ALB over plain HTTP through its VPC origin (and a blue/green "
    "test listener answers plain HTTP to the VPC only), hops inside this VPC on the AWS network; "
    "viewers reach CloudFront over HTTPS only"
)


def _get(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]``, None when absent (an unknown value raises, as the SDK intends)."""
    return props[key] if key in list(props.keys()) else None


def _list(props: Mapping[str, Any], key: str) -> list[Any]:
    value = _get(props, key)
    return [value[i] for i in range(len(value))] if value is not None else []


def _behaviors(distribution: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, behaviour) for the default behaviour and each ordered one."""
    behaviors: list[tuple[str, Mapping[str, Any]]] = []
    default = _get(distribution, "defaultCacheBehavior")
    if default is not None:
        behaviors.append(("defaultCacheBehavior", default))
    for behavior in _list(distribution, "orderedCacheBehaviors"):
        behaviors.append((f"behaviour {_get(behavior, 'pathPattern')}", behavior))
    return behaviors


def _origin_label(origin: Mapping[str, Any]) -> str:
    return f"origin {_get(origin, 'originId')}"


def _custom_certificate(distribution: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The viewer certificate block when it names an ACM or IAM certificate, else None."""
    certificate = _get(distribution, "viewerCertificate")
    if certificate is None:
        return None
    if is_set(certificate, "acmCertificateArn") or is_set(certificate, "iamCertificateId"):
        return certificate
    return None


@resource_rule(
    "cloudfront-default-root-object",
    types=[DISTRIBUTION],
    controls=["CloudFront.1"],
    severity=Severity.HIGH,
    description="Every distribution sets a default root object, so / does not list or expose the origin.",
)
def cloudfront_default_root_object(distribution: Resource) -> Iterator[str]:
    if not _get(distribution.props, "defaultRootObject"):
        yield "defaultRootObject is not set: set it to index.html so / serves the site"


@resource_rule(
    "cloudfront-viewer-https",
    types=[DISTRIBUTION],
    controls=["CloudFront.3", "seed checklist"],
    severity=Severity.MEDIUM,
    description="Every cache behaviour makes viewers use HTTPS (redirect-to-https or https-only).",
)
def cloudfront_viewer_https(distribution: Resource) -> Iterator[str]:
    for label, behavior in _behaviors(distribution.props):
        policy = _get(behavior, "viewerProtocolPolicy")
        if policy not in HTTPS_VIEWER_POLICIES:
            yield f"{label} has viewerProtocolPolicy {policy}: set it to redirect-to-https or https-only"


@stack_rule(
    "cloudfront-access-logging",
    controls=["CloudFront.5"],
    severity=Severity.MEDIUM,
    description="Every distribution writes access logs: legacy loggingConfig or a CloudWatch log delivery.",
    production_only=True,
)
def cloudfront_access_logging(stack: Stack) -> Iterator[Finding]:
    """v2 logs count when an ACCESS_LOGS delivery source is built from the distribution's ARN
    (``resourceArn``) and a log delivery is built from that source (``deliverySourceName``)."""
    return each(stack.of_type(DISTRIBUTION), lambda distribution: _access_logs(stack, distribution))


def _access_logs(stack: Stack, distribution: Resource) -> Iterator[Finding]:
    logging = _get(distribution.props, "loggingConfig")
    if logging is None or not is_set(logging, "bucket"):
        sources = [
            s
            for s in stack.referencing(distribution, "resourceArn", LOG_DELIVERY_SOURCE)
            if _get(s.props, "logType") == "ACCESS_LOGS"
        ]
        if not sources:
            yield Finding(
                distribution,
                "no access logs: add a CloudWatch log delivery (an ACCESS_LOGS LogDeliverySource for "
                "this distribution, a destination and a LogDelivery) or loggingConfig.bucket",
            )
        elif not any(stack.referencing(s, "deliverySourceName", LOG_DELIVERY) for s in sources):
            yield Finding(
                sources[0],
                "the ACCESS_LOGS delivery source has no LogDelivery: add one from this source to a "
                "LogDeliveryDestination, or no log is written",
            )


@resource_rule(
    "cloudfront-waf",
    types=[DISTRIBUTION],
    controls=["CloudFront.6"],
    severity=Severity.MEDIUM,
    description="Every distribution is protected by a WAFv2 web ACL (webAclId).",
    production_only=True,
)
def cloudfront_waf(distribution: Resource) -> Iterator[str]:
    if not is_set(distribution.props, "webAclId"):
        yield "webAclId is not set: attach a CLOUDFRONT-scope WAFv2 web ACL (webapp:waf.enabled true)"


@resource_rule(
    "cloudfront-custom-certificate",
    types=[DISTRIBUTION],
    controls=["CloudFront.7", "seed checklist"],
    severity=Severity.MEDIUM,
    description="Every distribution serves a custom ACM certificate, not the *.cloudfront.net default.",
)
def cloudfront_custom_certificate(distribution: Resource) -> Iterator[str | DesignException]:
    """With the default certificate CloudFront also fixes the viewer TLS policy at TLSv1, so
    CloudFront.15 cannot be met either; a custom domain (webapp:site.domain) fixes both.

    A distribution with no aliases has no name a custom certificate could be for: it is served on
    its cloudfront.net name, a design exception whatever the distribution is called."""
    if _custom_certificate(distribution.props) is None and not has_items(distribution.props, "aliases"):
        yield DesignException(DEFAULT_DOMAIN_REASON)
    elif _custom_certificate(distribution.props) is None:
        yield (
            "viewerCertificate uses the CloudFront default certificate: set acmCertificateArn (a "
            "us-east-1 ACM certificate for a custom domain, webapp:site.domain)"
        )


@resource_rule(
    "cloudfront-sni",
    types=[DISTRIBUTION],
    controls=["CloudFront.8"],
    severity=Severity.LOW,
    description="A distribution with a custom certificate serves HTTPS with SNI (sslSupportMethod sni-only).",
)
def cloudfront_sni(distribution: Resource) -> Iterator[str]:
    certificate = _custom_certificate(distribution.props)
    if certificate is not None:
        method = _get(certificate, "sslSupportMethod")
        if method != "sni-only":
            yield f"sslSupportMethod is {method}: set it to sni-only (vip costs $600 a month, not needed)"


@stack_rule(
    "cloudfront-origin-https",
    controls=["CloudFront.9"],
    severity=Severity.MEDIUM,
    description="Traffic to custom and VPC origins is encrypted (originProtocolPolicy https-only); an "
    "http-only VPC origin is a design exception only for a distribution without a custom domain.",
)
def cloudfront_origin_https(stack: Stack) -> Iterator[Finding]:
    """Custom origins need https-only, or match-viewer when every behaviour routed to them makes
    viewers use HTTPS (as AWS's own check accepts). S3 origins are signed with SigV4 over HTTPS by
    CloudFront.

    A VPC origin (the ``VpcOrigin`` a distribution's origins were computed from) needs https-only
    when the distribution has aliases: the domain's zone can then certify a name for the ALB
    (``webapp:site.originTls``). Without aliases its http-only is reported as a design exception:
    CloudFront reaches the internal load balancer through network interfaces it places in our VPC,
    so the hop never leaves the VPC and the AWS network, and no certificate could name the ALB."""
    return each(stack.of_type(DISTRIBUTION), lambda distribution: _origin_https(stack, distribution))


def _origin_https(stack: Stack, distribution: Resource) -> Iterator[Finding]:
    behaviors = _behaviors(distribution.props)
    origins = _list(distribution.props, "origins")
    for origin in origins:
        config = _get(origin, "customOriginConfig")
        if config is None:
            continue
        policy = _get(config, "originProtocolPolicy")
        if policy == "https-only":
            continue
        if policy == "match-viewer":
            origin_id = _get(origin, "originId")
            routed = [b for _, b in behaviors if _get(b, "targetOriginId") == origin_id]
            if all(_get(b, "viewerProtocolPolicy") in HTTPS_VIEWER_POLICIES for b in routed):
                continue
        yield Finding(
            distribution, f"{_origin_label(origin)} has originProtocolPolicy {policy}: set it to https-only"
        )
    if not any(_get(origin, "vpcOriginConfig") is not None for origin in origins):
        return
    for vpc_origin in stack.referenced_by(distribution, "origins"):
        if vpc_origin.type != VPC_ORIGIN:
            continue
        endpoint = _get(vpc_origin.props, "vpcOriginEndpointConfig")
        policy = _get(endpoint, "originProtocolPolicy") if endpoint is not None else None
        if policy == "https-only":
            continue
        if not has_items(distribution.props, "aliases"):
            yield Finding.design_exception(vpc_origin, NO_ORIGIN_CERTIFICATE_REASON)
            continue
        yield Finding(
            vpc_origin,
            f"originProtocolPolicy is {policy} although the distribution has a custom domain: set it to "
            "https-only with a certificate on the load balancer for the origin's domain name "
            "(webapp:site.originTls: true)",
        )


def _is_s3_origin(origin: Mapping[str, Any]) -> bool:
    return _get(origin, "customOriginConfig") is None and _get(origin, "vpcOriginConfig") is None


def _ssl_protocols(props: Any) -> list[str]:
    return [str(p) for p in props] if props is not None else []


@resource_rule(
    "cloudfront-origin-ssl-protocols",
    types=[DISTRIBUTION, VPC_ORIGIN],
    controls=["CloudFront.10"],
    severity=Severity.MEDIUM,
    description="CloudFront never offers SSLv3 to custom or VPC origins (originSslProtocols).",
)
def cloudfront_origin_ssl_protocols(resource: Resource) -> Iterator[str]:
    message = "{} allows SSLv3 in originSslProtocols: list only TLSv1.2"
    if resource.type == VPC_ORIGIN:
        endpoint = _get(resource.props, "vpcOriginEndpointConfig")
        protocols = _get(endpoint, "originSslProtocols") if endpoint is not None else None
        if "SSLv3" in _ssl_protocols(_get(protocols, "items") if protocols is not None else None):
            yield message.format("vpcOriginEndpointConfig")
        return
    for origin in _list(resource.props, "origins"):
        config = _get(origin, "customOriginConfig")
        if config is not None and "SSLv3" in _ssl_protocols(_get(config, "originSslProtocols")):
            yield message.format(_origin_label(origin))


@resource_rule(
    "cloudfront-s3-origin-access-control",
    types=[DISTRIBUTION, ORIGIN_ACCESS_CONTROL],
    controls=["CloudFront.13"],
    severity=Severity.MEDIUM,
    description="S3 origins are read through an origin access control that signs every request, not "
    "an origin access identity.",
)
def cloudfront_s3_origin_access_control(resource: Resource) -> Iterator[str]:
    """An origin with neither customOriginConfig nor vpcOriginConfig is an S3 origin (how the
    provider tells them apart); its domain name is not read, as it is unknown during a preview."""
    if resource.type == ORIGIN_ACCESS_CONTROL:
        behavior = _get(resource.props, "signingBehavior")
        if behavior != "always":
            yield f"signingBehavior is {behavior}: set it to always so CloudFront signs every origin request"
        return
    for origin in _list(resource.props, "origins"):
        s3_config = _get(origin, "s3OriginConfig")
        if s3_config is not None and is_set(s3_config, "originAccessIdentity"):
            yield (
                f"{_origin_label(origin)} uses an origin access identity: replace it with "
                "originAccessControlId (origin access control)"
            )
        elif _is_s3_origin(origin) and not is_set(origin, "originAccessControlId"):
            yield (
                f"{_origin_label(origin)} reads S3 without origin access control: set "
                "originAccessControlId and grant the distribution in the bucket policy"
            )


@resource_rule(
    "cloudfront-tls-policy",
    types=[DISTRIBUTION],
    controls=["CloudFront.15", "seed checklist"],
    severity=Severity.MEDIUM,
    description="A distribution with a custom certificate requires TLSv1.2_2021 or newer from viewers.",
)
def cloudfront_tls_policy(distribution: Resource) -> Iterator[str]:
    certificate = _custom_certificate(distribution.props)
    if certificate is not None:
        version = _get(certificate, "minimumProtocolVersion")
        if version not in RECOMMENDED_TLS_POLICIES:
            yield f"minimumProtocolVersion is {version}: set it to TLSv1.2_2021 or a newer policy"


RULES: tuple[Rule, ...] = (
    cloudfront_default_root_object,
    cloudfront_viewer_https,
    cloudfront_access_logging,
    cloudfront_waf,
    cloudfront_custom_certificate,
    cloudfront_sni,
    cloudfront_origin_https,
    cloudfront_origin_ssl_protocols,
    cloudfront_s3_origin_access_control,
    cloudfront_tls_policy,
)
