"""The ElastiCache rules: each on a compliant and a violating resource, then on the committed plans."""

from functools import cache
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies import elasticache
from policies._framework import Resource, Rule, Stack, UnknownValueError, stack_from
from policies.elasticache import CACHE_CLUSTER, CACHE_SUBNET_GROUP, REPLICATION_GROUP
from policies.rds import AWSX_VPC
from tests.harness import dev_celery_worker, dev_elasticache, plan
from tests.policy_harness import plan_stack, resource, stack


def messages(rule: Rule, type_: str, props: dict[str, Any]) -> list[str]:
    return rule.messages(resource(type_, props))


def findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    if rule.check_stack is None:
        return [(r.name, m) for r in target.resources for m in rule.messages(r)]
    return [(u.rsplit("::", 1)[-1], m) for u, m in rule.findings(target)]


@cache
def sidecar_stack() -> Stack:
    """Dev with the cache as a sidecar (no workers: a sidecar cannot serve them)."""
    result = plan("dev", workers={}, cache={"mode": "sidecar"})
    return stack_from(stack_resources(plan_states(to_preview_json(result))))


def test_automatic_backups() -> None:
    rule = elasticache.elasticache_automatic_backups
    assert messages(rule, REPLICATION_GROUP, {"snapshotRetentionLimit": 1.0}) == []
    assert messages(rule, CACHE_CLUSTER, {"engine": "memcached"}) == []
    assert messages(rule, CACHE_CLUSTER, {"replicationGroupId": "rg", "snapshotRetentionLimit": 0}) == []
    assert messages(rule, REPLICATION_GROUP, {"snapshotRetentionLimit": 0}) == [
        "snapshotRetentionLimit is 0: set it to 1 day or more "
        "(cache.snapshotRetentionDays) so the cache can be "
        "restored"
    ]
    assert messages(rule, CACHE_CLUSTER, {"engine": "redis"}) == [
        "snapshotRetentionLimit is not set: set it to 1 day or more "
        "(cache.snapshotRetentionDays) so the cache "
        "can be restored"
    ]


def test_auto_minor_version_upgrade() -> None:
    rule = elasticache.elasticache_auto_minor_version_upgrade
    assert messages(rule, REPLICATION_GROUP, {}) == []
    assert messages(rule, CACHE_CLUSTER, {"autoMinorVersionUpgrade": False}) == [
        "autoMinorVersionUpgrade is false: set it to true so security patches are applied"
    ]


def test_automatic_failover() -> None:
    rule = elasticache.elasticache_automatic_failover
    assert messages(rule, REPLICATION_GROUP, {"automaticFailoverEnabled": True}) == []
    assert messages(rule, REPLICATION_GROUP, {"automaticFailoverEnabled": False}) == [
        "automaticFailoverEnabled is false: set it to true with two or more nodes (cache.automaticFailover, "
        "cache.nodeCount) so a replica takes over"
    ]


def test_encrypted_at_rest() -> None:
    rule = elasticache.elasticache_encrypted_at_rest
    assert messages(rule, REPLICATION_GROUP, {"atRestEncryptionEnabled": True}) == []
    assert messages(rule, REPLICATION_GROUP, {}) == [
        "atRestEncryptionEnabled is not set: set it to true (with kmsKeyId) so data "
        "and snapshots are encrypted "
        "at rest"
    ]


def test_encrypted_in_transit() -> None:
    rule = elasticache.elasticache_encrypted_in_transit
    assert (
        messages(
            rule, REPLICATION_GROUP, {"transitEncryptionEnabled": True, "transitEncryptionMode": "required"}
        )
        == []
    )
    assert messages(rule, REPLICATION_GROUP, {"transitEncryptionEnabled": True}) == []
    assert messages(rule, REPLICATION_GROUP, {"transitEncryptionEnabled": False}) == [
        "transitEncryptionEnabled is false: set it to true so clients must connect with TLS"
    ]
    assert messages(
        rule, REPLICATION_GROUP, {"transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"}
    ) == [
        'transitEncryptionMode is "preferred", which still accepts plain '
        'connections: set it to "required" once '
        "clients use TLS"
    ]


def test_auth_token_or_user_group_and_unknown_token_counts_as_set() -> None:
    rule = elasticache.elasticache_auth
    assert messages(rule, REPLICATION_GROUP, {"authToken": UNKNOWN_STRING_VALUE}) == []
    assert messages(rule, REPLICATION_GROUP, {"userGroupIds": ["app-users"]}) == []
    assert messages(rule, REPLICATION_GROUP, {"userGroupIds": []}) == [
        "neither authToken nor userGroupIds is set: set an AUTH token (with transit "
        "encryption) or an RBAC user "
        "group so clients must authenticate"
    ]


