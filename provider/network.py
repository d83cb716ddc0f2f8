"""``Network`` on its own: the stack's VPC for a program in any language (``webapp:index:Network``).

The same class as the Python program's (``components.Network``, one resource with the same type
token), constructed from schema args: the ``webapp:network`` keys at the top level, a profile,
and the logs key and role guard the program's wiring would hand it.

Example (Python; from other languages see docs/guides/other-languages.md)::

    net = Network("net", {"profile": "prod", "azCount": 3, "rolePath": "/shop/prod/"})
    pulumi.export("vpcId", net.vpc_id)
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
from collections.abc import Sequence

import pulumi

from components import Network as ProgramNetwork
from components import NetworkArgs

from .part_args import NetworkComponentArgs
from .part_settings import part_settings


class Network(ProgramNetwork):
    """A three-tier VPC: public subnets (load balancer, NAT), private ones (tasks) and isolated ones
    (database, cache) in each AZ, NAT per natStrategy and natType, flow logs to CloudWatch Logs, the
    default security group closed, the free S3 gateway endpoint and the interfaceEndpoints asked for.
    Nothing else may reach into it: Database and Cache take its vpcId and isolatedSubnetIds."""

    vpc_id: pulumi.Output[str]
    """The VPC's ID."""
    cidr_block: str
    """The VPC's IPv4 range."""
    public_subnet_ids: pulumi.Output[Sequence[str]]
    """The public subnets (load balancer, NAT), one per AZ."""
    private_subnet_ids: pulumi.Output[Sequence[str]]
    """The private subnets (tasks; egress through the NAT), one per AZ."""
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    """The isolated subnets (database, cache; no route to the internet), one per AZ."""
    flow_log_group_name: pulumi.Output[str]
    """The log group of the VPC's flow logs."""
    endpoint_security_group_id: pulumi.Output[str] | None
    """The security group of the interface endpoints, when interfaceEndpoints lists any."""
    nat_instance_ids: pulumi.Output[list[str]]
    """The NAT instances' IDs when natType is instance; empty with NAT gateways."""

    def __init__(
        self, name: str, args: NetworkComponentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        part = part_settings(args, NetworkArgs, "network")  # a ConfigError before anything is registered
        super().__init__(
            name, part.model, log_kms_key_arn=part.log_kms_key_arn, role_guard=part.role_guard, opts=opts
        )


# The docstring is the package schema's description: one paragraph, not source indentation.
Network.__doc__ = " ".join((Network.__doc__ or "").split())
