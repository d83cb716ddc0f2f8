"""offline.pack_config: a stack's pack config follows its profile, not its name, and is never missing
silently; and the done-when check of issue 13: copies of the committed stacks under new names pass."""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from offline import pack_config
from offline.pack_config import PackConfigError, resolve
from offline.policy_check import evaluate, load_policy_config
from offline.preview_json import to_preview_json
from offline.run import run_stack
from policies.pack import build_policies
from tests.harness import config_problems, stack_config

ROOT = Path(__file__).resolve().parent.parent


def project(tmp_path: Path, stack_files: dict[str, str], configs: tuple[str, ...] = ("dev", "prod")) -> Path:
    """A project directory with ``Pulumi.<stack>.yaml`` files and ``policies/config/<name>.json``."""
    (tmp_path / "Pulumi.yaml").write_text("name: webapp\nruntime: python\n")
    for stack, text in stack_files.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    (tmp_path / "policies" / "config").mkdir(parents=True)
    for name in configs:
        (tmp_path / "policies" / "config" / f"{name}.json").write_text("{}\n")
    return tmp_path


def test_the_profile_picks_the_pack_config_whatever_the_stack_is_called(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "staging": "config:\n  webapp:profile: prod\n",
            "pr-42": "config:\n  webapp:profile: dev\n",
            "sandbox": "config:\n  aws:region: us-east-1\n",  # no profile: dev
        },
    )
    assert resolve("staging", root).relative == "policies/config/prod.json"
    assert resolve("pr-42", root).relative == "policies/config/dev.json"
    assert resolve("sandbox", root).path == root / "policies" / "config" / "dev.json"


def test_a_stack_may_name_its_own_pack_config(tmp_path: Path) -> None:
    root = project(
        tmp_path, {"team": "config:\n  webapp:profile: prod\n  webapp:policyPackConfig: team/pack.json\n"}
    )
    (root / "team").mkdir()
    (root / "team" / "pack.json").write_text("{}\n")
    found = resolve("team", root)
    assert (found.relative, found.path, found.source) == (
        "team/pack.json", root / "team" / "pack.json", "webapp:policyPackConfig"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("stack_file", "configs", "message"),
    [
        (
            "config:\n  webapp:profile: prod\n",
            ("dev",),
            'Pulumi.s.yaml: the pack config of webapp:profile = "prod" is policies/config/prod.json, '
            "which does not exist",
        ),
        (
            "config:\n  webapp:policyPackConfig: policies/config/team.json\n",
            ("dev", "prod"),
            'Pulumi.s.yaml: webapp:policyPackConfig = "policies/config/team.json": no such file '
            "policies/config/team.json",
        ),
        (
            "config:\n  webapp:profile: staging\n",
            ("dev", "prod"),
            'Pulumi.s.yaml: webapp:profile = "staging": must be one of dev, prod',
        ),
        (
            "config:\n  webapp:policyPackConfig: ../elsewhere/pack.json\n",
            ("dev", "prod"),
            'Pulumi.s.yaml: webapp:policyPackConfig = "../elsewhere/pack.json": must stay inside the '
            "project directory (no '..')",
        ),
        (
            "config:\n  webapp:policyPackConfig: /etc/pack.json\n",
            ("dev", "prod"),
            'Pulumi.s.yaml: webapp:policyPackConfig = "/etc/pack.json": must be a path relative to the '
            "project directory, e.g. policies/config/team.json",
        ),
        (
            "config:\n  webapp:policyPackConfig: policies/config/team.yaml\n",
            ("dev", "prod"),
            'Pulumi.s.yaml: webapp:policyPackConfig = "policies/config/team.yaml": must be a .json policy '
            "pack config file",
        ),
    ],
    ids=["profile-config-missing", "own-config-missing", "bad-profile", "dotdot", "absolute", "not-json"],
)
def test_a_pack_config_that_cannot_be_found_is_an_error_naming_it(
    tmp_path: Path, stack_file: str, configs: tuple[str, ...], message: str
) -> None:
    root = project(tmp_path, {"s": stack_file}, configs)
    with pytest.raises(PackConfigError) as err:
        resolve("s", root)
    assert str(err.value) == message


def test_the_cli_prints_the_path_for_the_ci_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    assert pack_config.main(["prod"]) == 0
    assert capsys.readouterr().out == "policies/config/prod.json\n"
    assert pack_config.main(["staging"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "error: no stack file Pulumi.staging.yaml; stacks here: dev, prod\n",
    )


def test_stack_config_refuses_a_pack_config_outside_the_project() -> None:
    problems, registered = config_problems(stack_config("dev", policyPackConfig="../team.json"))
    assert problems == [
        "webapp:policyPackConfig = \"../team.json\": must stay inside the project directory (no '..')"
    ]
    assert registered == []


# --- done when: copies of the committed stacks under other names pass, with no new pack config ----


@pytest.fixture
def renamed_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project, linked file by file, plus Pulumi.staging.yaml (prod's) and Pulumi.pr-42.yaml (dev's)."""
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            os.symlink(entry, tmp_path / entry.name)
    shutil.copy(ROOT / "Pulumi.prod.yaml", tmp_path / "Pulumi.staging.yaml")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.pr-42.yaml")
    # The runner puts the project directory on sys.path; keep that to this test.
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


@pytest.mark.parametrize(("stack", "profile"), [("staging", "prod"), ("pr-42", "dev")])
def test_a_copy_of_a_committed_stack_under_another_name_passes_the_pack(
    renamed_copies: Path, stack: str, profile: str
) -> None:
    found = resolve(stack, renamed_copies)
    assert found.relative == f"policies/config/{profile}.json"
    report = evaluate(
        to_preview_json(run_stack(stack, renamed_copies)), load_policy_config(found.path, build_policies())
    )
    mandatory = [(v.policy, v.resource) for v in report.verdicts if v.enforcement == "mandatory"]
    assert mandatory == []
    # The design's exceptions apply to the copy as to the original.
    assert ("ecs-fargate-latest-platform", "aws:ecs/service:Service api-svc") in {
        (v.policy, v.resource) for v in report.verdicts if v.enforcement == "excepted"
    }
    assert not (ROOT / "policies" / "config" / f"{stack}.json").exists()
    assert json.loads(found.path.read_text()) == json.loads(
        (ROOT / "policies/config" / f"{profile}.json").read_text()
    )
