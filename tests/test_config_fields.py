"""Every config field is declared one way: a type, its bounds in the schema, and a description.

The stack-config schema (and the bootstrap program's) is generated from the models, so these
checks read the generated schema: what an editor and the generated reference show is what the
models declare. Enum values follow one naming rule: AWS's own values verbatim, invented ones
camelCase.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from bootstrap.github_deploy_roles_args import GitHubDeployRolesArgs
from components import CacheArgs, DatabaseArgs, EngineMode, NetworkArgs
from components.core._model import ConfigEnum, member_docstrings
from offline.check_schemas import generated_stack_config_schema

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# Where enum values are AWS's (or the engine's) own spelling, kept verbatim so they read as in
# the AWS documentation and console.
AWS_VERBATIM = {
    "Architecture": "ECS runtimePlatform.cpuArchitecture",
    "PriceClass": "CloudFront PriceClass",
    "ManagedRuleGroup": "AWS WAF managed rule group names",
    "InterfaceEndpoint": "VPC endpoint service names (com.amazonaws.<region>.<name>)",
    "MaxmemoryPolicy": "the engine's maxmemory-policy values",
    "FlowLogsArgs.trafficType": "EC2 flow log TrafficType",
    "LoadBalancerArgs.sslPolicy": "ELB security policy names",
    "DatabaseArgs.engineVersion": "PostgreSQL major versions",
    "UploadsBucketArgs.corsMethods": "S3 CORS AllowedMethods (HTTP methods)",
}
# Invented values spelled before the camelCase rule; stack files, profiles and policies use them,
# so they are kept (each enum's docstring says so).
LEGACY_SPELLINGS = {
    "EngineMode": {"aurora-serverless-v2"},
    "KmsKeyChoice": {"customer-managed", "aws-managed"},
}
# Numbers without one range: a threshold's bounds depend on its alarm's unit (checked per alarm).
UNBOUNDED_NUMBERS = {"AlarmOverride.threshold"}


def _schemas() -> dict[str, dict[str, Any]]:
    return {
        "stack": generated_stack_config_schema(),
        "bootstrap": GitHubDeployRolesArgs.model_json_schema(by_alias=True),
    }


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(Model.property, property schema)`` for the root object and every definition."""
    for owner, node in [(schema.get("title", "(root)"), schema), *schema.get("$defs", {}).items()]:
        for name, prop in node.get("properties", {}).items():
            yield f"{owner}.{name}", prop


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """``node`` and every schema nested in it (anyOf branches, items, additionalProperties...)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


@pytest.mark.parametrize("program", ["stack", "bootstrap"])
def test_every_property_has_a_description(program: str) -> None:
    missing = [
        path for path, prop in _properties(_schemas()[program]) if not prop.get("description", "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("program", ["stack", "bootstrap"])
def test_every_number_states_its_bounds(program: str) -> None:
    unbounded = []
    for path, prop in _properties(_schemas()[program]):
        for node in _subschemas(prop):
            if node.get("type") not in ("integer", "number") or "enum" in node or path in UNBOUNDED_NUMBERS:
                continue
            low = "minimum" in node or "exclusiveMinimum" in node
            high = "maximum" in node or "exclusiveMaximum" in node
            if not (low and high):
                unbounded.append(path)
    assert unbounded == []


def test_enum_values_follow_the_naming_rule() -> None:
    schema = _schemas()["stack"]
    located = [(name, node) for name, node in schema["$defs"].items()] + [
        (path, node) for path, prop in _properties(schema) for node in _subschemas(prop) if "$ref" not in node
    ]
    wrong = []
    for where, node in located:
        for value in node.get("enum", []):
            if not isinstance(value, str) or CAMEL_CASE.match(value) or where in AWS_VERBATIM:
                continue
            if value not in LEGACY_SPELLINGS.get(where, set()):
                wrong.append(f"{where}: {value}")
    assert wrong == []


def test_every_enum_value_is_documented_in_the_schema() -> None:
    defs = _schemas()["stack"]["$defs"]
    enums = {name: node for name, node in defs.items() if "enum" in node}
    assert {"NatStrategy", "EngineMode", "PriceClass", "CacheMode", "Profile"} <= set(enums)
    undocumented = []
    for name, node in enums.items():
        texts = node.get("enumDescriptions", [])
        if len(texts) != len(node["enum"]):
            undocumented.append(f"{name}: {len(texts)} descriptions for {len(node['enum'])} values")
        undocumented += [f"{name}: {v}" for v, t in zip(node["enum"], texts, strict=False) if not t.strip()]
    assert undocumented == []


def test_member_docstrings_read_the_line_under_each_value() -> None:
    class Choice(ConfigEnum):
        """A choice."""

        FIRST = "first"
        """The first one."""
        SECOND = "second"
        THIRD = "third"
        """The third,
        on two lines."""

    assert member_docstrings(Choice) == {"FIRST": "The first one.", "THIRD": "The third,\non two lines."}


def test_schema_bounds_match_what_the_validators_accept() -> None:
    # The bounds a validator words itself reach the schema without changing what it accepts.
    props = _schemas()["stack"]["$defs"]
    az = props["NetworkArgs"]["properties"]["azCount"]
    assert (az["minimum"], az["maximum"]) == (2, 6)
    NetworkArgs(az_count=6)
    with pytest.raises(ValidationError, match="must be from 2 to 6"):
        NetworkArgs(az_count=7)
    nodes = props["CacheArgs"]["properties"]["nodeCount"]
    assert (nodes["minimum"], nodes["maximum"]) == (1, 6)
    with pytest.raises(ValidationError, match=r"must be from 1 to 6 \(a primary and up to 5 replicas\)"):
        CacheArgs(node_count=0)
    pause = props["DatabaseArgs"]["properties"]["secondsUntilAutoPause"]["anyOf"][0]
    assert (pause["minimum"], pause["maximum"]) == (300, 86400)
    with pytest.raises(ValidationError, match="must be from 300 to 86400 seconds"):
        DatabaseArgs(
            engine_mode=EngineMode.AURORA_SERVERLESS_V2, min_capacity=0, seconds_until_auto_pause=299
        )
