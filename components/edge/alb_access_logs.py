"""The private S3 bucket an Application Load Balancer writes its access logs to."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.iam_documents import allow, policy_document
from ..core.private_bucket import deny_insecure_transport, expiring_log_bucket

# The ALB's access_logs block uses this prefix; the bucket policy grants writes only below it.
LOG_PREFIX = "alb"


@dataclass(frozen=True)
class AccessLogBucket:
    """The bucket plus its policy: the ALB must wait for the policy, since AWS test-writes a file
    to the bucket when access logging is switched on and rejects the change if that fails."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def create_access_log_bucket(
    name: str, retention_days: int, *, parent: pulumi.Resource, protect: bool, force_destroy: bool = False
) -> AccessLogBucket:
    """Create ``<name>-access-logs``: private, SSE-S3, versioned, expiring after ``retention_days``.

    Only the bucket itself is protected: the settings around it can be recreated at no loss.

    Example::

        logs = create_access_log_bucket("api-lb", 90, parent=self, protect=True)
        aws.lb.LoadBalancer(..., access_logs={"bucket": logs.bucket.bucket, "enabled": True,
                                              "prefix": LOG_PREFIX},
                            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs.policy]))
    """
    # ALB access logs support only SSE-S3: log delivery fails on a bucket whose default
    # encryption is SSE-KMS, so a customer-managed key is not an option here.
    private = expiring_log_bucket(
        f"{name}-access-logs", retention_days, parent=parent, protect=protect, force_destroy=force_destroy
    )
    bucket = private.bucket

    invoke = pulumi.InvokeOutputOptions(parent=parent)
    account = aws.get_caller_identity_output(opts=invoke).account_id
    elb_account_arn = aws.elb.get_service_account_output(opts=invoke).arn
    policy = aws.s3.BucketPolicy(
        f"{name}-access-logs",
        bucket=bucket.bucket,
        policy=pulumi.Output.all(bucket.arn, account, elb_account_arn).apply(
            lambda a: _bucket_policy(bucket_arn=a[0], account_id=a[1], elb_account_arn=a[2])
        ),
        # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and
        # the policy should land on a bucket that already refuses public access.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=private.policy_after),
    )
    return AccessLogBucket(bucket=bucket, policy=policy)


def _bucket_policy(*, bucket_arn: str, account_id: str, elb_account_arn: str) -> str:
    return policy_document(
        deny_insecure_transport(bucket_arn),
        # Regions launched before August 2022 deliver ALB logs as this regional Elastic Load
        # Balancing account; it may write only this account's log keys.
        allow(
            "s3:PutObject",
            f"{bucket_arn}/{LOG_PREFIX}/AWSLogs/{account_id}/*",
            sid="AllowAlbLogDelivery",
            principal={"AWS": elb_account_arn},
        ),
    )
