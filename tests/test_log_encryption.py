"""monitoring.logEncryption: one regional KMS key encrypting every regional log group."""

import json
from typing import Any

from offline.mock_values import MOCK_ACCOUNT
from offline.preview_json import to_preview_json
from tests.harness import PlanResult, Registration, plan
from tests.policy_harness import check_plan

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
PROD_MONITORING: dict[str, Any] = {
    "emails": ["oncall@example.com"],
    "dashboard": True,
    "budget": {"enabled": True, "monthlyLimitUsd": 500},
    "alarms": {"dbConnections": {"threshold": 150}, "dbFreeableMemory": {"threshold": 128}},
}


def _encrypted_prod():
    return plan("prod", monitoring={**PROD_MONITORING, "logEncryption": True})


def test_key_policy_allows_the_account_and_cloudwatch_logs_of_its_region_only() -> None:
    result = _encrypted_prod()
    key = result.one(KEY, "logs-key")
    assert key.protect is True
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    region = result.one("pulumi:providers:aws", "aws").inputs["region"]
    assert json.loads(key.inputs["policy"])["Statement"] == [
        {
            "Sid": "EnableIamPolicies",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "AllowCloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{MOCK_ACCOUNT}:log-group:*"
                }
            },
        },
    ]
    alias = result.one("aws:kms/alias:Alias", "logs-key")
    assert alias.inputs["name"] == "alias/webapp-prod-logs"
    assert alias.inputs["targetKeyId"] == "mock-key-logs-key"


REGIONAL_GROUPS = (
    "net-flow-logs",
    "db-postgresql-logs",
    "db-upgrade-logs",
    "cache-slow-log",
    "cache-engine-log",
    "api-logs",
    "worker-celery-logs",
    "migrate-logs",
)
# CloudFront access logs and the CLOUDFRONT web ACL's logs live in us-east-1, always.
US_EAST_1_GROUPS = ("site-access-logs", "edge-logs")


def _region(result: PlanResult, resource: Registration) -> str:
    # A resource's provider reference is "<provider urn>::<provider id>".
    [provider] = [
        p for p in result.by_type("pulumi:providers:aws") if resource.provider.rsplit("::", 1)[0] == p.urn
    ]
    return str(provider.inputs["region"])


def _key_arn(region: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-{name}"


def test_prod_encrypts_every_log_group_with_the_one_us_east_1_key() -> None:
    # The committed prod stack is in us-east-1: its key serves the CloudFront and WAF groups too.
    result = plan("prod")
    assert [k.name for k in result.by_type(KEY) if k.name.startswith("logs-")] == ["logs-key"]
    key_arn = _key_arn("us-east-1", "logs-key")
    groups = {g.name: g.inputs.get("kmsKeyId") for g in result.by_type(LOG_GROUP)}
    assert groups == {name: key_arn for name in REGIONAL_GROUPS + US_EAST_1_GROUPS}


def test_a_stack_outside_us_east_1_gets_a_second_key_there_for_the_cloudfront_and_waf_groups() -> None:
    result = plan("prod", aws_region="eu-west-1")
    regional, edge = result.one(KEY, "logs-key"), result.one(KEY, "logs-us-east-1-key")
    assert _region(result, regional) == "eu-west-1"
    assert _region(result, edge) == "us-east-1"
    assert edge.protect is True and edge.inputs["enableKeyRotation"] is True
    [_, logs_statement] = json.loads(edge.inputs["policy"])["Statement"]
    assert logs_statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs_statement["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{MOCK_ACCOUNT}:log-group:*"
        }
    }
    alias = result.one("aws:kms/alias:Alias", "logs-us-east-1-key")
    assert alias.inputs["name"] == "alias/webapp-prod-logs"  # aliases are regional: no clash
    assert _region(result, alias) == "us-east-1"
    # Which key each group names (the mocks build every ARN in the stack's region).
    groups = {g.name: g.inputs["kmsKeyId"].rsplit("/", 1)[1] for g in result.by_type(LOG_GROUP)}
    assert groups == {
        **{name: "mock-key-logs-key" for name in REGIONAL_GROUPS},
        **{name: "mock-key-logs-us-east-1-key" for name in US_EAST_1_GROUPS},
    }


def test_a_regional_web_acl_logs_with_the_stack_key() -> None:
    result = plan(
        "prod",
        aws_region="eu-west-1",
        site={"enabled": False},
        loadBalancer={"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"},
    )
    [waf_logs] = [g for g in result.by_type(LOG_GROUP) if "webapp:index:WebAcl$" in g.urn]
    assert waf_logs.inputs["name"] == "aws-waf-logs-webapp-prod-api"
    assert waf_logs.inputs["kmsKeyId"] == _key_arn("eu-west-1", "logs-key")
    assert not [k for k in result.by_type(KEY) if k.name == "logs-us-east-1-key"]


def test_the_encrypted_plan_passes_the_policy_pack() -> None:
    report = check_plan(to_preview_json(_encrypted_prod()), "prod")
    assert [(v.policy, v.urn) for v in report.verdicts if v.enforcement == "mandatory"] == []


def test_dev_creates_no_key_and_leaves_log_groups_on_the_aws_owned_key() -> None:
    result = plan("dev")
    assert not [k for k in result.by_type(KEY) if k.name.startswith("logs-")]
    assert [g.name for g in result.by_type(LOG_GROUP) if "kmsKeyId" in g.inputs] == []


def test_prod_can_turn_it_off() -> None:
    result = plan("prod", monitoring={**PROD_MONITORING, "logEncryption": False})
    assert not [k for k in result.by_type(KEY) if k.name.startswith("logs-")]
    assert [g.name for g in result.by_type(LOG_GROUP) if "kmsKeyId" in g.inputs] == []
