"""IAM documents for Fargate tasks: ECS trust, the least-privilege execution policy, ECS Exec."""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.iam_documents import allow, policy_document, service_trust_policy
from ..core.wiring import ImageRef, SecretReference

# ECS Exec's agent opens its channels through these; AWS defines no resource to narrow them to.
ECS_EXEC_POLICY = policy_document(
    allow(
        [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ],
        ["*"],
        sid="EcsExecChannels",
    )
)


def exec_session_policy(*, kms_key_arn: str, log_group_arn: str) -> str:
    """What a task's role needs for ECS Exec sessions the cluster encrypts and logs (OVERRIDE).

    The SSM agent in the task decrypts the session's data channel with the cluster's key, then
    finds the session log group and writes each session's output to a stream of it.
    """
    return policy_document(
        allow(["kms:Decrypt"], [kms_key_arn], sid="EcsExecDecryptSessions"),
        # DescribeLogGroups takes no resource: IAM authorizes it on "*" only.
        allow(["logs:DescribeLogGroups"], ["*"], sid="EcsExecFindLogGroup"),
        allow(["logs:DescribeLogStreams"], [log_group_arn], sid="EcsExecReadLogStreams"),
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{log_group_arn}:log-stream:*"],
            sid="EcsExecWriteSessions",
        ),
    )


def ecs_tasks_trust(parent: pulumi.Resource) -> pulumi.Output[str]:
    """Trust for ECS tasks of the account ``parent``'s provider deploys to (confused-deputy guard)."""
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    return account.apply(lambda account_id: service_trust_policy("ecs-tasks.amazonaws.com", account_id))


def execution_policy(
    *,
    region: str,
    log_group_arn: str,
    repository_arn: str | None,
    secret_arns: Sequence[str],
    parameter_arns: Sequence[str],
    kms_keys: Sequence[tuple[str, str]],
) -> str:
    """What ECS needs to start the task: pull the image, write its logs, read its secrets.

    ``kms_keys`` holds ``(reference kind, key ARN)`` for secrets under customer-managed keys.
    """
    statements: list[dict[str, Any]] = []
    if repository_arn is not None:
        # GetAuthorizationToken is account-wide: AWS offers no resource to narrow it to.
        statements.append(allow(["ecr:GetAuthorizationToken"], ["*"], sid="EcrLogin"))
        statements.append(
            allow(
                ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                [repository_arn],
                sid="PullImage",
            )
        )
    log_streams = f"{log_group_arn}:*"
    statements.append(allow(["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams], sid="WriteLogs"))
    if secret_arns:
        statements.append(
            allow(["secretsmanager:GetSecretValue"], sorted(set(secret_arns)), sid="ReadSecrets")
        )
    if parameter_arns:
        statements.append(allow(["ssm:GetParameters"], sorted(set(parameter_arns)), sid="ReadParameters"))
    if kms_keys:
        via = sorted({f"{kind}.{region}.amazonaws.com" for kind, _ in kms_keys})
        statements.append(
            allow(
                ["kms:Decrypt"],
                sorted({key for _, key in kms_keys}),
                sid="DecryptSecrets",
                condition={"StringEquals": {"kms:ViaService": via}},
            )
        )
    return policy_document(*statements)


def execution_policy_output(
    region: pulumi.Output[str],
    log_group_arn: pulumi.Output[str],
    image: ImageRef,
    secrets: Mapping[str, SecretReference],
) -> pulumi.Output[str]:
    refs = list(secrets.values())
    kms = [pulumi.Output.all(r.kind, r.kms_key_arn) for r in refs if r.kms_key_arn is not None]
    return pulumi.Output.all(
        region=region,
        log_group_arn=log_group_arn,
        repository_arn=image.repository_arn,
        secret_arns=pulumi.Output.all(*[r.resource_arn for r in refs if r.kind == "secretsmanager"]),
        parameter_arns=pulumi.Output.all(*[r.resource_arn for r in refs if r.kind == "ssm"]),
        kms_keys=pulumi.Output.all(*kms),
    ).apply(_render_execution_policy)


def _render_execution_policy(v: Any) -> str:
    return execution_policy(
        region=v["region"],
        log_group_arn=v["log_group_arn"],
        repository_arn=v["repository_arn"],
        secret_arns=v["secret_arns"],
        parameter_arns=v["parameter_arns"],
        kms_keys=[(kind, key) for kind, key in v["kms_keys"]],
    )
