"""Test harness: run the whole program under recording mocks, from a stack file or with overrides.

Every run gets a fresh mock monitor, a fresh root stack and its own config map (see
``offline.run.ProgramRun``), so tests never see each other's resources or exports.
"""

import json
from collections.abc import Callable
from typing import Any

from components import ConfigError
from offline.mocks import STACK_TYPE, Registration
from offline.run import PlanResult, ProgramRun, load_stack_file, run_stack

PROJECT = "webapp"

__all__ = [
    "PROJECT",
    "PlanResult",
    "Registration",
    "config_problems",
    "network",
    "plan",
    "run_stack",
    "stack_config",
]


def stack_config(stack: str = "dev", **overrides: Any) -> dict[str, str]:
    """The committed stack file's engine config with ``<project>:<key>`` values replaced.

    Pass ``network={...}`` to replace the whole ``webapp:network`` object, ``aws_region=None``
    to drop ``aws:region``; keys with ``None`` are removed.
    """
    config = dict(load_stack_file(stack).config)
    for key, value in overrides.items():
        full_key = "aws:region" if key == "aws_region" else f"{PROJECT}:{key}"
        if value is None:
            config.pop(full_key, None)
        else:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config


def plan(stack: str = "dev", **overrides: Any) -> PlanResult:
    """Run the program for ``stack`` with optional config overrides and return what it registered."""
    return ProgramRun(stack_config(stack, **overrides), project=PROJECT, stack=stack).execute()


def run_components(build: Callable[[], None], stack: str = "dev", region: str = "us-east-1") -> PlanResult:
    """Run ``build`` (which creates components directly) under fresh recording mocks.

    Example::

        result = run_components(lambda: Network("net", NetworkArgs()))
        result.one("aws:ec2/flowLog:FlowLog").inputs["trafficType"]
    """
    run = ProgramRun({"aws:region": region}, project=PROJECT, stack=stack, program=build)
    return run.execute()


def config_problems(config: dict[str, str], stack: str = "dev") -> tuple[list[str], list[Registration]]:
    """Run with ``config`` expecting a ConfigError; return its lines and what got registered."""
    run = ProgramRun(config, project=PROJECT, stack=stack)
    try:
        run.execute()
    except ConfigError as err:
        return err.problems, [r for r in run.monitor.registrations if r.type != STACK_TYPE]
    raise AssertionError("expected the program to reject this config")


def network(stack: str = "dev", **changes: Any) -> dict[str, Any]:
    """The stack file's ``webapp:network`` object with ``changes`` applied (camelCase keys)."""
    base = json.loads(load_stack_file(stack).config[f"{PROJECT}:network"])
    return {**base, **changes}
