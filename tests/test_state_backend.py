"""StateBackend: the state bucket's privacy, encryption, versioning and lifecycle, and its key."""

import json

import pulumi
import pytest

from components.state_backend import StateBackend
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

BUCKET_ARN = "arn:aws:s3:::state-bucket-mock"


def build(protect: bool, region: str = "eu-west-1", project: str | None = "webapp") -> PlanResult:
    def program() -> None:
        backend = StateBackend("state", project=project, protect=protect)
        pulumi.export("bucketName", backend.bucket_name)
        pulumi.export("bucketArn", backend.bucket_arn)
        pulumi.export("keyArn", backend.key_arn)
        pulumi.export("loginUrl", backend.login_url)
        pulumi.export("secretsProvider", backend.secrets_provider)

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def protected() -> PlanResult:
    return build(protect=True)


def test_outputs_are_what_pulumi_login_and_stack_init_take(protected: PlanResult) -> None:
    assert protected.outputs == {
        "bucketName": "state-bucket-mock",
        "bucketArn": BUCKET_ARN,
        "keyArn": "arn:aws:kms:eu-west-1:123456789012:key/mock-key-state-secrets",
        "loginUrl": "s3://state-bucket-mock?region=eu-west-1",
        "secretsProvider": "awskms://alias/webapp-pulumi-secrets?region=eu-west-1",
    }


def test_alias_defaults_to_the_running_project() -> None:
    result = build(protect=False, project=None)
    assert result.one(ALIAS, "state-secrets").inputs["name"] == "alias/webapp-pulumi-secrets"


def test_rotated_key_with_an_alias(protected: PlanResult) -> None:
    assert protected.one(KEY, "state-secrets").inputs == {
        "description": "Encrypts the webapp Pulumi state bucket and stack secrets",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    assert protected.one(ALIAS, "state-secrets").inputs == {
        "name": "alias/webapp-pulumi-secrets",
        "targetKeyId": "mock-key-state-secrets",
    }


@pytest.mark.parametrize("protect", [False, True])
def test_only_key_and_bucket_follow_protect(protect: bool, protected: PlanResult) -> None:
    result = protected if protect else build(protect=False)
    assert {(r.type, r.name) for r in result.resources if r.protect} == (
        {(KEY, "state-secrets"), (BUCKET, "state-bucket")} if protect else set()
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
                "kmsMasterKeyId": "arn:aws:kms:eu-west-1:123456789012:key/mock-key-state-secrets",
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
        KEY, ALIAS, BUCKET, OWNERSHIP, PUBLIC_ACCESS, ENCRYPTION, VERSIONING, LIFECYCLE, POLICY,
    }  # fmt: skip
    assert all(r.parent == component for r in children)
