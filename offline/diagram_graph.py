"""The Mermaid side of ``offline.diagram``: a graph of labelled nodes and edges, and its text.

Section builders add nodes and edges to a ``Graph`` in any order; ``render`` alone decides the
layout, so the output is the same however the plan was walked.
"""

from dataclasses import dataclass, field

SHAPES = {
    "box": ("[", "]"),
    "store": ("[(", ")]"),
    "person": ("([", "])"),
    "cloud": ("((", "))"),
    "waf": ("{{", "}}"),
}
# Where each tier's nodes go; a real preview knows no subnet ids yet, so tiers follow the design.
GROUPS = {
    "edge": "Edge: global, us-east-1",
    "vpc": "VPC",
    "public": "Public subnets",
    "private": "Private subnets",
    "isolated": "Isolated subnets",
    "regional": "Regional services",
    "observability": "Observability",
}
_VPC_TIERS = ("public", "private", "isolated")


@dataclass
class Graph:
    """Nodes (each in a group or free) and edges, rendered in a fixed order by ``render``."""

    nodes: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # id -> (group, code)
    edges: list[str] = field(default_factory=list)

    vpc_title: str = GROUPS["vpc"]

    def node(self, id_: str, group: str | None, lines: list[str], shape: str = "box") -> str:
        label = "<br/>".join(_escape(line) for line in lines if line)
        opening, closing = SHAPES[shape]
        self.nodes[id_] = (group, f'{id_}{opening}"{label}"{closing}')
        return id_

    def edge(self, src: str, dst: str, label: str = "", dotted: bool = False) -> None:
        arrow = "-.->" if dotted else "-->"
        text = f'|"{_escape(label)}"|' if label else ""
        line = f"{src} {arrow}{text} {dst}"
        if line not in self.edges:
            self.edges.append(line)


def render(g: Graph) -> str:
    """Mermaid text: free nodes, then each group in a fixed order, then edges in creation order."""
    out = ["flowchart LR"]
    grouped: dict[str | None, list[str]] = {}
    for id_ in sorted(g.nodes):
        group, code = g.nodes[id_]
        grouped.setdefault(group, []).append(code)
    out += [f"    {code}" for code in grouped.get(None, [])]
    for group in ("edge", "vpc", "regional", "observability"):
        if group == "vpc":
            tiers = [t for t in _VPC_TIERS if grouped.get(t)]
            if not tiers:
                continue
            out.append(f'    subgraph g_vpc["{_escape(g.vpc_title)}"]')
            for tier in tiers:
                out.append(f'        subgraph g_{tier}["{GROUPS[tier]}"]')
                out += [f"            {code}" for code in grouped[tier]]
                out.append("        end")
            out.append("    end")
        elif grouped.get(group):
            out.append(f'    subgraph g_{group}["{GROUPS[group]}"]')
            out += [f"        {code}" for code in grouped[group]]
            out.append("    end")
    out += [f"    {edge}" for edge in g.edges]
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
