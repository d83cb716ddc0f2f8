"""The docs stay true: docs/reference/ is what the code generates, every relative link and anchor in
the repository's Markdown resolves, README stays a short manual, and every ADR has a dated status."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline import docs

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Trees that hold other projects' Markdown (installed packages, npm), not this repository's.
SKIPPED_DIRS = {".venv", ".venv-lock", "node_modules", ".git", ".pytest_cache", ".ruff_cache", "build"}
README_MAX_LINES = 300

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# [text](target) and ![alt](target), not inside inline code; the target up to an optional title.
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")


def markdown_files() -> list[Path]:
    return sorted(
        path
        for path in PROJECT_DIR.rglob("*.md")
        if not SKIPPED_DIRS.intersection(path.relative_to(PROJECT_DIR).parts)
    )


def _prose_lines(text: str) -> Iterator[str]:
    """The lines outside fenced code blocks."""
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in _prose_lines(path.read_text()):
        match = _HEADING.match(line)
        if match is None:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> Iterator[str]:
    for line in _prose_lines(path.read_text()):
        for match in _LINK.finditer(_INLINE_CODE.sub("", line)):
            target = match.group(1)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:...
                yield target


def broken_links(path: Path, root: Path = PROJECT_DIR) -> list[str]:
    problems = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(root)}: ({target})"
        if not linked.exists():
            problems.append(f"{where}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{where}: no heading with the anchor #{anchor}")
    return problems


def test_every_relative_link_and_anchor_resolves() -> None:
    files = markdown_files()
    assert PROJECT_DIR / "README.md" in files and len(files) > 20
    assert [problem for path in files for problem in broken_links(path)] == []


def test_the_link_check_catches_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Deploying the `frontend`: S3\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#deploying-the-frontend-s3) [self](#page) [web](https://example.com)\n"
        "[gone](missing.md) [bad anchor](other.md#deploying) `[in code](nowhere.md)`\n"
        "```\n[in a fence](nowhere.md)\n```\n"
    )
    assert broken_links(page, tmp_path) == [
        "page.md: (missing.md): no such file",
        "page.md: (other.md#deploying): no heading with the anchor #deploying",
    ]


def test_slug_follows_githubs_rules() -> None:
    assert slug("`webapp:monitoring` (model `components.MonitoringArgs`)") == (
        "webappmonitoring-model-componentsmonitoringargs"
    )
    assert slug("CI/CD (GitHub Actions)") == "cicd-github-actions"
    assert slug("Cost notes (dev vs prod)") == "cost-notes-dev-vs-prod"
    assert slug("`webapp:workers.<name>` (model x)") == "webappworkersname-model-x"


def test_the_generated_reference_is_current() -> None:
    stale = docs.stale(docs.pages())
    assert stale == [], f"docs/reference/ is out of date ({', '.join(stale)}): run `make docs`"


def test_a_changed_page_is_reported_stale(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old\n")
    (tmp_path / "b.md").write_text("same\n")
    assert docs.stale({"a.md": "new\n", "b.md": "same\n", "c.md": "x\n"}, tmp_path) == ["a.md", "c.md"]


def test_every_derived_default_names_a_key_of_the_reference() -> None:
    text = (docs.REFERENCE_DIR / "configuration.md").read_text()
    rows = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))
    assert sorted(set(docs.DERIVED) - rows) == []
    for path in docs.DERIVED:
        assert re.search(rf"^\| `{re.escape(path)}` \|[^\n]*\(derived\)", text, flags=re.MULTILINE), path


def test_the_configuration_reference_shows_each_profiles_defaults() -> None:
    text = (docs.REFERENCE_DIR / "configuration.md").read_text()
    row = re.search(r"^\| `database.engineMode` \|.*$", text, flags=re.MULTILINE)
    assert row is not None
    cells = [cell.strip() for cell in row.group(0).strip("|").split(" | ")]
    assert cells[2:4] == ['`"aurora-serverless-v2"` (derived)', '`"instance"` (derived)']
    protect = re.search(r"^\| `protect` \| boolean \| `false` \| `true` \|", text, flags=re.MULTILINE)
    assert protect is not None


def test_readme_is_a_short_manual_that_links_to_the_docs() -> None:
    text = (PROJECT_DIR / "README.md").read_text()
    assert len(text.splitlines()) <= README_MAX_LINES
    for target in ("docs/reference/configuration.md", "docs/guides/", "docs/decisions/"):
        assert f"]({target}" in text, target


@pytest.mark.parametrize(
    "adr", sorted((PROJECT_DIR / "docs" / "decisions").glob("*.md")), ids=lambda p: p.name
)
def test_every_adr_has_a_dated_status(adr: Path) -> None:
    lines = adr.read_text().splitlines()
    assert lines[0].startswith("# ")
    status = next((line for line in lines[1:6] if line.startswith("Status: ")), None)
    assert status is not None, f"{adr.name}: no 'Status:' line under the title"
    assert re.fullmatch(
        r"Status: (proposed|accepted|deprecated|superseded by {adr}|accepted, superseded in part by {adr}) "
        r"\(\d{{4}}-\d{{2}}-\d{{2}}\)".format(adr=r"\[ADR \d{4}\]\(\d{4}-[a-z0-9-]+\.md\)"),
        status,
    ), status


def test_readme_plan_excerpt_is_what_make_plan_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """The shortened `make plan STACK=dev` in README keeps its counts, totals and verdict line true."""
    from offline import plan

    assert plan.main(["--stack", "dev"]) == 0
    printed = capsys.readouterr().out.splitlines()
    readme = (PROJECT_DIR / "README.md").read_text()
    excerpt = readme[readme.index("## The plan") : readme.index("## Deploying with Pulumi")]
    for prefix in ("Resources to create: ", "Estimated monthly cost: ", "dev: ", "make plan: "):
        expected = next(line for line in printed if line.startswith(prefix))
        assert expected in excerpt, f"README's plan excerpt is stale: it should show {expected!r}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_cost_guide_quotes_the_current_totals(stack: str) -> None:
    from offline.cost import estimate_plan
    from offline.preview_json import to_preview_json
    from offline.run import run_stack

    estimate = estimate_plan(to_preview_json(run_stack(stack)))
    guide = (PROJECT_DIR / "docs" / "guides" / "offline-tools.md").read_text()
    row = next(line for line in guide.splitlines() if line.startswith(f"| {stack} | **$"))
    assert f"**${estimate.min_total:,.2f}**" in row and f"maximum ${estimate.max_total:,.2f}" in row, row
