"""Deterministic subnet CIDRs for the three tiers, computed before anything is registered.

awsx can derive a layout itself, but a derived layout shifts when the inputs change and then
replaces every subnet (pulumi/pulumi-awsx#1204). Computing it here lets config validation say
exactly why sizes do not fit, and lets the Network hand awsx explicit CIDR blocks.
"""

import ipaddress
import math
from dataclasses import dataclass

TIERS = ("public", "private", "isolated")


class SubnetLayoutError(ValueError):
    """The requested subnet sizes do not fit the VPC CIDR for the number of AZs."""


@dataclass(frozen=True)
class SubnetLayout:
    """CIDR blocks per tier, one per AZ in AZ order.

    Example::

        layout = plan_subnets("10.0.0.0/16", 2, {"public": 24, "private": 20, "isolated": 24})
        layout.private  # ("10.0.0.0/20", "10.0.64.0/20")
    """

    az_block_prefix: int
    public: tuple[str, ...]
    private: tuple[str, ...]
    isolated: tuple[str, ...]

    def tier(self, name: str) -> tuple[str, ...]:
        return {"public": self.public, "private": self.private, "isolated": self.isolated}[name]


def plan_subnets(vpc_cidr: str, az_count: int, masks: dict[str, int]) -> SubnetLayout:
    """Split ``vpc_cidr`` into equal per-AZ blocks, then pack the tiers into each block.

    The VPC is always cut into four AZ blocks (eight above four AZs), not into ``az_count``:
    growing from 2 to 3 or 4 AZs then adds subnets without moving, and so replacing, the
    existing ones. Tiers are packed largest first so that every subnet is aligned without
    gaps, and every AZ uses the same offsets.
    """
    vpc = ipaddress.IPv4Network(vpc_cidr)
    az_bits = max(2, math.ceil(math.log2(az_count)))
    az_prefix = vpc.prefixlen + az_bits
    if az_prefix > 28:
        raise SubnetLayoutError(f"{vpc_cidr} is too small to cut into {2**az_bits} AZ blocks")
    az_blocks = list(vpc.subnets(new_prefix=az_prefix))[:az_count]
    az_size = az_blocks[0].num_addresses

    for tier in TIERS:
        if masks[tier] < az_prefix:
            raise SubnetLayoutError(
                f"a /{masks[tier]} {tier} subnet is larger than the /{az_prefix} block each of "
                f"{az_count} AZs gets from {vpc_cidr} (the VPC is cut into {2**az_bits} AZ blocks)"
            )
    needed = sum(2 ** (32 - masks[tier]) for tier in TIERS)
    if needed > az_size:
        sizes = " + ".join(f"/{masks[t]} {t}" for t in TIERS)
        raise SubnetLayoutError(
            f"{sizes} need {needed} addresses per AZ, but {vpc_cidr} cut into {2**az_bits} AZ "
            f"blocks gives each AZ a /{az_prefix} ({az_size} addresses)"
        )

    by_tier: dict[str, list[str]] = {tier: [] for tier in TIERS}
    packing_order = sorted(TIERS, key=lambda tier: (masks[tier], TIERS.index(tier)))
    for block in az_blocks:
        offset = 0
        for tier in packing_order:
            size = 2 ** (32 - masks[tier])
            subnet = ipaddress.IPv4Network((int(block.network_address) + offset, masks[tier]))
            by_tier[tier].append(str(subnet))
            offset += size
    return SubnetLayout(
        az_block_prefix=az_prefix,
        public=tuple(by_tier["public"]),
        private=tuple(by_tier["private"]),
        isolated=tuple(by_tier["isolated"]),
    )
