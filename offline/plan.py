"""``make plan STACK=<stack> [FORMAT=json]``: what ``pulumi preview`` would create, computed offline.

Text is for people: the resource tree, the stack outputs, the cost totals and the policy pack's
verdicts with the stack's pack config (``offline.pack_config``). Like ``pulumi preview
--policy-pack``, it exits 1 when a mandatory policy is violated, and its last line says whether
the preview would pass. JSON has the shape of ``pulumi preview --json`` (``steps[].newState`` with
engine camelCase ``inputs``, plus ``outputs``) so that tools written for real previews read it too;
it is the plan only, pure JSON on stdout, and exits 0: the policy verdict belongs to the text
output and to ``make policy-check PLAN=<file>``. Exit 2: the stack, its config or its pack config
cannot be read.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from components import ConfigError

from .mocks import STACK_TYPE, Registration, is_secret
from .run import STACK_HELP, PlanResult, StackFileError, run_stack, stack_file_label

if TYPE_CHECKING:
    from offline.policy_check import Report

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
    parser.add_argument("--stack", default="dev", help=STACK_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        result = run_stack(args.stack)
    except StackFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ConfigError as err:
        print(f"error: invalid config in {stack_file_label(args.stack)}:", file=sys.stderr)
        for line in err.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(to_preview_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    # Imported here: the runner imports this module for to_preview_json.
    from offline.pack_config import PackConfigError, resolve
    from offline.policy_check import PolicyConfigError, render

    # Resolved before anything is printed, so a stack without a pack config prints only the error.
    try:
        pack_config = resolve(args.stack)
        report = policy_report(result, pack_config.path)
    except (PackConfigError, PolicyConfigError, StackFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    render_text(result, sys.stdout)
    render_cost_totals(result, sys.stdout)
    sys.stdout.write(f"\nPolicies ({pack_config.relative}):\n")
    render(report, result.stack, sys.stdout)
    mandatory = report.count("mandatory")
    sys.stdout.write("\n" + verdict_line(mandatory) + "\n")
    return 1 if mandatory else 0


def verdict_line(mandatory: int) -> str:
    """The last line of ``make plan``: what ``pulumi preview --policy-pack`` would do."""
    if mandatory:
        plural = "s" if mandatory != 1 else ""
        return (
            f"make plan: {mandatory} mandatory policy violation{plural}; "
            "pulumi preview --policy-pack would fail"
        )
    return "make plan: no mandatory policy violations; pulumi preview --policy-pack would pass"


def render_cost_totals(result: PlanResult, out: TextIO) -> None:
    """The monthly estimate's totals (``make cost`` prints the table)."""
    from offline.cost import render_plan_totals

    out.write("\n")
    render_plan_totals(to_preview_json(result), out)


def policy_report(result: PlanResult, config_path: Path) -> "Report":
    """The policy pack's verdicts on this plan with the pack config at ``config_path``."""
    from offline.policy_check import evaluate, load_policy_config
    from policies.pack import build_policies

    return evaluate(to_preview_json(result), load_policy_config(config_path, build_policies()))


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: the mocks' event loop otherwise prints a harmless but
    # alarming "Exception ignored in BaseEventLoop.__del__" on exit.
    os._exit(code)
