"""MigrationTask: a task definition for one-off database migrations, run on demand before deploys."""

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.log_retention import CLOUDWATCH_RETENTION_DAYS
from ..core.outputs import register_declared_outputs
from ..core.wiring import ClusterRef, Connection, ImageRef, SecretReference
from .container_definition import ContainerSettings
from .fargate_task import FargateTask
from .fargate_task_size import Architecture
from .migration_task_args import MigrationArgs
from .task_inputs import merge_variables


class MigrationTask(pulumi.ComponentResource):
    """The service's image with the migration command, as a task definition nothing runs by itself.

    Same hardening as ContainerService (read-only root filesystem with a /tmp scratch volume, all
    capabilities dropped) and its own execution role of the same least-privilege shape; no task
    role, so the migration code gets no AWS credentials. Pass the service's security group so
    the task reaches the database the same way the service does.

    ``connections`` add their environment and secrets exactly as for the service (values may be
    Outputs), but no security group rules: the task runs in the API's security group, which the
    API's own connections already opened to the database. Pass the API's connections.

    Run it with ``run_task_command`` (on-demand FARGATE, so Spot cannot interrupt a migration),
    then wait for it and check the exit code::

        TASK=$(aws ecs run-task ... --query 'tasks[0].taskArn' --output text)
        aws ecs wait tasks-stopped --cluster <cluster> --tasks "$TASK"
        aws ecs describe-tasks --cluster <cluster> --tasks "$TASK" \\
            --query 'tasks[0].containers[0].exitCode'

    Example::

        migration = MigrationTask("migrate", settings.config.migration, cluster=cluster.ref,
                                  subnet_ids=network.private_subnet_ids,
                                  security_group_id=api.security_group_id, image=registry.image,
                                  secrets=app_secrets.references, environment=service.environment,
                                  connections=[db.connection],
                                  log_retention_days=service.log_retention_days,
                                  architecture=service.architecture, opts=on_aws)
        pulumi.export("migrationCommand", migration.run_task_command)
    """

    task_family: str
    task_definition_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    run_task_command: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: MigrationArgs,
        *,
        cluster: ClusterRef,
        subnet_ids: pulumi.Input[Sequence[str]],
        security_group_id: pulumi.Input[str],
        image: ImageRef,
        secrets: Mapping[str, SecretReference],
        environment: Mapping[str, pulumi.Input[str]],
        log_retention_days: int,
        architecture: Architecture,
        connections: Sequence[Connection] = (),
        log_kms_key_arn: pulumi.Input[str] | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        all_environment, all_secrets = merge_variables(name, environment, secrets, connections)
        if log_retention_days not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError(
                f"{name}: log_retention_days {log_retention_days} is no CloudWatch retention period"
            )
        super().__init__("webapp:index:MigrationTask", name, None, opts)

        self.task = FargateTask(
            self,
            name,
            size=args,
            architecture=architecture,
            settings=ContainerSettings(command=args.command),
            image=image,
            environment=all_environment,
            secrets=all_secrets,
            log_retention_days=log_retention_days,
            task_role=None,
            log_kms_key_arn=log_kms_key_arn,
            role_guard=role_guard,
        )
        self.task_family = self.task.family
        self.task_definition_arn = self.task.task_definition.arn
        self.execution_role_arn = self.task.execution_role.arn
        self.log_group_name = self.task.log_group.name
        self.run_task_command = run_task_command(
            cluster.name, subnet_ids, security_group_id, self.task_family, self.task_definition_arn
        )
        register_declared_outputs(self)


def run_task_command(
    cluster_name: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[str]],
    security_group_id: pulumi.Input[str],
    family: str,
    task_definition_arn: pulumi.Output[str],
) -> pulumi.Output[str]:
    """The ``aws ecs run-task`` line that starts one migration in the private subnets.

    Depends on the task definition, so the command is only shown once the family exists.
    """

    def command(values: Any) -> str:
        cluster, subnets, security_group, _ = values
        network = (
            f"awsvpcConfiguration={{subnets=[{','.join(subnets)}],"
            f"securityGroups=[{security_group}],assignPublicIp=DISABLED}}"
        )
        return (
            f"aws ecs run-task --cluster {shlex.quote(cluster)} --task-definition {family} "
            f"--launch-type FARGATE --network-configuration {shlex.quote(network)} --started-by migration"
        )

    return pulumi.Output.all(cluster_name, subnet_ids, security_group_id, task_definition_arn).apply(command)
