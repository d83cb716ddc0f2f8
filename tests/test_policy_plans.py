"""The whole pack over the committed stacks' plans, and over mutations of the prod plan."""

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from offline.policy_check import CONFIG_DIR
from tests.policy_harness import check_plan, plan_json

Plan = dict[str, Any]


def verdicts(plan: Plan, stack: str, enforcement: str) -> set[tuple[str, str]]:
    report = check_plan(plan, stack)
    return {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in report.verdicts if v.enforcement == enforcement}


def test_prod_has_no_violations_only_design_exceptions() -> None:
    # Every exception below is decided by the rules from the resources and their relationships;
    # the committed pack configs hold enforcement levels only.
    for profile in ("dev", "prod"):
        config = json.loads((CONFIG_DIR / f"{profile}.json").read_text())
        assert not [
            name for name, entry in config.items() if isinstance(entry, dict) and "exceptions" in entry
        ]
    plan = plan_json("prod")
    assert verdicts(plan, "prod", "mandatory") == set()
    assert verdicts(plan, "prod", "advisory") == set()
    assert verdicts(plan, "prod", "unknown") == set()
    assert verdicts(plan, "prod", "excepted") == {
        ("cloudfront-custom-certificate", "site-cdn"),
        # No site.domain: no certificate for the origin, so CloudFront -> ALB stays HTTP, visibly.
        ("cloudfront-origin-https", "site-api"),
        ("elb-http-redirects-to-https", "api-http"),
        ("elb-http-redirects-to-https", "api-test"),
        ("elb-listener-secure-protocol", "api-http"),
        ("elb-listener-secure-protocol", "api-test"),
        ("ecs-fargate-latest-platform", "api-svc"),
        ("ecs-fargate-latest-platform", "worker-celery-svc"),
        # Tracing's agent and instrumentation copy run as their images' root user (0019).
        ("ecs-non-root-user", "api-task-def"),
        ("ecs-non-root-user", "worker-celery-task-def"),
        ("s3-kms-encryption", "api-access-logs"),
        ("s3-kms-encryption", "site-content"),
        ("s3-server-access-logging", "api-access-logs"),
        ("s3-server-access-logging", "site-content"),
        ("secretsmanager-rotation-enabled", "app-SECRET_KEY"),
        ("secretsmanager-rotation-enabled", "cache-auth"),
    }


def test_dev_has_no_mandatory_violations_and_only_the_production_advisories() -> None:
    plan = plan_json("dev")
    assert verdicts(plan, "dev", "mandatory") == set()
    assert verdicts(plan, "dev", "advisory") == {
        ("cloudfront-access-logging", "site-cdn"),
        ("cloudfront-waf", "site-cdn"),
        ("waf-in-front", "site-cdn"),
        ("ecs-service-two-tasks", "api-scaling"),
        ("ecs-service-two-tasks", "api-schedule-evening-off"),
        ("ecs-service-two-tasks", "api-schedule-morning-on"),
        ("elb-access-logs", "api-alb"),
        ("elb-deletion-protection", "api-alb"),
        ("elb-waf-attached", "api-alb"),
        ("rds-cluster-multi-az", "db-cluster"),
        ("rds-deletion-protection", "db-cluster"),
        ("rds-enhanced-monitoring", "db-instance-1"),
        ("secretsmanager-recovery-window", "app-SECRET_KEY"),
        ("sns-alarms-reach-someone", "ops-alarms"),
        # Dev keeps its logs 7 days under the AWS-owned key: prod's year and KMS key are advisory here.
        *(
            (rule, group)
            for rule in ("cloudwatch-log-group-encrypted", "cloudwatch-log-group-retention-period")
            for group in ("api-logs", "db-postgresql-logs", "migrate-logs", "net-flow-logs")
        ),
        *(
            ("stateful-resources-protected", name)
            for name in (
                "app-secrets", "app-SECRET_KEY", "db-key", "db-cluster", "db-instance-1", "api-repo",
                "site-content", "ops-alarms",
            )
        ),
    }  # fmt: skip
    # Dev's cache is a sidecar and it has no worker: no ElastiCache, AUTH token or worker verdicts.
    assert verdicts(plan, "dev", "excepted") == {
        ("cloudfront-custom-certificate", "site-cdn"),
        ("cloudfront-origin-https", "site-api"),
        ("elb-http-redirects-to-https", "api-http"),
        ("elb-listener-secure-protocol", "api-http"),
        ("ecs-fargate-latest-platform", "api-svc"),
        ("s3-kms-encryption", "site-content"),
        ("s3-server-access-logging", "site-content"),
        ("secretsmanager-rotation-enabled", "app-SECRET_KEY"),
    }


