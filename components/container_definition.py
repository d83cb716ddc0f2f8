"""The Fargate task ContainerService and MigrationTask share: container JSON, log group, IAM.

``FargateTask`` creates the log group, the execution role with its least-privilege policy and
the task definition as children of the calling component. The JSON builders are pure functions
over resolved values, so they read (and test) like the documents they produce.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .container_service_args import (
    ENV_NAME,
    Architecture,
    ContainerHealthCheckArgs,
    FargateTaskSize,
    scratch_volume_name,
)
from .wiring import ImageRef, SecretReference

CONTAINER_NAME = "app"


@dataclass(frozen=True)
class ContainerSettings:
    """What the one container in a task runs, as plain values.

    Example::

        ContainerSettings(command=["alembic", "upgrade", "head"], environment={"LOG_LEVEL": "info"})
    """

    command: Sequence[str] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    port: int | None = None
    health_check: ContainerHealthCheckArgs | None = None
    readonly_root_filesystem: bool = True
    scratch_paths: Sequence[str] = ("/tmp",)
    user: str | None = None
    drop_all_capabilities: bool = True


def check_names(
    component: str, environment: Mapping[str, str], secrets: Mapping[str, SecretReference]
) -> None:
    """Raise ValueError for secret names that are not variable names or that repeat an environment name."""
    bad = sorted(n for n in secrets if not ENV_NAME.match(n))
    if bad:
        raise ValueError(
            f"{component}: secret names must be environment variable names (letters, digits, _): "
            + ", ".join(bad)
        )
    both = sorted(set(environment) & set(secrets))
    if both:
        raise ValueError(
            f"{component}: {', '.join(both)} is set both in environment and as a secret; keep it only in "
            "webapp:secrets"
        )


def task_family(name: str) -> str:
    """``<project>-<stack>-<name>``, with characters a family may not contain turned into ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")


def container_definitions(
    settings: ContainerSettings,
    *,
    image_uri: str,
    secrets: Mapping[str, str],
    log_group_name: str,
    region: str,
    stream_prefix: str,
) -> str:
    """The task definition's ``containerDefinitions`` JSON; ``secrets`` maps names to ``valueFrom``."""
    container: dict[str, Any] = {"name": CONTAINER_NAME, "image": image_uri, "essential": True}
    if settings.port is not None:
        container["portMappings"] = [
            {"containerPort": settings.port, "protocol": "tcp", "name": f"{CONTAINER_NAME}-{settings.port}"}
        ]
    if settings.command:
        container["command"] = list(settings.command)
    if settings.environment:
        container["environment"] = [{"name": k, "value": v} for k, v in sorted(settings.environment.items())]
    if secrets:
        container["secrets"] = [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())]
    check = settings.health_check
    if check is not None and check.enabled:
        container["healthCheck"] = {
            "command": check.command_for(settings.port),
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "retries": check.retries,
            "startPeriod": check.start_period_seconds,
        }
    container["readonlyRootFilesystem"] = settings.readonly_root_filesystem
    if settings.user is not None:
        container["user"] = settings.user
    if settings.scratch_paths:
        container["mountPoints"] = [
            {"sourceVolume": scratch_volume_name(p), "containerPath": p, "readOnly": False}
            for p in settings.scratch_paths
        ]
    container["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": stream_prefix,
            # A full buffer drops log lines instead of blocking the app's stdout writes.
            "mode": "non-blocking",
            "max-buffer-size": "25m",
        },
    }
    linux: dict[str, Any] = {"initProcessEnabled": True}
    if settings.drop_all_capabilities:
        # Nothing is added back (Fargate only allows adding SYS_PTRACE): a server listening above
        # port 1023 needs no capability. Entrypoints that chown files or switch users (gosu,
        # su-exec) need CHOWN/SETUID/SETGID; such images set dropAllCapabilities to false.
        linux["capabilities"] = {"drop": ["ALL"]}
    container["linuxParameters"] = linux
    container["stopTimeout"] = 30
    return json.dumps([container])


