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

from offline.analyzer_view import plan_states, resource_args, stack_resources
from offline.policy_check import (
    CONFIG_DIR,
    PolicyConfigError,
    Report,
    Verdict,
    enforcement_level,
    evaluate,
    load_policy_config,
    main,
    render,
)
from policies import pack
from policies._framework import (
    EXCEPTION_LOG,
    DesignException,
    Finding,
    Resource,
    Severity,
    Stack,
    resource_rule,
    stack_rule,
    to_policy,
)

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"
INFRASTRUCTURE_MODULES = {"__init__", "__main__", "_framework", "pack", "cost_model", "cost_tracing"}


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


def run_test_rule(
    plan: dict[str, Any], config: dict[str, Any], rule: Any = None
) -> list[tuple[str, str, str]]:
    policy = to_policy(rule or bucket_versioned)
    verdicts: list[tuple[str, str, str]] = []
    EXCEPTION_LOG.clear()
    for state in plan_states(plan):
        args = resource_args(state, {}, config)
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


@resource_rule(
    "test-bucket-encrypted",
    types=[BUCKET],
    controls=["TEST.2"],
    severity=Severity.LOW,
    description="Test buckets use KMS, except log buckets by design.",
)
def bucket_encrypted(bucket: Resource) -> Iterator[str | DesignException]:
    if bucket.props.get("kms") is not True and bucket.props.get("role") == "logs":
        yield DesignException("log delivery writes only to SSE-S3 buckets in this test")
    elif bucket.props.get("kms") is not True:
        yield "kms is not true"


def test_a_design_exception_applies_to_any_name_and_is_reported_with_its_reason() -> None:
    plan = bucket_plan(**{"any-name-at-all": {"role": "logs"}, "data": {}})
    verdicts = run_test_rule(plan, {}, bucket_encrypted)
    assert verdicts == [
        ("violation", f"urn:pulumi:dev::webapp::{BUCKET}::data", "kms is not true"),
        (
            "excepted",
            f"urn:pulumi:dev::webapp::{BUCKET}::any-name-at-all",
            "log delivery writes only to SSE-S3 buckets in this test",
        ),
    ]
    subject = Resource(BUCKET, "x", "urn:x", {"role": "logs"})
    assert bucket_encrypted.findings(subject) == []
    assert bucket_encrypted.design_exceptions(subject) == [
        ("urn:x", "log delivery writes only to SSE-S3 buckets in this test")
    ]


@stack_rule("test-buckets-logged", controls=["TEST.3"], severity=Severity.LOW, description="Logged.")
def buckets_logged(stack: Stack) -> Iterator[Finding]:
    for bucket in stack.of_type(BUCKET):
        if bucket.props.get("role") == "logs":
            yield Finding.design_exception(bucket, "a log bucket is not logged itself, by design")
        else:
            yield Finding(bucket, "has no logging")


def test_a_stack_rule_design_exception_is_not_a_violation() -> None:
    from pulumi_policy import StackValidationArgs

    plan = bucket_plan(audit={"role": "logs"}, data={})
    EXCEPTION_LOG.clear()
    reported: list[tuple[str, str]] = []
    args = StackValidationArgs(stack_resources(plan_states(plan)), {})
    to_policy(buckets_logged).validate(args, lambda message, urn: reported.append((urn or "", message)))  # type: ignore[attr-defined]
    assert reported == [(f"urn:pulumi:dev::webapp::{BUCKET}::data", "has no logging")]
    assert EXCEPTION_LOG.applied == {
        ("test-buckets-logged", f"urn:pulumi:dev::webapp::{BUCKET}::audit"): (
            "a log bucket is not logged itself, by design"
        )
    }


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
    stack = "urn:pulumi:dev::webapp::pulumi:pulumi:Stack::webapp-dev"
    state = {"type": "pulumi:pulumi:Stack", "urn": stack, "inputs": {}}
    step = {"op": "create", "urn": stack, "newState": state}
    path.write_text(json.dumps({"steps": [step]}))
    assert main(["--plan", str(path), "--stack", "dev"]) == 0
    assert capsys.readouterr().out.endswith(
        f"{path}: 0 mandatory and 0 advisory violations, 0 documented exceptions, 0 checks waiting "
        f"for unknown values ({len(pack.build_policies())} policies over 1 resources)\n"
    )


def test_policy_check_bad_plan_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    assert main(["--plan", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {path}: not JSON: Expecting property name enclosed in")


STACK_URN = "urn:pulumi:dev::webapp::pulumi:pulumi:Stack::webapp-dev"
STACK_ONLY_PLAN = {
    "steps": [
        {
            "op": "create",
            "urn": STACK_URN,
            "newState": {"type": "pulumi:pulumi:Stack", "urn": STACK_URN, "inputs": {}},
        }
    ]
}


def test_policy_check_of_a_stack_without_a_stack_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The pack config comes from the stack file's profile: no stack file, no silent "no config".
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(STACK_ONLY_PLAN))
    assert main(["--plan", str(path), "--stack", "staging"]) == 2
    assert capsys.readouterr().err == "error: no stack file Pulumi.staging.yaml; stacks here: dev, prod\n"


def test_policy_check_with_a_missing_config_file_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(STACK_ONLY_PLAN))
    assert main(["--plan", str(path), "--config", str(tmp_path / "team.json")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'team.json'}: [Errno 2] No such file")


def test_the_policy_table_has_a_column_per_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| Policy | Controls | Severity | Kind | dev | prod |"
    assert "| `sns-alarms-reach-someone` | webapp | medium | stack | advisory | mandatory |" in lines
    assert len(lines) == 2 + len(pack.all_rules())


# --- verdict lines a reviewer can read --------------------------------------------------------------


def _verdict(enforcement: str, policy: str, type_: str, name: str, message: str) -> Verdict:
    return Verdict(enforcement, policy, f"urn:pulumi:dev::webapp::webapp:index:Site${type_}::{name}", message)


def test_verdicts_name_the_resource_and_identical_ones_share_a_line() -> None:
    from io import StringIO

    report = Report(
        (
            _verdict("advisory", "p-two", "aws:kms/key:Key", "b-key", "protect is false"),
            _verdict("advisory", "p-two", "aws:s3/bucketV2:BucketV2", "a-bucket", "protect is false"),
            _verdict("advisory", "p-two", "aws:kms/key:Key", "c-key", "another message"),
            _verdict("mandatory", "p-one", "aws:s3/bucketV2:BucketV2", "site-content", "not encrypted"),
            _verdict("mandatory", "p-one", "aws:s3/bucketV2:BucketV2", "logs", "not encrypted"),
            _verdict("mandatory", "p-one", "aws:s3/bucketV2:BucketV2", "uploads", "not encrypted"),
        ),
        policy_count=2,
        resource_count=7,
    )
    out = StringIO()
    render(report, "dev", out)
    assert out.getvalue().splitlines() == [
        "mandatory  p-one  on 3 resources: aws:s3/bucketV2:BucketV2 logs, aws:s3/bucketV2:BucketV2 "
        "site-content, aws:s3/bucketV2:BucketV2 uploads",
        "           not encrypted",
        "advisory   p-two  on 2 resources: aws:kms/key:Key b-key, aws:s3/bucketV2:BucketV2 a-bucket",
        "           protect is false",
        "advisory   p-two  aws:kms/key:Key c-key",
        "           another message",
        # The summary still counts each resource's verdict.
        "dev: 3 mandatory and 3 advisory violations, 0 documented exceptions, 0 checks waiting for "
        "unknown values (2 policies over 7 resources)",
    ]


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
