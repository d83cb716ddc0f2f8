"""scripts/ci/pr_comment.py: one comment for both stacks, failures shown, extra sections appended."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ci" / "pr_comment.py"


@pytest.fixture(scope="module")
def pr_comment() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pr_comment", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pr_comment"] = module
    spec.loader.exec_module(module)
    return module


def write(parts: Path, stack: str, code: str, output: str) -> None:
    (parts / stack).mkdir(parents=True)
    (parts / stack / "exit-code").write_text(f"{code}\n")
    (parts / stack / "preview.txt").write_text(output)


def test_both_stacks_in_one_comment_with_the_marker_first(pr_comment: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "dev", "0", "Resources:\n    42 unchanged\n")
    write(tmp_path, "prod", "255", "Policies:\n    ❌ webapp-policies@v0.1.0 (local: policies)\n")
    body = pr_comment.build_comment(
        tmp_path, ["dev", "prod"], commit="0123456789abcdef", run_url="https://x/1"
    )
    assert body.splitlines()[0] == "<!-- webapp-preview -->"
    assert "### ✅ `dev`: preview succeeded" in body
    assert "### ❌ `prod`: preview failed (exit code 255)" in body
    assert body.index("`dev`") < body.index("`prod`")
    # A failed stack's output is expanded; a passing one is folded.
    assert "<details open><summary>pulumi preview --stack prod --policy-pack policies" in body
    assert "<details><summary>pulumi preview --stack dev --policy-pack policies" in body
    assert "❌ webapp-policies@v0.1.0 (local: policies)" in body
    assert body.rstrip().endswith("<sub>commit `0123456789ab` · [workflow run](https://x/1)</sub>")


def test_a_stack_without_result(pr_comment: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "dev", "0", "ok")
    body = pr_comment.build_comment(tmp_path, ["dev", "prod"])
    assert "### ⚠️ `prod`: no result" in body


def test_extra_sections_follow_in_name_order(pr_comment: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "dev", "0", "ok")
    (tmp_path / "dev" / "30-diagram.md").write_text("DEV DIAGRAM\n")
    (tmp_path / "dev" / "20-cost.md").write_text("DEV COST\n")
    (tmp_path / "90-summary.md").write_text("PR WIDE\n")
    body = pr_comment.build_comment(tmp_path, ["dev"])
    assert body.index("preview succeeded") < body.index("DEV COST") < body.index("DEV DIAGRAM")
    assert body.index("DEV DIAGRAM") < body.index("PR WIDE")


def test_backticks_and_colours_in_the_output(pr_comment: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "dev", "1", "\x1b[31merror\x1b[0m: ```boom```\n")
    body = pr_comment.build_comment(tmp_path, ["dev"])
    assert "````text\nerror: ```boom```\n````" in body
    assert "\x1b" not in body


def test_long_output_keeps_head_and_tail(pr_comment: ModuleType) -> None:
    text = "\n".join(f"line {n}" for n in range(10_000))
    short = pr_comment.shorten(text, limit=1_000)
    assert short.startswith("line 0\n")
    assert short.endswith("line 9999")
    assert "lines cut; the full output is in the run's artifacts" in short
    assert len(short) < 1_100


def test_cli_writes_the_comment(
    pr_comment: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "dev", "0", "ok")
    assert pr_comment.main([str(tmp_path), "--stacks", "dev"]) == 0
    assert capsys.readouterr().out.startswith("<!-- webapp-preview -->\n")


def test_the_command_names_the_pack_config_the_preview_used(pr_comment: ModuleType, tmp_path: Path) -> None:
    # A staging stack with the prod profile: its pack config is prod's, not staging.json.
    write(tmp_path, "staging", "0", "ok")
    (tmp_path / "staging" / "pack-config").write_text("policies/config/prod.json\n")
    write(tmp_path, "dev", "0", "ok")
    body = pr_comment.build_comment(tmp_path, ["staging", "dev"])
    assert (
        "<summary>pulumi preview --stack staging --policy-pack policies --policy-pack-config "
        "policies/config/prod.json</summary>"
    ) in body
    assert "staging.json" not in body
    # An older artifact without the file does not guess a path from the stack's name.
    assert (
        '--stack dev --policy-pack policies --policy-pack-config "$(python -m offline.pack_config dev)"'
        in body
    )


# --- scripts/ci/preview_comment.py: the preview environment's own comment ----------------------

PREVIEW_SCRIPT = SCRIPT.parent / "preview_comment.py"


@pytest.fixture(scope="module")
def preview_comment() -> ModuleType:
    spec = importlib.util.spec_from_file_location("preview_comment", PREVIEW_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["preview_comment"] = module
    spec.loader.exec_module(module)
    return module


def test_the_two_comments_have_markers_that_never_match_each_other(
    pr_comment: ModuleType, preview_comment: ModuleType
) -> None:
    # The upsert finds its comment by `startswith(marker)`: neither may find the other's.
    assert not preview_comment.MARKER.startswith(pr_comment.MARKER)
    assert not pr_comment.MARKER.startswith(preview_comment.MARKER)


def test_a_failed_deploy_shows_the_end_of_its_output(preview_comment: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "facts.txt").write_text("operation=deploy\nstack=pr-7\n")
    (tmp_path / "output.txt").write_text("".join(f"\x1b[1mline {n}\x1b[0m\n" for n in range(100)))
    body = preview_comment.build_comment(tmp_path, "pr-7", "deploy", "failure", commit="abcdef0123456789")
    assert body.startswith("<!-- webapp-preview-environment -->\n\n## Preview environment `pr-7`\n")
    assert "❌ The deploy failed. Whatever it created stays until `pr-7` is destroyed" in body
    assert "... 40 earlier lines: see the workflow run ...\nline 40\n" in body
    assert "line 99\n```" in body and "line 39\n" not in body and "\x1b" not in body
    assert body.rstrip().endswith("<sub>commit `abcdef012345`</sub>")


def test_a_deploy_that_never_ran_and_one_without_a_creation_time(
    preview_comment: ModuleType, tmp_path: Path
) -> None:
    skipped = preview_comment.build_comment(tmp_path, "pr-7", "deploy", "skipped")
    assert "⚠️ The deploy did not run: the image build failed or the run was cancelled." in skipped
    assert "No output was saved: see the workflow run." in skipped
    (tmp_path / "facts.txt").write_text(
        "api_url=https://x/api/\ncost=$1.00-$2.00 per day ($30.42-$60.83 per month)\n"
    )
    body = preview_comment.build_comment(tmp_path, "pr-7", "deploy", "success")
    assert "| API | https://x/api/ |" in body and "| Site |" not in body
    assert "| Destroyed | when this pull request is closed or merged, or loses the `preview` label |" in body


def test_the_preview_comment_cli(
    preview_comment: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(tmp_path), "--stack", "pr-7", "--operation", "destroy", "--result", "cancelled"]
    assert preview_comment.main([*args, "--reason", "the pull request was closed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- webapp-preview-environment -->\n")
    assert "⚠️ The destroy (the pull request was closed) did not finish (result: cancelled)." in out
