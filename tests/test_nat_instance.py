"""The NAT instance mode of the Network: instances, security group, recovery, routes, config errors."""

import json

import pytest

from components import ConfigError, validate_config
from components.network.nat_instance import nat_user_data
from components.network.network import Network
from components.network.network_args import NatStrategy, NatType, NetworkArgs
from offline.preview_json import to_preview_json
from tests.harness import PlanResult, dev_nat_gateway, effective_config, network, plan, run_components
from tests.policy_harness import check_plan

INSTANCE = "aws:ec2/instance:Instance"
ROUTE = "aws:ec2/route:Route"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SG = "aws:ec2/securityGroup:SecurityGroup"
SSM_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def run_nat(
    strategy: NatStrategy, az_count: int = 2, instance_type: str = "t4g.nano", ami: str | None = None
) -> PlanResult:
    args = NetworkArgs(
        nat_type=NatType.INSTANCE,
        nat_strategy=strategy,
        az_count=az_count,
        nat_instance_type=instance_type,
        nat_instance_ami=ami,
    )

    def build() -> None:
        Network("net", args)

    return run_components(build)


@pytest.fixture(scope="module")
def single() -> PlanResult:
    return run_nat(NatStrategy.SINGLE, az_count=3)


@pytest.fixture(scope="module")
def per_az() -> PlanResult:
    return run_nat(NatStrategy.ONE_PER_AZ, az_count=3)


def test_awsx_makes_no_nat_gateways_in_instance_mode(single: PlanResult, per_az: PlanResult) -> None:
    assert single.one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": "None"}
    assert per_az.one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": "None"}


def test_the_instance_is_a_hardened_graviton_nat(single: PlanResult) -> None:
    instance = single.one(INSTANCE, "net-nat-1").inputs
    user_data = instance.pop("userData")
    assert instance == {
        "ami": "ami-mock-al2023-ami-kernel-default-arm64",
        "instanceType": "t4g.nano",
        "subnetId": "subnet-mock-public-1",
        "vpcSecurityGroupIds": ["mock-net-nat-sg"],
        "associatePublicIpAddress": True,
        "sourceDestCheck": False,
        "iamInstanceProfile": "net-nat-profile-mock",
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 1,
        },
        "rootBlockDevice": {
            "encrypted": True,
            "volumeType": "gp3",
            "volumeSize": 8,
            "deleteOnTermination": True,
        },
        "maintenanceOptions": {"autoRecovery": "default"},
        "monitoring": True,
        "creditSpecification": {"cpuCredits": "standard"},
        "userDataReplaceOnChange": True,
        "tags": {"Name": "net-nat-1"},
        "volumeTags": {"Name": "net-nat-1"},
    }
    assert "keyName" not in instance
    assert user_data == nat_user_data("10.0.0.0/16")


def test_the_ami_is_the_al2023_arm64_public_parameter(single: PlanResult) -> None:
    [lookup] = [i for i in single.invokes if i.token == "aws:ssm/getParameter:getParameter"]
    assert lookup.args == {"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"}


def test_an_unpinned_instance_keeps_its_first_ami(single: PlanResult, per_az: PlanResult) -> None:
    # A newer image in the public parameter must not replace the NAT during a routine deploy.
    for result in (single, per_az):
        instances = result.by_type(INSTANCE)
        assert instances
        assert [i.ignore_changes for i in instances] == [["ami"]] * len(instances)


def test_a_pinned_ami_is_used_without_a_lookup_and_not_ignored() -> None:
    result = run_nat(NatStrategy.ONE_PER_AZ, ami="ami-0abcdef1234567890")
    instances = result.by_type(INSTANCE)
    assert [i.inputs["ami"] for i in instances] == ["ami-0abcdef1234567890"] * 2
    # Changing the pin is how the user asks for a new image, so the change must reach the diff.
    assert [i.ignore_changes for i in instances] == [[], []]
    assert [i for i in result.invokes if i.token == "aws:ssm/getParameter:getParameter"] == []


