"""What every component promises: outputs declared once, and the metrics targets it hands Monitoring."""

from typing import Any

import pulumi
import pytest

from components import (
    ApiOrigin,
    Cache,
    CacheArgs,
    ContainerService,
    ContainerServiceArgs,
    LoadBalancer,
    LoadBalancerArgs,
    ServiceMetrics,
    StaticSite,
    StaticSiteArgs,
    validate_config,
)
from components.core.outputs import register_declared_outputs
from components.core.wiring import ClusterRef, ImageRef
from tests.harness import run_components

API_SERVICE = ServiceMetrics(label="api", cluster_name="app-cluster", service_name="api-svc", min_tasks=1)


class _Declared(pulumi.ComponentResource):
    name_out: pulumi.Output[str]
    count: int
    ids: list[pulumi.Output[str]]
    maybe: pulumi.Output[str] | None
    child: pulumi.CustomResource

    def __init__(self, name: str, *, assign_all: bool = True) -> None:
        super().__init__("test:index:Declared", name, None, None)
        self.name_out = pulumi.Output.from_input("n")
        self.count = 2
        self.maybe = None
        self.child = pulumi.CustomResource(
            "test:index:Child", f"{name}-child", {}, pulumi.ResourceOptions(parent=self)
        )
        if assign_all:
            self.ids = [pulumi.Output.from_input("a")]
        self.registered = register_declared_outputs(self)


def test_every_annotated_output_is_registered_under_its_own_name_and_objects_are_left_out() -> None:
    captured: dict[str, Any] = {}

    def program() -> None:
        captured["keys"] = sorted(_Declared("d").registered)

    run_components(program)
    assert captured["keys"] == ["count", "ids", "name_out"]


def test_an_annotated_output_never_assigned_fails_at_construction() -> None:
    with pytest.raises(AttributeError, match="ids"):
        run_components(lambda: _Declared("d", assign_all=False) and None)


def metrics_of(build: Any) -> dict[str, Any]:
    """Run ``build`` (returning a dict of metrics dataclasses) and return their resolved fields."""

    def program() -> None:
        for key, value in build().items():
            pulumi.export(key, None if value is None else {k: v for k, v in vars(value).items()})

    return run_components(program).outputs


def test_service_metrics_name_its_cluster_service_and_lowest_scheduled_count() -> None:
    def build() -> dict[str, Any]:
        args = validate_config(
            ContainerServiceArgs,
            {"port": 8000, "minCount": 2, "desiredCount": 2, "maxCount": 4, "autoscaling": {"schedules": [
                {"name": "night", "schedule": "cron(0 22 * * ? *)", "minCount": 0, "maxCount": 0}]}},
            "webapp:service",
        )  # fmt: skip
        worker = ContainerService(
            "worker-mail",
            args,
            cluster=ClusterRef("app-cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/app-cluster"),
            vpc_id="vpc-1",
            subnet_ids=["subnet-a"],
            image=ImageRef("public.ecr.aws/app:1", None),
            secrets={},
        )
        return {"service": worker.metrics}

    service = metrics_of(build)["service"]
    assert service == {"label": "worker-mail", "cluster_name": "app-cluster",
                       "service_name": "worker-mail-svc-mock", "min_tasks": 0,
                       "application_signals": None}  # fmt: skip


def test_load_balancer_metrics_are_its_arn_suffixes_with_the_service_behind_it() -> None:
    def build() -> dict[str, Any]:
        lb = LoadBalancer(
            "api", LoadBalancerArgs(), vpc_id="vpc-1", public_subnet_ids=["p"], private_subnet_ids=["q"],
            container_port=8000,
        )  # fmt: skip
        pulumi.export("suffixes", [lb.arn_suffix, lb.target_group_arn_suffix])
        return {"lb": lb.metrics(API_SERVICE)}

    outputs = metrics_of(build)
    assert [outputs["lb"]["arn_suffix"], outputs["lb"]["target_group_arn_suffix"]] == outputs["suffixes"]
    assert outputs["lb"]["service"] == API_SERVICE


@pytest.mark.parametrize(("api", "service"), [(True, API_SERVICE), (False, None)])
def test_site_metrics_count_the_api_service_only_when_the_distribution_serves_it(
    api: bool, service: ServiceMetrics | None
) -> None:
    origin = ApiOrigin(load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/b",
                       load_balancer_dns_name="internal-a.elb.amazonaws.com",
                       load_balancer_security_group_id="sg-alb", vpc_id="vpc-1")  # fmt: skip

    def build() -> dict[str, Any]:
        site = StaticSite("site", StaticSiteArgs(), api=origin if api else None)
        return {"site": site.metrics(API_SERVICE)}

    assert metrics_of(build)["site"] == {"distribution_id": "mock-site-cdn", "service": service}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"mode": "sidecar"}, None),
        ({"mode": "elasticache", "nodeCount": 2, "automaticFailover": True},
         {"member_cluster_ids": ["cache-rg-mock-001", "cache-rg-mock-002"]}),
    ],
)  # fmt: skip
def test_cache_metrics_are_the_member_clusters_and_none_for_a_sidecar(
    config: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    def build() -> dict[str, Any]:
        args = validate_config(CacheArgs, config, "webapp:cache")
        return {"cache": Cache("cache", args, vpc_id="vpc-1", subnet_ids=["i1", "i2"]).metrics}

    assert metrics_of(build)["cache"] == expected
