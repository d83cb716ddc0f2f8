"""Pull requests' preview stacks: the generated stack file, and ``ephemeral`` making them destroyable.

A preview is the dev profile plus ``webapp:ephemeral: true``: nothing may block ``pulumi destroy``
(protect, deletion protection, final snapshots, secret recovery windows, non-empty buckets or
image repository), while dev and prod keep every one of those guards.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.check_schemas import check_stack_file
from offline.cost import estimate_plan, render_summary
from offline.preview_json import to_preview_json
from offline.preview_template import (
    PreviewStackError,
    is_generated_stack,
    preview_stack_name,
    write_preview_stack,
)
from offline.run import PROJECT_DIR, PlanResult
from tests.harness import (
    config_problems,
    dev_elasticache,
    dev_rds_instance,
    plan,
    preview_plan,
    preview_stack_config,
    stack_config,
)
from tests.policy_harness import check_plan

BUCKET = "aws:s3/bucket:Bucket"


@pytest.fixture(scope="module")
def preview() -> PlanResult:
    return preview_plan(7, uploads={"enabled": True, "accessLogs": {"enabled": True}},
                        loadBalancer={"accessLogs": {"enabled": True}})  # fmt: skip


# --- the generator ------------------------------------------------------------------------------


def _project_copy(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "previews"):
        (tmp_path / name).symlink_to(PROJECT_DIR / name)
    return tmp_path


def test_the_stack_file_is_the_template_with_the_image_tag_and_pull_request(tmp_path: Path) -> None:
    path = write_preview_stack(42, "3f9c2e1", project_dir=_project_copy(tmp_path))
    assert path == tmp_path / "Pulumi.pr-42.yaml"
    written = yaml.safe_load(path.read_text())["config"]
    template = yaml.safe_load((PROJECT_DIR / "previews" / "Pulumi.preview.yaml").read_text())["config"]
    assert written["webapp:image"] == {"tag": "3f9c2e1"}
    assert written["webapp:tags"] == {**template["webapp:tags"], "pull-request": "42"}
    assert {k: v for k, v in written.items() if k not in ("webapp:image", "webapp:tags")} == {
        k: v for k, v in template.items() if k not in ("webapp:image", "webapp:tags")
    }
    assert written["webapp:ephemeral"] is True
    assert written["webapp:profile"] == "dev"
    assert written["webapp:iam"] == {"permissionsBoundary": "bootstrap:previews"}


@pytest.mark.parametrize("number", ["0", "007", "-1", "1.5", "abc", "", "2147483648", "1e3"])
def test_a_bad_pull_request_number_is_refused(number: str) -> None:
    with pytest.raises(PreviewStackError, match=f"bad pull request number '{number}'"):
        preview_stack_name(number)


@pytest.mark.parametrize("number", ["1", "2147483647"])
def test_any_pull_request_number_names_a_stack(number: str) -> None:
    assert preview_stack_name(number) == f"pr-{number}"


def _run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline.preview_stack", *args],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_command_prints_the_path_and_exits_2_with_one_line_for_a_bad_number() -> None:
    stack_file = PROJECT_DIR / "Pulumi.pr-99999.yaml"
    try:
        done = _run_generator("99999", "--image-tag", "abc123")
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{stack_file}\n", "")
        assert yaml.safe_load(stack_file.read_text())["config"]["webapp:image"] == {"tag": "abc123"}
    finally:
        stack_file.unlink(missing_ok=True)
    bad = _run_generator("12a")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.splitlines() == [
        "error: bad pull request number '12a': use a whole number from 1 to 2147483647 without leading zeros"
    ]
    tag = _run_generator("5", "--image-tag", "latest")
    assert tag.returncode == 2 and len(tag.stderr.splitlines()) == 1
    assert not (PROJECT_DIR / "Pulumi.pr-5.yaml").exists()


def test_generated_stack_files_are_git_ignored() -> None:
    ignored = (PROJECT_DIR / ".gitignore").read_text().splitlines()
    assert "Pulumi.pr-*.yaml" in ignored


# --- what a preview is ---------------------------------------------------------------------------


def test_a_preview_passes_the_dev_pack_with_no_mandatory_violation() -> None:
    report = check_plan(to_preview_json(preview_plan(7)), "dev")
    assert [v for v in report.verdicts if v.enforcement == "mandatory"] == []


def test_a_preview_is_the_cheap_dev_setup(preview: PlanResult) -> None:
    assert preview.by_type("aws:ec2/natGateway:NatGateway") == []
    assert preview.by_type("aws:ec2/instance:Instance")  # the NAT instance
    assert preview.by_type("aws:elasticache/replicationGroup:ReplicationGroup") == []  # the sidecar
    assert preview.by_type("aws:wafv2/webAcl:WebAcl") == []
    scaling = preview.one("aws:rds/cluster:Cluster").inputs["serverlessv2ScalingConfiguration"]
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == (0, 1)
    strategy = preview.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"]
    assert {s["capacityProvider"] for s in strategy} == {"FARGATE_SPOT"}
    budget = preview.one("aws:budgets/budget:Budget").inputs
    assert (budget["name"], budget["limitAmount"]) == ("webapp-pr-7-monthly", "60.00")
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:stack$pr-7"]}]


def test_the_summary_is_one_line_per_day_and_per_month() -> None:
    out = io.StringIO()
    estimate = estimate_plan(to_preview_json(preview_plan(1)))
    render_summary(estimate, out)
    low, high = estimate.min_total * 24 / 730, estimate.max_total * 24 / 730
    month = f"${estimate.min_total:,.2f}-${estimate.max_total:,.2f}"
    assert out.getvalue() == f"${low:,.2f}-${high:,.2f} per day ({month} per month)\n"
    assert 0 < low < high < 10  # a preview costs dollars a day, not tens


# --- ephemeral: nothing blocks a destroy ---------------------------------------------------------


def test_nothing_in_a_preview_is_protected(preview: PlanResult) -> None:
    assert [r.name for r in preview.resources if r.protect] == []


def test_buckets_and_the_repository_are_deleted_with_their_contents(preview: PlanResult) -> None:
    buckets = {r.name: r.inputs["forceDestroy"] for r in preview.by_type(BUCKET)}
    assert set(buckets) >= {"site-content", "uploads-bucket", "uploads-access-logs", "api-access-logs"}
    assert set(buckets.values()) == {True}
    assert preview.one("aws:ecr/repository:Repository").inputs["forceDelete"] is True


def test_the_database_and_secrets_go_without_a_trace(preview: PlanResult) -> None:
    cluster = preview.one("aws:rds/cluster:Cluster").inputs
    assert (cluster["skipFinalSnapshot"], cluster["deletionProtection"]) == (True, False)
    assert "finalSnapshotIdentifier" not in cluster
    assert {
        s.inputs["recoveryWindowInDays"] for s in preview.by_type("aws:secretsmanager/secret:Secret")
    } == {0}
    assert preview.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False


def test_an_ephemeral_rds_instance_and_elasticache_skip_their_final_snapshots() -> None:
    result = preview_plan(
        8, database=dev_rds_instance(), cache={**dev_elasticache(), "snapshotRetentionDays": 1}
    )
    instance = result.one("aws:rds/instance:Instance").inputs
    assert (instance["skipFinalSnapshot"], instance["deletionProtection"]) == (True, False)
    assert (
        "finalSnapshotIdentifier"
        not in result.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    )
    secrets = result.by_type("aws:secretsmanager/secret:Secret")
    assert {s.name for s in secrets} >= {"cache-auth"}
    assert {s.inputs["recoveryWindowInDays"] for s in secrets} == {0}


def test_prod_keeps_every_guard_ephemeral_removes() -> None:
    prod = plan("prod", uploads={"enabled": True})
    assert prod.one("aws:rds/instance:Instance").inputs["skipFinalSnapshot"] is False
    assert prod.one("aws:rds/instance:Instance").inputs["finalSnapshotIdentifier"] == "webapp-prod-db-final"
    assert {r.inputs["forceDestroy"] for r in prod.by_type(BUCKET)} == {False}
    assert prod.one("aws:ecr/repository:Repository").inputs["forceDelete"] is False
    assert all(r.protect for r in prod.by_type(BUCKET))
    dev = plan("dev")
    assert dev.one("aws:rds/cluster:Cluster").inputs["skipFinalSnapshot"] is False
    assert {r.inputs["forceDestroy"] for r in dev.by_type(BUCKET)} == {False}


def test_ephemeral_follows_config_not_the_stack_name() -> None:
    # A stack named like a preview but without ephemeral keeps its guards; a dev stack with it loses them.
    guarded = preview_plan(9, ephemeral=False)
    assert guarded.one("aws:rds/cluster:Cluster").inputs["skipFinalSnapshot"] is False
    disposable = plan("dev", ephemeral=True)
    assert disposable.one("aws:rds/cluster:Cluster").inputs["skipFinalSnapshot"] is True


def test_ephemeral_overrides_the_prod_profile_defaults() -> None:
    result = plan("prod", ephemeral=True)
    assert [r.name for r in result.resources if r.protect] == []
    assert result.one("aws:rds/instance:Instance").inputs["deletionProtection"] is False
    assert result.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"protect": True}, "webapp:protect = true"),
        ({"database": {"deletionProtection": True}}, "webapp:database.deletionProtection = true"),
        ({"loadBalancer": {"deletionProtection": True}}, "webapp:loadBalancer.deletionProtection = true"),
        ({"secrets": {"recoveryWindowDays": 7}}, "webapp:secrets.recoveryWindowDays = 7"),
        ({"cache": {"recoveryWindowDays": 7}}, "webapp:cache.recoveryWindowDays = 7"),
    ],
)
def test_ephemeral_refuses_a_key_that_would_block_a_destroy(overrides: dict[str, object], line: str) -> None:
    problems, registered = config_problems(preview_stack_config(3, **overrides), stack="pr-3")
    assert problems == [f"{line}: blocks or delays `pulumi destroy`, and ephemeral is true: leave it out"]
    assert registered == []


def test_ephemeral_refuses_the_account_audit_trail() -> None:
    problems, _ = config_problems(stack_config("dev", ephemeral=True, auditTrail={"enabled": True}))
    assert problems == [
        "webapp:auditTrail.enabled = true: an account's audit trail belongs in a long-lived stack, "
        "not one with ephemeral: true"
    ]


def test_the_template_is_checked_against_the_schema_and_generated_files_are_not() -> None:
    assert check_stack_file("preview", name="previews/Pulumi.preview.yaml") == []
    assert [is_generated_stack(s) for s in ("pr-7", "pr-2147483647", "pr-07", "dev", "prod", "pr-x")] == [
        True, True, False, False, False, False,
    ]  # fmt: skip


@pytest.mark.parametrize("target", ["plan", "cost", "policy-check", "diagram"])
def test_make_writes_a_missing_preview_stack_file_first(target: str) -> None:
    dry = subprocess.run(
        ["make", "--dry-run", target, "STACK=pr-424242"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    generate = '-m offline.preview_stack "424242" >&2'
    assert generate in dry
    assert dry.index(generate) < dry.index('--stack "pr-424242"')
    assert (
        generate
        not in subprocess.run(
            ["make", "--dry-run", target, "STACK=dev"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
