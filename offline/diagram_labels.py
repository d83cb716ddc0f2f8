"""Node-label text for ``offline.diagram``: short, human wording for raw resource inputs.

Each helper turns one resource's inputs into one label line. A real preview may leave inputs
unknown, so a helper that cannot read them returns "" and ``Graph.node`` drops the empty line.
"""

import json
from typing import Any

from .diagram_model import Resource

_ENGINES = {
    "postgres": "PostgreSQL",
    "aurora-postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "aurora-mysql": "MySQL",
}


def alb_mode(internal: bool) -> str:
    return "internal" if internal else "internet-facing"


def endpoint_service(endpoint: Resource) -> str:
    """``ecr.api`` from ``com.amazonaws.us-east-1.ecr.api``."""
    return str(endpoint.inputs.get("serviceName", "")).split(".", 3)[-1]


def engine(db: Resource) -> str:
    name = str(db.inputs.get("engine", ""))
    return f"{_ENGINES.get(name, name)} {db.inputs.get('engineVersion', '')}".strip()


def number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def plural(count: Any, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def task_count(low: Any, high: Any) -> str:
    return plural(low, "task") if low == high else f"{low}-{high} tasks"


def task_size(task: Resource | None) -> str:
    if task is None:
        return ""
    try:
        cpu = f"{int(task.inputs['cpu']) / 1024:g} vCPU"
        memory = int(task.inputs["memory"])
    except (KeyError, TypeError, ValueError):
        return ""
    size = f"{memory // 1024} GiB" if memory % 1024 == 0 else f"{memory} MiB"
    arch = (task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "")
    return " · ".join(part for part in (cpu, size, arch) if part)


def capacity(strategy: list[dict[str, Any]] | None) -> str:
    weights = {s.get("capacityProvider"): s for s in strategy or []}
    on_demand, spot = weights.get("FARGATE"), weights.get("FARGATE_SPOT")
    if on_demand and spot:
        base, ratio = on_demand.get("base", 0), f"{on_demand.get('weight', 0)}:{spot.get('weight', 0)}"
        return f"Fargate base {base} + {ratio} Spot"
    return "Fargate Spot" if spot else "Fargate"


def sidecar(task: Resource) -> str:
    """``Valkey sidecar`` when the task runs the cache in a second container.

    (components.data.cache_sidecar)
    """
    try:
        containers = json.loads(task.inputs.get("containerDefinitions") or "[]")
    except (TypeError, json.JSONDecodeError):
        return ""
    for container in containers[1:]:
        image = str(container.get("image", ""))
        if container.get("name") == "redis" or "valkey" in image or "redis" in image:
            return f"+ {'Valkey' if 'valkey' in image else 'Redis'} sidecar"
    return ""
