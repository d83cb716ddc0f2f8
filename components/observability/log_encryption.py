"""LogEncryptionKey: one customer-managed KMS key for the stack's regional CloudWatch log groups."""

import re

import pulumi
import pulumi_aws as aws

from ..core.iam_documents import allow, policy_document
from ..core.outputs import register_declared_outputs

# What CloudWatch Logs needs on a key that encrypts log groups (CloudWatch Logs User Guide,
# "Encrypt log data in CloudWatch Logs using AWS KMS").
LOGS_KEY_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


def log_key_policy(partition: str, region: str, account: str) -> str:
    """The key policy: IAM decides for the account; CloudWatch Logs may use it for this account's groups."""
    return policy_document(
        # The default key policy: the account's IAM policies decide who administers and reads.
        allow(
            "kms:*", "*", sid="EnableIamPolicies", principal={"AWS": f"arn:{partition}:iam::{account}:root"}
        ),
        # Only for log groups of this account and region: the encryption context names the group,
        # so another account's groups cannot borrow the key.
        allow(
            LOGS_KEY_ACTIONS,
            "*",
            sid="AllowCloudWatchLogs",
            principal={"Service": f"logs.{region}.amazonaws.com"},
            condition={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": (
                        f"arn:{partition}:logs:{region}:{account}:log-group:*"
                    )
                }
            },
        ),
    )


class LogEncryptionKey(pulumi.ComponentResource):
    """A KMS key (rotation on, alias ``alias/<project>-<stack>-logs``) for regional log groups.

    The key is regional: CloudWatch Logs in ``region`` may use it for any log group of the
    account there, so log groups in other regions (us-east-1 WAF and CloudFront logs) cannot.
    ``__main__.py`` creates it only when ``monitoring.logEncryption`` is true and passes
    ``key_arn`` as ``log_kms_key_arn`` to the components that create log groups. Pass
    ``protect=True`` in production: deleting the key makes the encrypted logs unreadable.

    Example::

        logs_key = LogEncryptionKey("logs", region="eu-west-1", protect=True)
        network = Network("net", args, log_kms_key_arn=logs_key.key_arn)
    """

    key_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        region: str,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:LogEncryptionKey", name, None, opts)
        project, stack = pulumi.get_project(), pulumi.get_stack()
        invoke = pulumi.InvokeOutputOptions(parent=self)
        policy = pulumi.Output.all(
            aws.get_partition_output(opts=invoke).partition,
            aws.get_caller_identity_output(opts=invoke).account_id,
        ).apply(lambda a: log_key_policy(a[0], region, a[1]))

        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project}/{stack} CloudWatch log groups in {region}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        aws.kms.Alias(
            f"{name}-key",
            name=re.sub(r"[^A-Za-z0-9/_-]", "-", f"alias/{project}-{stack}-logs"),
            target_key_id=self.kms_key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_arn = self.kms_key.arn
        register_declared_outputs(self)