def test_the_stack_passes_network_nat_instance_ami() -> None:
    result = plan("dev", network=network(natType="instance", natInstanceAmi="ami-0123456789abcdef0"))
    [instance] = result.by_type(INSTANCE)
    assert instance.inputs["ami"] == "ami-0123456789abcdef0"


def test_user_data_forwards_and_masquerades_vpc_traffic_persistently() -> None:
    script = nat_user_data("10.0.0.0/16")
    lines = script.splitlines()
    assert lines[0] == "#!/bin/bash"
    assert 'echo "net.ipv4.ip_forward = 1" > /etc/sysctl.d/90-nat.conf' in lines
    assert 'iptables -t nat -A POSTROUTING -o "$iface" -s 10.0.0.0/16 -j MASQUERADE' in lines
    assert "iptables -A FORWARD -s 10.0.0.0/16 -j ACCEPT" in lines
    assert lines.index("iptables -A FORWARD -j DROP") > lines.index(
        "iptables -A FORWARD -s 10.0.0.0/16 -j ACCEPT"
    )
    # Rules and forwarding survive a reboot or a recovery.
    assert "systemctl enable --now iptables" in lines
    assert lines.index("iptables-save > /etc/sysconfig/iptables") > lines.index("iptables -A FORWARD -j DROP")
    assert "systemctl disable --now sshd" in lines


