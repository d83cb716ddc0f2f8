"""RDS rules: PostgreSQL instances, Aurora clusters and their instances, parameter and subnet groups.

Covers FSBP RDS.2, RDS.3/RDS.27, RDS.5, RDS.15, RDS.6, RDS.8/RDS.7, RDS.9/RDS.37, RDS.10/RDS.12,
RDS.11 (also applied to Aurora clusters), RDS.13/RDS.35, RDS.17/RDS.16, RDS.18, RDS.25/RDS.24, plus
our own: TLS forced by ``rds.force_ssl`` = 1 in the stack's parameter group, a final snapshot on
delete, and subnet groups made of the stack's private or isolated subnets.

Deliberately not covered: RDS.1 (snapshots are never shared by the stack), RDS.4 (snapshots follow
the storage encryption of RDS.3/RDS.27), RDS.14 and RDS.34 (Aurora MySQL only), RDS.19-22 (event
subscriptions are account-level, not part of this stack), RDS.23 (a non-default port is obscurity;
the database is reachable only from the services' security groups), RDS.26 (AWS Backup plans are
outside the stack).

Limit of ``rds-private-subnets``: a subnet group built from the awsx VPC depends on the VPC
component as a whole, so a policy cannot see whether ``isolatedSubnetIds`` or ``publicSubnetIds``
was passed. The rule proves the ids come from this stack's network and that the network has private
or isolated subnets (public ``aws:ec2/subnet:Subnet`` resources are refused outright);
``tests/test_database.py`` pins that the Database component gets the isolated subnet ids, and
``rds-publicly-accessible`` keeps every instance off the internet whatever the subnets.
"""

from collections.abc import Iterator, Sequence
from typing import Any

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

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
AWSX_VPC = "awsx:ec2:Vpc"
EC2_SUBNET = "aws:ec2/subnet:Subnet"

MIN_BACKUP_RETENTION_DAYS = 7
DEFAULT_ADMIN_USERNAMES = ("postgres", "admin")
# The logs RDS.9 / RDS.37 ask for, per engine.
REQUIRED_LOG_EXPORTS = {"postgres": ("postgresql", "upgrade"), "aurora-postgresql": ("postgresql",)}
POSTGRES_ENGINES = ("postgres", "aurora-postgresql")
# awsx subnet types; without subnetSpecs awsx makes public and private subnets.
NON_PUBLIC_SUBNET_TYPES = ("private", "isolated")


def _shown(props: Any, key: str) -> str:
    """A property's value as a message shows it (``true``, ``1``, ``not set``)."""
    value = props.get(key) if key in list(props.keys()) else None
    if value is None or value == "":
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(props: Any, key: str) -> float:
    value = props.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


# --- one resource decides --------------------------------------------------------------------------


@resource_rule(
    "rds-publicly-accessible",
    types=[RDS_INSTANCE, RDS_CLUSTER_INSTANCE],
    controls=["RDS.2"],
    severity=Severity.CRITICAL,
    description="RDS and Aurora DB instances are not publicly accessible.",
)
def rds_publicly_accessible(db: Resource) -> Iterator[str]:
    if db.props.get("publiclyAccessible") is True:
        yield "publiclyAccessible is true: set it to false so the database has no public address"


@resource_rule(
    "rds-storage-encrypted",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.3", "RDS.27"],
    severity=Severity.MEDIUM,
    description="RDS instances and Aurora clusters encrypt their storage at rest.",
)
def rds_storage_encrypted(db: Resource) -> Iterator[str]:
    if db.props.get("storageEncrypted") is not True:
        yield (
            f"storageEncrypted is {_shown(db.props, 'storageEncrypted')}: set it to true (with kmsKeyId) "
            "so the database and its snapshots are encrypted at rest"
        )


@resource_rule(
    "rds-instance-multi-az",
    types=[RDS_INSTANCE],
    controls=["RDS.5"],
    severity=Severity.MEDIUM,
    description="RDS instances run Multi-AZ with a standby in a second Availability Zone.",
    production_only=True,
)
def rds_instance_multi_az(db: Resource) -> Iterator[str]:
    if db.props.get("multiAz") is not True:
        yield (
            f"multiAz is {_shown(db.props, 'multiAz')}: set it to true so a standby in another AZ takes over"
        )


