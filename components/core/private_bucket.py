"""The private S3 bucket every bucket in this stack starts from (site, uploads, access logs).

One place decides what "private" means: ACLs off (BucketOwnerEnforced), all four Block Public
Access settings, default encryption, versioning, and a TLS-only policy statement. Callers add
their lifecycle rules (each with ``abort_incomplete_multipart_upload()``) and the rest of their
bucket policy.
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .iam_documents import deny

# Parts of a multipart upload that never completed are billed as storage but appear in no object
# listing; a week is longer than any upload this stack makes (Checkov CKV_AWS_300).
ABORT_INCOMPLETE_MULTIPART_AFTER_DAYS = 7


@dataclass(frozen=True)
class PrivateBucket:
    """A private bucket and the settings its bucket policy must be created after.

    Example::

        private = private_bucket("uploads-bucket", parent=self, protect=True, kms_key_arn=key.arn)
        aws.s3.BucketPolicy("uploads-bucket", bucket=private.bucket.bucket, policy=...,
                            opts=pulumi.ResourceOptions(parent=self, depends_on=private.policy_after))
    """

    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and the
    # policy should land on a bucket that already refuses public access.
    policy_after: list[pulumi.Resource]


def private_bucket(
    resource_name: str,
    *,
    parent: pulumi.Resource,
    protect: bool,
    kms_key_arn: pulumi.Input[str] | None = None,
    force_destroy: bool = False,
) -> PrivateBucket:
    """Create the bucket and its privacy settings, all named ``resource_name``.

    ``kms_key_arn`` None means SSE-S3 (AES256), for content a service reads without KMS access
    (CloudFront through Origin Access Control, ALB log delivery); otherwise SSE-KMS with that
    key and S3 Bucket Keys to keep KMS requests (and their cost) low. ``force_destroy`` (an
    ephemeral stack's) lets ``pulumi destroy`` delete the bucket with every object version in it;
    otherwise deleting a bucket that holds anything fails, which is what keeps data.
    """
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        resource_name,
        force_destroy=force_destroy,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    ownership = aws.s3.BucketOwnershipControls(
        resource_name,
        bucket=bucket.bucket,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        resource_name,
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    if kms_key_arn is None:
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        )
        rule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=default
        )
    else:
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        )
        rule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=default, bucket_key_enabled=True
        )
    aws.s3.BucketServerSideEncryptionConfiguration(
        resource_name, bucket=bucket.bucket, rules=[rule], opts=child
    )
    versioning = aws.s3.BucketVersioning(
        resource_name,
        bucket=bucket.bucket,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    return PrivateBucket(bucket=bucket, versioning=versioning, policy_after=[public_access, ownership])


def expiring_log_bucket(
    resource_name: str,
    retention_days: int,
    *,
    parent: pulumi.Resource,
    protect: bool,
    force_destroy: bool = False,
) -> PrivateBucket:
    """A private SSE-S3 bucket for AWS log delivery whose objects expire after ``retention_days``.

    SSE-S3, not a customer-managed key: ALB access-log delivery fails on SSE-KMS buckets, and S3
    server access logs would need a key policy for the logging service. The caller adds the bucket
    policy that lets its log service write.

    Example::

        logs = expiring_log_bucket("api-lb-access-logs", 90, parent=self, protect=True)
    """
    private = private_bucket(resource_name, parent=parent, protect=protect, force_destroy=force_destroy)
    aws.s3.BucketLifecycleConfiguration(
        resource_name,
        bucket=private.bucket.bucket,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-access-logs",
                status="Enabled",
                # An empty filter: every object in the bucket.
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention_days),
                # Versioning guards against an overwrite or a stray delete; an expired log needs
                # no second life, so its noncurrent version goes a day later.
                noncurrent_version_expiration=(
                    aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=1)
                ),
                abort_incomplete_multipart_upload=abort_incomplete_multipart_upload(),
            )
        ],
        # Noncurrent-version rules only mean something once versioning is on (the provider's
        # documented ordering).
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.versioning]),
    )
    return private


def abort_incomplete_multipart_upload() -> (
    aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs
):
    """The action every bucket's whole-bucket lifecycle rule carries: abort unfinished uploads.

    AWS refuses it on a rule filtered by tags, so it belongs on a rule with an empty filter.

    Example::

        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-old-releases", status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
            noncurrent_version_expiration=...,
            abort_incomplete_multipart_upload=abort_incomplete_multipart_upload())
    """
    return aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
        days_after_initiation=ABORT_INCOMPLETE_MULTIPART_AFTER_DAYS
    )


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """The bucket-policy statement that refuses every request made without TLS (control S3.5)."""
    return deny(
        "s3:*",
        [bucket_arn, f"{bucket_arn}/*"],
        sid="DenyInsecureTransport",
        principal="*",
        condition={"Bool": {"aws:SecureTransport": "false"}},
    )
