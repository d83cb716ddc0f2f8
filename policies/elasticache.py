"""ElastiCache rules: Redis OSS / Valkey replication groups, standalone clusters and subnet groups.

Covers FSBP ElastiCache.1 (automatic backups), ElastiCache.2 (minor upgrades), ElastiCache.3
(automatic failover, production only), ElastiCache.4 (encryption at rest), ElastiCache.5 (in transit,
and not in the migration-only ``preferred`` mode), ElastiCache.6 (AUTH token or RBAC user group,
required here for every engine version, not only Redis < 6), ElastiCache.7 (not the default subnet
group), plus the seed checklist's "data stores only in private or isolated subnets" with the same
check and the same limit as ``rds-private-subnets`` (see policies/rds.py).

With ``cache.mode: sidecar`` the stack has no ElastiCache resources and every rule passes vacuously.
Memcached clusters are skipped by the backup and encryption rules: Memcached has no snapshots, and
ElastiCache.4-6 are replication-group controls. A cluster that joins a replication group
(``replicationGroupId``) takes these settings from the group and is skipped too.
"""

from collections.abc import Iterator

from ._framework import (
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    each,
    has_items,
    is_set,
    resource_rule,
    stack_rule,
)
from .rds import subnet_source_problems

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
CACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"


def _standalone(cache: Resource) -> bool:
    """A replication group, or a cluster outside one (members inherit the group's settings)."""
    return cache.type == REPLICATION_GROUP or not is_set(cache.props, "replicationGroupId")


def _memcached(cache: Resource) -> bool:
    return cache.type == CACHE_CLUSTER and cache.props.get("engine") == "memcached"


def _shown(cache: Resource, key: str) -> str:
    value = cache.props.get(key) if key in list(cache.props.keys()) else None
    if value is None or value == "":
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@resource_rule(
    "elasticache-automatic-backups",
    types=[REPLICATION_GROUP, CACHE_CLUSTER],
    controls=["ElastiCache.1"],
    severity=Severity.HIGH,
    description="Redis OSS and Valkey caches keep automatic snapshots (snapshotRetentionLimit > 0).",
)
def elasticache_automatic_backups(cache: Resource) -> Iterator[str]:
    if not _standalone(cache) or _memcached(cache):
        return
    limit = cache.props.get("snapshotRetentionLimit")
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit <= 0:
        yield (
            f"snapshotRetentionLimit is {_shown(cache, 'snapshotRetentionLimit')}: set it to 1 day or more "
            "(cache.snapshotRetentionDays) so the cache can be restored"
        )


@resource_rule(
    "elasticache-auto-minor-version-upgrade",
    types=[REPLICATION_GROUP, CACHE_CLUSTER],
    controls=["ElastiCache.2"],
    severity=Severity.HIGH,
    description="ElastiCache applies minor engine upgrades automatically.",
)
def elasticache_auto_minor_version_upgrade(cache: Resource) -> Iterator[str]:
    if _standalone(cache) and cache.props.get("autoMinorVersionUpgrade") is False:
        yield "autoMinorVersionUpgrade is false: set it to true so security patches are applied"


@resource_rule(
    "elasticache-automatic-failover",
    types=[REPLICATION_GROUP],
    controls=["ElastiCache.3"],
    severity=Severity.MEDIUM,
    description="Replication groups fail over to a replica automatically.",
    production_only=True,
)
def elasticache_automatic_failover(group: Resource) -> Iterator[str]:
    if group.props.get("automaticFailoverEnabled") is not True:
        yield (
            f"automaticFailoverEnabled is {_shown(group, 'automaticFailoverEnabled')}: set it to true with "
            "two or more nodes (cache.automaticFailover, cache.nodeCount) so a replica takes over"
        )


