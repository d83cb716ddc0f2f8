"""The private S3 bucket that S3 server access logging writes another bucket's request logs to.

In the shared core because both the app's uploads bucket and the bootstrap's state bucket log
their requests this way.
"""

import pulumi
import pulumi_aws as aws

from .iam_documents import allow, policy_document
from .private_bucket import deny_insecure_transport, expiring_log_bucket

LOGGING_SERVICE = "logging.s3.amazonaws.com"


def log_bucket_requests(
    name: str,
    source: aws.s3.Bucket,
    retention_days: int,
    *,
    prefix: str,
    parent: pulumi.Resource,
    protect: bool,
    force_destroy: bool = False,
) -> aws.s3.Bucket:
    """Turn on S3 server access logging for ``source`` into a new ``<name>-access-logs`` bucket.

    The log bucket is private, SSE-S3, versioned and expires objects after ``retention_days``; only
    the S3 logging service writing on behalf of ``source`` in this account may put objects, and
    only below ``<prefix>/``. ``<name>-bucket`` (the ``BucketLogging``) waits for that policy, or
    the first deliveries are refused. Only the log bucket itself is protected: the settings around
    it can be recreated at no loss. Returns the log bucket.

    Example::

        log_bucket_requests("uploads", bucket, 90, prefix="uploads", parent=self, protect=True)
    """
    # SSE-S3: a customer-managed key on the target would need a key policy for the logging
    # service, and these logs hold request metadata, not the objects themselves.
    private = expiring_log_bucket(
        f"{name}-access-logs", retention_days, parent=parent, protect=protect, force_destroy=force_destroy
    )
    bucket = private.bucket

    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    policy = aws.s3.BucketPolicy(
        f"{name}-access-logs",
        bucket=bucket.bucket,
        policy=pulumi.Output.all(bucket.arn, source.arn, account).apply(
            lambda a: _bucket_policy(bucket_arn=a[0], source_bucket_arn=a[1], account_id=a[2], prefix=prefix)
        ),
        # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and
        # the policy should land on a bucket that already refuses public access.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=private.policy_after),
    )
    aws.s3.BucketLogging(
        f"{name}-bucket",
        bucket=source.bucket,
        target_bucket=bucket.bucket,
        target_prefix=f"{prefix}/",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy]),
    )
    return bucket


def _bucket_policy(*, bucket_arn: str, source_bucket_arn: str, account_id: str, prefix: str) -> str:
    return policy_document(
        deny_insecure_transport(bucket_arn),
        # ACLs are disabled (BucketOwnerEnforced), so the logging service is granted through the
        # policy; the conditions stop it writing logs of other buckets or other accounts here
        # (confused deputy).
        allow(
            "s3:PutObject",
            f"{bucket_arn}/{prefix}/*",
            sid="AllowS3ServerAccessLogDelivery",
            principal={"Service": LOGGING_SERVICE},
            condition={
                "ArnLike": {"aws:SourceArn": source_bucket_arn},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        ),
    )
