"""Cluster: the ECS cluster Fargate services run in."""

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from ..core.wiring import ClusterRef
from .cluster_args import ClusterArgs


class Cluster(pulumi.ComponentResource):
    """An ECS cluster for Fargate, with Container Insights on and FARGATE_SPOT as the default.

    Creates an ``aws.ecs.Cluster`` (Container Insights per ``container_insights``; ECS Exec
    session output logged with the task's own log configuration) and associates the FARGATE
    and FARGATE_SPOT capacity providers, defaulting to FARGATE_SPOT (about 70% cheaper, but
    AWS may reclaim tasks at two minutes' notice). Services choose their own strategy.

    ``name``, ``arn`` and ``ref`` resolve only after the capacity providers are associated, so
    a service that uses them cannot be created before FARGATE_SPOT is available.

    Example::

        cluster = Cluster("app", ClusterArgs(), opts=pulumi.ResourceOptions(providers={"aws": provider}))
        ContainerService("web", ..., cluster=cluster.ref)
    """

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    ref: ClusterRef

    def __init__(self, name: str, args: ClusterArgs, *, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webapp:index:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[
                aws.ecs.ClusterSettingArgs(name="containerInsights", value=args.container_insights.value)
            ],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    logging="DEFAULT",
                ),
            ),
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