# --- mutations of the prod plan: each must be caught as mandatory -----------------------------------


def state(plan: Plan, type_: str, name: str) -> dict[str, Any]:
    matches = [
        s["newState"] for s in plan["steps"]
        if s["newState"]["type"] == type_ and s["newState"]["urn"].endswith(f"::{name}")
    ]  # fmt: skip
    assert len(matches) == 1, (type_, name)
    return matches[0]


def inputs(plan: Plan, type_: str, name: str) -> dict[str, Any]:
    return state(plan, type_, name)["inputs"]


def drop(plan: Plan, type_: str, name: str) -> None:
    target = state(plan, type_, name)
    plan["steps"] = [s for s in plan["steps"] if s["newState"] is not target]


def add_environment(plan: Plan, name: str, value: str) -> None:
    task = inputs(plan, "aws:ecs/taskDefinition:TaskDefinition", "api-task-def")
    containers = json.loads(task["containerDefinitions"])
    containers[0]["environment"].append({"name": name, "value": value})
    task["containerDefinitions"] = json.dumps(containers)


def open_database_to_the_world(plan: Plan) -> None:
    rule = inputs(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "api-database-ingress")
    del rule["referencedSecurityGroupId"]
    rule["cidrIpv4"] = "0.0.0.0/0"


def force_ssl_off(plan: Plan) -> None:
    params = inputs(plan, "aws:rds/parameterGroup:ParameterGroup", "db-params")["parameters"]
    next(p for p in params if p["name"] == "rds.force_ssl")["value"] = "0"


def allow_http_viewers(plan: Plan) -> None:
    distribution = inputs(plan, "aws:cloudfront/distribution:Distribution", "site-cdn")
    distribution["defaultCacheBehavior"]["viewerProtocolPolicy"] = "allow-all"


def setter(type_: str, name: str, key: str, value: Any) -> Callable[[Plan], None]:
    def mutate(plan: Plan) -> None:
        inputs(plan, type_, name)[key] = value

    return mutate


def unprotect(type_: str, name: str) -> Callable[[Plan], None]:
    def mutate(plan: Plan) -> None:
        state(plan, type_, name)["protect"] = False

    return mutate


RDS = "aws:rds/instance:Instance"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

