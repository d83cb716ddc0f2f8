"""The tiers around the application in ``offline.diagram``: edge, network and observability.

Each function adds one tier's nodes and edges to the graph; ``offline.diagram.to_mermaid``
calls them in a fixed order, since edges render in the order they were added.
"""

from . import diagram_labels as labels
from .diagram_graph import Graph
from .diagram_model import BUCKET, DISTRIBUTION, Plan

_PERIODS = {"DAILY": "day", "MONTHLY": "month", "QUARTERLY": "quarter", "ANNUALLY": "year"}


def add_edge_tier(g: Graph, plan: Plan, users: str, albs: set[str]) -> None:
    """CloudFront and its origins, and the web ACLs in front of CloudFront or the ALB."""
    of, ids = plan.of, plan.ids
    acls = {r.urn: r for r in of("aws:wafv2/webAcl:WebAcl")}
    for acl in acls.values():
        scope = acl.inputs.get("scope")
        rules = len(acl.inputs.get("rules") or [])
        g.node(
            ids[acl.urn],
            "edge" if scope == "CLOUDFRONT" else "regional",
            [f"WAF {acl.name}", f"{rules} rules"],
            "waf",
        )
    for assoc in of("aws:wafv2/webAclAssociation:WebAclAssociation"):
        for acl_urn in (u for u in assoc.on("webAclArn") if u in acls):
            for target in (u for u in assoc.on("resourceArn") if u in ids):
                g.edge(ids[acl_urn], ids[target], "filters", dotted=True)
    buckets = {r.urn: r for r in of(BUCKET)}
    for cdn in of(DISTRIBUTION):
        cdn_id = g.node(
            ids[cdn.urn], "edge", [f"CloudFront {cdn.name}", str(cdn.inputs.get("priceClass", ""))]
        )
        g.edge(users, cdn_id, "HTTPS")
        for acl_urn in (u for u in cdn.on("webAclId") if u in acls):
            g.edge(ids[acl_urn], cdn_id, "filters", dotted=True)
        origin_deps = cdn.on("origins")
        for bucket in (buckets[u] for u in origin_deps if u in buckets):
            g.node(ids[bucket.urn], "regional", ["S3 site bucket", bucket.name], "store")
            g.edge(cdn_id, ids[bucket.urn], "OAC")
        # The edge to the ALB is labelled with the paths CloudFront routes to it.
        behaviours = cdn.inputs.get("orderedCacheBehaviors") or []
        for origin in cdn.inputs.get("origins") or []:
            if "vpcOriginConfig" not in origin:
                continue
            paths = [
                b.get("pathPattern", "")
                for b in behaviours
                if b.get("targetOriginId") == origin.get("originId")
            ]
            for alb in (u for u in origin_deps if u in albs):
                g.edge(cdn_id, ids[alb], " ".join(["VPC origin", *paths]))


def add_network(g: Graph, plan: Plan) -> None:
    """NAT (awsx gateways or NAT instances), egress to the internet, and VPC endpoints."""
    of = plan.of
    vpc = next(iter(of("awsx:ec2:Vpc")), None)
    azs = vpc.inputs.get("numberOfAvailabilityZones") if vpc else None
    if vpc is not None:
        g.vpc_title = f"VPC {vpc.inputs.get('cidrBlock', '')} · {azs} AZs"
    instances = of("aws:ec2/instance:Instance")
    strategy = ((vpc.inputs.get("natGateways") or {}).get("strategy") if vpc else None) or "None"
    nat = ""
    if instances:
        nat = g.node(
            "nat",
            "public",
            [f"NAT instance x{len(instances)}", str(instances[0].inputs.get("instanceType", ""))],
        )
    elif strategy != "None":
        count = azs if strategy == "OnePerAz" else 1
        nat = g.node(
            "nat", "public", [f"NAT gateway x{count}", "one per AZ" if strategy == "OnePerAz" else "shared"]
        )
    if nat:
        g.node("internet", None, ["Internet"], "cloud")
        g.edge(nat, "internet")
    endpoints = of("aws:ec2/vpcEndpoint:VpcEndpoint")
    interface = [e for e in endpoints if e.inputs.get("vpcEndpointType") == "Interface"]
    gateway = [e for e in endpoints if e.inputs.get("vpcEndpointType") == "Gateway"]
    if interface:
        services = sorted(labels.endpoint_service(e) for e in interface)
        g.node("endpoints", "private", [f"Interface endpoints x{len(interface)}", ", ".join(services)])
    if gateway:
        services = sorted(labels.endpoint_service(e) for e in gateway)
        g.node("gateway_endpoints", "private", [f"Gateway endpoints x{len(gateway)}", ", ".join(services)])
    # Drawn once from the private subnet group rather than from each node that egresses.
    if nat and any(group == "private" for group, _ in g.nodes.values()):
        g.edge("g_private", nat, "egress")


def add_observability(g: Graph, plan: Plan) -> None:
    """The alarm topic and what notifies it, the dashboard, the budget and CloudTrail."""
    of, ids = plan.of, plan.ids
    topics = {r.urn: r for r in of("aws:sns/topic:Topic")}
    for topic in topics.values():
        g.node(ids[topic.urn], "observability", [f"SNS {topic.name}"])
    # Alarms are many and alike, so they share one node.
    alarms = of("aws:cloudwatch/metricAlarm:MetricAlarm")
    if alarms:
        g.node("alarms", "observability", [f"{len(alarms)} alarms"])
        for urn in sorted({u for a in alarms for u in a.on("alarmActions") if u in topics}):
            g.edge("alarms", ids[urn])
    for dashboard in of("aws:cloudwatch/dashboard:Dashboard"):
        g.node(ids[dashboard.urn], "observability", ["Dashboard"])
    for budget in of("aws:budgets/budget:Budget"):
        unit = _PERIODS.get(str(budget.inputs.get("timeUnit")), "period")
        amount = labels.number(budget.inputs.get("limitAmount"))
        limit = f"${amount} {budget.inputs.get('limitUnit', 'USD')} per {unit}"
        g.node(ids[budget.urn], "observability", ["Budget", limit])
        for urn in (u for u in budget.on("notifications") if u in topics):
            g.edge(ids[budget.urn], ids[urn])
    for trail in of("aws:cloudtrail/trail:Trail"):
        scope = "multi-region" if trail.inputs.get("isMultiRegionTrail") else "this region"
        g.node(ids[trail.urn], "observability", [f"CloudTrail {trail.name}", scope])
