"""LogEncryptionKey: a customer-managed KMS key for the stack's CloudWatch log groups in one region."""

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
    """A KMS key (rotation on, alias ``alias/<project>-<stack>-logs``) for the log groups of ``region``.

    The key is regional: CloudWatch Logs in ``region`` may use it for any log group of the
    account there, and log groups in other regions cannot. With ``monitoring.logEncryption``
    ``__main__.py`` creates one with the stack's provider (``key_arn`` goes to every component
    that creates a log group) and, when the stack is not in us-east-1, a second one with the
    us-east-1 provider for the CloudFront access logs and the CLOUDFRONT web ACL's logs (same
    alias: aliases are regional). ECS Exec sessions use the stack-region key too. Pass the
    provider of ``region`` in ``opts``, and ``protect=True`` in production: deleting the key makes
    the encrypted logs unreadable.

    Example::

        logs_key = LogEncryptionKey("logs", region="eu-west-1", protect=True, opts=on_stack_region)
        network = Network("net", args, log_kms_key_arn=logs_key.key_arn)
        edge_key = LogEncryptionKey("logs-us-east-1", region="us-east-1", opts=on_us_east_1)
        WebAcl("edge", waf_args, scope="CLOUDFRONT", log_kms_key_arn=edge_key.key_arn, opts=on_us_east_1)
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
