"""The URNs of the committed stacks and examples never move by accident.

A URN is the resource's identity in Pulumi's state: when it changes, ``pulumi up`` deletes the
old resource and creates a new one, which for a database or a bucket means data loss. A rename,
a new parent or a new type token must come with a ``pulumi.Alias``; this test makes every such
change visible in review. After adding the alias, refresh the snapshots with
``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_urn_snapshots.py``.
"""

import os
from pathlib import Path

import pytest

from offline.run import run_stack

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
STACKS = [
    "dev",
    "prod",
    *sorted(f"examples/{p.name}" for p in (SNAPSHOTS.parent.parent / "examples").glob("Pulumi.*.yaml")),
]


def _snapshot(stack: str) -> Path:
    return SNAPSHOTS / f"urns-{Path(stack).name.removeprefix('Pulumi.').removesuffix('.yaml')}.txt"


@pytest.mark.parametrize("stack", STACKS)
def test_urns_match_the_snapshot(stack: str) -> None:
    urns = sorted(r.urn for r in run_stack(stack).resources)
    path = _snapshot(stack)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text("\n".join(urns) + "\n")
    expected = path.read_text().splitlines()
    assert urns == expected, (
        f"the URNs of {stack} changed: add a pulumi.Alias for each moved resource, then refresh "
        f"{path.name} (see this file's docstring)\n"
        f"gone: {sorted(set(expected) - set(urns))}\nnew: {sorted(set(urns) - set(expected))}"
    )
