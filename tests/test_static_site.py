"""The StaticSite component: bucket, distribution behaviours, headers, API routing, bad config."""

import json
import re
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.edge.cloudfront_functions import SPA_FALLBACK_JS, viewer_request_code
from components.edge.static_site import ApiOrigin, StaticSite
from components.edge.static_site_args import StaticSiteArgs
from tests.harness import PlanResult, run_components

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
FUNCTION = "aws:cloudfront/function:Function"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
BUCKET = "aws:s3/bucket:Bucket"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
LOG_DESTINATION = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
LOG_DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"

DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/EMOCK-site-cdn"
BUCKET_ARN = "arn:aws:s3:::site-content-mock"
ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-alb/mock"
API = ApiOrigin(
    load_balancer_arn=ALB_ARN,
    load_balancer_dns_name="internal-api-alb-mock.us-east-1.elb.amazonaws.com",
    load_balancer_security_group_id="sg-alb",
    vpc_id="vpc-mock",
)
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/mock-site"


def deploy(config: dict[str, Any] | None = None, **kwargs: Any) -> PlanResult:
    args = validate_config(StaticSiteArgs, config or {}, "webapp:site")
    kwargs.setdefault("api", API)

    def build() -> None:
        site = StaticSite("site", args, **kwargs)
        pulumi.export("url", site.url)
        pulumi.export("domainName", site.domain_name)
        pulumi.export("bucketName", site.bucket_name)

    return run_components(build)


@pytest.fixture(scope="module")
def dev() -> PlanResult:
    return deploy()


def distribution(result: PlanResult) -> dict[str, Any]:
    return result.one(DISTRIBUTION).inputs


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(StaticSiteArgs, config, "webapp:site")
    return err.value.problems


def test_bucket_is_private_encrypted_versioned_and_protectable(dev: PlanResult) -> None:
    bucket = dev.one(BUCKET, "site-content")
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.protect is False
    assert deploy(protect=True).one(BUCKET, "site-content").protect is True
    block = dev.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert [block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls")] == [True] * 3
    assert block["restrictPublicBuckets"] is True
    ownership = dev.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    sse = dev.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    versioning = dev.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    rule = dev.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["status"] == "Enabled"


def test_only_the_bucket_is_protected() -> None:
    result = deploy(protect=True)
    protected = [r.type for r in result.resources if r.protect]
    assert protected == [BUCKET]


def test_bucket_policy_denies_plain_http_and_admits_only_this_distribution(dev: PlanResult) -> None:
    registration = dev.one("aws:s3/bucketPolicy:BucketPolicy")
    waits_for = {dev.one(t).urn for t in (
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    )}  # fmt: skip
    assert waits_for <= set(registration.dependencies)
    policy = json.loads(registration.inputs["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "AllowCloudFrontOriginAccessControl",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET_ARN}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": DIST_ARN}},
        },
    ]


def test_s3_origin_uses_origin_access_control(dev: PlanResult) -> None:
    oac = dev.one(OAC)
    assert {
        k: oac.inputs[k] for k in ("originAccessControlOriginType", "signingBehavior", "signingProtocol")
    } == {
        "originAccessControlOriginType": "s3",
        "signingBehavior": "always",
        "signingProtocol": "sigv4",
    }
    s3_origin = distribution(dev)["origins"][0]
    assert s3_origin == {
        "originId": "site-bucket",
        "domainName": "site-content-mock.s3.us-east-1.amazonaws.com",
        "originAccessControlId": "mock-site-s3",
    }


def test_distribution_settings(dev: PlanResult) -> None:
    dist = distribution(dev)
    assert dist["enabled"] is True
    assert dist["isIpv6Enabled"] is True
    assert dist["httpVersion"] == "http2and3"
    assert dist["defaultRootObject"] == "index.html"
    assert dist["priceClass"] == "PriceClass_100"
    assert dist["restrictions"] == {"geoRestriction": {"restrictionType": "none"}}
    assert "customErrorResponses" not in dist
    assert "webAclId" not in dist
    assert dev.outputs["url"] == "https://dmock-site-cdn.cloudfront.net"


