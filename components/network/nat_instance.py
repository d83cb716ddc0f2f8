"""NatInstances: NAT for the private subnets on small Graviton instances instead of NAT gateways.

awsx has no instance mode, so the Network asks awsx for no NAT and builds this from plain
resources: per NAT an instance in a public subnet, one security group, an SSM-only instance
profile, two recovery alarms, and a default route in every private route table. ADR 0012 says why.
"""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.iam_documents import allow, policy_document
from ..core.outputs import register_declared_outputs

# AWS's public parameter for the newest Amazon Linux 2023 arm64 AMI (Graviton).
AL2023_ARM64_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore"
# The AL2023 arm64 AMI's snapshot is 8 GiB; a smaller root volume is rejected.
ROOT_VOLUME_GIB = 8


def nat_user_data(vpc_cidr: str) -> str:
    """Boot script: forward IPv4 and masquerade VPC traffic leaving the primary interface.

    AL2023 ships no iptables service: iptables-services restores /etc/sysconfig/iptables at boot.
    Its stock FORWARD chain rejects everything, so that chain is replaced by VPC-only rules.
    The install is retried because the package mirror may not answer in the first seconds.
    sshd is stopped: the instance has no key pair and is reached through Session Manager only.
    """
    return f"""#!/bin/bash
set -euxo pipefail
for attempt in $(seq 1 30); do dnf install -y iptables-services && break; sleep 10; done
systemctl enable --now iptables
echo "net.ipv4.ip_forward = 1" > /etc/sysctl.d/90-nat.conf
sysctl --system
iface=$(ip -o -4 route show to default | awk '{{print $5; exit}}')
iptables -t nat -F POSTROUTING
iptables -t nat -A POSTROUTING -o "$iface" -s {vpc_cidr} -j MASQUERADE
iptables -F FORWARD
iptables -A FORWARD -s {vpc_cidr} -j ACCEPT
iptables -A FORWARD -d {vpc_cidr} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -j DROP
iptables-save > /etc/sysconfig/iptables
systemctl disable --now sshd
"""


