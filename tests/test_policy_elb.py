"""ELB policy rules: compliant and violating resources, the cdn-mode exception, both front doors."""

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies._framework import Resource, Rule, Stack, stack_from
from policies.cloudfront import NO_ORIGIN_CERTIFICATE_REASON
from policies.elb import (
    DISTRIBUTION,
    INGRESS_RULE,
    LISTENER,
    LOAD_BALANCER,
    NO_WAF_MESSAGE,
    RULES,
    SECURITY_GROUP,
    VPC_ORIGIN,
    WEB_ACL_ASSOCIATION,
    elb_access_logs,
    elb_deletion_protection,
    elb_desync_mitigation,
    elb_drop_invalid_headers,
    elb_http_redirects_to_https,
    elb_listener_secure_protocol,
    elb_multiple_azs,
    elb_tls_policy,
    elb_waf_attached,
)
from tests.harness import plan
from tests.policy_harness import plan_stack, resource, stack

ALB = LOAD_BALANCER[0]
HTTP_LISTENER = LISTENER[0]
FORWARD = [{"type": "forward", "targetGroupArn": "arn:tg"}]
REDIRECT = [{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]
DIRECT = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}
GOOD_ALB: dict[str, Any] = {
    "internal": False,
    "loadBalancerType": "application",
    "subnets": ["subnet-a", "subnet-b"],
    "dropInvalidHeaderFields": True,
    "desyncMitigationMode": "defensive",
    "enableDeletionProtection": True,
    "accessLogs": {"enabled": True, "bucket": "logs"},
}


def alb(internal: bool, **props: Any) -> Resource:
    group = resource(SECURITY_GROUP, {"description": "alb"}, name="alb-sg")
    return resource(
        ALB, {**GOOD_ALB, "internal": internal, **props}, name="alb",
        property_dependencies={"securityGroups": [group.urn]},
    )  # fmt: skip


def listener(lb: Resource, actions: list[dict[str, Any]], protocol: str = "HTTP", **props: Any) -> Resource:
    return resource(
        HTTP_LISTENER, {"protocol": protocol, "port": 80, "defaultActions": actions, **props}, name="http",
        property_dependencies={"loadBalancerArn": [lb.urn]},
    )  # fmt: skip


def cdn_world(
    *, extra_ingress: dict[str, Any] | None = None, web_acl: bool = True, aliases: list[str] | None = None
) -> tuple[Resource, Stack]:
    """An internal ALB whose security group admits only the looked-up CloudFront VPC-origin group."""
    lb = alb(True)
    group_urn = lb.property_dependencies["securityGroups"][0]
    group = resource(SECURITY_GROUP, {"description": "alb"}, name="alb-sg")
    origin = resource(
        VPC_ORIGIN, {}, name="site-api", property_dependencies={"vpcOriginEndpointConfig": [lb.urn]}
    )
    from_cloudfront = resource(
        INGRESS_RULE, {"fromPort": 80, "toPort": 80, "referencedSecurityGroupId": "sg-cf"}, name="from-cf",
        property_dependencies={"securityGroupId": [group_urn], "referencedSecurityGroupId": [origin.urn]},
    )  # fmt: skip
    cdn_props: dict[str, Any] = {"webAclId": UNKNOWN_STRING_VALUE} if web_acl else {}
    if aliases:
        cdn_props["aliases"] = aliases
    distribution = resource(
        DISTRIBUTION, cdn_props, name="cdn", property_dependencies={"origins": [origin.urn]}
    )
    resources = [lb, group, origin, from_cloudfront, distribution, listener(lb, FORWARD)]
    if extra_ingress is not None:
        resources.append(
            resource(
                INGRESS_RULE,
                extra_ingress,
                name="other",
                property_dependencies={"securityGroupId": [group_urn]},
            )
        )
    return lb, stack(*resources)


INTERNET_HTTP = (
    "HTTP listener on an internet-facing load balancer: its default action is forward; make every action a "
    'redirect with protocol "HTTPS" (port 443, HTTP_301) and serve on an HTTPS listener'
)
INTERNAL_HTTP = (
    "HTTP listener default action is forward: redirect to HTTPS, or admit only CloudFront's VPC-origin "
    "security group on the internal load balancer (then CloudFront alone reaches it)"
)
ELB18_HTTP = (
    "protocol is HTTP and the listener serves traffic: use HTTPS with a certificate, keeping HTTP only as a "
    "redirect to HTTPS"
)


