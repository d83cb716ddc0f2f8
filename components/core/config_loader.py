"""Reading a Pulumi program's config: ``aws:region`` plus the project's keys, validated at once.

Shared by the app program (``stack_config.load_settings``) and the bootstrap, so both report a bad
region and bad keys the same way: one line per problem, before any resource is registered.

Example::

    region, config = load_project_config(StackConfig)   # raises ConfigError listing every problem
"""

import json
import re
from typing import Any, TypeVar

import pulumi
from pydantic import BaseModel

from .config_errors import ConfigError, validate_config

ModelT = TypeVar("ModelT", bound=BaseModel)
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


def load_project_config(model: type[ModelT]) -> tuple[str, ModelT]:
    """``aws:region`` and the ``<project>:*`` keys validated into ``model``, or ConfigError."""
    raw = raw_config()
    problems: list[str] = []
    region = raw.get("aws:region")
    if not isinstance(region, str) or not REGION.match(region):
        shown = "missing" if region is None else json.dumps(region)
        problems.append(
            f"aws:region = {shown}: must be an AWS region name such as us-east-1 "
            "(set it with `pulumi config set aws:region us-east-1`)"
        )
    prefix = f"{pulumi.get_project()}:"
    keys = {k.removeprefix(prefix): decode_config_value(v) for k, v in raw.items() if k.startswith(prefix)}
    config: ModelT | None = None
    try:
        config = validate_config(model, keys, prefix)
    except ConfigError as err:
        problems.extend(err.problems)
    if problems or config is None or not isinstance(region, str):
        raise ConfigError(problems)
    return region, config


def raw_config() -> dict[str, Any]:
    """Every config key the engine gave this run (the CLI passes them as ``PULUMI_CONFIG``)."""
    from pulumi.runtime.config import CONFIG, get_config_env

    return {**get_config_env(), **CONFIG.get()}


def decode_config_value(value: Any) -> Any:
    """Objects and arrays arrive as JSON text; scalars stay strings (pydantic coerces them)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
