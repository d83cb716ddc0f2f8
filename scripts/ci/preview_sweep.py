"""Which preview stacks the sweeper destroys: those whose pull request is closed, gone or no longer
labelled ``preview``, and those older than the TTL.

A preview stack ``pr-<n>`` is its state prefix ``<project>/pr-<n>/`` in the state bucket
(``scripts/ci/preview-up.sh`` logs in there). Its age counts from the marker object
``<project>/pr-<n>/preview-environment.json``, written once when the stack is first deployed (its
LastModified is the creation time); a prefix without the marker counts from its oldest object.
``scripts/ci/preview-destroy.sh`` removes the whole prefix, marker included, so a destroyed
preview is no longer listed. A pull request whose state cannot be read (an API error other than
404) keeps its stack this time, with a warning.

Prints the stacks to destroy as a JSON list for the workflow's matrix, e.g.
``[{"pr": 7, "stack": "pr-7", "reason": "the pull request was merged", "comment": true}]``, and
a line per stack on stderr. ``select`` is the decision alone, for tests.

Example::

    python3 scripts/ci/preview_sweep.py --bucket "$PULUMI_BACKEND_BUCKET" \\
      --repository "$GITHUB_REPOSITORY" --ttl-hours 72
"""

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

LABEL = "preview"
MARKER = "preview-environment.json"
DEFAULT_TTL_HOURS = 72
# The stack names offline/preview_stack.py accepts: pr-1 to pr-2147483647, no leading zeros.
_PREFIX = re.compile(r"^pr-([1-9][0-9]{0,9})/")
_MAX_PR = 2_147_483_647


@dataclass(frozen=True)
class PullState:
    """A pull request as the sweeper sees it; ``state`` is ``open``, ``closed`` or ``missing``."""

    state: str
    labels: frozenset[str] = frozenset()
    merged: bool = False


@dataclass(frozen=True)
class Target:
    """A stack to destroy; ``comment`` is false when there is no pull request to tell."""

    pr: int
    stack: str
    reason: str
    comment: bool


def created_times(objects: list[dict[str, Any]], project: str) -> dict[int, datetime]:
    """Each preview's creation time from a listing of ``<project>/pr-`` (Key, LastModified)."""
    markers: dict[int, datetime] = {}
    oldest: dict[int, datetime] = {}
    for item in objects:
        key = str(item["Key"])
        match = _PREFIX.match(key.removeprefix(f"{project}/")) if key.startswith(f"{project}/") else None
        if match is None or int(match.group(1)) > _MAX_PR:
            continue  # not a preview's prefix (e.g. pr-07, pr-x): never destroyed by the sweeper
        number = int(match.group(1))
        modified = _utc(datetime.fromisoformat(str(item["LastModified"])))
        if key.endswith(f"/{MARKER}") and key.count("/") == 2:
            markers[number] = modified
        if number not in oldest or modified < oldest[number]:
            oldest[number] = modified
    return {number: markers.get(number, oldest[number]) for number in sorted(oldest)}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select(
    stacks: dict[int, datetime], pulls: dict[int, PullState | None], now: datetime, ttl: timedelta
) -> tuple[list[Target], list[str]]:
    """The stacks to destroy, and a warning per stack kept because its PR could not be read."""
    targets: list[Target] = []
    warnings: list[str] = []
    for number, created in sorted(stacks.items()):
        pull = pulls.get(number)
        stack = f"pr-{number}"
        reason = ""
        if pull is None:
            warnings.append(f"{stack}: the state of pull request #{number} could not be read; kept")
            continue
        if pull.state == "missing":
            reason = f"pull request #{number} does not exist"
        elif pull.state == "closed":
            reason = f"the pull request was {'merged' if pull.merged else 'closed'}"
        elif LABEL not in pull.labels:
            reason = f"the pull request no longer has the '{LABEL}' label"
        elif now - created > ttl:
            age_hours = (now - created).total_seconds() / 3600
            reason = (
                f"created {created:%Y-%m-%d %H:%M} UTC, {age_hours:.0f} hours ago: "
                f"past the {ttl.total_seconds() / 3600:.0f}-hour TTL"
            )
        if reason:
            targets.append(Target(number, stack, reason, comment=pull.state != "missing"))
    return targets, warnings


def list_objects(bucket: str, project: str) -> list[dict[str, Any]]:
    """Every object under ``<project>/pr-``; the preview role may list only that prefix."""
    output = subprocess.run(
        ["aws", "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", f"{project}/pr-",
         "--output", "json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    listing = json.loads(output) if output.strip() else {}
    return list(listing.get("Contents") or [])


def pull_state(repository: str, number: int) -> PullState | None:
    """The pull request from the GitHub API, ``missing`` on a 404, None on any other error."""
    result = subprocess.run(
        ["gh", "api", f"repos/{repository}/pulls/{number}"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return PullState("missing") if "HTTP 404" in result.stderr + result.stdout else None
    pull = json.loads(result.stdout)
    labels = frozenset(str(label["name"]) for label in pull.get("labels", []))
    return PullState(str(pull["state"]), labels, bool(pull.get("merged_at")))


def project_name(project_file: Path) -> str:
    for line in project_file.read_text().splitlines():
        if line.startswith("name:"):
            return line.removeprefix("name:").strip()
    raise SystemExit(f"error: {project_file} has no name")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bucket", required=True, help="the state bucket (bootstrap output stateBucket)")
    parser.add_argument("--repository", required=True, help="owner/name, as in $GITHUB_REPOSITORY")
    parser.add_argument("--ttl-hours", default=os.environ.get("PREVIEW_TTL_HOURS") or str(DEFAULT_TTL_HOURS))
    parser.add_argument("--now", help="the time to judge ages at, ISO 8601 (default: now)")
    parser.add_argument("--project", help="the Pulumi project (default: name in Pulumi.yaml)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[1-9][0-9]{0,5}", args.ttl_hours):
        print(f"error: PREVIEW_TTL_HOURS = {args.ttl_hours!r}: must be a whole number of hours, 1 or more",
              file=sys.stderr)  # fmt: skip
        return 2
    project = args.project or project_name(Path(__file__).resolve().parents[2] / "Pulumi.yaml")
    now = _utc(datetime.fromisoformat(args.now)) if args.now else datetime.now(UTC)

    stacks = created_times(list_objects(args.bucket, project), project)
    pulls = {number: pull_state(args.repository, number) for number in stacks}
    targets, warnings = select(stacks, pulls, now, timedelta(hours=int(args.ttl_hours)))
    for warning in warnings:
        print(f"::warning::{warning}", file=sys.stderr)
    destroyed = {target.pr: target.reason for target in targets}
    for number, created in stacks.items():
        verdict = f"destroy: {destroyed[number]}" if number in destroyed else "keep"
        print(f"pr-{number} (created {created:%Y-%m-%d %H:%M} UTC): {verdict}", file=sys.stderr)
    print(json.dumps([asdict(target) for target in targets]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
