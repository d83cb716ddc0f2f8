import copy
import json
from functools import cache
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies import cloudfront as cf
from policies._framework import Resource, Rule, Stack, stack_from
from tests.harness import plan, stack_config
from tests.policy_harness import plan_stack, resource, stack

S3_ORIGIN = {"originId": "site", "domainName": "b.s3.us-east-1.amazonaws.com", "originAccessControlId": "oac"}
API_ORIGIN = {"originId": "api", "domainName": "alb.internal", "vpcOriginConfig": {"vpcOriginId": "vo"}}
CUSTOM_ORIGIN = {
    "originId": "custom",
    "domainName": "api.example.com",
    "customOriginConfig": {
        "httpPort": 80,
        "httpsPort": 443,
        "originProtocolPolicy": "https-only",
        "originSslProtocols": ["TLSv1.2"],
    },
}
DISTRIBUTION: dict[str, Any] = {
    "enabled": True,
    "defaultRootObject": "index.html",
    "webAclId": "arn:aws:wafv2:us-east-1:1:global/webacl/a/b",
    "viewerCertificate": {
        "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    },
    "origins": [S3_ORIGIN, API_ORIGIN, CUSTOM_ORIGIN],
    "defaultCacheBehavior": {"targetOriginId": "site", "viewerProtocolPolicy": "redirect-to-https"},
    "orderedCacheBehaviors": [
        {"pathPattern": "/api/*", "targetOriginId": "api", "viewerProtocolPolicy": "https-only"},
        {"pathPattern": "/ext/*", "targetOriginId": "custom", "viewerProtocolPolicy": "https-only"},
    ],
}
VPC_ORIGIN_PROPS = {
    "vpcOriginEndpointConfig": {
        "name": "api",
        "arn": "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/b",
        "httpPort": 80,
        "httpsPort": 443,
        "originProtocolPolicy": "http-only",
        "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1},
    }
}


def distribution(**changes: Any) -> Resource:
    """The compliant distribution above with top-level properties replaced (None removes one)."""
    props = copy.deepcopy(DISTRIBUTION)
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value
    return resource(cf.DISTRIBUTION, props, "cdn")


RESOURCE_RULES = [rule for rule in cf.RULES if rule.check_resource is not None]


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=lambda r: r.name)
def test_compliant_distribution_passes_every_resource_rule(rule: Rule) -> None:
    assert rule.messages(distribution()) == []
    assert rule.messages(resource(cf.VPC_ORIGIN, VPC_ORIGIN_PROPS)) == []


def test_default_root_object_is_required() -> None:
    assert cf.cloudfront_default_root_object.messages(distribution(defaultRootObject="")) == [
        "defaultRootObject is not set: set it to index.html so / serves the site"
    ]


def test_every_behaviour_must_send_viewers_to_https() -> None:
    behaviors = [
        {"pathPattern": "/a/*", "targetOriginId": "site", "viewerProtocolPolicy": "allow-all"},
        {"pathPattern": "/b/*", "targetOriginId": "site", "viewerProtocolPolicy": "https-only"},
    ]
    subject = distribution(
        defaultCacheBehavior={"targetOriginId": "site", "viewerProtocolPolicy": "allow-all"},
        orderedCacheBehaviors=behaviors,
    )
    assert cf.cloudfront_viewer_https.messages(subject) == [
        "defaultCacheBehavior has viewerProtocolPolicy allow-all: set it to redirect-to-https or https-only",
        "behaviour /a/* has viewerProtocolPolicy allow-all: set it to redirect-to-https or https-only",
    ]


def test_waf_is_required() -> None:
    assert cf.cloudfront_waf.messages(distribution(webAclId=None)) == [
        "webAclId is not set: attach a CLOUDFRONT-scope WAFv2 web ACL (webapp:waf.enabled true)"
    ]


def test_default_certificate_fails_custom_certificate_only() -> None:
    subject = distribution(viewerCertificate={"cloudfrontDefaultCertificate": True}, aliases=["example.com"])
    assert cf.cloudfront_custom_certificate.messages(subject) == [
        "viewerCertificate uses the CloudFront default certificate: set acmCertificateArn (a us-east-1 "
        "ACM certificate for a custom domain, webapp:site.domain)"
    ]
    # Without aliases there is no name to certify: served on its cloudfront.net name by design.
    unnamed = distribution(viewerCertificate={"cloudfrontDefaultCertificate": True}, aliases=[])
    assert cf.cloudfront_custom_certificate.messages(unnamed) == []
    assert cf.cloudfront_custom_certificate.design_exceptions(unnamed) == [
        (unnamed.urn, cf.DEFAULT_DOMAIN_REASON)
    ]
    assert cf.cloudfront_sni.messages(subject) == []
    assert cf.cloudfront_tls_policy.messages(subject) == []