class NatInstances(pulumi.ComponentResource):
    """One NAT instance (``single``) or one per AZ (``per_az``), and the private subnets' routes.

    Each instance: ``ami``, or else AL2023 arm64 from the SSM public parameter at creation and
    kept afterwards (a newer image never replaces it by itself), source/destination check off, a
    public IP, IMDSv2 only, an encrypted gp3 root volume, no key pair (Session Manager instead),
    detailed (1-minute) CloudWatch monitoring, simplified automatic recovery plus CloudWatch alarms
    that recover it (host failure) or reboot it (OS failure). Private subnet ``i`` routes 0.0.0.0/0
    to its AZ's instance (``per_az``) or to the only one. Built by ``Network`` for ``natType:
    instance``; usable alone.

    Example::

        nat = NatInstances("net-nat", vpc_id=vpc.vpc_id, vpc_cidr="10.0.0.0/16",
                           public_subnet_ids=vpc.public_subnet_ids,
                           private_subnet_ids=vpc.private_subnet_ids, az_count=2,
                           per_az=False, instance_type="t4g.nano",
                           ami=None,  # or "ami-0abcdef1234567890" to pin (and move) the image
                           opts=pulumi.ResourceOptions(parent=network))
    """

    instance_ids: pulumi.Output[list[str]]
    network_interface_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        vpc_cidr: str,
        public_subnet_ids: pulumi.Output[Sequence[str]],
        private_subnet_ids: pulumi.Output[Sequence[str]],
        az_count: int,
        per_az: bool,
        instance_type: str,
        ami: str | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:NatInstances", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        self._security_group(name, vpc_id, vpc_cidr, child)
        profile = self._ssm_profile(name, partition, child, role_guard)
        self._instances(
            name,
            az_count if per_az else 1,
            ami,
            instance_type,
            vpc_cidr,
            public_subnet_ids,
            profile,
            partition,
            region,
        )
        self._private_routes(name, az_count, per_az, private_subnet_ids, child)
        self.instance_ids = pulumi.Output.all(*[inst.id for inst in self.instances])
        self.network_interface_ids = pulumi.Output.all(
            *[inst.primary_network_interface_id for inst in self.instances]
        )
        register_declared_outputs(self)

    def _security_group(
        self, name: str, vpc_id: pulumi.Input[str], vpc_cidr: str, child: pulumi.ResourceOptions
    ) -> None:
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="NAT instances: any traffic from inside the VPC, out to the internet",
            vpc_id=vpc_id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="Traffic from the VPC to forward to the internet",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=[vpc_cidr],
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="Forwarded traffic, package installs and Session Manager to the internet",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ],
            tags={"Name": f"{name}-sg"},
            opts=child,
        )

    def _instances(
        self,
        name: str,
        count: int,
        ami: str | None,
        instance_type: str,
        vpc_cidr: str,
        public_subnet_ids: pulumi.Output[Sequence[str]],
        profile: aws.iam.InstanceProfile,
        partition: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> None:
        """``count`` instances in the first public subnets, each with its recovery alarms."""
        child = pulumi.ResourceOptions(parent=self)
        # The AMI is an input that replaces the instance when it changes, and the public parameter
        # moves whenever AWS publishes an image: followed on every run, a routine deploy would
        # replace the NAT and cut the private subnets' egress. So an unpinned instance keeps the
        # image it was created with (ignore_changes: the engine reuses the AMI in the state).
        # A pinned `ami` is not ignored: the engine would then also reuse the old id when the pin
        # changes (even under `pulumi up --replace`), and changing the pin is how a user asks for
        # a new image.
        keep_ami = ami is None
        image = (
            ami
            or aws.ssm.get_parameter_output(
                name=AL2023_ARM64_PARAMETER, opts=pulumi.InvokeOutputOptions(parent=self)
            ).insecure_value
        )
        instance_opts = pulumi.ResourceOptions(parent=self, ignore_changes=["ami"] if keep_ami else None)
        self.instances: list[aws.ec2.Instance] = []
        for i in range(count):
            instance = aws.ec2.Instance(
                f"{name}-{i + 1}",
                ami=image,
                instance_type=instance_type,
                subnet_id=public_subnet_ids.apply(lambda ids, i=i: ids[i]),
                vpc_security_group_ids=[self.security_group.id],
                associate_public_ip_address=True,
                source_dest_check=False,
                iam_instance_profile=profile.name,
                metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                    http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
                ),
                root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                    encrypted=True, volume_type="gp3", volume_size=ROOT_VOLUME_GIB, delete_on_termination=True
                ),
                maintenance_options=aws.ec2.InstanceMaintenanceOptionsArgs(auto_recovery="default"),
                # Detailed monitoring (1-minute metrics, about $2.10 a month): the egress bursts and
                # CPU peaks that saturate a small NAT instance vanish in 5-minute averages.
                monitoring=True,
                # Standard credits: sustained traffic is throttled at the baseline, never billed.
                credit_specification=(
                    aws.ec2.InstanceCreditSpecificationArgs(cpu_credits="standard")
                    if instance_type.startswith("t")
                    else None
                ),
                user_data=nat_user_data(vpc_cidr),
                # cloud-init runs user data once: a changed script needs a new instance.
                user_data_replace_on_change=True,
                tags={"Name": f"{name}-{i + 1}"},
                volume_tags={"Name": f"{name}-{i + 1}"},
                opts=instance_opts,
            )
            self._recovery_alarms(f"{name}-{i + 1}", instance, partition, region, child)
            self.instances.append(instance)

    def _private_routes(
        self,
        name: str,
        az_count: int,
        per_az: bool,
        private_subnet_ids: pulumi.Output[Sequence[str]],
        child: pulumi.ResourceOptions,
    ) -> None:
        """Each private subnet's default route to its AZ's instance (or the one instance)."""
        invoke = pulumi.InvokeOutputOptions(parent=self)
        for i in range(az_count):
            route_table = aws.ec2.get_route_table_output(
                subnet_id=private_subnet_ids.apply(lambda ids, i=i: ids[i]), opts=invoke
            )
            target = self.instances[i if per_az else 0]
            aws.ec2.Route(
                f"{name}-private-{i + 1}",
                route_table_id=route_table.route_table_id,
                destination_cidr_block="0.0.0.0/0",
                network_interface_id=target.primary_network_interface_id,
                opts=child,
            )

    def _ssm_profile(
        self, name: str, partition: pulumi.Output[str], child: pulumi.ResourceOptions, role_guard: RoleGuard
    ) -> aws.iam.InstanceProfile:
        role = aws.iam.Role(
            f"{name}-role",
            description="NAT instances: Session Manager access only",
            # No aws:SourceAccount/SourceArn here: EC2 sends neither when it assumes an instance
            # profile's role, so such a condition would lock the instances out. Only principals
            # allowed iam:PassRole in this account can attach the role, and PassRole cannot
            # cross accounts, so there is no confused deputy to guard against.
            assume_role_policy=policy_document(
                allow("sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"})
            ),
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        # The AWS managed policy is the documented minimum for the SSM agent (Session Manager).
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-ssm",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", partition, f":iam::aws:policy/{SSM_MANAGED_POLICY}"),
            opts=child,
        )
        return aws.iam.InstanceProfile(
            f"{name}-profile",
            role=role.name,
            path=role_guard.path,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )

    def _recovery_alarms(
        self,
        name: str,
        instance: aws.ec2.Instance,
        partition: pulumi.Output[str],
        region: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> None:
        # Recovery keeps the instance ID, ENI, private and public IP: the routes stay valid.
        checks = (
            (
                "recover",
                "StatusCheckFailed_System",
                2,
                "the host failed: move the instance to healthy hardware",
            ),
            ("reboot", "StatusCheckFailed_Instance", 3, "the OS stopped answering: reboot the instance"),
        )
        for action, metric, periods, why in checks:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{action}",
                alarm_description=f"NAT instance {name}: {why}",
                namespace="AWS/EC2",
                metric_name=metric,
                dimensions={"InstanceId": instance.id},
                statistic="Maximum",
                period=60,
                evaluation_periods=periods,
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                alarm_actions=[
                    pulumi.Output.concat("arn:", partition, ":automate:", region, f":ec2:{action}")
                ],
                opts=child,
            )
