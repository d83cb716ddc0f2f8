"""The pull request's one comment about its preview environment, from what the job left behind.

``scripts/ci/preview-up.sh`` and ``scripts/ci/preview-destroy.sh`` write ``facts.txt``
(``key=value`` lines: stack, site_url, api_url, cost, created_at, ttl_hours, attempts, ...) into
the parts directory, and the workflow tees their output into ``output.txt``. With the job's result
this makes the comment: the URLs, the cost per day and per month and when the stack will be
destroyed after a deploy; what was destroyed and why; or, after a failure, the end of the output
and what to do next. The first line is a hidden marker, different from the ``pulumi preview``
comment's (scripts/ci/pr_comment.py), by which scripts/ci/upsert-pr-comment.sh finds and updates
this comment instead of adding another.

Example::

    python3 scripts/ci/preview_comment.py preview-environment --stack pr-7 --operation deploy \\
      --result success --reason "new commits" --commit "$HEAD_SHA" > comment.md
"""

import argparse
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

MARKER = "<!-- webapp-preview-environment -->"
GUIDE = "docs/guides/preview-environments.md"
TAIL_LINES = 60
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def read_facts(parts: Path) -> dict[str, str]:
    """``facts.txt`` as a dict; the last value of a key wins (``attempts`` counts up)."""
    path = parts / "facts.txt"
    facts: dict[str, str] = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        key, sep, value = line.partition("=")
        if sep:
            facts[key] = value
    return facts


def tail(parts: Path, lines: int = TAIL_LINES) -> str:
    path = parts / "output.txt"
    if not path.is_file():
        return ""
    text = _ANSI.sub("", path.read_text(errors="replace")).rstrip().splitlines()
    cut = len(text) - lines
    kept = text[-lines:]
    return "\n".join(([f"... {cut} earlier lines: see the workflow run ..."] if cut > 0 else []) + kept)


def fence(text: str) -> str:
    """A code block whose fence is longer than any run of backticks inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}text\n{text}\n{marks}"


def _output_block(parts: Path) -> str:
    text = tail(parts)
    if not text:
        return "No output was saved: see the workflow run."
    return f"<details open><summary>The end of the output</summary>\n\n{fence(text)}\n\n</details>"


def _when(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _lifetime(facts: dict[str, str]) -> str:
    ending = "when this pull request is closed or merged, or loses the `preview` label"
    created = _when(facts.get("created_at", ""))
    hours = facts.get("ttl_hours", "")
    if created is None or not hours.isdigit():
        return ending
    deadline = created + timedelta(hours=int(hours))
    return (
        f"{ending}; at the latest by the first sweep after **{deadline:%Y-%m-%d %H:%M} UTC** "
        f"(created {created:%Y-%m-%d %H:%M} UTC, {hours}-hour TTL)"
    )


def deployed(facts: dict[str, str], stack: str) -> str:
    rows = [("Site", facts.get("site_url", "")), ("API", facts.get("api_url", ""))]
    cost = facts.get("cost")
    cost_cell = f"{cost}, offline estimate (`make cost STACK={stack}`)" if cost else "no estimate"
    rows += [("Cost", cost_cell), ("Destroyed", _lifetime(facts))]
    table = ["| | |", "|---|---|"] + [f"| {name} | {value} |" for name, value in rows if value]
    return (
        "✅ Deployed; each push updates it.\n\n" + "\n".join(table) + "\n\n"
        "It runs the dev profile with nothing protected: its data is throwaway, deleted with the stack."
    )


def deploy_failed(parts: Path, result: str, stack: str) -> str:
    if result == "skipped":
        head = "⚠️ The deploy did not run: the image build failed or the run was cancelled."
    elif result == "cancelled":
        head = "⚠️ The deploy was cancelled (its timeout?)."
    else:
        head = "❌ The deploy failed."
    return (
        f"{head} Whatever it created stays until `{stack}` is destroyed (this PR closed, the "
        "label removed, or the sweeper after the TTL). Push a fix, or re-run the workflow.\n\n"
        + _output_block(parts)
    )


def destroyed(facts: dict[str, str], reason: str) -> str:
    attempts = facts.get("attempts")
    after = f" after {attempts} attempts" if attempts and attempts != "1" else ""
    if "attempts" not in facts:
        return f"🗑️ Destroyed ({reason}): there was no stack left, and its state prefix is now empty."
    return f"🗑️ Destroyed{after} ({reason}); its state is removed."


def destroy_failed(parts: Path, facts: dict[str, str], result: str, stack: str, reason: str) -> str:
    if result == "failure":
        head = f"❌ The destroy ({reason}) failed after {facts.get('attempts', '?')} attempts."
    else:
        head = f"⚠️ The destroy ({reason}) did not finish (result: {result})."
    return (
        f"{head} **`{stack}` may still exist and cost money.** The sweeper tries again on its next "
        "run. To finish now, re-run this job, or run the same script from a checkout of `main` "
        "with the preview role's credentials (or an administrator's):\n\n"
        f"```sh\n{destroy_command(facts, stack)}\n```\n\n"
        f'What usually stops a destroy, and how to clear it: `{GUIDE}`, "A failed destroy".\n\n'
        + _output_block(parts)
    )


def destroy_command(facts: dict[str, str], stack: str) -> str:
    """The command line that repeats the destroy by hand, with this preview's settings."""
    settings = [
        f"PULUMI_BACKEND_BUCKET={facts.get('bucket', '<stateBucket>')}",
        f"AWS_REGION={facts.get('region', '<region>')}",
        f"PREVIEW_SECRETS_PROVIDER='{facts.get('secrets_provider', '<previewSecretsProvider>')}'",
    ]
    number = stack.removeprefix("pr-")
    return "make venv\n" + " ".join(settings) + f" \\\n  scripts/ci/preview-destroy.sh {number} destroy-parts"


def build_comment(
    parts: Path,
    stack: str,
    operation: str,
    result: str,
    reason: str = "",
    commit: str = "",
    run_url: str = "",
) -> str:
    """The whole comment for one run's deploy or destroy of ``stack``."""
    facts = read_facts(parts)
    if operation == "deploy":
        body = deployed(facts, stack) if result == "success" else deploy_failed(parts, result, stack)
    elif result == "success":
        body = destroyed(facts, reason or "requested")
    else:
        body = destroy_failed(parts, facts, result, stack, reason or "requested")
    sections = [MARKER, f"## Preview environment `{stack}`", body]
    footer = [f"commit `{commit[:12]}`"] if commit else []
    if run_url:
        footer.append(f"[workflow run]({run_url})")
    if footer:
        sections.append("<sub>" + " · ".join(footer) + "</sub>")
    return "\n\n".join(sections) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("parts", type=Path, help="the directory the deploy or destroy script wrote")
    parser.add_argument("--stack", required=True, help="pr-<number>")
    parser.add_argument("--operation", required=True, choices=["deploy", "destroy"])
    parser.add_argument(
        "--result", required=True, choices=["success", "failure", "cancelled", "skipped"],
        help="the job's result (needs.<job>.result or steps.<id>.outcome)",
    )  # fmt: skip
    parser.add_argument("--reason", default="", help="why: the event, or the sweeper's reason")
    parser.add_argument("--commit", default="", help="the commit deployed")
    parser.add_argument("--run-url", default="", help="link to the workflow run")
    args = parser.parse_args(argv)
    body = build_comment(
        args.parts, args.stack, args.operation, args.result, args.reason, args.commit, args.run_url
    )
    sys.stdout.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