def test_custom_certificate_needs_sni_and_a_recent_tls_policy() -> None:
    certificate = {"iamCertificateId": "cert", "sslSupportMethod": "vip", "minimumProtocolVersion": "TLSv1"}
    subject = distribution(viewerCertificate=certificate)
    assert cf.cloudfront_custom_certificate.messages(subject) == []
    assert cf.cloudfront_sni.messages(subject) == [
        "sslSupportMethod is vip: set it to sni-only (vip costs $600 a month, not needed)"
    ]
    assert cf.cloudfront_tls_policy.messages(subject) == [
        "minimumProtocolVersion is TLSv1: set it to TLSv1.2_2021 or a newer policy"
    ]


def test_unknown_certificate_arn_counts_as_a_custom_certificate() -> None:
    certificate = {**DISTRIBUTION["viewerCertificate"], "acmCertificateArn": UNKNOWN_STRING_VALUE}
    subject = distribution(viewerCertificate=certificate)
    for rule in (cf.cloudfront_custom_certificate, cf.cloudfront_sni, cf.cloudfront_tls_policy):
        assert rule.messages(subject) == []


def test_unknown_viewer_protocol_policy_raises_so_the_sdk_reports_it_as_waiting() -> None:
    subject = distribution(
        defaultCacheBehavior={"targetOriginId": "site", "viewerProtocolPolicy": UNKNOWN_STRING_VALUE}
    )
    with pytest.raises(UnknownValueError):
        cf.cloudfront_viewer_https.messages(subject)


def custom_origin(policy: str, protocols: list[str] | None = None) -> dict[str, Any]:
    config = {**CUSTOM_ORIGIN["customOriginConfig"], "originProtocolPolicy": policy}
    if protocols is not None:
        config["originSslProtocols"] = protocols
    return {**CUSTOM_ORIGIN, "customOriginConfig": config}


def test_custom_origins_need_https_only() -> None:
    subject = distribution(origins=[S3_ORIGIN, custom_origin("http-only")])
    assert cf.cloudfront_origin_https.messages(stack(subject)) == [
        "origin custom has originProtocolPolicy http-only: set it to https-only"
    ]


def test_match_viewer_passes_only_when_every_routed_behaviour_is_https() -> None:
    assert (
        cf.cloudfront_origin_https.messages(stack(distribution(origins=[custom_origin("match-viewer")])))
        == []
    )
    behaviors = [{"pathPattern": "/ext/*", "targetOriginId": "custom", "viewerProtocolPolicy": "allow-all"}]
    subject = distribution(origins=[custom_origin("match-viewer")], orderedCacheBehaviors=behaviors)
    assert cf.cloudfront_origin_https.messages(stack(subject)) == [
        "origin custom has originProtocolPolicy match-viewer: set it to https-only"
    ]


def api_origin_stack(policy: str, *, aliases: list[str] | None) -> tuple[Stack, Resource]:
    """A distribution whose API origin was computed from a VPC origin using ``policy``."""
    props = copy.deepcopy(VPC_ORIGIN_PROPS)
    props["vpcOriginEndpointConfig"]["originProtocolPolicy"] = policy
    vpc_origin = resource(cf.VPC_ORIGIN, props, "api")
    subject = resource(
        cf.DISTRIBUTION,
        {**copy.deepcopy(DISTRIBUTION), **({"aliases": aliases} if aliases else {})},
        "cdn",
        property_dependencies={"origins": [vpc_origin.urn]},
    )
    return stack(subject, vpc_origin), vpc_origin


def test_http_only_vpc_origin_without_a_domain_is_a_design_exception() -> None:
    # No custom domain: no name to certify for the ALB, so the hop inside the VPC stays HTTP, visibly.
    subject, vpc_origin = api_origin_stack("http-only", aliases=None)
    assert cf.cloudfront_origin_https.messages(subject) == []
    assert cf.cloudfront_origin_https.design_exceptions(subject) == [
        (vpc_origin.urn, cf.NO_ORIGIN_CERTIFICATE_REASON)
    ]
    assert "no certificate for the origin" in cf.NO_ORIGIN_CERTIFICATE_REASON