def test_default_behaviour_serves_html_with_spa_function_and_short_ttl(dev: PlanResult) -> None:
    default = distribution(dev)["defaultCacheBehavior"]
    html_policy = dev.one(CACHE_POLICY, "site-html")
    assert default["targetOriginId"] == "site-bucket"
    assert default["viewerProtocolPolicy"] == "redirect-to-https"
    assert default["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert default["cachedMethods"] == ["GET", "HEAD"]
    assert default["compress"] is True
    assert default["cachePolicyId"] == html_policy.id
    assert default["responseHeadersPolicyId"] == dev.one(HEADERS).id
    assert default["functionAssociations"] == [
        {
            "eventType": "viewer-request",
            "functionArn": "arn:aws:cloudfront:us-east-1:123456789012:mock/site-spa-fallback",
        }
    ]
    assert {k: html_policy.inputs[k] for k in ("minTtl", "defaultTtl", "maxTtl")} == {
        "minTtl": 0, "defaultTtl": 60, "maxTtl": 60,
    }  # fmt: skip
    assert html_policy.inputs["parametersInCacheKeyAndForwardedToOrigin"] == {
        "enableAcceptEncodingGzip": True,
        "enableAcceptEncodingBrotli": True,
        "cookiesConfig": {"cookieBehavior": "none"},
        "headersConfig": {"headerBehavior": "none"},
        "queryStringsConfig": {"queryStringBehavior": "none"},
    }


def test_spa_function_source_and_runtime(dev: PlanResult) -> None:
    fn = dev.one(FUNCTION).inputs
    assert fn["runtime"] == "cloudfront-js-2.0"
    assert fn["publish"] is True
    assert fn["code"] == SPA_FALLBACK_JS
    assert 'lastSegment.indexOf(".") === -1' in SPA_FALLBACK_JS
    assert 'request.uri = "/index.html"' in SPA_FALLBACK_JS


def test_spa_fallback_off_creates_no_function() -> None:
    result = deploy({"spaFallback": False})
    assert result.by_type(FUNCTION) == []
    assert distribution(result)["defaultCacheBehavior"]["functionAssociations"] == []


def test_api_behaviour_comes_first_uncached_with_all_methods_and_no_function(dev: PlanResult) -> None:
    api = distribution(dev)["orderedCacheBehaviors"][0]
    assert api == {
        "pathPattern": "/api/*",
        "targetOriginId": "api",
        "viewerProtocolPolicy": "https-only",
        "allowedMethods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
        "cachedMethods": ["GET", "HEAD"],
        "cachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "originRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "compress": False,
    }


def test_asset_behaviours_cache_for_a_year_without_the_function(dev: PlanResult) -> None:
    assets = distribution(dev)["orderedCacheBehaviors"][1:]
    year_policy = dev.one(CACHE_POLICY, "site-assets")
    assert [b["pathPattern"] for b in assets] == ["/assets/*", "/_next/*"]
    for behaviour in assets:
        assert behaviour["targetOriginId"] == "site-bucket"
        assert behaviour["cachePolicyId"] == year_policy.id
        assert behaviour["compress"] is True
        assert behaviour["responseHeadersPolicyId"] == dev.one(HEADERS).id
        assert "functionAssociations" not in behaviour
    ttls = {k: year_policy.inputs[k] for k in ("minTtl", "defaultTtl", "maxTtl")}
    assert ttls == {"minTtl": 31536000, "defaultTtl": 31536000, "maxTtl": 31536000}


def test_api_reaches_the_internal_alb_through_a_vpc_origin(dev: PlanResult) -> None:
    config = dev.one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]
    assert config == {
        "name": "webapp-dev-site-api",
        "arn": ALB_ARN,
        "httpPort": 80,
        "httpsPort": 443,
        "originProtocolPolicy": "http-only",
        "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1},
    }
    api_origin = distribution(dev)["origins"][1]
    assert api_origin == {
        "originId": "api",
        "domainName": "internal-api-alb-mock.us-east-1.elb.amazonaws.com",
        "vpcOriginConfig": {"vpcOriginId": "mock-site-api"},
    }


