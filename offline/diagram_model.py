"""Reading the plan for ``offline.diagram``: its resources, their node ids and who depends on whom.

A plan is anything in the ``pulumi preview --json`` shape (``steps[].newState``). This module
knows nothing of Mermaid; it only answers "which resources of this type" and "what does this
property depend on", which is all the diagram's nodes and edges are derived from.
"""

import re
from dataclasses import dataclass
from typing import Any

BUCKET = "aws:s3/bucket:Bucket"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
DB_INSTANCE = "aws:rds/instance:Instance"
DB_CLUSTER = "aws:rds/cluster:Cluster"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


@dataclass(frozen=True)
class Resource:
    """One ``newState`` of the plan."""

    type: str
    urn: str
    name: str
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]] | None

    def on(self, prop: str) -> list[str]:
        """URNs that ``prop`` depends on (all dependencies when the plan lacks per-property ones)."""
        # Sorted: the engine's dependency lists have no meaningful order.
        if self.property_dependencies is None:
            return sorted(self.dependencies)
        return sorted(self.property_dependencies.get(prop, []))


class Plan:
    """The plan's resources by type (sorted by name) and their node ids."""

    def __init__(self, preview: dict[str, Any]) -> None:
        self.by_type: dict[str, list[Resource]] = {}
        for r in _resources(preview):
            self.by_type.setdefault(r.type, []).append(r)
        self.ids = {r.urn: node_id(r) for rs in self.by_type.values() for r in rs}

    def of(self, type_: str) -> list[Resource]:
        return self.by_type.get(type_, [])


def node_id(r: Resource) -> str:
    """Stable, Mermaid-safe id from the resource's type and logical name."""
    kind = r.type.rsplit(":", 1)[-1].lower()
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{kind}_{r.name}")


def target_group_albs(listeners: list[Resource], albs: set[str]) -> dict[str, str]:
    """Target group URN -> the ALB URN whose listener forwards to it."""
    found: dict[str, str] = {}
    for listener in listeners:
        for alb in (u for u in listener.on("loadBalancerArn") if u in albs):
            for tg in listener.on("defaultActions"):
                found.setdefault(tg, alb)
    return found


def _resources(plan: dict[str, Any]) -> list[Resource]:
    found: list[Resource] = []
    for step in plan.get("steps") or []:
        state = step.get("newState") or step.get("oldState")
        if not state or step.get("op") == "delete" or state.get("type", "").startswith("pulumi:"):
            continue
        urn = state["urn"]
        found.append(
            Resource(
                type=state["type"],
                urn=urn,
                name=urn.split("::")[-1],
                inputs=state.get("inputs") or {},
                dependencies=list(state.get("dependencies") or []),
                property_dependencies=state.get("propertyDependencies"),
            )
        )
    # Sorted so the diagram does not change with the order the engine happened to emit steps in.
    return sorted(found, key=lambda r: (r.type, r.name, r.urn))
