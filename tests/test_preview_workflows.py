"""Preview environments in CI: which pull request events deploy or destroy a pr-<n> stack, the
workflows' fences (only the preview environment's role, never dev's or prod's), and the deploy,
destroy, comment and sweeper scripts run against stand-in `pulumi`, `aws` and `gh` commands."""

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from offline import pack_config
from tests.test_workflows import (
    API,
    ROOT,
    TD,
    WORKFLOWS,
    StandIns,
    _deployments,
    _ecs,
    _stack_outputs,
    jobs,
    load,
)

PREVIEW_WORKFLOWS = ["preview-environment.yml", "preview-sweeper.yml"]
OTHER_WORKFLOWS = ["deploy.yml", "pull-request.yml"]
PREVIEW_ROLE = "${{ vars.AWS_PREVIEW_ENV_ROLE_ARN }}"
# What dev, prod and their previews use (ADR 0014): a preview environment's job names none of it.
FORBIDDEN = [
    "AWS_DEV_ROLE_ARN", "AWS_PROD_ROLE_ARN", "AWS_PREVIEW_ROLE_ARN", "AWS_PROD_PREVIEW_ROLE_ARN",
    "PULUMI_BACKEND_URL_DEV", "PULUMI_BACKEND_URL_PROD",
]  # fmt: skip
FORBIDDEN_ENVIRONMENTS = {"dev", "production", "production-preview"}

# The scripts write Pulumi.<stack>.yaml into the project: a number of this process's own keeps two
# test runs at once (two worktrees' `make test`) from removing each other's file.
PR = str(1_000_000 + os.getpid())
STACK = f"pr-{PR}"
SHA = "0123456789abcdef0123456789abcdef01234567"
BUCKET = "webapp-state-111122223333"
PROVIDER = "awskms://alias/webapp-previews-pulumi-secrets?region=eu-west-1"
ENV = {
    "PULUMI_BACKEND_BUCKET": BUCKET,
    "AWS_REGION": "eu-west-1",
    "PREVIEW_SECRETS_PROVIDER": PROVIDER,
    "PREVIEW_TTL_HOURS": "48",
    "RELEASE_POLL_SECONDS": "0",
    "PREVIEW_DESTROY_BACKOFF_SECONDS": "0",
}
BACKEND = f"s3://{BUCKET}/webapp/{STACK}?region=eu-west-1"
REPOSITORY_URL = f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/webapp/{STACK}/api"
REPOSITORY_URN = (
    f"urn:pulumi:{STACK}::webapp::webapp:index:ImageRegistry$aws:ecr/repository:Repository::api-repo"
)


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "ci" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


preview_event = _module("preview_event")
preview_sweep = _module("preview_sweep")
preview_comment = _module("preview_comment")


@pytest.fixture
def stack_file() -> Iterator[Path]:
    """The generated Pulumi.pr-<n>.yaml the scripts write into the project, removed afterwards."""
    path = ROOT / f"Pulumi.{STACK}.yaml"
    yield path
    path.unlink(missing_ok=True)


# --- Which events deploy or destroy ------------------------------------------------------------


def _event(action: str, labels: list[str], label: str | None = None, **pull: Any) -> dict[str, Any]:
    head_repo = pull.pop("head_repo", "octo/webapp")
    event: dict[str, Any] = {
        "action": action,
        "repository": {"full_name": "octo/webapp"},
        "pull_request": {
            "number": 7,
            "labels": [{"name": name} for name in labels],
            "head": {"repo": {"full_name": head_repo} if head_repo else None},
            **pull,
        },
    }
    if label is not None:
        event["label"] = {"name": label}
    return event


@pytest.mark.parametrize(
    ("event", "action", "reason"),
    [
        (_event("labeled", ["bug", "preview"], "preview"), "deploy", "the 'preview' label was added"),
        (_event("labeled", ["preview", "bug"], "bug"), "skip", "label 'bug' added"),
        (_event("labeled", ["preview"], "preview", state="closed"), "skip", "the pull request is closed"),
        (_event("unlabeled", ["bug"], "preview"), "destroy", "the 'preview' label was removed"),
        (_event("unlabeled", ["preview"], "bug"), "skip", "label 'bug' removed"),
        (_event("synchronize", ["preview"]), "deploy", "new commits, and it has the 'preview' label"),
        (_event("synchronize", ["bug"]), "skip", "no 'preview' label"),
        (_event("opened", ["preview"]), "deploy", "the pull request was opened"),
        (_event("reopened", ["preview"]), "deploy", "the pull request was reopened"),
        (_event("closed", ["preview"], merged=True), "destroy", "the pull request was merged"),
        (_event("closed", ["preview"], merged=False), "destroy", "the pull request was closed"),
        (_event("closed", ["bug"], merged=True), "skip", "closed without the 'preview' label"),
        (_event("edited", ["preview"]), "skip", "event action 'edited'"),
        # A fork's run gets no OIDC token: never a deploy, and never a preview to destroy.
        (_event("labeled", ["preview"], "preview", head_repo="someone/webapp"), "skip", "a fork's"),
        (_event("closed", ["preview"], head_repo="someone/webapp"), "skip", "a fork's"),
        (_event("synchronize", ["preview"], head_repo=None), "skip", "a fork's"),
    ],
)
def test_which_events_deploy_or_destroy(event: dict[str, Any], action: str, reason: str) -> None:
    decision = preview_event.decide(event)
    assert (decision.action, decision.pr, decision.stack) == (action, 7, "pr-7")
    assert reason in decision.reason


