"""The SiteDomain component: us-east-1 certificate, DNS validation, aliases, www redirect, bad config."""

import json
import shutil
import subprocess
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.edge.cloudfront_functions import viewer_request_code
from components.edge.site_domain import SiteDomain
from components.edge.site_domain_args import SiteDomainArgs
from components.edge.static_site import StaticSite
from components.edge.static_site_args import StaticSiteArgs
from tests.harness import PlanResult, run_components

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
FUNCTION = "aws:cloudfront/function:Function"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ZONE = "ZMOCKHOSTEDZONE"
# The stack runs in eu-west-1 so the provider test below means something; the mocks put the
# stack's region, not the provider's, into invented ARNs.
CERT_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/mock-site-cert"


def deploy(config: dict[str, Any], *, with_site: bool = False) -> PlanResult:
    args = validate_config(SiteDomainArgs, config, "webapp:site.domain")

    def build() -> None:
        us_east_1 = aws.Provider("aws-us-east-1", region="us-east-1")
        domain = SiteDomain("site", args, opts=pulumi.ResourceOptions(providers={"aws": us_east_1}))
        pulumi.export("certificateArn", domain.certificate_arn)
        pulumi.export("zoneId", domain.zone_id)
        pulumi.export("aliases", domain.aliases)
        pulumi.export("canonicalHost", domain.canonical_host)
        if with_site:
            site = StaticSite(
                "site", StaticSiteArgs(), api=None, certificate_arn=domain.certificate_arn,
                aliases=domain.aliases, canonical_host=domain.canonical_host,
            )  # fmt: skip
            domain.point_at(site.domain_name, site.hosted_zone_id)
            pulumi.export("url", site.url)
        else:
            domain.point_at("dmock-cdn.cloudfront.net", "Z2FDTNDATAQYW2")

    return run_components(build, region="eu-west-1")


@pytest.fixture(scope="module")
def www() -> PlanResult:
    return deploy({"domain": "example.com", "hostedZoneName": "example.com"})


@pytest.fixture(scope="module")
def apex_only() -> PlanResult:
    return deploy({"domain": "shop.example.com", "hostedZoneName": "example.com", "redirectWww": False})


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(SiteDomainArgs, config, "webapp:site.domain")
    return err.value.problems


def test_certificate_covers_apex_and_www_with_dns_validation(www: PlanResult) -> None:
    cert = www.one(CERTIFICATE, "site-cert")
    assert cert.inputs == {
        "domainName": "example.com",
        "subjectAlternativeNames": ["www.example.com"],
        "validationMethod": "DNS",
        "keyAlgorithm": "RSA_2048",
        "tags": {"Name": "example.com"},
    }
    assert cert.parent == www.one("webapp:index:SiteDomain", "site").urn
    assert cert.protect is False


def test_certificate_without_www_has_no_alternative_names(apex_only: PlanResult) -> None:
    cert = apex_only.one(CERTIFICATE).inputs
    assert cert["domainName"] == "shop.example.com"
    assert "subjectAlternativeNames" not in cert


def test_everything_uses_the_provider_passed_in_opts(www: PlanResult) -> None:
    provider = www.one("pulumi:providers:aws", "aws-us-east-1")
    assert provider.inputs["region"] == "us-east-1"
    expected = f"{provider.urn}::{provider.id}"
    assert www.one(CERTIFICATE).provider == expected
    assert www.one(VALIDATION).provider == expected
    assert {r.provider for r in www.by_type(RECORD)} == {expected}
    zone_lookups = [i for i in www.invokes if i.token == "aws:route53/getZone:getZone"]
    assert [(i.args, i.provider) for i in zone_lookups] == [
        ({"name": "example.com", "privateZone": False}, expected)
    ]


