"""What the RDS-instance and Aurora builders of the Database component share."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .database_args import DatabaseArgs

PORT = 5432
# RSA 2048 with a 40-year CA: no forced certificate rotation for the life of the database.
CA_CERT = "rds-ca-rsa2048-g1"
# The free tier of Performance Insights.
PERFORMANCE_INSIGHTS_DAYS = 7


@dataclass(frozen=True)
class DatabaseContext:
    """The Database component's shared resources, handed to the engine-specific builder."""

    parent: pulumi.Resource
    name: str
    identifier: str
    args: DatabaseArgs
    kms_key_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    subnet_group_name: pulumi.Output[str]
    monitoring_role_arn: pulumi.Output[str] | None
    # Must exist before an instance uses the monitoring role (RDS checks it can assume it).
    monitoring_ready: Sequence[pulumi.Resource]
    protect: bool
    # Set when monitoring.logEncryption is on: the stack's CloudWatch Logs key.
    log_kms_key_arn: pulumi.Input[str] | None = None
    # An ephemeral stack's database is deleted outright: no final snapshot outlives the stack.
    ephemeral: bool = False

    def child(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, depends_on=list(depends_on))

    def stateful(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        """For what holds data or guards it: protected in production."""
        return pulumi.ResourceOptions(parent=self.parent, protect=self.protect, depends_on=list(depends_on))

    def final_snapshot(self) -> dict[str, Any]:
        """The delete-time snapshot settings: ``<identifier>-final``, or none for an ephemeral stack."""
        if self.ephemeral:
            return {"skip_final_snapshot": True}
        # Stable, so a second destroy of a re-created stack fails instead of overwriting; delete
        # the old snapshot first (or restore from it).
        return {"skip_final_snapshot": False, "final_snapshot_identifier": f"{self.identifier}-final"}

    def log_group(self, resource_name: str, group_name: str) -> aws.cloudwatch.LogGroup:
        """The group RDS would create without a retention; made first so logs expire."""
        return aws.cloudwatch.LogGroup(
            resource_name,
            name=group_name,
            retention_in_days=self.args.log_retention_days,
            kms_key_id=self.log_kms_key_arn,
            opts=self.child(),
        )

    def instance_monitoring(self) -> dict[str, Any]:
        """Performance Insights and enhanced monitoring settings of every DB instance."""
        settings: dict[str, Any] = {
            "performance_insights_enabled": self.args.performance_insights,
            "monitoring_interval": self.args.enhanced_monitoring_seconds,
        }
        if self.args.performance_insights:
            settings["performance_insights_kms_key_id"] = self.kms_key_arn
            settings["performance_insights_retention_period"] = PERFORMANCE_INSIGHTS_DAYS
        if self.monitoring_role_arn is not None:
            settings["monitoring_role_arn"] = self.monitoring_role_arn
        return settings


@dataclass(frozen=True)
class DatabaseEndpoint:
    """What a builder hands back: where to connect and the RDS-managed master secret."""

    address: pulumi.Output[str]
    identifier: pulumi.Output[str]
    replica_identifiers: list[pulumi.Output[str]]
    master_secret_arn: pulumi.Output[str]


def parameters(args: DatabaseArgs) -> list[tuple[str, str, str]]:
    """(name, value, apply method) of the parameter group, the same for RDS and Aurora."""
    return [
        # Refuse unencrypted connections (already the default from PostgreSQL 15 on RDS; stated so
        # 14 and Aurora behave the same). Dynamic: applies without a reboot.
        ("rds.force_ssl", "1", "immediate"),
        # Static (read at server start): query statistics for finding slow or frequent queries.
        ("shared_preload_libraries", "pg_stat_statements", "pending-reboot"),
        ("log_min_duration_statement", str(args.slow_query_ms), "immediate"),
    ]


def first_secret_arn(secrets: Sequence[Any]) -> str:
    """The ARN of the master user secret RDS reports (one per instance or cluster)."""
    return str(secrets[0].secret_arn)
