"""The Network component: what it registers, with which properties, per profile."""

import json

import pulumi
import pytest

from components.network.network import no_public_ip_on_launch
from tests.harness import PlanResult, dev_nat_gateway, effective_config, network, plan

VPC = "awsx:ec2:Vpc"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def test_vpc_has_three_tiers_with_the_computed_cidrs(dev: PlanResult) -> None:
    vpc = dev.one(VPC).inputs
    assert vpc["cidrBlock"] == "10.0.0.0/16"
    assert vpc["numberOfAvailabilityZones"] == 2
    assert vpc["subnetStrategy"] == "Auto"
    assert vpc["subnetSpecs"] == [
        {"type": "Public", "cidrBlocks": ["10.0.16.0/24", "10.0.80.0/24"]},
        {"type": "Private", "cidrBlocks": ["10.0.0.0/20", "10.0.64.0/20"]},
        {"type": "Isolated", "cidrBlocks": ["10.0.17.0/24", "10.0.81.0/24"]},
    ]
    assert vpc["enableDnsHostnames"] is True
    assert vpc["enableDnsSupport"] is True


def test_prod_spreads_two_azs_without_interface_endpoints(prod: PlanResult) -> None:
    vpc = prod.one(VPC).inputs
    assert vpc["numberOfAvailabilityZones"] == 2
    assert vpc["cidrBlock"] == "10.10.0.0/16"
    assert [len(spec["cidrBlocks"]) for spec in vpc["subnetSpecs"]] == [2, 2, 2]
    assert prod.outputs["privateSubnetIds"] == [f"subnet-mock-private-{i}" for i in (1, 2)]
    # Only the free S3 gateway endpoint: PrivateLink would cost more than the NAT data it saves.
    assert [r.name for r in prod.by_type(ENDPOINT)] == ["net-s3"]


@pytest.mark.parametrize(
    ("stack", "strategy", "instances"),
    [
        # Dev's single NAT is a t4g.nano instance: awsx makes no NAT gateway.
        ("dev", "None", ["net-nat-1"]),
        ("prod", "OnePerAz", []),
    ],
)
def test_nat_strategy_per_profile(
    stack: str, strategy: str, instances: list[str], dev: PlanResult, prod: PlanResult
) -> None:
    result = {"dev": dev, "prod": prod}[stack]
    assert result.one(VPC).inputs["natGateways"] == {"strategy": strategy}
    assert [r.name for r in result.by_type("aws:ec2/instance:Instance")] == instances


def test_dev_nat_instance_is_a_t4g_nano() -> None:
    dev = effective_config("dev")["network"]
    assert (dev["natStrategy"], dev["natType"], dev["natInstanceType"]) == (
        "single",
        "instance",
        "t4g.nano",
    )


def test_single_nat_gateway_is_passed_to_awsx() -> None:
    result = plan("dev", network=dev_nat_gateway())
    assert result.one(VPC).inputs["natGateways"] == {"strategy": "Single"}


def test_nat_none_with_endpoints_is_passed_to_awsx() -> None:
    endpoints = ["ecr.api", "ecr.dkr", "logs"]
    result = plan("dev", network=dev_nat_gateway(natStrategy="none", interfaceEndpoints=endpoints))
    assert result.one(VPC).inputs["natGateways"] == {"strategy": "None"}
    assert result.by_type("webapp:index:NatInstances") == []


def test_public_subnets_do_not_map_public_ips() -> None:
    awsx_subnet = pulumi.ResourceTransformArgs(
        custom=True, type_="aws:ec2/subnet:Subnet", name="net-vpc-public-1",
        props={"mapPublicIpOnLaunch": True, "cidrBlock": "10.0.16.0/24"}, opts=pulumi.ResourceOptions(),
    )  # fmt: skip
    changed = no_public_ip_on_launch(awsx_subnet)
    assert changed is not None
    assert changed.props == {"mapPublicIpOnLaunch": False, "cidrBlock": "10.0.16.0/24"}
    other = pulumi.ResourceTransformArgs(
        custom=True, type_="aws:ec2/routeTable:RouteTable", name="rt", props={"vpcId": "v"},
        opts=pulumi.ResourceOptions(),
    )  # fmt: skip
    assert no_public_ip_on_launch(other) is None


