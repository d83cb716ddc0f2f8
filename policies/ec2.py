"""EC2 / VPC rules: closed default security groups, flow logs, what the world may reach, data tier.

Covers EC2.2 (default security group closed, and adopted in every VPC), EC2.6 (a flow log per VPC),
EC2.13/EC2.14 (no SSH/RDP from the internet), EC2.15 (subnets do not hand out public IPs),
EC2.18 (the internet reaches TCP 80/443 only), EC2.19 (high-risk ports never open to the internet),
detailed monitoring of EC2 instances (no FSBP control; AWS Config's
ec2-instance-detailed-monitoring-enabled, Checkov CKV_AWS_126), and two of our own: data-tier
security groups admit other security groups only, and the ALB's group admits exactly what its
front door needs (CloudFront's VPC-origin group when internal, TCP 80/443 when internet-facing).

A VPC is either a plain ``aws:ec2/vpc:Vpc`` or an ``awsx:ec2:Vpc`` component whose children (the
real VPC, its subnets) only exist in a real preview; a flow log or default security group whose
``vpcId`` came from either counts for both.

Deliberately not covered: EC2.10 (an EC2 interface endpoint costs money and Fargate does not need
it), EC2.16/EC2.21 (the stack creates no network ACLs), EC2.172 (account-level VPC Block Public
Access conflicts with an internet-facing ALB), the instance/EBS/launch-template controls (the
services run on Fargate; the only instances, the optional NAT instances, have IMDSv2, no key pair and
encrypted root volumes by construction).
"""

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._framework import (
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    UnknownValueError,
    each,
    is_set,
    resource_rule,
    stack_rule,
)

VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
# Private address space (RFC 1918): a VPC's own CIDR lies inside it, the internet never does.
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
INSTANCE = "aws:ec2/instance:Instance"
DATA_TIER = (
    ("aws:rds/instance:Instance", "vpcSecurityGroupIds"),
    ("aws:rds/cluster:Cluster", "vpcSecurityGroupIds"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "securityGroupIds"),
)

WORLD = ("0.0.0.0/0", "::/0")
AUTHORIZED_WORLD_PORTS = frozenset({80, 443})
# EC2.19's list (AWS Security Hub, ec2-controls).
HIGH_RISK_PORTS = (20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000,
                   5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300)  # fmt: skip
ALL_PROTOCOLS = ("-1", "all")
PORTED_PROTOCOLS = ("tcp", "udp", "6", "17")


# --- ingress entries, whatever resource they come from ---------------------------------------------


@dataclass(frozen=True)
class Ingress:
    """One source admitted on a port range: ``where`` says which entry, for messages."""

    where: str
    protocol: str
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    security_groups: bool

    @property
    def all_ports(self) -> bool:
        return self.protocol in ALL_PROTOCOLS or self.protocol not in PORTED_PROTOCOLS

    @property
    def ports(self) -> str:
        if self.all_ports:
            return "all ports" if self.protocol in ALL_PROTOCOLS else f"protocol {self.protocol}"
        if self.from_port == self.to_port:
            return f"{self.protocol} port {self.from_port}"
        return f"{self.protocol} ports {self.from_port}-{self.to_port}"

    def covers(self, port: int) -> bool:
        return self.all_ports or self.from_port <= port <= self.to_port

    def world(self) -> list[str]:
        return [c for c in self.cidrs if _is_world(c)]

    @property
    def web_only(self) -> bool:
        """TCP on 80 and/or 443 and nothing else."""
        ports = set(range(self.from_port, self.to_port + 1))
        return self.protocol in ("tcp", "6") and not self.all_ports and ports <= AUTHORIZED_WORLD_PORTS


def _is_world(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return cidr in WORLD


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value)


def _port(value: Any, default: int) -> int:
    return default if value is None else int(value)


def _entry(
    where: str, protocol: Any, from_port: Any, to_port: Any, cidrs: tuple[str, ...], groups: bool
) -> Ingress:
    return Ingress(
        where, str(protocol or "-1").lower(), _port(from_port, 0), _port(to_port, 65535), cidrs, groups
    )


