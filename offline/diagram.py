"""``make diagram STACK=<stack>``: a Mermaid architecture diagram derived from the plan.

Nodes come from resource types and edges from the plan's property dependencies, never from
hand-kept lists, so the diagram changes when the stack does. Input is any plan in the shape of
``pulumi preview --json`` (``steps[].newState``), output a ``flowchart LR``.

Example::

    python -m offline.diagram --stack prod            # the committed stack, as a ```mermaid block
    python -m offline.diagram --plan preview.json     # a real `pulumi preview --json`
    to_mermaid(to_preview_json(run_stack("dev")))     # the same, in code

This module is the CLI and the assembly; the parts live beside it: ``diagram_model`` reads the
plan, ``diagram_graph`` holds and renders the graph, ``diagram_labels`` words the node labels,
``diagram_infra`` and ``diagram_compute`` add each tier's nodes and edges.
"""

import argparse
import sys
from typing import Any

from components import ConfigError

from . import diagram_labels as labels
from .cli import report_error, run_cli
from .diagram_compute import add_compute
from .diagram_graph import Graph, render
from .diagram_infra import add_edge_tier, add_network, add_observability
from .diagram_model import LOAD_BALANCER, Plan, target_group_albs
from .plan_file import PlanFileError, load_plan
from .preview_json import to_preview_json
from .run import StackFileError, run_stack


def to_mermaid(preview: dict[str, Any]) -> str:
    """The ``flowchart LR`` text of a plan in the ``pulumi preview --json`` shape."""
    plan = Plan(preview)
    of, ids = plan.of, plan.ids
    g = Graph()
    users = g.node("users", None, ["Users"], "person")
    albs = {r.urn for r in of(LOAD_BALANCER)}
    for alb in of(LOAD_BALANCER):
        internal = alb.inputs.get("internal") is True
        g.node(
            ids[alb.urn], "private" if internal else "public", ["ALB " + alb.name, labels.alb_mode(internal)]
        )
        if not internal:
            g.edge(users, ids[alb.urn], "HTTPS")
    # Edges render in the order they are added, so this order is the order of the output.
    add_edge_tier(g, plan, users, albs)
    target_groups = target_group_albs(of("aws:lb/listener:Listener"), albs)
    add_compute(g, plan, target_groups)
    add_network(g, plan)
    add_observability(g, plan)
    return render(g)


def markdown(preview: dict[str, Any]) -> str:
    """The diagram as a fenced ```mermaid block, as GitHub renders it in READMEs and comments."""
    return f"```mermaid\n{to_mermaid(preview)}```\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make diagram", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--stack",
        default="dev",
        help="stack to run offline (default dev), or a stack file's path (examples/Pulumi.playstudy.yaml)",
    )
    parser.add_argument("--plan", help="read a plan in the `pulumi preview --json` shape instead")
    parser.add_argument("--bare", action="store_true", help="print the Mermaid text without the fence")
    args = parser.parse_args(argv)
    try:
        preview = load_plan(args.plan) if args.plan else to_preview_json(run_stack(args.stack))
    except (PlanFileError, StackFileError, ConfigError) as err:
        return report_error(err, args.stack)
    sys.stdout.write(to_mermaid(preview) if args.bare else markdown(preview))
    return 0


if __name__ == "__main__":
    run_cli(main)
