"""The architecture diagram follows the plan: every component present has a node, none switched off."""

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from offline.diagram import main, to_mermaid
from offline.preview_json import to_preview_json
from tests.harness import (
    PlanResult,
    dev_always_on,
    dev_nat_gateway,
    dev_rds_instance,
    effective_config,
    plan,
)

NODE = re.compile(r'^\s*([A-Za-z0-9_]+)(\[\(|\(\[|\(\(|\{\{|\[)"(.*)"(\)\]|\]\)|\)\)|\}\}|\])$')
EDGE = re.compile(r'^\s*([A-Za-z0-9_]+) (-->|-\.->)(?:\|"(.*)"\|)? ([A-Za-z0-9_]+)$')
SUBGRAPH = re.compile(r'^\s*subgraph ([A-Za-z0-9_]+)\["(.*)"\]$')


class Diagram:
    """The parsed flowchart; fails on any line that is not a node, edge, subgraph or end."""

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        assert lines[0] == "flowchart LR"
        self.nodes: dict[str, str] = {}
        self.edges: set[tuple[str, str, str]] = set()
        self.groups: dict[str, list[str]] = {}  # subgraph id -> node ids directly inside
        stack: list[str] = []
        for line in lines[1:]:
            if match := SUBGRAPH.match(line):
                assert match[1] not in self.groups and match[1] not in self.nodes, line
                self.groups[match[1]] = []
                stack.append(match[1])
            elif line.strip() == "end":
                stack.pop()
            elif match := NODE.match(line):
                assert match[1] not in self.nodes and match[1] not in self.groups, f"duplicate id: {line}"
                self.nodes[match[1]] = match[3]
                if stack:
                    self.groups[stack[-1]].append(match[1])
            elif match := EDGE.match(line):
                self.edges.add((match[1], match[4], match[3] or ""))
            else:
                raise AssertionError(f"not a diagram line: {line!r}")
        assert not stack, f"unclosed subgraphs {stack}"
        for src, dst, _ in self.edges:
            assert {src, dst} <= set(self.nodes) | set(self.groups), (src, dst)

    def ids(self, prefix: str) -> list[str]:
        return sorted(n for n in self.nodes if n.startswith(prefix))


def diagram(result: PlanResult) -> Diagram:
    return Diagram(to_mermaid(to_preview_json(result)))


def config(key: str, stack: str = "dev", **changes: Any) -> dict[str, Any]:
    """The stack's effective ``webapp:<key>`` (its file over its profile) with ``changes``."""
    return {**effective_config(stack)[key], **changes}


@pytest.fixture(scope="module")
def dev_diagram(dev: PlanResult) -> Diagram:
    return diagram(dev)


@pytest.fixture(scope="module")
def prod_diagram(prod: PlanResult) -> Diagram:
    return diagram(prod)


def test_dev_diagram_has_every_dev_component(dev_diagram: Diagram) -> None:
    # 12 alarms: 4 ALB, 2 API, 3 Aurora, 1 CloudFront and the NAT instance's recover and reboot.
    assert dev_diagram.nodes == {
        "users": "Users",
        "internet": "Internet",
        "distribution_site_cdn": "CloudFront site-cdn<br/>PriceClass_100",
        "bucket_site_content": "S3 site bucket<br/>site-content",
        "loadbalancer_api_alb": "ALB api-alb<br/>internal",
        "service_api_svc": (
            "API service api-svc<br/>0.25 vCPU · 512 MiB · ARM64<br/>Fargate Spot · 1-2 tasks"
            "<br/>+ Valkey sidecar"
        ),
        "taskdefinition_migrate_task_def": "One-off task migrate-task-def<br/>0.25 vCPU · 512 MiB · ARM64",
        "cluster_db_cluster": "Aurora PostgreSQL 17<br/>Serverless v2 · 0-2 ACU<br/>1 instance",
        "nat": "NAT instance x1<br/>t4g.nano",
        "gateway_endpoints": "Gateway endpoints x1<br/>s3",
        "secrets": "Secrets Manager<br/>1 secret + 1 RDS-managed",
        "topic_ops_alarms": "SNS ops-alarms",
        "alarms": "12 alarms",
        "dashboard_ops_dashboard": "Dashboard",
        "budget_ops_budget": "Budget<br/>$50 USD per month",
    }
    assert dev_diagram.groups == {
        "g_edge": ["distribution_site_cdn"],
        "g_vpc": [],
        "g_public": ["nat"],
        "g_private": [
            "gateway_endpoints",
            "loadbalancer_api_alb",
            "service_api_svc",
            "taskdefinition_migrate_task_def",
        ],
        "g_isolated": ["cluster_db_cluster"],
        "g_regional": ["bucket_site_content", "secrets"],
        "g_observability": ["alarms", "budget_ops_budget", "dashboard_ops_dashboard", "topic_ops_alarms"],
    }


