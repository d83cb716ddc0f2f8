"""Test harness: run the whole program under recording mocks, from a stack file or with overrides.

Every run gets a fresh mock monitor, a fresh root stack and its own config map (see
``offline.run.ProgramRun``), so tests never see each other's resources or exports.
"""

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components import ConfigError
from offline.mocks import STACK_TYPE, Registration
from offline.preview_template import write_preview_stack
from offline.run import PROJECT_DIR, PlanResult, ProgramRun, load_stack_file, run_stack

PROJECT = "webapp"

__all__ = [
    "PROJECT",
    "PlanResult",
    "Registration",
    "config_problems",
    "dev_always_on",
    "dev_celery_worker",
    "dev_elasticache",
    "dev_nat_gateway",
    "dev_rds_instance",
    "effective_config",
    "network",
    "plan",
    "preview_plan",
    "preview_stack_config",
    "run_stack",
    "stack_config",
    "stack_section",
]


def stack_config(stack: str = "dev", **overrides: Any) -> dict[str, str]:
    """The committed stack file's engine config with ``<project>:<key>`` values replaced.

    Pass ``network={...}`` to replace the whole ``webapp:network`` object, ``aws_region=None``
    to drop ``aws:region``; keys with ``None`` are removed.
    """
    return _override(dict(load_stack_file(stack).config), overrides)


def _override(config: dict[str, str], overrides: dict[str, Any]) -> dict[str, str]:
    for key, value in overrides.items():
        full_key = "aws:region" if key == "aws_region" else f"{PROJECT}:{key}"
        if value is None:
            config.pop(full_key, None)
        else:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config


def preview_stack_config(pr_number: int, **overrides: Any) -> dict[str, str]:
    """A pull request's preview stack config (``offline.preview_stack``), with ``stack_config``'s overrides.

    The stack file is generated in a temporary directory, so tests leave no ``Pulumi.pr-*.yaml``.
    """
    with tempfile.TemporaryDirectory(prefix="preview-stack-") as tmp:
        for name in ("Pulumi.yaml", "previews"):
            (Path(tmp) / name).symlink_to(PROJECT_DIR / name)
        path = write_preview_stack(pr_number, project_dir=Path(tmp))
        config = dict(load_stack_file(str(path)).config)
    return _override(config, overrides)


def preview_plan(pr_number: int, **overrides: Any) -> PlanResult:
    """Run the program as the preview stack ``pr-<pr_number>``."""
    config = preview_stack_config(pr_number, **overrides)
    return ProgramRun(config, project=PROJECT, stack=f"pr-{pr_number}").execute()


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
    """The stack file's ``webapp:network`` object with ``changes`` applied (camelCase keys).

    Keys changed to ``None`` are removed, e.g. ``natInstanceType=None``.
    """
    base = stack_section(stack, "network")
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


# Dev's alternatives to its cheapest choices, as the comments in Pulumi.dev.yaml describe them (and
# as dev ran them before the $45/month target): a NAT gateway instead of a NAT instance, an always-on
# db.t4g.micro instead of Aurora Serverless v2, a one-node ElastiCache instead of the Valkey sidecar,
# and with it the celery worker. Tests of those features run dev with these overrides.


def dev_nat_gateway(**changes: Any) -> dict[str, Any]:
    """Dev's ``webapp:network`` with one shared NAT gateway (``natType: gateway``)."""
    return network("dev", natType="gateway", natInstanceType=None, **changes)


def stack_section(stack: str, key: str) -> dict[str, Any]:
    """The stack file's ``webapp:<key>`` object as written, ``{}`` where the profile fills it all."""
    return json.loads(load_stack_file(stack).config.get(f"{PROJECT}:{key}", "{}"))


def effective_config(stack: str = "dev") -> dict[str, Any]:
    """Every ``webapp:*`` key of the stack as the program sees it: its file over its profile."""
    from stack_config import StackConfig, decode_config_value

    prefix = f"{PROJECT}:"
    raw = load_stack_file(stack).config
    data = {k.removeprefix(prefix): decode_config_value(v) for k, v in raw.items() if k.startswith(prefix)}
    return StackConfig.model_validate(data).model_dump(by_alias=True, mode="json")


def _dev(key: str) -> dict[str, Any]:
    return stack_section("dev", key)


def dev_rds_instance(**changes: Any) -> dict[str, Any]:
    """Dev's ``webapp:database`` as a Single-AZ db.t4g.micro RDS instance."""
    aurora_only = ("minCapacity", "maxCapacity", "secondsUntilAutoPause")
    base = {k: v for k, v in _dev("database").items() if k not in aurora_only}
    base |= {
        "engineMode": "instance",
        "instanceClass": "db.t4g.micro",
        "allocatedStorage": 20,
        "maxAllocatedStorage": 100,
        "multiAz": False,
    }
    return {**base, **changes}


def dev_elasticache(**changes: Any) -> dict[str, Any]:
    """Dev's ``webapp:cache`` as one cache.t4g.micro Valkey node (what a dev worker needs)."""
    return {
        "mode": "elasticache",
        "engine": "valkey",
        "nodeType": "cache.t4g.micro",
        "nodeCount": 1,
        "automaticFailover": False,
        "multiAz": False,
        "maxmemoryPolicy": "volatile-lru",
        "snapshotRetentionDays": 1,
        "snapshotWindow": "03:00-04:00",
        "maintenanceWindow": "sun:05:00-sun:06:00",
        "logRetentionDays": 7,
        "recoveryWindowDays": 0,
        **changes,
    }


def dev_celery_worker() -> dict[str, Any]:
    """A dev ``webapp:workers`` with the celery worker: Spot, one task, asleep at night like the API."""
    return {
        "celery": {
            "command": ["celery", "-A", "app", "worker", "--loglevel", "info"],
            "port": None,
            "healthCheck": {"enabled": False},
            "cpu": 256,
            "memory": 512,
            "environment": {"APP_ENV": "dev"},
            "desiredCount": 1,
            "minCount": 1,
            "maxCount": 1,
            "capacity": {"strategy": "spot"},
            "autoscaling": {
                "schedules": [
                    {
                        "name": "evening-off",
                        "schedule": "cron(0 20 ? * MON-FRI *)",
                        "minCount": 0,
                        "maxCount": 0,
                    },
                    {
                        "name": "morning-on",
                        "schedule": "cron(0 7 ? * MON-FRI *)",
                        "minCount": 1,
                        "maxCount": 1,
                    },
                ]
            },
        }
    }


def dev_always_on(**overrides: Any) -> dict[str, Any]:
    """``plan`` overrides giving dev all four alternatives: NAT gateway, RDS instance, ElastiCache, worker."""
    return {
        "network": dev_nat_gateway(),
        "database": dev_rds_instance(),
        "cache": dev_elasticache(),
        "workers": dev_celery_worker(),
        **overrides,
    }
