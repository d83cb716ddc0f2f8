"""ContainerService: one ECS Fargate service, either the web API behind the load balancer or a worker."""

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.iam_documents import policy_document, service_trust_policy
from ..core.metrics import ServiceMetrics
from ..core.outputs import register_declared_outputs
from ..core.wiring import (
    ClusterRef,
    Connection,
    ImageRef,
    LoadBalancerTarget,
    SecretReference,
    SidecarContainer,
    TrafficShiftTarget,
)
from .connection_rules import admit_load_balancer, open_connections
from .container_definition import CONTAINER_NAME, ContainerSettings
from .container_service_args import ContainerServiceArgs, DeploymentArgs
from .fargate_task import FargateTask
from .service_autoscaling import ServiceAutoscaling, check_autoscaling
from .task_iam import ECS_EXEC_POLICY, ecs_tasks_trust
from .task_inputs import check_sidecars, merge_variables
from .task_permissions import permissions_policy
from .tracing import TracingPlan, task_role_statements, tracing_plan
from .tracing_args import TracingArgs, TracingMode

# Pinned rather than LATEST so a new platform version arrives as a reviewed change. 1.4.0 is the
# first to offer everything used here: ARM64 (also on FARGATE_SPOT), ECS Exec, 20 GiB ephemeral
# storage for the scratch volumes.
PLATFORM_VERSION = "1.4.0"
# What ECS needs to move traffic between the target groups: read the listeners, rules and target
# groups, change the rules' weights, register and deregister tasks (AWS's own policy for it).
LOAD_BALANCER_INFRASTRUCTURE_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"
# ECS rewrites which target group is primary and which is alternate at the end of every
# traffic-shifting deployment; a `pulumi up` must not swap them back (see ECS_OWNED_RULE_PROPERTIES
# in components/edge/load_balancer.py for the listener rules' side).
ECS_OWNED_SHIFT_PROPERTIES = [
    "loadBalancers[0].targetGroupArn",
    "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn",
]


