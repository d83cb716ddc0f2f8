"""The RDS rules: each on a compliant and a violating resource, then on the committed and Aurora plans."""

import json
from functools import cache
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies import rds
from policies._framework import Resource, Rule, Stack, UnknownValueError, stack_from
from policies.rds import (
    AWSX_VPC,
    EC2_SUBNET,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    RDS_SUBNET_GROUP,
)
from tests.harness import dev_rds_instance, plan, stack_config
from tests.policy_harness import plan_stack, resource, stack

FORCE_SSL = [{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}]
INSTANCE_ONLY = (
    "instanceClass",
    "allocatedStorage",
    "maxAllocatedStorage",
    "multiAz",
    "secondsUntilAutoPause",
)


def messages(rule: Rule, type_: str, props: dict[str, Any]) -> list[str]:
    return rule.messages(resource(type_, props))


def findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    """``(logical name, message)`` of a stack rule."""
    return [(u.rsplit("::", 1)[-1], m) for u, m in rule.findings(target)]


def resource_findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    return [(r.name, m) for r in target.resources for m in rule.messages(r)]


@cache
def aurora_stack(stack_name: str, read_replicas: int) -> Stack:
    """The committed stack with its database switched to Aurora Serverless v2 (as tests/test_database.py)."""
    database = {
        k: v
        for k, v in json.loads(stack_config(stack_name).get("webapp:database", "{}")).items()
        if k not in INSTANCE_ONLY
    }
    database |= {
        "engineMode": "aurora-serverless-v2",
        "minCapacity": 0.5,
        "maxCapacity": 4,
        "readReplicas": read_replicas,
    }
    return stack_from(stack_resources(plan_states(to_preview_json(plan(stack_name, database=database)))))


# --- resource rules ---------------------------------------------------------------------------------


def test_publicly_accessible() -> None:
    rule = rds.rds_publicly_accessible
    assert messages(rule, RDS_INSTANCE, {"publiclyAccessible": False}) == []
    assert messages(rule, RDS_INSTANCE, {}) == []
    assert messages(rule, RDS_CLUSTER_INSTANCE, {"publiclyAccessible": True}) == [
        "publiclyAccessible is true: set it to false so the database has no public address"
    ]


def test_storage_encrypted_on_instances_and_clusters() -> None:
    rule = rds.rds_storage_encrypted
    assert messages(rule, RDS_INSTANCE, {"storageEncrypted": True}) == []
    assert messages(rule, RDS_INSTANCE, {"storageEncrypted": False}) == [
        "storageEncrypted is false: set it to true (with kmsKeyId) so the database and its snapshots are "
        "encrypted at rest"
    ]
    # A provisioned Aurora cluster is unencrypted unless asked.
    assert messages(rule, RDS_CLUSTER, {"engine": "aurora-postgresql"}) == [
        "storageEncrypted is not set: set it to true (with kmsKeyId) so the database and its snapshots are "
        "encrypted at rest"
    ]


def test_instance_multi_az() -> None:
    rule = rds.rds_instance_multi_az
    assert messages(rule, RDS_INSTANCE, {"multiAz": True}) == []
    assert messages(rule, RDS_INSTANCE, {"multiAz": False}) == [
        "multiAz is false: set it to true so a standby in another AZ takes over"
    ]


def test_enhanced_monitoring() -> None:
    rule = rds.rds_enhanced_monitoring
    assert messages(rule, RDS_INSTANCE, {"monitoringInterval": 60, "monitoringRoleArn": "arn:role"}) == []
    assert messages(rule, RDS_CLUSTER_INSTANCE, {"monitoringInterval": 0.0}) == [
        "monitoringInterval is 0: set it to 1-60 seconds "
        "(enhancedMonitoringSeconds) so OS metrics reach CloudWatch"
    ]
    assert messages(rule, RDS_INSTANCE, {"monitoringInterval": 60}) == [
        "monitoringRoleArn is not set: enhanced monitoring needs a role RDS can assume"
    ]