@resource_rule(
    "rds-enhanced-monitoring",
    types=[RDS_INSTANCE, RDS_CLUSTER_INSTANCE],
    controls=["RDS.6"],
    severity=Severity.LOW,
    description="RDS and Aurora DB instances have enhanced monitoring (monitoringInterval > 0 with a role).",
    production_only=True,
)
def rds_enhanced_monitoring(db: Resource) -> Iterator[str]:
    if _number(db.props, "monitoringInterval") <= 0:
        yield (
            f"monitoringInterval is {_shown(db.props, 'monitoringInterval')}: set it to 1-60 seconds "
            "(enhancedMonitoringSeconds) so OS metrics reach CloudWatch"
        )
    elif not is_set(db.props, "monitoringRoleArn"):
        yield "monitoringRoleArn is not set: enhanced monitoring needs a role RDS can assume"


@resource_rule(
    "rds-deletion-protection",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.8", "RDS.7"],
    severity=Severity.LOW,
    description="RDS instances and Aurora clusters have deletion protection.",
    production_only=True,
)
def rds_deletion_protection(db: Resource) -> Iterator[str]:
    if db.props.get("deletionProtection") is not True:
        yield (
            f"deletionProtection is {_shown(db.props, 'deletionProtection')}: set it to true so the "
            "database cannot be deleted by accident"
        )


@resource_rule(
    "rds-log-exports",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.9", "RDS.37"],
    severity=Severity.MEDIUM,
    description="RDS instances and Aurora clusters export their PostgreSQL logs to CloudWatch Logs.",
)
def rds_log_exports(db: Resource) -> Iterator[str]:
    exported = [str(log) for log in db.props.get("enabledCloudwatchLogsExports") or []]
    required = REQUIRED_LOG_EXPORTS.get(str(db.props.get("engine") or ""), ())
    missing = [log for log in required if log not in exported]
    if missing:
        yield (
            f"enabledCloudwatchLogsExports is {exported or 'not set'}: add {', '.join(missing)} so the "
            "database logs reach CloudWatch Logs"
        )
    elif not exported:
        yield "enabledCloudwatchLogsExports is not set: export the engine's logs to CloudWatch Logs"


@resource_rule(
    "rds-iam-authentication",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.10", "RDS.12"],
    severity=Severity.MEDIUM,
    description="RDS instances and Aurora clusters accept IAM database authentication.",
)
def rds_iam_authentication(db: Resource) -> Iterator[str]:
    if db.props.get("iamDatabaseAuthenticationEnabled") is not True:
        yield (
            f"iamDatabaseAuthenticationEnabled is {_shown(db.props, 'iamDatabaseAuthenticationEnabled')}: "
            "set it to true so services can sign in with their IAM role instead of a password"
        )


@resource_rule(
    "rds-backup-retention",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.11", "webapp"],
    severity=Severity.MEDIUM,
    description=(
        f"RDS instances and Aurora clusters keep automatic backups {MIN_BACKUP_RETENTION_DAYS} days or more."
    ),
)
def rds_backup_retention(db: Resource) -> Iterator[str]:
    if _number(db.props, "backupRetentionPeriod") < MIN_BACKUP_RETENTION_DAYS:
        yield (
            f"backupRetentionPeriod is {_shown(db.props, 'backupRetentionPeriod')}: set it to "
            f"{MIN_BACKUP_RETENTION_DAYS} days or more (backupRetentionDays) so a point-in-time restore "
            "reaches back a week"
        )


@resource_rule(
    "rds-auto-minor-version-upgrade",
    types=[RDS_INSTANCE, RDS_CLUSTER_INSTANCE, RDS_CLUSTER],
    controls=["RDS.13", "RDS.35"],
    severity=Severity.HIGH,
    description="RDS instances, Aurora instances and clusters apply minor engine upgrades automatically.",
)
def rds_auto_minor_version_upgrade(db: Resource) -> Iterator[str]:
    if db.props.get("autoMinorVersionUpgrade") is False:
        yield "autoMinorVersionUpgrade is false: set it to true (the default) so security patches are applied"


