"""TypeScript declarations of a Pulumi package schema's components, to type-check an example offline.

Not the SDK ``pulumi package add`` generates (that needs the Pulumi CLI): only the shapes the
schema gives each component's args and outputs, in the spelling the Node.js SDK generator uses
for them (optional ``?`` keys, enums as string unions, ``Output<T | undefined>`` for outputs
that may be absent). Enough for ``tsc`` to reject a misspelled key, a wrong type or an
unknown enum value in ``examples/typescript/index.ts``. ``recording_module`` is the runtime
stand-in: its components record their args as JSON instead of creating anything.

Example::

    (node_modules / "@pulumi/webapp/index.d.ts").write_text(declarations(schema))
"""

import json
from typing import Any


def declarations(schema: dict[str, Any]) -> str:
    package = schema["name"]
    lines = [
        "export interface Output<T> { apply<U>(fn: (value: T) => U): Output<U>; }",
        "export interface ComponentResourceOptions { protect?: boolean; dependsOn?: unknown[]; }",
    ]
    for token, type_ in schema["types"].items():
        if "enum" not in type_:
            lines.append(f"export interface {_name(token)} {{\n{_members(type_, schema, package)}}}")
    for token, resource in schema["resources"].items():
        name = _name(token)
        args = {
            "properties": resource.get("inputProperties", {}),
            "required": resource.get("requiredInputs", []),
        }
        lines.append(f"export interface {name}Args {{\n{_members(args, schema, package)}}}")
        required = set(resource.get("required", []))
        outputs = "".join(
            f"    readonly {key}: Output<{_type(prop, schema, package)}"
            f"{'' if key in required else ' | undefined'}>;\n"
            for key, prop in resource.get("properties", {}).items()
        )
        lines.append(
            f"export declare class {name} {{\n"
            f"    constructor(name: string, args: {name}Args, opts?: ComponentResourceOptions);\n"
            f"    readonly urn: Output<string>;\n{outputs}}}"
        )
    return "\n".join(lines) + "\n"


def recording_module(schema: dict[str, Any]) -> str:
    """CommonJS: each component class appends ``{type, name, args}`` to the file in $WEBAPP_RECORD."""
    classes = "".join(
        f"exports.{_name(token)} = class {{\n"
        f"    constructor(name, args) {{ record({json.dumps(token)}, name, args); }}\n}};\n"
        for token in schema["resources"]
    )
    return (
        'const fs = require("fs");\n'
        "function record(type, name, args) {\n"
        "    fs.appendFileSync(process.env.WEBAPP_RECORD, JSON.stringify({ type, name, args }) + '\\n');\n"
        "}\n" + classes
    )


def _name(token: str) -> str:
    return token.rsplit(":", 1)[-1]


def _members(type_: dict[str, Any], schema: dict[str, Any], package: str) -> str:
    required = set(type_.get("required", []))
    return "".join(
        f"    {key}{'' if key in required else '?'}: {_type(prop, schema, package)};\n"
        for key, prop in type_.get("properties", {}).items()
    )


def _type(prop: dict[str, Any], schema: dict[str, Any], package: str) -> str:
    ref = prop.get("$ref")
    if ref is not None:
        token = ref.removeprefix("#/types/")
        target = schema["types"][token]
        if "enum" in target:
            return " | ".join(json.dumps(member["value"]) for member in target["enum"])
        return _name(token)
    kind = prop.get("type")
    if kind == "array":
        return f"({_type(prop['items'], schema, package)})[]"
    if kind == "object":
        return f"{{ [key: string]: {_type(prop.get('additionalProperties', {}), schema, package)} }}"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}.get(
        kind or "", "any"
    )
