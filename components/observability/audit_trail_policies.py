"""The audit trail's names and its key, bucket, trust and log-writing policy documents."""

from dataclasses import dataclass

from ..core.iam_documents import allow, policy_document
from ..core.private_bucket import deny_insecure_transport
from .log_encryption import LOGS_KEY_ACTIONS


@dataclass(frozen=True)
class TrailNames:
    """The ARNs the policies name, built from names: the trail's own ``arn`` output would make the
    key, the bucket policy and the role depend on the trail that depends on them."""

    partition: str
    region: str
    account: str
    trail_name: str
    log_group_name: str

    @property
    def trail_arn(self) -> str:
        return f"arn:{self.partition}:cloudtrail:{self.region}:{self.account}:trail/{self.trail_name}"

    @property
    def log_group_arn(self) -> str:
        return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{self.log_group_name}"


def key_policy(n: TrailNames) -> str:
    """The statements AWS documents for a trail key, each pinned to this trail or log group."""
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    this_trail = {"aws:SourceArn": n.trail_arn}
    return policy_document(
        # The default key policy: the account's IAM policies decide who administers and reads.
        allow(
            "kms:*",
            "*",
            sid="EnableIamPolicies",
            principal={"AWS": f"arn:{n.partition}:iam::{n.account}:root"},
        ),
        allow(
            "kms:GenerateDataKey*",
            "*",
            sid="AllowCloudTrailEncryptLogs",
            principal=cloudtrail,
            condition={
                "StringEquals": this_trail,
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{n.partition}:cloudtrail:*:{n.account}:trail/*"
                    )
                },
            },
        ),
        # The bucket uses an S3 Bucket Key, with which CloudTrail needs Decrypt to create or update
        # an SSE-KMS trail (CloudTrail User Guide, required key policy sections).
        allow(
            "kms:Decrypt",
            "*",
            sid="AllowCloudTrailDecryptWithBucketKey",
            principal=cloudtrail,
            condition={"StringEquals": this_trail},
        ),
        allow(
            "kms:DescribeKey",
            "*",
            sid="AllowCloudTrailDescribeKey",
            principal=cloudtrail,
            condition={"StringEquals": this_trail},
        ),
        allow(
            LOGS_KEY_ACTIONS,
            "*",
            sid="AllowCloudWatchLogsForTheTrailGroup",
            principal={"Service": f"logs.{n.region}.amazonaws.com"},
            condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": n.log_group_arn}},
        ),
    )


def bucket_policy(bucket_arn: str, n: TrailNames) -> str:
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    return policy_document(
        deny_insecure_transport(bucket_arn),
        allow(
            "s3:GetBucketAcl",
            bucket_arn,
            sid="AWSCloudTrailAclCheck",
            principal=cloudtrail,
            condition={"StringEquals": {"aws:SourceArn": n.trail_arn}},
        ),
        # CloudTrail still sends this canned ACL; with ACLs disabled (BucketOwnerEnforced) S3
        # accepts exactly this one, so the condition costs nothing and matches AWS's policy.
        allow(
            "s3:PutObject",
            f"{bucket_arn}/AWSLogs/{n.account}/*",
            sid="AWSCloudTrailWrite",
            principal=cloudtrail,
            condition={
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": n.trail_arn}
            },
        ),
    )


def trust_policy(n: TrailNames) -> str:
    # Only this trail may assume the role: StringEquals on the exact trail ARN, as the CloudTrail
    # User Guide writes it ("Cross-service confused deputy prevention"). The ARN already names the
    # account, so no aws:SourceAccount is added (service_trust_policy would): nothing in AWS's
    # documentation says CloudTrail sends that key when it assumes this role.
    return policy_document(
        allow(
            "sts:AssumeRole",
            principal={"Service": "cloudtrail.amazonaws.com"},
            condition={"StringEquals": {"aws:SourceArn": n.trail_arn}},
        )
    )


def write_policy(log_group_arn: str) -> str:
    return policy_document(
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            f"{log_group_arn}:log-stream:*",
            sid="WriteTrailEventsToOneGroup",
        )
    )