def test_one_validation_record_per_name_and_the_validation_waits_for_them(www: PlanResult) -> None:
    records = {name: www.one(RECORD, f"site-cert-validation-{name}") for name in ("apex", "www")}
    assert records["apex"].inputs == {
        "zoneId": ZONE, "name": "_mock.example.com.", "type": "CNAME",
        "records": ["_mock.acm-validations.aws."], "ttl": 60, "allowOverwrite": True,
    }  # fmt: skip
    assert records["www"].inputs["name"] == "_mock.www.example.com."
    assert records["www"].inputs["allowOverwrite"] is True
    validation = www.one(VALIDATION, "site-cert")
    assert validation.inputs == {
        "certificateArn": CERT_ARN,
        "validationRecordFqdns": ["_mock.example.com", "_mock.www.example.com"],
    }
    assert {r.urn for r in records.values()} <= set(validation.dependencies)
    assert www.outputs["certificateArn"] == CERT_ARN
    assert www.outputs["zoneId"] == ZONE


def test_without_www_one_validation_record(apex_only: PlanResult) -> None:
    names = [r.name for r in apex_only.by_type(RECORD) if "validation" in r.name]
    assert names == ["site-cert-validation-apex"]
    assert apex_only.one(VALIDATION).inputs["validationRecordFqdns"] == ["_mock.shop.example.com"]


def test_aliases_and_canonical_host(www: PlanResult, apex_only: PlanResult) -> None:
    assert www.outputs["aliases"] == ["example.com", "www.example.com"]
    assert www.outputs["canonicalHost"] == "example.com"
    assert apex_only.outputs["aliases"] == ["shop.example.com"]
    assert apex_only.outputs["canonicalHost"] is None


