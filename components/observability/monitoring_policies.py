"""The alarm topic's KMS key policy and SNS topic policy, as JSON documents."""

from ..core.iam_documents import allow, deny, policy_document


def key_policy(account: str, partition: str) -> str:
    """The account administers the key; CloudWatch and Budgets may encrypt messages to the topic.

    No source conditions on the services: the key encrypts this topic only, and the topic policy
    decides who may publish (with aws:SourceAccount).
    """
    return policy_document(
        allow(
            "kms:*", "*", sid="AccountAdministers", principal={"AWS": f"arn:{partition}:iam::{account}:root"}
        ),
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey*"],
            "*",
            sid="AlarmsAndBudgetsPublish",
            principal={"Service": ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]},
        ),
    )


def topic_policy(topic_arn: str, account: str, partition: str, region: str) -> str:
    """Only this account's alarms (in ``region``) and budgets may publish, and only over TLS."""
    return policy_document(
        allow(
            "sns:Publish",
            topic_arn,
            sid="CloudWatchAlarmsPublish",
            principal={"Service": "cloudwatch.amazonaws.com"},
            condition={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"},
            },
        ),
        allow(
            "sns:Publish",
            topic_arn,
            sid="BudgetsPublish",
            principal={"Service": "budgets.amazonaws.com"},
            condition={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:budgets::{account}:*"},
            },
        ),
        deny(
            "sns:Publish",
            topic_arn,
            sid="DenyInsecureTransport",
            principal="*",
            condition={"Bool": {"aws:SecureTransport": "false"}},
        ),
    )
