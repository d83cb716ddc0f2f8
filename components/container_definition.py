"""The container definition JSON that ContainerService and MigrationTask share.

Pure functions over resolved values, so they read (and test) like the document they produce.
``fargate_task.FargateTask`` renders it into the task definition; ``task_iam`` holds the roles'
policy documents.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .container_service_args import ENV_NAME, ContainerHealthCheckArgs, scratch_volume_name
from .wiring import SecretReference

CONTAINER_NAME = "app"


@dataclass(frozen=True)
class ContainerSettings:
    """What the one container in a task runs, as plain values.

    Example::

        ContainerSettings(command=["alembic", "upgrade", "head"], environment={"LOG_LEVEL": "info"})
    """

    command: Sequence[str] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    port: int | None = None
    health_check: ContainerHealthCheckArgs | None = None
    readonly_root_filesystem: bool = True
    scratch_paths: Sequence[str] = ("/tmp",)
    user: str | None = None
    drop_all_capabilities: bool = True


def check_names(
    component: str, environment: Mapping[str, str], secrets: Mapping[str, SecretReference]
) -> None:
    """Raise ValueError for secret names that are not variable names or that repeat an environment name."""
    bad = sorted(n for n in secrets if not ENV_NAME.match(n))
    if bad:
        raise ValueError(
            f"{component}: secret names must be environment variable names (letters, digits, _): "
            + ", ".join(bad)
        )
    both = sorted(set(environment) & set(secrets))
    if both:
        raise ValueError(
            f"{component}: {', '.join(both)} is set both in environment and as a secret; keep it only in "
            "webapp:secrets"
        )


def task_family(name: str) -> str:
    """``<project>-<stack>-<name>``, with characters a family may not contain turned into ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")


def container_definitions(
    settings: ContainerSettings,
    *,
    image_uri: str,
    secrets: Mapping[str, str],
    log_group_name: str,
    region: str,
    stream_prefix: str,
) -> str:
    """The task definition's ``containerDefinitions`` JSON; ``secrets`` maps names to ``valueFrom``."""
    container: dict[str, Any] = {"name": CONTAINER_NAME, "image": image_uri, "essential": True}
    if settings.port is not None:
        container["portMappings"] = [
            {"containerPort": settings.port, "protocol": "tcp", "name": f"{CONTAINER_NAME}-{settings.port}"}
        ]
    if settings.command:
        container["command"] = list(settings.command)
    if settings.environment:
        container["environment"] = [{"name": k, "value": v} for k, v in sorted(settings.environment.items())]
    if secrets:
        container["secrets"] = [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())]
    check = settings.health_check
    if check is not None and check.enabled:
        container["healthCheck"] = {
            "command": check.command_for(settings.port),
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "retries": check.retries,
            "startPeriod": check.start_period_seconds,
        }
    container["readonlyRootFilesystem"] = settings.readonly_root_filesystem
    if settings.user is not None:
        container["user"] = settings.user
    if settings.scratch_paths:
        container["mountPoints"] = [
            {"sourceVolume": scratch_volume_name(p), "containerPath": p, "readOnly": False}
            for p in settings.scratch_paths
        ]
    container["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": stream_prefix,
            # A full buffer drops log lines instead of blocking the app's stdout writes.
            "mode": "non-blocking",
            "max-buffer-size": "25m",
        },
    }
    linux: dict[str, Any] = {"initProcessEnabled": True}
    if settings.drop_all_capabilities:
        # Nothing is added back (Fargate only allows adding SYS_PTRACE): a server listening above
        # port 1023 needs no capability. Entrypoints that chown files or switch users (gosu,
        # su-exec) need CHOWN/SETUID/SETGID; such images set dropAllCapabilities to false.
        linux["capabilities"] = {"drop": ["ALL"]}
    container["linuxParameters"] = linux
    container["stopTimeout"] = 30
    return json.dumps([container])
