"""monitoring.logEncryption: one regional KMS key encrypting every regional log group."""

import json
from typing import Any

from offline.mock_values import MOCK_ACCOUNT
from offline.preview_json import to_preview_json
from tests.harness import plan
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


def test_every_regional_log_group_uses_the_key_but_the_cloudfront_and_waf_ones() -> None:
    result = _encrypted_prod()
    region = result.one("pulumi:providers:aws", "aws").inputs["region"]
    key_arn = f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-logs-key"
    assert {g.name: g.inputs.get("kmsKeyId") for g in result.by_type(LOG_GROUP)} == {
        "net-flow-logs": key_arn,
        "db-postgresql-logs": key_arn,
        "db-upgrade-logs": key_arn,
        "cache-slow-log": key_arn,
        "cache-engine-log": key_arn,
        "api-logs": key_arn,
        "worker-celery-logs": key_arn,
        "migrate-logs": key_arn,
        # CloudFront access logs and the CLOUDFRONT web ACL's logs live in us-east-1, always.
        "site-access-logs": None,
        "edge-logs": None,
    }


def test_the_encrypted_plan_passes_the_policy_pack() -> None:
    report = check_plan(to_preview_json(_encrypted_prod()), "prod")
    assert [(v.policy, v.urn) for v in report.verdicts if v.enforcement == "mandatory"] == []


def test_default_creates_no_key_and_leaves_log_groups_on_the_aws_owned_key() -> None:
    for stack in ("dev", "prod"):
        result = plan(stack)
        assert not [k for k in result.by_type(KEY) if k.name == "logs-key"]
        assert [g.name for g in result.by_type(LOG_GROUP) if "kmsKeyId" in g.inputs] == []
