"""The built-in CloudWatch alarms: which metric each watches, per monitored component.

Each builder returns plain ``AlarmSpec`` values (no resources), so the component decides where
they live and tests can read them. ``treat_missing_data`` per alarm:

* ``notBreaching`` for error counts, rates, latency and utilisation: no datapoint means no
  requests or no running tasks (dev scales to zero at night), not a problem.
* ``breaching`` for the running-task count: Container Insights reporting nothing for a service
  that should run tasks is the failure the alarm exists for.

A service that a schedule scales to zero (``ServiceMetrics.min_tasks`` 0) must not page while it
is off. Most of its alarms simply get no data then; the load balancer answers every request itself
with a 503, though, and CloudFront counts those 503s in its error rate. Those two alarms then watch
``IF(FILL(desired, 0) > 0, FILL(watched, 0), 0)`` (``while_running``): the metric while the
service's desired task count was above 0 for the whole period, 0 otherwise. They stay effective
while it should run (no healthy task then still pages), unlike gating on the healthy-host count.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .monitoring_args import MonitoringArgs
from .monitoring_targets import CacheMetrics, DatabaseMetrics, LoadBalancerMetrics, ServiceMetrics

# CloudFront publishes its metrics only in us-east-1, with the dimension Region=Global.
CLOUDFRONT_REGION = "us-east-1"
_GIB = 1024**3
_MIB = 1024**2


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm to create: ``suffix`` completes its name ``<project>-<stack>-<suffix>``."""

    key: str
    suffix: str
    description: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    comparison: str
    threshold: float
    evaluation_periods: int
    period: int
    treat_missing_data: str
    statistic: str | None = None
    extended_statistic: str | None = None
    # None: the stack's region; CloudFront's alarm lives in us-east-1.
    region: str | None = None
    # Set: count the metric only while this service should run tasks (see the module docstring).
    while_running: ServiceMetrics | None = None


# The metric where the service wanted tasks through the whole period, else 0. FILL: a period with no
# 5xx (or, for a service with no task, no Container Insights datapoint) has no value at all.
GATE_EXPRESSION = "IF(FILL(desired, 0) > 0, FILL(watched, 0), 0)"


def metric_queries(spec: AlarmSpec) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """The alarm's metric math for a ``while_running`` spec: the metric, the service's desired
    count (Container Insights, always on: ClusterArgs refuses ``disabled``), and the gate."""
    service = spec.while_running
    if service is None:
        raise ValueError(f"alarm {spec.suffix} has no while_running service")
    query = aws.cloudwatch.MetricAlarmMetricQueryArgs
    metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs
    return [
        query(
            id="watched",
            metric=metric(
                namespace=spec.namespace,
                metric_name=spec.metric_name,
                dimensions=dict(spec.dimensions),
                stat=spec.statistic or spec.extended_statistic or "",
                period=spec.period,
            ),
            return_data=False,
        ),
        query(
            id="desired",
            metric=metric(
                namespace="ECS/ContainerInsights",
                metric_name="DesiredTaskCount",
                dimensions={"ClusterName": service.cluster_name, "ServiceName": service.service_name},
                # Minimum: open only when tasks were wanted through the whole period, so the 503s
                # of the minutes around a scheduled stop or start do not count.
                stat="Minimum",
                period=spec.period,
            ),
            return_data=False,
        ),
        query(
            id="gated",
            expression=GATE_EXPRESSION,
            label=f"{spec.metric_name} while {service.label} should run",
            return_data=True,
        ),
    ]


def _spec(
    args: MonitoringArgs,
    key: str,
    suffix: str,
    description: str,
    *,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    statistic: str,
    comparison: str = "GreaterThanThreshold",
    missing: str = "notBreaching",
    scale: float = 1,
    threshold: float | None = None,
    region: str | None = None,
    while_running: ServiceMetrics | None = None,
) -> list[AlarmSpec]:
    setting = args.alarm(key)
    if not setting.enabled:
        return []
    percentile = statistic.startswith("p")
    value = setting.threshold if threshold is None else threshold
    minutes = setting.evaluation_periods * setting.period_seconds // 60
    while_text = f", while {while_running.label} should run" if while_running is not None else ""
    return [
        AlarmSpec(
            key=key,
            suffix=suffix,
            description=f"{description} (for {minutes} min{while_text})",
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            comparison=comparison,
            threshold=value * scale,
            evaluation_periods=setting.evaluation_periods,
            period=setting.period_seconds,
            treat_missing_data=missing,
            statistic=None if percentile else statistic,
            extended_statistic=statistic if percentile else None,
            region=region,
            while_running=while_running,
        )
    ]