@resource_rule(
    "elasticache-encrypted-at-rest",
    types=[REPLICATION_GROUP],
    controls=["ElastiCache.4"],
    severity=Severity.MEDIUM,
    description="Replication groups encrypt their data and snapshots at rest.",
)
def elasticache_encrypted_at_rest(group: Resource) -> Iterator[str]:
    if group.props.get("atRestEncryptionEnabled") is not True:
        yield (
            f"atRestEncryptionEnabled is {_shown(group, 'atRestEncryptionEnabled')}: set it to true (with "
            "kmsKeyId) so data and snapshots are encrypted at rest"
        )


@resource_rule(
    "elasticache-encrypted-in-transit",
    types=[REPLICATION_GROUP],
    controls=["ElastiCache.5"],
    severity=Severity.MEDIUM,
    description="Replication groups require TLS for every connection.",
)
def elasticache_encrypted_in_transit(group: Resource) -> Iterator[str]:
    if group.props.get("transitEncryptionEnabled") is not True:
        yield (
            f"transitEncryptionEnabled is {_shown(group, 'transitEncryptionEnabled')}: set it to true so "
            "clients must connect with TLS"
        )
    elif group.props.get("transitEncryptionMode") == "preferred":
        yield (
            'transitEncryptionMode is "preferred", which still accepts plain connections: set it to '
            '"required" once clients use TLS'
        )


@resource_rule(
    "elasticache-auth",
    types=[REPLICATION_GROUP],
    controls=["ElastiCache.6"],
    severity=Severity.MEDIUM,
    description="Replication groups require a password: a Redis AUTH token or an RBAC user group.",
)
def elasticache_auth(group: Resource) -> Iterator[str]:
    # An unknown authToken is a generated password (set); an unknown list of groups may be empty.
    if not is_set(group.props, "authToken") and not has_items(group.props, "userGroupIds"):
        yield (
            "neither authToken nor userGroupIds is set: set an AUTH token (with transit encryption) or an "
            "RBAC user group so clients must authenticate"
        )


@resource_rule(
    "elasticache-custom-subnet-group",
    types=[REPLICATION_GROUP, CACHE_CLUSTER],
    controls=["ElastiCache.7"],
    severity=Severity.HIGH,
    description="ElastiCache uses a subnet group of its own, not the default one.",
)
def elasticache_custom_subnet_group(cache: Resource) -> Iterator[str]:
    if not _standalone(cache):
        return
    # Read, not is_set: an unknown name may still turn out to be "default".
    if not cache.props.get("subnetGroupName"):
        yield (
            "subnetGroupName is not set, so the default subnet group is used: create one on isolated subnets"
        )
    elif cache.props.get("subnetGroupName") == "default":
        yield 'subnetGroupName is "default": create a subnet group on the VPC\'s isolated subnets'


@stack_rule(
    "elasticache-private-subnets",
    controls=["seed checklist"],
    severity=Severity.HIGH,
    description="ElastiCache uses a subnet group of the stack made of private or isolated subnets.",
)
def elasticache_private_subnets(stack: Stack) -> Iterator[Finding]:
    for cache in stack.of_type(REPLICATION_GROUP, CACHE_CLUSTER):
        if not _standalone(cache):
            continue
        if not any(g.type == CACHE_SUBNET_GROUP for g in stack.referenced_by(cache, "subnetGroupName")):
            yield Finding(
                cache,
                "subnetGroupName does not come from a SubnetGroup of this stack, so its subnets cannot be "
                "checked: create the subnet group on the network's isolated subnets",
            )
    yield from each(
        stack.of_type(CACHE_SUBNET_GROUP),
        lambda group: (Finding(group, problem) for problem in subnet_source_problems(stack, group)),
    )


RULES: tuple[Rule, ...] = (
    elasticache_automatic_backups,
    elasticache_auto_minor_version_upgrade,
    elasticache_automatic_failover,
    elasticache_encrypted_at_rest,
    elasticache_encrypted_in_transit,
    elasticache_auth,
    elasticache_custom_subnet_group,
    elasticache_private_subnets,
)
