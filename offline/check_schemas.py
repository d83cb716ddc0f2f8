"""``make schemas``: the project and stack files against their JSON schemas.

- ``Pulumi.yaml`` against Pulumi's own project schema (``schemas/pulumi-project.schema.json``,
  copied from pulumi/pulumi ``sdk/go/common/workspace/project.json``).
- Every committed ``Pulumi.<stack>.yaml`` and the preview template
  ``previews/Pulumi.preview.yaml``: only the top-level keys Pulumi knows, namespaced config keys,
  and the project's keys against ``schemas/stack-config.schema.json``. Generated preview stack
  files (``Pulumi.pr-<n>.yaml``, git-ignored) are the template's, so they are not read again.
- ``schemas/stack-config.schema.json`` must equal the schema generated from ``StackConfig``, so
  editors that use it never drift from the models (``--write`` regenerates it).
"""

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from stack_config import StackConfig

from .preview_template import TEMPLATE, is_generated_stack
from .run import PROJECT_DIR, available_stacks

SCHEMA_DIR = PROJECT_DIR / "schemas"
PROJECT_SCHEMA = SCHEMA_DIR / "pulumi-project.schema.json"
STACK_CONFIG_SCHEMA = SCHEMA_DIR / "stack-config.schema.json"
STACK_FILE_KEYS = {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"}


def generated_stack_config_schema() -> dict[str, Any]:
    schema = StackConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = "The <project>:* keys of a Pulumi.<stack>.yaml, one property per key."
    return schema


def check_project_file(project_dir: Path = PROJECT_DIR) -> list[str]:
    schema = json.loads(PROJECT_SCHEMA.read_text())
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"Pulumi.yaml: {_path(e)}: {e.message}" for e in validator.iter_errors(project)]


def check_stack_file(stack: str, project_dir: Path = PROJECT_DIR, *, name: str | None = None) -> list[str]:
    """Problems of ``Pulumi.<stack>.yaml``, or of the stack file at ``name`` (relative) when given."""
    name = name or f"Pulumi.{stack}.yaml"
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]
    data = yaml.safe_load((project_dir / name).read_text()) or {}
    problems = [f"{name}: unknown top-level key {k!r}" for k in data if k not in STACK_FILE_KEYS]
    config = data.get("config") or {}
    values: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, short = str(key).partition(":")
        if not short:
            problems.append(f"{name}: config key {key!r} is not namespaced (write {project}:{key})")
        elif namespace == project:
            values[short] = value
    validator = jsonschema.Draft202012Validator(json.loads(STACK_CONFIG_SCHEMA.read_text()))
    for err in validator.iter_errors(values):
        problems.append(f"{name}: {project}:{_path(err)}: {err.message}")
    return problems


def check_stack_config_schema_current() -> list[str]:
    committed = json.loads(STACK_CONFIG_SCHEMA.read_text()) if STACK_CONFIG_SCHEMA.exists() else None
    if committed != generated_stack_config_schema():
        return [
            f"{STACK_CONFIG_SCHEMA.relative_to(PROJECT_DIR)} is out of date with StackConfig: "
            "run `make schemas-update` and commit the result"
        ]
    return []


def _path(err: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(top level)"


def main(argv: list[str]) -> int:
    if "--write" in argv:
        STACK_CONFIG_SCHEMA.write_text(json.dumps(generated_stack_config_schema(), indent=2) + "\n")
        print(f"wrote {STACK_CONFIG_SCHEMA.relative_to(PROJECT_DIR)}")
        return 0
    problems = check_project_file() + check_stack_config_schema_current()
    stacks = [stack for stack in available_stacks() if not is_generated_stack(stack)]
    for stack in stacks:
        problems += check_stack_file(stack)
    problems += check_stack_file("preview", name=TEMPLATE.as_posix())
    stacks.append(TEMPLATE.as_posix())
    for line in problems:
        print(f"schema: {line}", file=sys.stderr)
    if not problems:
        print(f"schemas: Pulumi.yaml and {len(stacks)} stack files ({', '.join(stacks)}) are valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
