"""Network: the VPC every other component is placed in."""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.iam_documents import allow, policy_document, service_trust_policy
from ..core.outputs import register_declared_outputs
from .nat_instance import NatInstances
from .network_args import InterfaceEndpoint, NatStrategy, NatType, NetworkArgs

_AWSX_NAT = {
    NatStrategy.NONE: awsx.ec2.NatGatewayStrategy.NONE,
    NatStrategy.SINGLE: awsx.ec2.NatGatewayStrategy.SINGLE,
    NatStrategy.ONE_PER_AZ: awsx.ec2.NatGatewayStrategy.ONE_PER_AZ,
}


def no_public_ip_on_launch(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """Stop awsx's public subnets from giving every ENI a public IP (control EC2.15).

    Only the load balancer and NAT gateways live there, and both get their addresses
    explicitly, so nothing loses connectivity. Runs on awsx's children, which are otherwise
    out of reach; property names are the engine's camelCase ones.
    """
    if args.type_ == "aws:ec2/subnet:Subnet" and args.props.get("mapPublicIpOnLaunch"):
        return pulumi.ResourceTransformResult(
            props={**args.props, "mapPublicIpOnLaunch": False}, opts=args.opts
        )
    return None


class Network(pulumi.ComponentResource):
    """A three-tier VPC: public (load balancer, NAT), private (tasks), isolated (data stores).

    Creates an ``awsx.ec2.Vpc`` with subnets at the CIDRs ``NetworkArgs.subnet_layout()``
    computes, NAT per ``nat_strategy`` (awsx's NAT gateways, or ``NatInstances`` when
    ``nat_type`` is ``instance``: the attributes and outputs are the same either way), flow
    logs to CloudWatch through a role that can write only to that log group, the VPC's default
    security group adopted with no rules, the free S3 gateway endpoint on the private and
    isolated route tables, and the configured interface endpoints. Security groups for other
    components belong to those components.

    Example::

        network = Network("net", NetworkArgs(az_count=3, nat_strategy=NatStrategy.ONE_PER_AZ),
                          opts=pulumi.ResourceOptions(providers={"aws": provider}))
        pulumi.export("vpcId", network.vpc_id)
    """

    vpc_id: pulumi.Output[str]
    cidr_block: str
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    flow_log_group_name: pulumi.Output[str]
    endpoint_security_group_id: pulumi.Output[str] | None
    nat_instance_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        *,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self._vpc(name, args)
        self._nat_instances(name, args, role_guard, child)
        self._closed_default_security_group(name, child)
        self.flow_log_group_name = self._flow_logs(name, args, region, child, log_kms_key_arn, role_guard)
        self._s3_gateway_endpoint(name, region, child)
        self.endpoint_security_group_id = None
        self.interface_endpoints: dict[InterfaceEndpoint, aws.ec2.VpcEndpoint] = {}
        if args.interface_endpoints:
            self._interface_endpoints(name, args, region, child)
        register_declared_outputs(self)

    def _vpc(self, name: str, args: NetworkArgs) -> None:
        """awsx's VPC with the subnet CIDRs ``subnet_layout`` computes, three tiers per AZ."""
        layout = args.subnet_layout()
        self.vpc = awsx.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            number_of_availability_zones=args.az_count,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, cidr_blocks=list(layout.public)),
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, cidr_blocks=list(layout.private)),
                awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED, cidr_blocks=list(layout.isolated)),
            ],
            subnet_name_tag_strategy=awsx.ec2.SubnetNameTagStrategy.AVAILABILITY_ZONE,
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=_awsx_nat(args)),
            # Interface endpoints with private DNS need both.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            opts=pulumi.ResourceOptions(parent=self, transforms=[no_public_ip_on_launch]),
        )
        self.vpc_id = self.vpc.vpc_id
        self.cidr_block = args.cidr_block
        self.public_subnet_ids = self.vpc.public_subnet_ids
        self.private_subnet_ids = self.vpc.private_subnet_ids
        self.isolated_subnet_ids = self.vpc.isolated_subnet_ids

    def _nat_instances(
        self, name: str, args: NetworkArgs, role_guard: RoleGuard, child: pulumi.ResourceOptions
    ) -> None:
        """``nat_type: instance``: NatInstances instead of awsx's gateways (which then makes none)."""
        # An attribute, not an output: its annotation stays off the class, whose annotations are
        # the outputs (components/core/outputs.py) and the package schema's (provider/).
        self.nat_instances: NatInstances | None = None
        self.nat_instance_ids = pulumi.Output.from_input([])
        if args.nat_type is not NatType.INSTANCE:
            return
        self.nat_instances = NatInstances(
            f"{name}-nat",
            vpc_id=self.vpc_id,
            vpc_cidr=args.cidr_block,
            public_subnet_ids=self.public_subnet_ids,
            private_subnet_ids=self.private_subnet_ids,
            az_count=args.az_count,
            per_az=args.nat_strategy is NatStrategy.ONE_PER_AZ,
            instance_type=args.nat_instance_type,
            ami=args.nat_instance_ami,
            role_guard=role_guard,
            opts=child,
        )
        self.nat_instance_ids = self.nat_instances.instance_ids

    def _closed_default_security_group(self, name: str, child: pulumi.ResourceOptions) -> None:
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc_id,
            ingress=[],
            egress=[],
            tags={"Name": f"{name}-default-closed"},
            opts=child,
        )

    def _s3_gateway_endpoint(
        self, name: str, region: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> None:
        """The free S3 gateway endpoint, on the private and isolated route tables."""
        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc_id,
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=_non_public_route_table_ids(self.vpc),
            tags={"Name": f"{name}-s3-gateway"},
            opts=child,
        )

    def _flow_logs(
        self,
        name: str,
        args: NetworkArgs,
        region: pulumi.Output[str],
        child: pulumi.ResourceOptions,
        log_kms_key_arn: pulumi.Input[str] | None,
        role_guard: RoleGuard,
    ) -> pulumi.Output[str]:
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition

        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/vpc-flow-logs",
            retention_in_days=args.flow_logs.retention_days,
            kms_key_id=log_kms_key_arn,
            opts=child,
        )
        # Only flow logs of this account and region may assume the role (the SourceArn pattern the
        # VPC User Guide documents for flow logs publishing to CloudWatch Logs).
        trust = pulumi.Output.all(account, partition, region).apply(
            lambda a: service_trust_policy(
                "vpc-flow-logs.amazonaws.com", a[0], source_arn=f"arn:{a[1]}:ec2:{a[2]}:{a[0]}:vpc-flow-log/*"
            )
        )
        self.flow_log_role = aws.iam.Role(
            f"{name}-flow-logs",
            description="VPC flow logs delivery to one CloudWatch log group",
            assume_role_policy=trust,
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        self.flow_log_role_policy = aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=self.flow_log_role.id,
            policy=self.flow_log_group.arn.apply(_flow_log_write_policy),
            opts=child,
        )
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc_id,
            traffic_type=args.flow_logs.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=args.flow_logs.max_aggregation_interval,
            tags={"Name": f"{name}-flow-log"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.flow_log_role_policy]),
        )
        return self.flow_log_group.name

    def _interface_endpoints(
        self, name: str, args: NetworkArgs, region: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> None:
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            description="HTTPS from inside the VPC to AWS service interface endpoints",
            vpc_id=self.vpc_id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="HTTPS from the VPC",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[args.cidr_block],
                )
            ],
            # No egress: endpoint network interfaces only answer.
            egress=[],
            tags={"Name": f"{name}-endpoints"},
            opts=child,
        )
        self.endpoint_security_group_id = endpoint_sg.id
        for service in args.interface_endpoints:
            self.interface_endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service.value.replace('.', '-')}",
                vpc_id=self.vpc_id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service.value}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[endpoint_sg.id],
                tags={"Name": f"{name}-{service.value}"},
                opts=child,
            )


def _awsx_nat(args: NetworkArgs) -> awsx.ec2.NatGatewayStrategy:
    """NAT instances replace awsx's gateways, so awsx then makes none (and no private routes)."""
    if args.nat_type is NatType.INSTANCE:
        return awsx.ec2.NatGatewayStrategy.NONE
    return _AWSX_NAT[args.nat_strategy]


def _flow_log_write_policy(log_group_arn: str) -> str:
    return policy_document(
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [log_group_arn, f"{log_group_arn}:*"],
            sid="WriteFlowLogsToOneGroup",
        )
    )


def _non_public_route_table_ids(vpc: awsx.ec2.Vpc) -> pulumi.Output[list[str]]:
    """IDs of the private and isolated route tables, told apart by awsx's ``SubnetType`` tag."""

    def pick(route_tables: Sequence[aws.ec2.RouteTable]) -> pulumi.Output[list[str]]:
        pairs = [pulumi.Output.all(rt.id, rt.tags) for rt in route_tables]
        return pulumi.Output.all(*pairs).apply(
            lambda rows: [rid for rid, tags in rows if (tags or {}).get("SubnetType") != "Public"]
        )

    return vpc.route_tables.apply(pick)