def _off_on_schedule(service: ServiceMetrics | None) -> ServiceMetrics | None:
    """The service if a schedule takes it to zero tasks (its alarms then need the gate)."""
    return service if service is not None and service.min_tasks == 0 else None


def load_balancer_alarms(args: MonitoringArgs, lb: LoadBalancerMetrics) -> list[AlarmSpec]:
    """5xx from the ALB itself and from the targets, p95 latency, unhealthy targets.

    Only the ALB's own 5xx count needs the gate for a service off on schedule: without targets
    there are no target 5xx, no latency and no unhealthy host (ECS deregisters a task before it
    stops it, and a starting task is "initial", not unhealthy).

    With an alternate target group (traffic-shifting deployments), production moves between the
    two groups at every deployment: the target 5xx and latency alarms then watch the whole load
    balancer (its only targets are the API's), and each group gets its own unhealthy-host alarm.
    """
    alb = {"LoadBalancer": lb.arn_suffix}
    both = {"LoadBalancer": lb.arn_suffix, "TargetGroup": lb.target_group_arn_suffix}
    shifting = lb.alternate_target_group_arn_suffix is not None
    targets = alb if shifting else both
    t = {k: args.alarm(k).threshold for k in ("albElb5xx", "albTarget5xx", "albLatencyP95")}
    alarms = [
        *_spec(args, "albElb5xx", "alb-elb-5xx",
               f"More than {t['albElb5xx']:g} 5xx responses generated by the load balancer itself "
               "per period: no healthy target, or targets refusing connections",
               namespace="AWS/ApplicationELB", metric="HTTPCode_ELB_5XX_Count", dimensions=alb,
               statistic="Sum", while_running=_off_on_schedule(lb.service)),
        *_spec(args, "albTarget5xx", "alb-target-5xx",
               f"More than {t['albTarget5xx']:g} 5xx responses from the API tasks per period",
               namespace="AWS/ApplicationELB", metric="HTTPCode_Target_5XX_Count", dimensions=targets,
               statistic="Sum"),
        *_spec(args, "albLatencyP95", "alb-latency-p95",
               f"95th percentile API response time above {t['albLatencyP95']:g} s",
               namespace="AWS/ApplicationELB", metric="TargetResponseTime", dimensions=targets,
               statistic="p95"),
        *_spec(args, "albUnhealthyHosts", "alb-unhealthy-hosts",
               "API tasks failing the load balancer health check",
               namespace="AWS/ApplicationELB", metric="UnHealthyHostCount", dimensions=both,
               statistic="Maximum"),
    ]  # fmt: skip
    if lb.alternate_target_group_arn_suffix is not None:
        alternate = {"LoadBalancer": lb.arn_suffix, "TargetGroup": lb.alternate_target_group_arn_suffix}
        alarms += _spec(
            args, "albUnhealthyHosts", "alb-unhealthy-hosts-alternate",
            "API tasks failing the load balancer health check (alternate target group)",
            namespace="AWS/ApplicationELB", metric="UnHealthyHostCount", dimensions=alternate,
            statistic="Maximum",
        )  # fmt: skip
    return alarms


# The alarms a service behind the load balancer rolls a deployment back on: errors and failing
# health checks of its tasks. Latency is left out (a cold start may be slow without being broken),
# CPU and memory too (a new version may use more of either and still be right).
DEPLOYMENT_ALARM_KEYS = ("albTarget5xx", "albUnhealthyHosts")


