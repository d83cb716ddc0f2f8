"""The AuditTrail component: the trail's properties, its key, bucket, log group and role."""

import json
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.observability.audit_trail import AuditTrail
from components.observability.audit_trail_args import AuditTrailArgs
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:AuditTrail"
TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"

ACCOUNT = "123456789012"
BUCKET_NAME = "audit-bucket-mock"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET_NAME}"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mock-key-audit-key"
TRAIL_NAME = "webapp-dev-audit"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{TRAIL_NAME}"
LOG_GROUP_NAME = "/webapp/dev/cloudtrail"
LOG_GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{LOG_GROUP_NAME}"
CLOUDTRAIL = {"Service": "cloudtrail.amazonaws.com"}


def trail_args(data: dict[str, Any]) -> AuditTrailArgs:
    return validate_config(AuditTrailArgs, data, "webapp:auditTrail")


def build(args: AuditTrailArgs, protect: bool = False, region: str = "us-east-1") -> PlanResult:
    def program() -> None:
        trail = AuditTrail("audit", args, protect=protect)
        pulumi.export("trailArn", trail.trail_arn)
        pulumi.export("bucketName", trail.bucket_name)
        pulumi.export("logGroupName", trail.log_group_name)
        pulumi.export("kmsKeyArn", trail.kms_key_arn)

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build(AuditTrailArgs(enabled=True))


@pytest.fixture(scope="module")
def protected() -> PlanResult:
    return build(AuditTrailArgs(enabled=True), protect=True)


# --- the trail ----------------------------------------------------------------------------------


def test_trail_is_multi_region_validated_encrypted_and_sent_to_cloudwatch(default: PlanResult) -> None:
    assert default.one(TRAIL, "audit").inputs == {
        "name": TRAIL_NAME,
        "s3BucketName": BUCKET_NAME,
        "isMultiRegionTrail": True,
        "includeGlobalServiceEvents": True,
        "enableLogging": True,
        "enableLogFileValidation": True,
        "kmsKeyId": KEY_ARN,
        "cloudWatchLogsGroupArn": f"{LOG_GROUP_ARN}:*",
        "cloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/audit-cloudwatch-mock",
        "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True}],
    }


def test_trail_waits_for_the_bucket_policy_and_the_role_policy(default: PlanResult) -> None:
    trail = default.one(TRAIL, "audit")
    assert default.one(POLICY, "audit-bucket").urn in trail.dependencies
    assert default.one(ROLE_POLICY, "audit-cloudwatch").urn in trail.dependencies


def test_outputs(default: PlanResult) -> None:
    assert default.outputs == {
        "trailArn": TRAIL_ARN,
        "bucketName": BUCKET_NAME,
        "logGroupName": LOG_GROUP_NAME,
        "kmsKeyArn": KEY_ARN,
    }


@pytest.mark.parametrize("protect", [False, True])
def test_only_key_and_bucket_follow_protect(
    protect: bool, default: PlanResult, protected: PlanResult
) -> None:
    result = protected if protect else default
    protected_names = {(r.type, r.name) for r in result.resources if r.protect}
    assert protected_names == ({(KEY, "audit-key"), (BUCKET, "audit-bucket")} if protect else set())


def test_every_resource_is_a_child_of_the_component(default: PlanResult) -> None:
    component = default.one(COMPONENT, "audit").urn
    children = [r for r in default.resources if r.type != COMPONENT]
    assert {r.type for r in children} == {
        TRAIL, KEY, ALIAS, LOG_GROUP, ROLE, ROLE_POLICY, BUCKET, OWNERSHIP, PUBLIC_ACCESS, ENCRYPTION,
        VERSIONING, LIFECYCLE, POLICY,
    }  # fmt: skip
    assert all(r.parent == component for r in children)


# --- the key ------------------------------------------------------------------------------------


def test_rotated_key_with_an_alias(default: PlanResult) -> None:
    key = default.one(KEY, "audit-key")
    assert {k: v for k, v in key.inputs.items() if k != "policy"} == {
        "description": "Encrypts the webapp/dev CloudTrail logs",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    assert default.one(ALIAS, "audit-key").inputs == {
        "name": "alias/webapp-dev-audit-cloudtrail",
        "targetKeyId": "mock-key-audit-key",
    }


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_key_policy_lets_only_this_trail_and_its_log_group_use_the_key(region: str) -> None:
    result = build(AuditTrailArgs(enabled=True), region=region)
    trail_arn = f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{TRAIL_NAME}"
    this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
    assert json.loads(result.one(KEY, "audit-key").inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIamPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowCloudTrailEncryptLogs",
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
                    },
                },
            },
            {
                "Sid": "AllowCloudTrailDecryptWithBucketKey",
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": this_trail,
            },
            {
                "Sid": "AllowCloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": this_trail,
            },
            {
                "Sid": "AllowCloudWatchLogsForTheTrailGroup",
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
                    "ArnEquals": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{LOG_GROUP_NAME}"
                        )
                    }
                },
            },
        ],
    }


