"""Pulumi mocks that record every registration and answer with deterministic, obviously fake values.

Every invented value carries ``mock``: IDs look like ``mock-net-flow-logs``, ARNs like
``arn:aws:logs:us-east-1:123456789012:mock/net-flow-logs`` (123456789012 is AWS's documentation
account). Nothing here talks to AWS or to a Pulumi engine.
"""

from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from .mock_values import MOCK_ACCOUNT, RESOURCE_OUTPUTS, invoke_answer

STACK_TYPE = "pulumi:pulumi:Stack"

# The SDK's marker for a secret value inside deserialized properties.
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


@dataclass
class Registration:
    """One resource as the program registered it: inputs (engine camelCase names) and options."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    remote: bool
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    providers: dict[str, str] = field(default_factory=dict)
    transform_count: int = 0
    id: str = ""


@dataclass
class InvokeRecord:
    token: str
    args: dict[str, Any]
    provider: str


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps every registration in order and builds engine-style URNs.

    The stock MockMonitor puts only the immediate parent's type in a URN; the engine puts the
    whole chain (``webapp:index:Network$awsx:ec2:Vpc$aws:ec2/vpc:Vpc``), minus the Stack.
    """

    def __init__(self, mocks: "PlanMocks") -> None:
        super().__init__(mocks)
        mocks.monitor = self
        self.registrations: list[Registration] = []
        self.invokes: list[InvokeRecord] = []
        self._qualified_types: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        parent_chain = self._qualified_types.get(parent, "")
        qualified = f"{parent_chain}${type_}" if parent_chain else type_
        urn = "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), qualified, name])
        if type_ != STACK_TYPE:
            self._qualified_types[urn] = qualified
        return urn

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                remote=bool(request.remote),
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                aliases=[a.urn for a in request.aliases if a.urn] + list(request.aliasURNs),
                ignore_changes=list(request.ignoreChanges),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                delete_before_replace=bool(request.deleteBeforeReplace),
                providers=dict(request.providers),
                transform_count=len(request.transforms),
                id=getattr(response, "id", ""),
            )
        )
        return response

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.tok != "pulumi:pulumi:getResource":
            self.invokes.append(
                InvokeRecord(request.tok, rpc.deserialize_properties(request.args), request.provider)
            )
        return super().Invoke(request)


class PlanMocks(Mocks):
    """Answers resource registrations and invokes with deterministic mock values."""

    monitor: RecordingMonitor

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "awsx:ec2:Vpc":
            # awsx components are remote: never echo their inputs (names collide with outputs of
            # other types and fail deserialization); return only the outputs the program reads.
            return "", self._awsx_vpc(args)
        if args.typ == "awsx:ecr:Image":
            repository = (
                args.inputs.get("repositoryUrl") or f"{MOCK_ACCOUNT}.dkr.ecr.{self.region}.amazonaws.com/mock"
            )
            return "", {"imageUri": f"{repository}@sha256:{'0' * 60}mock"}
        if not args.custom:
            return "", {}
        if args.typ.startswith("pulumi:providers:"):
            return f"mock-provider-{args.name}", dict(args.inputs)
        resource_id = f"mock-{args.name}"
        service = args.typ.split(":")[1].split("/")[0]
        # pulumi-aws v7 resources may name their own region (CloudFront's log delivery does).
        region = args.inputs.get("region") or self.region
        state = {
            "id": resource_id,
            "arn": f"arn:aws:{service}:{region}:{MOCK_ACCOUNT}:mock/{args.name}",
            **args.inputs,
        }
        state.setdefault("name", f"{args.name}-mock")
        computed = RESOURCE_OUTPUTS.get(args.typ)
        if computed is not None:
            state.update(computed(args.name, dict(args.inputs), region))
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        # The SDK iterates the failures list whenever a tuple comes back, so never return None.
        return invoke_answer(args.token, dict(args.args), self.region), []

    def _awsx_vpc(self, args: MockResourceArgs) -> dict[str, Any]:
        azs = int(args.inputs.get("numberOfAvailabilityZones") or 3)
        tiers = ("Public", "Private", "Isolated")
        route_tables = [
            self._resource_ref(
                "aws:ec2/routeTable:RouteTable",
                f"{args.name}-{tier.lower()}-{i + 1}",
                f"rtb-mock-{tier.lower()}-{i + 1}",
                {"vpcId": f"vpc-mock-{args.name}", "tags": {"SubnetType": tier}},
            )
            for i in range(azs)
            for tier in tiers
        ]
        return {
            "vpcId": f"vpc-mock-{args.name}",
            "publicSubnetIds": [f"subnet-mock-public-{i + 1}" for i in range(azs)],
            "privateSubnetIds": [f"subnet-mock-private-{i + 1}" for i in range(azs)],
            "isolatedSubnetIds": [f"subnet-mock-isolated-{i + 1}" for i in range(azs)],
            "routeTables": route_tables,
        }

    def _resource_ref(self, typ: str, name: str, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        """Register a stand-in for an awsx child so resource-typed outputs can be hydrated."""
        urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{typ}::{name}"
        self.monitor.resources[urn] = MockMonitor.ResourceRegistration(urn, rid, {**state, "id": rid})
        return {_SIG_KEY: _RESOURCE_REF_SIG, "urn": urn, "id": rid, "packageVersion": ""}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG_KEY) == SECRET_SIG