def test_http_only_vpc_origin_with_a_domain_is_a_violation() -> None:
    subject, vpc_origin = api_origin_stack("http-only", aliases=["example.com"])
    assert cf.cloudfront_origin_https.findings(subject) == [
        (
            vpc_origin.urn,
            "originProtocolPolicy is http-only although the distribution has a custom domain: set it to "
            "https-only with a certificate on the load balancer for the origin's domain name "
            "(webapp:site.originTls: true)",
        )
    ]
    assert cf.cloudfront_origin_https.design_exceptions(subject) == []


def test_https_only_vpc_origin_with_a_domain_passes_without_exception() -> None:
    subject, _ = api_origin_stack("https-only", aliases=["example.com"])
    assert cf.cloudfront_origin_https.verdicts(subject) == []


def test_sslv3_to_custom_and_vpc_origins_is_flagged() -> None:
    subject = distribution(origins=[custom_origin("https-only", ["SSLv3", "TLSv1.2"])])
    assert cf.cloudfront_origin_ssl_protocols.messages(subject) == [
        "origin custom allows SSLv3 in originSslProtocols: list only TLSv1.2"
    ]
    endpoint = {
        **VPC_ORIGIN_PROPS["vpcOriginEndpointConfig"],
        "originSslProtocols": {"items": ["SSLv3"], "quantity": 1},
    }
    assert cf.cloudfront_origin_ssl_protocols.messages(
        resource(cf.VPC_ORIGIN, {"vpcOriginEndpointConfig": endpoint})
    ) == ["vpcOriginEndpointConfig allows SSLv3 in originSslProtocols: list only TLSv1.2"]


def test_s3_origins_need_origin_access_control_not_identity() -> None:
    no_oac = {"originId": "site", "domainName": "b.s3.amazonaws.com"}
    oai = {
        **no_oac,
        "originId": "old",
        "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"},
    }
    assert cf.cloudfront_s3_origin_access_control.messages(
        distribution(origins=[no_oac, oai, API_ORIGIN, CUSTOM_ORIGIN])
    ) == [
        "origin site reads S3 without origin access control: set originAccessControlId and grant the "
        "distribution in the bucket policy",
        "origin old uses an origin access identity: replace it with originAccessControlId (origin "
        "access control)",
    ]


def test_unknown_origin_ids_do_not_stop_the_origin_checks() -> None:
    origins = [
        {**S3_ORIGIN, "domainName": UNKNOWN_STRING_VALUE, "originAccessControlId": UNKNOWN_STRING_VALUE}
    ]
    subject = distribution(origins=origins)
    assert cf.cloudfront_s3_origin_access_control.messages(subject) == []
    assert cf.cloudfront_origin_https.messages(stack(subject)) == []


def test_origin_access_control_must_always_sign() -> None:
    oac = {
        "originAccessControlOriginType": "s3",
        "signingBehavior": "no-override",
        "signingProtocol": "sigv4",
    }
    assert cf.cloudfront_s3_origin_access_control.messages(resource(cf.ORIGIN_ACCESS_CONTROL, oac)) == [
        "signingBehavior is no-override: set it to always so CloudFront signs every origin request"
    ]


# --- CloudFront.5: a stack rule -------------------------------------------------------------------


def logs_stack(
    *, log_type: str = "ACCESS_LOGS", delivery: bool = True, legacy: bool = False
) -> tuple[Stack, Resource]:
    props = {**DISTRIBUTION, "loggingConfig": {"bucket": "logs.s3.amazonaws.com"}} if legacy else DISTRIBUTION
    cdn = resource(cf.DISTRIBUTION, props, "cdn")
    source = resource(
        cf.LOG_DELIVERY_SOURCE,
        {"name": "cdn-access", "logType": log_type, "resourceArn": "arn:aws:cloudfront::1:distribution/E1"},
        "cdn-access-logs",
        property_dependencies={"resourceArn": [cdn.urn]},
    )
    resources = [cdn, source]
    if delivery:
        resources.append(
            resource(
                cf.LOG_DELIVERY,
                {"deliverySourceName": "cdn-access", "deliveryDestinationArn": "arn:d"},
                "cdn-access-logs",
                property_dependencies={"deliverySourceName": [source.urn]},
            )
        )
    return stack(*resources), source


def test_v2_log_delivery_satisfies_access_logging() -> None:
    assert cf.cloudfront_access_logging.messages(logs_stack()[0]) == []


def test_legacy_logging_satisfies_access_logging() -> None:
    subject, _ = logs_stack(legacy=True)
    lone = stack(subject.resources[0])
    assert cf.cloudfront_access_logging.messages(lone) == []


