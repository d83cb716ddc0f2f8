"""A hosted part's args, validated as its section of a stack file would be.

The parts on their own (Network, Database, Cache, StaticSite) take their config section's keys
at the top level of their args, next to their hand-offs (``provider/part_specs.py``). This
splits the two, fills the section's profile and derived defaults the way a stack file's
section gets them (``components.profiles.apply_profile``), and validates it through the
section's model. Problem lines name the args' keys without a prefix, like ``WebApp``'s
(``azCount = 1: must be from 2 to 6: ...``); a ``ConfigError`` lists every problem at once.

Example::

    part = part_settings({"azCount": 3, "rolePath": "/shop/"}, NetworkArgs, "network")
    Network("net", part.model, role_guard=part.role_guard)
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pulumi
from pydantic import BaseModel

from components import ConfigError, apply_profile, validate_config
from components.core.deploy_permissions_boundary import RoleGuard
from components.profiles import DESTROY_BLOCKED, EPHEMERAL_DEFAULTS, destroy_blockers

from .part_specs import PARTS
from .web_app import plain_values

ModelT = TypeVar("ModelT", bound=BaseModel)

# An IAM path: "/" alone, or segments of printable ASCII each followed by "/".
_ROLE_PATH = re.compile(r"^/([\x21-\x2e\x30-\x7e]+/)*$")


@dataclass(frozen=True)
class PartSettings(Generic[ModelT]):
    """The validated section, what the profile made of ``protect``, and the role guard."""

    model: ModelT
    protect: bool
    ephemeral: bool
    role_guard: RoleGuard
    log_kms_key_arn: pulumi.Input[str] | None


def part_settings(
    args: Mapping[str, Any],
    model: type[ModelT],
    section: str,
    *,
    fixed: Mapping[str, Any] | None = None,
    hand_off_problems: Sequence[str] = (),
) -> PartSettings[ModelT]:
    """``args`` split into ``section``'s keys (validated into ``model``) and the hand-offs.

    ``fixed`` holds section keys the part decides itself (the Cache's ``mode``);
    ``hand_off_problems`` what the part found wrong with its hand-offs, reported with the rest.
    """
    hand_off_keys = {key for part in PARTS if part.model is model for key, _, _ in part.extra}
    hand_offs = {key: value for key, value in args.items() if key in hand_off_keys}
    given = plain_values({key: value for key, value in args.items() if key not in hand_off_keys})
    stack: dict[str, Any] = {
        "profile": plain_values(hand_offs.get("profile", "dev")),
        "ephemeral": bool(hand_offs.get("ephemeral", False)),
        section: {**given, **(fixed or {})},
    }
    if "protect" in hand_offs:
        stack["protect"] = bool(hand_offs["protect"])
    filled = apply_profile(stack)
    protect, ephemeral = bool(filled.get("protect", False)), stack["ephemeral"]

    problems = list(hand_off_problems)
    role_path = hand_offs.get("rolePath")
    if role_path is not None and not _ROLE_PATH.match(role_path):
        problems.append(
            f"rolePath = {json.dumps(role_path)}: must start and end with / (such as /shop/prod/), "
            "without spaces or //"
        )
    if ephemeral and protect:
        problems.append(f"protect = true: {DESTROY_BLOCKED}")
    validated: ModelT | None = None
    try:
        validated = validate_config(model, filled[section], "")
    except ConfigError as err:
        problems.extend(err.problems)
    if validated is not None and ephemeral:
        # The section's row of the table StackConfig refuses from (components.profiles).
        section_defaults = EPHEMERAL_DEFAULTS.get(section, {})
        problems += [
            f"{key} = {json.dumps(value)}: {DESTROY_BLOCKED}"
            for key, value in destroy_blockers(validated, section_defaults)
        ]
    if problems or validated is None:
        raise ConfigError(problems)
    return PartSettings(
        model=validated,
        protect=protect,
        ephemeral=ephemeral,
        role_guard=RoleGuard(permissions_boundary=hand_offs.get("permissionsBoundaryArn"), path=role_path),
        log_kms_key_arn=hand_offs.get("logKmsKeyArn"),
    )