def test_deletion_protection() -> None:
    rule = rds.rds_deletion_protection
    assert messages(rule, RDS_CLUSTER, {"deletionProtection": True}) == []
    assert messages(rule, RDS_INSTANCE, {"deletionProtection": False}) == [
        "deletionProtection is false: set it to true so the database cannot be deleted by accident"
    ]


def test_log_exports_per_engine() -> None:
    rule = rds.rds_log_exports
    assert (
        messages(
            rule,
            RDS_INSTANCE,
            {"engine": "postgres", "enabledCloudwatchLogsExports": ["postgresql", "upgrade"]},
        )
        == []
    )
    assert (
        messages(
            rule, RDS_CLUSTER, {"engine": "aurora-postgresql", "enabledCloudwatchLogsExports": ["postgresql"]}
        )
        == []
    )
    assert messages(
        rule, RDS_INSTANCE, {"engine": "postgres", "enabledCloudwatchLogsExports": ["postgresql"]}
    ) == [
        "enabledCloudwatchLogsExports is ['postgresql']: add upgrade so the "
        "database logs reach CloudWatch Logs"
    ]
    assert messages(rule, RDS_CLUSTER, {"engine": "aurora-postgresql"}) == [
        "enabledCloudwatchLogsExports is not set: add postgresql so the database logs reach CloudWatch Logs"
    ]
    assert messages(rule, RDS_INSTANCE, {"engine": "mysql", "enabledCloudwatchLogsExports": []}) == [
        "enabledCloudwatchLogsExports is not set: export the engine's logs to CloudWatch Logs"
    ]


def test_iam_authentication() -> None:
    rule = rds.rds_iam_authentication
    assert messages(rule, RDS_CLUSTER, {"iamDatabaseAuthenticationEnabled": True}) == []
    assert messages(rule, RDS_INSTANCE, {"iamDatabaseAuthenticationEnabled": False}) == [
        "iamDatabaseAuthenticationEnabled is false: set it to true so services can "
        "sign in with their IAM role "
        "instead of a password"
    ]


def test_backup_retention() -> None:
    rule = rds.rds_backup_retention
    assert messages(rule, RDS_INSTANCE, {"backupRetentionPeriod": 7.0}) == []
    assert messages(rule, RDS_CLUSTER, {"backupRetentionPeriod": 1}) == [
        "backupRetentionPeriod is 1: set it to 7 days or more (backupRetentionDays) "
        "so a point-in-time restore "
        "reaches back a week"
    ]
    assert messages(rule, RDS_INSTANCE, {}) == [
        "backupRetentionPeriod is not set: set it to 7 days or more (backupRetentionDays) so a point-in-time "
        "restore reaches back a week"
    ]


def test_auto_minor_version_upgrade() -> None:
    rule = rds.rds_auto_minor_version_upgrade
    assert messages(rule, RDS_CLUSTER_INSTANCE, {}) == []
    assert messages(rule, RDS_CLUSTER, {"autoMinorVersionUpgrade": False}) == [
        "autoMinorVersionUpgrade is false: set it to true (the default) so security patches are applied"
    ]


def test_copy_tags_to_snapshot() -> None:
    rule = rds.rds_copy_tags_to_snapshot
    assert messages(rule, RDS_INSTANCE, {"copyTagsToSnapshot": True}) == []
    assert messages(rule, RDS_CLUSTER, {}) == [
        "copyTagsToSnapshot is not set: set it to true so snapshots keep the owner and cost tags"
    ]


def test_in_vpc_and_unknown_subnet_group_name_counts_as_set() -> None:
    rule = rds.rds_in_vpc
    assert messages(rule, RDS_INSTANCE, {"dbSubnetGroupName": UNKNOWN_STRING_VALUE}) == []
    assert messages(rule, RDS_INSTANCE, {"dbSubnetGroupName": ""}) == [
        "dbSubnetGroupName is not set: give the database a subnet group of the VPC's isolated subnets"
    ]