def test_internet_facing_http_listener_must_redirect() -> None:
    lb = alb(False)
    assert elb_http_redirects_to_https.messages(stack(lb, listener(lb, FORWARD))) == [INTERNET_HTTP]
    assert elb_listener_secure_protocol.messages(stack(lb, listener(lb, FORWARD))) == [ELB18_HTTP]
    assert elb_http_redirects_to_https.messages(stack(lb, listener(lb, REDIRECT))) == []
    assert elb_listener_secure_protocol.messages(stack(lb, listener(lb, REDIRECT))) == []


def test_redirect_that_keeps_http_is_not_a_redirect_to_https() -> None:
    lb = alb(False)
    keep = [{"type": "redirect", "redirect": {"protocol": "#{protocol}", "statusCode": "HTTP_301"}}]
    assert elb_http_redirects_to_https.messages(stack(lb, listener(lb, keep))) == [
        INTERNET_HTTP.replace("is forward", "is redirect")
    ]


def test_cdn_only_internal_alb_without_a_domain_serves_http_as_a_design_exception() -> None:
    _, world = cdn_world()
    [http] = world.of_type(*LISTENER)
    for rule in (elb_http_redirects_to_https, elb_listener_secure_protocol):
        assert rule.messages(world) == []
        assert rule.design_exceptions(world) == [(http.urn, NO_ORIGIN_CERTIFICATE_REASON)]


def test_cdn_only_internal_alb_behind_a_custom_domain_must_serve_https() -> None:
    _, world = cdn_world(aliases=["example.com"])
    assert elb_http_redirects_to_https.messages(world) == [
        "HTTP listener serves the CloudFront distribution of a custom domain: serve HTTPS:443 with a "
        "certificate for the origin's name instead (webapp:site.originTls: true)"
    ]
    assert elb_listener_secure_protocol.messages(world) == [ELB18_HTTP]
    assert elb_http_redirects_to_https.design_exceptions(world) == []


def test_internal_alb_with_other_ingress_gets_no_exception() -> None:
    _, world = cdn_world(extra_ingress={"fromPort": 80, "toPort": 80, "cidrIpv4": "10.0.0.0/16"})
    assert elb_http_redirects_to_https.messages(world) == [INTERNAL_HTTP]
    assert elb_listener_secure_protocol.messages(world) == [ELB18_HTTP]


def test_internal_alb_without_any_ingress_gets_no_exception() -> None:
    lb = alb(True)
    assert elb_http_redirects_to_https.messages(stack(lb, listener(lb, FORWARD))) == [INTERNAL_HTTP]


def test_tcp_listener_is_not_secure() -> None:
    lb = alb(False, loadBalancerType="network")
    assert elb_listener_secure_protocol.messages(stack(lb, listener(lb, FORWARD, protocol="TCP"))) == [
        "protocol is TCP: use TLS (or HTTPS) so traffic is encrypted in transit"
    ]


def test_tls_policy() -> None:
    lb = alb(False)
    old = listener(lb, FORWARD, protocol="HTTPS", sslPolicy="ELBSecurityPolicy-2016-08")
    assert elb_tls_policy.messages(old) == [
        'sslPolicy is "ELBSecurityPolicy-2016-08": set it to "ELBSecurityPolicy-TLS13-1-2-2021-06" or '
        "another TLS13-1-2 policy"
    ]
    assert elb_tls_policy.messages(listener(lb, FORWARD, protocol="HTTPS")) == [
        "sslPolicy is not set (ELBSecurityPolicy-2016-08, which allows TLS 1.0): set it to "
        '"ELBSecurityPolicy-TLS13-1-2-2021-06" or another TLS13-1-2 policy'
    ]
    for good in (
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    ):
        assert elb_tls_policy.messages(listener(lb, FORWARD, protocol="HTTPS", sslPolicy=good)) == []
    assert elb_tls_policy.messages(listener(lb, FORWARD)) == []  # HTTP: ELB.1/ELB.18 decide


