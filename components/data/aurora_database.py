"""The Aurora Serverless v2 side of the Database component: cluster, writer and reader instances."""

import pulumi_aws as aws

from .database_common import CA_CERT, PORT, DatabaseContext, DatabaseEndpoint, first_secret_arn, parameters

LOG_EXPORTS = ("postgresql",)
SERVERLESS_CLASS = "db.serverless"


def build_aurora(ctx: DatabaseContext) -> DatabaseEndpoint:
    """An Aurora PostgreSQL cluster with one ``db.serverless`` writer and ``readReplicas`` readers.

    Example::

        endpoint = build_aurora(ctx)   # ctx from the Database component
    """
    args = ctx.args
    family = args.parameter_group_family()
    parameter_group = aws.rds.ClusterParameterGroup(
        f"{ctx.name}-cluster-params",
        # The family in the name: a major upgrade creates a new group instead of colliding.
        name=f"{ctx.identifier}-{family}",
        family=family,
        description=f"Aurora PostgreSQL settings of {ctx.identifier}",
        parameters=[
            aws.rds.ClusterParameterGroupParameterArgs(name=n, value=v, apply_method=m)
            for n, v, m in parameters(args)
        ],
        opts=ctx.stateful(),
    )
    # Aurora exports each log type to /aws/rds/cluster/<cluster identifier>/<type>.
    log_groups = [
        ctx.log_group(f"{ctx.name}-{log}-logs", f"/aws/rds/cluster/{ctx.identifier}/{log}")
        for log in LOG_EXPORTS
    ]

    cluster = aws.rds.Cluster(
        f"{ctx.name}-cluster",
        cluster_identifier=ctx.identifier,
        engine="aurora-postgresql",
        # Serverless v2 instances live in a "provisioned" cluster.
        engine_mode="provisioned",
        # A major version only: Aurora picks the newest minor and auto minor upgrades keep it current.
        engine_version=args.engine_version,
        serverlessv2_scaling_configuration=aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
            min_capacity=args.min_capacity,
            max_capacity=args.max_capacity,
            seconds_until_auto_pause=args.seconds_until_auto_pause,
        ),
        database_name=args.database_name,
        master_username=args.username,
        # RDS creates the password and keeps it in Secrets Manager, encrypted with this key; it
        # never passes through Pulumi state.
        manage_master_user_password=True,
        master_user_secret_kms_key_id=ctx.kms_key_arn,
        storage_encrypted=True,
        kms_key_id=ctx.kms_key_arn,
        iam_database_authentication_enabled=args.iam_authentication,
        port=PORT,
        db_subnet_group_name=ctx.subnet_group_name,
        vpc_security_group_ids=[ctx.security_group_id],
        db_cluster_parameter_group_name=parameter_group.name,
        backup_retention_period=args.backup_retention_days,
        preferred_backup_window=args.backup_window,
        preferred_maintenance_window=args.maintenance_window,
        copy_tags_to_snapshot=True,
        **ctx.final_snapshot(),
        deletion_protection=args.deletion_protection,
        enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
        # Changes wait for the maintenance window, so a config change never restarts the
        # database mid-day.
        apply_immediately=False,
        opts=ctx.stateful(depends_on=log_groups),
    )

    # Numbered, not named writer/reader: after a failover any of them may be the writer.
    instances = [
        aws.rds.ClusterInstance(
            f"{ctx.name}-instance-{n}",
            identifier=f"{ctx.identifier}-{n}",
            cluster_identifier=cluster.id,
            engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            engine_version=cluster.engine_version,
            instance_class=SERVERLESS_CLASS,
            db_subnet_group_name=ctx.subnet_group_name,
            publicly_accessible=False,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            ca_cert_identifier=CA_CERT,
            copy_tags_to_snapshot=True,
            preferred_maintenance_window=args.maintenance_window,
            # Readers in tiers 0-1 scale with the writer, so a failover lands on a warm instance.
            promotion_tier=0 if n == 1 else 1,
            apply_immediately=False,
            **ctx.instance_monitoring(),
            opts=ctx.stateful(depends_on=ctx.monitoring_ready),
        )
        for n in range(1, args.read_replicas + 2)
    ]

    return DatabaseEndpoint(
        # The cluster (writer) endpoint follows the writer through failovers.
        address=cluster.endpoint,
        identifier=cluster.cluster_identifier,
        replica_identifiers=[i.identifier for i in instances[1:]],
        master_secret_arn=cluster.master_user_secrets.apply(first_secret_arn),
    )