def test_distribution_without_logs_or_with_an_unused_source_is_flagged() -> None:
    assert cf.cloudfront_access_logging.messages(stack(distribution())) == [
        "no access logs: add a CloudWatch log delivery (an ACCESS_LOGS LogDeliverySource for this "
        "distribution, a destination and a LogDelivery) or loggingConfig.bucket"
    ]
    wrong_type, _ = logs_stack(log_type="CONNECTION_LOGS")
    assert len(cf.cloudfront_access_logging.messages(wrong_type)) == 1
    undelivered, source = logs_stack(delivery=False)
    assert cf.cloudfront_access_logging.findings(undelivered) == [
        (
            source.urn,
            "the ACCESS_LOGS delivery source has no LogDelivery: add one from this source to a "
            "LogDeliveryDestination, or no log is written",
        )
    ]


# --- the committed stacks and a custom domain ---------------------------------------------------------


def findings(rule: Rule, subject: Stack) -> list[str]:
    if rule.check_stack is not None:
        return sorted(urn.rsplit("::", 1)[-1] for urn, _ in rule.findings(subject))
    return sorted(r.name for r in subject.resources for _ in rule.findings(r))


@cache
def custom_domain_stack() -> Stack:
    # The override replaces the whole webapp:site object: keep prod's settings, add the domain.
    site = {
        **json.loads(stack_config("prod").get("webapp:site", "{}")),
        "domain": {"domain": "example.com", "hostedZoneName": "example.com"},
    }
    return stack_from(stack_resources(plan_states(to_preview_json(plan("prod", site=site)))))


# CloudFront.7: neither committed stack configures webapp:site.domain, a design exception (below).
EXPECTED_PROD: dict[str, list[str]] = {}
EXPECTED_DEV = {
    "cloudfront-access-logging": ["site-cdn"],
    "cloudfront-waf": ["site-cdn"],
}


@pytest.mark.parametrize("rule", cf.RULES, ids=lambda r: r.name)
def test_prod_stack(rule: Rule) -> None:
    assert findings(rule, plan_stack("prod")) == EXPECTED_PROD.get(rule.name, [])


@pytest.mark.parametrize("rule", cf.RULES, ids=lambda r: r.name)
def test_dev_stack(rule: Rule) -> None:
    assert findings(rule, plan_stack("dev")) == EXPECTED_DEV.get(rule.name, [])
    if rule.name in EXPECTED_DEV:
        assert rule.production_only


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_without_a_domain_the_default_certificate_is_a_design_exception(stack_name: str) -> None:
    [distribution] = plan_stack(stack_name).of_type(cf.DISTRIBUTION)
    assert cf.cloudfront_custom_certificate.design_exceptions(distribution) == [
        (distribution.urn, cf.DEFAULT_DOMAIN_REASON)
    ]


@pytest.mark.parametrize("rule", cf.RULES, ids=lambda r: r.name)
def test_prod_with_a_custom_domain_passes_every_rule(rule: Rule) -> None:
    assert findings(rule, custom_domain_stack()) == []


def test_committed_stacks_route_the_api_through_an_http_only_vpc_origin() -> None:
    # Neither committed stack has a domain: cloudfront-origin-https reports the hop as a design
    # exception, never silently.
    subject = plan_stack("prod")
    [vpc_origin] = subject.of_type(cf.VPC_ORIGIN)
    assert vpc_origin.props["vpcOriginEndpointConfig"]["originProtocolPolicy"] == "http-only"
    assert cf.cloudfront_origin_https.design_exceptions(subject) == [
        (vpc_origin.urn, cf.NO_ORIGIN_CERTIFICATE_REASON)
    ]


def test_prod_with_a_custom_domain_reaches_the_origin_over_https() -> None:
    subject = custom_domain_stack()
    [vpc_origin] = subject.of_type(cf.VPC_ORIGIN)
    endpoint = vpc_origin.props["vpcOriginEndpointConfig"]
    assert endpoint["originProtocolPolicy"] == "https-only"
    assert endpoint["httpsPort"] == 443
    assert list(endpoint["originSslProtocols"]["items"]) == ["TLSv1.2"]
    [distribution] = subject.of_type(cf.DISTRIBUTION)
    [api] = [o for o in distribution.props["origins"] if o["originId"] == "api"]
    assert api["domainName"] == "origin.example.com"
    assert cf.cloudfront_origin_https.verdicts(subject) == []