def test_alb_admits_only_cloudfront_vpc_origin_security_group(dev: PlanResult) -> None:
    rule = dev.one(INGRESS).inputs
    assert rule == {
        "securityGroupId": "sg-alb",
        "description": "HTTP from CloudFront VPC origins only",
        "ipProtocol": "tcp",
        "fromPort": 80,
        "toPort": 80,
        "referencedSecurityGroupId": "sg-mock-cloudfront-vpc-origins",
    }
    lookup = [i for i in dev.invokes if i.token == "aws:ec2/getSecurityGroup:getSecurityGroup"]
    assert [i.args for i in lookup] == [{"name": "CloudFront-VPCOrigins-Service-SG", "vpcId": "vpc-mock"}]


def test_the_alb_ingress_rule_depends_on_the_vpc_origin(dev: PlanResult) -> None:
    # CloudFront owns the referenced group and deletes it with the VPC origin: the rule must be
    # created after the origin and deleted before it.
    rule, origin = dev.one(INGRESS), dev.one(VPC_ORIGIN)
    assert origin.urn in rule.dependencies


def test_without_api_there_is_no_vpc_origin_or_ingress() -> None:
    result = deploy(api=None)
    assert result.by_type(VPC_ORIGIN) == []
    assert result.by_type(INGRESS) == []
    dist = distribution(result)
    assert [o["originId"] for o in dist["origins"]] == ["site-bucket"]
    assert [b["pathPattern"] for b in dist["orderedCacheBehaviors"]] == ["/assets/*", "/_next/*"]


def test_security_headers(dev: PlanResult) -> None:
    headers = dev.one(HEADERS).inputs["securityHeadersConfig"]
    assert headers == {
        "strictTransportSecurity": {
            "accessControlMaxAgeSec": 63072000, "includeSubdomains": True, "preload": True, "override": True,
        },
        "contentTypeOptions": {"override": True},
        "frameOptions": {"frameOption": "DENY", "override": True},
        "referrerPolicy": {"referrerPolicy": "strict-origin-when-cross-origin", "override": True},
        "xssProtection": {"protection": False, "override": True},
    }  # fmt: skip


def test_content_security_policy_when_configured() -> None:
    result = deploy({"contentSecurityPolicy": "default-src 'self'"})
    csp = result.one(HEADERS).inputs["securityHeadersConfig"]["contentSecurityPolicy"]
    assert csp == {"contentSecurityPolicy": "default-src 'self'", "override": True}


