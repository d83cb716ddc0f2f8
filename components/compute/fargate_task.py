"""FargateTask: the log group, execution role and task definition a service or one-off task runs."""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.wiring import ImageRef, SecretReference
from .container_definition import ContainerSettings, container_definitions, task_family
from .container_service_args import scratch_volume_name
from .fargate_task_size import Architecture, FargateTaskSize
from .task_iam import ecs_tasks_trust, execution_policy_output
from .tracing import tracing_volumes


class FargateTask:
    """Log group, execution role and task definition, created as children of ``parent``.

    Not a component of its own: ContainerService and MigrationTask each own one, so their
    resources stay directly under them. ``task_role`` is what the container's code runs as
    (``None``: no AWS credentials at all). ``environment`` values may be Outputs (a database
    address); they are resolved into the container definition. The execution role may read
    exactly ``secrets``.

    Example::

        task = FargateTask(self, name, size=args, architecture=Architecture.ARM64,
                           settings=ContainerSettings(command=["alembic", "upgrade", "head"]),
                           image=image, environment={"DB_HOST": db.address}, secrets=secrets,
                           log_retention_days=7, task_role=None)
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
        environment: Mapping[str, pulumi.Input[str]],
        secrets: Mapping[str, SecretReference],
        log_retention_days: int,
        task_role: aws.iam.Role | None,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
    ) -> None:
        child = pulumi.ResourceOptions(parent=parent)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=parent)).region
        self.family = task_family(name)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/{pulumi.get_project()}/{pulumi.get_stack()}/ecs/{name}",
            retention_in_days=log_retention_days,
            kms_key_id=log_kms_key_arn,
            opts=child,
        )
        self.execution_role = aws.iam.Role(
            f"{name}-execution",
            description=f"ECS starts {name} tasks: image pull, logs, secrets",
            assume_role_policy=ecs_tasks_trust(parent),
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        self.execution_policy = aws.iam.RolePolicy(
            f"{name}-execution",
            role=self.execution_role.id,
            policy=execution_policy_output(region, self.log_group.arn, image, secrets),
            opts=child,
        )

        def render(v: Any) -> str:
            return container_definitions(
                settings,
                image_uri=v["image"],
                environment=v["environment"],
                secrets=v["secrets"],
                log_group_name=v["log_group"],
                region=v["region"],
                stream_prefix=name,
            )

        definitions = pulumi.Output.all(
            image=image.uri,
            log_group=self.log_group.name,
            region=region,
            environment=_resolved(environment),
            secrets=_resolved({key: ref.value_from for key, ref in secrets.items()}),
        ).apply(render)
        # No host path: Fargate gives each a fresh, task-private directory on ephemeral storage.
        names = [scratch_volume_name(p) for p in settings.scratch_paths]
        names += tracing_volumes(settings.tracing) if settings.tracing is not None else []
        volumes = [aws.ecs.TaskDefinitionVolumeArgs(name=n) for n in names]
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


def _resolved(values: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[Any]:
    """One Output of the whole mapping (``Output.all()`` with no arguments resolves to a list)."""
    if not values:
        return pulumi.Output.from_input({})
    return pulumi.Output.all(**values)