def ingress_entries(resource: Resource) -> list[Ingress]:
    """The ingress a security group, ingress rule or security group rule adds (empty for egress)."""
    props = resource.props
    if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        entries: list[Ingress] = []
        for i, rule in enumerate(props.get("ingress") or []):
            cidrs = _strings(rule.get("cidrBlocks")) + _strings(rule.get("ipv6CidrBlocks"))
            cidrs += _strings(rule.get("prefixListIds"))
            groups = bool(rule.get("securityGroups")) or rule.get("self") is True
            entries.append(
                _entry(
                    f"ingress[{i}]",
                    rule.get("protocol"),
                    rule.get("fromPort"),
                    rule.get("toPort"),
                    cidrs,
                    groups,
                )
            )
        return entries
    if resource.type == INGRESS_RULE:
        cidrs = (
            _strings(props.get("cidrIpv4"))
            + _strings(props.get("cidrIpv6"))
            + _strings(props.get("prefixListId"))
        )
        groups = is_set(props, "referencedSecurityGroupId")
        return [
            _entry("rule", props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"), cidrs, groups)
        ]
    if resource.type == SECURITY_GROUP_RULE and props.get("type") == "ingress":
        cidrs = _strings(props.get("cidrBlocks")) + _strings(props.get("ipv6CidrBlocks"))
        cidrs += _strings(props.get("prefixListIds"))
        groups = is_set(props, "sourceSecurityGroupId") or props.get("self") is True
        return [
            _entry("rule", props.get("protocol"), props.get("fromPort"), props.get("toPort"), cidrs, groups)
        ]
    return []


def _prefix(entry: Ingress) -> str:
    return "" if entry.where == "rule" else f"{entry.where}: "


INGRESS_TYPES = (SECURITY_GROUP, INGRESS_RULE, SECURITY_GROUP_RULE)


# --- resource rules --------------------------------------------------------------------------------


@resource_rule(
    "ec2-no-unrestricted-ingress",
    types=INGRESS_TYPES,
    controls=["EC2.18"],
    severity=Severity.HIGH,
    description="Ingress from 0.0.0.0/0 or ::/0 is allowed on TCP ports 80 and 443 only.",
)
def ec2_no_unrestricted_ingress(resource: Resource) -> Iterator[str]:
    for entry in ingress_entries(resource):
        world = entry.world()
        if world and not entry.web_only:
            yield (
                f"{_prefix(entry)}{entry.ports} is open to {' and '.join(world)}: admit the internet on "
                "TCP 80/443 only, and everything else from security groups or narrow CIDR ranges"
            )


@resource_rule(
    "ec2-no-world-high-risk-ports",
    types=INGRESS_TYPES,
    controls=["EC2.19"],
    severity=Severity.CRITICAL,
    description="No high-risk port (SSH, RDP, databases, admin consoles...) is open to 0.0.0.0/0 or ::/0.",
)
def ec2_no_world_high_risk_ports(resource: Resource) -> Iterator[str]:
    for entry in ingress_entries(resource):
        world = entry.world()
        risky = [p for p in HIGH_RISK_PORTS if entry.covers(p)]
        if world and risky:
            yield (
                f"{_prefix(entry)}{entry.ports} is open to {' and '.join(world)}, including high-risk ports "
                f"{', '.join(map(str, risky))}: admit only security groups or narrow CIDR ranges there"
            )


@resource_rule(
    "ec2-no-world-ssh-rdp",
    types=INGRESS_TYPES,
    controls=["EC2.13", "EC2.14"],
    severity=Severity.HIGH,
    description="SSH (22) and RDP (3389) are not open to 0.0.0.0/0 or ::/0.",
)
def ec2_no_world_ssh_rdp(resource: Resource) -> Iterator[str]:
    for entry in ingress_entries(resource):
        world = entry.world()
        for port, what in ((22, "SSH"), (3389, "RDP")):
            if world and entry.covers(port):
                yield (
                    f"{_prefix(entry)}{what} (port {port}) is open to {' and '.join(world)}: use ECS Exec or "
                    "Session Manager, or admit a bastion's security group"
                )


@resource_rule(
    "ec2-default-security-group-closed",
    types=[DEFAULT_SECURITY_GROUP],
    controls=["EC2.2"],
    severity=Severity.HIGH,
    description="The VPC's default security group has no ingress and no egress rules.",
)
def ec2_default_security_group_closed(group: Resource) -> Iterator[str]:
    for key in ("ingress", "egress"):
        rules = group.props.get(key) or []
        if rules:
            yield f"{key} has {len(rules)} rule(s): set {key}=[] so nothing can use the default group"


@resource_rule(
    "ec2-subnet-no-auto-public-ip",
    types=[SUBNET],
    controls=["EC2.15"],
    severity=Severity.MEDIUM,
    description="Subnets do not assign public IPv4 addresses to network interfaces on launch.",
)
def ec2_subnet_no_auto_public_ip(subnet: Resource) -> Iterator[str]:
    if subnet.props.get("mapPublicIpOnLaunch") is True:
        yield (
            "mapPublicIpOnLaunch is true: set it to false; the load balancer and NAT gateways get their "
            "public addresses explicitly"
        )


@resource_rule(
    "ec2-instance-detailed-monitoring",
    types=[INSTANCE],
    controls=["CKV_AWS_126"],
    severity=Severity.LOW,
    description="EC2 instances have detailed monitoring: CloudWatch metrics every minute.",
)
def ec2_instance_detailed_monitoring(instance: Resource) -> Iterator[str]:
    """An unknown ``monitoring`` raises, so the preview says the check waits for the update."""
    if instance.props.get("monitoring") is not True:
        yield (
            "monitoring is not true: set monitoring=True for 1-minute CloudWatch metrics (about $2.10 per "
            "instance-month), so a saturated instance shows before 5-minute averages smooth it away"
        )


# --- VPC-level stack rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vpc:
    """A VPC to report on, and every URN a resource's ``vpcId`` may depend on to mean this VPC."""

    resource: Resource
    urns: frozenset[str]


def _vpcs(stack: Stack) -> list[_Vpc]:
    components = {r.urn: r for r in stack.of_type(AWSX_VPC)}
    plain = stack.of_type(VPC)
    vpcs = [_Vpc(v, frozenset({v.urn} | ({v.parent} if v.parent in components else set()))) for v in plain]
    shown = {v.parent for v in plain}
    vpcs += [_Vpc(c, frozenset({c.urn})) for c in components.values() if c.urn not in shown]
    return vpcs


def _attached(stack: Stack, vpc: _Vpc, type_: str) -> list[Resource]:
    return [r for r in stack.of_type(type_) if vpc.urns & set(r.property_dependencies.get("vpcId", ()))]


@stack_rule(
    "ec2-vpc-flow-logs",
    controls=["EC2.6"],
    severity=Severity.MEDIUM,
    description="Every VPC has a flow log.",
)
def ec2_vpc_flow_logs(stack: Stack) -> Iterator[Finding]:
    for vpc in _vpcs(stack):
        if not _attached(stack, vpc, FLOW_LOG):
            yield Finding(vpc.resource, "no flow log: add an aws.ec2.FlowLog with vpc_id=this VPC's id")


@stack_rule(
    "ec2-vpc-default-security-group-adopted",
    controls=["EC2.2"],
    severity=Severity.HIGH,
    description="Every VPC's default security group is adopted (aws.ec2.DefaultSecurityGroup) and emptied.",
)
def ec2_vpc_default_security_group_adopted(stack: Stack) -> Iterator[Finding]:
    for vpc in _vpcs(stack):
        if not _attached(stack, vpc, DEFAULT_SECURITY_GROUP):
            yield Finding(
                vpc.resource,
                "the default security group is not managed: add an aws.ec2.DefaultSecurityGroup with "
                "vpc_id=this VPC's id and no ingress/egress, or AWS keeps its allow-all rules",
            )


# --- who may reach the data tier and the load balancer -------------------------------------------


def _group_ingress(stack: Stack, group: Resource) -> tuple[list[tuple[Resource, Ingress]], list[Finding]]:
    """Every ingress entry on ``group``: inline ones and those of rules attached to it; and a
    waiting finding for each of them not known until the update (the others keep their verdicts)."""
    found: list[tuple[Resource, Ingress]] = []
    waiting: list[Finding] = []
    for source in [group, *stack.referencing(group, "securityGroupId", INGRESS_RULE, SECURITY_GROUP_RULE)]:
        try:
            found += [(source, e) for e in ingress_entries(source)]
        except UnknownValueError as err:
            waiting.append(Finding.waiting(source, err))
    return found, waiting


def _groups_of(stack: Stack, resource: Resource, prop: str) -> list[Resource]:
    return [g for g in stack.referenced_by(resource, prop) if g.type == SECURITY_GROUP]


@stack_rule(
    "ec2-data-tier-ingress-from-security-groups-only",
    controls=["webapp"],
    severity=Severity.HIGH,
    description="Security groups of databases and caches admit other security groups, never CIDR ranges.",
)
def ec2_data_tier_ingress_from_security_groups_only(stack: Stack) -> Iterator[Finding]:
    groups: dict[str, Resource] = {}
    for type_, prop in DATA_TIER:
        for store in stack.of_type(type_):
            groups.update({g.urn: g for g in _groups_of(stack, store, prop)})
    for group in groups.values():
        entries, waiting = _group_ingress(stack, group)
        yield from waiting
        for source, entry in entries:
            if entry.cidrs:
                yield Finding(
                    source,
                    f"{_prefix(entry)}data-tier group {group.name} admits {', '.join(entry.cidrs)} on "
                    f"{entry.ports}: admit the connecting service's security group instead",
                )


def _from_vpc_origin(stack: Stack, source: Resource) -> bool:
    """Whether ``source`` admits a group looked up after a CloudFront VPC origin was created."""
    props = (
        ("ingress",)
        if source.type == SECURITY_GROUP
        else ("referencedSecurityGroupId", "sourceSecurityGroupId")
    )
    return any(r.type == VPC_ORIGIN for prop in props for r in stack.referenced_by(source, prop))


@stack_rule(
    "ec2-alb-ingress-matches-front-door",
    controls=["webapp"],
    severity=Severity.HIGH,
    description=(
        "An internal ALB's security group admits only CloudFront's VPC-origin group; an internet-facing "
        "ALB's admits only TCP 80 and 443; either may admit private addresses on a test listener's port."
    ),
)
def ec2_alb_ingress_matches_front_door(stack: Stack) -> Iterator[Finding]:
    return each(stack.of_type(*LOAD_BALANCERS), lambda lb: _front_door_ingress(stack, lb))


def _test_listener_ports(stack: Stack, lb: Resource) -> set[int]:
    """Ports of ``lb``'s listeners other than 80 and 443: the blue/green test listener's."""
    ports = set()
    for listener in stack.referencing(lb, "loadBalancerArn", *LISTENERS):
        port = listener.props.get("port")
        if isinstance(port, int | float) and int(port) not in (80, 443):
            ports.add(int(port))
    return ports


def _private_on_test_port(entry: Ingress, test_ports: set[int]) -> bool:
    # A deployment's test traffic comes from inside the VPC (a smoke test in CI, an operator on
    # Session Manager): private CIDRs on exactly a test listener's port, nothing else.
    if entry.security_groups or not entry.cidrs or entry.all_ports or entry.from_port != entry.to_port:
        return False
    networks = [ipaddress.ip_network(c, strict=False) for c in entry.cidrs]
    in_private = all(
        isinstance(n, ipaddress.IPv4Network) and any(n.subnet_of(r) for r in PRIVATE_RANGES) for n in networks
    )
    return in_private and entry.from_port in test_ports


def admits_private_test_traffic_only(stack: Stack, lb: Resource, rule: Resource) -> bool:
    """Whether an ingress ``rule`` on ``lb``'s group admits only private addresses on a test port."""
    entries = ingress_entries(rule)
    test_ports = _test_listener_ports(stack, lb)
    return bool(entries) and all(_private_on_test_port(e, test_ports) for e in entries)


def _front_door_ingress(stack: Stack, lb: Resource) -> Iterator[Finding]:
    if lb.props.get("loadBalancerType", "application") == "application":
        internal = lb.props.get("internal") is True
        test_ports = _test_listener_ports(stack, lb)
        for group in _groups_of(stack, lb, "securityGroups"):
            entries, waiting = _group_ingress(stack, group)
            yield from waiting
            for source, entry in entries:
                if _private_on_test_port(entry, test_ports):
                    continue
                if internal and (
                    entry.cidrs or not entry.security_groups or not _from_vpc_origin(stack, source)
                ):
                    what = ", ".join(entry.cidrs) or "another group"
                    yield Finding(
                        source,
                        f"{_prefix(entry)}the internal ALB's group admits {what} on {entry.ports}: admit "
                        "only CloudFront's VPC-origin security group",
                    )
                elif not internal and not entry.web_only:
                    yield Finding(
                        source,
                        f"{_prefix(entry)}the internet-facing ALB's group admits {entry.ports}: admit TCP 80 "
                        "and 443 only",
                    )


RULES: tuple[Rule, ...] = (
    ec2_default_security_group_closed,
    ec2_vpc_default_security_group_adopted,
    ec2_vpc_flow_logs,
    ec2_no_unrestricted_ingress,
    ec2_no_world_high_risk_ports,
    ec2_no_world_ssh_rdp,
    ec2_subnet_no_auto_public_ip,
    ec2_instance_detailed_monitoring,
    ec2_data_tier_ingress_from_security_groups_only,
    ec2_alb_ingress_matches_front_door,
)