def ecs_tasks_trust(parent: pulumi.Resource) -> pulumi.Output[str]:
    """The trust policy below for the account ``parent``'s provider deploys to."""
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    return account.apply(ecs_tasks_trust_policy)


def ecs_tasks_trust_policy(account_id: str) -> str:
    """Trust for ECS tasks, limited to this account's tasks (confused-deputy guard)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


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
        statements.append(_allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]))
        statements.append(
            _allow(
                "PullImage",
                ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                [repository_arn],
            )
        )
    log_streams = f"{log_group_arn}:*"
    statements.append(_allow("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams]))
    if secret_arns:
        statements.append(_allow("ReadSecrets", ["secretsmanager:GetSecretValue"], sorted(set(secret_arns))))
    if parameter_arns:
        statements.append(_allow("ReadParameters", ["ssm:GetParameters"], sorted(set(parameter_arns))))
    if kms_keys:
        decrypt = _allow("DecryptSecrets", ["kms:Decrypt"], sorted({key for _, key in kms_keys}))
        via = sorted({f"{kind}.{region}.amazonaws.com" for kind, _ in kms_keys})
        decrypt["Condition"] = {"StringEquals": {"kms:ViaService": via}}
        statements.append(decrypt)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _allow(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


class FargateTask:
    """Log group, execution role and task definition, created as children of ``parent``.

    Not a component of its own: ContainerService and MigrationTask each own one, so their
    resources stay directly under them. ``task_role`` is what the container's code runs as
    (``None``: no AWS credentials at all).

    Example::

        task = FargateTask(self, name, size=args, architecture=Architecture.ARM64,
                           settings=ContainerSettings(command=["alembic", "upgrade", "head"]),
                           image=image, secrets=secrets, log_retention_days=7, task_role=None)
    """

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        *,
        size: FargateTaskSize,
        architecture: Architecture,
        settings: ContainerSettings,
        image: ImageRef,
        secrets: Mapping[str, SecretReference],
        log_retention_days: int,
        task_role: aws.iam.Role | None,
    ) -> None:
        child = pulumi.ResourceOptions(parent=parent)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=parent)).region
        self.family = task_family(name)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/{pulumi.get_project()}/{pulumi.get_stack()}/ecs/{name}",
            retention_in_days=log_retention_days,
            opts=child,
        )
        self.execution_role = aws.iam.Role(
            f"{name}-execution",
            description=f"ECS starts {name} tasks: image pull, logs, secrets",
            assume_role_policy=ecs_tasks_trust(parent),
            opts=child,
        )
        self.execution_policy = aws.iam.RolePolicy(
            f"{name}-execution",
            role=self.execution_role.id,
            policy=_execution_policy_output(region, self.log_group.arn, image, secrets),
            opts=child,
        )

        def render(v: Any) -> str:
            return container_definitions(
                settings,
                image_uri=v["image"],
                secrets=v["secrets"],
                log_group_name=v["log_group"],
                region=v["region"],
                stream_prefix=name,
            )

        definitions = pulumi.Output.all(
            image=image.uri, log_group=self.log_group.name, region=region, secrets=_value_froms(secrets)
        ).apply(render)
        # No host path: Fargate gives each a fresh, task-private directory on ephemeral storage.
        volumes = [
            aws.ecs.TaskDefinitionVolumeArgs(name=scratch_volume_name(p)) for p in settings.scratch_paths
        ]
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task-def",
            family=self.family,
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(size.cpu),
            memory=str(size.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=architecture.value
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=task_role.arn if task_role is not None else None,
            volumes=volumes or None,
            container_definitions=definitions,
            # A task must not start before its execution role may pull and read secrets.
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[self.execution_policy]),
        )


def _value_froms(secrets: Mapping[str, SecretReference]) -> pulumi.Output[Any]:
    if not secrets:
        return pulumi.Output.from_input({})
    return pulumi.Output.all(**{key: ref.value_from for key, ref in secrets.items()})


def _execution_policy_output(
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
