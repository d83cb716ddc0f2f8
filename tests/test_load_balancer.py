"""The LoadBalancer component: what each front door registers, and the config it refuses."""

import json
import re
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.edge.load_balancer import LoadBalancer
from components.edge.load_balancer_args import TLS13_SSL_POLICIES, LoadBalancerArgs
from tests.harness import PlanResult, Registration, run_components

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
RECORD = "aws:route53/record:Record"
CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
BUCKET = "aws:s3/bucket:Bucket"

PUBLIC = ["subnet-public-1", "subnet-public-2"]
PRIVATE = ["subnet-private-1", "subnet-private-2"]
DIRECT = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}
ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-alb/mock"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/mock"
LOG_BUCKET = "api-access-logs-mock"  # the mock's name for the autonamed bucket


def deploy(config: dict[str, Any], *, protect: bool = False) -> PlanResult:
    """Run one LoadBalancer from stack-style config; its outputs are exported for the tests."""
    args = validate_config(LoadBalancerArgs, config, "webapp:loadBalancer")

    def build() -> None:
        lb = LoadBalancer(
            "api", args, vpc_id="vpc-mock", public_subnet_ids=PUBLIC, private_subnet_ids=PRIVATE,
            container_port=8000, protect=protect,
        )  # fmt: skip
        pulumi.export("url", lb.url)
        pulumi.export("arnSuffix", lb.arn_suffix)
        pulumi.export("targetGroupArn", lb.target.target_group_arn)
        pulumi.export("securityGroupId", lb.target.security_group_id)
        pulumi.export("resourceLabel", lb.target.resource_label)
        pulumi.export("listenerUrn", lb.target.listener.urn)

    return run_components(build)


@pytest.fixture(scope="module")
def cdn() -> PlanResult:
    return deploy({})


@pytest.fixture(scope="module")
def direct() -> PlanResult:
    return deploy({**DIRECT, "accessLogs": {"enabled": True}, "deletionProtection": True}, protect=True)


# --- cdn: internal ALB, one forwarding HTTP listener ---------------------------------------------


def test_cdn_alb_is_internal_in_the_private_subnets(cdn: PlanResult) -> None:
    alb = cdn.one(ALB, "api-alb").inputs
    assert alb["loadBalancerType"] == "application"
    assert alb["internal"] is True
    assert alb["subnets"] == PRIVATE
    assert alb["securityGroups"] == ["mock-api-alb"]


def test_cdn_has_one_http_listener_forwarding_to_the_target_group(cdn: PlanResult) -> None:
    [listener] = cdn.by_type(LISTENER)
    assert listener.name == "api-http"
    assert listener.inputs["loadBalancerArn"] == ALB_ARN
    assert listener.inputs["port"] == 80
    assert listener.inputs["protocol"] == "HTTP"
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": TG_ARN}]
    assert "sslPolicy" not in listener.inputs
    assert "certificateArn" not in listener.inputs


def test_cdn_needs_no_certificate_dns_or_zone_lookup(cdn: PlanResult) -> None:
    assert cdn.by_type(CERT) == []
    assert cdn.by_type(VALIDATION) == []
    assert cdn.by_type(RECORD) == []
    assert [i.token for i in cdn.invokes if i.token.startswith("aws:route53")] == []


def test_cdn_security_group_has_no_rules_at_all(cdn: PlanResult) -> None:
    sg = cdn.one(SG, "api-alb").inputs
    assert sg["vpcId"] == "vpc-mock"
    assert sg["description"] == "ALB: ingress only from the CDN VPC origin"
    assert "ingress" not in sg
    assert "egress" not in sg
    assert cdn.by_type(INGRESS) == []
    assert cdn.by_type(EGRESS) == []


def test_cdn_url_is_the_internal_dns_name(cdn: PlanResult) -> None:
    assert cdn.outputs["url"] == "http://internal-api-alb-mock.us-east-1.elb.amazonaws.com"


def test_cdn_target_is_the_http_listener(cdn: PlanResult) -> None:
    assert cdn.outputs["listenerUrn"] == cdn.one(LISTENER, "api-http").urn
    assert cdn.outputs["targetGroupArn"] == TG_ARN
    assert cdn.outputs["securityGroupId"] == "mock-api-alb"
    assert cdn.outputs["resourceLabel"] == "app/api-alb/mock/targetgroup/api-tg/mock"