def test_dev_diagram_edges_follow_the_dependencies(dev_diagram: Diagram) -> None:
    runners = ["service_api_svc", "taskdefinition_migrate_task_def"]
    assert dev_diagram.edges == {
        ("users", "distribution_site_cdn", "HTTPS"),
        ("distribution_site_cdn", "bucket_site_content", "OAC"),
        ("distribution_site_cdn", "loadbalancer_api_alb", "VPC origin /api/*"),
        ("loadbalancer_api_alb", "service_api_svc", ""),
        *((runner, "cluster_db_cluster", "") for runner in runners),
        *((runner, "secrets", "secrets") for runner in runners),
        ("g_private", "nat", "egress"),
        ("nat", "internet", ""),
        ("alarms", "topic_ops_alarms", ""),
        ("budget_ops_budget", "topic_ops_alarms", ""),
    }


@pytest.fixture(scope="module")
def always_on_diagram() -> Diagram:
    """Dev with a NAT gateway, an RDS instance, one-node ElastiCache and the celery worker."""
    return diagram(plan("dev", **dev_always_on()))


def test_always_on_dev_diagram_has_every_component(always_on_diagram: Diagram) -> None:
    assert always_on_diagram.nodes == {
        "users": "Users",
        "internet": "Internet",
        "distribution_site_cdn": "CloudFront site-cdn<br/>PriceClass_100",
        "bucket_site_content": "S3 site bucket<br/>site-content",
        "loadbalancer_api_alb": "ALB api-alb<br/>internal",
        "service_api_svc": "API service api-svc<br/>0.25 vCPU · 512 MiB · ARM64<br/>Fargate Spot · 1-2 tasks",
        "service_worker_celery_svc": (
            "Worker worker-celery-svc<br/>0.25 vCPU · 512 MiB · ARM64<br/>Fargate Spot · 1 task"
        ),
        "taskdefinition_migrate_task_def": "One-off task migrate-task-def<br/>0.25 vCPU · 512 MiB · ARM64",
        "instance_db_instance": "RDS PostgreSQL 17<br/>db.t4g.micro · Single-AZ",
        "replicationgroup_cache_rg": "ElastiCache Valkey<br/>cache.t4g.micro x1",
        "nat": "NAT gateway x1<br/>shared",
        "gateway_endpoints": "Gateway endpoints x1<br/>s3",
        "secrets": "Secrets Manager<br/>2 secrets + 1 RDS-managed",
        "topic_ops_alarms": "SNS ops-alarms",
        "alarms": "16 alarms",
        "dashboard_ops_dashboard": "Dashboard",
        "budget_ops_budget": "Budget<br/>$50 USD per month",
    }
    assert always_on_diagram.groups == {
        "g_edge": ["distribution_site_cdn"],
        "g_vpc": [],
        "g_public": ["nat"],
        "g_private": [
            "gateway_endpoints",
            "loadbalancer_api_alb",
            "service_api_svc",
            "service_worker_celery_svc",
            "taskdefinition_migrate_task_def",
        ],
        "g_isolated": ["instance_db_instance", "replicationgroup_cache_rg"],
        "g_regional": ["bucket_site_content", "secrets"],
        "g_observability": ["alarms", "budget_ops_budget", "dashboard_ops_dashboard", "topic_ops_alarms"],
    }


def test_always_on_dev_diagram_edges_follow_the_dependencies(always_on_diagram: Diagram) -> None:
    data = {"instance_db_instance", "replicationgroup_cache_rg"}
    runners = ["service_api_svc", "service_worker_celery_svc", "taskdefinition_migrate_task_def"]
    assert always_on_diagram.edges == {
        ("users", "distribution_site_cdn", "HTTPS"),
        ("distribution_site_cdn", "bucket_site_content", "OAC"),
        ("distribution_site_cdn", "loadbalancer_api_alb", "VPC origin /api/*"),
        ("loadbalancer_api_alb", "service_api_svc", ""),
        *((runner, store, "") for runner in runners for store in data),
        *((runner, "secrets", "secrets") for runner in runners),
        ("g_private", "nat", "egress"),
        ("nat", "internet", ""),
        ("alarms", "topic_ops_alarms", ""),
        ("budget_ops_budget", "topic_ops_alarms", ""),
    }