MUTATIONS: dict[str, tuple[Callable[[Plan], None], set[tuple[str, str]]]] = {
    "database encryption off": (
        setter(RDS, "db-instance", "storageEncrypted", False),
        {("rds-storage-encrypted", "db-instance")},
    ),
    "database public": (
        setter(RDS, "db-instance", "publiclyAccessible", True),
        {("rds-publicly-accessible", "db-instance")},
    ),
    "database open to 0.0.0.0/0": (
        open_database_to_the_world,
        {
            ("ec2-data-tier-ingress-from-security-groups-only", "api-database-ingress"),
            ("ec2-no-unrestricted-ingress", "api-database-ingress"),
            ("ec2-no-world-high-risk-ports", "api-database-ingress"),
        },
    ),
    "rds.force_ssl off": (force_ssl_off, {("rds-force-ssl", "db-params")}),
    "no deletion protection in prod": (
        setter(RDS, "db-instance", "deletionProtection", False),
        {("rds-deletion-protection", "db-instance")},
    ),
    "database not protected": (
        unprotect(RDS, "db-instance"),
        {("stateful-resources-protected", "db-instance")},
    ),
    "flow log dropped": (
        lambda plan: drop(plan, "aws:ec2/flowLog:FlowLog", "net-flow-log"),
        {("ec2-vpc-flow-logs", "net-vpc")},
    ),
    "site bucket public policy allowed": (
        setter(PUBLIC_ACCESS_BLOCK, "site-content", "blockPublicPolicy", False),
        {("s3-block-public-access", "site-content")},
    ),
    "viewers on plain HTTP": (allow_http_viewers, {("cloudfront-viewer-https", "site-cdn")}),
    "no WAF on the distribution": (
        setter("aws:cloudfront/distribution:Distribution", "site-cdn", "webAclId", None),
        {("cloudfront-waf", "site-cdn"), ("waf-in-front", "site-cdn"), ("elb-waf-attached", "api-alb")},
    ),
    "key rotation off": (
        setter("aws:kms/key:Key", "db-key", "enableKeyRotation", False),
        {("kms-key-rotation-enabled", "db-key")},
    ),
    "password in plain environment": (
        lambda plan: add_environment(plan, "STRIPE_SECRET", "sk_live_123"),
        {("ecs-no-secrets-in-environment", "api-task-def")},
    ),
    "invalid headers kept": (
        setter("aws:lb/loadBalancer:LoadBalancer", "api-alb", "dropInvalidHeaderFields", False),
        {("elb-drop-invalid-headers", "api-alb")},
    ),
    "cache without TLS": (
        setter(
            "aws:elasticache/replicationGroup:ReplicationGroup", "cache-rg", "transitEncryptionEnabled", False
        ),
        {("elasticache-encrypted-in-transit", "cache-rg")},
    ),
    "log group kept forever": (
        setter("aws:cloudwatch/logGroup:LogGroup", "api-logs", "retentionInDays", None),
        {("cloudwatch-log-group-retention", "api-logs")},
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_broken_prod_plan_is_blocked(mutation: str) -> None:
    mutate, expected = MUTATIONS[mutation]
    plan = copy.deepcopy(plan_json("prod"))
    mutate(plan)
    assert verdicts(plan, "prod", "mandatory") == expected


def test_design_exceptions_follow_the_design_not_the_names() -> None:
    """A prod stack with other names (a sidekiq worker), uploads and a trail: every departure the
    design makes is excepted by what the resource is, and nothing else fails."""
    from offline.preview_json import to_preview_json
    from tests.harness import plan, stack_config

    config = stack_config("prod")
    uploads = {**json.loads(config.get("webapp:uploads", "{}")), "enabled": True}
    trail = {**json.loads(config.get("webapp:auditTrail", "{}")), "enabled": True}
    workers = {"sidekiq": {"command": ["bundle", "exec", "sidekiq"]}}
    result = to_preview_json(plan("prod", uploads=uploads, auditTrail=trail, workers=workers))
    assert verdicts(result, "prod", "mandatory") == set()
    assert verdicts(result, "prod", "advisory") == set()
    assert verdicts(result, "prod", "excepted") == {
        ("cloudfront-custom-certificate", "site-cdn"),
        # No site.domain: no certificate for the origin, so CloudFront -> ALB stays HTTP, visibly.
        ("cloudfront-origin-https", "site-api"),
        ("elb-http-redirects-to-https", "api-http"),
        ("elb-http-redirects-to-https", "api-test"),
        ("elb-listener-secure-protocol", "api-http"),
        ("elb-listener-secure-protocol", "api-test"),
        ("ecs-fargate-latest-platform", "api-svc"),
        ("ecs-fargate-latest-platform", "worker-sidekiq-svc"),
        ("ecs-non-root-user", "api-task-def"),
        ("ecs-non-root-user", "worker-sidekiq-task-def"),
        ("s3-kms-encryption", "api-access-logs"),
        ("s3-kms-encryption", "site-content"),
        ("s3-kms-encryption", "uploads-access-logs"),
        ("s3-server-access-logging", "api-access-logs"),
        ("s3-server-access-logging", "audit-bucket"),
        ("s3-server-access-logging", "site-content"),
        ("s3-server-access-logging", "uploads-access-logs"),
        ("secretsmanager-rotation-enabled", "app-SECRET_KEY"),
        ("secretsmanager-rotation-enabled", "cache-auth"),
    }
    reasons = {(v.policy, v.urn.rsplit("::", 1)[-1]): v.message for v in check_plan(result, "prod").verdicts}
    assert reasons[("s3-server-access-logging", "audit-bucket")].startswith(
        "A log bucket written only by CloudTrail"
    )
    assert reasons[("secretsmanager-rotation-enabled", "cache-auth")].startswith("The cache AUTH token")


def test_prod_without_alarm_subscribers_fails() -> None:
    from offline.preview_json import to_preview_json
    from tests.harness import plan, stack_config

    monitoring = {**json.loads(stack_config("prod").get("webapp:monitoring", "{}")), "emails": []}
    result = to_preview_json(plan("prod", monitoring=monitoring))
    assert verdicts(result, "prod", "mandatory") == {("sns-alarms-reach-someone", "ops-alarms")}
