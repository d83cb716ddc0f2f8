"""``PLAN=<file>`` that is not a plan: one line on stderr and exit 2 from policy-check, cost and diagram."""

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline import cost, diagram, policy_check
from offline.plan_file import PlanFileError, load_plan

SHAPE = "expected the `pulumi preview --json` shape, an object with a list of steps"
BUCKET = "urn:pulumi:dev::webapp::aws:s3/bucketV2:BucketV2::site"
A_PLAN: dict[str, Any] = {
    "steps": [
        {
            "op": "create",
            "urn": BUCKET,
            "newState": {"type": "aws:s3/bucketV2:BucketV2", "urn": BUCKET, "inputs": {}},
        }
    ]
}

NOT_PLANS: list[tuple[str, str]] = [
    ("[1, 2]", f"not a plan: {SHAPE}, found a list"),
    ('"steps"', f"not a plan: {SHAPE}, found a string"),
    ("{}", f'not a plan: "steps" is missing ({SHAPE})'),
    ('{"steps": 5}', 'not a plan: "steps" must be a list, found a number (5)'),
    ('{"steps": []}', "not a plan: no step has a newState, so there are no resources to check"),
    (
        '{"steps": [{"op": "create"}]}',
        "not a plan: no step has a newState, so there are no resources to check",
    ),
    ('{"steps": [1]}', "not a plan: steps[0] must be an object, found a number (1)"),
    ('{"steps": [{"newState": [1]}]}', "not a plan: steps[0].newState must be an object, found a list"),
    ('{"steps": [{"newState": {"urn": "u"}}]}', 'not a plan: steps[0].newState has no "type" string'),
    (
        '{"steps": [{"newState": {"type": "t", "urn": "u", "inputs": "x"}}]}',
        "not a plan: steps[0].newState.inputs must be an object, found a string",
    ),
    ("not json", "not JSON: Expecting value: line 1 column 1 (char 0)"),
]

MAINS: dict[str, Callable[[list[str]], int]] = {
    "policy-check": policy_check.main,
    "cost": cost.main,
    "diagram": diagram.main,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "message"), NOT_PLANS)
def test_load_plan_names_the_file_and_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PlanFileError) as raised:
        load_plan(path)
    assert str(raised.value) == f"{path}: {message}"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as raised:
        load_plan(tmp_path / "missing.json")
    assert str(raised.value) == f"{tmp_path / 'missing.json'}: cannot read: No such file or directory"
    with pytest.raises(PlanFileError) as raised:
        load_plan(tmp_path)
    assert str(raised.value) == f"{tmp_path}: cannot read: Is a directory"


def test_a_plan_with_deletes_and_creates_is_returned_as_is(tmp_path: Path) -> None:
    plan = {"steps": [{"op": "delete", "oldState": {"type": "t", "urn": "old"}}, *A_PLAN["steps"]]}
    assert load_plan(write(tmp_path, json.dumps(plan))) == plan


@pytest.mark.parametrize("command", MAINS)
@pytest.mark.parametrize(("text", "message"), [NOT_PLANS[0], NOT_PLANS[2], NOT_PLANS[3], NOT_PLANS[-1]])
def test_each_command_prints_one_line_and_exits_2(
    command: str, text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, text)
    assert MAINS[command](["--plan", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: {path}: {message}\n")


@pytest.mark.parametrize("command", MAINS)
def test_each_command_refuses_a_missing_file(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "preview.json"
    assert MAINS[command](["--plan", str(path)]) == 2
    assert capsys.readouterr() == ("", f"error: {path}: cannot read: No such file or directory\n")


def test_a_real_plan_still_goes_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, json.dumps(A_PLAN))
    assert diagram.main(["--plan", str(path), "--bare"]) == 0
    assert cost.main(["--plan", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("flowchart LR")
    assert str(path) in out


# --- `make plan FORMAT=json > plan.json` on a fresh clone -----------------------------------------

# Stands in for python3, the venv's python and pip: each prints to stdout what the real one might.
FAKE_PYTHON = """#!/bin/sh
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; echo "created $3"; exit 0; fi
if [ "$1 $2" = "-m pip" ]; then echo "Collecting pulumi"; exit 0; fi
if [ "$1 $2" = "-m offline.plan" ]; then echo '{"steps": []}'; exit 0; fi
exit 1
"""


def test_building_the_venv_writes_nothing_to_stdout(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text((root / name).read_text())
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    # A make run from `make test` would otherwise print "Entering directory" lines to stdout.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    command = ["make", "plan", "FORMAT=json", f"PYTHON={fake}", f"VENV={tmp_path / 'venv'}"]
    fresh = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert (tmp_path / "venv" / ".installed-dev").exists()
    assert json.loads(fresh.stdout) == {"steps": []}
    assert fresh.stderr.splitlines() == [
        f"building {tmp_path / 'venv'} from requirements-dev.txt",
        f"created {tmp_path / 'venv'}",
        "Collecting pulumi",
    ]
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert (again.stdout, again.stderr) == ('{"steps": []}\n', "")
