"""The audit trail's names and its key, bucket, trust and log-writing policy documents."""

import json
from dataclasses import dataclass
from typing import Any

from ..core.private_bucket import deny_insecure_transport

# What CloudWatch Logs needs on a key that encrypts a log group (CloudWatch Logs User Guide).
LOGS_KEY_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


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


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def key_policy(n: TrailNames) -> str:
    """The statements AWS documents for a trail key, each pinned to this trail or log group."""
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    this_trail = {"aws:SourceArn": n.trail_arn}
    return document(
        {
            # The default key policy: the account's IAM policies decide who administers and reads.
            "Sid": "EnableIamPolicies",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{n.partition}:iam::{n.account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "AllowCloudTrailEncryptLogs",
            "Effect": "Allow",
            "Principal": cloudtrail,
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "StringEquals": this_trail,
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{n.partition}:cloudtrail:*:{n.account}:trail/*"
                    )
                },
            },
        },
        {
            # The bucket uses an S3 Bucket Key, with which CloudTrail needs Decrypt to create or
            # update an SSE-KMS trail (CloudTrail User Guide, required key policy sections).
            "Sid": "AllowCloudTrailDecryptWithBucketKey",
            "Effect": "Allow",
            "Principal": cloudtrail,
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": this_trail},
        },
        {
            "Sid": "AllowCloudTrailDescribeKey",
            "Effect": "Allow",
            "Principal": cloudtrail,
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": this_trail},
        },
        {
            "Sid": "AllowCloudWatchLogsForTheTrailGroup",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{n.region}.amazonaws.com"},
            "Action": LOGS_KEY_ACTIONS,
            "Resource": "*",
            "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": n.log_group_arn}},
        },
    )


def bucket_policy(bucket_arn: str, n: TrailNames) -> str:
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    return document(
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": cloudtrail,
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": n.trail_arn}},
        },
        {
            # CloudTrail still sends this canned ACL; with ACLs disabled (BucketOwnerEnforced) S3
            # accepts exactly this one, so the condition costs nothing and matches AWS's policy.
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": cloudtrail,
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{n.account}/*",
            "Condition": {
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": n.trail_arn}
            },
        },
    )


def trust_policy(n: TrailNames) -> str:
    # Confused-deputy guard: only this trail may assume the role.
    return document(
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceArn": n.trail_arn}},
        }
    )


def write_policy(log_group_arn: str) -> str:
    return document(
        {
            "Sid": "WriteTrailEventsToOneGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:log-stream:*",
        }
    )
