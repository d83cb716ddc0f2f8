"""cost-within-budget: the estimate at minimum capacity against the stack's or the config's budget."""

from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, StackValidationArgs, StackValidationPolicy

from offline.analyzer_view import plan_states, stack_resources
from offline.cost import estimate_plan
from policies._framework import Stack, stack_from, to_policy
from policies.cost import budget_of, cost_within_budget
from tests.policy_harness import plan_stack
from tests.test_cost import small_plan, state, urn

BUDGET = "aws:budgets/budget:Budget"
MIN_TOTAL = estimate_plan(small_plan()).min_total


def plan_with_budget(limit: float | None, **budget: Any) -> dict[str, Any]:
    plan = small_plan()
    if limit is not None:
        inputs = {
            "budgetType": "COST",
            "timeUnit": "MONTHLY",
            "limitUnit": "USD",
            "limitAmount": f"{limit:.2f}",
        }
        plan["steps"].append(state(BUDGET, "ops-budget", inputs | budget))
    return plan


def as_stack(plan: dict[str, Any]) -> Stack:
    return stack_from(stack_resources(plan_states(plan)))


def test_fails_one_cent_under_the_estimate_and_passes_one_cent_over() -> None:
    under = cost_within_budget.findings(as_stack(plan_with_budget(MIN_TOTAL - 0.01)))
    over = cost_within_budget.findings(as_stack(plan_with_budget(MIN_TOTAL + 0.01)))
    exact = cost_within_budget.findings(as_stack(plan_with_budget(MIN_TOTAL)))

    assert [u for u, _ in under] == [urn(BUDGET, "ops-budget")]
    assert under[0][1].startswith(
        f"estimated ${MIN_TOTAL:.2f}/month at minimum capacity (${estimate_plan(small_plan()).max_total:.2f} "
        f"at maximum) exceeds the ${MIN_TOTAL - 0.01:.2f} budget (the limitAmount of budget ops-budget); "
        "largest items: net-vpc $37.1"
    )
    assert over == []
    assert exact == []


def test_the_config_budget_overrides_the_stack_budget() -> None:
    stack = as_stack(plan_with_budget(10_000))

    [message] = cost_within_budget.messages(stack, {"monthlyBudgetUsd": MIN_TOTAL - 0.01})

    assert f"exceeds the ${MIN_TOTAL - 0.01:.2f} budget (monthlyBudgetUsd in the policy config)" in message
    assert cost_within_budget.messages(stack, {"monthlyBudgetUsd": MIN_TOTAL + 0.01}) == []


def test_a_config_budget_without_a_budget_resource_reports_on_the_stack() -> None:
    findings = cost_within_budget.findings(as_stack(plan_with_budget(None)), {"monthlyBudgetUsd": 1})

    assert [u for u, _ in findings] == [urn("pulumi:pulumi:Stack", "webapp-test")]


def test_no_budget_no_verdict() -> None:
    assert cost_within_budget.findings(as_stack(plan_with_budget(None))) == []


@pytest.mark.parametrize(
    "budget", [{"timeUnit": "ANNUALLY"}, {"budgetType": "USAGE"}, {"limitUnit": "GB"}], ids=str
)
def test_only_a_monthly_usd_cost_budget_counts(budget: dict[str, str]) -> None:
    assert cost_within_budget.findings(as_stack(plan_with_budget(1, **budget))) == []


def test_the_policy_is_advisory_by_default_and_takes_monthly_budget_usd() -> None:
    policy = to_policy(cost_within_budget)

    assert isinstance(policy, StackValidationPolicy)
    assert policy.enforcement_level is EnforcementLevel.ADVISORY
    assert policy.config_schema is not None
    assert policy.config_schema.properties["monthlyBudgetUsd"]["type"] == "number"
    assert "exceptions" in policy.config_schema.properties


def test_the_engine_adapter_passes_the_policy_config() -> None:
    policy = to_policy(cost_within_budget)
    assert isinstance(policy, StackValidationPolicy)
    resources = stack_resources(plan_states(plan_with_budget(None)))
    reported: list[tuple[str, str | None]] = []

    policy.validate(
        StackValidationArgs(resources, {"monthlyBudgetUsd": 1}), lambda m, u: reported.append((m, u))
    )
    policy.validate(StackValidationArgs(resources, {}), lambda m, u: reported.append((m, u)))

    assert [u for _, u in reported] == [urn("pulumi:pulumi:Stack", "webapp-test")]


@pytest.mark.parametrize(("stack_name", "limit"), [("dev", 50.0), ("prod", 500.0)])
def test_committed_stacks_have_a_budget_the_rule_reads(stack_name: str, limit: float) -> None:
    found = budget_of(plan_stack(stack_name), {})

    assert found is not None
    assert (found[0].name, found[1]) == ("ops-budget", limit)
