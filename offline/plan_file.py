"""Read a ``PLAN=<file>`` for ``make policy-check``, ``make cost`` and ``make diagram``.

The file must be in the shape ``pulumi preview --json`` writes (and ``make plan FORMAT=json``):
an object whose ``steps`` list holds, per resource, a step whose ``newState`` object has the
resource's ``type`` and ``urn`` (a delete has only ``oldState``). Anything else is refused with
one line, so a wrong file is an error instead of a traceback, or a pack that "passes" because it
saw no resources. Example::

    try:
        plan = load_plan(Path("preview.json"))
    except PlanFileError as err:
        print(f"error: {err}", file=sys.stderr)   # preview.json: not a plan: "steps" is missing ...
"""

import json
from pathlib import Path
from typing import Any

_SHAPE = "expected the `pulumi preview --json` shape, an object with a list of steps"


class PlanFileError(ValueError):
    """The plan file cannot be read or is not a plan; the message is one line naming the file."""


def load_plan(path: Path | str) -> dict[str, Any]:
    """The plan in ``path``, or PlanFileError saying in one line why it is not one."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise PlanFileError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as err:
        raise PlanFileError(f"{path}: not JSON: {err}") from None
    except UnicodeDecodeError as err:
        raise PlanFileError(f"{path}: not JSON: {err.reason}") from None
    check_plan(plan, str(path))
    return plan


def check_plan(plan: Any, label: str) -> None:
    """Raise PlanFileError unless ``plan`` has steps and at least one resource's new state."""
    if not isinstance(plan, dict):
        raise PlanFileError(f"{label}: not a plan: {_SHAPE}, found {_kind(plan)}")
    if "steps" not in plan:
        raise PlanFileError(f'{label}: not a plan: "steps" is missing ({_SHAPE})')
    steps = plan["steps"]
    if not isinstance(steps, list):
        raise PlanFileError(f'{label}: not a plan: "steps" must be a list, found {_kind(steps)}')
    with_state = 0
    for n, step in enumerate(steps):
        if not isinstance(step, dict):
            raise PlanFileError(f"{label}: not a plan: steps[{n}] must be an object, found {_kind(step)}")
        state = step.get("newState")
        if state is None:
            continue
        if not isinstance(state, dict):
            raise PlanFileError(
                f"{label}: not a plan: steps[{n}].newState must be an object, found {_kind(state)}"
            )
        for key in ("type", "urn"):
            if not isinstance(state.get(key), str):
                raise PlanFileError(f'{label}: not a plan: steps[{n}].newState has no "{key}" string')
        for key in ("inputs", "outputs"):
            if state.get(key) is not None and not isinstance(state[key], dict):
                raise PlanFileError(
                    f"{label}: not a plan: steps[{n}].newState.{key} must be an object, "
                    f"found {_kind(state[key])}"
                )
        with_state += 1
    if with_state == 0:
        # With no resources every policy and price has nothing to look at: that is no verdict.
        raise PlanFileError(
            f"{label}: not a plan: no step has a newState, so there are no resources to check"
        )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({json.dumps(value)})"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
