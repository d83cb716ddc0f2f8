"""The CloudWatch dashboard body, laid out as seed 001 describes.

Row 1: ECS CPU and memory, ALB requests and response time. Row 2: database, cache, CloudFront
requests and cache hit rate. Row 3: API errors, CloudFront error rates, alarm states. Row 4, with
tracing in applicationSignals mode: each traced service's latency, faults and errors from
Application Signals (every request, not only the sampled traces; X-Ray-only tracing publishes no
such metrics). Widgets of components that are off are left out and the rest move left; empty
rows disappear.
"""

import json
from collections.abc import Sequence
from typing import Any

import pulumi

from .monitoring_alarms import CLOUDFRONT_REGION
from .monitoring_targets import MonitoringTargets

WIDTH, HEIGHT = 6, 6  # four widgets per row on the 24-column grid


def dashboard_body(
    region: str, targets: MonitoringTargets, alarm_arns: Sequence[pulumi.Input[str]]
) -> pulumi.Output[str]:
    """The dashboard JSON once every identifier in ``targets`` is known.

    Example::

        aws.cloudwatch.Dashboard("ops", dashboard_body=dashboard_body("eu-west-1", targets, arns))
    """
    lb = targets.load_balancer
    plain: dict[str, Any] = {
        "lb": [lb.arn_suffix, lb.target_group_arn_suffix] if lb is not None else None,
        "services": [[s.label, s.cluster_name, s.service_name] for s in targets.services],
        "db": [targets.database.kind, targets.database.identifier] if targets.database else None,
        "cache": list(targets.cache.member_cluster_ids) if targets.cache is not None else [],
        "cdn": targets.distribution.distribution_id if targets.distribution is not None else None,
        "alarms": list(alarm_arns),
        "signals": [[s.label, *s.application_signals] for s in targets.services if s.application_signals],
    }
    return pulumi.Output.from_input(plain).apply(lambda v: render(region, v))


def render(region: str, v: dict[str, Any]) -> str:
    """The JSON for resolved values (see ``dashboard_body`` for the shape of ``v``)."""
    rows = [
        _ecs(region, v["services"]) + _alb_traffic(region, v["lb"]),
        _database(region, v["db"]) + _cache(region, v["cache"]) + _cdn_traffic(v["cdn"]),
        _errors(region, v["lb"]) + _cdn_errors(v["cdn"]) + _alarm_states(region, v["alarms"]),
        _application_signals(region, v.get("signals") or []),
    ]
    widgets: list[dict[str, Any]] = []
    for y, row in enumerate(r for r in rows if r):
        for x, widget in enumerate(row):
            widgets.append({"type": widget.pop("type", "metric"), "x": x * WIDTH, "y": y * HEIGHT,
                            "width": WIDTH, "height": HEIGHT, "properties": widget})  # fmt: skip
    return json.dumps({"widgets": widgets})


def _metric(
    title: str, region: str, metrics: list[list[Any]], stat: str, period: int = 300
) -> dict[str, Any]:
    return {"title": title, "region": region, "view": "timeSeries", "stacked": False,
            "metrics": metrics, "stat": stat, "period": period}  # fmt: skip


def _ecs(region: str, services: list[list[str]]) -> list[dict[str, Any]]:
    if not services:
        return []
    return [
        _metric(f"ECS {what}", region,
                [["AWS/ECS", metric, "ClusterName", c, "ServiceName", s, {"label": label}]
                 for label, c, s in services], "Average")
        for what, metric in (("CPU utilization (%)", "CPUUtilization"),
                             ("memory utilization (%)", "MemoryUtilization"))
    ]  # fmt: skip


