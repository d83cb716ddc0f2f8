"""What the Monitoring component watches: the metrics targets the other components expose.

The target classes live in ``components.core.metrics`` (every layer builds its own); kept apart
from ``monitoring.py`` so the alarm and dashboard builders can use them without an import cycle.
``components.observability.monitoring`` re-exports every class here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.metrics import (
    CacheMetrics,
    DatabaseMetrics,
    DistributionMetrics,
    LoadBalancerMetrics,
    ServiceMetrics,
)

__all__ = [
    "CacheMetrics",
    "DatabaseMetrics",
    "DistributionMetrics",
    "LoadBalancerMetrics",
    "MonitoringTargets",
    "ServiceMetrics",
]


@dataclass(frozen=True)
class MonitoringTargets:
    """Everything to watch; ``None`` or empty means that part is off: no alarms, no widgets.

    Example::

        MonitoringTargets(load_balancer=load_balancer.metrics(api.metrics), services=[api.metrics],
                          database=database.metrics, cache=cache.metrics,
                          distribution=site.metrics(api.metrics))
    """

    load_balancer: LoadBalancerMetrics | None = None
    services: Sequence[ServiceMetrics] = field(default_factory=tuple)
    database: DatabaseMetrics | None = None
    cache: CacheMetrics | None = None
    distribution: DistributionMetrics | None = None
