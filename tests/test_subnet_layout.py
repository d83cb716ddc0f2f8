"""Subnet CIDR planning: aligned, non-overlapping, stable when AZs are added."""

import ipaddress
import itertools

import pytest

from components.network.subnet_layout import SubnetLayoutError, plan_subnets

MASKS = {"public": 24, "private": 20, "isolated": 24}


def all_subnets(layout: object) -> list[ipaddress.IPv4Network]:
    return [ipaddress.IPv4Network(c) for tier in ("public", "private", "isolated") for c in layout.tier(tier)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("az_count", [2, 3, 4, 5, 6])
def test_subnets_fit_inside_the_vpc_and_never_overlap(az_count: int) -> None:
    layout = plan_subnets("10.0.0.0/16", az_count, MASKS)
    subnets = all_subnets(layout)
    assert len(subnets) == 3 * az_count
    vpc = ipaddress.IPv4Network("10.0.0.0/16")
    assert all(s.subnet_of(vpc) for s in subnets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(subnets, 2))


def test_adding_azs_keeps_existing_subnets_in_place() -> None:
    two = plan_subnets("10.0.0.0/16", 2, MASKS)
    four = plan_subnets("10.0.0.0/16", 4, MASKS)
    for tier in ("public", "private", "isolated"):
        assert four.tier(tier)[:2] == two.tier(tier)


def test_largest_tier_is_packed_first_so_every_subnet_is_aligned() -> None:
    layout = plan_subnets("10.0.0.0/16", 2, MASKS)
    assert layout.private == ("10.0.0.0/20", "10.0.64.0/20")
    assert layout.public == ("10.0.16.0/24", "10.0.80.0/24")
    assert layout.isolated == ("10.0.17.0/24", "10.0.81.0/24")
    assert layout.az_block_prefix == 18


def test_small_vpc_that_fits_exactly() -> None:
    layout = plan_subnets("10.0.0.0/24", 2, {"public": 28, "private": 27, "isolated": 28})
    assert layout.private == ("10.0.0.0/27", "10.0.0.64/27")
    assert layout.public == ("10.0.0.32/28", "10.0.0.96/28")


def test_too_small_raises_with_the_arithmetic() -> None:
    with pytest.raises(SubnetLayoutError, match=r"need 1536 addresses per AZ, .* a /22 \(1024 addresses\)"):
        plan_subnets("10.0.0.0/20", 2, {"public": 24, "private": 22, "isolated": 24})
