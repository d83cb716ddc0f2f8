"""EC2 / VPC policy rules over fixtures, the committed stacks and a direct-mode (public ALB) plan."""

from functools import cache

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies import ec2
from policies._framework import Rule, Stack, UnknownValueError, stack_from
from tests.harness import plan
from tests.policy_harness import plan_stack, resource, stack, urn

SG = ec2.SECURITY_GROUP
INGRESS = ec2.INGRESS_RULE
SG_RULE = ec2.SECURITY_GROUP_RULE
WORLD_22 = {
    "securityGroupId": "sg-1",
    "ipProtocol": "tcp",
    "fromPort": 22,
    "toPort": 22,
    "cidrIpv4": "0.0.0.0/0",
}


@cache
def direct_stack() -> Stack:
    front_door = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}
    return stack_from(stack_resources(plan_states(to_preview_json(plan("dev", loadBalancer=front_door)))))


# --- world-open ingress ------------------------------------------------------------------------------


def test_https_from_the_world_passes_every_ingress_rule() -> None:
    https = resource(INGRESS, {**WORLD_22, "fromPort": 443, "toPort": 443})
    web = resource(
        SG, {"ingress": [{"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"]}]}
    )
    for rule in (ec2.ec2_no_unrestricted_ingress, ec2.ec2_no_world_high_risk_ports, ec2.ec2_no_world_ssh_rdp):
        assert rule.messages(https) == []
        assert rule.messages(web) == []


def test_ssh_from_the_world_fails_all_three_ingress_rules() -> None:
    ssh = resource(INGRESS, WORLD_22)
    assert ec2.ec2_no_unrestricted_ingress.messages(ssh) == [
        "tcp port 22 is open to 0.0.0.0/0: admit the internet on TCP 80/443 only, and everything else from "
        "security groups or narrow CIDR ranges"
    ]
    assert ec2.ec2_no_world_high_risk_ports.messages(ssh) == [
        "tcp port 22 is open to 0.0.0.0/0, including high-risk ports 22: admit only security groups or "
        "narrow CIDR ranges there"
    ]
    assert ec2.ec2_no_world_ssh_rdp.messages(ssh) == [
        "SSH (port 22) is open to 0.0.0.0/0: use ECS Exec or Session Manager, or admit a bastion's security "
        "group"
    ]


def test_all_traffic_from_ipv6_world_in_an_inline_rule() -> None:
    group = resource(SG, {"ingress": [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-2"]},
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]},
    ]})  # fmt: skip
    assert ec2.ec2_no_unrestricted_ingress.messages(group) == [
        "ingress[1]: all ports is open to ::/0: admit the internet on TCP 80/443 only, and everything else "
        "from security groups or narrow CIDR ranges"
    ]
    assert ec2.ec2_no_world_ssh_rdp.messages(group) == [
        "ingress[1]: SSH (port 22) is open to ::/0: use ECS Exec or Session Manager, or admit a bastion's "
        "security group",
        "ingress[1]: RDP (port 3389) is open to ::/0: use ECS Exec or Session Manager, or admit a bastion's "
        "security group",
    ]