# --- direct: internet-facing ALB, redirect + HTTPS, certificate and DNS ---------------------------


def test_direct_alb_is_internet_facing_in_the_public_subnets(direct: PlanResult) -> None:
    alb = direct.one(ALB, "api-alb").inputs
    assert alb["internal"] is False
    assert alb["subnets"] == PUBLIC


def test_direct_http_listener_only_redirects_to_https(direct: PlanResult) -> None:
    http = direct.one(LISTENER, "api-http").inputs
    assert http["port"] == 80
    assert http["protocol"] == "HTTP"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}
    ]


def test_direct_https_listener_forwards_with_tls13_and_the_validated_certificate(direct: PlanResult) -> None:
    https = direct.one(LISTENER, "api-https")
    assert https.inputs["port"] == 443
    assert https.inputs["protocol"] == "HTTPS"
    assert https.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": TG_ARN}]
    assert https.inputs["certificateArn"] == "arn:aws:acm:us-east-1:123456789012:certificate/mock-api-cert"
    # The ARN comes from the validation, so the listener waits until ACM has issued the certificate.
    validation = direct.one(VALIDATION, "api-cert")
    assert https.property_dependencies["certificateArn"] == [validation.urn]


def test_direct_certificate_is_dns_validated_in_the_public_zone(direct: PlanResult) -> None:
    cert = direct.one(CERT, "api-cert").inputs
    assert cert["domainName"] == "api.example.com"
    assert cert["validationMethod"] == "DNS"
    [zone_lookup] = [i for i in direct.invokes if i.token == "aws:route53/getZone:getZone"]
    assert zone_lookup.args == {"name": "example.com", "privateZone": False}
    record = direct.one(RECORD, "api-cert-validation").inputs
    assert record == {
        "zoneId": "ZMOCKHOSTEDZONE", "name": "_mock.api.example.com.", "type": "CNAME",
        "records": ["_mock.acm-validations.aws."], "ttl": 60, "allowOverwrite": True,
    }  # fmt: skip
    validation = direct.one(VALIDATION, "api-cert").inputs
    assert validation == {
        "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/mock-api-cert",
        "validationRecordFqdns": ["_mock.api.example.com"],
    }


def test_direct_alias_points_the_domain_at_the_alb(direct: PlanResult) -> None:
    alias = direct.one(RECORD, "api-alias").inputs
    assert alias == {
        "zoneId": "ZMOCKHOSTEDZONE", "name": "api.example.com", "type": "A",
        "aliases": [{"name": "api-alb-mock.us-east-1.elb.amazonaws.com", "zoneId": "ZMOCKELBZONE",
                     "evaluateTargetHealth": True}],
    }  # fmt: skip
    assert direct.outputs["url"] == "https://api.example.com"


def test_direct_security_group_admits_exactly_80_and_443_from_anywhere(direct: PlanResult) -> None:
    sg = direct.one(SG, "api-alb").inputs
    assert "ingress" not in sg
    assert "egress" not in sg
    rules = sorted((r.inputs for r in direct.by_type(INGRESS)), key=lambda r: r["fromPort"])
    assert rules == [
        {"securityGroupId": "mock-api-alb", "description": "HTTP (redirected to HTTPS) from the internet",
         "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv4": "0.0.0.0/0"},
        {"securityGroupId": "mock-api-alb", "description": "HTTPS from the internet",
         "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
    ]  # fmt: skip
    assert direct.by_type(EGRESS) == []


def test_direct_target_is_the_https_listener(direct: PlanResult) -> None:
    assert direct.outputs["listenerUrn"] == direct.one(LISTENER, "api-https").urn
    assert direct.outputs["resourceLabel"] == f"{direct.outputs['arnSuffix']}/targetgroup/api-tg/mock"


@pytest.mark.parametrize(
    "policy", ["ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"]
)
def test_ssl_policy_is_configurable_among_tls13_policies(policy: str) -> None:
    result = deploy({**DIRECT, "sslPolicy": policy})
    assert result.one(LISTENER, "api-https").inputs["sslPolicy"] == policy


# --- both modes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["cdn", "direct"])
def test_alb_hardening(mode: str, cdn: PlanResult, direct: PlanResult) -> None:
    alb = {"cdn": cdn, "direct": direct}[mode].one(ALB, "api-alb").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] == "defensive"
    assert alb["ipAddressType"] == "ipv4"
    assert alb["idleTimeout"] == 60


