"""The application tier of ``offline.diagram``: ECS services and tasks, and what they reach.

A data store or secret gets an edge from a service or task only when its task definition
depends on it, so a component that nothing uses still appears, but unconnected.
"""

from . import diagram_labels as labels
from .diagram_graph import Graph
from .diagram_model import (
    BUCKET,
    CACHE,
    DB_CLUSTER,
    DB_INSTANCE,
    DISTRIBUTION,
    SECRET,
    SECRET_VERSION,
    SERVICE,
    TASK,
    Plan,
    Resource,
)


def add_compute(g: Graph, plan: Plan, target_groups: dict[str, str]) -> None:
    """ECS services and one-off tasks, and the data stores and secrets their tasks reference."""
    of, ids = plan.of, plan.ids
    tasks = {r.urn: r for r in of(TASK)}
    scaling = {u: t for t in of("aws:appautoscaling/target:Target") for u in t.on("resourceId")}
    cluster_default = next(iter(of("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")), None)
    stores = _data_stores(g, plan)
    secrets = [r.urn for r in of(SECRET) + of(SECRET_VERSION)]
    if of(SECRET):
        managed = sum(1 for r in of(DB_INSTANCE) + of(DB_CLUSTER) if r.inputs.get("manageMasterUserPassword"))
        extra = f"+ {managed} RDS-managed" if managed else ""
        g.node(
            "secrets",
            "regional",
            ["Secrets Manager", f"{labels.plural(len(of(SECRET)), 'secret')} {extra}".strip()],
        )
    used_tasks: set[str] = set()
    for svc in of(SERVICE):
        task = next((tasks[u] for u in svc.on("taskDefinition") if u in tasks), None)
        used_tasks.update(u for u in svc.on("taskDefinition"))
        behind = [target_groups[u] for u in svc.on("loadBalancers") if u in target_groups]
        # A service without its own strategy runs on the cluster's default one.
        strategy = svc.inputs.get("capacityProviderStrategies") or (
            cluster_default.inputs.get("defaultCapacityProviderStrategies") if cluster_default else None
        )
        target = scaling.get(svc.urn)
        count = (
            labels.task_count(target.inputs.get("minCapacity"), target.inputs.get("maxCapacity"))
            if target
            else labels.task_count(svc.inputs.get("desiredCount", 1), svc.inputs.get("desiredCount", 1))
        )
        kind = "API service" if behind else "Worker"
        lines = [f"{kind} {svc.name}", labels.task_size(task), f"{labels.capacity(strategy)} · {count}"]
        if task is not None:
            lines.append(labels.sidecar(task))
        svc_id = g.node(ids[svc.urn], "private", lines)
        for alb in behind:
            g.edge(ids[alb], svc_id)
        if task is not None:
            _task_edges(g, svc_id, task, stores, secrets)
    # Task definitions no service runs are one-off tasks, such as the database migration.
    for task in (t for t in of(TASK) if t.urn not in used_tasks):
        task_id = g.node(ids[task.urn], "private", [f"One-off task {task.name}", labels.task_size(task)])
        _task_edges(g, task_id, task, stores, secrets)


def _data_stores(g: Graph, plan: Plan) -> dict[str, str]:
    """Database, cache and uploads-bucket nodes, keyed by the URN a task definition depends on."""
    of, ids = plan.of, plan.ids
    stores: dict[str, str] = {}
    for db in of(DB_INSTANCE):
        # A read replica is a line on its primary's node, not a store of its own.
        if db.inputs.get("replicateSourceDb"):
            continue
        replicas = sum(1 for r in of(DB_INSTANCE) if db.urn in r.on("replicateSourceDb"))
        az = "Multi-AZ" if db.inputs.get("multiAz") else "Single-AZ"
        lines = [f"RDS {labels.engine(db)}", f"{db.inputs.get('instanceClass', '')} · {az}"]
        lines.append(f"+ {labels.plural(replicas, 'read replica')}" if replicas else "")
        stores[db.urn] = g.node(ids[db.urn], "isolated", lines, "store")
    for cluster in of(DB_CLUSTER):
        scaling = cluster.inputs.get("serverlessv2ScalingConfiguration") or {}
        members = sum(
            1
            for r in of("aws:rds/clusterInstance:ClusterInstance")
            if cluster.urn in r.on("clusterIdentifier")
        )
        acu = (
            f"Serverless v2 · {scaling.get('minCapacity')}-{scaling.get('maxCapacity')} ACU"
            if scaling
            else ""
        )
        lines = [f"Aurora {labels.engine(cluster)}", acu, labels.plural(members, "instance")]
        stores[cluster.urn] = g.node(ids[cluster.urn], "isolated", lines, "store")
    for rg in of(CACHE):
        az = " · Multi-AZ" if rg.inputs.get("multiAzEnabled") else ""
        engine = str(rg.inputs.get("engine", "redis")).capitalize()
        lines = [
            f"ElastiCache {engine}",
            f"{rg.inputs.get('nodeType', '')} x{rg.inputs.get('numCacheClusters', 1)}{az}",
        ]
        stores[rg.urn] = g.node(ids[rg.urn], "isolated", lines, "store")
    # Only buckets the tasks use are data stores: the site bucket belongs to CloudFront, and
    # buckets nothing reads (access logs) would only add noise.
    cdn_buckets = {u for d in of(DISTRIBUTION) for u in d.on("origins")}
    task_deps = {u for t in of(TASK) for u in t.on("containerDefinitions")}
    for bucket in of(BUCKET):
        if bucket.urn in task_deps and bucket.urn not in cdn_buckets:
            stores[bucket.urn] = g.node(
                ids[bucket.urn], "regional", ["S3 uploads bucket", bucket.name], "store"
            )
    return stores


def _task_edges(g: Graph, src: str, task: Resource, stores: dict[str, str], secrets: list[str]) -> None:
    deps = task.on("containerDefinitions")
    for urn in deps:
        if urn in stores:
            g.edge(src, stores[urn])
    # One edge to the Secrets Manager node, however many secrets the task reads.
    if any(u in secrets for u in deps) and "secrets" in g.nodes:
        g.edge(src, "secrets", "secrets", dotted=True)