def test_alias_records_a_and_aaaa_for_every_alias(www: PlanResult) -> None:
    aliases = {r.name: r.inputs for r in www.by_type(RECORD) if "validation" not in r.name}
    target = [{"name": "dmock-cdn.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}]
    assert aliases == {
        "site-apex-a": {"zoneId": ZONE, "name": "example.com", "type": "A", "aliases": target},
        "site-apex-aaaa": {"zoneId": ZONE, "name": "example.com", "type": "AAAA", "aliases": target},
        "site-www-a": {"zoneId": ZONE, "name": "www.example.com", "type": "A", "aliases": target},
        "site-www-aaaa": {"zoneId": ZONE, "name": "www.example.com", "type": "AAAA", "aliases": target},
    }
    component = www.one("webapp:index:SiteDomain").urn
    assert {www.one(RECORD, name).parent for name in aliases} == {component}


def test_without_www_only_the_domain_is_aliased(apex_only: PlanResult) -> None:
    aliases = sorted(
        (r.inputs["name"], r.inputs["type"]) for r in apex_only.by_type(RECORD) if "validation" not in r.name
    )
    assert aliases == [("shop.example.com", "A"), ("shop.example.com", "AAAA")]


def test_wired_into_the_static_site() -> None:
    result = deploy({"domain": "example.com", "hostedZoneName": "example.com"}, with_site=True)
    dist = result.one(DISTRIBUTION).inputs
    assert dist["aliases"] == ["example.com", "www.example.com"]
    assert dist["viewerCertificate"]["acmCertificateArn"] == CERT_ARN
    fn = result.one(FUNCTION, "site-viewer-request").inputs
    assert fn["code"] == viewer_request_code(spa_fallback=True, canonical_host="example.com")
    assert 'var CANONICAL_HOST = "example.com";' in fn["code"]
    assert result.one(RECORD, "site-www-a").inputs["aliases"] == [
        {"name": "dmock-site-cdn.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}
    ]
    assert result.outputs["url"] == "https://example.com"


BAD_DOMAIN = (
    "must be a lower-case DNS name such as example.com: dot-separated labels of a-z, 0-9 and hyphens "
    "(not at either end of a label), at most 253 characters"
)


@pytest.mark.parametrize("domain", ["Example.com", "example", "exa_mple.com", "-example.com", "example..com"])
def test_bad_domain(domain: str) -> None:
    assert problems({"domain": domain, "hostedZoneName": "example.com"}) == [
        f"webapp:site.domain.domain = {json.dumps(domain)}: {BAD_DOMAIN}"
    ]


def test_bad_hosted_zone_name() -> None:
    assert problems({"domain": "example.com", "hostedZoneName": "example com"}) == [
        f'webapp:site.domain.hostedZoneName = "example com": {BAD_DOMAIN}'
    ]


def test_wildcard_domain() -> None:
    assert problems({"domain": "*.example.com", "hostedZoneName": "example.com"}) == [
        'webapp:site.domain.domain = "*.example.com": must not be a wildcard: CloudFront aliases and the '
        "redirect need exact names; give the apex, such as example.com"
    ]


@pytest.mark.parametrize("domain", ["example.org", "badexample.com"])
def test_domain_outside_the_zone(domain: str) -> None:
    assert problems({"domain": domain, "hostedZoneName": "example.com"}) == [
        f'webapp:site.domain.domain = "{domain}": must be example.com or a name under it (hostedZoneName): '
        "the certificate is validated and the aliases are created in that zone"
    ]


def test_domain_too_long_for_a_certificate() -> None:
    domain = "a" * 50 + ".example.com"  # 62 characters is fine, 65 is not
    assert validate_config(SiteDomainArgs, {"domain": domain, "hostedZoneName": "example.com"}, "x").domain
    long = "a" * 53 + ".example.com"
    assert problems({"domain": long, "hostedZoneName": "example.com"}) == [
        f'webapp:site.domain.domain = "{long}": must be at most 64 characters: ACM puts it in the '
        "certificate's Common Name; got 65"
    ]


def test_www_domain_with_redirect_www() -> None:
    assert problems({"domain": "www.example.com", "hostedZoneName": "example.com"}) == [
        'webapp:site.domain.domain = "www.example.com": starts with www. while redirectWww is true, which '
        "would add www.www.example.com; set domain to the name without www. or set redirectWww to false"
    ]
    ok = {"domain": "www.example.com", "hostedZoneName": "example.com", "redirectWww": False}
    assert validate_config(SiteDomainArgs, ok, "x").www_domain is None


def test_required_keys_and_trailing_dot() -> None:
    assert problems({}) == [
        "webapp:site.domain.domain = missing: is required and has no default",
        "webapp:site.domain.hostedZoneName = missing: is required and has no default",
    ]
    args = validate_config(SiteDomainArgs, {"domain": "example.com.", "hostedZoneName": "example.com."}, "x")
    assert (args.domain, args.hosted_zone_name, args.redirect_www) == ("example.com", "example.com", True)


# --- the redirect itself, run in Node (the function is plain ES5, which cloudfront-js-2.0 runs) ---

NODE = shutil.which("node")


def run_function(code: str, host: str | None, uri: str, querystring: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    headers = {"host": {"value": host}} if host is not None else {}
    event = {"version": "1.0", "request": {"method": "GET", "uri": uri, "querystring": querystring,
                                           "headers": headers, "cookies": {}}}  # fmt: skip
    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True, timeout=30)
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_other_hosts_get_a_301_to_the_canonical_host_with_path_and_query() -> None:
    code = viewer_request_code(spa_fallback=True, canonical_host="example.com")
    assert code is not None
    query = {
        "q": {"value": "a%20b"},
        "tag": {"value": "x", "multiValue": [{"value": "x"}, {"value": "y"}]},
        "flag": {"value": ""},
    }
    response = run_function(code, "WWW.example.com", "/users/42", query)
    assert response == {
        "statusCode": 301,
        "statusDescription": "Moved Permanently",
        "headers": {"location": {"value": "https://example.com/users/42?q=a%20b&tag=x&tag=y&flag="}},
    }
    bare = run_function(code, "dmock.cloudfront.net", "/assets/app.js", {})
    assert bare["headers"]["location"]["value"] == "https://example.com/assets/app.js"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_canonical_host_passes_through_to_the_spa_rewrite() -> None:
    code = viewer_request_code(spa_fallback=True, canonical_host="example.com")
    assert code is not None
    assert run_function(code, "Example.com", "/about", {})["uri"] == "/index.html"
    assert run_function(code, "example.com", "/assets/app.js", {})["uri"] == "/assets/app.js"
    redirect_only = viewer_request_code(spa_fallback=False, canonical_host="example.com")
    assert redirect_only is not None
    assert run_function(redirect_only, "example.com", "/about", {})["uri"] == "/about"
    assert run_function(redirect_only, "www.example.com", "/about", {})["statusCode"] == 301