def test_the_security_group_admits_only_the_vpc_and_sends_anywhere(single: PlanResult) -> None:
    group = single.one(SG, "net-nat-sg").inputs
    assert group["vpcId"] == "vpc-mock-net-vpc"
    assert group["ingress"] == [
        {"description": "Traffic from the VPC to forward to the internet", "protocol": "-1", "fromPort": 0,
         "toPort": 0, "cidrBlocks": ["10.0.0.0/16"]},
    ]  # fmt: skip
    assert group["egress"] == [
        {"description": "Forwarded traffic, package installs and Session Manager to the internet",
         "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]},
    ]  # fmt: skip


def test_the_instance_profile_grants_session_manager_only(single: PlanResult) -> None:
    trust = json.loads(single.one("aws:iam/role:Role", "net-nat-role").inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    attachments = single.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert [(a.inputs["role"], a.inputs["policyArn"]) for a in attachments] == [
        ("net-nat-role-mock", SSM_POLICY)
    ]
    role = single.one("aws:iam/role:Role", "net-nat-role").inputs
    assert "inlinePolicies" not in role and "managedPolicyArns" not in role
    nat = single.one("webapp:index:NatInstances").urn
    assert [r.name for r in single.by_type("aws:iam/rolePolicy:RolePolicy") if r.parent == nat] == []
    profile = single.one("aws:iam/instanceProfile:InstanceProfile", "net-nat-profile")
    assert profile.inputs["role"] == "net-nat-role-mock"
    assert single.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").urn in profile.dependencies


def test_alarms_recover_a_failed_host_and_reboot_a_hung_os(single: PlanResult) -> None:
    alarms = {a.name: a.inputs for a in single.by_type(ALARM)}
    assert sorted(alarms) == ["net-nat-1-reboot", "net-nat-1-recover"]
    common = {"namespace": "AWS/EC2", "dimensions": {"InstanceId": "mock-net-nat-1"},
              "statistic": "Maximum", "period": 60, "comparisonOperator": "GreaterThanOrEqualToThreshold",
              "threshold": 1}  # fmt: skip
    recover, reboot = alarms["net-nat-1-recover"], alarms["net-nat-1-reboot"]
    assert {k: recover[k] for k in common} == common
    assert {k: reboot[k] for k in common} == common
    assert recover["metricName"] == "StatusCheckFailed_System"
    assert recover["alarmActions"] == ["arn:aws:automate:us-east-1:ec2:recover"]
    assert recover["evaluationPeriods"] == 2
    assert reboot["metricName"] == "StatusCheckFailed_Instance"
    assert reboot["alarmActions"] == ["arn:aws:automate:us-east-1:ec2:reboot"]
    assert reboot["evaluationPeriods"] == 3


def test_single_sends_every_private_subnet_to_the_one_instance(single: PlanResult) -> None:
    assert [r.name for r in single.by_type(INSTANCE)] == ["net-nat-1"]
    routes = sorted((r.inputs["routeTableId"], r.inputs["networkInterfaceId"]) for r in single.by_type(ROUTE))
    assert routes == [(f"rtb-mock-private-{i}", "eni-mock-net-nat-1") for i in (1, 2, 3)]
    assert {r.inputs["destinationCidrBlock"] for r in single.by_type(ROUTE)} == {"0.0.0.0/0"}
    lookups = [i.args for i in single.invokes if i.token == "aws:ec2/getRouteTable:getRouteTable"]
    assert sorted(a["subnetId"] for a in lookups) == [f"subnet-mock-private-{i}" for i in (1, 2, 3)]


def test_one_per_az_puts_an_instance_in_each_public_subnet_and_routes_per_az(per_az: PlanResult) -> None:
    instances = {r.name: r.inputs["subnetId"] for r in per_az.by_type(INSTANCE)}
    assert instances == {f"net-nat-{i}": f"subnet-mock-public-{i}" for i in (1, 2, 3)}
    routes = {
        r.name: (r.inputs["routeTableId"], r.inputs["networkInterfaceId"]) for r in per_az.by_type(ROUTE)
    }
    assert routes == {
        f"net-nat-private-{i}": (f"rtb-mock-private-{i}", f"eni-mock-net-nat-{i}") for i in (1, 2, 3)
    }
    assert len(per_az.by_type(ALARM)) == 6


def test_non_burstable_graviton_types_get_no_credit_specification() -> None:
    result = run_nat(NatStrategy.SINGLE, instance_type="c7g.medium")
    instance = result.one(INSTANCE, "net-nat-1").inputs
    assert instance["instanceType"] == "c7g.medium"
    assert "creditSpecification" not in instance


def test_everything_hangs_under_the_nat_component(single: PlanResult) -> None:
    nat = single.one("webapp:index:NatInstances", "net-nat")
    assert nat.parent == single.one("webapp:index:Network").urn
    children = sorted(r.name for r in single.resources if r.parent == nat.urn)
    assert children == sorted(
        ["net-nat-sg", "net-nat-role", "net-nat-ssm", "net-nat-profile", "net-nat-1", "net-nat-1-recover",
         "net-nat-1-reboot", "net-nat-private-1", "net-nat-private-2", "net-nat-private-3"]
    )  # fmt: skip


def test_network_outputs_are_the_same_in_every_mode() -> None:
    gateway = plan("dev", network=dev_nat_gateway())
    instance = plan("dev")  # the committed dev stack runs a NAT instance
    assert effective_config("dev")["network"]["natType"] == "instance"
    assert instance.outputs == gateway.outputs
    assert instance.one("webapp:index:NatInstances").name == "net-nat"
    assert gateway.by_type("webapp:index:NatInstances") == []


def test_nat_instance_ids_attribute() -> None:
    captured: dict[str, Network] = {}

    def build() -> None:
        captured["net"] = Network("net", NetworkArgs(nat_type=NatType.INSTANCE))

    run_components(build)
    assert captured["net"].nat_instances is not None
    ids = captured["net"].nat_instance_ids
    assert ids is captured["net"].nat_instances.instance_ids


def test_the_policy_pack_finds_nothing_new_in_instance_mode() -> None:
    def verdicts(network_config: dict[str, object]) -> set[tuple[str, str, str]]:
        report = check_plan(to_preview_json(plan("dev", network=network_config)), "dev")
        return {(v.enforcement, v.policy, v.urn.rsplit("::", 1)[-1]) for v in report.verdicts}

    for strategy in ("single", "onePerAz"):
        with_instances = verdicts(network(natType="instance", natStrategy=strategy))
        # A subset: the cost rules may find the cheaper NAT within a budget the gateway exceeds.
        assert with_instances <= verdicts(dev_nat_gateway())
        # Dev's flow log group gets the production-only log advisories in either mode.
        assert not [
            v
            for v in with_instances
            if v[2].startswith("net-") and not v[1].startswith("cloudwatch-log-group-")
        ]


# --- config errors ---------------------------------------------------------------------------------


def problems(**data: object) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(NetworkArgs, data, "webapp:network")
    return err.value.problems


def test_instance_needs_a_nat_strategy() -> None:
    assert problems(natType="instance", natStrategy="none") == [
        'webapp:network.natType = "instance": needs natStrategy "single" or "onePerAz" (with "none" there '
        'is no NAT to run on an instance); for no NAT at all, leave natType at "gateway"'
    ]


@pytest.mark.parametrize("instance_type", ["t3.nano", "t3a.micro", "m5.large", "t4g", "c7g.huge", "T4G.NANO"])
def test_instance_type_must_be_graviton(instance_type: str) -> None:
    assert problems(natType="instance", natInstanceType=instance_type) == [
        f'webapp:network.natInstanceType = "{instance_type}": must be a Graviton (arm64) instance type such '
        "as t4g.nano, t4g.micro, c7g.medium or m7g.large: the NAT instance boots the arm64 Amazon Linux "
        "2023 AMI"
    ]


@pytest.mark.parametrize("instance_type", ["t4g.nano", "t4g.small", "c7g.medium", "m7g.large", "c6gn.xlarge"])
def test_graviton_types_are_accepted(instance_type: str) -> None:
    args = validate_config(
        NetworkArgs, {"natType": "instance", "natInstanceType": instance_type}, "webapp:network"
    )
    assert args.nat_instance_type == instance_type


def test_instance_type_without_instance_mode_is_an_error() -> None:
    assert problems(natInstanceType="t4g.micro") == [
        'webapp:network.natInstanceType = "t4g.micro": is only used with natType "instance"; remove it or '
        'set natType to "instance"'
    ]


@pytest.mark.parametrize(
    "ami", ["ami-123", "ami-0ABCDEF1234567890", "ami-0abcdef12345678901", "0abcdef1234567890", "al2023"]
)
def test_nat_instance_ami_must_be_an_ami_id(ami: str) -> None:
    assert problems(natType="instance", natInstanceAmi=ami) == [
        f'webapp:network.natInstanceAmi = "{ami}": must be an AMI id such as "ami-0abcdef1234567890" '
        '("ami-" then 8 or 17 lowercase hex digits) of an arm64 Amazon Linux 2023 image'
    ]


@pytest.mark.parametrize("ami", ["ami-0abcdef1234567890", "ami-12345678"])
def test_ami_ids_are_accepted(ami: str) -> None:
    args = validate_config(NetworkArgs, {"natType": "instance", "natInstanceAmi": ami}, "webapp:network")
    assert args.nat_instance_ami == ami


def test_ami_without_instance_mode_is_an_error() -> None:
    assert problems(natInstanceAmi="ami-0abcdef1234567890") == [
        'webapp:network.natInstanceAmi = "ami-0abcdef1234567890": is only used with natType "instance"; '
        'remove it or set natType to "instance"'
    ]


def test_unknown_nat_type() -> None:
    assert problems(natType="instances") == [
        "webapp:network.natType = \"instances\": must be 'gateway' or 'instance'"
    ]


def test_defaults_keep_nat_gateways() -> None:
    args = NetworkArgs()
    assert (args.nat_type, args.nat_instance_type) == (NatType.GATEWAY, "t4g.nano")
