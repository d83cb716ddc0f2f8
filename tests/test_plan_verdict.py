"""``make plan`` ends like ``pulumi preview --policy-pack``: exit 1 and a last line on a mandatory
violation; ``FORMAT=json`` is the plan only, pure JSON, exit 0."""

import json
from typing import Any

import pytest

from offline import plan as offline_plan
from tests.harness import plan, stack_config


@pytest.fixture
def silent_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make plan STACK=prod` sees prod with nobody subscribed to its alarms (a mandatory violation)."""
    monitoring = {**json.loads(stack_config("prod").get("webapp:monitoring", "{}")), "emails": []}
    result = plan("prod", monitoring=monitoring)

    def run_stack(stack: str, *_: Any) -> Any:
        assert stack == "prod"
        return result

    monkeypatch.setattr(offline_plan, "run_stack", run_stack)


def test_a_passing_stack_says_so_last_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert offline_plan.main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "\nPolicies (policies/config/dev.json):\n" in out
    assert (
        out.splitlines()[-1]
        == "make plan: no mandatory policy violations; pulumi preview --policy-pack would pass"
    )


def test_a_mandatory_violation_fails_the_plan(silent_prod: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert offline_plan.main(["--stack", "prod"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "mandatory  sns-alarms-reach-someone  aws:sns/topic:Topic ops-alarms" in lines
    assert lines[-1] == "make plan: 1 mandatory policy violation; pulumi preview --policy-pack would fail"


def test_json_is_the_plan_only_and_exits_zero(silent_prod: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert offline_plan.main(["--stack", "prod", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"steps", "outputs"}


def test_the_verdict_line_counts_violations() -> None:
    assert offline_plan.verdict_line(2) == (
        "make plan: 2 mandatory policy violations; pulumi preview --policy-pack would fail"
    )
