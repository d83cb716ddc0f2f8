"""Typed Pulumi components for a secure, cost-aware web application stack on AWS.

Each component takes a frozen pydantic args model (defaults = the cheap dev profile) and an
optional ``pulumi.ResourceOptions``; pass an explicit AWS provider through ``providers`` so that
default tags reach every resource, including awsx's children.

Example::

    from components import Network, NetworkArgs

    network = Network("net", NetworkArgs(az_count=3),
                      opts=pulumi.ResourceOptions(providers={"aws": provider}))
"""

from .config_errors import ConfigError, ConfigFieldError, validate_config
from .log_retention import CLOUDWATCH_RETENTION_DAYS, RetentionDays
from .network import Network
from .network_args import FlowLogsArgs, InterfaceEndpoint, NatStrategy, NetworkArgs, SubnetMasks
from .subnet_layout import SubnetLayout, plan_subnets

__all__ = [
    "CLOUDWATCH_RETENTION_DAYS",
    "ConfigError",
    "ConfigFieldError",
    "FlowLogsArgs",
    "InterfaceEndpoint",
    "NatStrategy",
    "Network",
    "NetworkArgs",
    "RetentionDays",
    "SubnetLayout",
    "SubnetMasks",
    "plan_subnets",
    "validate_config",
]
