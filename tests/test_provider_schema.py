"""The ``webapp`` provider plugin serves a valid Pulumi package schema, inferred from ``WebApp``.

The plugin runs as the engine runs it (``tests/provider_host.py``); its schema must pass
Pulumi's package metaschema (``schemas/pulumi-package.schema.json``), describe every component,
type, property and enum value, and offer every stack-config key as a ``WebApp`` input.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml

from components import CacheArgs, DatabaseArgs, NetworkArgs, StaticSiteArgs
from provider import args_codegen
from provider.web_app_provider import PACKAGE_NAME, package_version
from stack_config import StackConfig
from tests.provider_host import PLUGIN_DIR, ROOT, PluginProcess

WEB_APP = "webapp:index:WebApp"
METASCHEMA = ROOT / "schemas" / "pulumi-package.schema.json"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[dict[str, Any], str]]:
    with PluginProcess() as plugin:
        yield plugin.schema(), plugin.version()


def package_metaschema() -> dict[str, Any]:
    """Pulumi's metaschema; its regexes use ECMAScript's ``(?<name>``, Python's re spells ``(?P<name>``."""
    return json.loads(re.sub(r"\(\?<([A-Za-z])", r"(?P<\1", METASCHEMA.read_text()))


def test_generated_args_match_the_config_models() -> None:
    assert args_codegen.OUTPUT.read_text() == args_codegen.generate(), (
        "provider/web_app_args.py is out of date: run .venv/bin/python -m provider.args_codegen --write"
    )
    assert args_codegen.PARTS_OUTPUT.read_text() == args_codegen.generate_parts(), (
        "provider/part_args.py is out of date: run .venv/bin/python -m provider.args_codegen --write"
    )


def test_schema_passes_pulumis_package_metaschema(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    validator = jsonschema.Draft202012Validator(package_metaschema())
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(schema)] == []
    # A broken schema must fail, or the check above proves nothing.
    assert list(validator.iter_errors({**schema, "version": "one"}))


def test_package_name_and_version_come_from_one_place(served: tuple[dict[str, Any], str]) -> None:
    schema, plugin_version = served
    assert schema["name"] == PACKAGE_NAME == "webapp"
    assert schema["version"] == plugin_version == package_version()
    assert re.fullmatch(r'version = "' + re.escape(package_version()) + '"', _pyproject_version_line())


def _pyproject_version_line() -> str:
    [line] = [
        line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("version")
    ]
    return line


def test_every_component_type_property_and_enum_value_is_described(
    served: tuple[dict[str, Any], str],
) -> None:
    schema, _ = served
    missing = []
    for token, resource in schema["resources"].items():
        if not resource.get("description"):
            missing.append(token)
        for kind in ("inputProperties", "properties"):
            missing += [
                f"{token}.{kind}.{k}" for k, p in resource.get(kind, {}).items() if not p.get("description")
            ]
    for token, type_ in schema["types"].items():
        if not type_.get("description"):
            missing.append(token)
        missing += [
            f"{token}.{k}" for k, p in type_.get("properties", {}).items() if not p.get("description")
        ]
        missing += [f"{token} = {e['value']}" for e in type_.get("enum", []) if not e.get("description")]
    assert missing == []


def test_web_app_takes_every_stack_config_key_plainly(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    web_app = schema["resources"][WEB_APP]
    assert web_app["isComponent"] is True
    keys = {field.alias or name for name, field in StackConfig.model_fields.items()}
    assert set(web_app["inputProperties"]) == keys | {"region"}
    # Validation needs the values themselves, so no input may be an Output (docs/decisions/0020).
    assert all(p.get("plain") is True for p in web_app["inputProperties"].values())
    assert web_app["requiredInputs"] == ["image"]
    network = schema["types"]["webapp:index:NetworkSettings"]["properties"]
    assert network["azCount"]["type"] == "integer"
    assert network["natStrategy"]["$ref"] == "#/types/webapp:index:NatStrategy"
    nat_strategy = schema["types"]["webapp:index:NatStrategy"]
    assert [e["value"] for e in nat_strategy["enum"]] == ["none", "single", "onePerAz"]
    workers = web_app["inputProperties"]["workers"]
    assert workers["additionalProperties"]["$ref"] == "#/types/webapp:index:ContainerServiceSettings"


def test_web_app_outputs_are_the_programs_stack_outputs(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    outputs = schema["resources"][WEB_APP]["properties"]
    assert {"vpcId", "apiUrl", "siteUrl", "databaseAddress", "serviceName", "alarmTopicArn"} <= set(outputs)
    assert outputs["publicSubnetIds"]["type"] == "array"
    assert outputs["publicSubnetIds"]["items"]["type"] == "string"
    assert outputs["workerServiceNames"]["additionalProperties"]["type"] == "string"
    # Outputs that exist only with some config are optional in the SDKs.
    required = set(schema["resources"][WEB_APP]["required"])
    assert "vpcId" in required and "siteUrl" not in required and "cacheEndpoint" not in required


def test_plugin_directory_is_what_the_python_language_host_runs() -> None:
    plugin = yaml.safe_load((PLUGIN_DIR / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert (PLUGIN_DIR / "__main__.py").is_file()  # the host runs `python <plugin dir> <engine>`
    # The plugin's virtualenv gets the repository's hash-locked runtime requirements, nothing else.
    requirements = [
        line
        for line in (PLUGIN_DIR / "requirements.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert requirements == ["-r ../requirements.txt"]
    assert "provider/venv/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_package_hosts_the_stack_and_its_parts(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    hosted = ("Cache", "Database", "Network", "StaticSite", "WebApp")
    assert sorted(schema["resources"]) == [f"webapp:index:{n}" for n in hosted]
    assert all(resource["isComponent"] is True for resource in schema["resources"].values())


_HAND_OFFS = {
    "Network": {"profile", "logKmsKeyArn", "permissionsBoundaryArn", "rolePath"},
    "Database": {
        "profile",
        "vpcId",
        "subnetIds",
        "protect",
        "ephemeral",
        "logKmsKeyArn",
        "permissionsBoundaryArn",
        "rolePath",
    },
    "Cache": {"profile", "vpcId", "subnetIds", "protect", "ephemeral", "logKmsKeyArn"},
    "StaticSite": {
        "profile",
        "apiOrigin",
        "certificateArn",
        "aliases",
        "canonicalHost",
        "webAclArn",
        "accessLogKmsKeyArn",
        "protect",
        "ephemeral",
    },
}
# Hand-offs another resource's outputs may fill (and apiOrigin's fields); the rest is validated
# before anything exists.
_FROM_OTHER_RESOURCES = {
    "vpcId",
    "subnetIds",
    "logKmsKeyArn",
    "permissionsBoundaryArn",
    "certificateArn",
    "webAclArn",
    "accessLogKmsKeyArn",
}


@pytest.mark.parametrize(
    ("name", "model", "omitted"),
    [
        ("Network", NetworkArgs, set[str]()),
        ("Database", DatabaseArgs, set[str]()),
        # On its own a cache is always ElastiCache: a sidecar lives in WebApp's API task.
        ("Cache", CacheArgs, {"mode", "sidecarImage", "sidecarMemoryMb"}),
        # The wiring acts on these around StaticSite (SiteDomain, SiteContent, LoadBalancer).
        ("StaticSite", StaticSiteArgs, {"enabled", "domain", "originTls", "buildDir"}),
    ],
)
def test_a_part_takes_its_config_section_and_its_hand_offs(
    served: tuple[dict[str, Any], str], name: str, model: type[Any], omitted: set[str]
) -> None:
    schema, _ = served
    part = schema["resources"][f"webapp:index:{name}"]
    section = {field.alias or key for key, field in model.model_fields.items()}
    assert set(part["inputProperties"]) == (section - omitted) | _HAND_OFFS[name]
    # The section and the choices are validated before anything exists; what comes from other
    # resources (a VPC, subnets, ARNs) may be their outputs.
    not_plain = {key for key, prop in part["inputProperties"].items() if not prop.get("plain")}
    assert not_plain == _HAND_OFFS[name] & _FROM_OTHER_RESOURCES
    assert part["inputProperties"]["profile"]["$ref"] == "#/types/webapp:index:Profile"
    # The same types as WebApp's sections, not copies.
    if name == "Network":
        assert part["inputProperties"]["flowLogs"]["$ref"] == "#/types/webapp:index:FlowLogsSettings"


def test_parts_hand_on_what_the_next_part_needs(served: tuple[dict[str, Any], str]) -> None:
    schema, _ = served
    network = schema["resources"]["webapp:index:Network"]
    assert network["properties"]["isolatedSubnetIds"]["items"]["type"] == "string"
    assert {"vpcId", "isolatedSubnetIds", "privateSubnetIds", "cidrBlock"} <= set(network["required"])
    for name in ("Database", "Cache"):
        part = schema["resources"][f"webapp:index:{name}"]
        assert part["requiredInputs"] == ["subnetIds", "vpcId"]
        assert part["inputProperties"]["subnetIds"]["items"]["type"] == "string"
        assert {"securityGroupId", "port"} <= set(part["properties"])
    database = schema["resources"]["webapp:index:Database"]
    assert {"address", "port", "securityGroupId", "masterSecretArn"} <= set(database["required"])
    cache = schema["resources"]["webapp:index:Cache"]
    assert {"primaryEndpoint", "authSecretArn"} <= set(cache["properties"])
    site = schema["resources"]["webapp:index:StaticSite"]
    assert site["inputProperties"]["apiOrigin"]["$ref"] == "#/types/webapp:index:ApiOriginArgs"
    api_origin = schema["types"]["webapp:index:ApiOriginArgs"]
    assert set(api_origin["required"]) == {
        "loadBalancerArn",
        "loadBalancerDnsName",
        "loadBalancerSecurityGroupId",
        "vpcId",
    }
    assert not any(
        prop.get("plain") for key, prop in api_origin["properties"].items() if key != "originDomainName"
    )
    assert {"url", "distributionId", "bucketName", "domainName"} <= set(site["required"])