def test_prod_diagram_shows_the_highly_available_choices(prod_diagram: Diagram) -> None:
    nodes = prod_diagram.nodes
    assert nodes["webacl_edge_acl"] == "WAF edge-acl<br/>5 rules"
    assert ("webacl_edge_acl", "distribution_site_cdn", "filters") in prod_diagram.edges
    assert "webacl_edge_acl" in prod_diagram.groups["g_edge"]
    assert nodes["service_api_svc"] == (
        "API service api-svc<br/>0.5 vCPU · 1 GiB · ARM64<br/>Fargate base 2 + 1:3 Spot · 2-10 tasks"
    )
    assert nodes["service_worker_celery_svc"].endswith("Fargate base 1 + 1:3 Spot · 2-6 tasks")
    assert nodes["instance_db_instance"] == "RDS PostgreSQL 17<br/>db.t4g.small · Multi-AZ"
    assert nodes["replicationgroup_cache_rg"] == "ElastiCache Valkey<br/>cache.t4g.micro x2 · Multi-AZ"
    assert nodes["nat"] == "NAT gateway x2<br/>one per AZ"
    # Prod has only the free S3 gateway endpoint, no PrivateLink.
    assert nodes["gateway_endpoints"] == "Gateway endpoints x1<br/>s3"
    assert "endpoints" not in nodes
    assert nodes["alarms"] == "22 alarms"  # with the alternate target group's
    assert nodes["budget_ops_budget"] == "Budget<br/>$500 USD per month"
    # The access-log bucket is not a data store: no service reaches it.
    assert prod_diagram.ids("bucket_") == ["bucket_site_content"]


def test_cache_sidecar_lives_in_the_api_node_without_elasticache() -> None:
    d = diagram(plan("dev", cache=config("cache", mode="sidecar"), workers={}))
    assert d.ids("replicationgroup_") == []
    assert d.nodes["service_api_svc"].endswith("<br/>+ Valkey sidecar")
    assert d.ids("service_") == ["service_api_svc"]
    assert d.nodes["secrets"] == "Secrets Manager<br/>1 secret + 1 RDS-managed"


def test_direct_front_door_sends_users_to_a_public_alb_behind_its_own_waf() -> None:
    d = diagram(
        plan(
            "dev",
            loadBalancer=config(
                "loadBalancer", frontDoor="direct", domain="api.example.com", hostedZoneName="example.com"
            ),
            waf=config("waf", enabled=True),
        )
    )
    assert d.nodes["loadbalancer_api_alb"] == "ALB api-alb<br/>internet-facing"
    assert "loadbalancer_api_alb" in d.groups["g_public"]
    assert ("users", "loadbalancer_api_alb", "HTTPS") in d.edges
    assert ("webacl_api_acl", "loadbalancer_api_alb", "filters") in d.edges
    assert "webacl_api_acl" in d.groups["g_regional"]
    assert not [e for e in d.edges if e[0] == "distribution_site_cdn" and e[1] == "loadbalancer_api_alb"]
    assert not [label for *_, label in d.edges if "VPC origin" in label]


def test_switched_off_waf_has_no_node(dev_diagram: Diagram) -> None:
    assert dev_diagram.ids("webacl_") == []
    assert not [e for e in dev_diagram.edges if e[2] == "filters"]


def test_uploads_bucket_appears_with_its_users() -> None:
    d = diagram(plan("prod", uploads=config("uploads", "prod", enabled=True)))
    assert d.nodes["bucket_uploads_bucket"] == "S3 uploads bucket<br/>uploads-bucket"
    assert {e for e in d.edges if e[1] == "bucket_uploads_bucket"} == {
        ("service_api_svc", "bucket_uploads_bucket", ""),
        ("service_worker_celery_svc", "bucket_uploads_bucket", ""),
    }