def test_the_transform_is_attached_to_the_awsx_vpc(dev: PlanResult) -> None:
    vpc = dev.one(VPC)
    assert vpc.remote is True
    assert vpc.transform_count == 1


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("prod", 365)])
def test_flow_logs_go_to_a_log_group_with_retention(stack: str, days: int) -> None:
    result = plan(stack)
    group = result.one("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
    assert group.inputs["retentionInDays"] == days
    assert group.inputs["name"] == f"/webapp/{stack}/net/vpc-flow-logs"
    flow_log = result.one("aws:ec2/flowLog:FlowLog").inputs
    assert flow_log["vpcId"] == "vpc-mock-net-vpc"
    assert flow_log["trafficType"] == "ALL"
    assert flow_log["logDestinationType"] == "cloud-watch-logs"
    assert (
        flow_log["logDestination"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{group.inputs['name']}"
    )
    assert flow_log["iamRoleArn"] == "arn:aws:iam::123456789012:role/net-flow-logs-mock"
    assert result.outputs["flowLogGroupName"] == f"/webapp/{stack}/net/vpc-flow-logs"


def test_flow_log_role_can_write_only_to_its_log_group(dev: PlanResult) -> None:
    trust = json.loads(dev.one("aws:iam/role:Role", "net-flow-logs").inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"},
    }
    policy = json.loads(dev.one("aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs["policy"])
    [grant] = policy["Statement"]
    group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/net/vpc-flow-logs"
    assert grant["Resource"] == [group_arn, f"{group_arn}:*"]
    assert all(action.startswith("logs:") and "*" not in action for action in grant["Action"])


def test_flow_log_waits_for_its_permissions(dev: PlanResult) -> None:
    flow_log = dev.one("aws:ec2/flowLog:FlowLog")
    policy = dev.one("aws:iam/rolePolicy:RolePolicy", "net-flow-logs")
    assert policy.urn in flow_log.dependencies


def test_default_security_group_is_adopted_with_no_rules(dev: PlanResult) -> None:
    default_sg = dev.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs
    assert default_sg["vpcId"] == "vpc-mock-net-vpc"
    assert default_sg["ingress"] == []
    assert default_sg["egress"] == []


def test_s3_gateway_endpoint_serves_private_and_isolated_route_tables_only(dev: PlanResult) -> None:
    s3 = dev.one(ENDPOINT, "net-s3").inputs
    assert s3["vpcEndpointType"] == "Gateway"
    assert s3["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert sorted(s3["routeTableIds"]) == [
        "rtb-mock-isolated-1", "rtb-mock-isolated-2", "rtb-mock-private-1", "rtb-mock-private-2",
    ]  # fmt: skip


def test_dev_has_no_interface_endpoints(dev: PlanResult) -> None:
    assert [r.name for r in dev.by_type(ENDPOINT)] == ["net-s3"]
    # The only network security group is the NAT instance's; no endpoint group.
    groups = [r.name for r in dev.by_type("aws:ec2/securityGroup:SecurityGroup") if r.name.startswith("net-")]
    assert groups == ["net-nat-sg"]


def test_interface_endpoints_are_private_and_https_only_from_the_vpc() -> None:
    endpoints = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]
    prod = plan("prod", network=network("prod", azCount=3, interfaceEndpoints=endpoints))
    interface = {r.name: r.inputs for r in prod.by_type(ENDPOINT) if r.name != "net-s3"}
    assert sorted(interface) == ["net-ecr-api", "net-ecr-dkr", "net-logs", "net-secretsmanager"]
    for endpoint in interface.values():
        assert endpoint["vpcEndpointType"] == "Interface"
        assert endpoint["privateDnsEnabled"] is True
        assert endpoint["subnetIds"] == [
            "subnet-mock-private-1",
            "subnet-mock-private-2",
            "subnet-mock-private-3",
        ]
        assert endpoint["securityGroupIds"] == ["mock-net-endpoints"]
    assert interface["net-ecr-dkr"]["serviceName"] == "com.amazonaws.us-east-1.ecr.dkr"
    group = prod.one("aws:ec2/securityGroup:SecurityGroup", "net-endpoints").inputs
    assert group["ingress"] == [
        {"description": "HTTPS from the VPC", "protocol": "tcp", "fromPort": 443, "toPort": 443,
         "cidrBlocks": ["10.10.0.0/16"]},
    ]  # fmt: skip
    assert group["egress"] == []


def test_region_follows_config() -> None:
    result = plan("dev", aws_region="eu-west-1")
    assert result.one("pulumi:providers:aws", "aws").inputs["region"] == "eu-west-1"
    assert result.one(ENDPOINT, "net-s3").inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"


def test_default_tags_reach_every_resource_through_the_provider(dev: PlanResult) -> None:
    provider = dev.one("pulumi:providers:aws", "aws")
    assert json.loads(provider.inputs["defaultTags"]) == {
        "tags": {"project": "webapp", "stack": "dev", "managed-by": "pulumi",
                 "environment": "dev", "cost-center": "engineering"},
    }  # fmt: skip
    provider_ref = f"{provider.urn}::{provider.id}"
    for resource in dev.resources:
        if resource.type.startswith("pulumi:providers:"):
            continue
        if resource.custom:
            assert resource.provider == provider_ref, resource.urn
        else:
            assert resource.providers == {"aws": provider_ref}, resource.urn


def test_every_invoke_uses_the_explicit_provider(dev: PlanResult) -> None:
    provider = dev.one("pulumi:providers:aws", "aws")
    assert dev.invokes, "the network reads region, account and partition"
    assert {i.provider for i in dev.invokes} == {f"{provider.urn}::{provider.id}"}


def test_children_are_parented_to_the_network(dev: PlanResult) -> None:
    component = dev.one("webapp:index:Network")
    assert component.urn == "urn:pulumi:dev::webapp::webapp:index:Network::net"
    children = {r.name for r in dev.resources if r.parent == component.urn}
    assert children == {"net-vpc", "net-default-sg", "net-flow-logs", "net-flow-log", "net-s3", "net-nat"}
    assert dev.one(VPC).urn == "urn:pulumi:dev::webapp::webapp:index:Network$awsx:ec2:Vpc::net-vpc"


def test_network_works_on_its_own_without_the_program() -> None:
    from components import NatStrategy, Network, NetworkArgs
    from tests.harness import run_components

    result = run_components(
        lambda: Network("edge", NetworkArgs(nat_strategy=NatStrategy.ONE_PER_AZ, az_count=3))
    )
    assert result.one(VPC, "edge-vpc").inputs["natGateways"] == {"strategy": "OnePerAz"}
    assert result.one("aws:ec2/flowLog:FlowLog", "edge-flow-log").inputs["trafficType"] == "ALL"


def test_gateway_mode_has_no_nat_instances_or_own_routes(prod: PlanResult) -> None:
    for type_ in ("webapp:index:NatInstances", "aws:ec2/instance:Instance", "aws:ec2/route:Route"):
        assert prod.by_type(type_) == [], type_
    assert not [i for i in prod.invokes if i.token == "aws:ec2/getRouteTable:getRouteTable"]