def test_deletion_protection_is_off_in_dev_and_follows_config(cdn: PlanResult, direct: PlanResult) -> None:
    assert cdn.one(ALB).inputs["enableDeletionProtection"] is False
    assert direct.one(ALB).inputs["enableDeletionProtection"] is True


def test_idle_timeout_follows_config() -> None:
    assert deploy({"idleTimeoutSeconds": 300}).one(ALB).inputs["idleTimeout"] == 300


def test_target_group_sends_ip_targets_http_on_the_container_port(cdn: PlanResult) -> None:
    tg = cdn.one(TARGET_GROUP, "api-tg").inputs
    assert tg["targetType"] == "ip"
    assert tg["protocol"] == "HTTP"
    assert tg["port"] == 8000
    assert tg["vpcId"] == "vpc-mock"
    assert tg["deregistrationDelay"] == 30
    assert tg["healthCheck"] == {
        "enabled": True, "protocol": "HTTP", "port": "traffic-port", "path": "/health", "matcher": "200-399",
        "interval": 15, "timeout": 5, "healthyThreshold": 2, "unhealthyThreshold": 3,
    }  # fmt: skip


def test_health_check_and_deregistration_delay_follow_config() -> None:
    check = {"path": "/healthz", "healthyThreshold": 3, "unhealthyThreshold": 2, "intervalSeconds": 10,
             "timeoutSeconds": 3, "matcher": "200,204"}  # fmt: skip
    tg = deploy({"healthCheck": check, "deregistrationDelaySeconds": 0}).one(TARGET_GROUP).inputs
    assert tg["deregistrationDelay"] == 0
    assert tg["healthCheck"] == {
        "enabled": True, "protocol": "HTTP", "port": "traffic-port", "path": "/healthz", "matcher": "200,204",
        "interval": 10, "timeout": 3, "healthyThreshold": 3, "unhealthyThreshold": 2,
    }  # fmt: skip


def test_children_are_parented_to_the_component(direct: PlanResult) -> None:
    component = direct.one("webapp:index:LoadBalancer", "api")
    others = [r for r in direct.resources if r is not component]
    assert others
    assert all(r.parent == component.urn for r in others)


@pytest.mark.parametrize("mode", ["cdn", "direct"])
def test_security_group_descriptions_use_only_characters_ec2_accepts(
    mode: str, cdn: PlanResult, direct: PlanResult
) -> None:
    result = {"cdn": cdn, "direct": direct}[mode]
    descriptions = [r.inputs["description"] for r in result.by_type(SG) + result.by_type(INGRESS)]
    assert descriptions
    # EC2's documented character set for group and rule descriptions (no quotes or apostrophes).
    assert all(re.fullmatch(r"[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{1,255}", d) for d in descriptions)


def test_bad_container_port_is_refused() -> None:
    with pytest.raises(ValueError, match="container_port 0 must be from 1 to 65535"):
        LoadBalancer("api", LoadBalancerArgs(), vpc_id="v", public_subnet_ids=[], private_subnet_ids=[],
                     container_port=0)  # fmt: skip


# --- access logs --------------------------------------------------------------------------------


def by_bucket_config(result: PlanResult) -> dict[str, Registration]:
    return {r.type.split(":")[-1]: r for r in result.resources if r.type.startswith("aws:s3/")}


def test_no_access_log_bucket_when_disabled(cdn: PlanResult) -> None:
    assert by_bucket_config(cdn) == {}
    assert "accessLogs" not in cdn.one(ALB).inputs
    assert [i.token for i in cdn.invokes if i.token == "aws:elb/getServiceAccount:getServiceAccount"] == []


