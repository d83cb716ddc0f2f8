"""``make cost STACK=<stack>`` or ``make cost PLAN=<file>``: the monthly cost estimate of a plan.

Reads the stack's offline plan, or any plan in the ``pulumi preview --json`` shape, and prices it
with the policy pack's cost model (``policies/cost_model.py``, prices in
``policies/pricing/us-east-1.json``): one row per billable resource with what is billed and its
monthly USD at minimum and at maximum autoscaling capacity, then both totals (and per day), the
billable resources the model could not price, and the pricing file's date.

``--summary`` prints only one line, for a pull request comment::

    $1.52-$7.48 per day ($46.24-$227.51 per month)

Example::

    make cost STACK=dev
    make cost PLAN=preview.json
    make cost STACK=pr-42 SUMMARY=1
"""

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from components import ConfigError
from policies._framework import stack_from
from policies.cost_model import Estimate, PricingError, estimate_cost, load_pricing

from .analyzer_view import plan_states, stack_resources
from .cli import report_error, run_cli
from .plan_file import PlanFileError, load_plan
from .preview_json import to_preview_json
from .run import STACK_HELP, StackFileError, run_stack

HOURS_PER_DAY = 24


def estimate_plan(plan: Mapping[str, Any]) -> Estimate:
    """The estimate of a plan in the ``pulumi preview --json`` shape."""
    return estimate_cost(stack_from(stack_resources(plan_states(plan))), load_pricing())


def render_table(estimate: Estimate, label: str, out: TextIO) -> None:
    rows = [(i.resource, i.billed, _usd(i.min_usd, i.max_usd)) for i in estimate.items]
    widths = [max([len(h)] + [len(r[c]) for r in rows]) for c, h in enumerate(("Resource", "Billed", ""))]
    out.write(f"Monthly cost estimate for {label} ({estimate.region} on-demand list prices):\n\n")
    out.write(f"  {'Resource':<{widths[0]}}  {'Billed':<{widths[1]}}  USD/month (min / max)\n")
    for name, billed, usd in rows:
        out.write(f"  {name:<{widths[0]}}  {billed:<{widths[1]}}  {usd}\n")
    out.write("\n")
    render_totals(estimate, out)
    render_daily_totals(estimate, out)
    if estimate.not_priced:
        out.write("Not priced (billable, but the pricing file or the model does not cover them):\n")
        for line in estimate.not_priced:
            out.write(f"  {line}\n")
    out.write(
        f"Prices retrieved {estimate.retrieved}; usage assumptions (traffic, logs, LCU, Spot discount) "
        f"are in policies/pricing/{estimate.region}.json. Scheduled scaling (dev services off at night) "
        "is not deducted: the minimum keeps each service's floor all month.\n"
    )


def render_totals(estimate: Estimate, out: TextIO) -> None:
    """The two totals; ``offline.plan`` prints these after the resource tree."""
    out.write(f"Estimated monthly cost: ${estimate.min_total:,.2f} at minimum capacity, ")
    out.write(f"${estimate.max_total:,.2f} at maximum autoscaling capacity\n")


def render_daily_totals(estimate: Estimate, out: TextIO) -> None:
    """The totals per day: a month is the pricing file's hours per month (730 h, 30.4 days)."""
    low, high = per_day(estimate.min_total, estimate), per_day(estimate.max_total, estimate)
    out.write(f"Per day: ${low:,.2f} at minimum capacity, ${high:,.2f} at maximum autoscaling capacity\n")


def render_summary(estimate: Estimate, out: TextIO) -> None:
    """One line: ``$<min>-$<max> per day ($<min>-$<max> per month)``."""
    low, high = per_day(estimate.min_total, estimate), per_day(estimate.max_total, estimate)
    month = f"${estimate.min_total:,.2f}-${estimate.max_total:,.2f}"
    out.write(f"${low:,.2f}-${high:,.2f} per day ({month} per month)\n")


def per_day(monthly_usd: float, estimate: Estimate) -> float:
    return monthly_usd * HOURS_PER_DAY / estimate.hours_per_month


def render_plan_totals(plan: Mapping[str, Any], out: TextIO) -> None:
    """For ``make plan``: the totals of a plan in the ``pulumi preview --json`` shape."""
    out.write("\nCost (make cost for the line items):\n")
    render_totals(estimate_plan(plan), out)


def _usd(low: float, high: float) -> str:
    return f"{low:9.2f}" if low == high else f"{low:9.2f} / {high:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make cost", description=__doc__)
    parser.add_argument("--stack", default="dev", help=f"stack whose offline plan to price: {STACK_HELP}")
    parser.add_argument("--plan", type=Path, help="a plan file in the `pulumi preview --json` shape")
    parser.add_argument(
        "--summary", action="store_true", help="print one line: the cost per day and per month, min-max"
    )
    args = parser.parse_args(argv)
    try:
        if args.plan is not None:
            plan = load_plan(args.plan)
            label = str(args.plan)
        else:
            plan = to_preview_json(run_stack(args.stack))
            label = f"stack '{args.stack}'"
        estimate = estimate_plan(plan)
    except (StackFileError, ConfigError, PricingError, PlanFileError, OSError) as err:
        return report_error(err, args.stack)
    if args.summary:
        render_summary(estimate, sys.stdout)
    else:
        render_table(estimate, label, sys.stdout)
    return 0


if __name__ == "__main__":
    run_cli(main)