@resource_rule(
    "rds-copy-tags-to-snapshot",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.17", "RDS.16"],
    severity=Severity.LOW,
    description="RDS instances and Aurora clusters copy their tags to snapshots.",
)
def rds_copy_tags_to_snapshot(db: Resource) -> Iterator[str]:
    if db.props.get("copyTagsToSnapshot") is not True:
        yield (
            f"copyTagsToSnapshot is {_shown(db.props, 'copyTagsToSnapshot')}: set it to true so snapshots "
            "keep the owner and cost tags"
        )


@resource_rule(
    "rds-in-vpc",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.18"],
    severity=Severity.HIGH,
    description="RDS instances and Aurora clusters run in a VPC through a DB subnet group.",
)
def rds_in_vpc(db: Resource) -> Iterator[str]:
    if not is_set(db.props, "dbSubnetGroupName"):
        yield "dbSubnetGroupName is not set: give the database a subnet group of the VPC's isolated subnets"


@resource_rule(
    "rds-custom-admin-username",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["RDS.25", "RDS.24"],
    severity=Severity.MEDIUM,
    description="RDS instances and Aurora clusters use a master username other than the engine default.",
)
def rds_custom_admin_username(db: Resource) -> Iterator[str]:
    key = "masterUsername" if db.type == RDS_CLUSTER else "username"
    username = db.props.get(key)
    if isinstance(username, str) and username.lower() in DEFAULT_ADMIN_USERNAMES:
        yield f'{key} is "{username}", a default every attacker tries: choose another (database.username)'


@resource_rule(
    "rds-final-snapshot",
    types=[RDS_INSTANCE, RDS_CLUSTER],
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="Deleting an RDS instance or Aurora cluster leaves a final snapshot.",
    production_only=True,
)
def rds_final_snapshot(db: Resource) -> Iterator[str]:
    if db.props.get("skipFinalSnapshot") is True:
        yield "skipFinalSnapshot is true: set it to false so deleting the database keeps a final snapshot"
    elif not is_set(db.props, "finalSnapshotIdentifier"):
        yield "finalSnapshotIdentifier is not set: name the final snapshot, or the delete fails without one"


# --- several resources decide ----------------------------------------------------------------------


@stack_rule(
    "rds-cluster-multi-az",
    controls=["RDS.15"],
    severity=Severity.MEDIUM,
    description="Aurora clusters have two or more instances, not all pinned to one Availability Zone.",
    production_only=True,
)
def rds_cluster_multi_az(stack: Stack) -> Iterator[Finding]:
    return each(stack.of_type(RDS_CLUSTER), lambda cluster: _cluster_spread(stack, cluster))


def _cluster_spread(stack: Stack, cluster: Resource) -> Iterator[Finding]:
    if not str(cluster.props.get("engine") or "").startswith("aurora"):
        return  # Multi-AZ DB clusters always span three AZs
    members = stack.referencing(cluster, "clusterIdentifier", RDS_CLUSTER_INSTANCE)
    if len(members) < 2:
        yield Finding(
            cluster,
            f"has {len(members)} cluster instance(s): add a reader (database.readReplicas 1 or more) "
            "so a failover has an instance in another AZ",
        )
        return
    # An unknown zone raises: it may turn out to be the others' zone.
    zones = [m.props.get("availabilityZone") for m in members]
    if all(zones) and len(set(zones)) == 1:
        yield Finding(
            cluster,
            f"every instance is pinned to {zones[0]}: leave availabilityZone unset or spread them over AZs",
        )


def _force_ssl(group: Resource) -> bool:
    """Whether the group sets ``rds.force_ssl`` to 1; raises while its parameters are not known."""
    for parameter in group.props.get("parameters") or []:
        if parameter.get("name") == "rds.force_ssl":
            value = parameter.get("value")
            return str(value).strip() in ("1", "1.0")
    return False


@stack_rule(
    "rds-force-ssl",
    controls=["webapp"],
    severity=Severity.HIGH,
    description=(
        "PostgreSQL instances and Aurora clusters use a parameter group of the stack with rds.force_ssl = 1."
    ),
)
def rds_force_ssl(stack: Stack) -> Iterator[Finding]:
    links = (
        (RDS_INSTANCE, "parameterGroupName", RDS_PARAMETER_GROUP),
        (RDS_CLUSTER, "dbClusterParameterGroupName", RDS_CLUSTER_PARAMETER_GROUP),
    )
    for db_type, prop, group_type in links:
        yield from each(
            stack.of_type(db_type),
            lambda db, prop=prop, group_type=group_type: _force_ssl_findings(stack, db, prop, group_type),
        )


