"""Config model for the Cluster component (stack config key ``<project>:cluster``)."""

from typing import Any

from pydantic import field_validator

from ..core._model import ConfigEnum, ConfigModel
from ..core.log_retention import RetentionDays


class ContainerInsights(ConfigEnum):
    """CloudWatch Container Insights level for the cluster.

    ``disabled`` is not offered: Security Hub control ECS.12 requires Container Insights.
    """

    ENABLED = "enabled"
    """Cluster- and service-level metrics."""
    ENHANCED = "enhanced"
    """Adds task- and container-level metrics (more CloudWatch metrics, so a higher bill)."""


class ClusterArgs(ConfigModel):
    """Everything the Cluster component needs; profiles fill more defaults.

    Example::

        ClusterArgs(container_insights=ContainerInsights.ENHANCED)  # {containerInsights: enhanced}
        ClusterArgs(exec_log_retention_days=365)                   # {execLogRetentionDays: 365}
    """

    container_insights: ContainerInsights = ContainerInsights.ENABLED
    """How detailed the cluster's Container Insights metrics are; it stays on (Security Hub ECS.12)."""
    exec_log_retention_days: RetentionDays = 90
    """Days the ECS Exec session log keeps commands and output (exists once a service enables exec)."""

    @field_validator("container_insights", mode="before")
    @classmethod
    def _insights_stay_on(cls, value: Any) -> Any:
        if value == "disabled":
            raise ValueError(
                "must be 'enabled' or 'enhanced': Container Insights stays on (Security Hub ECS.12)"
            )
        return value
