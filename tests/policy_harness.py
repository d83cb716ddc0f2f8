"""Helpers for policy tests: resources as the engine hands them to a rule, and the real plans.

Example::

    db = resource(RDS_INSTANCE, {"storageEncrypted": False})
    assert rds_storage_encrypted.messages(db) == ["storageEncrypted is false: ..."]
    assert rds_storage_encrypted.messages(plan_stack("prod")) == []
"""

import copy
from functools import cache
from typing import Any

from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from offline.analyzer_view import plan_states, stack_resources
from offline.policy_check import Report, evaluate, load_policy_config
from offline.preview_json import to_preview_json
from offline.run import run_stack
from policies._framework import Resource, Stack, stack_from
from policies.pack import build_policies

PROJECT_URN = "urn:pulumi:dev::webapp::"


def resource(
    type_: str,
    props: dict[str, Any],
    name: str = "subject",
    *,
    protect: bool = False,
    parent: str | None = None,
    property_dependencies: dict[str, list[str]] | None = None,
) -> Resource:
    """A resource whose props behave like the engine's (deserialized, unknown values raise)."""
    return Resource(
        type=type_,
        name=name,
        urn=urn(type_, name),
        props=unknown_checking_proxy(deserialize_properties(copy.deepcopy(props))),
        protect=protect,
        parent=parent,
        property_dependencies={k: tuple(v) for k, v in (property_dependencies or {}).items()},
    )


def urn(type_: str, name: str) -> str:
    return f"{PROJECT_URN}{type_}::{name}"


def stack(*resources: Resource) -> Stack:
    return Stack(tuple(resources))


@cache
def plan_json(stack_name: str) -> dict[str, Any]:
    """The committed stack's offline plan in the ``pulumi preview --json`` shape (do not mutate)."""
    return to_preview_json(run_stack(stack_name))


def plan_stack(stack_name: str) -> Stack:
    """The committed stack's resources exactly as a stack policy receives them."""
    return stack_from(stack_resources(plan_states(plan_json(stack_name))))


def plan_resources(stack_name: str, type_: str) -> list[Resource]:
    return plan_stack(stack_name).of_type(type_)


def check_plan(plan: dict[str, Any], profile: str) -> Report:
    """The whole pack over ``plan`` with the profile's pack config ``policies/config/<profile>.json``."""
    from offline.policy_check import CONFIG_DIR

    config = load_policy_config(CONFIG_DIR / f"{profile}.json", build_policies())
    return evaluate(plan, config)