def test_access_log_bucket_is_private_encrypted_versioned_and_expiring(direct: PlanResult) -> None:
    s3 = by_bucket_config(direct)
    assert sorted(s3) == [
        "Bucket", "BucketLifecycleConfiguration", "BucketOwnershipControls", "BucketPolicy",
        "BucketPublicAccessBlock", "BucketServerSideEncryptionConfiguration", "BucketVersioning",
    ]  # fmt: skip
    assert s3["Bucket"].inputs == {"forceDestroy": False}
    assert all(r.inputs["bucket"] == LOG_BUCKET for kind, r in s3.items() if kind != "Bucket")
    assert s3["BucketOwnershipControls"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    block = s3["BucketPublicAccessBlock"].inputs
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {flag: block[flag] for flag in flags} == dict.fromkeys(flags, True)
    assert s3["BucketServerSideEncryptionConfiguration"].inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert s3["BucketVersioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}
    lifecycle = s3["BucketLifecycleConfiguration"]
    assert lifecycle.inputs["rules"] == [
        {"id": "expire-access-logs", "status": "Enabled", "filter": {}, "expiration": {"days": 90},
         "noncurrentVersionExpiration": {"noncurrentDays": 1},
         "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}},
    ]  # fmt: skip
    assert s3["BucketVersioning"].urn in lifecycle.dependencies


def test_access_log_retention_follows_config() -> None:
    result = deploy({"accessLogs": {"enabled": True, "retentionDays": 365}})
    [rule] = by_bucket_config(result)["BucketLifecycleConfiguration"].inputs["rules"]
    assert rule["expiration"] == {"days": 365}


def test_access_log_bucket_policy_denies_plain_http_and_lets_only_elb_write_this_accounts_logs(
    direct: PlanResult,
) -> None:
    policy = json.loads(by_bucket_config(direct)["BucketPolicy"].inputs["policy"])
    arn = f"arn:aws:s3:::{LOG_BUCKET}"
    assert policy["Statement"] == [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowAlbLogDelivery", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::127311923021:root"},
         "Action": "s3:PutObject", "Resource": f"{arn}/alb/AWSLogs/123456789012/*"},
    ]  # fmt: skip


def test_alb_logs_to_the_bucket_after_its_policy_exists(direct: PlanResult) -> None:
    alb = direct.one(ALB)
    assert alb.inputs["accessLogs"] == {"bucket": LOG_BUCKET, "enabled": True, "prefix": "alb"}
    assert by_bucket_config(direct)["BucketPolicy"].urn in alb.dependencies


def test_protect_guards_only_the_bucket(direct: PlanResult) -> None:
    protected = [r.type for r in direct.resources if r.protect]
    assert protected == [BUCKET]


def test_bucket_is_not_protected_without_protect() -> None:
    result = deploy({"accessLogs": {"enabled": True}})
    assert result.one(BUCKET).protect is False


# --- config -------------------------------------------------------------------------------------


def test_defaults_are_the_dev_profile() -> None:
    args = LoadBalancerArgs()
    assert args.model_dump(by_alias=True) == {
        "frontDoor": "cdn", "domain": None, "hostedZoneName": None,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "idleTimeoutSeconds": 60,
        "deletionProtection": False, "accessLogs": {"enabled": False, "retentionDays": 90},
        "healthCheck": {"path": "/health", "healthyThreshold": 2, "unhealthyThreshold": 3,
                        "intervalSeconds": 15, "timeoutSeconds": 5, "matcher": "200-399"},
        "deregistrationDelaySeconds": 30,
    }  # fmt: skip


def test_every_allowed_ssl_policy_offers_tls13_and_nothing_below_tls12() -> None:
    assert all(
        p.startswith(("ELBSecurityPolicy-TLS13-1-2-", "ELBSecurityPolicy-TLS13-1-3-"))
        for p in TLS13_SSL_POLICIES
    )
    assert "ELBSecurityPolicy-TLS13-1-2-2021-06" in TLS13_SSL_POLICIES


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(LoadBalancerArgs, data, "webapp:loadBalancer")
    return err.value.problems


def test_direct_without_domain() -> None:
    assert problems({"frontDoor": "direct"}) == [
        'webapp:loadBalancer.domain = null: frontDoor "direct" needs a domain for the HTTPS certificate and '
        "the DNS alias, e.g. api.example.com"
    ]


def test_direct_without_hosted_zone() -> None:
    assert problems({"frontDoor": "direct", "domain": "api.example.com"}) == [
        'webapp:loadBalancer.hostedZoneName = null: frontDoor "direct" needs the public Route 53 hosted zone '
        "that holds api.example.com, e.g. example.com"
    ]


@pytest.mark.parametrize("domain", ["api.example.org", "notexample.com"])
def test_domain_outside_the_zone(domain: str) -> None:
    assert problems({**DIRECT, "domain": domain}) == [
        f'webapp:loadBalancer.domain = "{domain}": must be example.com or a name under it (hostedZoneName): '
        "the certificate is validated and the alias created in that zone"
    ]


def test_domain_at_the_zone_apex_is_allowed() -> None:
    args = validate_config(LoadBalancerArgs, {**DIRECT, "domain": "Example.com."}, "webapp:loadBalancer")
    assert args.domain == "example.com"


def test_domain_must_be_a_dns_name() -> None:
    assert problems({**DIRECT, "domain": "*.example.com"}) == [
        'webapp:loadBalancer.domain = "*.example.com": must be a DNS name such as api.example.com: '
        "dot-separated labels of letters, digits and hyphens (no wildcard), at most 253 characters"
    ]


@pytest.mark.parametrize(("key", "value"), [("domain", "api.example.com"), ("hostedZoneName", "example.com")])
def test_cdn_with_a_domain(key: str, value: str) -> None:
    assert problems({key: value}) == [
        f'webapp:loadBalancer.{key} = "{value}": not used with frontDoor "cdn": the CDN serves the public '
        'domain and the ALB stays internal; remove it, or set frontDoor to "direct"'
    ]


def test_cdn_with_an_ssl_policy() -> None:
    assert problems({"sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}) == [
        'webapp:loadBalancer.sslPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06": not used with frontDoor '
        '"cdn": the internal ALB has no HTTPS listener, or with site.originTls one for CloudFront only, on '
        "the default policy; remove it"
    ]


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
    ],
)
def test_ssl_policy_without_tls13_or_with_tls10_is_refused(policy: str) -> None:
    assert problems({**DIRECT, "sslPolicy": policy}) == [
        f'webapp:loadBalancer.sslPolicy = "{policy}": must be an ALB security policy that offers TLS 1.3 and '
        "nothing older than TLS 1.2: " + ", ".join(TLS13_SSL_POLICIES)
    ]