def test_custom_admin_username() -> None:
    rule = rds.rds_custom_admin_username
    assert messages(rule, RDS_INSTANCE, {"username": "app_admin"}) == []
    assert messages(rule, RDS_INSTANCE, {"username": "postgres"}) == [
        'username is "postgres", a default every attacker tries: choose another (database.username)'
    ]
    assert messages(rule, RDS_CLUSTER, {"masterUsername": "Admin"}) == [
        'masterUsername is "Admin", a default every attacker tries: choose another (database.username)'
    ]


def test_final_snapshot() -> None:
    rule = rds.rds_final_snapshot
    assert (
        messages(rule, RDS_INSTANCE, {"skipFinalSnapshot": False, "finalSnapshotIdentifier": "db-final"})
        == []
    )
    assert messages(rule, RDS_CLUSTER, {"skipFinalSnapshot": True}) == [
        "skipFinalSnapshot is true: set it to false so deleting the database keeps a final snapshot"
    ]
    assert messages(rule, RDS_INSTANCE, {"skipFinalSnapshot": False}) == [
        "finalSnapshotIdentifier is not set: name the final snapshot, or the delete fails without one"
    ]


def test_unknown_booleans_raise_so_the_engine_reruns_the_rule_on_update() -> None:
    """During a preview the rule cannot decide: the SDK reports "can't run during preview"."""
    with pytest.raises(UnknownValueError):
        messages(rds.rds_storage_encrypted, RDS_INSTANCE, {"storageEncrypted": UNKNOWN_BOOLEAN_VALUE})


# --- stack rules ------------------------------------------------------------------------------------


def _db_with_group(group: Resource, **props: Any) -> Resource:
    return resource(
        RDS_INSTANCE,
        {"engine": "postgres", "parameterGroupName": "db-params", **props},
        "db",
        property_dependencies={"parameterGroupName": [group.urn]},
    )


def test_force_ssl_instance_and_cluster_parameter_groups() -> None:
    rule = rds.rds_force_ssl
    good = resource(RDS_PARAMETER_GROUP, {"parameters": FORCE_SSL}, "db-params")
    assert findings(rule, stack(good, _db_with_group(good))) == []

    off = resource(
        RDS_PARAMETER_GROUP, {"parameters": [{"name": "rds.force_ssl", "value": "0"}]}, "db-params"
    )
    assert findings(rule, stack(off, _db_with_group(off))) == [
        (
            "db-params",
            'parameters do not set rds.force_ssl to "1": add it so the database refuses connections '
            "without TLS",
        )
    ]

    cluster_group = resource(RDS_CLUSTER_PARAMETER_GROUP, {"parameters": []}, "cluster-params")
    cluster = resource(
        RDS_CLUSTER,
        {"engine": "aurora-postgresql", "dbClusterParameterGroupName": "x"},
        "cluster",
        property_dependencies={"dbClusterParameterGroupName": [cluster_group.urn]},
    )
    # A literal (default or pre-existing) group cannot be checked.
    literal = resource(RDS_INSTANCE, {"engine": "postgres", "parameterGroupName": "default.postgres17"}, "db")
    assert findings(rule, stack(cluster_group, cluster, literal)) == [
        (
            "db",
            "parameterGroupName does not come from a ParameterGroup of this stack, so TLS cannot be shown to "
            "be required: attach one that sets rds.force_ssl to 1",
        ),
        (
            "cluster-params",
            'parameters do not set rds.force_ssl to "1": add it so the database refuses '
            "connections without TLS",
        ),
    ]


def test_force_ssl_waits_for_unknown_parameters_without_losing_other_verdicts() -> None:
    unknown = resource(RDS_PARAMETER_GROUP, {"parameters": UNKNOWN_ARRAY_VALUE}, "db-params")
    mysql = resource(RDS_INSTANCE, {"engine": "mysql"}, "other")
    loose = resource(RDS_PARAMETER_GROUP, {"parameters": []}, "loose-params")
    other = resource(RDS_INSTANCE, {"engine": "postgres"}, "other-db",
                     property_dependencies={"parameterGroupName": [loose.urn]})  # fmt: skip
    assert [(kind, urn) for kind, urn, _ in rds.rds_force_ssl.verdicts(
        stack(unknown, _db_with_group(unknown), mysql, loose, other)
    )] == [("unknown", unknown.urn), ("violation", loose.urn)]  # fmt: skip