def test_unknown_encryption_flag_raises_so_the_engine_reruns_the_rule_on_update() -> None:
    with pytest.raises(UnknownValueError):
        messages(
            elasticache.elasticache_encrypted_at_rest,
            REPLICATION_GROUP,
            {"atRestEncryptionEnabled": UNKNOWN_BOOLEAN_VALUE},
        )


def test_custom_subnet_group() -> None:
    rule = elasticache.elasticache_custom_subnet_group
    # An unknown name may still be "default": the rule waits for the update.
    with pytest.raises(UnknownValueError):
        messages(rule, REPLICATION_GROUP, {"subnetGroupName": UNKNOWN_STRING_VALUE})
    assert messages(rule, CACHE_CLUSTER, {"replicationGroupId": "rg"}) == []
    assert messages(rule, REPLICATION_GROUP, {"subnetGroupName": "default"}) == [
        'subnetGroupName is "default": create a subnet group on the VPC\'s isolated subnets'
    ]
    assert messages(rule, CACHE_CLUSTER, {}) == [
        "subnetGroupName is not set, so the default subnet group is used: create one on isolated subnets"
    ]


def _group(*sources: Resource) -> Resource:
    return resource(
        CACHE_SUBNET_GROUP,
        {"subnetIds": ["subnet-1"]},
        "cache-subnets",
        property_dependencies={"subnetIds": [s.urn for s in sources]},
    )


def test_private_subnets() -> None:
    rule = elasticache.elasticache_private_subnets
    vpc = resource(AWSX_VPC, {"subnetSpecs": [{"type": "Public"}, {"type": "Private"}]}, "net-vpc")
    group = _group(vpc)
    rg = resource(
        REPLICATION_GROUP,
        {"subnetGroupName": "g"},
        "rg",
        property_dependencies={"subnetGroupName": [group.urn]},
    )
    member = resource(CACHE_CLUSTER, {"replicationGroupId": "rg"}, "member")
    assert findings(rule, stack(vpc, group, rg, member)) == []

    public_vpc = resource(AWSX_VPC, {"subnetSpecs": [{"type": "Public"}]}, "net-vpc")
    outside = resource(CACHE_CLUSTER, {"subnetGroupName": "existing"}, "outside")
    assert findings(rule, stack(public_vpc, _group(public_vpc), outside)) == [
        (
            "outside",
            "subnetGroupName does not come from a SubnetGroup of this stack, so its subnets cannot be "
            "checked: create the subnet group on the network's isolated subnets",
        ),
        (
            "cache-subnets",
            "subnetIds come from net-vpc, which has only public subnets: add an Isolated subnet "
            "spec and use its isolatedSubnetIds",
        ),
    ]


@pytest.mark.parametrize("rule", elasticache.RULES, ids=lambda r: r.name)
def test_prod_passes(rule: Rule) -> None:
    assert plan_stack("prod").of_type(REPLICATION_GROUP)
    assert findings(rule, plan_stack("prod")) == []


@cache
def dev_elasticache_stack() -> Stack:
    """Dev with a one-node ElastiCache and 1 day of snapshots, as a dev celery worker needs."""
    result = plan("dev", cache=dev_elasticache(), workers=dev_celery_worker())
    return stack_from(stack_resources(plan_states(to_preview_json(result))))


@pytest.mark.parametrize("rule", elasticache.RULES, ids=lambda r: r.name)
def test_dev_has_no_elasticache_and_passes(rule: Rule) -> None:
    """The committed dev stack runs its cache as a sidecar."""
    dev = plan_stack("dev")
    assert dev.of_type(REPLICATION_GROUP, CACHE_CLUSTER, CACHE_SUBNET_GROUP) == []
    assert findings(rule, dev) == []


@pytest.mark.parametrize("rule", elasticache.RULES, ids=lambda r: r.name)
def test_dev_elasticache_fails_only_automatic_failover(rule: Rule) -> None:
    """A one-node dev ElastiCache (for a celery worker's shared broker) with 1 day of snapshots."""
    expected = {
        "elasticache-automatic-failover": [
            (
                "cache-rg",
                "automaticFailoverEnabled is false: set it to true with two or more nodes "
                "(cache.automaticFailover, cache.nodeCount) so a replica takes over",
            )
        ]
    }
    assert dev_elasticache_stack().of_type(REPLICATION_GROUP)
    assert findings(rule, dev_elasticache_stack()) == expected.get(rule.name, [])
    assert rule.production_only or rule.name not in expected


@pytest.mark.parametrize("rule", elasticache.RULES, ids=lambda r: r.name)
def test_sidecar_mode_has_no_elasticache_and_passes(rule: Rule) -> None:
    sidecar = sidecar_stack()
    assert sidecar.of_type(REPLICATION_GROUP, CACHE_CLUSTER, CACHE_SUBNET_GROUP) == []
    assert findings(rule, sidecar) == []
