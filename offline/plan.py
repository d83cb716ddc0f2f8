"""``make plan STACK=<stack> [FORMAT=json]``: what ``pulumi preview`` would create, computed offline.

Text is for people: the resource tree, then the stack outputs. JSON has the shape of
``pulumi preview --json`` (``steps[].newState`` with engine camelCase ``inputs``, plus
``outputs``) so that tools written for real previews read it too.
"""

import argparse
import json
import os
import sys
from typing import Any, TextIO

from components import ConfigError

from .mocks import STACK_TYPE, Registration, is_secret
from .run import PlanResult, StackFileError, run_stack

# What awsx builds inside each remote component; offline runs see only the component itself.
_AWSX_CHILDREN = {
    "awsx:ec2:Vpc": "subnets, route tables, internet and NAT gateways",
    "awsx:ecr:Image": "the image build and push",
}


def ordered(result: PlanResult) -> list[tuple[int, Registration]]:
    """Resources depth-first from the stack, siblings sorted by type then name (stable output)."""
    children: dict[str, list[Registration]] = {}
    known = {r.urn for r in result.resources}
    roots: list[Registration] = []
    for r in result.resources:
        if r.parent in known:
            children.setdefault(r.parent, []).append(r)
        else:
            roots.append(r)
    rows: list[tuple[int, Registration]] = []

    def walk(items: list[Registration], depth: int) -> None:
        for r in sorted(items, key=lambda x: (x.type, x.name)):
            rows.append((depth, r))
            walk(children.get(r.urn, []), depth + 1)

    walk(roots, 0)
    return rows


def render_text(result: PlanResult, out: TextIO) -> None:
    rows = ordered(result)
    out.write(
        f"Offline plan for stack '{result.stack}' of project '{result.project}' "
        "(Pulumi mocks; nothing was sent to AWS, mock values are marked 'mock').\n\n"
    )
    out.write(f"Resources to create: {len(rows)}\n")
    for depth, r in rows:
        flags = [f for f, on in (("protected", r.protect), ("retain-on-delete", r.retain_on_delete)) if on]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        out.write(f"  {'    ' * depth}+ {r.type}  {r.name}{suffix}\n")
        if r.remote:
            children = _AWSX_CHILDREN.get(r.type, "its children")
            out.write(f"  {'    ' * (depth + 1)}(awsx component: {children} exist only in a real preview)\n")
    out.write("\nOutputs:\n")
    for key in sorted(result.outputs):
        out.write(f"  {key}: {json.dumps(_plain(result.outputs[key]))}\n")


def to_preview_json(result: PlanResult) -> dict[str, Any]:
    stack_urn = f"urn:pulumi:{result.stack}::{result.project}::{STACK_TYPE}::{result.project}-{result.stack}"
    steps: list[dict[str, Any]] = [
        {
            "op": "create",
            "urn": stack_urn,
            "newState": {
                "type": STACK_TYPE,
                "urn": stack_urn,
                "custom": False,
                "parent": "",
                "inputs": {},
                "protect": False,
                "retainOnDelete": False,
            },
        }
    ]
    for _, r in ordered(result):
        state: dict[str, Any] = {
            "type": r.type,
            "urn": r.urn,
            "custom": r.custom,
            "parent": r.parent,
            "inputs": _plain(r.inputs),
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "dependencies": r.dependencies,
            "propertyDependencies": r.property_dependencies,
        }
        if r.provider:
            state["provider"] = r.provider
        if r.aliases:
            state["aliases"] = r.aliases
        if r.ignore_changes:
            state["ignoreChanges"] = r.ignore_changes
        if r.additional_secret_outputs:
            state["additionalSecretOutputs"] = r.additional_secret_outputs
        step: dict[str, Any] = {"op": "create", "urn": r.urn, "newState": state}
        if r.provider:
            step["provider"] = r.provider
        steps.append(step)
    return {"steps": steps, "outputs": _plain(result.outputs)}


def _plain(value: Any) -> Any:
    """JSON-safe copy; secrets shown as ``[secret]`` like ``pulumi preview --json``."""
    if is_secret(value):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make plan", description=__doc__)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        result = run_stack(args.stack)
    except StackFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ConfigError as err:
        print(f"error: invalid config in Pulumi.{args.stack}.yaml:", file=sys.stderr)
        for line in err.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(to_preview_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_text(result, sys.stdout)
        render_cost_totals(result, sys.stdout)
        render_policy_verdicts(result, sys.stdout)
    return 0


def render_cost_totals(result: PlanResult, out: TextIO) -> None:
    """The monthly estimate's totals (``make cost`` prints the table)."""
    from offline.cost import render_plan_totals

    out.write("\n")
    render_plan_totals(to_preview_json(result), out)


def render_policy_verdicts(result: PlanResult, out: TextIO) -> None:
    """The policy pack's verdicts on this plan, as ``make policy-check`` prints them."""
    # Imported here: the runner itself imports this module for to_preview_json.
    from offline.policy_check import CONFIG_DIR, evaluate, load_policy_config, render
    from policies.pack import build_policies

    config_path = CONFIG_DIR / f"{result.stack}.json"
    config = load_policy_config(config_path if config_path.exists() else None, build_policies())
    out.write(f"\nPolicies (policies/config/{config_path.name}):\n")
    render(evaluate(to_preview_json(result), config), result.stack, out)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: the mocks' event loop otherwise prints a harmless but
    # alarming "Exception ignored in BaseEventLoop.__del__" on exit.
    os._exit(code)
