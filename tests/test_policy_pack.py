"""The pack's plumbing: registration, config files, the offline runner, exceptions, unknown values."""

import json
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE

from offline.policy_check import (
    CONFIG_DIR,
    PolicyConfigError,
    enforcement_level,
    evaluate,
    load_policy_config,
    main,
)
from policies import pack
from policies._framework import EXCEPTION_LOG, Resource, Severity, resource_rule, to_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"
INFRASTRUCTURE_MODULES = {"__init__", "__main__", "_framework", "pack", "cost_model"}


def test_every_rule_module_is_registered() -> None:
    modules = {p.stem for p in POLICY_DIR.glob("*.py")} - INFRASTRUCTURE_MODULES
    assert modules == set(pack.RULE_MODULES)


def test_rule_names_are_unique_and_describe_their_controls() -> None:
    rules = pack.all_rules()
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule.controls, rule.name
        assert rule.full_description.endswith(f"[{', '.join(rule.controls)}]")
        assert isinstance(rule.severity, Severity)
        checks = [rule.check_resource, rule.check_stack, rule.check_configured_stack]
        assert sum(check is not None for check in checks) == 1, rule.name


def test_main_builds_the_pack_from_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}

    def fake_pack(**kwargs: Any) -> None:
        built.update(kwargs)

    # PolicyPack starts a gRPC server and never returns; record what __main__ hands it instead.
    monkeypatch.setattr("pulumi_policy.PolicyPack", fake_pack)
    runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="__main__")
    assert built["name"] == "webapp-security"
    assert built["enforcement_level"] is EnforcementLevel.MANDATORY
    assert [p.name for p in built["policies"]] == [r.name for r in pack.all_rules()] + [
        "documented-exceptions"
    ]


def test_pulumi_policy_yaml_and_requirements() -> None:
    manifest = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert manifest["version"]
    requirements = (POLICY_DIR / "requirements.txt").read_text()
    assert "pulumi-policy==1.21.0 \\\n    --hash=sha256:" in requirements


# --- the adapter: exceptions and unknown values ---------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"


@resource_rule(
    "test-bucket-versioned",
    types=[BUCKET],
    controls=["TEST.1"],
    severity=Severity.LOW,
    description="Test buckets are versioned.",
)
def bucket_versioned(bucket: Resource) -> Iterator[str]:
    if bucket.props.get("versioned") is not True:
        yield "versioned is not true"


def bucket_plan(**inputs: Any) -> dict[str, Any]:
    def step(name: str, props: dict[str, Any]) -> dict[str, Any]:
        urn = f"urn:pulumi:dev::webapp::{BUCKET}::{name}"
        return {"op": "create", "urn": urn, "newState": {"type": BUCKET, "urn": urn, "inputs": props}}

    return {"steps": [step(name, props) for name, props in inputs.items()]}


def run_test_rule(plan: dict[str, Any], config: dict[str, Any]) -> list[tuple[str, str, str]]:
    policy = to_policy(bucket_versioned)
    verdicts: list[tuple[str, str, str]] = []
    EXCEPTION_LOG.clear()
    from pulumi_policy import ResourceValidationArgs

    from offline.policy_check import _options, _props, plan_states

    for state in plan_states(plan):
        args = ResourceValidationArgs(
            state["type"], _props(state), state["urn"], state["urn"].rsplit("::", 1)[-1],
            _options(state), None, config,
        )  # fmt: skip
        policy.validate(args, lambda message, urn: verdicts.append(("violation", urn or "", message)))  # type: ignore[attr-defined]
    verdicts += [("excepted", urn, reason) for (_, urn), reason in EXCEPTION_LOG.applied.items()]
    return verdicts


