"""The RDS for PostgreSQL side of the Database component: parameter group and instance."""

from typing import Any

import pulumi_aws as aws

from .database_common import CA_CERT, PORT, DatabaseContext, DatabaseEndpoint, first_secret_arn, parameters

LOG_EXPORTS = ("postgresql", "upgrade")


def build_instance(ctx: DatabaseContext) -> DatabaseEndpoint:
    """One RDS instance, Multi-AZ if asked, with its parameter group and exported-log groups.

    Example::

        endpoint = build_instance(ctx)   # ctx from the Database component
    """
    args = ctx.args
    family = args.parameter_group_family()
    parameter_group = aws.rds.ParameterGroup(
        f"{ctx.name}-params",
        # The family in the name: a major upgrade creates a new group instead of colliding.
        name=f"{ctx.identifier}-{family}",
        family=family,
        description=f"PostgreSQL settings of {ctx.identifier}",
        parameters=[
            aws.rds.ParameterGroupParameterArgs(name=n, value=v, apply_method=m)
            for n, v, m in parameters(args)
        ],
        opts=ctx.stateful(),
    )
    shared = _shared_settings(ctx, parameter_group.name)

    primary = aws.rds.Instance(
        f"{ctx.name}-instance",
        identifier=ctx.identifier,
        engine="postgres",
        # A major version only: RDS picks the newest minor and auto_minor_version_upgrade keeps it current.
        engine_version=args.engine_version,
        allocated_storage=args.allocated_storage,
        storage_encrypted=True,
        db_name=args.database_name,
        username=args.username,
        # RDS creates the password and keeps it in Secrets Manager, encrypted with this key; it
        # never passes through Pulumi state.
        manage_master_user_password=True,
        master_user_secret_kms_key_id=ctx.kms_key_arn,
        db_subnet_group_name=ctx.subnet_group_name,
        multi_az=args.multi_az,
        backup_retention_period=args.backup_retention_days,
        backup_window=args.backup_window,
        **ctx.final_snapshot(),
        **shared,
        opts=ctx.stateful(depends_on=[*_log_groups(ctx, ctx.name, ctx.identifier), *ctx.monitoring_ready]),
    )

    # No read replicas: RDS refuses them for a source whose master password it manages
    # (DatabaseArgs rejects readReplicas here; Aurora readers are the way to scale reads).
    return DatabaseEndpoint(
        address=primary.address,
        identifier=primary.identifier,
        replica_identifiers=[],
        master_secret_arn=primary.master_user_secrets.apply(first_secret_arn),
    )


def _shared_settings(ctx: DatabaseContext, parameter_group_name: Any) -> dict[str, Any]:
    """Settings of the instance beyond identity, storage size and backups."""
    args = ctx.args
    return {
        "instance_class": args.instance_class,
        "storage_type": "gp3",
        # Storage autoscaling: RDS grows the volume up to this when free space runs low.
        "max_allocated_storage": args.max_allocated_storage,
        "kms_key_id": ctx.kms_key_arn,
        "vpc_security_group_ids": [ctx.security_group_id],
        "publicly_accessible": False,
        "port": PORT,
        "parameter_group_name": parameter_group_name,
        "iam_database_authentication_enabled": args.iam_authentication,
        "auto_minor_version_upgrade": args.auto_minor_version_upgrade,
        "maintenance_window": args.maintenance_window,
        "ca_cert_identifier": CA_CERT,
        "copy_tags_to_snapshot": True,
        "deletion_protection": args.deletion_protection,
        "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS),
        # Changes wait for the maintenance window, so a config change never restarts the
        # database mid-day; apply one sooner from the console if it is urgent.
        "apply_immediately": False,
        **ctx.instance_monitoring(),
    }


def _log_groups(ctx: DatabaseContext, resource_name: str, identifier: str) -> list[aws.cloudwatch.LogGroup]:
    """RDS exports each log type to ``/aws/rds/instance/<identifier>/<type>``."""
    return [
        ctx.log_group(f"{resource_name}-{log}-logs", f"/aws/rds/instance/{identifier}/{log}")
        for log in LOG_EXPORTS
    ]