def test_security_group_rule_ranges_and_type() -> None:
    postgres = {
        "type": "ingress",
        "protocol": "tcp",
        "fromPort": 5000,
        "toPort": 5500,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    assert ec2.ec2_no_world_high_risk_ports.messages(resource(SG_RULE, postgres)) == [
        "tcp ports 5000-5500 is open to 0.0.0.0/0, including high-risk ports 5000, 5432, 5500: admit only "
        "security groups or narrow CIDR ranges there"
    ]
    assert ec2.ec2_no_world_high_risk_ports.messages(resource(SG_RULE, {**postgres, "type": "egress"})) == []
    narrow = {**postgres, "cidrBlocks": ["10.0.0.0/16"]}
    assert ec2.ec2_no_unrestricted_ingress.messages(resource(SG_RULE, narrow)) == []


def test_an_unknown_cidr_waits_for_the_update() -> None:
    rule = resource(INGRESS, {**WORLD_22, "cidrIpv4": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        ec2.ec2_no_unrestricted_ingress.messages(rule)


# --- default security group, subnets ----------------------------------------------------------------


def test_default_security_group_must_be_empty() -> None:
    closed = resource(ec2.DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1", "ingress": [], "egress": []})
    assert ec2.ec2_default_security_group_closed.messages(closed) == []
    open_ = resource(ec2.DEFAULT_SECURITY_GROUP, {
        "vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}],
        "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
    })  # fmt: skip
    assert ec2.ec2_default_security_group_closed.messages(open_) == [
        "ingress has 1 rule(s): set ingress=[] so nothing can use the default group",
        "egress has 1 rule(s): set egress=[] so nothing can use the default group",
    ]


def test_subnets_do_not_map_public_ips() -> None:
    assert (
        ec2.ec2_subnet_no_auto_public_ip.messages(resource(ec2.SUBNET, {"mapPublicIpOnLaunch": False})) == []
    )
    assert ec2.ec2_subnet_no_auto_public_ip.messages(resource(ec2.SUBNET, {"mapPublicIpOnLaunch": True})) == [
        "mapPublicIpOnLaunch is true: set it to false; the load balancer and NAT gateways get their public "
        "addresses explicitly"
    ]


MONITORING_ADVICE = (
    "monitoring is not true: set monitoring=True for 1-minute CloudWatch metrics (about $2.10 per "
    "instance-month), so a saturated instance shows before 5-minute averages smooth it away"
)


@pytest.mark.parametrize("props", [{}, {"monitoring": False}], ids=["unset", "false"])
def test_an_instance_without_detailed_monitoring_fails(props: dict[str, object]) -> None:
    instance = resource(ec2.INSTANCE, {"instanceType": "t4g.nano", **props})
    assert ec2.ec2_instance_detailed_monitoring.messages(instance) == [MONITORING_ADVICE]


def test_an_instance_with_detailed_monitoring_passes() -> None:
    instance = resource(ec2.INSTANCE, {"instanceType": "t4g.nano", "monitoring": True})
    assert ec2.ec2_instance_detailed_monitoring.messages(instance) == []


def test_unknown_monitoring_waits_for_the_update() -> None:
    instance = resource(ec2.INSTANCE, {"monitoring": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        ec2.ec2_instance_detailed_monitoring.messages(instance)


def test_the_dev_nat_instance_is_checked_and_passes() -> None:
    [nat] = plan_stack("dev").of_type(ec2.INSTANCE)
    assert nat.props["monitoring"] is True
    assert ec2.ec2_instance_detailed_monitoring.messages(nat) == []


# --- VPC stack rules --------------------------------------------------------------------------------


def test_flow_log_and_default_group_on_a_plain_vpc() -> None:
    vpc = resource(ec2.VPC, {"cidrBlock": "10.0.0.0/16"}, "vpc")
    log = resource(ec2.FLOW_LOG, {"trafficType": "ALL"}, "log", property_dependencies={"vpcId": [vpc.urn]})
    default = resource(ec2.DEFAULT_SECURITY_GROUP, {}, "dsg", property_dependencies={"vpcId": [vpc.urn]})
    assert ec2.ec2_vpc_flow_logs.messages(stack(vpc, log)) == []
    assert ec2.ec2_vpc_default_security_group_adopted.messages(stack(vpc, default)) == []
    assert ec2.ec2_vpc_flow_logs.findings(stack(vpc, default)) == [
        (vpc.urn, "no flow log: add an aws.ec2.FlowLog with vpc_id=this VPC's id")
    ]
    assert ec2.ec2_vpc_default_security_group_adopted.messages(stack(vpc, log)) == [
        "the default security group is not managed: add an aws.ec2.DefaultSecurityGroup with vpc_id=this "
        "VPC's id and no ingress/egress, or AWS keeps its allow-all rules"
    ]


def test_awsx_vpc_with_its_real_vpc_visible_counts_once() -> None:
    component = resource(ec2.AWSX_VPC, {}, "net-vpc")
    child = resource(ec2.VPC, {}, "net-vpc", parent=component.urn)
    log = resource(ec2.FLOW_LOG, {}, "log", property_dependencies={"vpcId": [component.urn]})
    assert ec2.ec2_vpc_flow_logs.findings(stack(component, child, log)) == []
    assert ec2.ec2_vpc_flow_logs.findings(stack(component, child)) == [
        (child.urn, "no flow log: add an aws.ec2.FlowLog with vpc_id=this VPC's id")
    ]
    assert ec2.ec2_vpc_flow_logs.findings(stack(component)) == [
        (component.urn, "no flow log: add an aws.ec2.FlowLog with vpc_id=this VPC's id")
    ]


# --- data tier and ALB --------------------------------------------------------------------------------


def _data_tier(*rules_props: dict) -> tuple[Stack, list[str]]:
    group = resource(SG, {"description": "db"}, "db-sg")
    db = resource(
        "aws:rds/instance:Instance", {}, "db", property_dependencies={"vpcSecurityGroupIds": [group.urn]}
    )
    rules = [
        resource(INGRESS, props, f"in-{i}", property_dependencies={"securityGroupId": [group.urn]})
        for i, props in enumerate(rules_props)
    ]
    return stack(group, db, *rules), [r.urn for r in rules]


def test_data_tier_admits_security_groups_only() -> None:
    from_app = {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "referencedSecurityGroupId": "sg-app"}
    from_vpc = {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.0.0.0/16"}
    ok, _ = _data_tier(from_app)
    assert ec2.ec2_data_tier_ingress_from_security_groups_only.findings(ok) == []
    bad, urns = _data_tier(from_app, from_vpc)
    assert ec2.ec2_data_tier_ingress_from_security_groups_only.findings(bad) == [
        (urns[1], "data-tier group db-sg admits 10.0.0.0/16 on tcp port 5432: admit the connecting service's "
                  "security group instead")
    ]  # fmt: skip


def _alb(internal: bool, *rules: tuple[dict, list[str]]) -> tuple[Stack, list[str]]:
    group = resource(SG, {}, "alb-sg")
    lb = resource(ec2.LOAD_BALANCERS[0], {"internal": internal, "loadBalancerType": "application"}, "alb",
                  property_dependencies={"securityGroups": [group.urn]})  # fmt: skip
    ingress = [
        resource(INGRESS, props, f"in-{i}",
                 property_dependencies={"securityGroupId": [group.urn], "referencedSecurityGroupId": deps})
        for i, (props, deps) in enumerate(rules)
    ]  # fmt: skip
    return stack(group, lb, *ingress), [r.urn for r in ingress]


VPC_ORIGIN_URN = urn(ec2.VPC_ORIGIN, "site-api")
FROM_CDN = {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "referencedSecurityGroupId": "sg-cloudfront"}


def test_internal_alb_admits_only_the_cloudfront_vpc_origin_group() -> None:
    origin = resource(ec2.VPC_ORIGIN, {}, "site-api")
    ok, _ = _alb(True, (FROM_CDN, [VPC_ORIGIN_URN]))
    assert ec2.ec2_alb_ingress_matches_front_door.findings(Stack((*ok.resources, origin))) == []
    other = {**FROM_CDN, "referencedSecurityGroupId": "sg-other"}
    world = {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv4": "0.0.0.0/0"}
    bad, urns = _alb(True, (FROM_CDN, [VPC_ORIGIN_URN]), (other, []), (world, []))
    assert ec2.ec2_alb_ingress_matches_front_door.findings(Stack((*bad.resources, origin))) == [
        (urns[1], "the internal ALB's group admits another group on tcp port 80: admit only CloudFront's "
                  "VPC-origin security group"),
        (urns[2], "the internal ALB's group admits 0.0.0.0/0 on tcp port 80: admit only CloudFront's "
                  "VPC-origin security group"),
    ]  # fmt: skip


def test_internet_facing_alb_admits_only_web_ports() -> None:
    https = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}
    admin = {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrIpv4": "10.0.0.0/8"}
    ok, _ = _alb(False, (https, []))
    assert ec2.ec2_alb_ingress_matches_front_door.findings(ok) == []
    bad, urns = _alb(False, (https, []), (admin, []))
    assert ec2.ec2_alb_ingress_matches_front_door.findings(bad) == [
        (urns[1], "the internet-facing ALB's group admits tcp port 8080: admit TCP 80 and 443 only")
    ]


def test_a_stack_rule_keeps_its_verdicts_when_one_rule_is_unknown() -> None:
    unknown = {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": UNKNOWN_STRING_VALUE}
    from_vpc = {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.0.0.0/16"}
    bad, urns = _data_tier(unknown, from_vpc)
    rule = ec2.ec2_data_tier_ingress_from_security_groups_only
    # The known rule's violation stands; the unknown one waits for the update, it does not pass.
    verdicts = [(kind, urn) for kind, urn, _ in rule.verdicts(bad)]
    assert verdicts == [("unknown", urns[0]), ("violation", urns[1])]
    with pytest.raises(UnknownValueError):
        rule.findings(bad)


# --- the committed stacks -------------------------------------------------------------------------------


def _stack_messages(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    if rule.check_stack is not None:
        return rule.findings(target)
    return [f for r in target.of_type(*rule.resource_types) for f in rule.findings(r)]


@pytest.mark.parametrize("rule", ec2.RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    assert _stack_messages(rule, plan_stack(stack_name)) == []


@pytest.mark.parametrize("rule", ec2.RULES, ids=lambda r: r.name)
def test_direct_mode_plan_passes(rule: Rule) -> None:
    assert _stack_messages(rule, direct_stack()) == []


def test_the_committed_plans_exercise_the_joins() -> None:
    dev = plan_stack("dev")
    [alb] = dev.of_type(*ec2.LOAD_BALANCERS)
    [alb_group] = ec2._groups_of(dev, alb, "securityGroups")
    assert [s.name for s, _ in ec2._group_ingress(dev, alb_group)[0]] == ["site-alb-from-cloudfront"]
    direct = direct_stack()
    [public_alb] = direct.of_type(*ec2.LOAD_BALANCERS)
    [public_group] = ec2._groups_of(direct, public_alb, "securityGroups")
    assert sorted(s.name for s, _ in ec2._group_ingress(direct, public_group)[0]) == [
        "api-alb-443",
        "api-alb-80",
    ]
    [vpc] = ec2._vpcs(dev)
    assert [r.name for r in ec2._attached(dev, vpc, ec2.FLOW_LOG)] == ["net-flow-log"]
