"""``WebApp`` through the plugin's Construct call: the whole stack under the component, or clean errors.

Construct goes over gRPC to the plugin process, whose resource registrations land in the
offline mocks (``tests/provider_host.py``). In process, ``WebApp`` must build exactly what
``__main__.py`` builds from the same config: one wiring (``components.app.build_stack``).
"""

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import json_format

from components.core.config_loader import decode_config_value
from offline.run import ProgramRun, load_stack_file, run_stack
from provider.web_app import WebApp, output_attribute
from tests.provider_host import ROOT, PluginProcess, property_errors

REGION = {"aws:region": "eu-west-1"}
IMAGE = {"uri": "public.ecr.aws/nginx/nginx:1.27"}


@pytest.fixture(scope="module")
def plugin() -> Iterator[PluginProcess]:
    with PluginProcess() as process:
        yield process


def test_construct_builds_the_whole_stack_under_the_component(plugin: PluginProcess) -> None:
    response = plugin.construct("shop", {"profile": "dev", "image": IMAGE}, config=REGION)
    assert response.urn == "urn:pulumi:dev::consumer::webapp:index:WebApp::shop"
    mine = [r for r in plugin.monitor.registrations if r.name.startswith("shop")]
    by_type = {r.type: r for r in mine}
    for component in ("Network", "Database", "ContainerService", "StaticSite", "Monitoring"):
        child = by_type[f"webapp:index:{component}"]
        assert child.parent == response.urn and child.urn.split("::")[2].startswith("webapp:index:WebApp$")
    assert by_type["aws:ecs/service:Service"].name == "shop-api-svc"
    assert by_type["aws:rds/cluster:Cluster"].protect is False  # dev profile: no protect
    [provider] = [r for r in mine if r.type == "pulumi:providers:aws" and r.name == "shop-aws"]
    assert provider.inputs["region"] == "eu-west-1"
    state = json_format.MessageToDict(response.state)
    assert state["vpcId"] == "vpc-mock-shop-net-vpc"
    assert state["apiUrl"].startswith("https://") and state["apiUrl"].endswith("/api/")


def test_bad_args_are_property_errors_with_the_config_message_and_no_traceback(plugin: PluginProcess) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct("bad", {"image": IMAGE, "network": {"azCount": 1}}, config=REGION)
    err = caught.value
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert err.details() == "invalid WebApp args (1 problem)"  # type: ignore[attr-defined]
    assert property_errors(err) == [
        (
            "network.azCount",
            "network.azCount = 1: must be from 2 to 6: RDS and ElastiCache subnet groups and the load "
            "balancer need two AZs, and no region this stack targets has more than 6",
        )
    ]
    assert not [r for r in plugin.monitor.registrations if r.name.startswith("bad")]


def test_every_problem_is_reported_at_once(plugin: PluginProcess) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct("noregion", {"image": IMAGE, "cache": {"nodeCount": 9}}, config={})
    assert property_errors(caught.value) == [
        (
            "region",
            "region = missing: must be an AWS region name such as us-east-1 "
            "(or set the program's aws:region)",
        ),
        ("cache.nodeCount", "cache.nodeCount = 9: must be from 1 to 6 (a primary and up to 5 replicas)"),
    ]


def test_a_value_outside_an_enum_is_refused_by_the_host_without_a_traceback(plugin: PluginProcess) -> None:
    # Pulumi's host checks enums while it maps the inputs, before WebApp runs; the provider words
    # its error as the stack config would.
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct("enum", {"image": IMAGE, "network": {"natStrategy": "perAz"}}, config=REGION)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert property_errors(caught.value) == [
        ("network.natStrategy", "network.natStrategy = \"perAz\": must be 'none', 'single' or 'onePerAz'")
    ]


def test_every_stack_output_has_a_web_app_output() -> None:
    sources = "".join(p.read_text() for p in (ROOT / "components" / "app").glob("*.py"))
    keys = set(re.findall(r'outputs\["(\w+)"\]', sources))
    assert len(keys) > 25
    assert {output_attribute(k) for k in keys} - set(WebApp.__annotations__) == set()


def _args_from_stack_file(stack: str) -> dict[str, Any]:
    config = load_stack_file(stack).config
    args = {
        k.removeprefix("webapp:"): decode_config_value(v)
        for k, v in config.items()
        if k.startswith("webapp:")
    }
    return {**args, "region": config["aws:region"]}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_web_app_builds_what_the_program_builds(stack: str) -> None:
    program = run_stack(stack)
    args = _args_from_stack_file(stack)
    component = ProgramRun(
        {"aws:region": args["region"]}, project="webapp", stack=stack, program=lambda: WebApp("x", args)
    ).execute()
    children = [r for r in component.resources if r.type != "webapp:index:WebApp"]
    # Child names start with the component's name, and names built from them contain it.
    assert Counter((r.type, re.sub(r"(?<![a-z0-9])x-", "", r.name)) for r in children) == Counter(
        (r.type, r.name) for r in program.resources
    )
    # The same inputs too, e.g. the API task's size and platform.
    task_type = "aws:ecs/taskDefinition:TaskDefinition"
    [task] = [r for r in children if r.type == task_type and r.name == "x-api-task-def"]
    [program_task] = [r for r in program.resources if r.type == task_type and r.name == "api-task-def"]
    for key in ("cpu", "memory", "runtimePlatform", "requiresCompatibilities"):
        assert task.inputs[key] == program_task.inputs[key]
