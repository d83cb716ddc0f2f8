"""Cluster: the ECS cluster Fargate services run in."""

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from ..core.wiring import ClusterRef
from .cluster_args import ClusterArgs
from .task_iam import exec_session_policy


class Cluster(pulumi.ComponentResource):
    """An ECS cluster for Fargate, with Container Insights on and FARGATE_SPOT as the default.

    Creates an ``aws.ecs.Cluster`` (Container Insights per ``container_insights``) and associates
    the FARGATE and FARGATE_SPOT capacity providers, defaulting to FARGATE_SPOT (about 70%
    cheaper, but AWS may reclaim tasks at two minutes' notice). Services choose their own strategy.

    ECS Exec: without ``exec_kms_key_arn`` no service may use it, and the cluster keeps ECS's
    DEFAULT session logging. With it (the stack passes one when any service sets
    ``enableExecuteCommand``), sessions are encrypted with that key and logged (OVERRIDE) to the
    log group ``/aws/ecs/<project>-<stack>/<name>/exec`` with ``execLogRetentionDays``, encrypted
    with the same key, so the key's policy must let CloudWatch Logs of the region use it (a
    ``LogEncryptionKey``). ``grant_execute_command`` then gives each exec service's task role
    what its SSM agent needs for those sessions.

    ``name``, ``arn`` and ``ref`` resolve only after the capacity providers are associated, so
    a service that uses them cannot be created before FARGATE_SPOT is available.

    Example::

        cluster = Cluster("app", ClusterArgs(), opts=pulumi.ResourceOptions(providers={"aws": provider}))
        ContainerService("web", ..., cluster=cluster.ref)

        cluster = Cluster("app", ClusterArgs(), exec_kms_key_arn=logs_key.key_arn, opts=...)
        web = ContainerService("web", ServiceArgs(enable_execute_command=True, ...), cluster=cluster.ref)
        cluster.grant_execute_command("web", web.task_role)
    """

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    ref: ClusterRef

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        *,
        exec_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:Cluster", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)

        self.exec_log_group: aws.cloudwatch.LogGroup | None = None
        self._exec_kms_key_arn = exec_kms_key_arn
        exec_config = aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(logging="DEFAULT")
        if exec_kms_key_arn is not None:
            self.exec_log_group = aws.cloudwatch.LogGroup(
                f"{name}-exec-logs",
                name=f"/aws/ecs/{pulumi.get_project()}-{pulumi.get_stack()}/{name}/exec",
                retention_in_days=args.exec_log_retention_days,
                kms_key_id=exec_kms_key_arn,
                opts=child,
            )
            # Who ran what inside a container, kept apart from the app's own logs and encrypted
            # end to end: the session channel and the log group with the same stack key.
            exec_config = aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                kms_key_id=exec_kms_key_arn,
                logging="OVERRIDE",
                log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                    cloud_watch_log_group_name=self.exec_log_group.name,
                    cloud_watch_encryption_enabled=True,
                ),
            )

        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[
                aws.ecs.ClusterSettingArgs(name="containerInsights", value=args.container_insights.value)
            ],
            configuration=aws.ecs.ClusterConfigurationArgs(execute_command_configuration=exec_config),
            opts=child,
        )
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE_SPOT", weight=1
                )
            ],
            opts=child,
        )

        # A service whose strategy names FARGATE_SPOT fails to create until the association
        # exists; carrying it in these outputs makes every consumer wait for it.
        self.name = self.capacity_providers.cluster_name
        self.arn = pulumi.Output.all(self.cluster.arn, self.capacity_providers.id).apply(lambda a: str(a[0]))
        self.ref = ClusterRef(name=self.name, arn=self.arn)

        register_declared_outputs(self)

    def grant_execute_command(self, role_name: str, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` (an exec service's task role) decrypt and log this cluster's exec sessions.

        ``role_name`` only names the policy resource (``<name>-<role_name>-exec-sessions``). The
        grant is checked when a session starts, so tasks already running get it too.

        Example::

            cluster.grant_execute_command("api", api.task_role)
        """
        if self.exec_log_group is None or self._exec_kms_key_arn is None:
            raise ValueError(
                f"Cluster {self._name!r} has no exec_kms_key_arn: ECS Exec sessions are neither "
                "encrypted nor logged here, so there is nothing to grant"
            )
        policy = pulumi.Output.all(self._exec_kms_key_arn, self.exec_log_group.arn).apply(
            lambda a: exec_session_policy(kms_key_arn=a[0], log_group_arn=a[1])
        )
        return aws.iam.RolePolicy(
            f"{self._name}-{role_name}-exec-sessions",
            role=role.name,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
