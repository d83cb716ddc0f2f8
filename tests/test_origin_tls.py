"""site.originTls: HTTPS from CloudFront's VPC origin to the internal ALB when the site has a domain."""

import json
from functools import cache
from typing import Any

import pytest

from components import ConfigError, validate_config
from components.edge.static_site_args import StaticSiteArgs
from offline.preview_json import to_preview_json
from tests.harness import PlanResult, plan, stack_config
from tests.policy_harness import check_plan

CERTIFICATE = "aws:acm/certificate:Certificate"
LISTENER = "aws:lb/listener:Listener"
RECORD = "aws:route53/record:Record"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
DOMAIN = {"domain": "example.com", "hostedZoneName": "example.com"}


def site_with(stack: str, **changes: Any) -> dict[str, Any]:
    # The override replaces the whole webapp:site object: keep the stack's settings.
    return {**json.loads(stack_config(stack).get("webapp:site", "{}")), **changes}


@cache
def prod_with_domain() -> PlanResult:
    return plan("prod", site=site_with("prod", domain=DOMAIN))


def test_prod_with_a_domain_serves_the_origin_on_https_with_a_regional_certificate() -> None:
    result = prod_with_domain()
    certificate = result.one(CERTIFICATE, "api-origin-cert")
    assert certificate.inputs["domainName"] == "origin.example.com"
    assert certificate.inputs["validationMethod"] == "DNS"
    # The ALB's region (the stack's default provider), not the us-east-1 one of the viewer certificate.
    assert "aws-us-east-1" not in certificate.provider
    assert "aws-us-east-1" in result.one(CERTIFICATE, "site-cert").provider
    https = result.one(LISTENER, "api-https").inputs
    assert (https["port"], https["protocol"]) == (443, "HTTPS")
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["defaultActions"][0]["type"] == "forward"
    assert not [r for r in result.by_type(LISTENER) if r.name == "api-http"]
    # Blue/green's test listener is HTTPS too, with the same certificate.
    test = result.one(LISTENER, "api-test").inputs
    assert (test["protocol"], test["sslPolicy"]) == ("HTTPS", https["sslPolicy"])
    assert test["certificateArn"] == https["certificateArn"]


def test_the_origin_name_is_an_alias_of_the_internal_alb_in_the_sites_zone() -> None:
    result = prod_with_domain()
    alias = result.one(RECORD, "api-origin-alias").inputs
    assert (alias["name"], alias["type"]) == ("origin.example.com", "A")
    assert alias["zoneId"] == result.one(RECORD, "api-origin-cert-validation").inputs["zoneId"]
    assert result.one("aws:lb/loadBalancer:LoadBalancer").inputs["internal"] is True


def test_the_vpc_origin_is_https_only_to_the_origin_name_and_the_alb_admits_443() -> None:
    result = prod_with_domain()
    endpoint = result.one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]
    assert endpoint["originProtocolPolicy"] == "https-only"
    assert endpoint["httpsPort"] == 443
    assert endpoint["originSslProtocols"] == {"items": ["TLSv1.2"], "quantity": 1}
    [api] = [o for o in result.one(DISTRIBUTION).inputs["origins"] if o["originId"] == "api"]
    # CloudFront checks the ALB's certificate against this name.
    assert api["domainName"] == "origin.example.com"
    ingress = result.one(INGRESS, "site-alb-from-cloudfront").inputs
    assert (ingress["fromPort"], ingress["toPort"]) == (443, 443)
    assert ingress["description"] == "HTTPS from CloudFront VPC origins only"


def test_the_pack_passes_prod_with_a_domain_with_no_exception_for_the_origin_hop() -> None:
    report = check_plan(to_preview_json(prod_with_domain()), "prod")
    assert [v for v in report.verdicts if v.enforcement in ("mandatory", "advisory")] == []
    hop_rules = {"cloudfront-origin-https", "elb-http-redirects-to-https", "elb-listener-secure-protocol"}
    assert [v for v in report.verdicts if v.policy in hop_rules] == []


def test_prod_without_a_domain_keeps_http_as_a_documented_exception() -> None:
    report = check_plan(to_preview_json(plan("prod")), "prod")
    excepted = {(v.policy, v.resource) for v in report.verdicts if v.enforcement == "excepted"}
    assert ("cloudfront-origin-https", "aws:cloudfront/vpcOrigin:VpcOrigin site-api") in excepted
    assert ("elb-http-redirects-to-https", "aws:lb/listener:Listener api-http") in excepted
    assert ("elb-listener-secure-protocol", "aws:lb/listener:Listener api-http") in excepted


def test_dev_with_a_domain_keeps_http_to_the_origin() -> None:
    result = plan("dev", site=site_with("dev", domain=DOMAIN))
    assert result.one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]["originProtocolPolicy"] == "http-only"
    assert result.one(LISTENER, "api-http").inputs["port"] == 80
    assert [r.name for r in result.by_type(CERTIFICATE)] == ["site-cert"]


def test_dev_can_turn_it_on_and_prod_off() -> None:
    dev = plan("dev", site=site_with("dev", domain=DOMAIN, originTls=True))
    assert dev.one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]["originProtocolPolicy"] == "https-only"
    prod = plan("prod", site=site_with("prod", domain=DOMAIN, originTls=False))
    assert prod.one(LISTENER, "api-http").inputs["protocol"] == "HTTP"
    assert not [r for r in prod.by_type(CERTIFICATE) if r.name == "api-origin-cert"]


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(StaticSiteArgs, config, "webapp:site")
    return err.value.problems


def test_origin_tls_needs_a_domain() -> None:
    assert problems({"originTls": True}) == [
        "webapp:site.originTls = true: needs domain: the ALB's certificate is for origin.<domain>, "
        "validated in its hosted zone; set domain, or set originTls to false"
    ]


def test_origin_name_must_fit_a_certificate() -> None:
    domain = "a" * 50 + ".example.com"  # 62 characters: fits, origin.<it> does not
    assert problems({"originTls": True, "domain": {"domain": domain, "hostedZoneName": "example.com"}}) == [
        f"webapp:site.originTls = true: the origin's name origin.{domain} has 69 characters, more than "
        "the 64 ACM allows in a certificate's Common Name; use a shorter domain, or set originTls to false"
    ]
