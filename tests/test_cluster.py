"""The Cluster component: Container Insights, ECS Exec logging, Fargate capacity providers."""

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.compute.cluster import Cluster
from components.compute.cluster_args import ClusterArgs, ContainerInsights
from tests.harness import PlanResult, run_components

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/app-cluster-mock"


def build(args: ClusterArgs | None = None) -> PlanResult:
    def program() -> None:
        cluster = Cluster("app", args or ClusterArgs())
        # Stands in for a ContainerService: consumes the ref the way a service would.
        aws.ecs.Service("svc", cluster=cluster.ref.arn)
        pulumi.export("name", cluster.name)
        pulumi.export("arn", cluster.arn)
        pulumi.export("refName", cluster.ref.name)

    return run_components(program)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build()


def test_container_insights_on_and_exec_logging_default(default: PlanResult) -> None:
    cluster = default.one(CLUSTER, "app-cluster")
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert cluster.inputs["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert cluster.parent == default.one("webapp:index:Cluster", "app").urn


def test_enhanced_container_insights() -> None:
    result = build(ClusterArgs(container_insights=ContainerInsights.ENHANCED))
    assert result.one(CLUSTER).inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_fargate_and_spot_with_spot_as_the_default(default: PlanResult) -> None:
    capacity = default.one(CAPACITY, "app-capacity")
    assert capacity.inputs == {
        "clusterName": "app-cluster-mock",
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    }
    assert default.one(CLUSTER).urn in capacity.dependencies


def test_outputs_and_ref(default: PlanResult) -> None:
    assert default.outputs == {"name": "app-cluster-mock", "arn": CLUSTER_ARN, "refName": "app-cluster-mock"}


def test_consumers_of_the_ref_wait_for_the_capacity_providers(default: PlanResult) -> None:
    service = default.one("aws:ecs/service:Service", "svc")
    assert service.inputs["cluster"] == CLUSTER_ARN
    assert default.one(CAPACITY).urn in service.dependencies


def test_defaults_validate_from_empty_config() -> None:
    assert validate_config(ClusterArgs, {}, "webapp:cluster") == ClusterArgs(
        container_insights=ContainerInsights.ENABLED
    )
    assert validate_config(ClusterArgs, {"containerInsights": "enhanced"}, "webapp:cluster") == ClusterArgs(
        container_insights=ContainerInsights.ENHANCED
    )


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "disabled",
            "webapp:cluster.containerInsights = \"disabled\": must be 'enabled' or 'enhanced': "
            "Container Insights stays on (Security Hub ECS.12)",
        ),
        ("on", "webapp:cluster.containerInsights = \"on\": must be 'enabled' or 'enhanced'"),
    ],
)
def test_container_insights_cannot_be_turned_off(value: str, line: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_config(ClusterArgs, {"containerInsights": value}, "webapp:cluster")
    assert err.value.problems == [line]


def test_unknown_key() -> None:
    with pytest.raises(ConfigError) as err:
        validate_config(ClusterArgs, {"insights": "enabled"}, "webapp:cluster")
    assert err.value.problems == [
        'webapp:cluster.insights = "enabled": unknown key (did you mean containerInsights?); '
        "allowed keys: containerInsights"
    ]
