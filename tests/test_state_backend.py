"""StateBackend: the state bucket's privacy, encryption, versioning, lifecycle and access logs, its
key, and one prefix and one secrets key per stack."""

import json

import pulumi
import pytest

from bootstrap.state_backend import StateBackend
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:StateBackend"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKET = "aws:s3/bucket:Bucket"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"

BUCKET_ARN = "arn:aws:s3:::state-bucket-mock"
LOG_BUCKET_ARN = "arn:aws:s3:::state-access-logs-mock"


def build(protect: bool, region: str = "eu-west-1", project: str | None = "webapp") -> PlanResult:
    def program() -> None:
        backend = StateBackend("state", project=project, stacks=["dev", "prod"], protect=protect)
        pulumi.export("bucketName", backend.bucket_name)
        pulumi.export("bucketArn", backend.bucket_arn)
        pulumi.export("keyArn", backend.key_arn)
        pulumi.export("secretsKeyArns", backend.secrets_key_arns)
        pulumi.export("loginUrls", backend.login_urls)
        pulumi.export("secretsProviders", backend.secrets_providers)

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def protected() -> PlanResult:
    return build(protect=True)


def test_outputs_are_what_pulumi_login_and_stack_init_take(protected: PlanResult) -> None:
    key = "arn:aws:kms:eu-west-1:123456789012:key/mock-key-state-{}"
    assert protected.outputs == {
        "bucketName": "state-bucket-mock",
        "bucketArn": BUCKET_ARN,
        "keyArn": key.format("key"),
        "secretsKeyArns": {"dev": key.format("dev-secrets"), "prod": key.format("prod-secrets")},
        "loginUrls": {
            "dev": "s3://state-bucket-mock/webapp/dev?region=eu-west-1",
            "prod": "s3://state-bucket-mock/webapp/prod?region=eu-west-1",
        },
        "secretsProviders": {
            "dev": "awskms://alias/webapp-dev-pulumi-secrets?region=eu-west-1",
            "prod": "awskms://alias/webapp-prod-pulumi-secrets?region=eu-west-1",
        },
    }


def test_aliases_default_to_the_running_project() -> None:
    result = build(protect=False, project=None)
    assert result.one(ALIAS, "state-key").inputs["name"] == "alias/webapp-pulumi-state"
    assert result.one(ALIAS, "state-prod-secrets").inputs["name"] == "alias/webapp-prod-pulumi-secrets"


def test_rotated_bucket_key_with_an_alias(protected: PlanResult) -> None:
    assert protected.one(KEY, "state-key").inputs == {
        "description": "Encrypts the webapp Pulumi state bucket",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    assert protected.one(ALIAS, "state-key").inputs == {
        "name": "alias/webapp-pulumi-state",
        "targetKeyId": "mock-key-state-key",
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_secrets_key_per_stack_tagged_with_it(protected: PlanResult, stack: str) -> None:
    # The `stack` tag lets the deploy roles' ABAC refuse this key to every other stack's role.
    assert protected.one(KEY, f"state-{stack}-secrets").inputs == {
        "description": f"Encrypts the secrets of the webapp/{stack} stack",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
        "tags": {"stack": stack},
    }
    assert protected.one(ALIAS, f"state-{stack}-secrets").inputs == {
        "name": f"alias/webapp-{stack}-pulumi-secrets",
        "targetKeyId": f"mock-key-state-{stack}-secrets",
    }


@pytest.mark.parametrize("protect", [False, True])
def test_only_keys_and_buckets_follow_protect(protect: bool, protected: PlanResult) -> None:
    result = protected if protect else build(protect=False)
    assert {(r.type, r.name) for r in result.resources if r.protect} == (
        {
            (KEY, "state-key"),
            (KEY, "state-dev-secrets"),
            (KEY, "state-prod-secrets"),
            (BUCKET, "state-bucket"),
            (BUCKET, "state-access-logs"),
        }
        if protect
        else set()
    )


def test_private_versioned_and_encrypted_with_the_key(protected: PlanResult) -> None:
    assert protected.one(BUCKET, "state-bucket").inputs == {"forceDestroy": False}
    assert protected.one(PUBLIC_ACCESS, "state-bucket").inputs == {
        "bucket": "state-bucket-mock",
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert protected.one(OWNERSHIP, "state-bucket").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    assert protected.one(VERSIONING, "state-bucket").inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }
    assert protected.one(ENCRYPTION, "state-bucket").inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "arn:aws:kms:eu-west-1:123456789012:key/mock-key-state-key",
            },
            "bucketKeyEnabled": True,
        }
    ]


def test_old_state_versions_expire_after_90_days(protected: PlanResult) -> None:
    lifecycle = protected.one(LIFECYCLE, "state-bucket")
    assert lifecycle.inputs["rules"] == [
        {
            "id": "expire-old-state-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrentVersionExpiration": {"noncurrentDays": 90},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        }
    ]
    assert protected.one(VERSIONING, "state-bucket").urn in lifecycle.dependencies


def test_every_request_is_logged_to_an_sse_s3_bucket_kept_a_year(protected: PlanResult) -> None:
    logging = protected.one(LOGGING, "state-bucket")
    assert logging.inputs == {
        "bucket": "state-bucket-mock",
        "targetBucket": "state-access-logs-mock",
        "targetPrefix": "state/",
    }
    # S3 server access log delivery writes only to SSE-S3 targets.
    assert protected.one(ENCRYPTION, "state-access-logs").inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert protected.one(LIFECYCLE, "state-access-logs").inputs["rules"] == [
        {
            "id": "expire-access-logs",
            "status": "Enabled",
            "filter": {},
            "expiration": {"days": 365},
            "noncurrentVersionExpiration": {"noncurrentDays": 1},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        }
    ]
    policy = protected.one(POLICY, "state-access-logs")
    delivery = json.loads(policy.inputs["policy"])["Statement"][1]
    assert delivery == {
        "Sid": "AllowS3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{LOG_BUCKET_ARN}/state/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": BUCKET_ARN},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        },
    }
    # The first deliveries would be refused before the policy lands.
    assert policy.urn in logging.dependencies


def test_bucket_policy_refuses_requests_without_tls(protected: PlanResult) -> None:
    policy = protected.one(POLICY, "state-bucket")
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
    after = {protected.one(t, "state-bucket").urn for t in (PUBLIC_ACCESS, OWNERSHIP)}
    assert after <= set(policy.dependencies)


def test_every_resource_is_a_child_of_the_component(protected: PlanResult) -> None:
    component = protected.one(COMPONENT, "state").urn
    children = [r for r in protected.resources if r.type != COMPONENT]
    assert {r.type for r in children} == {
        KEY, ALIAS, BUCKET, OWNERSHIP, PUBLIC_ACCESS, ENCRYPTION, VERSIONING, LIFECYCLE, POLICY, LOGGING,
    }  # fmt: skip
    assert all(r.parent == component for r in children)
