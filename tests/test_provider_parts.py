"""Network, Database and Cache on their own, through the plugin's Construct call.

Each is the Python program's component class itself (one resource, type ``webapp:index:<Name>``,
no wrapper), built from its config section's keys plus the hand-offs the program's wiring would
pass (docs/decisions/0020). Construct goes over gRPC to the plugin process; its registrations
land in the offline mocks (``tests/provider_host.py``).
"""

import re
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import json_format

from offline.mocks import Registration
from tests.provider_host import ROOT, PluginProcess, property_errors
from tests.test_provider_examples import object_problems

REGION = {"aws:region": "eu-west-1"}
NETWORK, DATABASE, CACHE, STATIC_SITE = (
    f"webapp:index:{name}" for name in ("Network", "Database", "Cache", "StaticSite")
)
BOUNDARY = "arn:aws:iam::123456789012:policy/shop-dev-workload-boundary"
ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/1"
# How the engine sends another resource's output: the value, and the resources it depends on.
_OUTPUT_SIG = {"4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4"}


@pytest.fixture(scope="module")
def plugin() -> Iterator[PluginProcess]:
    with PluginProcess() as process:
        yield process


def output_value(value: Any, depends_on: str) -> dict[str, Any]:
    return {**_OUTPUT_SIG, "value": value, "dependencies": [depends_on]}


def children(plugin: PluginProcess, urn: str) -> dict[tuple[str, str], Registration]:
    """What was registered under the component at ``urn``, at any depth, by (type, name)."""
    family, found = {urn}, dict[tuple[str, str], Registration]()
    for registration in plugin.monitor.registrations:  # parents register before their children
        if registration.parent in family:
            family.add(registration.urn)
            found[(registration.type, registration.name)] = registration
    return found