def test_aurora_shows_its_capacity_range(dev_diagram: Diagram) -> None:
    # The committed dev database: Aurora Serverless v2, 0-2 ACU, auto-pause after 600 s.
    database = config("database")
    assert (database["engineMode"], database["minCapacity"], database["maxCapacity"]) == (
        "aurora-serverless-v2",
        0,
        2,
    )
    d = dev_diagram
    assert d.ids("instance_db") == []
    assert d.nodes["cluster_db_cluster"] == "Aurora PostgreSQL 17<br/>Serverless v2 · 0-2 ACU<br/>1 instance"
    assert ("service_api_svc", "cluster_db_cluster", "") in d.edges


def test_no_nat_means_no_internet_egress() -> None:
    network = dev_nat_gateway(natStrategy="none", interfaceEndpoints=["ecr.api", "ecr.dkr", "logs"])
    d = diagram(plan("dev", network=network))
    assert d.ids("nat") == [] and "internet" not in d.nodes
    assert not [e for e in d.edges if e[0] == "g_private"]
    assert d.nodes["endpoints"] == "Interface endpoints x3<br/>ecr.api, ecr.dkr, logs"


def test_audit_trail_appears_when_enabled(dev_diagram: Diagram) -> None:
    assert dev_diagram.ids("trail_") == []
    d = diagram(plan("dev", auditTrail=config("auditTrail", enabled=True)))
    assert d.nodes["trail_audit"] == "CloudTrail audit<br/>multi-region"
    assert "trail_audit" in d.groups["g_observability"]


def test_output_ignores_step_and_dependency_order(prod: PlanResult) -> None:
    preview = to_preview_json(prod)
    shuffled = json.loads(json.dumps(preview))
    rng = random.Random(7)
    rng.shuffle(shuffled["steps"])
    for step in shuffled["steps"]:
        state = step["newState"]
        rng.shuffle(state.get("dependencies") or [])
        for deps in (state.get("propertyDependencies") or {}).values():
            rng.shuffle(deps)
    assert to_mermaid(shuffled) == to_mermaid(preview)


def test_labels_escape_mermaid_characters() -> None:
    preview = {
        "steps": [
            {
                "op": "create",
                "newState": {
                    "type": "aws:cloudfront/distribution:Distribution",
                    "urn": "urn:pulumi:dev::webapp::aws:cloudfront/distribution:Distribution::cdn",
                    "inputs": {"priceClass": 'A "quoted" <b>&</b>'},
                },
            }
        ]
    }
    d = Diagram(to_mermaid(preview))
    assert d.nodes["distribution_cdn"] == "CloudFront cdn<br/>A #quot;quoted#quot; #lt;b#gt;#amp;#lt;/b#gt;"
    # Without propertyDependencies a real preview's plain dependencies are used; none here.
    assert d.edges == {("users", "distribution_cdn", "HTTPS")}


def test_cli_prints_a_mermaid_block_for_a_plan_file(
    prod: PlanResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(to_preview_json(prod)))
    assert main(["--plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == f"```mermaid\n{to_mermaid(to_preview_json(prod))}```\n"
    assert main(["--plan", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'missing.json'}: cannot read: ")


def test_nat_instances_replace_the_nat_gateway(dev_diagram: Diagram) -> None:
    assert config("network")["natType"] == "instance"
    assert dev_diagram.nodes["nat"] == "NAT instance x1<br/>t4g.nano"
    assert {("g_private", "nat", "egress"), ("nat", "internet", "")} <= dev_diagram.edges
    gateway = diagram(plan("dev", network=dev_nat_gateway()))
    assert gateway.nodes["nat"] == "NAT gateway x1<br/>shared"
    assert {("g_private", "nat", "egress"), ("nat", "internet", "")} <= gateway.edges


def test_an_rds_instance_shows_its_class_and_az() -> None:
    d = diagram(plan("dev", database=dev_rds_instance()))
    assert d.ids("cluster_db") == []
    assert d.nodes["instance_db_instance"] == "RDS PostgreSQL 17<br/>db.t4g.micro · Single-AZ"
    assert ("service_api_svc", "instance_db_instance", "") in d.edges


@pytest.mark.parametrize(
    ("stack", "document"),
    [("dev", "README.md"), ("dev", "docs/reference/resources.md"), ("prod", "docs/reference/resources.md")],
)
def test_the_docs_embed_the_current_diagram(stack: str, document: str) -> None:
    from pathlib import Path

    from offline.diagram import markdown
    from offline.preview_json import to_preview_json
    from offline.run import run_stack

    text = (Path(__file__).resolve().parent.parent / document).read_text()
    assert markdown(to_preview_json(run_stack(stack))).rstrip() in text
