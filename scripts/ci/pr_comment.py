"""Assemble the pull request's one preview comment from per-stack parts.

The parts directory holds one folder per stack, written by the workflow's jobs::

    preview-parts/
      dev/
        exit-code          pulumi preview's exit code (scripts/ci/preview.sh)
        preview.txt        its output
        pack-config        the policy pack config it used (offline/pack_config.py)
        20-cost.md         any further section for this stack: every *.md, in name order
      prod/...
      90-diagram.md        any section for the whole PR: every *.md at the top, after the stacks

So a later job adds a section by dropping a Markdown file into the same artifact pattern; this
script needs no change. The first line of the comment is a hidden marker, by which the workflow
finds and updates its earlier comment instead of adding another.

Example::

    python3 scripts/ci/pr_comment.py preview-parts --stacks dev prod --commit abc123 > comment.md
"""

import argparse
import re
import sys
from pathlib import Path

MARKER = "<!-- webapp-preview -->"
# GitHub rejects comments over 65,536 characters; keep room for the other sections.
MAX_OUTPUT_CHARS = 20_000
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def fence(text: str) -> str:
    """A code block whose fence is longer than any run of backticks inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}text\n{text}\n{marks}"


def shorten(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head (the resource changes) and the tail (policy violations, the summary)."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 2 // 5], text[-(limit * 3 // 5) :]
    cut = text.count("\n", len(head), len(text) - len(tail))
    return f"{head}\n... {cut} lines cut; the full output is in the run's artifacts ...\n{tail}"


def stack_section(parts: Path, stack: str) -> str:
    folder = parts / stack
    code_file = folder / "exit-code"
    if not code_file.is_file():
        return (
            f"### ⚠️ `{stack}`: no result\n\n"
            "The preview did not finish (cancelled, or a step before it failed): see the run."
        )
    code = code_file.read_text().strip()
    output_file = folder / "preview.txt"
    output = _ANSI.sub("", output_file.read_text(errors="replace")) if output_file.is_file() else ""
    if code == "0":
        title = f"### ✅ `{stack}`: preview succeeded"
        details = "<details>"
    else:
        title = (
            f"### ❌ `{stack}`: preview failed (exit code {code})\n\n"
            "A mandatory policy violation or an error: see the output below."
        )
        details = "<details open>"
    config_file = folder / "pack-config"
    # Without the file (an older artifact) the command says how to find it, never a guessed path.
    fallback = f'"$(python -m offline.pack_config {stack})"'
    config = config_file.read_text().strip() if config_file.is_file() else fallback
    command = f"pulumi preview --stack {stack} --policy-pack policies --policy-pack-config {config}"
    body = [title, f"{details}<summary>{command}</summary>\n\n{fence(shorten(output.strip()))}\n\n</details>"]
    body += [extra.read_text().strip() for extra in sorted(folder.glob("*.md"))]
    return "\n\n".join(body)


def build_comment(parts: Path, stacks: list[str], commit: str = "", run_url: str = "") -> str:
    """The whole comment: marker, one section per stack, then the PR-wide sections."""
    sections = [MARKER, "## Pulumi preview"]
    sections += [stack_section(parts, stack) for stack in stacks]
    sections += [extra.read_text().strip() for extra in sorted(parts.glob("*.md"))]
    footer = []
    if commit:
        footer.append(f"commit `{commit[:12]}`")
    if run_url:
        footer.append(f"[workflow run]({run_url})")
    if footer:
        sections.append("<sub>" + " · ".join(footer) + "</sub>")
    return "\n\n".join(sections) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("parts", type=Path, help="directory with one folder per stack")
    parser.add_argument("--stacks", nargs="+", required=True, help="stacks in the order to show them")
    parser.add_argument("--commit", default="", help="the commit the previews ran on")
    parser.add_argument("--run-url", default="", help="link to the workflow run")
    args = parser.parse_args(argv)
    sys.stdout.write(build_comment(args.parts, args.stacks, args.commit, args.run_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