def test_load_balancer_settings() -> None:
    assert [
        rule.messages(alb(False)) for rule in RULES if rule.check_resource and rule is not elb_tls_policy
    ] == [[], [], [], [], []]
    bad = alb(
        False, dropInvalidHeaderFields=False, desyncMitigationMode="monitor", enableDeletionProtection=False,
        accessLogs={"enabled": False}, subnets=["subnet-a"],
    )  # fmt: skip
    assert elb_drop_invalid_headers.messages(bad) == ["dropInvalidHeaderFields is False: set it to true"]
    assert elb_desync_mitigation.messages(bad) == [
        'desyncMitigationMode is "monitor": set it to "defensive" or "strictest"'
    ]
    assert elb_deletion_protection.messages(bad) == [
        "enableDeletionProtection is not true: set it to true (loadBalancer.deletionProtection)"
    ]
    assert elb_access_logs.messages(bad) == [
        "accessLogs is not enabled: set accessLogs.enabled to true with an S3 bucket to write to"
    ]
    assert elb_multiple_azs.messages(bad) == [
        "it has 1 subnet(s): give it subnets in at least two Availability Zones"
    ]


def test_unknown_subnets_raise_so_the_check_runs_on_update() -> None:
    from pulumi_policy.proxy import UnknownValueError

    with pytest.raises(UnknownValueError):
        elb_multiple_azs.messages(alb(False, subnets=UNKNOWN_STRING_VALUE))
    # An unknown log bucket still counts as set.
    assert (
        elb_access_logs.messages(alb(False, accessLogs={"enabled": True, "bucket": UNKNOWN_STRING_VALUE}))
        == []
    )


def test_waf_on_internet_facing_alb() -> None:
    lb = alb(False)
    assert elb_waf_attached.messages(stack(lb)) == [NO_WAF_MESSAGE]
    association = resource(
        WEB_ACL_ASSOCIATION, {}, name="assoc", property_dependencies={"resourceArn": [lb.urn]}
    )
    assert elb_waf_attached.messages(stack(lb, association)) == []


def test_waf_of_the_distribution_covers_a_cdn_only_alb() -> None:
    assert elb_waf_attached.messages(cdn_world()[1]) == []
    assert elb_waf_attached.messages(cdn_world(web_acl=False)[1]) == [
        "the CloudFront distribution in front of it has no webAclId: set webAclId (waf.enabled) so the edge "
        "web ACL filters API requests too"
    ]


def _findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    found = (
        rule.findings(target) if rule.check_stack else [f for r in target.resources for f in rule.findings(r)]
    )
    return [(u.rsplit("::", 1)[-1], m) for u, m in found]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_prod_plan(rule: Rule) -> None:
    assert _findings(rule, plan_stack("prod")) == []


def test_dev_plan_fails_only_production_rules() -> None:
    found = {rule.name: _findings(rule, plan_stack("dev")) for rule in RULES}
    assert {name: f for name, f in found.items() if f} == {
        "elb-access-logs": [
            (
                "api-alb",
                "accessLogs is not enabled: set accessLogs.enabled to true with an S3 bucket to write to",
            )
        ],
        "elb-deletion-protection": [
            (
                "api-alb",
                "enableDeletionProtection is not true: set it to true (loadBalancer.deletionProtection)",
            )
        ],
        "elb-waf-attached": [
            (
                "api-alb",
                "the CloudFront distribution in front of it has no webAclId: set webAclId (waf.enabled) so "
                "the edge web ACL filters API requests too",
            )
        ],
    }
    assert all(rule.production_only for rule in RULES if found[rule.name])


def _direct(**overrides: Any) -> Stack:
    result = plan("dev", loadBalancer=DIRECT, **overrides)
    return stack_from(stack_resources(plan_states(to_preview_json(result))))


def test_direct_front_door_passes_with_redirect_https_and_a_regional_web_acl() -> None:
    direct = _direct(waf={"enabled": True})
    found = {rule.name: _findings(rule, direct) for rule in RULES}
    assert {name: f for name, f in found.items() if f} == {
        "elb-access-logs": [
            (
                "api-alb",
                "accessLogs is not enabled: set accessLogs.enabled to true with an S3 bucket to write to",
            )
        ],
        "elb-deletion-protection": [
            (
                "api-alb",
                "enableDeletionProtection is not true: set it to true (loadBalancer.deletionProtection)",
            )
        ],
    }


def test_direct_front_door_without_waf_needs_an_association() -> None:
    assert _findings(elb_waf_attached, _direct()) == [("api-alb", NO_WAF_MESSAGE)]