def _subnet_group(*sources: Resource, name: str = "db-subnets") -> Resource:
    return resource(
        RDS_SUBNET_GROUP,
        {"subnetIds": ["subnet-1", "subnet-2"]},
        name,
        property_dependencies={"subnetIds": [s.urn for s in sources]},
    )


def _db_in(group: Resource) -> Resource:
    return resource(
        RDS_INSTANCE,
        {"dbSubnetGroupName": "g"},
        "db",
        property_dependencies={"dbSubnetGroupName": [group.urn]},
    )


def test_private_subnets_from_the_awsx_vpc() -> None:
    rule = rds.rds_private_subnets
    three_tier = resource(AWSX_VPC, {"subnetSpecs": [{"type": "Public"}, {"type": "Isolated"}]}, "net-vpc")
    defaults = resource(AWSX_VPC, {}, "net-vpc")  # awsx makes public and private subnets
    for vpc in (three_tier, defaults):
        group = _subnet_group(vpc)
        assert findings(rule, stack(vpc, group, _db_in(group))) == []

    public_only = resource(AWSX_VPC, {"subnetSpecs": [{"type": "Public"}]}, "net-vpc")
    group = _subnet_group(public_only)
    assert findings(rule, stack(public_only, group, _db_in(group))) == [
        (
            "db-subnets",
            "subnetIds come from net-vpc, which has only public subnets: add an Isolated subnet spec "
            "and use its isolatedSubnetIds",
        )
    ]


def test_private_subnets_from_subnet_resources_and_literals() -> None:
    rule = rds.rds_private_subnets
    private = resource(EC2_SUBNET, {"mapPublicIpOnLaunch": False}, "private-a")
    public = resource(EC2_SUBNET, {"mapPublicIpOnLaunch": True}, "public-a")
    group = _subnet_group(private, public)
    literal = _subnet_group(name="literal-subnets")
    outside = resource(RDS_INSTANCE, {"dbSubnetGroupName": "existing"}, "outside")
    assert findings(rule, stack(private, public, group, _db_in(group), literal, outside)) == [
        (
            "outside",
            "dbSubnetGroupName does not come from a SubnetGroup of this stack, so its subnets cannot be "
            "checked: create the subnet group on the network's isolated subnets",
        ),
        (
            "db-subnets",
            "subnetIds include public-a, a public subnet (mapPublicIpOnLaunch true): use isolated subnets",
        ),
        (
            "literal-subnets",
            "subnetIds do not come from a VPC or subnets of this stack, so they cannot be shown "
            "to be private: use the network's isolated subnet ids",
        ),
    ]


def _cluster_members(*zones: str | None) -> list[Resource]:
    cluster = resource(RDS_CLUSTER, {"engine": "aurora-postgresql"}, "cluster")
    members = [
        resource(
            RDS_CLUSTER_INSTANCE,
            {"availabilityZone": zone} if zone else {},
            f"member-{n}",
            property_dependencies={"clusterIdentifier": [cluster.urn]},
        )
        for n, zone in enumerate(zones)
    ]
    return [cluster, *members]


def test_cluster_multi_az() -> None:
    rule = rds.rds_cluster_multi_az
    assert findings(rule, stack(*_cluster_members(None, None))) == []
    assert findings(rule, stack(*_cluster_members("us-east-1a", "us-east-1b"))) == []
    assert findings(rule, stack(*_cluster_members(None))) == [
        (
            "cluster",
            "has 1 cluster instance(s): add a reader (database.readReplicas 1 or more) so a failover has "
            "an instance in another AZ",
        )
    ]
    assert findings(rule, stack(*_cluster_members("us-east-1a", "us-east-1a"))) == [
        (
            "cluster",
            "every instance is pinned to us-east-1a: leave availabilityZone unset or spread them over AZs",
        )
    ]
    # A Multi-AZ DB cluster (not Aurora) always spans three AZs.
    assert findings(rule, stack(resource(RDS_CLUSTER, {"engine": "postgres"}, "multi-az-cluster"))) == []


