"""The other-language examples (``examples/yaml``, ``examples/typescript``) fit the package and plan.

Without the Pulumi CLI neither program runs here. What is checked instead: the YAML program
passes Pulumi's project schema, every property it sets exists in the package schema with that
type, and those properties Construct the stack through the plugin; the TypeScript program
type-checks (``tsc``) against declarations derived from the same schema, and the args it passes
at run time Construct the stack too.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.provider_host import ROOT, PluginProcess
from tests.ts_declarations import declarations, recording_module

EXAMPLES = ROOT / "examples"
WEB_APP = "webapp:index:WebApp"
TSC = ROOT / "node_modules" / ".bin" / "tsc"


@pytest.fixture(scope="module")
def plugin() -> Iterator[PluginProcess]:
    with PluginProcess() as process:
        yield process


@pytest.fixture(scope="module")
def schema(plugin: PluginProcess) -> dict[str, Any]:
    return plugin.schema()


def type_problems(value: Any, prop: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    """Where ``value`` does not fit the package-schema property ``prop``."""
    ref = prop.get("$ref")
    if ref is not None:
        target = schema["types"][ref.removeprefix("#/types/")]
        if "enum" in target:
            allowed = [member["value"] for member in target["enum"]]
            return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
        return object_problems(value, target, schema, f"{path}.")
    kind = prop.get("type")
    scalars = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    if kind in scalars:
        ok = isinstance(value, scalars[kind]) and not (kind != "boolean" and isinstance(value, bool))
        return [] if ok else [f"{path}: {value!r} is not a {kind}"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [
            p
            for i, item in enumerate(value)
            for p in type_problems(item, prop["items"], schema, f"{path}[{i}]")
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        item = prop["additionalProperties"]
        return [p for k, v in value.items() for p in type_problems(v, item, schema, f"{path}.{k}")]
    return [f"{path}: no type in the schema"]


def object_problems(value: Any, type_: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: not an object"]
    properties = type_.get("properties", {})
    problems = [f"{path}{key}: not in the schema" for key in value if key not in properties]
    for key, item in value.items():
        if key in properties:
            problems += type_problems(item, properties[key], schema, f"{path}{key}")
    return problems


def yaml_program() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())


def test_yaml_example_is_a_valid_project_using_the_local_package() -> None:
    program = yaml_program()
    project_schema = json.loads((ROOT / "schemas" / "pulumi-project.schema.json").read_text())
    assert list(jsonschema.Draft202012Validator(project_schema).iter_errors(program)) == []
    assert program["runtime"] == "yaml"
    assert (EXAMPLES / "yaml" / program["packages"]["webapp"] / "PulumiPlugin.yaml").is_file()


def test_yaml_example_sets_only_schema_properties_of_their_type(schema: dict[str, Any]) -> None:
    [resource] = yaml_program()["resources"].values()
    assert resource["type"] == WEB_APP
    web_app = schema["resources"][WEB_APP]
    inputs = {"properties": web_app["inputProperties"]}
    assert object_problems(resource["properties"], inputs, schema, "") == []
    # The check must catch a typo and a wrong type, or it proves nothing.
    broken = {**resource["properties"], "netwrok": {}, "protect": "yes", "cache": {"mode": "redis"}}
    assert object_problems(broken, inputs, schema, "") == [
        "netwrok: not in the schema",
        "cache.mode: 'redis' is not one of ['elasticache', 'sidecar', 'none']",
        "protect: 'yes' is not a boolean",
    ]
    outputs = re.findall(r"\$\{shop\.(\w+)\}", (EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    assert outputs and set(outputs) <= set(web_app["properties"])


def test_yaml_example_plans_through_construct(plugin: PluginProcess) -> None:
    [resource] = yaml_program()["resources"].values()
    response = plugin.construct("yaml", resource["properties"], config={})
    assert response.urn.endswith("webapp:index:WebApp::yaml")
    types = {r.type for r in plugin.monitor.registrations if r.name.startswith("yaml-")}
    assert {
        "aws:rds/instance:Instance",
        "aws:ecs/service:Service",
        "aws:cloudfront/distribution:Distribution",
    } <= types
    assert "aws:elasticache/replicationGroup:ReplicationGroup" not in types  # cache.mode none


@pytest.fixture(scope="module")
def typescript_project(schema: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/typescript with @pulumi/webapp as declarations plus the recording stand-in."""
    project = tmp_path_factory.mktemp("typescript")
    for name in ("index.ts", "tsconfig.json"):
        shutil.copy(EXAMPLES / "typescript" / name, project / name)
    package = project / "node_modules" / "@pulumi" / "webapp"
    package.mkdir(parents=True)
    (package / "index.d.ts").write_text(declarations(schema))
    (package / "index.js").write_text(recording_module(schema))
    (package / "package.json").write_text(
        '{"name": "@pulumi/webapp", "main": "index.js", "types": "index.d.ts"}'
    )
    return project


def tsc(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TSC), "-p", str(project)], capture_output=True, text=True, timeout=300, check=False
    )


def test_typescript_example_type_checks_against_the_schema(typescript_project: Path) -> None:
    result = tsc(typescript_project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("good", "bad", "error"),
    [
        ("protect: true", "protekt: true", "'protekt' does not exist in type 'WebAppArgs'"),
        ("azCount: 3", 'azCount: "3"', "Type 'string' is not assignable to type 'number'"),
        ('"onePerAz"', '"perAz"', 'Type \'"perAz"\' is not assignable to type \'"none" | "single"'),
    ],
)
def test_type_check_rejects_a_wrong_key_type_or_enum_value(
    typescript_project: Path, tmp_path: Path, good: str, bad: str, error: str
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(typescript_project, broken)
    source = (broken / "index.ts").read_text()
    assert good in source
    (broken / "index.ts").write_text(source.replace(good, bad))
    assert error in tsc(broken).stdout


def test_typescript_example_plans_through_construct(typescript_project: Path, plugin: PluginProcess) -> None:
    assert tsc(typescript_project).returncode == 0
    record = typescript_project / "record.jsonl"
    subprocess.run(
        [shutil.which("node") or "node", str(typescript_project / "bin" / "index.js")],
        env={**os.environ, "WEBAPP_RECORD": str(record)},
        check=True,
        timeout=120,
    )
    [created] = [json.loads(line) for line in record.read_text().splitlines()]
    assert created["type"] == WEB_APP and created["name"] == "shop"
    plugin.construct("ts", created["args"], config={})
    mine = [r for r in plugin.monitor.registrations if r.name.startswith("ts-")]
    assert {r.name for r in mine if r.type == "aws:ecs/service:Service"} == {
        "ts-api-svc",
        "ts-worker-mailer-svc",
    }
    [database] = [r for r in mine if r.type == "aws:rds/cluster:Cluster"]
    assert database.protect is True  # protect: true in index.ts
