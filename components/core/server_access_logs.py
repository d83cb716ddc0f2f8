"""The private S3 bucket that S3 server access logging writes another bucket's request logs to.

In the shared core because both the app's uploads bucket and the bootstrap's state bucket log
their requests this way.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .iam_documents import allow, policy_document
from .private_bucket import deny_insecure_transport, expiring_log_bucket

LOGGING_SERVICE = "logging.s3.amazonaws.com"


@dataclass(frozen=True)
class ServerAccessLogBucket:
    """The bucket plus its policy: the source bucket's logging must wait for the policy, or the
    first deliveries are refused."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def create_server_access_log_bucket(
    name: str,
    retention_days: int,
    *,
    source_bucket_arn: pulumi.Input[str],
    prefix: str,
    parent: pulumi.Resource,
    protect: bool,
) -> ServerAccessLogBucket:
    """Create ``<name>-access-logs``: private, SSE-S3, versioned, expiring after ``retention_days``.

    Only the S3 logging service writing on behalf of ``source_bucket_arn`` in this account may put
    objects, and only below ``<prefix>/`` (the source's ``BucketLogging.target_prefix``). Only the
    bucket itself is protected: the settings around it can be recreated at no loss.

    Example::

        logs = create_server_access_log_bucket("uploads", 90, source_bucket_arn=bucket.arn,
                                               prefix="uploads", parent=self, protect=True)
        aws.s3.BucketLogging("uploads-bucket", bucket=bucket.bucket, target_bucket=logs.bucket.bucket,
                             target_prefix="uploads/",
                             opts=pulumi.ResourceOptions(parent=self, depends_on=[logs.policy]))
    """
    # SSE-S3: a customer-managed key on the target would need a key policy for the logging
    # service, and these logs hold request metadata, not the objects themselves.
    private = expiring_log_bucket(f"{name}-access-logs", retention_days, parent=parent, protect=protect)
    bucket = private.bucket

    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    policy = aws.s3.BucketPolicy(
        f"{name}-access-logs",
        bucket=bucket.bucket,
        policy=pulumi.Output.all(bucket.arn, source_bucket_arn, account).apply(
            lambda a: _bucket_policy(bucket_arn=a[0], source_bucket_arn=a[1], account_id=a[2], prefix=prefix)
        ),
        # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and
        # the policy should land on a bucket that already refuses public access.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=private.policy_after),
    )
    return ServerAccessLogBucket(bucket=bucket, policy=policy)


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
