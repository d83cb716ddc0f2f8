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
import sys
from pathlib import Path
from typing import TextIO

from components import ConfigError
from policies.pack import build_policies

from .cli import report_error, run_cli
from .cost import render_plan_totals
from .pack_config import PackConfigError, resolve
from .policy_check import PolicyConfigError, Report, evaluate, load_policy_config, render
from .preview_json import ordered, plain, to_preview_json
from .run import STACK_HELP, PlanResult, StackFileError, run_stack

# What awsx builds inside each remote component; offline runs see only the component itself.
_AWSX_CHILDREN = {
    "awsx:ec2:Vpc": "subnets, route tables, internet and NAT gateways",
    "awsx:ecr:Image": "the image build and push",
}


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
        out.write(f"  {key}: {json.dumps(plain(result.outputs[key]))}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make plan", description=__doc__)
    parser.add_argument("--stack", default="dev", help=STACK_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        result = run_stack(args.stack)
    except (StackFileError, ConfigError) as err:
        return report_error(err, args.stack)
    if args.format == "json":
        json.dump(to_preview_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    # Resolved before anything is printed, so a stack without a pack config prints only the error.
    try:
        pack_config = resolve(args.stack)
        report = policy_report(result, pack_config.path)
    except (PackConfigError, PolicyConfigError, StackFileError) as err:
        return report_error(err, args.stack)
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
    out.write("\n")
    render_plan_totals(to_preview_json(result), out)


def policy_report(result: PlanResult, config_path: Path) -> Report:
    """The policy pack's verdicts on this plan with the pack config at ``config_path``."""
    return evaluate(to_preview_json(result), load_policy_config(config_path, build_policies()))


if __name__ == "__main__":
    run_cli(main)
