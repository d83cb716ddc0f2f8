"""Config model for the Network component (stack config key ``<project>:network``)."""

import ipaddress
import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.log_retention import RetentionDays
from .subnet_layout import SubnetLayout, SubnetLayoutError, plan_subnets

_PRIVATE_RANGES = tuple(ipaddress.IPv4Network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


class NatStrategy(ConfigEnum):
    """How private subnets reach the internet (``NatType`` says what each NAT is)."""

    NONE = "none"
    """No NAT: pair it with interface endpoints so tasks can still pull images and ship logs."""
    SINGLE = "single"
    """One NAT for all AZs: cheapest, but an outage of its AZ cuts egress for every AZ."""
    ONE_PER_AZ = "onePerAz"
    """One NAT per AZ: highly available, one charge per AZ."""


class NatType(ConfigEnum):
    """What does the NAT (see ADR 0012)."""

    GATEWAY = "gateway"
    """A managed NAT gateway: ~$33/month each plus $0.045/GB processed."""
    INSTANCE = "instance"
    """A Graviton NAT instance: ~$3/month for a t4g.nano plus its public IPv4 address."""


# Graviton burstable and general/compute/memory types: the NAT instance boots the arm64 AMI.
_GRAVITON_TYPE = re.compile(r"^(t4g|[cmr][6-9]g[dn]?)\.(nano|micro|small|medium|large|\d*xlarge)$")
# EC2 image ids: the old 8-digit form and the current 17-digit one.
_AMI_ID = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")


class InterfaceEndpoint(ConfigEnum):
    """AWS services reachable through a PrivateLink interface endpoint (billed per AZ-hour)."""

    ECR_API = "ecr.api"
    """The ECR API (authentication and image manifests)."""
    ECR_DKR = "ecr.dkr"
    """The ECR registry endpoint Docker pulls from (layers come through the free S3 gateway)."""
    LOGS = "logs"
    """CloudWatch Logs, where the tasks' awslogs driver ships their output."""
    SECRETS_MANAGER = "secretsmanager"
    """Secrets Manager, which ECS reads the app's secrets from at task start."""
    SSM = "ssm"
    """Systems Manager, which ECS reads SSM-parameter secrets from at task start."""


# What a Fargate task in a private subnet needs when there is no NAT: pull the image
# (ECR API and registry, layers through the free S3 gateway endpoint) and ship its logs.
FARGATE_WITHOUT_NAT = (InterfaceEndpoint.ECR_API, InterfaceEndpoint.ECR_DKR, InterfaceEndpoint.LOGS)


class SubnetMasks(ConfigModel):
    """Prefix length of each tier's subnet in every AZ (``network.subnetMasks``).

    Example::

        SubnetMasks(public=24, private=20, isolated=24)
    """

    public: int = Field(default=24, ge=16, le=28)
    """Prefix length of each public subnet (load balancer, NAT)."""
    private: int = Field(default=20, ge=16, le=28)
    """Prefix length of each private subnet (the tasks, so the largest by default)."""
    isolated: int = Field(default=24, ge=16, le=28)
    """Prefix length of each isolated subnet (database and cache, no route to the internet)."""


class FlowLogsArgs(ConfigModel):
    """VPC flow logs to CloudWatch Logs (``network.flowLogs``); always on (control EC2.6).

    Example::

        FlowLogsArgs(retention_days=30, traffic_type="ALL")
    """

    retention_days: RetentionDays = 7
    """Days CloudWatch Logs keeps the flow log records."""
    traffic_type: Annotated[str, InSchema(enum=["ALL", "ACCEPT", "REJECT"])] = "ALL"
    """Which traffic is logged: all, only accepted or only rejected connections."""
    max_aggregation_interval: Annotated[int, InSchema(enum=[60, 600])] = 600
    """Seconds over which packets are aggregated into one record (60 or 600; 60 logs more)."""

    @field_validator("traffic_type")
    @classmethod
    def _traffic_type(cls, value: str) -> str:
        if value not in ("ALL", "ACCEPT", "REJECT"):
            raise ValueError('must be "ALL", "ACCEPT" or "REJECT"')
        return value

    @field_validator("max_aggregation_interval")
    @classmethod
    def _interval(cls, value: int) -> int:
        if value not in (60, 600):
            raise ValueError("must be 60 or 600 (seconds)")
        return value


class NetworkArgs(ConfigModel):
    """Everything the Network component needs; profiles fill more defaults.

    Dev: two AZs, one NAT gateway, no interface endpoints, flow logs kept 7 days.

    Example::

        NetworkArgs(az_count=3, nat_strategy=NatStrategy.ONE_PER_AZ,
                    flow_logs=FlowLogsArgs(retention_days=30))
        NetworkArgs(nat_type=NatType.INSTANCE, nat_instance_type="t4g.micro")
        NetworkArgs(nat_type=NatType.INSTANCE, nat_instance_ami="ami-0abcdef1234567890")
    """

    cidr_block: str = "10.0.0.0/16"
    """The VPC's IPv4 range: a private range from /16 to /24 (three tiers in two or more AZs need a /24)."""
    az_count: Annotated[int, InSchema(minimum=2, maximum=6)] = 2
    """Availability zones: RDS, ElastiCache and the ALB need two; no target region has more than 6."""
    subnet_masks: SubnetMasks = SubnetMasks()
    """Prefix length of each tier's subnets; they must fit in ``cidrBlock`` for every AZ."""
    nat_strategy: NatStrategy = NatStrategy.SINGLE
    """How many NATs give the private subnets internet egress."""
    nat_type: NatType = NatType.GATEWAY
    """Whether each NAT is a managed gateway or a cheaper Graviton instance."""
    nat_instance_type: Annotated[str, InSchema(pattern=_GRAVITON_TYPE.pattern)] = "t4g.nano"
    """A NAT instance's Graviton type (it boots the arm64 AL2023 AMI); natType instance only."""
    nat_instance_ami: Annotated[str, InSchema(pattern=_AMI_ID.pattern)] | None = None
    """An arm64 AL2023 AMI id for the NAT instance; null: the newest at its creation, then kept."""
    interface_endpoints: tuple[InterfaceEndpoint, ...] = ()
    """PrivateLink endpoints (billed per AZ-hour); natStrategy none needs ecr.api, ecr.dkr and logs."""
    flow_logs: FlowLogsArgs = FlowLogsArgs()
    """VPC flow logs to CloudWatch Logs, always on (control EC2.6)."""

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            raise ValueError("must be an IPv4 network in CIDR notation, such as 10.0.0.0/16") from None
        if not 16 <= network.prefixlen <= 24:
            raise ValueError(
                "must have a prefix length from /16 to /24 (AWS allows /16 to /28; "
                "three tiers in two or more AZs need at least a /24)"
            )
        if not any(network.subnet_of(r) for r in _PRIVATE_RANGES):
            raise ValueError("must lie in a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
        return str(network)

    @field_validator("az_count")
    @classmethod
    def _az_count(cls, value: int) -> int:
        if not 2 <= value <= 6:
            raise ValueError(
                "must be from 2 to 6: RDS and ElastiCache subnet groups and the load "
                "balancer need two AZs, and no region this stack targets has more than 6"
            )
        return value

    @field_validator("nat_instance_type")
    @classmethod
    def _graviton(cls, value: str) -> str:
        if not _GRAVITON_TYPE.match(value):
            raise ValueError(
                "must be a Graviton (arm64) instance type such as t4g.nano, t4g.micro, c7g.medium or "
                "m7g.large: the NAT instance boots the arm64 Amazon Linux 2023 AMI"
            )
        return value

    @field_validator("nat_instance_ami")
    @classmethod
    def _ami_id(cls, value: str | None) -> str | None:
        if value is not None and not _AMI_ID.match(value):
            raise ValueError(
                'must be an AMI id such as "ami-0abcdef1234567890" ("ami-" then 8 or 17 lowercase hex '
                "digits) of an arm64 Amazon Linux 2023 image"
            )
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _no_duplicates(cls, value: tuple[InterfaceEndpoint, ...]) -> tuple[InterfaceEndpoint, ...]:
        if len(set(value)) != len(value):
            raise ValueError("lists a service twice")
        return value

    @model_validator(mode="after")
    def _layout_fits(self) -> "NetworkArgs":
        try:
            self.subnet_layout()
        except SubnetLayoutError as err:
            raise ConfigFieldError(
                "subnetMasks", self.subnet_masks.model_dump(by_alias=True), f"do not fit: {err}"
            ) from None
        return self

    # Before _egress_without_nat, so "instance" with "none" gets this more specific line.
    @model_validator(mode="after")
    def _nat_instance_needs_a_strategy(self) -> "NetworkArgs":
        if self.nat_type is NatType.INSTANCE and self.nat_strategy is NatStrategy.NONE:
            raise ConfigFieldError(
                "natType",
                self.nat_type.value,
                'needs natStrategy "single" or "onePerAz" (with "none" there is no NAT to run on an '
                'instance); for no NAT at all, leave natType at "gateway"',
            )
        if self.nat_type is NatType.GATEWAY and "nat_instance_type" in self.model_fields_set:
            raise ConfigFieldError(
                "natInstanceType",
                self.nat_instance_type,
                'is only used with natType "instance"; remove it or set natType to "instance"',
            )
        if self.nat_type is NatType.GATEWAY and self.nat_instance_ami is not None:
            raise ConfigFieldError(
                "natInstanceAmi",
                self.nat_instance_ami,
                'is only used with natType "instance"; remove it or set natType to "instance"',
            )
        return self

    @model_validator(mode="after")
    def _egress_without_nat(self) -> "NetworkArgs":
        missing = [e.value for e in FARGATE_WITHOUT_NAT if e not in self.interface_endpoints]
        if self.nat_strategy is NatStrategy.NONE and missing:
            raise ConfigFieldError(
                "natStrategy",
                self.nat_strategy.value,
                "without NAT, tasks in private subnets cannot pull images or ship logs: add "
                f'{", ".join(missing)} to interfaceEndpoints, or choose "single"',
            )
        return self

    def subnet_layout(self) -> SubnetLayout:
        """The CIDR of every subnet, per tier and AZ."""
        masks = {
            "public": self.subnet_masks.public,
            "private": self.subnet_masks.private,
            "isolated": self.subnet_masks.isolated,
        }
        return plan_subnets(self.cidr_block, self.az_count, masks)
