"""The Database component on its own: RDS instance and Aurora Serverless v2, dev and prod, config errors."""

import json
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.data.database import Database, database_identifier
from components.data.database_args import DatabaseArgs
from components.data.database_windows import WindowError, overlaps, parse_daily, parse_weekly
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:Database"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SG = "aws:ec2/securityGroup:SecurityGroup"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

SUBNETS = ["subnet-mock-isolated-1", "subnet-mock-isolated-2"]
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mock-key-db-key"
SG_ID = "mock-db-sg"
ROLE_ARN = "arn:aws:iam::123456789012:role/db-monitoring-mock"
INSTANCE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-mock-db-instance-MoCk12"
CLUSTER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-mock-db-cluster-MoCk12"
PARAMETERS = [
    {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"},
    {"name": "shared_preload_libraries", "value": "pg_stat_statements", "applyMethod": "pending-reboot"},
    {"name": "log_min_duration_statement", "value": "500", "applyMethod": "immediate"},
]
PROD = {
    "instanceClass": "db.m7g.large",
    "multiAz": True,
    "deletionProtection": True,
    "backupRetentionDays": 14,
    "logRetentionDays": 30,
    "enhancedMonitoringSeconds": 60,
}
AURORA_PROD = {
    "engineMode": "aurora-serverless-v2",
    "minCapacity": 1,
    "maxCapacity": 8,
    "deletionProtection": True,
    "backupRetentionDays": 14,
    "logRetentionDays": 30,
    "enhancedMonitoringSeconds": 60,
    "readReplicas": 1,
}


def db_args(data: dict[str, Any]) -> DatabaseArgs:
    return validate_config(DatabaseArgs, data, "webapp:database")


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        db_args(data)
    return err.value.problems


def deploy(data: dict[str, Any], protect: bool = False, name: str = "db", stack: str = "dev") -> PlanResult:
    def program() -> None:
        db = Database(name, db_args(data), vpc_id="vpc-mock", subnet_ids=SUBNETS, protect=protect)
        password = db.connection.secrets["DB_PASSWORD"]
        metrics = db.metrics
        pulumi.export(
            "metrics",
            {"kind": metrics.kind, "identifier": metrics.identifier, "replicaCount": metrics.replica_count},
        )
        pulumi.export(
            "db",
            {
                "securityGroupId": db.security_group_id,
                "address": db.address,
                "port": db.port,
                "databaseName": db.database_name,
                "username": db.username,
                "identifier": db.identifier,
                "replicaIdentifiers": db.replica_identifiers,
                "kmsKeyArn": db.kms_key_arn,
                "masterSecretArn": db.master_secret_arn,
            },
        )
        pulumi.export(
            "connection",
            {
                "name": db.connection.name,
                "securityGroupId": db.connection.security_group_id,
                "port": db.connection.port,
                "environment": dict(db.connection.environment),
                "secretNames": list(db.connection.secrets),
                "password": {
                    "kind": password.kind,
                    "valueFrom": password.value_from,
                    "resourceArn": password.resource_arn,
                    "kmsKeyArn": password.kms_key_arn,
                },
            },
        )

    return run_components(program, stack=stack)


@pytest.fixture(scope="module")
def dev() -> PlanResult:
    return deploy({})


@pytest.fixture(scope="module")
def prod() -> PlanResult:
    return deploy(PROD, protect=True)


@pytest.fixture(scope="module")
def aurora() -> PlanResult:
    return deploy({"engineMode": "aurora-serverless-v2"})


@pytest.fixture(scope="module")
def aurora_prod() -> PlanResult:
    return deploy(AURORA_PROD, protect=True)


def log_group_urns(result: PlanResult, *names: str) -> set[str]:
    return {result.one(LOG_GROUP, n).urn for n in names}


# --- shared pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["dev", "aurora"])
def test_rotated_key_with_an_alias(fixture: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(fixture)
    key = result.one(KEY, "db-key")
    assert key.inputs == {
        "description": "Encrypts the webapp/dev db database, its snapshots and master password",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    alias = result.one(ALIAS, "db-key")
    assert alias.inputs == {"name": "alias/webapp-dev-db", "targetKeyId": "mock-key-db-key"}


@pytest.mark.parametrize("fixture", ["dev", "prod", "aurora", "aurora_prod"])
def test_security_group_has_no_rules_of_its_own(fixture: str, request: pytest.FixtureRequest) -> None:
    result: PlanResult = request.getfixturevalue(fixture)
    sg = result.one(SG, "db-sg")
    # No ingress/egress keys at all: inline rules would strip the ones consumers add.
    assert sg.inputs == {
        "description": "PostgreSQL webapp-dev-db; each connecting service adds its own ingress rule",
        "vpcId": "vpc-mock",
        "tags": {"Name": "webapp-dev-db"},
    }
    assert [r.type for r in result.resources if "securityGroup" in r.type and r.type != SG] == []


def test_subnet_group_on_the_given_subnets(dev: PlanResult) -> None:
    assert dev.one(SUBNET_GROUP, "db-subnets").inputs == {
        "name": "webapp-dev-db",
        "description": "Isolated subnets of webapp-dev-db",
        "subnetIds": SUBNETS,
    }


def test_every_child_belongs_to_the_component(prod: PlanResult, aurora_prod: PlanResult) -> None:
    for result in (prod, aurora_prod):
        component = result.one(COMPONENT, "db").urn
        assert {r.parent for r in result.resources if r.type != COMPONENT} == {component}


# --- RDS instance ---------------------------------------------------------------------------------


def test_parameter_group_forces_tls_and_logs_slow_statements(dev: PlanResult) -> None:
    group = dev.one(PARAMS, "db-params")
    assert group.inputs == {
        "name": "webapp-dev-db-postgres17",
        "family": "postgres17",
        "description": "PostgreSQL settings of webapp-dev-db",
        "parameters": PARAMETERS,
    }


def test_slow_query_threshold_and_family_follow_the_config() -> None:
    group = deploy({"slowQueryMs": -1, "engineVersion": 15}).one(PARAMS).inputs
    assert (group["family"], group["name"]) == ("postgres15", "webapp-dev-db-postgres15")
    assert group["parameters"][2] == {
        "name": "log_min_duration_statement", "value": "-1", "applyMethod": "immediate",
    }  # fmt: skip


def test_dev_instance(dev: PlanResult) -> None:
    instance = dev.one(INSTANCE, "db-instance")
    assert instance.inputs == {
        "identifier": "webapp-dev-db",
        "engine": "postgres",
        "engineVersion": "17",
        "instanceClass": "db.t4g.micro",
        "allocatedStorage": 20,
        "maxAllocatedStorage": 100,
        "storageType": "gp3",
        "storageEncrypted": True,
        "kmsKeyId": KEY_ARN,
        "dbName": "app",
        "username": "app_admin",
        "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": KEY_ARN,
        "iamDatabaseAuthenticationEnabled": True,
        "dbSubnetGroupName": "webapp-dev-db",
        "vpcSecurityGroupIds": [SG_ID],
        "publiclyAccessible": False,
        "port": 5432,
        "multiAz": False,
        "backupRetentionPeriod": 7,
        "backupWindow": "03:00-04:00",
        "maintenanceWindow": "sun:04:30-sun:05:30",
        "copyTagsToSnapshot": True,
        "skipFinalSnapshot": False,
        "finalSnapshotIdentifier": "webapp-dev-db-final",
        "deletionProtection": False,
        "autoMinorVersionUpgrade": True,
        "performanceInsightsEnabled": True,
        "performanceInsightsKmsKeyId": KEY_ARN,
        "performanceInsightsRetentionPeriod": 7,
        "monitoringInterval": 0,
        "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
        "parameterGroupName": "webapp-dev-db-postgres17",
        "applyImmediately": False,
        "caCertIdentifier": "rds-ca-rsa2048-g1",
    }
    assert instance.protect is False


def test_exported_logs_have_retention_and_exist_first(dev: PlanResult) -> None:
    assert {(g.inputs["name"], g.inputs["retentionInDays"]) for g in dev.by_type(LOG_GROUP)} == {
        ("/aws/rds/instance/webapp-dev-db/postgresql", 7),
        ("/aws/rds/instance/webapp-dev-db/upgrade", 7),
    }
    instance = dev.one(INSTANCE, "db-instance")
    assert log_group_urns(dev, "db-postgresql-logs", "db-upgrade-logs") <= set(instance.dependencies)


def test_no_monitoring_role_without_enhanced_monitoring(dev: PlanResult) -> None:
    assert dev.by_type(ROLE) == []
    assert dev.by_type(ATTACHMENT) == []
    assert "monitoringRoleArn" not in dev.one(INSTANCE).inputs


def test_performance_insights_off_drops_its_key_and_retention() -> None:
    inputs = deploy({"performanceInsights": False}).one(INSTANCE).inputs
    assert inputs["performanceInsightsEnabled"] is False
    assert "performanceInsightsKmsKeyId" not in inputs
    assert "performanceInsightsRetentionPeriod" not in inputs


def test_prod_instance_is_multi_az_protected_and_kept(prod: PlanResult) -> None:
    instance = prod.one(INSTANCE, "db-instance")
    assert {k: instance.inputs[k] for k in ("instanceClass", "multiAz", "deletionProtection")} == {
        "instanceClass": "db.m7g.large",
        "multiAz": True,
        "deletionProtection": True,
    }
    assert instance.inputs["backupRetentionPeriod"] == 14
    assert {g.inputs["retentionInDays"] for g in prod.by_type(LOG_GROUP)} == {30}
    protected = {(r.type, r.name) for r in prod.resources if r.protect}
    assert protected == {
        (KEY, "db-key"),
        (PARAMS, "db-params"),
        (INSTANCE, "db-instance"),
    }


def test_monitoring_role_trusts_only_this_databases_instances(prod: PlanResult) -> None:
    role = prod.one(ROLE, "db-monitoring")
    assert role.inputs["description"] == (
        "RDS enhanced monitoring of webapp-dev-db sends OS metrics to CloudWatch Logs"
    )
    db_arn = "arn:aws:rds:us-east-1:123456789012:db:webapp-dev-db"
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "StringLike": {"aws:SourceArn": [db_arn, f"{db_arn}-*"]},
                },
            }
        ],
    }
    attachment = prod.one(ATTACHMENT, "db-monitoring")
    assert attachment.inputs == {
        "role": "db-monitoring-mock",
        "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    }
    for instance in prod.by_type(INSTANCE):
        assert (instance.inputs["monitoringInterval"], instance.inputs["monitoringRoleArn"]) == (60, ROLE_ARN)
        assert attachment.urn in instance.dependencies


def test_instance_outputs_and_connection(dev: PlanResult) -> None:
    address = "webapp-dev-db.mock.us-east-1.rds.amazonaws.com"
    assert dev.outputs["db"] == {
        "securityGroupId": SG_ID,
        "address": address,
        "port": 5432,
        "databaseName": "app",
        "username": "app_admin",
        "identifier": "webapp-dev-db",
        "replicaIdentifiers": [],
        "kmsKeyArn": KEY_ARN,
        "masterSecretArn": INSTANCE_SECRET,
    }
    assert dev.outputs["connection"] == {
        "name": "database",
        "securityGroupId": SG_ID,
        "port": 5432,
        "environment": {"DB_HOST": address, "DB_PORT": "5432", "DB_NAME": "app", "DB_USER": "app_admin"},
        "secretNames": ["DB_PASSWORD"],
        "password": {
            "kind": "secretsmanager",
            "valueFrom": f"{INSTANCE_SECRET}:password::",
            "resourceArn": INSTANCE_SECRET,
            "kmsKeyArn": KEY_ARN,
        },
    }


# --- Aurora Serverless v2 -------------------------------------------------------------------------


def test_aurora_creates_a_cluster_not_an_instance(aurora: PlanResult) -> None:
    assert aurora.by_type(INSTANCE) == []
    assert aurora.by_type(PARAMS) == []
    assert aurora.one(CLUSTER_PARAMS, "db-cluster-params").inputs == {
        "name": "webapp-dev-db-aurora-postgresql17",
        "family": "aurora-postgresql17",
        "description": "Aurora PostgreSQL settings of webapp-dev-db",
        "parameters": PARAMETERS,
    }


def test_aurora_cluster(aurora: PlanResult) -> None:
    cluster = aurora.one(CLUSTER, "db-cluster")
    assert cluster.inputs == {
        "clusterIdentifier": "webapp-dev-db",
        "engine": "aurora-postgresql",
        "engineMode": "provisioned",
        "engineVersion": "17",
        "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 2},
        "databaseName": "app",
        "masterUsername": "app_admin",
        "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": KEY_ARN,
        "storageEncrypted": True,
        "kmsKeyId": KEY_ARN,
        "iamDatabaseAuthenticationEnabled": True,
        "port": 5432,
        "dbSubnetGroupName": "webapp-dev-db",
        "vpcSecurityGroupIds": [SG_ID],
        "dbClusterParameterGroupName": "webapp-dev-db-aurora-postgresql17",
        "backupRetentionPeriod": 7,
        "preferredBackupWindow": "03:00-04:00",
        "preferredMaintenanceWindow": "sun:04:30-sun:05:30",
        "copyTagsToSnapshot": True,
        "skipFinalSnapshot": False,
        "finalSnapshotIdentifier": "webapp-dev-db-final",
        "deletionProtection": False,
        "enabledCloudwatchLogsExports": ["postgresql"],
        "applyImmediately": False,
    }
    assert aurora.one(LOG_GROUP).inputs == {
        "name": "/aws/rds/cluster/webapp-dev-db/postgresql", "retentionInDays": 7,
    }  # fmt: skip
    assert aurora.one(LOG_GROUP).urn in cluster.dependencies


def test_aurora_writer(aurora: PlanResult) -> None:
    writer = aurora.one(CLUSTER_INSTANCE, "db-instance-1")
    assert writer.inputs == {
        "identifier": "webapp-dev-db-1",
        "clusterIdentifier": "mock-db-cluster",
        "engine": "aurora-postgresql",
        "engineVersion": "17",
        "instanceClass": "db.serverless",
        "dbSubnetGroupName": "webapp-dev-db",
        "publiclyAccessible": False,
        "autoMinorVersionUpgrade": True,
        "caCertIdentifier": "rds-ca-rsa2048-g1",
        "copyTagsToSnapshot": True,
        "preferredMaintenanceWindow": "sun:04:30-sun:05:30",
        "promotionTier": 0,
        "applyImmediately": False,
        "performanceInsightsEnabled": True,
        "performanceInsightsKmsKeyId": KEY_ARN,
        "performanceInsightsRetentionPeriod": 7,
        "monitoringInterval": 0,
    }
    assert aurora.by_type(ROLE) == []


def test_metrics_name_the_instance_or_the_aurora_cluster_and_its_readers(
    dev: PlanResult, aurora_prod: PlanResult
) -> None:
    assert dev.outputs["metrics"] == {"kind": "instance", "identifier": "webapp-dev-db", "replicaCount": 0}
    # In Aurora mode the identifier is the cluster's (CloudWatch's DBClusterIdentifier).
    assert aurora_prod.outputs["metrics"] == {
        "kind": "aurora",
        "identifier": "webapp-dev-db",
        "replicaCount": 1,
    }
    assert aurora_prod.one("aws:rds/cluster:Cluster").inputs["clusterIdentifier"] == "webapp-dev-db"


def test_aurora_outputs_and_connection(aurora: PlanResult) -> None:
    endpoint = "webapp-dev-db.cluster-mock.us-east-1.rds.amazonaws.com"
    assert aurora.outputs["db"]["address"] == endpoint
    assert aurora.outputs["db"]["identifier"] == "webapp-dev-db"
    assert aurora.outputs["db"]["replicaIdentifiers"] == []
    assert aurora.outputs["db"]["masterSecretArn"] == CLUSTER_SECRET
    connection = aurora.outputs["connection"]
    assert connection["environment"] == {
        "DB_HOST": endpoint, "DB_PORT": "5432", "DB_NAME": "app", "DB_USER": "app_admin",
    }  # fmt: skip
    assert connection["password"]["valueFrom"] == f"{CLUSTER_SECRET}:password::"
    assert connection["password"]["resourceArn"] == CLUSTER_SECRET
    assert connection["password"]["kmsKeyArn"] == KEY_ARN


def test_aurora_prod_readers_monitoring_and_protection(aurora_prod: PlanResult) -> None:
    cluster = aurora_prod.one(CLUSTER, "db-cluster").inputs
    assert cluster["serverlessv2ScalingConfiguration"] == {"minCapacity": 1, "maxCapacity": 8}
    assert (cluster["deletionProtection"], cluster["backupRetentionPeriod"]) == (True, 14)
    reader = aurora_prod.one(CLUSTER_INSTANCE, "db-instance-2")
    writer = aurora_prod.one(CLUSTER_INSTANCE, "db-instance-1")
    assert reader.inputs == {**writer.inputs, "identifier": "webapp-dev-db-2", "promotionTier": 1}
    assert (writer.inputs["monitoringInterval"], writer.inputs["monitoringRoleArn"]) == (60, ROLE_ARN)
    attachment = aurora_prod.one(ATTACHMENT, "db-monitoring").urn
    assert attachment in writer.dependencies and attachment in reader.dependencies
    assert aurora_prod.outputs["db"]["replicaIdentifiers"] == ["webapp-dev-db-2"]
    protected = {(r.type, r.name) for r in aurora_prod.resources if r.protect}
    assert protected == {
        (KEY, "db-key"),
        (CLUSTER_PARAMS, "db-cluster-params"),
        (CLUSTER, "db-cluster"),
        (CLUSTER_INSTANCE, "db-instance-1"),
        (CLUSTER_INSTANCE, "db-instance-2"),
    }


def test_aurora_auto_pause() -> None:
    result = deploy({"engineMode": "aurora-serverless-v2", "minCapacity": 0, "secondsUntilAutoPause": 900})
    assert result.one(CLUSTER).inputs["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0,
        "maxCapacity": 2,
        "secondsUntilAutoPause": 900,
    }


# --- identifiers ----------------------------------------------------------------------------------


def test_identifier_is_derived_from_project_stack_and_name() -> None:
    result = deploy({}, name="Main_DB", stack="eu.prod")
    assert result.one(INSTANCE).inputs["identifier"] == "webapp-eu-prod-main-db"
    assert result.one(LOG_GROUP, "Main_DB-postgresql-logs").inputs["name"] == (
        "/aws/rds/instance/webapp-eu-prod-main-db/postgresql"
    )


def test_long_identifiers_are_cut_with_a_distinguishing_hash() -> None:
    a = database_identifier("webapp", "production-eu-west-1", "orders-database-primary-store")
    b = database_identifier("webapp", "production-eu-west-1", "orders-database-primary-store2")
    assert len(a) == len(b) == 50
    assert a.startswith("webapp-production-eu-west-1-orders-data")
    assert a != b
    assert "--" not in a and a[0].isalpha() and not a.endswith("-")
    assert database_identifier("1st", "dev", "db") == "db-1st-dev-db"


# --- config ---------------------------------------------------------------------------------------


def test_defaults_are_the_dev_profile() -> None:
    assert db_args({}).model_dump(by_alias=True, mode="json") == {
        "engineMode": "instance",
        "engineVersion": "17",
        "instanceClass": "db.t4g.micro",
        "allocatedStorage": 20,
        "maxAllocatedStorage": 100,
        "databaseName": "app",
        "username": "app_admin",
        "backupRetentionDays": 7,
        "backupWindow": "03:00-04:00",
        "maintenanceWindow": "sun:04:30-sun:05:30",
        "slowQueryMs": 500,
        "logRetentionDays": 7,
        "multiAz": False,
        "deletionProtection": False,
        "performanceInsights": True,
        "enhancedMonitoringSeconds": 0,
        "readReplicas": 0,
        "autoMinorVersionUpgrade": True,
        "iamAuthentication": True,
        "minCapacity": 0.5,
        "maxCapacity": 2.0,
        "secondsUntilAutoPause": None,
    }


def test_yaml_numbers_and_mixed_case_windows_are_normalised() -> None:
    args = db_args({"engineVersion": 16, "maintenanceWindow": "Sat:22:00-Sat:23:00"})
    assert (args.engine_version, args.maintenance_window) == ("16", "sat:22:00-sat:23:00")


KEY_PREFIX = "webapp:database"
MAJOR_VERSION = (
    "must be a PostgreSQL major version: 14, 15, 16, 17, 18 (AWS picks the newest minor and applies minor "
    "upgrades in the maintenance window)"
)
STORAGE = (
    "maximum storage below allocated storage: storage autoscaling needs at least 10% above "
    "allocatedStorage (100 GiB), so 110 GiB or more"
)
RESERVED_USER = (
    "must not be postgres, admin, rdsadmin or root, nor start with pg_ or rds: PostgreSQL and RDS reserve "
    "them, and password guessers try them first"
)
INSTANCE_ONLY = (
    'applies only to engineMode "instance"; remove it (Aurora storage grows by itself across three AZs; '
    "readReplicas adds failover targets)"
)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"engineMode": "aurora"},
            "engineMode = \"aurora\": must be 'instance' or 'aurora-serverless-v2'",
        ),
        (
            {"engineVersion": "13"},
            f'engineVersion = "13": {MAJOR_VERSION}',
        ),
        (
            {"engineVersion": "16.4"},
            f'engineVersion = "16.4": {MAJOR_VERSION}',
        ),
        (
            {"instanceClass": "t4g.micro"},
            'instanceClass = "t4g.micro": must be an RDS instance class "db.<family>.<size>", such as '
            '"db.t4g.micro"',
        ),
        (
            {"instanceClass": "db.t2.micro"},
            'instanceClass = "db.t2.micro": must use one of the families t4g, t3, m6g, m7g, m6i, m7i, r6g, '
            "r7g, r6i, r7i",
        ),
        (
            {"instanceClass": "db.t4g.4xlarge"},
            'instanceClass = "db.t4g.4xlarge": must use a db.t4g size: micro, small, medium, large, xlarge, '
            "2xlarge",
        ),
        (
            {"instanceClass": "db.r7g.micro"},
            'instanceClass = "db.r7g.micro": must use a db.r7g size: large, xlarge or <n>xlarge (2xlarge, '
            "4xlarge, ...)",
        ),
        (
            {"allocatedStorage": 100, "maxAllocatedStorage": 50},
            f"maxAllocatedStorage = 50: {STORAGE}",
        ),
        (
            {"allocatedStorage": 100, "maxAllocatedStorage": 109},
            f"maxAllocatedStorage = 109: {STORAGE}",
        ),
        ({"allocatedStorage": 10}, "allocatedStorage = 10: must be from 20 to 65536 GiB"),
        (
            {"engineMode": "aurora-serverless-v2", "minCapacity": 4},
            "minCapacity = 4.0: ACU minimum above maximum: must be at most maxCapacity (2.0)",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "minCapacity": 0},
            "minCapacity = 0.0: 0 ACU pauses the database when idle and needs secondsUntilAutoPause (300 to "
            "86400); set it, or keep 0.5 or more",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "secondsUntilAutoPause": 600},
            "secondsUntilAutoPause = 600: applies only with minCapacity 0 (auto-pause); minCapacity is 0.5",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "minCapacity": 0, "secondsUntilAutoPause": 60},
            "secondsUntilAutoPause = 60: must be from 300 to 86400 seconds",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "maxCapacity": 2.3},
            "maxCapacity = 2.3: must be a multiple of 0.5 ACU",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "maxCapacity": 0.5},
            "maxCapacity = 0.5: must be from 1 to 256 ACU",
        ),
        (
            {"username": "postgres"},
            f'username = "postgres": {RESERVED_USER}',
        ),
        (
            {"username": "rds_app"},
            f'username = "rds_app": {RESERVED_USER}',
        ),
        (
            {"username": "App-User"},
            "username = \"App-User\": must be 1-63 lowercase letters, digits or '_', starting with a letter",
        ),
        (
            {"databaseName": "template1"},
            'databaseName = "template1": must not be one of the built-in databases postgres, template0, '
            "template1, rdsadmin",
        ),
        (
            {"backupWindow": "04:00-05:00"},
            'maintenanceWindow = "sun:04:30-sun:05:30": overlaps backupWindow "04:00-05:00" on one or more '
            "days; RDS refuses overlapping windows, so move one of them",
        ),
        (
            {"backupWindow": "23:30-00:30", "maintenanceWindow": "mon:00:00-mon:01:00"},
            'maintenanceWindow = "mon:00:00-mon:01:00": overlaps backupWindow "23:30-00:30" on one or more '
            "days; RDS refuses overlapping windows, so move one of them",
        ),
        (
            {"backupWindow": "3:00-4:00"},
            'backupWindow = "3:00-4:00": must be a daily UTC window "hh:mm-hh:mm", such as "03:00-04:00"',
        ),
        ({"backupWindow": "03:00-03:15"}, 'backupWindow = "03:00-03:15": must be at least 30 minutes long'),
        (
            {"maintenanceWindow": "sunday:04:30-sunday:05:30"},
            'maintenanceWindow = "sunday:04:30-sunday:05:30": must be a weekly UTC window '
            '"ddd:hh:mm-ddd:hh:mm" with ddd one of mon, tue, wed, thu, fri, sat, sun, such as '
            '"sun:04:30-sun:05:30"',
        ),
        ({"backupRetentionDays": 0}, "backupRetentionDays = 0: must be from 1 to 35 days"),
        (
            {"slowQueryMs": -5},
            "slowQueryMs = -5: must be -1 (off) or from 0 (every statement) to 60000 milliseconds",
        ),
        (
            {"enhancedMonitoringSeconds": 120},
            "enhancedMonitoringSeconds = 120: must be one of 0, 1, 5, 10, 15, 30, 60 (0 turns enhanced "
            "monitoring off)",
        ),
        ({"readReplicas": 6}, "readReplicas = 6: must be from 0 to 5"),
        (
            {"readReplicas": 1},
            "readReplicas = 1: RDS cannot create read replicas of an instance whose master password it "
            'manages in Secrets Manager, as this stack does: use engineMode "aurora-serverless-v2", whose '
            "readers share the cluster's storage, or 0",
        ),
        (
            {"logRetentionDays": 10},
            "logRetentionDays = 10: must be one of CloudWatch's retention periods in days: 1, 3, 5, 7, 14, "
            "30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ),
    ],
)
def test_bad_config_names_the_key(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [f"{KEY_PREFIX}.{line}"]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"engineMode": "aurora-serverless-v2", "multiAz": True},
            f"multiAz = true: {INSTANCE_ONLY}",
        ),
        (
            {"engineMode": "aurora-serverless-v2", "instanceClass": "db.t4g.micro"},
            f'instanceClass = "db.t4g.micro": {INSTANCE_ONLY}',
        ),
        (
            {"maxCapacity": 4},
            'maxCapacity = 4.0: applies only to engineMode "aurora-serverless-v2"; remove it',
        ),
        (
            {"minCapacity": 0.5},
            'minCapacity = 0.5: applies only to engineMode "aurora-serverless-v2"; remove it',
        ),
    ],
)
def test_keys_of_the_other_engine_mode_are_refused(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [f"{KEY_PREFIX}.{line}"]


def test_several_field_problems_are_reported_together() -> None:
    assert problems({"engineVersion": "12", "username": "root", "readReplicas": -1}) == [
        f'{KEY_PREFIX}.engineVersion = "12": {MAJOR_VERSION}',
        f'{KEY_PREFIX}.username = "root": {RESERVED_USER}',
        f"{KEY_PREFIX}.readReplicas = -1: must be from 0 to 5",
    ]


# --- windows --------------------------------------------------------------------------------------


def test_window_parsing() -> None:
    assert parse_daily("23:30-00:30") == (23 * 60 + 30, 60)
    assert parse_weekly("SUN:23:00-mon:01:00") == (6 * 1440 + 23 * 60, 120)
    with pytest.raises(WindowError, match="at least 30 minutes"):
        parse_daily("10:00-10:00")


@pytest.mark.parametrize(
    ("backup", "maintenance", "expected"),
    [
        ("03:00-04:00", "sun:04:30-sun:05:30", False),
        ("03:00-04:00", "sun:04:00-sun:05:00", False),  # touching is not overlapping
        ("03:00-04:00", "wed:03:59-wed:04:30", True),
        ("23:30-00:30", "mon:00:00-mon:00:30", True),  # backup crossing midnight into Monday
        ("23:30-00:30", "sun:00:00-sun:00:30", True),  # Saturday's backup runs into Sunday
        ("01:00-02:00", "sun:23:30-mon:01:30", True),  # maintenance crossing the end of the week
        ("02:00-03:00", "sun:23:30-mon:01:30", False),
    ],
)
def test_window_overlap(backup: str, maintenance: str, expected: bool) -> None:
    assert overlaps(backup, maintenance) is expected