def _force_ssl_findings(stack: Stack, db: Resource, prop: str, group_type: str) -> Iterator[Finding]:
    if db.props.get("engine") not in POSTGRES_ENGINES:
        return
    groups = [g for g in stack.referenced_by(db, prop) if g.type == group_type]
    if not groups:
        yield Finding(
            db,
            f"{prop} does not come from a {group_type.rsplit(':', 1)[-1]} of this stack, "
            "so TLS cannot be shown to be required: attach one that sets rds.force_ssl to 1",
        )
    yield from each(groups, _force_ssl_finding)


def _force_ssl_finding(group: Resource) -> Iterator[Finding]:
    if not _force_ssl(group):
        yield Finding(
            group,
            'parameters do not set rds.force_ssl to "1": add it so the database refuses '
            "connections without TLS",
        )


def subnet_source_problems(stack: Stack, group: Resource) -> list[str]:
    """Why ``group``'s ``subnetIds`` cannot be shown to be private or isolated subnets of this stack.

    Shared with the ElastiCache rules. See the module docstring for what an awsx VPC hides.
    """
    sources = stack.referenced_by(group, "subnetIds")
    vpcs = [r for r in sources if r.type == AWSX_VPC]
    subnets = [r for r in sources if r.type == EC2_SUBNET]
    if not vpcs and not subnets:
        return [
            "subnetIds do not come from a VPC or subnets of this stack, so they cannot be shown to be "
            "private: use the network's isolated subnet ids"
        ]
    problems = [
        f"subnetIds include {subnet.name}, a public subnet (mapPublicIpOnLaunch true): use isolated subnets"
        for subnet in subnets
        if subnet.props.get("mapPublicIpOnLaunch") is True
    ]
    for vpc in vpcs:
        types = _awsx_subnet_types(vpc)
        if types is not None and not any(t in NON_PUBLIC_SUBNET_TYPES for t in types):
            problems.append(
                f"subnetIds come from {vpc.name}, which has only {', '.join(sorted(types))} subnets: add an "
                "Isolated subnet spec and use its isolatedSubnetIds"
            )
    return problems


def _awsx_subnet_types(vpc: Resource) -> Sequence[str] | None:
    """The lower-cased subnet types of an awsx VPC; None when left to awsx's defaults. Raises while
    the specs are not known (they decide whether the subnets are private)."""
    if not has_items(vpc.props, "subnetSpecs"):
        return None
    return [str(spec.get("type") or "").lower() for spec in vpc.props.get("subnetSpecs") or []]


@stack_rule(
    "rds-private-subnets",
    controls=["seed checklist"],
    severity=Severity.HIGH,
    description="RDS databases use a subnet group of the stack made of private or isolated subnets.",
)
def rds_private_subnets(stack: Stack) -> Iterator[Finding]:
    for db in stack.of_type(RDS_INSTANCE, RDS_CLUSTER):
        if not any(g.type == RDS_SUBNET_GROUP for g in stack.referenced_by(db, "dbSubnetGroupName")):
            yield Finding(
                db,
                "dbSubnetGroupName does not come from a SubnetGroup of this stack, so its subnets cannot be "
                "checked: create the subnet group on the network's isolated subnets",
            )
    yield from each(
        stack.of_type(RDS_SUBNET_GROUP),
        lambda group: (Finding(group, problem) for problem in subnet_source_problems(stack, group)),
    )


RULES: tuple[Rule, ...] = (
    rds_publicly_accessible,
    rds_storage_encrypted,
    rds_instance_multi_az,
    rds_cluster_multi_az,
    rds_enhanced_monitoring,
    rds_deletion_protection,
    rds_log_exports,
    rds_iam_authentication,
    rds_backup_retention,
    rds_auto_minor_version_upgrade,
    rds_copy_tags_to_snapshot,
    rds_in_vpc,
    rds_custom_admin_username,
    rds_final_snapshot,
    rds_force_ssl,
    rds_private_subnets,
)
