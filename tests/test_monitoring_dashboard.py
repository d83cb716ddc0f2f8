"""The monitoring dashboard: seed 001's rows, with the widgets of switched-off parts left out."""

import json
from typing import Any

from components.observability.monitoring import Monitoring, MonitoringTargets
from components.observability.monitoring_args import MonitoringArgs
from components.observability.monitoring_dashboard import render
from tests.harness import run_components
from tests.test_monitoring import ALB, EVERYTHING, MINIMAL, TG

EVERYTHING_PLAIN: dict[str, Any] = {
    "lb": [ALB, TG],
    "services": [["api", "app-cluster", "api-svc"], ["worker", "app-cluster", "worker-svc"]],
    "db": ["instance", "webapp-dev-db"],
    "cache": ["cache-rg-001", "cache-rg-002"],
    "cdn": "EDISTMOCK",
    "alarms": [
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:b",
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:c",
    ],
}


def widgets(targets: MonitoringTargets, region: str) -> list[dict[str, Any]]:
    def program() -> None:
        Monitoring("ops", MonitoringArgs(), targets=targets, region=region)

    result = run_components(program, region=region)
    body = result.one("aws:cloudwatch/dashboard:Dashboard", "ops-dashboard").inputs["dashboardBody"]
    return json.loads(body)["widgets"]


def layout(found: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(w["x"], w["y"], w["properties"]["title"]) for w in found]


def test_rows_follow_seed_001() -> None:
    assert layout(widgets(EVERYTHING, "eu-west-1")) == [
        (0, 0, "ECS CPU utilization (%)"),
        (6, 0, "ECS memory utilization (%)"),
        (12, 0, "ALB requests"),
        (18, 0, "ALB target response time (s)"),
        (0, 6, "Database CPU (%) and connections"),
        (6, 6, "Cache engine CPU and memory (%)"),
        (12, 6, "CloudFront requests"),
        (18, 6, "CloudFront cache hit rate (%)"),
        (0, 12, "API errors"),
        (6, 12, "CloudFront error rate (%)"),
        (12, 12, "Alarms"),
    ]


def test_switched_off_parts_have_no_widgets() -> None:
    assert layout(widgets(MINIMAL, "us-east-1")) == [
        (0, 0, "ECS CPU utilization (%)"),
        (6, 0, "ECS memory utilization (%)"),
        (0, 6, "Database CPU (%) and connections"),
        (0, 12, "Alarms"),
    ]


def test_metrics_name_the_resources_and_cloudfront_reads_us_east_1() -> None:
    found = {
        w["properties"]["title"]: w for w in json.loads(render("eu-west-1", EVERYTHING_PLAIN))["widgets"]
    }
    cpu = found["ECS CPU utilization (%)"]["properties"]
    assert cpu["region"] == "eu-west-1"
    assert cpu["metrics"] == [
        [
            "AWS/ECS",
            "CPUUtilization",
            "ClusterName",
            "app-cluster",
            "ServiceName",
            "api-svc",
            {"label": "api"},
        ],
        [
            "AWS/ECS",
            "CPUUtilization",
            "ClusterName",
            "app-cluster",
            "ServiceName",
            "worker-svc",
            {"label": "worker"},
        ],
    ]
    latency = found["ALB target response time (s)"]["properties"]
    assert latency["metrics"][0][:6] == ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", ALB,
                                         "TargetGroup", TG]  # fmt: skip
    assert [m[-1]["stat"] for m in latency["metrics"]] == ["p50", "p95"]
    assert found["Database CPU (%) and connections"]["properties"]["metrics"][0][:4] == [
        "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "webapp-dev-db"
    ]  # fmt: skip
    cache = found["Cache engine CPU and memory (%)"]["properties"]["metrics"]
    assert [m[1:4] for m in cache] == [
        ["EngineCPUUtilization", "CacheClusterId", "cache-rg-001"],
        ["DatabaseMemoryUsagePercentage", "CacheClusterId", "cache-rg-001"],
        ["EngineCPUUtilization", "CacheClusterId", "cache-rg-002"],
        ["DatabaseMemoryUsagePercentage", "CacheClusterId", "cache-rg-002"],
    ]
    for title in ("CloudFront requests", "CloudFront cache hit rate (%)", "CloudFront error rate (%)"):
        properties = found[title]["properties"]
        assert properties["region"] == "us-east-1"
        assert properties["metrics"][0][2:6] == ["DistributionId", "EDISTMOCK", "Region", "Global"]
    alarms = found["Alarms"]
    assert alarms["type"] == "alarm"
    assert alarms["properties"]["alarms"] == ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:b"]


def test_aurora_widgets_follow_the_writer() -> None:
    plain = {**EVERYTHING_PLAIN, "db": ["aurora", "webapp-prod-db"]}
    found = {w["properties"]["title"]: w for w in json.loads(render("eu-west-1", plain))["widgets"]}
    assert found["Database CPU (%) and connections"]["properties"]["metrics"][0][:6] == [
        "AWS/RDS", "CPUUtilization", "DBClusterIdentifier", "webapp-prod-db", "Role", "WRITER"
    ]  # fmt: skip
