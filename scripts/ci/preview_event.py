"""What a pull request event means for its preview environment: deploy, destroy, or nothing.

The label ``preview`` is the opt-in (a preview costs money). A same-repository PR that carries it
is deployed when it is opened, reopened or pushed to, and when the label is added (unless the PR
is closed by then); its stack is destroyed when the PR is closed (merged or not) or the label is
removed. A fork's PR gets nothing: GitHub gives a fork's run no OIDC token, so it could neither
deploy nor destroy, and it never had a preview to destroy. Any other label changes nothing.

Prints ``action=<deploy|destroy|skip>``, ``pr=<number>``, ``stack=pr-<number>`` and
``reason=<one line>`` as ``key=value`` lines, the format of ``$GITHUB_OUTPUT``.

Example::

    python3 scripts/ci/preview_event.py "$GITHUB_EVENT_PATH" >> "$GITHUB_OUTPUT"
"""

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABEL = "preview"
STACK_PREFIX = "pr-"


@dataclass(frozen=True)
class Decision:
    """What to do with the preview of pull request ``pr``, and why (shown in the run's log)."""

    action: str  # deploy | destroy | skip
    pr: int
    reason: str

    @property
    def stack(self) -> str:
        return f"{STACK_PREFIX}{self.pr}"

    def lines(self) -> str:
        return (
            f"action={self.action}\npr={self.pr}\nstack={self.stack}\n"
            f"reason={' '.join(self.reason.split())}\n"
        )


def decide(event: dict[str, Any]) -> Decision:
    """The decision for one ``pull_request`` event payload."""
    pull = event["pull_request"]
    number = int(pull["number"])
    action = event.get("action", "")
    labels = {label["name"] for label in pull.get("labels", [])}
    changed = (event.get("label") or {}).get("name")
    head_repo = (pull.get("head") or {}).get("repo") or {}
    if head_repo.get("full_name") != event["repository"]["full_name"]:
        return Decision("skip", number, "a fork's pull request gets no OIDC token, so no preview")

    if action == "closed":
        if LABEL not in labels:
            return Decision("skip", number, f"closed without the '{LABEL}' label: no preview to destroy")
        how = "merged" if pull.get("merged") else "closed"
        return Decision("destroy", number, f"the pull request was {how}")
    if action == "unlabeled":
        if changed == LABEL:
            return Decision("destroy", number, f"the '{LABEL}' label was removed")
        return Decision("skip", number, f"label '{changed}' removed: nothing to do for the preview")
    if action == "labeled":
        if changed == LABEL and pull.get("state") == "closed":
            return Decision("skip", number, "the pull request is closed: no preview for it")
        if changed == LABEL:
            return Decision("deploy", number, f"the '{LABEL}' label was added")
        return Decision("skip", number, f"label '{changed}' added: nothing to do for the preview")
    if action in ("opened", "reopened", "synchronize"):
        if LABEL in labels:
            what = "new commits" if action == "synchronize" else f"the pull request was {action}"
            return Decision("deploy", number, f"{what}, and it has the '{LABEL}' label")
        return Decision("skip", number, f"no '{LABEL}' label: no preview environment")
    return Decision("skip", number, f"event action '{action}' does not change the preview")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("event", type=Path, help="the event payload ($GITHUB_EVENT_PATH)")
    args = parser.parse_args(argv)
    decision = decide(json.loads(args.event.read_text()))
    sys.stdout.write(decision.lines())
    print(f"pr-{decision.pr}: {decision.action}: {decision.reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