def test_an_exception_excuses_only_the_named_resource_and_is_reported() -> None:
    plan = bucket_plan(logs={"versioned": False}, data={"versioned": False})
    reason = "log delivery cannot write to a versioned bucket in this test"
    verdicts = run_test_rule(plan, {"exceptions": [{"resource": "logs", "reason": reason}]})
    assert verdicts == [
        ("violation", f"urn:pulumi:dev::webapp::{BUCKET}::data", "versioned is not true"),
        ("excepted", f"urn:pulumi:dev::webapp::{BUCKET}::logs", reason),
    ]


def test_an_unknown_value_is_not_a_verdict() -> None:
    from pulumi_policy.proxy import UnknownValueError

    with pytest.raises(UnknownValueError):
        run_test_rule(bucket_plan(data={"versioned": UNKNOWN_BOOLEAN_VALUE}), {})


# --- config files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_policy_configs_are_valid(stack: str) -> None:
    load_policy_config(CONFIG_DIR / f"{stack}.json", pack.build_policies())


def test_production_only_rules_are_advisory_in_dev_and_mandatory_in_prod() -> None:
    policies = {p.name: p for p in pack.build_policies()}
    dev = load_policy_config(CONFIG_DIR / "dev.json", list(policies.values()))
    prod = load_policy_config(CONFIG_DIR / "prod.json", list(policies.values()))
    for rule in pack.all_rules():
        # A rule with its own level (the cost estimate against the budget) is advisory unless a
        # stack's config says otherwise; prod's does.
        default = EnforcementLevel.ADVISORY if rule.production_only else EnforcementLevel.MANDATORY
        expected_dev = rule.enforcement_level or default
        assert enforcement_level(policies[rule.name], dev) is expected_dev, rule.name
        assert enforcement_level(policies[rule.name], prod) is EnforcementLevel.MANDATORY, rule.name


def test_config_errors_name_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"no-such-policy": "advisory", "documented-exceptions": "sometimes"}))
    with pytest.raises(PolicyConfigError) as err:
        load_policy_config(path, pack.build_policies())
    assert str(err.value).splitlines() == [
        "bad.json: no-such-policy: no such policy in the pack",
        "bad.json: documented-exceptions: enforcement level 'sometimes' must be one of "
        "['advisory', 'disabled', 'mandatory', 'remediate']",
    ]


def test_exception_entries_need_a_reason(tmp_path: Path) -> None:
    rule = pack.all_rules()[0]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({rule.name: {"exceptions": [{"resource": "x"}]}}))
    with pytest.raises(PolicyConfigError) as err:
        load_policy_config(path, pack.build_policies())
    assert str(err.value) == f"bad.json: {rule.name}: 'reason' is a required property"


# --- the runner's command line ------------------------------------------------------------------------


def test_policy_check_reads_a_plan_file_and_exits_zero_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"steps": []}))
    assert main(["--plan", str(path), "--stack", "dev"]) == 0
    assert capsys.readouterr().out.endswith(
        f"{path}: 0 mandatory and 0 advisory violations, 0 documented exceptions, 0 checks waiting "
        f"for unknown values ({len(pack.build_policies())} policies over 0 resources)\n"
    )


def test_policy_check_bad_plan_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    assert main(["--plan", str(path)]) == 2
    assert capsys.readouterr().err.startswith("error: Expecting property name enclosed in double quotes")


def test_evaluate_counts_a_disabled_policy_out() -> None:
    report = evaluate({"steps": []}, {"documented-exceptions": "disabled"})
    assert report.verdicts == ()


def test_is_set_sees_through_the_sdk_proxies() -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    from policies._framework import is_set, is_unknown
    from tests.policy_harness import resource

    props = resource(
        BUCKET, {"a": [], "b": {}, "c": ["x"], "d": "", "e": "x", "f": None, "g": UNKNOWN_STRING_VALUE}
    ).props
    assert [key for key in "abcdefgh" if is_set(props, key)] == ["c", "e", "g"]
    assert [key for key in "abcdefgh" if is_unknown(props, key)] == ["g"]
