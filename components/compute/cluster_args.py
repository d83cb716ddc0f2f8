"""Config model for the Cluster component (stack config key ``<project>:cluster``)."""

from enum import StrEnum
from typing import Any

from pydantic import field_validator

from ..core._model import ConfigModel


class ContainerInsights(StrEnum):
    """CloudWatch Container Insights level for the cluster.

    ``enabled``: cluster- and service-level metrics; ``enhanced``: adds task- and container-level
    metrics (more CloudWatch metrics, so a higher bill). ``disabled`` is not offered: Security
    Hub control ECS.12 requires Container Insights.
    """

    ENABLED = "enabled"
    ENHANCED = "enhanced"


class ClusterArgs(ConfigModel):
    """Everything the Cluster component needs; profiles fill more defaults.

    Example::

        ClusterArgs(container_insights=ContainerInsights.ENHANCED)  # {containerInsights: enhanced}
    """

    container_insights: ContainerInsights = ContainerInsights.ENABLED

    @field_validator("container_insights", mode="before")
    @classmethod
    def _insights_stay_on(cls, value: Any) -> Any:
        if value == "disabled":
            raise ValueError(
                "must be 'enabled' or 'enhanced': Container Insights stays on (Security Hub ECS.12)"
            )
        return value