def test_default_certificate_without_a_certificate_arn(dev: PlanResult) -> None:
    assert distribution(dev)["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert distribution(dev)["aliases"] == []


def test_acm_certificate_aliases_web_acl_and_prod_price_class() -> None:
    acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/mock"
    result = deploy(
        {"priceClass": "PriceClass_All", "htmlTtlSeconds": 300},
        certificate_arn=CERT, aliases=["www.example.com"], web_acl_arn=acl,
    )  # fmt: skip
    dist = distribution(result)
    assert dist["viewerCertificate"] == {
        "acmCertificateArn": CERT,
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    assert dist["aliases"] == ["www.example.com"]
    assert dist["webAclId"] == acl
    assert dist["priceClass"] == "PriceClass_All"
    assert result.one(CACHE_POLICY, "site-html").inputs["maxTtl"] == 300
    assert result.outputs["url"] == "https://www.example.com"


def redirecting(config: dict[str, Any] | None = None) -> PlanResult:
    return deploy(
        config, certificate_arn=CERT, aliases=["example.com", "www.example.com"], canonical_host="example.com"
    )


def test_canonical_host_redirect_runs_on_the_default_and_asset_behaviours_not_the_api() -> None:
    result = redirecting()
    fn = result.one(FUNCTION, "site-viewer-request").inputs
    assert fn["code"] == viewer_request_code(spa_fallback=True, canonical_host="example.com")
    assert 'var CANONICAL_HOST = "example.com";' in fn["code"]
    assert 'request.uri = "/index.html"' in fn["code"]
    assert fn["comment"] == "Redirects other hosts to example.com; SPA routes to /index.html"
    association = [
        {
            "eventType": "viewer-request",
            "functionArn": "arn:aws:cloudfront:us-east-1:123456789012:mock/site-viewer-request",
        }
    ]
    dist = distribution(result)
    assert dist["defaultCacheBehavior"]["functionAssociations"] == association
    api, *assets = dist["orderedCacheBehaviors"]
    assert "functionAssociations" not in api
    assert [(b["pathPattern"], b["functionAssociations"]) for b in assets] == [
        ("/assets/*", association), ("/_next/*", association),
    ]  # fmt: skip
    assert result.outputs["url"] == "https://example.com"


def test_canonical_host_without_spa_fallback_still_redirects() -> None:
    result = redirecting({"spaFallback": False})
    fn = result.one(FUNCTION, "site-viewer-request").inputs
    assert fn["code"] == viewer_request_code(spa_fallback=False, canonical_host="example.com")
    assert "index.html" not in fn["code"]
    assert "statusCode: 301" in fn["code"]
    assert fn["comment"] == "Redirects other hosts to example.com"
    assert len(distribution(result)["defaultCacheBehavior"]["functionAssociations"]) == 1


def test_canonical_host_must_be_an_alias() -> None:
    with pytest.raises(
        ValueError, match=re.escape("canonical_host 'example.com' must be one of the aliases []")
    ):
        StaticSite("site", StaticSiteArgs(), api=None, canonical_host="example.com")


def test_aliases_without_certificate_are_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("aliases ['www.example.com'] need a certificate_arn")):
        StaticSite("site", StaticSiteArgs(), api=None, aliases=["www.example.com"])


@pytest.mark.parametrize("pattern", ["assets/*", "/my assets/*", "/assets/*?", ""])
def test_invalid_path_pattern(pattern: str) -> None:
    assert problems({"hashedAssetPaths": ["/_next/*", pattern]}) == [
        f"webapp:site.hashedAssetPaths[1] = {json.dumps(pattern)}: must be a CloudFront path pattern such as "
        '"/assets/*": start with "/", at most 255 characters of letters, digits and '
        "_ - . * $ / ~ \" ' @ : + & (no spaces)"
    ]


def test_invalid_api_path_pattern() -> None:
    assert problems({"apiPathPattern": "api/*"}) == [
        'webapp:site.apiPathPattern = "api/*": must be a CloudFront path pattern such as "/assets/*": '
        'start with "/", at most 255 characters of letters, digits and _ - . * $ / ~ " \' @ : + & (no spaces)'
    ]


def test_unknown_price_class() -> None:
    assert problems({"priceClass": "PriceClass_50"}) == [
        "webapp:site.priceClass = \"PriceClass_50\": must be 'PriceClass_100', 'PriceClass_200' or "
        "'PriceClass_All'"
    ]


@pytest.mark.parametrize("ttl", [-1, 3601])
def test_html_ttl_out_of_range(ttl: int) -> None:
    assert problems({"htmlTtlSeconds": ttl}) == [
        f"webapp:site.htmlTtlSeconds = {ttl}: must be from 0 to 3600 seconds: HTML names the hashed "
        "assets, so a long TTL keeps serving an old release after a deploy"
    ]


def test_too_many_and_duplicate_asset_paths() -> None:
    many = [f"/p{i}/*" for i in range(26)]
    assert problems({"hashedAssetPaths": many}) == [
        f"webapp:site.hashedAssetPaths = {json.dumps(many)}: must list at most 25 path patterns"
    ]
    assert problems({"hashedAssetPaths": ["/a/*", "/a/*"]}) == [
        'webapp:site.hashedAssetPaths = ["/a/*", "/a/*"]: lists a path pattern twice'
    ]


def test_api_path_pattern_clashing_with_an_asset_path() -> None:
    assert problems({"apiPathPattern": "/assets/*"}) == [
        'webapp:site.apiPathPattern = "/assets/*": is also listed in hashedAssetPaths; each path '
        "pattern may route to one origin only"
    ]


def test_content_security_policy_too_long() -> None:
    csp = "default-src 'self'; " + "a" * 1780
    assert problems({"contentSecurityPolicy": csp}) == [
        f"webapp:site.contentSecurityPolicy = {json.dumps(csp)}: must be at most 1783 characters "
        "(CloudFront's limit for this header), got 1800"
    ]


def test_defaults_are_the_dev_profile() -> None:
    args = StaticSiteArgs()
    assert args.model_dump(by_alias=True, mode="json") == {
        "enabled": True,
        "priceClass": "PriceClass_100",
        "htmlTtlSeconds": 60,
        "hashedAssetPaths": ["/assets/*", "/_next/*"],
        "apiPathPattern": "/api/*",
        "spaFallback": True,
        "contentSecurityPolicy": None,
        "noncurrentVersionExpirationDays": 30,
        "accessLogs": {"enabled": False, "retentionDays": 90},
        "domain": None,
        "originTls": False,
        "buildDir": None,
    }


def test_access_log_retention_must_be_a_cloudwatch_period() -> None:
    assert problems({"accessLogs": {"enabled": True, "retentionDays": 100}}) == [
        "webapp:site.accessLogs.retentionDays = 100: must be one of CloudWatch's retention periods in "
        "days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
        "2922, 3288, 3653"
    ]


def test_no_access_logs_by_default(dev: PlanResult) -> None:
    assert dev.by_type(LOG_DELIVERY) == []
    assert dev.by_type(LOG_GROUP) == []


def test_access_logs_are_delivered_to_a_us_east_1_log_group() -> None:
    result = deploy({"accessLogs": {"enabled": True, "retentionDays": 365}})
    log_group = result.one(LOG_GROUP, "site-access-logs").inputs
    assert log_group["name"] == "/aws/cloudfront/webapp-dev/site"
    assert log_group["retentionInDays"] == 365
    source = result.one(LOG_SOURCE, "site-access-logs").inputs
    assert source["logType"] == "ACCESS_LOGS"
    assert source["resourceArn"] == DIST_ARN
    assert source["name"] == "webapp-dev-site-access"
    destination = result.one(LOG_DESTINATION, "site-access-logs").inputs
    assert destination["outputFormat"] == "json"
    assert destination["deliveryDestinationConfiguration"]["destinationResourceArn"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudfront/webapp-dev/site"
    )
    delivery = result.one(LOG_DELIVERY, "site-access-logs").inputs
    assert delivery["deliverySourceName"] == "webapp-dev-site-access"
    assert delivery["deliveryDestinationArn"] == (
        "arn:aws:cloudwatch:us-east-1:123456789012:mock/site-access-logs"
    )
    # CloudFront accepts log deliveries in us-east-1 only, whatever the stack's region.
    for registration in (log_group, source, destination, delivery):
        assert registration["region"] == "us-east-1"


def test_api_path_pattern_must_be_a_prefix() -> None:
    from components import StaticSiteArgs, validate_config
    from components.core.config_errors import ConfigError

    with pytest.raises(ConfigError) as err:
        validate_config(StaticSiteArgs, {"apiPathPattern": "/api*"}, "webapp:site")
    assert err.value.problems == [
        'webapp:site.apiPathPattern = "/api*": must be a prefix pattern ending in "/*", such as /api/*: '
        "everything under it goes to the API, and the API's URL is the prefix"
    ]