def test_unknown_front_door() -> None:
    assert problems({"frontDoor": "cloudfront"}) == [
        "webapp:loadBalancer.frontDoor = \"cloudfront\": must be 'cdn' or 'direct'"
    ]


def test_health_check_timeout_must_be_below_interval() -> None:
    assert problems({"healthCheck": {"intervalSeconds": 10, "timeoutSeconds": 10}}) == [
        "webapp:loadBalancer.healthCheck.timeoutSeconds = 10: must be less than intervalSeconds (10)"
    ]


@pytest.mark.parametrize(
    ("check", "line"),
    [
        ({"healthyThreshold": 1}, "healthCheck.healthyThreshold = 1: must be from 2 to 10"),
        ({"unhealthyThreshold": 11}, "healthCheck.unhealthyThreshold = 11: must be from 2 to 10"),
        ({"intervalSeconds": 301}, "healthCheck.intervalSeconds = 301: must be from 5 to 300"),
        ({"timeoutSeconds": 1}, "healthCheck.timeoutSeconds = 1: must be from 2 to 120"),
        ({"path": "health"}, 'healthCheck.path = "health": must start with "/", contain no spaces and be at '
                             "most 1024 characters"),
        ({"matcher": "200-600"}, 'healthCheck.matcher = "200-600": must be HTTP codes from 200 to 499: one '
                                 '("200"), a list ("200,204") or a range ("200-399")'),
    ],
)  # fmt: skip
def test_health_check_ranges(check: dict[str, Any], line: str) -> None:
    assert problems({"healthCheck": check}) == [f"webapp:loadBalancer.{line}"]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"idleTimeoutSeconds": 0}, "idleTimeoutSeconds = 0: must be from 1 to 4000"),
        ({"idleTimeoutSeconds": 4001}, "idleTimeoutSeconds = 4001: must be from 1 to 4000"),
        ({"deregistrationDelaySeconds": 3601}, "deregistrationDelaySeconds = 3601: must be from 0 to 3600 "
                                               "(seconds a stopping task keeps finishing its requests)"),
        ({"accessLogs": {"enabled": True, "retentionDays": 0}},
         "accessLogs.retentionDays = 0: must be from 1 to 3650 (days before S3 deletes a log file)"),
    ],
)  # fmt: skip
def test_ranges(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [f"webapp:loadBalancer.{line}"]


def test_unknown_key() -> None:
    assert problems({"idleTimeout": 60}) == [
        "webapp:loadBalancer.idleTimeout = 60: unknown key (did you mean idleTimeoutSeconds?); allowed keys: "
        "accessLogs, deletionProtection, deregistrationDelaySeconds, domain, frontDoor, healthCheck, "
        "hostedZoneName, idleTimeoutSeconds, sslPolicy"
    ]