# --- the log group and its role -----------------------------------------------------------------


def test_log_group_is_encrypted_and_kept_for_the_configured_days(default: PlanResult) -> None:
    assert default.one(LOG_GROUP, "audit-logs").inputs == {
        "name": LOG_GROUP_NAME,
        "retentionInDays": 90,
        "kmsKeyId": KEY_ARN,
    }
    result = build(trail_args({"enabled": True, "logRetentionDays": 365}))
    assert result.one(LOG_GROUP, "audit-logs").inputs["retentionInDays"] == 365


def test_role_trusts_only_this_trail_of_this_account(default: PlanResult) -> None:
    role = default.one(ROLE, "audit-cloudwatch")
    assert role.inputs["description"] == "CloudTrail delivery to one CloudWatch log group"
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
            }
        ],
    }


def test_role_can_only_write_streams_of_the_trail_log_group(default: PlanResult) -> None:
    policy = default.one(ROLE_POLICY, "audit-cloudwatch")
    assert policy.inputs["role"] == "mock-audit-cloudwatch"  # the role id (its name)
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteTrailEventsToOneGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{LOG_GROUP_ARN}:log-stream:*",
            }
        ],
    }


# --- the bucket ---------------------------------------------------------------------------------


def test_bucket_is_private_versioned_and_encrypted_with_the_trail_key(default: PlanResult) -> None:
    assert default.one(BUCKET, "audit-bucket").inputs == {"forceDestroy": False}
    assert default.one(PUBLIC_ACCESS, "audit-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert default.one(OWNERSHIP, "audit-bucket").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert default.one(ENCRYPTION, "audit-bucket").inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True,
        }
    ]
    assert default.one(VERSIONING, "audit-bucket").inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_lifecycle_expires_logs_and_old_versions(default: PlanResult) -> None:
    lifecycle = default.one(LIFECYCLE, "audit-bucket")
    assert lifecycle.inputs == {
        "bucket": BUCKET_NAME,
        "rules": [
            {
                "id": "expire-trail-logs",
                "status": "Enabled",
                "filter": {},
                "expiration": {"days": 365},
                "noncurrentVersionExpiration": {"noncurrentDays": 30},
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
            }
        ],
    }
    assert default.one(VERSIONING, "audit-bucket").urn in lifecycle.dependencies
    result = build(trail_args({"enabled": True, "bucketRetentionDays": 2557}))
    assert result.one(LIFECYCLE).inputs["rules"][0]["expiration"] == {"days": 2557}


def test_bucket_policy_is_tls_only_and_lets_only_this_trail_write_this_account_logs(
    default: PlanResult,
) -> None:
    policy = default.one(POLICY, "audit-bucket")
    assert policy.inputs["bucket"] == BUCKET_NAME
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "s3:GetBucketAcl",
                "Resource": BUCKET_ARN,
                "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "s3:PutObject",
                "Resource": f"{BUCKET_ARN}/AWSLogs/{ACCOUNT}/*",
                "Condition": {
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}
                },
            },
        ],
    }
    assert default.one(PUBLIC_ACCESS).urn in policy.dependencies
    assert default.one(OWNERSHIP).urn in policy.dependencies


# --- config -------------------------------------------------------------------------------------


def test_defaults_are_off_with_90_and_365_days() -> None:
    assert trail_args({}) == AuditTrailArgs(enabled=False, log_retention_days=90, bucket_retention_days=365)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"logRetentionDays": 10},
            "webapp:auditTrail.logRetentionDays = 10: must be one of CloudWatch's retention periods in "
            "days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
            "2922, 3288, 3653",
        ),
        (
            {"bucketRetentionDays": 0},
            "webapp:auditTrail.bucketRetentionDays = 0: must be from 1 to 3650 days: how long log and "
            "digest files stay in the trail bucket before S3 expires them",
        ),
        (
            {"bucketRetentionDays": 3651},
            "webapp:auditTrail.bucketRetentionDays = 3651: must be from 1 to 3650 days: how long log and "
            "digest files stay in the trail bucket before S3 expires them",
        ),
        (
            {"enabled": "sometimes"},
            'webapp:auditTrail.enabled = "sometimes": must be a valid boolean, unable to interpret input',
        ),
        (
            {"dataEvents": True},
            "webapp:auditTrail.dataEvents = true: unknown key; allowed keys: bucketRetentionDays, enabled, "
            "logRetentionDays",
        ),
    ],
)
def test_bad_config_lines(data: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as err:
        trail_args(data)
    assert err.value.problems == [line]