class ContainerService(pulumi.ComponentResource):
    """An ECS Fargate service in private subnets, with its own security group, roles and logs.

    Creates the task definition (one container named ``app``, read-only root filesystem, scratch
    volumes, all capabilities dropped, secrets injected by ECS), an execution role that can pull
    only this image, write only this log group and read only the given secrets, a task role
    (``task_role``) holding only ``args.permissions`` and later grants, a security group with
    HTTPS egress, and target tracking autoscaling. With ``load_balancer`` it registers in the
    target group and admits only the load balancer's security group on ``port``; without it (a
    worker) nothing may connect in.

    Each of ``connections`` (a database, a cache) opens this service's egress to the store's
    security group on its port and the store's ingress from this service, and adds its
    environment and secrets to the container (the execution role may read exactly the secrets
    given here and in the connections). Each of ``sidecars`` runs beside the app in the same
    task, reachable on localhost, with its memory reservation taken from the task's memory.

    Application Auto Scaling owns the running count, so ``desiredCount`` only sets the first
    deployment; change ``minCount``/``maxCount`` afterwards.

    With ``tracing`` enabled every task also runs the tracing agent (and, for Python, an init
    container copying ADOT's auto-instrumentation), the app gets the ``OTEL_*`` environment with
    service name ``<stack>/<name>``, and the task role may write exactly what the agent sends
    (components/compute/tracing.py).

    Deployments follow ``deployment.strategy`` (ECS's native ``deploymentConfiguration``, no
    CodeDeploy). ``blueGreen``, ``canary`` and ``linear`` need a ``load_balancer`` built with
    ``traffic_shifting``: the service gets its alternate target group, production and test rules
    and an infrastructure role ECS assumes to shift them (trusting ``ecs.amazonaws.com`` for this
    account only, with ``role_guard``'s boundary and path). Every strategy keeps the circuit
    breaker and rolls back on ``deployment_alarm_names`` (the health alarms Monitoring creates
    under those names for this service) and ``deployment.alarmNames``.

    A non-root ``user`` can write to the scratch paths only if the image declares them as
    ``VOLUME`` with that owner: Fargate creates the volumes as root with mode 0755 otherwise.

    Example::

        api = ContainerService("api", settings.config.service, cluster=cluster.ref,
                               vpc_id=network.vpc_id, subnet_ids=network.private_subnet_ids,
                               image=registry.image, secrets=app_secrets.references,
                               load_balancer=alb.target, connections=[db.connection],
                               opts=on_aws)
        pulumi.export("apiServiceName", api.service_name)
    """

    service_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]
    task_family: str
    task_definition_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    task_role: aws.iam.Role
    lowest_min_count: int

    def __init__(
        self,
        name: str,
        args: ContainerServiceArgs,
        *,
        cluster: ClusterRef,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        image: ImageRef,
        secrets: Mapping[str, SecretReference],
        load_balancer: LoadBalancerTarget | None = None,
        deployment_alarm_names: Sequence[str] = (),
        connections: Sequence[Connection] = (),
        sidecars: Sequence[SidecarContainer] = (),
        tracing: TracingArgs | None = None,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Wiring mistakes surface before anything is registered.
        environment, all_secrets = merge_variables(name, args.environment, secrets, connections)
        stack = pulumi.get_stack()
        traced = tracing_plan(tracing or TracingArgs(), service_name=f"{stack}/{name}", environment=stack)
        check_sidecars(
            name,
            sidecars,
            task_memory=args.memory,
            app_port=args.port,
            tracing_memory=traced.reserved_memory if traced is not None else 0,
        )
        if load_balancer is not None and args.port is None:
            raise ValueError(
                f"{name}: port is required behind a load balancer (its target group forwards to it)"
            )
        check_autoscaling(name, args.autoscaling, behind_load_balancer=load_balancer is not None)
        _check_strategy(name, args.deployment, load_balancer)
        super().__init__("webapp:index:ContainerService", name, None, opts)
        # Everything the tasks need at boot: they start only once these exist.
        waits_for = self._task_role(name, args, role_guard)
        waits_for += self._tracing_grant(name, traced)
        self._task(name, args, image, environment, all_secrets, sidecars, traced, log_kms_key_arn, role_guard)
        self._security_group(name, vpc_id)
        # Tasks that start before their rules exist could not reach the database at boot.
        waits_for += open_connections(self, name, self.security_group.id, connections)
        registration, grace_period = self._behind_load_balancer(
            name, args, load_balancer, waits_for, role_guard
        )
        alarm_names = [*deployment_alarm_names, *args.deployment.alarm_names]
        self._service(name, args, cluster, subnet_ids, registration, grace_period, alarm_names, waits_for)
        self.autoscaling = ServiceAutoscaling(
            self,
            name,
            args.autoscaling,
            min_count=args.min_count,
            max_count=args.max_count,
            cluster_name=cluster.name,
            service_name=self.service.name,
            resource_label=load_balancer.resource_label if load_balancer is not None else None,
        )

        self.service_name = self.service.name
        # The fewest tasks the service is meant to run at any time (schedules may lower minCount).
        self.lowest_min_count = min([args.min_count, *(s.min_count for s in args.autoscaling.schedules)])
        self.security_group_id = self.security_group.id
        self.log_group_name = self.task.log_group.name
        self.log_group_arn = self.task.log_group.arn
        self.task_family = self.task.family
        self.task_definition_arn = self.task.task_definition.arn
        self.execution_role_arn = self.task.execution_role.arn
        self.task_role_arn = self.task_role.arn
        self._metrics = ServiceMetrics(
            label=name,
            cluster_name=cluster.name,
            service_name=self.service_name,
            min_tasks=self.lowest_min_count,
            application_signals=(traced.service_name, traced.environment)
            if traced is not None and traced.args.mode is TracingMode.APPLICATION_SIGNALS
            else None,
        )
        register_declared_outputs(self)

    @property
    def metrics(self) -> ServiceMetrics:
        """What Monitoring watches: this service, labelled with the component's name."""
        return self._metrics

    def _task_role(
        self, name: str, args: ContainerServiceArgs, role_guard: RoleGuard
    ) -> list[pulumi.Resource]:
        """The task role (nothing unless granted), with ECS Exec's channels and ``permissions``."""
        child = pulumi.ResourceOptions(parent=self)
        self.task_role = aws.iam.Role(
            f"{name}-task",
            description=f"What {name} code may call in AWS (nothing unless granted)",
            assume_role_policy=ecs_tasks_trust(self),
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        grants: list[pulumi.Resource] = []
        if args.enable_execute_command:
            # Tasks started before this grant exists could not open an ECS Exec session.
            grants.append(
                aws.iam.RolePolicy(
                    f"{name}-ecs-exec", role=self.task_role.id, policy=ECS_EXEC_POLICY, opts=child
                )
            )
        if args.permissions:
            # The app may call these at boot: its tasks start only once the grant exists.
            grants.append(
                aws.iam.RolePolicy(
                    f"{name}-permissions",
                    role=self.task_role.id,
                    policy=permissions_policy(args.permissions),
                    opts=child,
                )
            )
        return grants

    def _tracing_grant(self, name: str, traced: TracingPlan | None) -> list[pulumi.Resource]:
        """What the tracing agent sends, on the task role; tasks start once it may (None: nothing)."""
        if traced is None:
            return []
        invoke = pulumi.InvokeOutputOptions(parent=self)
        identity = pulumi.Output.all(
            partition=aws.get_partition_output(opts=invoke).partition,
            region=aws.get_region_output(opts=invoke).region,
            account=aws.get_caller_identity_output(opts=invoke).account_id,
        )
        mode = traced.args.mode
        policy = identity.apply(
            lambda v: policy_document(
                *task_role_statements(
                    mode, partition=v["partition"], region=v["region"], account=v["account"]
                )
            )
        )
        return [
            aws.iam.RolePolicy(
                f"{name}-tracing",
                role=self.task_role.id,
                policy=policy,
                opts=pulumi.ResourceOptions(parent=self),
            )
        ]

    def _task(
        self,
        name: str,
        args: ContainerServiceArgs,
        image: ImageRef,
        environment: Mapping[str, pulumi.Input[str]],
        secrets: Mapping[str, SecretReference],
        sidecars: Sequence[SidecarContainer],
        traced: TracingPlan | None,
        log_kms_key_arn: pulumi.Input[str] | None,
        role_guard: RoleGuard,
    ) -> None:
        """The task definition, its execution role and its log group."""
        self.task = FargateTask(
            self,
            name,
            size=args,
            architecture=args.architecture,
            settings=ContainerSettings(
                command=args.command,
                port=args.port,
                health_check=args.health_check,
                readonly_root_filesystem=args.readonly_root_filesystem,
                scratch_paths=args.scratch_paths,
                user=args.user,
                drop_all_capabilities=args.drop_all_capabilities,
                sidecars=tuple(sidecars),
                tracing=traced,
            ),
            image=image,
            environment=environment,
            secrets=secrets,
            log_retention_days=args.log_retention_days,
            task_role=self.task_role,
            log_kms_key_arn=log_kms_key_arn,
            role_guard=role_guard,
        )

    def _security_group(self, name: str, vpc_id: pulumi.Input[str]) -> None:
        """The tasks' security group, with HTTPS egress only (connections add the rest)."""
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"ECS tasks of {name}",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-tasks"},
            opts=child,
        )
        # Rules are separate resources (none inline), so other components' rules on this group
        # are not removed by it. DNS to the VPC resolver needs no rule.
        self.https_egress = aws.vpc.SecurityGroupEgressRule(
            f"{name}-https-out",
            security_group_id=self.security_group.id,
            description="HTTPS to AWS APIs and ECR, through NAT or VPC endpoints",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            opts=child,
        )

    def _behind_load_balancer(
        self,
        name: str,
        args: ContainerServiceArgs,
        load_balancer: LoadBalancerTarget | None,
        waits_for: list[pulumi.Resource],
        role_guard: RoleGuard,
    ) -> tuple[list[aws.ecs.ServiceLoadBalancerArgs] | None, int | None]:
        """The target group registration and grace period; the ALB's rules join ``waits_for``."""
        self.infrastructure_role: aws.iam.Role | None = None
        if load_balancer is None or args.port is None:
            return None, None
        waits_for.append(load_balancer.listener)
        waits_for += admit_load_balancer(self, name, self.security_group.id, args.port, load_balancer)
        advanced = None
        shift = load_balancer.traffic_shift
        if args.deployment.strategy.shifts_traffic and shift is not None:
            advanced = self._traffic_shift(name, shift, waits_for, role_guard)
        registration = [
            aws.ecs.ServiceLoadBalancerArgs(
                container_name=CONTAINER_NAME,
                container_port=args.port,
                target_group_arn=load_balancer.target_group_arn,
                advanced_configuration=advanced,
            )
        ]
        # ECS rejects a grace period on a service without a load balancer.
        return registration, args.deployment.health_check_grace_period_seconds

    def _traffic_shift(
        self, name: str, shift: TrafficShiftTarget, waits_for: list[pulumi.Resource], role_guard: RoleGuard
    ) -> aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs:
        """The role ECS assumes to shift the listener rules, and the block naming what it shifts."""
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        self.infrastructure_role = aws.iam.Role(
            f"{name}-ecs-infra",
            description=f"Assumed by ECS to shift {name}'s load balancer traffic during deployments",
            # aws:SourceAccount: ECS may use the role only for this account's services.
            assume_role_policy=account.apply(lambda a: service_trust_policy("ecs.amazonaws.com", a)),
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-ecs-infra-elb",
            role=self.infrastructure_role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/", LOAD_BALANCER_INFRASTRUCTURE_POLICY
            ),
            opts=child,
        )
        # ECS checks the rules and uses the role at the first deployment.
        waits_for += [*shift.rules, attachment]
        return aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
            alternate_target_group_arn=shift.alternate_target_group_arn,
            production_listener_rule=shift.production_rule_arn,
            test_listener_rule=shift.test_rule_arn,
            role_arn=self.infrastructure_role.arn,
        )

    def _service(
        self,
        name: str,
        args: ContainerServiceArgs,
        cluster: ClusterRef,
        subnet_ids: pulumi.Input[Sequence[str]],
        registration: list[aws.ecs.ServiceLoadBalancerArgs] | None,
        grace_period: int | None,
        alarm_names: Sequence[str],
        waits_for: list[pulumi.Resource],
    ) -> None:
        deployment = args.deployment
        shifting = registration is not None and deployment.strategy.shifts_traffic
        self.service = aws.ecs.Service(
            f"{name}-svc",
            cluster=cluster.arn,
            task_definition=self.task.task_definition.arn,
            desired_count=args.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider=provider, weight=weight, base=base
                )
                for provider, weight, base in args.capacity.providers()
            ],
            platform_version=PLATFORM_VERSION,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=subnet_ids, security_groups=[self.security_group.id], assign_public_ip=False
            ),
            deployment_configuration=deployment_configuration(deployment),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=args.deployment.circuit_breaker_rollback
            ),
            # Watched during the deployment and its bake time, in every strategy; none for a worker
            # whose stack names none (a running-task alarm would fire while its first tasks start).
            alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=list(alarm_names), enable=True, rollback=True)
            if alarm_names
            else None,
            deployment_minimum_healthy_percent=args.deployment.minimum_healthy_percent,
            deployment_maximum_percent=args.deployment.maximum_percent,
            load_balancers=registration,
            health_check_grace_period_seconds=grace_period,
            enable_execute_command=args.enable_execute_command,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            wait_for_steady_state=False,
            # The provider refuses to change capacity_provider_strategies in place without it; with
            # it, moving dev from spot to mixed is a rolling deployment instead of an error.
            force_new_deployment=True,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=waits_for,
                # Application Auto Scaling changes the count; Pulumi must not reset it on every up.
                ignore_changes=["desiredCount", *(ECS_OWNED_SHIFT_PROPERTIES if shifting else [])],
            ),
        )


