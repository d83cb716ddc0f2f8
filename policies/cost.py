"""The monthly cost estimate must fit the stack's budget (issue 9).

The budget is the policy config's ``monthlyBudgetUsd`` when set, else the ``limitAmount`` of the
stack's monthly USD cost budget (``aws:budgets/budget:Budget``, which the Monitoring component
creates). The estimate (``cost_model``) is taken at minimum capacity: what the stack costs when
nothing scales out. No budget, no verdict; a budget not known yet makes the rule wait for the
update. Unknown inputs of the estimate take the cost model's documented defaults. Advisory
unless the stack's policy config says ``"cost-within-budget": "mandatory"``.

Example (``policies/config/prod.json``)::

    "cost-within-budget": {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 400}
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ._framework import Finding, Resource, Severity, Stack, configured_stack_rule
from .cost_model import Estimate, estimate_cost, load_pricing

BUDGET = "aws:budgets/budget:Budget"
STACK = "pulumi:pulumi:Stack"
TOP_ITEMS = 3


@configured_stack_rule(
    "cost-within-budget",
    controls=["webapp"],
    severity=Severity.LOW,
    description="The estimated monthly cost at minimum capacity does not exceed the monthly budget.",
    enforcement_level=EnforcementLevel.ADVISORY,
    config_properties={
        "monthlyBudgetUsd": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Monthly budget in USD; overrides the limitAmount of the stack's budget.",
        }
    },
)
def cost_within_budget(stack: Stack, config: Mapping[str, Any]) -> Iterator[Finding]:
    found = budget_of(stack, config)
    if found is None:
        return
    subject, budget, source = found
    estimate = estimate_cost(stack, load_pricing())
    if estimate.min_total > budget:
        yield Finding(subject, over_budget_message(estimate, budget, source))


def budget_of(stack: Stack, config: Mapping[str, Any]) -> tuple[Resource, float, str] | None:
    """(resource to report on, USD, where the number came from), or None when there is no budget."""
    budgets = [b for b in stack.of_type(BUDGET) if _monthly_usd_cost(b)]
    configured = config.get("monthlyBudgetUsd")
    if configured is not None:
        subject = budgets[0] if budgets else next(iter(stack.of_type(STACK)), None)
        subject = subject or (stack.resources[0] if stack.resources else None)
        return (subject, float(configured), "monthlyBudgetUsd in the policy config") if subject else None
    for budget in budgets:
        limit = budget.props.get("limitAmount")
        if limit is not None:
            return budget, float(limit), f"the limitAmount of budget {budget.name}"
    return None


def over_budget_message(estimate: Estimate, budget: float, source: str) -> str:
    top = sorted(estimate.items, key=lambda i: i.min_usd, reverse=True)[:TOP_ITEMS]
    biggest = ", ".join(f"{i.resource} ${i.min_usd:.2f}" for i in top)
    return (
        f"estimated ${estimate.min_total:.2f}/month at minimum capacity "
        f"(${estimate.max_total:.2f} at maximum) exceeds the ${budget:.2f} budget ({source}); "
        f"largest items: {biggest}. "
        "See `make cost` for every line, then shrink the largest or raise the budget"
    )


def _monthly_usd_cost(budget: Resource) -> bool:
    # Read, not cost_model.get: an unknown budget raises ("can't run during preview") instead of
    # reading as no budget, which would skip the verdict.
    props = budget.props
    return (
        props.get("budgetType") == "COST"
        and props.get("timeUnit") == "MONTHLY"
        and props.get("limitUnit") in (None, "USD")
    )


RULES = [cost_within_budget]
