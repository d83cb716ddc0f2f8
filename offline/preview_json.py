"""An offline run as the JSON of ``pulumi preview --json``: the one plan shape every tool reads.

``to_preview_json`` gives ``steps[].newState`` with the engine's camelCase ``inputs`` and options,
plus the stack's ``outputs``, so ``make policy-check``, ``make cost`` and ``make diagram`` read the
offline plan and a real preview alike. Resources come in a stable order (``ordered``), and values
are JSON-safe with secrets shown as ``[secret]`` (``plain``), as the CLI shows them.

Example::

    preview = to_preview_json(run_stack("dev"))
    [step["newState"]["type"] for step in preview["steps"]]   # ["pulumi:pulumi:Stack", ...]
"""

from typing import Any

from .mocks import STACK_TYPE, Registration, is_secret
from .run import PlanResult


def ordered(result: PlanResult) -> list[tuple[int, Registration]]:
    """Resources depth-first from the stack, siblings sorted by type then name (stable output)."""
    children: dict[str, list[Registration]] = {}
    known = {r.urn for r in result.resources}
    roots: list[Registration] = []
    for r in result.resources:
        if r.parent in known:
            children.setdefault(r.parent, []).append(r)
        else:
            roots.append(r)
    rows: list[tuple[int, Registration]] = []

    def walk(items: list[Registration], depth: int) -> None:
        for r in sorted(items, key=lambda x: (x.type, x.name)):
            rows.append((depth, r))
            walk(children.get(r.urn, []), depth + 1)

    walk(roots, 0)
    return rows


def to_preview_json(result: PlanResult) -> dict[str, Any]:
    """The run in the shape of ``pulumi preview --json``: the stack's step, then one per resource."""
    stack_urn = f"urn:pulumi:{result.stack}::{result.project}::{STACK_TYPE}::{result.project}-{result.stack}"
    steps: list[dict[str, Any]] = [
        {
            "op": "create",
            "urn": stack_urn,
            "newState": {
                "type": STACK_TYPE,
                "urn": stack_urn,
                "custom": False,
                "parent": "",
                "inputs": {},
                "protect": False,
                "retainOnDelete": False,
            },
        }
    ]
    for _, r in ordered(result):
        state: dict[str, Any] = {
            "type": r.type,
            "urn": r.urn,
            "custom": r.custom,
            "parent": r.parent,
            "inputs": plain(r.inputs),
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "dependencies": r.dependencies,
            "propertyDependencies": r.property_dependencies,
        }
        if r.provider:
            state["provider"] = r.provider
        if r.aliases:
            state["aliases"] = r.aliases
        if r.ignore_changes:
            state["ignoreChanges"] = r.ignore_changes
        if r.additional_secret_outputs:
            state["additionalSecretOutputs"] = r.additional_secret_outputs
        step: dict[str, Any] = {"op": "create", "urn": r.urn, "newState": state}
        if r.provider:
            step["provider"] = r.provider
        steps.append(step)
    return {"steps": steps, "outputs": plain(result.outputs)}


def plain(value: Any) -> Any:
    """JSON-safe copy; secrets shown as ``[secret]`` like ``pulumi preview --json``."""
    if is_secret(value):
        return "[secret]"
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