def deployment_configuration(deployment: DeploymentArgs) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    """The service's ``deploymentConfiguration`` for ``deployment.strategy`` (bake times as strings:
    the provider types them so)."""
    strategy = deployment.strategy
    if not strategy.shifts_traffic:
        return aws.ecs.ServiceDeploymentConfigurationArgs(strategy=strategy.ecs_name)
    canary = linear = None
    if strategy.ecs_name == "CANARY":
        percent, minutes = deployment.canary()
        canary = aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=percent, canary_bake_time_in_minutes=str(minutes)
        )
    elif strategy.ecs_name == "LINEAR":
        step, minutes = deployment.linear()
        linear = aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=step, step_bake_time_in_minutes=str(minutes)
        )
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=strategy.ecs_name,
        bake_time_in_minutes=str(deployment.bake_time),
        canary_configuration=canary,
        linear_configuration=linear,
    )


def _check_strategy(name: str, deployment: DeploymentArgs, load_balancer: LoadBalancerTarget | None) -> None:
    """A traffic-shifting strategy needs the load balancer's second target group and rules."""
    if not deployment.strategy.shifts_traffic:
        return
    if load_balancer is None or load_balancer.traffic_shift is None:
        raise ValueError(
            f"{name}: deployment.strategy {deployment.strategy.value!r} needs a load balancer built with "
            "traffic_shifting (its alternate target group and listener rules); a worker deploys rolling only"
        )