# --- the committed stacks and Aurora ------------------------------------------------------------------


def _all_findings(rule: Rule, target: Stack) -> list[tuple[str, str]]:
    return findings(rule, target) if rule.check_stack is not None else resource_findings(rule, target)


@pytest.mark.parametrize("rule", rds.RULES, ids=lambda r: r.name)
def test_prod_passes(rule: Rule) -> None:
    assert _all_findings(rule, plan_stack("prod")) == []


@pytest.mark.parametrize("rule", rds.RULES, ids=lambda r: r.name)
def test_prod_on_aurora_passes(rule: Rule) -> None:
    assert _all_findings(rule, aurora_stack("prod", 1)) == []


@cache
def dev_instance_stack() -> Stack:
    """Dev with its database as a Single-AZ db.t4g.micro RDS instance instead of Aurora."""
    return stack_from(stack_resources(plan_states(to_preview_json(plan("dev", database=dev_rds_instance())))))


DEV_INSTANCE_FINDINGS = {
    "rds-instance-multi-az": [
        ("db-instance", "multiAz is false: set it to true so a standby in another AZ takes over")
    ],
    "rds-enhanced-monitoring": [
        (
            "db-instance",
            "monitoringInterval is 0: set it to 1-60 seconds (enhancedMonitoringSeconds) so OS "
            "metrics reach CloudWatch",
        )
    ],
    "rds-deletion-protection": [
        (
            "db-instance",
            "deletionProtection is false: set it to true so the database cannot be deleted by accident",
        )
    ],
}


@pytest.mark.parametrize("rule", rds.RULES, ids=lambda r: r.name)
def test_dev_on_an_rds_instance_fails_only_production_rules(rule: Rule) -> None:
    assert dev_instance_stack().of_type(RDS_INSTANCE)
    assert _all_findings(rule, dev_instance_stack()) == DEV_INSTANCE_FINDINGS.get(rule.name, [])
    if rule.name in DEV_INSTANCE_FINDINGS:
        assert rule.production_only


def test_dev_on_aurora_without_readers_fails_only_production_rules() -> None:
    """The committed dev database: Aurora Serverless v2 with one writer and no reader."""
    dev = plan_stack("dev")
    assert dev.of_type(RDS_INSTANCE) == [] and len(dev.of_type(RDS_CLUSTER_INSTANCE)) == 1
    found = {r.name: _all_findings(r, dev) for r in rds.RULES}
    assert {name: f for name, f in found.items() if f} == {
        "rds-cluster-multi-az": [
            (
                "db-cluster",
                "has 1 cluster instance(s): add a reader (database.readReplicas 1 or more) so a "
                "failover has an instance in another AZ",
            )
        ],
        "rds-enhanced-monitoring": [
            (
                "db-instance-1",
                "monitoringInterval is 0: set it to 1-60 seconds (enhancedMonitoringSeconds) so OS "
                "metrics reach CloudWatch",
            )
        ],
        "rds-deletion-protection": [
            (
                "db-cluster",
                "deletionProtection is false: set it to true so the database cannot be deleted by accident",
            )
        ],
    }
    assert all(r.production_only for r in rds.RULES if found[r.name])


def test_plan_subnet_group_comes_from_the_awsx_vpc() -> None:
    """What rds-private-subnets relies on: the engine reports the VPC component as the source."""
    prod = plan_stack("prod")
    group = prod.of_type(RDS_SUBNET_GROUP)[0]
    assert [r.type for r in prod.referenced_by(group, "subnetIds")] == [AWSX_VPC]
