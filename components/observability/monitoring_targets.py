"""What the Monitoring component watches: typed identifiers handed over by the other components.

Kept apart from ``monitoring.py`` so the alarm and dashboard builders can use them without an
import cycle; ``components.observability.monitoring`` re-exports every class here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi


@dataclass(frozen=True)
class ServiceMetrics:
    """One ECS service; ``min_tasks`` is the fewest tasks it should ever run, its lowest scheduled
    count (0: no running-task alarm, and alarms on what it serves hold while it is off).

    Example::

        ServiceMetrics(label="api", cluster_name=cluster.name, service_name=api.service_name,
                       min_tasks=api.lowest_min_count)
    """

    label: str
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    min_tasks: int


@dataclass(frozen=True)
class LoadBalancerMetrics:
    """The ALB and its target group as CloudWatch names them (the ARN suffixes), and the service
    registered in the target group.

    With a ``service`` that a schedule scales to zero (``min_tasks`` 0), the load balancer's own
    5xx alarm, and CloudFront's when ``MonitoringTargets.distribution_service`` is that service,
    count errors only while the service should run: with no task every request gets a 503.

    Example::

        LoadBalancerMetrics(arn_suffix=lb.arn_suffix, target_group_arn_suffix=lb.target_group_arn_suffix,
                            service=api_metrics)
    """

    arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    service: ServiceMetrics | None = None


@dataclass(frozen=True)
class DatabaseMetrics:
    """The database: an RDS instance id, or an Aurora cluster id with its reader count.

    Aurora alarms use the cluster's WRITER/READER role metrics, as AWS advises: an instance's
    role changes with every failover, the role metrics follow it.

    Example::

        DatabaseMetrics(kind="instance", identifier=db.instance_identifier)
        DatabaseMetrics(kind="aurora", identifier=db.instance_identifier,
                        replica_count=len(db.replica_identifiers))
    """

    kind: Literal["instance", "aurora"]
    identifier: pulumi.Input[str]
    replica_count: int = 0


@dataclass(frozen=True)
class CacheMetrics:
    """The ElastiCache member clusters (``<replication group id>-001``, ...).

    ElastiCache publishes host and engine metrics per cache cluster (one node each in a
    replication group without cluster mode), not per replication group.

    Example::

        CacheMetrics(member_cluster_ids=cache.member_cluster_ids)
    """

    member_cluster_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class MonitoringTargets:
    """Everything to watch; ``None`` or empty means that part is off: no alarms, no widgets.

    Example::

        MonitoringTargets(load_balancer=LoadBalancerMetrics(...), services=[api_metrics],
                          database=DatabaseMetrics(...), cache=None, distribution_id=site.distribution_id,
                          distribution_service=api_metrics)
    """

    load_balancer: LoadBalancerMetrics | None = None
    services: Sequence[ServiceMetrics] = field(default_factory=tuple)
    database: DatabaseMetrics | None = None
    cache: CacheMetrics | None = None
    distribution_id: pulumi.Input[str] | None = None
    # The service behind the distribution's API path (a VPC origin), if any.
    distribution_service: ServiceMetrics | None = None