def _alb_traffic(region: str, lb: list[str] | None) -> list[dict[str, Any]]:
    if lb is None:
        return []
    alb, tg = lb
    return [
        _metric("ALB requests", region, [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", alb]], "Sum"),
        _metric("ALB target response time (s)", region, [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb, "TargetGroup", tg,
             {"stat": "p50", "label": "p50"}],
            ["...", {"stat": "p95", "label": "p95"}],
        ], "p95", 60),
    ]  # fmt: skip


def _database(region: str, db: list[str] | None) -> list[dict[str, Any]]:
    if db is None:
        return []
    kind, identifier = db
    dims = ["DBClusterIdentifier", identifier, "Role", "WRITER"] if kind == "aurora" else [
        "DBInstanceIdentifier", identifier]  # fmt: skip
    return [
        _metric("Database CPU (%) and connections", region, [
            ["AWS/RDS", "CPUUtilization", *dims, {"label": "CPU %"}],
            ["AWS/RDS", "DatabaseConnections", *dims, {"label": "connections", "yAxis": "right"}],
        ], "Average"),
    ]  # fmt: skip


def _cache(region: str, cluster_ids: list[str]) -> list[dict[str, Any]]:
    if not cluster_ids:
        return []
    metrics: list[list[Any]] = []
    for cluster_id in cluster_ids:
        metrics += [
            ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", cluster_id,
             {"label": f"{cluster_id} engine CPU %"}],
            ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", cluster_id,
             {"label": f"{cluster_id} memory %"}],
        ]  # fmt: skip
    return [_metric("Cache engine CPU and memory (%)", region, metrics, "Average")]


def _cdn_traffic(distribution_id: str | None) -> list[dict[str, Any]]:
    if distribution_id is None:
        return []
    dims = ["DistributionId", distribution_id, "Region", "Global"]
    return [
        _metric("CloudFront requests", CLOUDFRONT_REGION, [["AWS/CloudFront", "Requests", *dims]], "Sum"),
        # Published only with the distribution's additional metrics switched on (a paid option).
        _metric("CloudFront cache hit rate (%)", CLOUDFRONT_REGION,
                [["AWS/CloudFront", "CacheHitRate", *dims]], "Average"),
    ]  # fmt: skip


def _errors(region: str, lb: list[str] | None) -> list[dict[str, Any]]:
    if lb is None:
        return []
    alb, tg = lb
    return [
        _metric("API errors", region, [
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", alb, {"label": "ALB 5xx"}],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", alb, "TargetGroup", tg,
             {"label": "API 5xx"}],
            ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", alb, "TargetGroup", tg,
             {"label": "API 4xx"}],
        ], "Sum"),
    ]  # fmt: skip


def _cdn_errors(distribution_id: str | None) -> list[dict[str, Any]]:
    if distribution_id is None:
        return []
    dims = ["DistributionId", distribution_id, "Region", "Global"]
    return [
        _metric("CloudFront error rate (%)", CLOUDFRONT_REGION, [
            ["AWS/CloudFront", "5xxErrorRate", *dims, {"label": "5xx"}],
            ["AWS/CloudFront", "4xxErrorRate", *dims, {"label": "4xx"}],
        ], "Average"),
    ]  # fmt: skip


def _alarm_states(region: str, alarm_arns: list[str]) -> list[dict[str, Any]]:
    if not alarm_arns:
        return []
    # An alarm widget lists alarms of the dashboard's region; the us-east-1 CloudFront alarm is in
    # the CloudWatch console of us-east-1.
    own = [arn for arn in alarm_arns if f":{region}:" in arn]
    if not own:
        return []
    return [{"type": "alarm", "title": "Alarms", "alarms": sorted(own)}]


# Application Signals' service metrics: Latency (ms), Fault (5xx) and Error (4xx) per request.
SIGNALS_NAMESPACE = "ApplicationSignals"


def _application_signals(region: str, services: list[list[str]]) -> list[dict[str, Any]]:
    """Latency percentiles and fault/error counts of each traced service (label, Service, Environment)."""
    if not services:
        return []

    def series(metric: str, label: str, service: str, environment: str, **extra: Any) -> list[Any]:
        dims = ["Service", service, "Environment", environment]
        return [SIGNALS_NAMESPACE, metric, *dims, {"label": label, **extra}]

    latency = [
        series("Latency", f"{label} {stat}", service, env, stat=stat)
        for label, service, env in services
        for stat in ("p50", "p99")
    ]
    faults = [
        series(metric, f"{label} {what}", service, env)
        for label, service, env in services
        for metric, what in (("Fault", "faults (5xx)"), ("Error", "errors (4xx)"))
    ]
    return [
        _metric("Traced latency (ms, Application Signals)", region, latency, "p99", 60),
        _metric("Traced faults and errors (Application Signals)", region, faults, "Sum", 60),
    ]
