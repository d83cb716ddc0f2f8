"""A plan as the engine's analyzer hands it to CrossGuard policies, built from preview JSON.

Each resource's new state becomes what ``pulumi preview --policy-pack`` gives a policy: its
properties deserialized and wrapped in the SDK's unknown-checking proxy, its resource options, its
provider, and for stack policies the parent, dependencies and property dependencies as resource
objects. ``offline.policy_check`` runs the pack over these; ``offline.cost`` prices them.

Example::

    states = plan_states(to_preview_json(run_stack("dev")))
    stack = stack_resources(states)                       # for a StackValidationPolicy
    args = [resource_args(s, providers(states), {}) for s in states]   # for a resource policy
"""

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy


def plan_states(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The resources the update would leave: each step's new state (deletes have none)."""
    return [step["newState"] for step in plan.get("steps", []) if step.get("newState")]


def resource_options(state: Mapping[str, Any]) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        bool(state.get("protect", False)),
        list(state.get("ignoreChanges", [])),
        bool(state.get("deleteBeforeReplace", False)),
        list(state.get("aliases", [])),
        PolicyCustomTimeouts(0, 0, 0),
        list(state.get("additionalSecretOutputs", [])),
        state.get("parent") or None,
    )


def properties(state: Mapping[str, Any], key: str = "inputs") -> Mapping[str, Any]:
    return unknown_checking_proxy(deserialize_properties(dict(state.get(key) or {})))


def providers(states: list[dict[str, Any]]) -> dict[str, PolicyProviderResource]:
    """The plan's provider resources by URN."""
    found: dict[str, PolicyProviderResource] = {}
    for state in states:
        if state["type"].startswith("pulumi:providers:"):
            name = state["urn"].rsplit("::", 1)[-1]
            found[state["urn"]] = PolicyProviderResource(state["type"], properties(state), state["urn"], name)
    return found


def provider_of(state: Mapping[str, Any], known: Mapping[str, PolicyProviderResource]) -> Any:
    # A state's provider reference is `<provider urn>::<provider id>`.
    reference = state.get("provider") or ""
    return known.get(reference.rsplit("::", 1)[0])


def resource_args(
    state: Mapping[str, Any], known: Mapping[str, PolicyProviderResource], settings: Mapping[str, Any]
) -> ResourceValidationArgs:
    """What a resource policy's ``validate`` gets for ``state``, with the policy's ``settings``."""
    return ResourceValidationArgs(
        state["type"], properties(state), state["urn"], state["urn"].rsplit("::", 1)[-1],
        resource_options(state), provider_of(state, known), settings,
    )  # fmt: skip


def stack_resources(states: list[dict[str, Any]]) -> list[PolicyResource]:
    """What a stack policy gets: every resource, linked to its parent and dependencies."""
    known = providers(states)
    resources: dict[str, PolicyResource] = {}
    for state in states:
        # For a stack policy the engine passes outputs; during a preview of a new resource those
        # are its inputs.
        key = "outputs" if state.get("outputs") else "inputs"
        resources[state["urn"]] = PolicyResource(
            state["type"], properties(state, key), state["urn"], state["urn"].rsplit("::", 1)[-1],
            resource_options(state), provider_of(state, known), None, [], {},
        )  # fmt: skip
    for state in states:
        resource = resources[state["urn"]]
        resource.parent = resources.get(state.get("parent") or "")
        resource.dependencies = [resources[u] for u in state.get("dependencies", []) if u in resources]
        resource.property_dependencies = {
            prop: [resources[u] for u in urns if u in resources]
            for prop, urns in (state.get("propertyDependencies") or {}).items()
        }
    return list(resources.values())
