"""The identifiers CloudWatch knows each part by, as components expose them (``database.metrics``).

Kept in the core so every layer can hand its own metrics over, and the Monitoring component (in
``observability``) takes them in ``MonitoringTargets`` without the program working them out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi


@dataclass(frozen=True)
class ServiceMetrics:
    """One ECS service; ``min_tasks`` is the fewest tasks it should ever run, its lowest scheduled
    count (0: no running-task alarm, and alarms on what it serves hold while it is off).

    Example::

        api.metrics  # ServiceMetrics(label="api", cluster_name=..., service_name=..., min_tasks=...)
    """

    label: str
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    min_tasks: int
    # (Service, Environment) as Application Signals names the service when tracing is on in that
    # mode; None otherwise (X-Ray-only traces publish no service metrics).
    application_signals: tuple[str, str] | None = None


@dataclass(frozen=True)
class LoadBalancerMetrics:
    """The ALB and its target group as CloudWatch names them (the ARN suffixes), and the service
    registered in the target group.

    With a ``service`` that a schedule scales to zero (``min_tasks`` 0), the load balancer's own
    5xx alarm, and CloudFront's when ``DistributionMetrics.service`` is that service,
    count errors only while the service should run: with no task every request gets a 503.

    Example::

        load_balancer.metrics(api.metrics)
    """

    arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    service: ServiceMetrics | None = None
    # Traffic-shifting deployments: the second target group, which serves production after every
    # other deployment, so target alarms must see both.
    alternate_target_group_arn_suffix: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class DatabaseMetrics:
    """The database: an RDS instance id, or an Aurora cluster id with its reader count.

    Aurora alarms use the cluster's WRITER/READER role metrics, as AWS advises: an instance's
    role changes with every failover, the role metrics follow it.

    Example::

        database.metrics  # DatabaseMetrics(kind="aurora", identifier=..., replica_count=1)
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

        cache.metrics  # CacheMetrics(member_cluster_ids=[...]), None for a sidecar
    """

    member_cluster_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class DistributionMetrics:
    """The CloudFront distribution, and the service it reaches through its API path (a VPC origin).

    With a ``service`` that a schedule scales to zero, the distribution's 5xx alarm counts errors
    only while the service should run.

    Example::

        site.metrics(api.metrics)  # DistributionMetrics(distribution_id=..., service=... or None)
    """

    distribution_id: pulumi.Input[str]
    service: ServiceMetrics | None = None