def test_the_decision_goes_to_github_output(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(_event("closed", ["preview"], merged=True)))
    result = subprocess.run(
        [sys.executable, "scripts/ci/preview_event.py", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout == "action=destroy\npr=7\nstack=pr-7\nreason=the pull request was merged\n"
    assert result.stderr == "pr-7: destroy: the pull request was merged\n"


# --- The workflows -----------------------------------------------------------------------------


def test_the_pull_request_triggers_and_one_run_per_pr_never_cancelled() -> None:
    workflow = load("preview-environment.yml")
    assert workflow["on"] == {
        "pull_request": {
            "branches": ["main"],
            "types": ["opened", "reopened", "synchronize", "labeled", "unlabeled", "closed"],
        }
    }
    assert workflow["concurrency"] == {
        "group": "preview-environment-${{ github.event.pull_request.number }}",
        "cancel-in-progress": False,
    }
    # Only a PR that has the label, or just lost it, starts anything.
    assert jobs("preview-environment.yml")["decide"]["if"] == (
        "contains(github.event.pull_request.labels.*.name, 'preview') || github.event.label.name == 'preview'"
    )


def test_the_sweeper_runs_hourly_and_shares_each_prs_concurrency_group() -> None:
    workflow = load("preview-sweeper.yml")
    assert workflow["on"] == {"schedule": [{"cron": "23 * * * *"}], "workflow_dispatch": None}
    assert workflow["concurrency"] == {"group": "preview-sweeper", "cancel-in-progress": False}
    destroy = workflow["jobs"]["destroy"]
    assert destroy["concurrency"] == {
        "group": "preview-environment-${{ matrix.target.pr }}",
        "cancel-in-progress": False,
    }
    assert destroy["strategy"]["matrix"] == {"target": "${{ fromJSON(needs.select.outputs.targets) }}"}
    assert destroy["strategy"]["fail-fast"] is False
    assert destroy["if"] == "needs.select.outputs.targets != '[]'"
    select = workflow["jobs"]["select"]
    run = next(step for step in select["steps"] if "preview_sweep.py" in step.get("run", ""))
    assert run["env"]["PREVIEW_TTL_HOURS"] == "${{ vars.PREVIEW_TTL_HOURS || '72' }}"
    assert run["env"]["GH_TOKEN"] == "${{ github.token }}"


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if action in step.get("uses", "")]


@pytest.mark.parametrize("name", PREVIEW_WORKFLOWS)
def test_every_aws_job_is_in_the_preview_environment_with_the_preview_role_only(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    for forbidden in FORBIDDEN:
        assert not re.search(rf"\b{forbidden}\b", text), forbidden
    aws_jobs = 0
    for job_name, job in jobs(name).items():
        assert job.get("environment") in (None, "preview"), job_name
        assert job.get("environment") not in FORBIDDEN_ENVIRONMENTS
        credentials = _uses(job, "configure-aws-credentials")
        if credentials:
            aws_jobs += 1
            # Outside the environment the OIDC subject would be the pull_request one, which the
            # dev preview role trusts; inside it only the preview-env role does (ADR 0018).
            assert job["environment"] == "preview", job_name
            assert [step["with"]["role-to-assume"] for step in credentials] == [PREVIEW_ROLE]
            assert job["permissions"]["id-token"] == "write"
        else:
            assert "id-token" not in job["permissions"], job_name
    assert aws_jobs == 2  # deploy and destroy; the sweeper's select and destroy


@pytest.mark.parametrize("name", OTHER_WORKFLOWS)
def test_the_other_workflows_never_use_the_preview_environment_or_its_role(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert "AWS_PREVIEW_ENV_ROLE_ARN" not in text
    assert "PREVIEW_SECRETS_PROVIDER" not in text
    assert all(job.get("environment") != "preview" for job in jobs(name).values())


@pytest.mark.parametrize("name", PREVIEW_WORKFLOWS)
def test_least_permissions_and_timeouts(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {}
    expected = {
        "preview-environment.yml": {
            "decide": {"contents": "read"},
            "image": {"contents": "read"},
            # The two jobs that run the PR's code (deploy) or hold AWS credentials get no
            # pull-request write token; the comment job, which runs main's scripts, does.
            "deploy": {"contents": "read", "id-token": "write"},
            "destroy": {"contents": "read", "id-token": "write"},
            "comment": {"contents": "read", "pull-requests": "write"},
        },
        "preview-sweeper.yml": {
            "select": {"contents": "read", "id-token": "write", "pull-requests": "read"},
            # main's code only: `pulumi destroy` runs no program.
            "destroy": {"contents": "read", "id-token": "write", "pull-requests": "write"},
        },
    }[name]
    assert {job_name: job["permissions"] for job_name, job in workflow["jobs"].items()} == expected
    for job_name, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 150, job_name


def _checkout_ref(job: dict[str, Any]) -> str | None:
    (checkout,) = _uses(job, "actions/checkout")
    assert checkout["with"]["persist-credentials"] is False
    return checkout["with"].get("ref")


def test_the_pr_is_built_for_arm64_and_deployed_from_its_own_commit() -> None:
    workflow = jobs("preview-environment.yml")
    head = "${{ github.event.pull_request.head.sha }}"
    assert workflow["image"]["if"] == "needs.decide.outputs.action == 'deploy'"
    assert workflow["image"]["runs-on"] == "${{ vars.ARM64_RUNNER || 'ubuntu-24.04-arm' }}"
    assert load("preview-environment.yml")["env"]["IMAGE_PLATFORM"] == "linux/arm64"
    assert (_checkout_ref(workflow["image"]), _checkout_ref(workflow["deploy"])) == (head, head)
    assert workflow["deploy"]["needs"] == ["decide", "image"]
    (upload,) = _uses(workflow["image"], "upload-artifact")
    (download,) = _uses(workflow["deploy"], "download-artifact")
    assert upload["with"]["name"] == download["with"]["name"] == f"image-{head}"
    runs = [step for step in workflow["deploy"]["steps"] if "run" in step]
    assert [step["run"] for step in runs] == [
        "make venv",
        'mkdir -p "$PARTS"\nscripts/ci/preview-up.sh "$PR" "$HEAD_SHA" "$IMAGE_ARCHIVE" "$PARTS" 2>&1 '
        '| tee "$PARTS/output.txt"\n',
    ]
    # `shell: bash` adds pipefail: the tee does not hide a failed deploy.
    assert runs[1]["shell"] == "bash"
    assert runs[1]["env"] == {"PR": "${{ needs.decide.outputs.pr }}", "HEAD_SHA": head}
    assert workflow["deploy"]["env"]["PREVIEW_TTL_HOURS"] == "${{ vars.PREVIEW_TTL_HOURS || '72' }}"


def test_destroy_runs_the_base_branchs_scripts_so_a_deleted_branch_does_not_matter() -> None:
    workflow = jobs("preview-environment.yml")
    base = "${{ github.event.pull_request.base.ref }}"
    for job in ("decide", "destroy", "comment"):
        assert _checkout_ref(workflow[job]) == base, job
    destroy = workflow["destroy"]
    assert destroy["if"] == "needs.decide.outputs.action == 'destroy'"
    assert destroy["needs"] == "decide"
    run = next(step for step in destroy["steps"] if "preview-destroy.sh" in step.get("run", ""))
    assert 'scripts/ci/preview-destroy.sh "$PR" "$PARTS" 2>&1 | tee "$PARTS/output.txt"' in run["run"]
    assert run["shell"] == "bash"
    # The sweeper checks out the default branch (no ref) and runs the same script.
    sweeper = jobs("preview-sweeper.yml")["destroy"]
    assert _checkout_ref(sweeper) is None
    run = next(step for step in sweeper["steps"] if "preview-destroy.sh" in step.get("run", ""))
    assert 'scripts/ci/preview-destroy.sh "$PR" "$PARTS" 2>&1 | tee "$PARTS/output.txt"' in run["run"]


def test_one_comment_after_every_deploy_or_destroy_even_a_failed_one() -> None:
    workflow = jobs("preview-environment.yml")
    comment = workflow["comment"]
    assert comment["needs"] == ["decide", "deploy", "destroy"]
    assert comment["if"] == (
        "always() && needs.decide.result == 'success' && needs.decide.outputs.action != 'skip'"
    )
    for job in ("deploy", "destroy"):
        (upload,) = _uses(workflow[job], "upload-artifact")
        assert upload["if"] == "always()"
    render, upsert = (step for step in comment["steps"] if "run" in step)
    assert "scripts/ci/preview_comment.py" in render["run"]
    assert render["env"]["RESULT"] == (
        "${{ needs.decide.outputs.action == 'deploy' && needs.deploy.result || needs.destroy.result }}"
    )
    assert upsert["run"] == 'scripts/ci/upsert-pr-comment.sh "$PR" comment.md'
    assert upsert["env"]["GH_TOKEN"] == "${{ github.token }}"
    # The sweeper tells the PR too, unless the PR is gone.
    sweeper = jobs("preview-sweeper.yml")["destroy"]
    tell = next(step for step in sweeper["steps"] if "upsert-pr-comment.sh" in step.get("run", ""))
    assert tell["if"] == "always() && matrix.target.comment"
    assert tell["env"]["RESULT"] == "${{ steps.destroy.outcome }}"


# --- preview-up.sh -----------------------------------------------------------------------------


def _export(with_repository: bool) -> str:
    resources: list[dict[str, Any]] = [
        {"urn": f"urn:pulumi:{STACK}::webapp::pulumi:pulumi:Stack::webapp-{STACK}"}
    ]
    if with_repository:
        resources.append({"urn": REPOSITORY_URN, "outputs": {"repositoryUrl": REPOSITORY_URL}})
    return json.dumps({"version": 3, "deployment": {"resources": resources}})


def _up_stand_ins(tmp_path: Path, first: bool) -> StandIns:
    done = _deployments(("PRIMARY", f"{TD}{API}:8", "COMPLETED", "ECS deployment completed."))
    pulumi = {
        **_stack_outputs(migration=False),
        "stack select": "",
        "stack export": [_export(False), _export(True)] if first else _export(True),
        "stack output siteUrl": "https://d111.cloudfront.net",
        "stack output apiUrl": "https://d111.cloudfront.net/api/",
    }
    ecs = _ecs(done)
    aws = {
        **ecs,
        "s3api head-object": [{"code": 254, "err": "Not Found"}, "2026-12-05T17:00:00+00:00"]
        if first
        else "2026-12-04T09:30:00+00:00",
        "s3api put-object": "",
        # The tag is there already: push-image.sh then needs no skopeo.
        "ecr describe-images": "{}",
    }
    return StandIns(tmp_path / "bin", pulumi, aws)


def _facts(parts: Path) -> dict[str, str]:
    return preview_comment.read_facts(parts)


def test_the_first_deploy_creates_the_repository_first_then_releases(
    tmp_path: Path, stack_file: Path
) -> None:
    stand_ins = _up_stand_ins(tmp_path, first=True)
    parts = tmp_path / "parts"
    result = stand_ins.run("scripts/ci/preview-up.sh", PR, SHA, "image.oci.tar", str(parts), **ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"preview environment '{STACK}' is up" in result.stdout

    # The stack file from the template, with the PR's image and the previews' secrets provider.
    text = stack_file.read_text()
    assert f"tag: {SHA}" in text
    assert text.count("secretsprovider:") == 1 and f"secretsprovider: {PROVIDER}\n" in text
    # Its own login URL, under the previews' prefix only, for every pulumi call.
    assert stand_ins.backends("pulumi") == {BACKEND}

    # The creation marker, written once before the stack exists.
    puts = [call for call in stand_ins.calls("aws") if call[:2] == ["s3api", "put-object"]]
    assert len(puts) == 1
    assert puts[0][puts[0].index("--key") + 1] == f"webapp/{STACK}/preview-environment.json"
    assert puts[0][puts[0].index("--bucket") + 1] == BUCKET
    assert json.loads((parts / "marker.json").read_text()) == {
        "pullRequest": int(PR), "stack": STACK, "firstImageTag": SHA,
    }  # fmt: skip

    calls = stand_ins.calls("pulumi")
    assert calls[0] == [
        "stack",
        "select",
        "--create",
        STACK,
        "--secrets-provider",
        PROVIDER,
        "--non-interactive",
    ]
    targeted, full = stand_ins.ups()
    pack = ["--policy-pack", "policies", "--policy-pack-config", pack_config.resolve(STACK).relative]
    assert [targeted[i + 1] for i, arg in enumerate(targeted) if arg == "--target"] == [
        f"urn:pulumi:{STACK}::webapp::pulumi:providers:aws::aws",
        f"urn:pulumi:{STACK}::webapp::webapp:index:ImageRegistry::api",
        REPOSITORY_URN,
    ]
    assert all(set(pack) <= set(up) for up in (targeted, full))
    assert "--target" not in full
    # The repository, then the image into it, then the release.
    log = [json.loads(line) for line in (tmp_path / "bin/calls.jsonl").read_text().splitlines()]
    order = [i for i, call in enumerate(log) if call[:2] in (["pulumi", "up"], ["aws", "ecr"])]
    assert [log[i][:2] for i in order] == [["pulumi", "up"], ["aws", "ecr"], ["pulumi", "up"]]
    assert ["ecr", "describe-images", "--repository-name", f"webapp/{STACK}/api",
            "--image-ids", f"imageTag={SHA}"] in stand_ins.calls("aws")  # fmt: skip

    facts = _facts(parts)
    assert re.fullmatch(
        r"\$[\d,]+\.\d\d-\$[\d,]+\.\d\d per day \(\$[\d,]+\.\d\d-\$[\d,]+\.\d\d per month\)", facts["cost"]
    )
    assert facts["created_at"] == "2026-12-05T17:00:00+00:00"
    assert (facts["site_url"], facts["api_url"]) == (
        "https://d111.cloudfront.net",
        "https://d111.cloudfront.net/api/",
    )
    assert (facts["stack"], facts["image_tag"], facts["ttl_hours"]) == (STACK, SHA, "48")

    body = preview_comment.build_comment(parts, STACK, "deploy", "success", commit=SHA)
    assert "| Site | https://d111.cloudfront.net |" in body
    assert f"| Cost | {facts['cost']}, offline estimate (`make cost STACK={STACK}`) |" in body
    assert "at the latest by the first sweep after **2026-12-07 17:00 UTC**" in body
    assert "(created 2026-12-05 17:00 UTC, 48-hour TTL)" in body


def test_a_push_updates_the_stack_without_a_new_marker_or_repository(
    tmp_path: Path, stack_file: Path
) -> None:
    stack_file.write_text("config: {}\nsecretsprovider: awskms://alias/old\nencryptedkey: abc\n")
    stand_ins = _up_stand_ins(tmp_path, first=False)
    parts = tmp_path / "parts"
    result = stand_ins.run("scripts/ci/preview-up.sh", PR, SHA, "image.oci.tar", str(parts), **ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    (up,) = stand_ins.ups()
    assert "--target" not in up
    assert not any(call[:2] == ["s3api", "put-object"] for call in stand_ins.calls("aws"))
    assert _facts(parts)["created_at"] == "2026-12-04T09:30:00+00:00"
    # Regenerated from the template every time: the old keys go, the provider comes back once.
    assert stack_file.read_text().count("secretsprovider:") == 1
    assert "encryptedkey" not in stack_file.read_text()


# --- preview-destroy.sh ------------------------------------------------------------------------


def _destroy_stand_ins(tmp_path: Path, destroy: Any, listed: Any = None) -> StandIns:
    pulumi = {
        "stack ls": json.dumps([{"name": STACK, "current": False}]) if listed is None else listed,
        "destroy": destroy,
        "stack rm": "",
    }
    return StandIns(tmp_path / "bin", pulumi, {"s3 rm": ""})


def _destroys(stand_ins: StandIns) -> list[list[str]]:
    return [call for call in stand_ins.calls("pulumi") if call[0] == "destroy"]


def test_destroy_then_stack_rm_then_the_whole_state_prefix(tmp_path: Path, stack_file: Path) -> None:
    stand_ins = _destroy_stand_ins(tmp_path, f"Destroying ({STACK})")
    parts = tmp_path / "parts"
    result = stand_ins.run("scripts/ci/preview-destroy.sh", PR, str(parts), **ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [call[0] for call in stand_ins.calls("pulumi")] == ["stack", "destroy", "stack"]
    assert _destroys(stand_ins) == [
        ["destroy", "--yes", "--non-interactive", "--continue-on-error", "--stack", STACK]
    ]
    assert stand_ins.calls("pulumi")[-1] == ["stack", "rm", "--yes", "--non-interactive", "--stack", STACK]
    # The trailing slash: the state of pr-<n>0 is not pr-<n>'s.
    assert stand_ins.calls("aws") == [["s3", "rm", f"s3://{BUCKET}/webapp/{STACK}/", "--recursive"]]
    assert stand_ins.backends("pulumi") == {BACKEND}
    assert f"secretsprovider: {PROVIDER}\n" in stack_file.read_text()
    facts = _facts(parts)
    assert (facts["attempts"], facts["destroyed"]) == ("1", "yes")
    body = preview_comment.build_comment(parts, STACK, "destroy", "success", "the pull request was merged")
    assert "🗑️ Destroyed (the pull request was merged); its state is removed." in body


def test_a_failed_destroy_is_retried_with_refresh(tmp_path: Path, stack_file: Path) -> None:
    failure = {"code": 255, "err": "error: deleting DB cluster: InvalidDBClusterStateFault\n"}
    stand_ins = _destroy_stand_ins(tmp_path, [failure, failure, "Destroying"])
    parts = tmp_path / "parts"
    result = stand_ins.run("scripts/ci/preview-destroy.sh", PR, str(parts), **ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    destroys = _destroys(stand_ins)
    assert len(destroys) == 3
    assert ["--refresh" in call for call in destroys] == [False, True, True]
    assert result.stdout.count("retrying in 0 seconds") == 2
    assert "attempt 3 of 3" in result.stdout
    assert _facts(parts)["attempts"] == "3"
    body = preview_comment.build_comment(
        parts, STACK, "destroy", "success", "the 'preview' label was removed"
    )
    assert "🗑️ Destroyed after 3 attempts (the 'preview' label was removed)" in body


def test_a_destroy_that_keeps_failing_keeps_the_state_and_is_reported(
    tmp_path: Path, stack_file: Path
) -> None:
    failure = {"code": 255, "err": "error: the stack is currently locked by 1 lock(s)\n"}
    stand_ins = _destroy_stand_ins(tmp_path, failure)
    parts = tmp_path / "parts"
    result = stand_ins.run(
        "scripts/ci/preview-destroy.sh", PR, str(parts), **{**ENV, "PREVIEW_DESTROY_ATTEMPTS": "2"}
    )
    assert result.returncode == 1
    assert len(_destroys(stand_ins)) == 2
    assert f"pulumi destroy of '{STACK}' failed 2 times; its state is kept" in result.stderr
    # Neither the stack nor its state prefix is removed: the sweeper or a person tries again.
    assert not any(call[:2] == ["stack", "rm"] for call in stand_ins.calls("pulumi"))
    assert stand_ins.calls("aws") == []
    assert _facts(parts)["attempts"] == "2"

    # The workflow tees the output into the parts; the comment shows its end and the way out.
    (parts / "output.txt").write_text(result.stdout + result.stderr)
    body = preview_comment.build_comment(
        parts, STACK, "destroy", "failure", "the pull request was closed", run_url="https://x/9"
    )
    assert "❌ The destroy (the pull request was closed) failed after 2 attempts." in body
    assert f"**`{STACK}` may still exist and cost money.**" in body
    assert (
        f"PULUMI_BACKEND_BUCKET={BUCKET} AWS_REGION=eu-west-1 PREVIEW_SECRETS_PROVIDER='{PROVIDER}' \\\n"
        f"  scripts/ci/preview-destroy.sh {PR} destroy-parts"
    ) in body
    assert "the stack is currently locked by 1 lock(s)" in body
    assert '"A failed destroy"' in body
    assert body.rstrip().endswith("<sub>[workflow run](https://x/9)</sub>")


def test_no_stack_is_nothing_to_destroy_but_the_prefix_is_cleaned(tmp_path: Path, stack_file: Path) -> None:
    stand_ins = _destroy_stand_ins(tmp_path, "unexpected", listed="[]")
    parts = tmp_path / "parts"
    result = stand_ins.run("scripts/ci/preview-destroy.sh", PR, str(parts), **ENV)
    assert result.returncode == 0, result.stderr
    assert f"no stack '{STACK}' under {BACKEND}: nothing to destroy" in result.stdout
    assert _destroys(stand_ins) == []
    assert stand_ins.calls("aws") == [["s3", "rm", f"s3://{BUCKET}/webapp/{STACK}/", "--recursive"]]
    body = preview_comment.build_comment(parts, STACK, "destroy", "success", "the pull request was closed")
    assert "there was no stack left, and its state prefix is now empty" in body


def test_an_unreadable_backend_is_never_taken_for_no_stack(tmp_path: Path, stack_file: Path) -> None:
    stand_ins = _destroy_stand_ins(tmp_path, "", listed={"code": 255, "err": "error: AccessDenied\n"})
    result = stand_ins.run("scripts/ci/preview-destroy.sh", PR, str(tmp_path / "parts"), **ENV)
    assert result.returncode != 0
    assert _destroys(stand_ins) == []
    assert stand_ins.calls("aws") == []


@pytest.mark.parametrize("number", ["07", "7/../dev", "1e3", "-1"])
@pytest.mark.parametrize("script", ["preview-destroy.sh", "preview-up.sh"])
def test_only_a_pull_request_number_names_a_stack(tmp_path: Path, script: str, number: str) -> None:
    stand_ins = _destroy_stand_ins(tmp_path, "")
    args = [number, str(tmp_path / "parts")] if script == "preview-destroy.sh" else [number, SHA, "a", "p"]
    result = stand_ins.run(f"scripts/ci/{script}", *args, **ENV)
    assert (result.returncode, result.stderr) == (2, f"not a pull request number: '{number}'\n")
    assert stand_ins.calls("pulumi") == stand_ins.calls("aws") == []


def test_the_scripts_need_the_preview_variables(tmp_path: Path) -> None:
    stand_ins = _destroy_stand_ins(tmp_path, "")
    env = {key: value for key, value in ENV.items() if key != "PREVIEW_SECRETS_PROVIDER"}
    env["PREVIEW_SECRETS_PROVIDER"] = ""
    result = stand_ins.run("scripts/ci/preview-destroy.sh", PR, str(tmp_path / "parts"), **env)
    assert result.returncode != 0
    assert "set PREVIEW_SECRETS_PROVIDER to the bootstrap output previewSecretsProvider" in result.stderr
    assert stand_ins.calls("pulumi") == []


# --- upsert-pr-comment.sh ----------------------------------------------------------------------


def _upsert(tmp_path: Path, listed: str, first_line: str = preview_comment.MARKER) -> tuple[StandIns, Any]:
    stand_ins = StandIns(tmp_path / "bin", {}, {}, gh={"--paginate": listed, "PATCH": "", "POST": ""})
    body = tmp_path / "comment.md"
    body.write_text(f"{first_line}\n\nhello\n")
    result = stand_ins.run("scripts/ci/upsert-pr-comment.sh", "7", str(body), GITHUB_REPOSITORY="octo/webapp")
    return stand_ins, result


def test_the_comment_is_updated_when_the_pr_has_one(tmp_path: Path) -> None:
    stand_ins, result = _upsert(tmp_path, "111\n222")
    assert result.returncode == 0, result.stderr
    listing, patch = stand_ins.calls("gh")
    assert listing[:3] == ["api", "--paginate", "repos/octo/webapp/issues/7/comments"]
    assert 'startswith("<!-- webapp-preview-environment -->")' in listing[-1]
    assert '.user.type == "Bot"' in listing[-1]
    assert patch == [
        "api", "--method", "PATCH", "repos/octo/webapp/issues/comments/111",
        "-F", f"body=@{tmp_path / 'comment.md'}", "--silent",
    ]  # fmt: skip


def test_a_first_comment_is_posted(tmp_path: Path) -> None:
    stand_ins, result = _upsert(tmp_path, "")
    assert result.returncode == 0, result.stderr
    assert stand_ins.calls("gh")[-1][:4] == ["api", "--method", "POST", "repos/octo/webapp/issues/7/comments"]


def test_a_body_without_a_plain_marker_is_refused(tmp_path: Path) -> None:
    stand_ins, result = _upsert(tmp_path, "", first_line='<!-- x") or true -->')
    assert result.returncode == 2
    assert stand_ins.calls("gh") == []


# --- The sweeper's selection -------------------------------------------------------------------

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=72)
OPEN = preview_sweep.PullState("open", frozenset({"preview"}))


def test_closed_gone_unlabelled_and_old_previews_are_destroyed_young_open_ones_kept() -> None:
    young, old = NOW - timedelta(hours=71), NOW - timedelta(hours=73)
    stacks = {1: young, 2: young, 3: young, 4: young, 5: old, 6: young, 7: old}
    pulls = {
        1: preview_sweep.PullState("closed", frozenset({"preview"}), merged=True),
        2: preview_sweep.PullState("closed", frozenset({"preview"})),
        3: preview_sweep.PullState("missing"),
        4: preview_sweep.PullState("open", frozenset({"bug"})),
        5: OPEN,
        6: OPEN,
        7: None,  # the API could not say: kept this time
    }
    targets, warnings = preview_sweep.select(stacks, pulls, NOW, TTL)
    assert [(t.pr, t.stack, t.reason, t.comment) for t in targets] == [
        (1, "pr-1", "the pull request was merged", True),
        (2, "pr-2", "the pull request was closed", True),
        (3, "pr-3", "pull request #3 does not exist", False),
        (4, "pr-4", "the pull request no longer has the 'preview' label", True),
        (5, "pr-5", "created 2026-12-07 11:00 UTC, 73 hours ago: past the 72-hour TTL", True),
    ]
    assert warnings == ["pr-7: the state of pull request #7 could not be read; kept"]


def test_age_counts_from_the_marker_else_from_the_oldest_object() -> None:
    def entry(key: str, when: str) -> dict[str, str]:
        return {"Key": key, "LastModified": when}

    objects = [
        entry("webapp/pr-5/.pulumi/stacks/webapp/pr-5.json", "2026-12-09T10:00:00+00:00"),
        entry("webapp/pr-5/preview-environment.json", "2026-12-06T08:00:00+00:00"),
        entry("webapp/pr-5/.pulumi/history/webapp/pr-5/a.json", "2026-12-01T00:00:00+00:00"),
        # No marker (written by hand, or the marker removed): the oldest object counts.
        entry("webapp/pr-50/.pulumi/stacks/webapp/pr-50.json", "2026-12-09T10:00:00.000Z"),
        entry("webapp/pr-50/.pulumi/meta.yaml", "2026-12-02T10:00:00.000Z"),
        # Never a preview's: other names, another project's prefix, a marker deeper down.
        entry("webapp/pr-07/preview-environment.json", "2026-11-01T00:00:00+00:00"),
        entry("webapp/pr-x/y", "2026-11-01T00:00:00+00:00"),
        entry("webapp/pr-99999999999/y", "2026-11-01T00:00:00+00:00"),
        entry("other/pr-6/preview-environment.json", "2026-11-01T00:00:00+00:00"),
    ]
    assert preview_sweep.created_times(objects, "webapp") == {
        5: datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        50: datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
    }


def test_the_sweeper_lists_the_previews_asks_github_and_prints_the_matrix(tmp_path: Path) -> None:
    def entry(number: int, when: str) -> dict[str, str]:
        return {"Key": f"webapp/pr-{number}/preview-environment.json", "LastModified": when}

    listing = {"Contents": [entry(n, "2026-12-09T12:00:00+00:00") for n in (11, 22, 33, 55)]}
    listing["Contents"].append(entry(44, "2026-12-01T12:00:00+00:00"))

    def pull(state: str, labels: list[str], merged_at: str | None = None) -> str:
        return json.dumps({"state": state, "merged_at": merged_at, "labels": [{"name": n} for n in labels]})

    gh = {
        "pulls/11": pull("closed", ["preview"], "2026-12-09T13:00:00Z"),
        "pulls/22": {"code": 1, "err": "gh: Not Found (HTTP 404)\n"},
        "pulls/33": pull("open", ["preview"]),
        "pulls/44": pull("open", ["preview", "bug"]),
        "pulls/55": {"code": 1, "err": "gh: Server Error (HTTP 502)\n"},
    }
    stand_ins = StandIns(tmp_path / "bin", {}, {"s3api list-objects-v2": json.dumps(listing)}, gh=gh)
    result = stand_ins.run(
        sys.executable, "scripts/ci/preview_sweep.py", "--bucket", BUCKET, "--repository", "octo/webapp",
        "--ttl-hours", "72", "--now", "2026-12-10T12:00:00+00:00",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"pr": 11, "stack": "pr-11", "reason": "the pull request was merged", "comment": True},
        {"pr": 22, "stack": "pr-22", "reason": "pull request #22 does not exist", "comment": False},
        {"pr": 44, "stack": "pr-44",
         "reason": "created 2026-12-01 12:00 UTC, 216 hours ago: past the 72-hour TTL", "comment": True},
    ]  # fmt: skip
    assert stand_ins.calls("aws") == [
        ["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "webapp/pr-", "--output", "json"]
    ]
    assert ["api", "repos/octo/webapp/pulls/33"] in stand_ins.calls("gh")
    assert "::warning::pr-55: the state of pull request #55 could not be read; kept" in result.stderr
    assert "pr-33 (created 2026-12-09 12:00 UTC): keep" in result.stderr


def test_no_previews_is_an_empty_matrix(tmp_path: Path) -> None:
    stand_ins = StandIns(tmp_path / "bin", {}, {"s3api list-objects-v2": ""}, gh={})
    result = stand_ins.run(
        sys.executable, "scripts/ci/preview_sweep.py", "--bucket", BUCKET, "--repository", "octo/webapp"
    )
    assert (result.returncode, result.stdout) == (0, "[]\n")


@pytest.mark.parametrize("ttl", ["0", "3d", "-5", "1.5"])
def test_a_bad_ttl_is_one_line(ttl: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert preview_sweep.main(["--bucket", BUCKET, "--repository", "o/r", "--ttl-hours", ttl]) == 2
    assert capsys.readouterr().err == (
        f"error: PREVIEW_TTL_HOURS = {ttl!r}: must be a whole number of hours, 1 or more\n"
    )


# --- The docs quote what a preview costs -------------------------------------------------------


def test_readme_and_guide_quote_the_cost_of_a_preview(tmp_path: Path) -> None:
    """`make cost STACK=pr-1 SUMMARY=1`'s line, in the words README and the guide use."""
    from offline.preview_stack import preview_config

    # The template's pr-1, outside the project: a developer's own Pulumi.pr-1.yaml stays untouched.
    stack_path = tmp_path / "Pulumi.pr-1.yaml"
    stack_path.write_text(yaml.safe_dump(preview_config(1)))
    summary = subprocess.run(
        [sys.executable, "-m", "offline.cost", "--stack", str(stack_path), "--summary"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    match = re.fullmatch(r"(\$[\d,.]+)-(\$[\d,.]+) per day \((\$[\d,.]+)-(\$[\d,.]+) per month\)", summary)
    assert match, summary
    day_min, day_max, month_min, month_max = match.groups()
    quoted = f"{day_min} to {day_max} a day ({month_min} to {month_max} a month)"
    assert quoted in " ".join((ROOT / "README.md").read_text().split())
    guide = " ".join((ROOT / "docs" / "guides" / "preview-environments.md").read_text().split())
    assert f"**{day_min} to {day_max} a day** ({month_min} to {month_max} a month)" in guide


def test_the_first_deploys_targets_are_urns_the_preview_stack_has() -> None:
    """A rename of the image registry or the provider would otherwise break only a real first deploy."""
    from tests.harness import preview_plan

    script = (ROOT / "scripts" / "ci" / "preview-up.sh").read_text()
    targets = [
        target.replace("${urn}", "urn:pulumi:pr-7::webapp::").replace("\\$", "$")
        for target in re.findall(r'--target "([^"]+)"', script)
    ]
    assert len(targets) == 3
    urns = {resource.urn for resource in preview_plan(7).resources}
    assert set(targets) <= urns, set(targets) - urns
