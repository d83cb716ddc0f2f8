"""The UploadsBucket component: a private KMS-encrypted bucket and the app's exact access grant."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.data.uploads_bucket import UploadsBucket
from components.data.uploads_bucket_args import UploadsAccessLogsArgs, UploadsBucketArgs
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:UploadsBucket"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKET = "aws:s3/bucket:Bucket"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"

BUCKET_NAME = "uploads-bucket-mock"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET_NAME}"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mock-key-uploads-key"
LOG_BUCKET_NAME = "uploads-access-logs-mock"
LOG_BUCKET_ARN = f"arn:aws:s3:::{LOG_BUCKET_NAME}"


def uploads_args(data: dict[str, Any]) -> UploadsBucketArgs:
    return validate_config(UploadsBucketArgs, data, "webapp:uploads")


def build(args: UploadsBucketArgs, protect: bool = False, region: str = "us-east-1") -> PlanResult:
    def program() -> None:
        uploads = UploadsBucket("uploads", args, protect=protect)
        role = aws.iam.Role("web-task", assume_role_policy="{}")
        uploads.grant_read_write("web", role)
        pulumi.export("bucketName", uploads.bucket_name)
        pulumi.export("bucketArn", uploads.bucket_arn)
        pulumi.export("kmsKeyArn", uploads.kms_key_arn)
        connection = uploads.connection
        pulumi.export(
            "connection",
            {
                "name": connection.name,
                "security_group_id": connection.security_group_id,
                "port": connection.port,
                "environment": dict(connection.environment),
                "secrets": dict(connection.secrets),
            },
        )

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build(UploadsBucketArgs(enabled=True))


@pytest.fixture(scope="module")
def protected() -> PlanResult:
    return build(UploadsBucketArgs(enabled=True), protect=True)


@pytest.fixture(scope="module")
def with_cors() -> PlanResult:
    return build(
        uploads_args(
            {
                "enabled": True,
                "corsOrigins": ["https://app.example.com", "http://localhost:3000"],
                "corsMethods": ["GET", "PUT"],
            }
        )
    )


# --- key and bucket -----------------------------------------------------------------------------


def test_rotated_key_with_an_alias(default: PlanResult) -> None:
    assert default.one(KEY, "uploads-key").inputs == {
        "description": "Encrypts the webapp/dev uploads uploads bucket",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    assert default.one(ALIAS, "uploads-key").inputs == {
        "name": "alias/webapp-dev-uploads-uploads",
        "targetKeyId": "mock-key-uploads-key",
    }


def test_bucket_is_never_force_destroyed(default: PlanResult) -> None:
    assert default.one(BUCKET, "uploads-bucket").inputs == {"forceDestroy": False}


@pytest.mark.parametrize("protect", [False, True])
def test_only_key_and_bucket_follow_protect(
    protect: bool, default: PlanResult, protected: PlanResult
) -> None:
    result = protected if protect else default
    protected_names = {(r.type, r.name) for r in result.resources if r.protect}
    assert protected_names == ({(KEY, "uploads-key"), (BUCKET, "uploads-bucket")} if protect else set())


def test_every_resource_is_a_child_of_the_component(default: PlanResult) -> None:
    component = default.one(COMPONENT, "uploads").urn
    children = [r for r in default.resources if r.type != COMPONENT and r.name != "web-task"]
    assert {r.type for r in children} == {
        KEY, ALIAS, BUCKET, OWNERSHIP, PUBLIC_ACCESS, ENCRYPTION, VERSIONING, LIFECYCLE, POLICY, ROLE_POLICY,
    }  # fmt: skip
    assert all(r.parent == component for r in children)


def test_public_access_fully_blocked_and_acls_disabled(default: PlanResult) -> None:
    assert default.one(PUBLIC_ACCESS, "uploads-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert default.one(OWNERSHIP, "uploads-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }


def test_default_encryption_is_the_bucket_key_with_an_s3_bucket_key(default: PlanResult) -> None:
    assert default.one(ENCRYPTION, "uploads-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
                "bucketKeyEnabled": True,
            }
        ],
    }


def test_versioning_enabled(default: PlanResult) -> None:
    assert default.one(VERSIONING, "uploads-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "versioningConfiguration": {"status": "Enabled"},
    }


def test_lifecycle_archives_expires_old_versions_and_aborts_uploads(default: PlanResult) -> None:
    lifecycle = default.one(LIFECYCLE, "uploads-bucket")
    assert lifecycle.inputs == {
        "bucket": BUCKET_NAME,
        "rules": [
            {
                "id": "archive-and-clean-up",
                "status": "Enabled",
                "filter": {},
                "transitions": [{"days": 90, "storageClass": "GLACIER_IR"}],
                "noncurrentVersionExpiration": {"noncurrentDays": 30},
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
            }
        ],
    }
    assert default.one(VERSIONING, "uploads-bucket").urn in lifecycle.dependencies


def test_lifecycle_days_come_from_config() -> None:
    result = build(uploads_args({"glacierAfterDays": 365, "noncurrentVersionExpirationDays": 1}))
    rule = result.one(LIFECYCLE).inputs["rules"][0]
    assert rule["transitions"] == [{"days": 365, "storageClass": "GLACIER_IR"}]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 1}


def test_bucket_policy_denies_requests_without_tls(default: PlanResult) -> None:
    policy = default.one(POLICY, "uploads-bucket")
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
            }
        ],
    }
    assert default.one(PUBLIC_ACCESS).urn in policy.dependencies
    assert default.one(OWNERSHIP).urn in policy.dependencies


# --- server access logs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_logs() -> PlanResult:
    return build(uploads_args({"enabled": True, "accessLogs": {"enabled": True, "retentionDays": 365}}))


def test_no_access_logging_by_default(default: PlanResult) -> None:
    assert default.by_type(LOGGING) == []
    assert [r.name for r in default.by_type(BUCKET)] == ["uploads-bucket"]
    assert [r.name for r in default.by_type(POLICY)] == ["uploads-bucket"]
    assert [r.name for r in default.by_type(LIFECYCLE)] == ["uploads-bucket"]


def test_uploads_bucket_logs_to_the_log_bucket_after_its_policy(with_logs: PlanResult) -> None:
    logging = with_logs.one(LOGGING, "uploads-bucket")
    assert logging.inputs == {
        "bucket": BUCKET_NAME,
        "targetBucket": LOG_BUCKET_NAME,
        "targetPrefix": "uploads/",
    }
    assert with_logs.one(POLICY, "uploads-access-logs").urn in logging.dependencies
    assert logging.parent == with_logs.one(COMPONENT).urn


def test_log_bucket_is_private_sse_s3_and_versioned(with_logs: PlanResult) -> None:
    name = "uploads-access-logs"
    assert with_logs.one(BUCKET, name).inputs == {"forceDestroy": False}
    assert with_logs.one(PUBLIC_ACCESS, name).inputs == {
        "bucket": LOG_BUCKET_NAME,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert with_logs.one(OWNERSHIP, name).inputs == {
        "bucket": LOG_BUCKET_NAME,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }
    assert with_logs.one(ENCRYPTION, name).inputs == {
        "bucket": LOG_BUCKET_NAME,
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
    }
    assert with_logs.one(VERSIONING, name).inputs == {
        "bucket": LOG_BUCKET_NAME,
        "versioningConfiguration": {"status": "Enabled"},
    }
    component = with_logs.one(COMPONENT).urn
    assert all(r.parent == component for r in with_logs.resources if r.name == name)


def test_log_bucket_expires_logs_after_retention_days(with_logs: PlanResult) -> None:
    lifecycle = with_logs.one(LIFECYCLE, "uploads-access-logs")
    assert lifecycle.inputs == {
        "bucket": LOG_BUCKET_NAME,
        "rules": [
            {
                "id": "expire-access-logs",
                "status": "Enabled",
                "filter": {},
                "expiration": {"days": 365},
                "noncurrentVersionExpiration": {"noncurrentDays": 1},
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
            }
        ],
    }
    assert with_logs.one(VERSIONING, "uploads-access-logs").urn in lifecycle.dependencies


def test_log_bucket_policy_admits_only_s3_logging_for_the_uploads_bucket(with_logs: PlanResult) -> None:
    policy = with_logs.one(POLICY, "uploads-access-logs")
    assert policy.inputs["bucket"] == LOG_BUCKET_NAME
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [LOG_BUCKET_ARN, f"{LOG_BUCKET_ARN}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowS3ServerAccessLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{LOG_BUCKET_ARN}/uploads/*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": BUCKET_ARN},
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                },
            },
        ],
    }
    assert with_logs.one(PUBLIC_ACCESS, "uploads-access-logs").urn in policy.dependencies
    assert with_logs.one(OWNERSHIP, "uploads-access-logs").urn in policy.dependencies


def test_protect_covers_the_log_bucket_only_among_its_resources() -> None:
    result = build(uploads_args({"enabled": True, "accessLogs": {"enabled": True}}), protect=True)
    assert {(r.type, r.name) for r in result.resources if r.protect} == {
        (KEY, "uploads-key"),
        (BUCKET, "uploads-bucket"),
        (BUCKET, "uploads-access-logs"),
    }
    assert result.one(LIFECYCLE, "uploads-access-logs").inputs["rules"][0]["expiration"] == {"days": 90}


# --- CORS ---------------------------------------------------------------------------------------


def test_no_cors_without_origins(default: PlanResult) -> None:
    assert default.by_type(CORS) == []


def test_cors_allows_the_listed_origins_and_methods_only(with_cors: PlanResult) -> None:
    assert with_cors.one(CORS, "uploads-bucket").inputs == {
        "bucket": BUCKET_NAME,
        "corsRules": [
            {
                "id": "browser-uploads",
                "allowedOrigins": ["https://app.example.com", "http://localhost:3000"],
                "allowedMethods": ["GET", "PUT"],
                "allowedHeaders": ["Content-Type", "Content-MD5", "x-amz-*"],
                "exposeHeaders": ["ETag"],
                "maxAgeSeconds": 3000,
            }
        ],
    }


# --- grant and connection -----------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_grant_allows_exactly_object_access_listing_and_the_key_via_s3(region: str) -> None:
    result = build(UploadsBucketArgs(enabled=True), region=region)
    grant = result.one(ROLE_POLICY, "uploads-web-access")
    assert grant.inputs["role"] == "web-task-mock"
    assert grant.parent == result.one(COMPONENT).urn
    assert json.loads(grant.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadWriteObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                "Resource": f"{BUCKET_ARN}/*",
            },
            {"Sid": "ListKeys", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET_ARN},
            {
                "Sid": "UseBucketKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": f"arn:aws:kms:{region}:123456789012:key/mock-key-uploads-key",
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ],
    }


def test_connection_and_outputs(default: PlanResult) -> None:
    assert default.outputs["connection"] == {
        "name": "uploads",
        "security_group_id": None,
        "port": 443,
        "environment": {"UPLOADS_BUCKET": BUCKET_NAME},
        "secrets": {},
    }
    assert default.outputs["bucketName"] == BUCKET_NAME
    assert default.outputs["bucketArn"] == BUCKET_ARN
    assert default.outputs["kmsKeyArn"] == KEY_ARN


# --- config -------------------------------------------------------------------------------------


def test_defaults_are_the_dev_profile() -> None:
    assert uploads_args({}) == UploadsBucketArgs(
        enabled=False,
        glacier_after_days=90,
        noncurrent_version_expiration_days=30,
        cors_origins=(),
        cors_methods=("GET", "PUT", "POST", "HEAD"),
        access_logs=UploadsAccessLogsArgs(enabled=False, retention_days=90),
    )


@pytest.mark.parametrize(
    "origin",
    ["https://app.example.com", "https://app.example.com:8443", "http://localhost", "http://localhost:5173"],
)
def test_accepted_origins(origin: str) -> None:
    assert uploads_args({"corsOrigins": [origin]}).cors_origins == (origin,)


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        uploads_args(data)
    return err.value.problems


def test_wildcard_origin_is_rejected() -> None:
    assert problems({"corsOrigins": ["*"]}) == [
        'webapp:uploads.corsOrigins[0] = "*": must not contain "*": list the exact origins of the web app '
        "(such as https://app.example.com) so that no other site can use the bucket from a visitor's browser"
    ]


@pytest.mark.parametrize("origin", ["http://app.example.com", "http://localhost.example.com:8080"])
def test_plain_http_origin_other_than_localhost_is_rejected(origin: str) -> None:
    assert problems({"corsOrigins": ["https://app.example.com", origin]}) == [
        f'webapp:uploads.corsOrigins[1] = "{origin}": must use https: a page served over plain http can be '
        "altered in transit to upload or read files as the user; http is allowed only for "
        "http://localhost[:port] in development"
    ]


@pytest.mark.parametrize("origin", ["https://app.example.com/", "app.example.com", "ftp://example.com"])
def test_origin_must_be_scheme_host_and_port_only(origin: str) -> None:
    assert problems({"corsOrigins": [origin]}) == [
        f'webapp:uploads.corsOrigins[0] = "{origin}": must be an origin, scheme://host[:port] with no path '
        "or trailing slash, such as https://app.example.com or http://localhost:3000"
    ]


def test_origin_port_range_and_duplicates() -> None:
    assert problems({"corsOrigins": ["https://a.example.com:70000"]}) == [
        'webapp:uploads.corsOrigins[0] = "https://a.example.com:70000": must have a port from 1 to 65535'
    ]
    twice = ["https://a.example.com", "https://a.example.com"]
    assert problems({"corsOrigins": twice}) == [
        f"webapp:uploads.corsOrigins = {json.dumps(twice)}: lists an origin twice"
    ]


@pytest.mark.parametrize("days", [10, 29, 3651])
def test_glacier_after_days_range(days: int) -> None:
    assert problems({"glacierAfterDays": days}) == [
        f"webapp:uploads.glacierAfterDays = {days}: must be from 30 to 3650 days: Glacier Instant Retrieval "
        "bills every object for at least 90 days and charges per GB read, so files still in active use "
        "must stay in Standard"
    ]


@pytest.mark.parametrize("days", [0, 3651])
def test_noncurrent_version_expiration_range(days: int) -> None:
    assert problems({"noncurrentVersionExpirationDays": days}) == [
        f"webapp:uploads.noncurrentVersionExpirationDays = {days}: must be from 1 to 3650 days: how long an "
        "overwritten or deleted file can still be restored"
    ]


def test_unknown_cors_method_is_rejected() -> None:
    assert problems({"corsMethods": ["GET", "PATCH"]}) == [
        "webapp:uploads.corsMethods[1] = \"PATCH\": must be 'GET', 'PUT', 'POST', 'DELETE' or 'HEAD'"
    ]


def test_cors_methods_must_be_a_non_empty_set() -> None:
    assert problems({"corsMethods": []}) == [
        "webapp:uploads.corsMethods = []: must list at least one of GET, PUT, POST, DELETE, HEAD "
        "(S3 requires one)"
    ]
    assert problems({"corsMethods": ["GET", "GET"]}) == [
        'webapp:uploads.corsMethods = ["GET", "GET"]: lists a method twice'
    ]


def test_validation_applies_while_disabled() -> None:
    assert problems({"enabled": False, "glacierAfterDays": 10})[0].startswith(
        "webapp:uploads.glacierAfterDays = 10:"
    )


@pytest.mark.parametrize("days", [0, 3651])
def test_access_log_retention_range(days: int) -> None:
    assert problems({"accessLogs": {"enabled": True, "retentionDays": days}}) == [
        f"webapp:uploads.accessLogs.retentionDays = {days}: must be from 1 to 3650 days (days before S3 "
        "deletes a log file)"
    ]


def test_kms_key_is_not_configurable() -> None:
    assert problems({"kmsKey": "aws-managed"})[0].startswith(
        'webapp:uploads.kmsKey = "aws-managed": unknown key; allowed keys: accessLogs, corsMethods, '
        "corsOrigins, enabled, glacierAfterDays, noncurrentVersionExpirationDays"
    )