def construct_error(plugin: PluginProcess, type_: str, args: dict[str, Any]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct("bad", args, config=REGION, type_=type_)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    return caught.value


def test_network_is_the_programs_component_with_a_role_guard(plugin: PluginProcess) -> None:
    response = plugin.construct(
        "net",
        {"azCount": 3, "rolePath": "/shop/dev/", "permissionsBoundaryArn": BOUNDARY},
        config=REGION,
        type_=NETWORK,
    )
    # One resource of the components' own type, not a wrapper around it (Network$Network).
    assert response.urn == "urn:pulumi:dev::consumer::webapp:index:Network::net"
    mine = children(plugin, response.urn)
    assert mine[("awsx:ec2:Vpc", "net-vpc")].inputs["numberOfAvailabilityZones"] == 3
    # The dev profile's default, as in a stack file: a NAT instance, whose role is guarded too.
    roles = [r for (type_, _), r in mine.items() if type_ == "aws:iam/role:Role"]
    assert {r.name for r in roles} == {"net-flow-logs", "net-nat-role"}
    for role in roles:
        assert (role.inputs["path"], role.inputs["permissionsBoundary"]) == ("/shop/dev/", BOUNDARY)
    state = json_format.MessageToDict(response.state)
    assert state["vpcId"] == "vpc-mock-net-vpc"
    assert state["isolatedSubnetIds"] == [f"subnet-mock-isolated-{n}" for n in (1, 2, 3)]
    assert state["cidrBlock"] == "10.0.0.0/16"


def test_database_takes_a_networks_outputs_and_its_profile(plugin: PluginProcess) -> None:
    network = plugin.construct("dbnet", {}, config=REGION, type_=NETWORK)
    vpc = json_format.MessageToDict(network.state)
    response = plugin.construct(
        "orders",
        {
            "profile": "prod",
            "vpcId": output_value(vpc["vpcId"], network.urn),
            "subnetIds": output_value(vpc["isolatedSubnetIds"], network.urn),
        },
        config=REGION,
        type_=DATABASE,
    )
    assert response.urn == "urn:pulumi:dev::consumer::webapp:index:Database::orders"
    mine = children(plugin, response.urn)
    group = mine[("aws:ec2/securityGroup:SecurityGroup", "orders-sg")]
    assert group.inputs["vpcId"] == "vpc-mock-dbnet-vpc"
    assert group.property_dependencies["vpcId"] == [network.urn]  # waits for the Network
    subnets = mine[("aws:rds/subnetGroup:SubnetGroup", "orders-subnets")]
    assert subnets.inputs["subnetIds"] == ["subnet-mock-isolated-1", "subnet-mock-isolated-2"]
    # The prod profile: an RDS instance, Multi-AZ, deletion protection and Pulumi protect.
    instance = mine[("aws:rds/instance:Instance", "orders-instance")]
    assert instance.inputs["multiAz"] is True and instance.inputs["deletionProtection"] is True
    assert instance.protect is True and mine[("aws:kms/key:Key", "orders-key")].protect is True
    state = json_format.MessageToDict(response.state)
    assert state["engineMode"] == "instance" and state["port"] == 5432
    assert state["securityGroupId"] == "mock-orders-sg"
    assert state["masterSecretArn"].startswith("arn:aws:secretsmanager:eu-west-1:")


def test_database_defaults_to_dev_and_plain_ids_work(plugin: PluginProcess) -> None:
    response = plugin.construct(
        "devdb", {"vpcId": "vpc-1", "subnetIds": ["subnet-a", "subnet-b"]}, config=REGION, type_=DATABASE
    )
    mine = children(plugin, response.urn)
    cluster = mine[("aws:rds/cluster:Cluster", "devdb-cluster")]
    assert cluster.protect is False  # dev: Aurora Serverless v2 pausing at 0 ACU, unprotected
    assert cluster.inputs["serverlessv2ScalingConfiguration"]["minCapacity"] == 0
    assert mine[("aws:rds/subnetGroup:SubnetGroup", "devdb-subnets")].inputs["subnetIds"] == [
        "subnet-a",
        "subnet-b",
    ]


def test_cache_is_always_elasticache(plugin: PluginProcess) -> None:
    # With the dev profile and no workers a stack file's cache would be a sidecar; on its own it
    # is a replication group, and ``mode`` is no input at all.
    response = plugin.construct(
        "sessions",
        {"vpcId": "vpc-1", "subnetIds": ["subnet-a", "subnet-b"], "ephemeral": True, "nodeCount": 2},
        config=REGION,
        type_=CACHE,
    )
    assert response.urn == "urn:pulumi:dev::consumer::webapp:index:Cache::sessions"
    mine = children(plugin, response.urn)
    group = mine[("aws:elasticache/replicationGroup:ReplicationGroup", "sessions-rg")]
    assert group.inputs["numCacheClusters"] == 2 and group.inputs["transitEncryptionEnabled"] is True
    assert "finalSnapshotIdentifier" not in group.inputs  # ephemeral: nothing outlives the stack
    secret = mine[("aws:secretsmanager/secret:Secret", "sessions-auth")]
    assert secret.inputs["recoveryWindowInDays"] == 0
    state = json_format.MessageToDict(response.state)
    assert state["port"] == 6379 and state["securityGroupId"] == "mock-sessions-sg"
    assert state["authSecretArn"].startswith("arn:aws:secretsmanager:eu-west-1:")


def test_static_site_routes_the_api_to_a_given_internal_alb(plugin: PluginProcess) -> None:
    response = plugin.construct(
        "front",
        {
            "profile": "prod",
            "apiOrigin": {
                "loadBalancerArn": ALB_ARN,
                "loadBalancerDnsName": "internal-api-1.eu-west-1.elb.amazonaws.com",
                "loadBalancerSecurityGroupId": "sg-alb",
                "vpcId": "vpc-1",
            },
            "aliases": ["www.example.com", "example.com"],
            "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/site",
            "canonicalHost": "www.example.com",
        },
        config=REGION,
        type_=STATIC_SITE,
    )
    assert response.urn == "urn:pulumi:dev::consumer::webapp:index:StaticSite::front"
    mine = children(plugin, response.urn)
    origin = mine[("aws:cloudfront/vpcOrigin:VpcOrigin", "front-api")]
    assert origin.inputs["vpcOriginEndpointConfig"]["arn"] == ALB_ARN
    ingress = mine[("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "front-alb-from-cloudfront")]
    assert ingress.inputs["securityGroupId"] == "sg-alb"
    distribution = mine[("aws:cloudfront/distribution:Distribution", "front-cdn")]
    assert distribution.inputs["aliases"] == ["www.example.com", "example.com"]
    # The prod profile: a protected bucket and access logs.
    assert mine[("aws:s3/bucket:Bucket", "front-content")].protect is True
    assert ("aws:cloudwatch/logGroup:LogGroup", "front-access-logs") in mine
    assert json_format.MessageToDict(response.state)["url"] == "https://www.example.com"


def test_static_site_alone_serves_the_bucket_only(plugin: PluginProcess) -> None:
    response = plugin.construct("plain", {}, config=REGION, type_=STATIC_SITE)
    mine = children(plugin, response.urn)
    assert not [key for key in mine if key[0] == "aws:cloudfront/vpcOrigin:VpcOrigin"]
    assert mine[("aws:s3/bucket:Bucket", "plain-content")].protect is False  # dev
    assert json_format.MessageToDict(response.state)["url"] == "https://dmock-plain-cdn.cloudfront.net"


def test_static_site_hand_offs_are_checked_with_the_section(plugin: PluginProcess) -> None:
    err = construct_error(
        plugin,
        STATIC_SITE,
        {"aliases": ["a.example.com"], "canonicalHost": "b.example.com", "htmlTtlSeconds": 9999},
    )
    assert err.details() == "invalid StaticSite args (3 problems)"  # type: ignore[attr-defined]
    assert property_errors(err) == [
        (
            "aliases",
            'aliases = ["a.example.com"]: need certificateArn, an ACM certificate in us-east-1 covering '
            "them; CloudFront rejects aliases without one",
        ),
        (
            "canonicalHost",
            'canonicalHost = "b.example.com": must be one of the aliases ["a.example.com"]; otherwise '
            "every request is redirected to a host the site does not serve",
        ),
        (
            "htmlTtlSeconds",
            "htmlTtlSeconds = 9999: must be from 0 to 3600 seconds: HTML names the hashed assets, so a "
            "long TTL keeps serving an old release after a deploy",
        ),
    ]


def test_a_bad_key_is_one_line_naming_the_args_key(plugin: PluginProcess) -> None:
    err = construct_error(plugin, NETWORK, {"azCount": 1})
    assert err.details() == "invalid Network args (1 problem)"  # type: ignore[attr-defined]
    assert property_errors(err) == [
        (
            "azCount",
            "azCount = 1: must be from 2 to 6: RDS and ElastiCache subnet groups and the load "
            "balancer need two AZs, and no region this stack targets has more than 6",
        )
    ]
    assert not [r for r in plugin.monitor.registrations if r.name.startswith("bad")]


def test_hand_offs_are_checked_with_the_section(plugin: PluginProcess) -> None:
    err = construct_error(
        plugin,
        DATABASE,
        {
            "vpcId": "vpc-1",
            "subnetIds": ["subnet-a"],
            "ephemeral": True,
            "protect": True,
            "deletionProtection": True,
            "rolePath": "shop",
        },
    )
    assert err.details() == "invalid Database args (3 problems)"  # type: ignore[attr-defined]
    blocked = "blocks or delays `pulumi destroy`, and ephemeral is true: leave it out"
    assert property_errors(err) == [
        (
            "rolePath",
            'rolePath = "shop": must start and end with / (such as /shop/prod/), without spaces or //',
        ),
        ("protect", f"protect = true: {blocked}"),
        ("deletionProtection", f"deletionProtection = true: {blocked}"),
    ]


def test_enums_and_missing_hand_offs_are_refused_by_the_host(plugin: PluginProcess) -> None:
    err = construct_error(plugin, CACHE, {"vpcId": "vpc-1", "subnetIds": ["subnet-a"], "engine": "memcached"})
    assert property_errors(err) == [("engine", "engine = \"memcached\": must be 'valkey' or 'redis'")]
    err = construct_error(plugin, CACHE, {"subnetIds": ["subnet-a"]})
    assert property_errors(err) == [("vpcId", "Missing required input 'vpcId' on 'Cache'")]


def test_the_guides_yaml_snippet_fits_the_schema_and_constructs(plugin: PluginProcess) -> None:
    guide = (ROOT / "docs" / "guides" / "other-languages.md").read_text()
    [snippet] = [block for block in re.findall(r"```yaml\n(.*?)```", guide, re.S) if DATABASE in block]
    schema, states = plugin.schema(), {}
    for name, resource in yaml.safe_load(snippet)["resources"].items():
        if not resource["type"].startswith("webapp:"):
            continue
        part = schema["resources"][resource["type"]]
        properties = resource["properties"]
        literal = {k: v for k, v in properties.items() if not str(v).startswith("${")}
        assert object_problems(literal, {"properties": part["inputProperties"]}, schema, f"{name}.") == []
        assert set(part.get("requiredInputs", [])) <= set(properties)
        # ${net.vpcId}: what the engine would pass, here the Network's state from its Construct.
        resolved = {
            key: states[found[1]][found[2]]
            if (found := re.fullmatch(r"\$\{([\w-]+)\.(\w+)\}", str(value)))
            else value
            for key, value in properties.items()
        }
        response = plugin.construct(f"guide-{name}", resolved, config=REGION, type_=resource["type"])
        states[name] = json_format.MessageToDict(response.state)
    assert set(states) == {"net", "db"}