def alarm_name_prefix() -> str:
    """``<project>-<stack>``: every built-in alarm is named ``<prefix>-<suffix>``."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}"


def deployment_alarm_names(args: MonitoringArgs, *, traffic_shifting: bool) -> list[str]:
    """The names Monitoring gives the API's deployment alarms (the enabled ones of
    ``DEPLOYMENT_ALARM_KEYS``), known before any resource exists.

    The service refers to them by name because Monitoring is created after it (it watches the
    service's own name); derived from the same specs Monitoring creates, so they cannot drift.

    Example::

        ContainerService("api", ..., deployment_alarm_names=deployment_alarm_names(
            config.monitoring, traffic_shifting=True))
        # ["webapp-prod-alb-target-5xx", "webapp-prod-alb-unhealthy-hosts", ...-alternate"]
    """
    placeholder = LoadBalancerMetrics(
        arn_suffix="",
        target_group_arn_suffix="",
        alternate_target_group_arn_suffix="" if traffic_shifting else None,
    )
    prefix = alarm_name_prefix()
    return [
        f"{prefix}-{spec.suffix}"
        for spec in load_balancer_alarms(args, placeholder)
        if spec.key in DEPLOYMENT_ALARM_KEYS
    ]


def service_alarms(args: MonitoringArgs, service: ServiceMetrics) -> list[AlarmSpec]:
    """CPU and memory of one ECS service, and its running tasks against its minimum."""
    dims = {"ClusterName": service.cluster_name, "ServiceName": service.service_name}
    label = service.label
    alarms = [
        *_spec(args, "ecsCpu", f"{label}-cpu",
               f"ECS service {label}: average CPU above {args.alarm('ecsCpu').threshold:g}%",
               namespace="AWS/ECS", metric="CPUUtilization", dimensions=dims, statistic="Average"),
        *_spec(args, "ecsMemory", f"{label}-memory",
               f"ECS service {label}: average memory above {args.alarm('ecsMemory').threshold:g}%",
               namespace="AWS/ECS", metric="MemoryUtilization", dimensions=dims, statistic="Average"),
    ]  # fmt: skip
    if service.min_tasks > 0:
        alarms += _spec(
            args, "ecsRunningTasks", f"{label}-running-tasks",
            f"ECS service {label}: fewer than {service.min_tasks} running tasks",
            namespace="ECS/ContainerInsights", metric="RunningTaskCount", dimensions=dims,
            statistic="Minimum", comparison="LessThanThreshold", missing="breaching",
            threshold=service.min_tasks,
        )  # fmt: skip
    return alarms


def database_alarms(args: MonitoringArgs, db: DatabaseMetrics) -> list[AlarmSpec]:
    """RDS instance: CPU, storage, memory, connections. Aurora: the writer's CPU, connections and
    ACU use, and reader lag when readers exist (Aurora storage grows by itself)."""
    ns = "AWS/RDS"
    t = {k: args.alarm(k).threshold for k in ("dbCpu", "dbConnections", "dbFreeStorage", "dbFreeableMemory")}
    if db.kind == "aurora":
        writer = {"DBClusterIdentifier": db.identifier, "Role": "WRITER"}
        alarms = [
            *_spec(args, "dbCpu", "db-cpu", f"Aurora writer CPU above {t['dbCpu']:g}%",
                   namespace=ns, metric="CPUUtilization", dimensions=writer, statistic="Average"),
            *_spec(args, "dbConnections", "db-connections",
                   f"More than {t['dbConnections']:g} connections to the Aurora writer",
                   namespace=ns, metric="DatabaseConnections", dimensions=writer, statistic="Maximum"),
            *_spec(args, "dbAcuUtilization", "db-acu",
                   f"Aurora writer above {args.alarm('dbAcuUtilization').threshold:g}% of its maximum "
                   "capacity (ACUs): raise maxCapacity", namespace=ns, metric="ACUUtilization",
                   dimensions=writer, statistic="Average"),
        ]  # fmt: skip
        if db.replica_count > 0:
            lag = args.alarm("dbReplicaLag").threshold
            alarms += _spec(
                args, "dbReplicaLag", "db-replica-lag",
                f"An Aurora reader lags the writer by more than {lag:g} s",
                namespace=ns, metric="AuroraReplicaLag",
                dimensions={"DBClusterIdentifier": db.identifier, "Role": "READER"},
                statistic="Maximum", scale=1000,  # the metric is in milliseconds
            )  # fmt: skip
        return alarms
    instance = {"DBInstanceIdentifier": db.identifier}
    return [
        *_spec(args, "dbCpu", "db-cpu", f"Database CPU above {t['dbCpu']:g}%",
               namespace=ns, metric="CPUUtilization", dimensions=instance, statistic="Average"),
        *_spec(args, "dbFreeStorage", "db-free-storage",
               f"Less than {t['dbFreeStorage']:g} GiB of database storage free: storage autoscaling "
               "has reached maxAllocatedStorage", namespace=ns, metric="FreeStorageSpace",
               dimensions=instance, statistic="Minimum", comparison="LessThanThreshold", scale=_GIB),
        *_spec(args, "dbFreeableMemory", "db-freeable-memory",
               f"Less than {t['dbFreeableMemory']:g} MiB of database memory free",
               namespace=ns, metric="FreeableMemory", dimensions=instance, statistic="Minimum",
               comparison="LessThanThreshold", scale=_MIB),
        *_spec(args, "dbConnections", "db-connections",
               f"More than {t['dbConnections']:g} database connections",
               namespace=ns, metric="DatabaseConnections", dimensions=instance, statistic="Maximum"),
    ]  # fmt: skip


def cache_alarms(args: MonitoringArgs, cache: CacheMetrics) -> list[AlarmSpec]:
    """Engine CPU, memory use and evictions of every member cluster (node) of the cache."""
    alarms: list[AlarmSpec] = []
    cpu, memory = args.alarm("cacheEngineCpu").threshold, args.alarm("cacheMemory").threshold
    evictions = args.alarm("cacheEvictions").threshold
    for n, cluster_id in enumerate(cache.member_cluster_ids, start=1):
        dims = {"CacheClusterId": cluster_id}
        alarms += [
            *_spec(args, "cacheEngineCpu", f"cache-{n}-engine-cpu",
                   f"Cache node {n}: engine (main thread) CPU above {cpu:g}%",
                   namespace="AWS/ElastiCache", metric="EngineCPUUtilization", dimensions=dims,
                   statistic="Average"),
            *_spec(args, "cacheMemory", f"cache-{n}-memory",
                   f"Cache node {n}: more than {memory:g}% of maxmemory used",
                   namespace="AWS/ElastiCache", metric="DatabaseMemoryUsagePercentage", dimensions=dims,
                   statistic="Average"),
            *_spec(args, "cacheEvictions", f"cache-{n}-evictions",
                   f"Cache node {n}: more than {evictions:g} keys evicted per period (memory full)",
                   namespace="AWS/ElastiCache", metric="Evictions", dimensions=dims, statistic="Sum"),
        ]  # fmt: skip
    return alarms


def distribution_alarms(
    args: MonitoringArgs,
    distribution_id: pulumi.Input[str],
    *,
    api_service: ServiceMetrics | None = None,
    region: str = CLOUDFRONT_REGION,
) -> list[AlarmSpec]:
    """CloudFront's 5xx error rate, as a percentage of all requests.

    With an ``api_service`` off on schedule, the rate counts only while it should run (the site's
    own 5xx go unwatched while it is off). An alarm reads metrics of its own region only, so the
    gate needs the stack in us-east-1, where CloudFront publishes; elsewhere the alarm stays ungated.
    """
    rate = args.alarm("cdn5xxRate").threshold
    gate = _off_on_schedule(api_service) if region == CLOUDFRONT_REGION else None
    return _spec(
        args, "cdn5xxRate", "cdn-5xx-rate", f"More than {rate:g}% of CloudFront responses are 5xx",
        namespace="AWS/CloudFront", metric="5xxErrorRate",
        dimensions={"DistributionId": distribution_id, "Region": "Global"}, statistic="Average",
        region=CLOUDFRONT_REGION, while_running=gate,
    )  # fmt: skip
