"""The container definition JSON that ContainerService and MigrationTask share.

Pure functions over resolved values, so they read (and test) like the document they produce.
``fargate_task.FargateTask`` renders it into the task definition; ``task_iam`` holds the roles'
policy documents.
"""

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from ..core.wiring import SidecarContainer
from .container_service_args import ContainerHealthCheckArgs, scratch_volume_name
from .tracing import (
    TracingPlan,
    agent_container,
    app_dependencies,
    app_mount_points,
    image_version,
    init_container,
    resource_attributes,
)

CONTAINER_NAME = "app"


@dataclass(frozen=True)
class ContainerSettings:
    """What the app container runs, and the sidecars beside it, as plain values.

    The environment and secrets are passed separately: they may hold Outputs until rendering.

    Example::

        ContainerSettings(command=["alembic", "upgrade", "head"], readonly_root_filesystem=True)
    """

    command: Sequence[str] = ()
    port: int | None = None
    health_check: ContainerHealthCheckArgs | None = None
    readonly_root_filesystem: bool = True
    scratch_paths: Sequence[str] = ("/tmp",)
    user: str | None = None
    drop_all_capabilities: bool = True
    sidecars: Sequence[SidecarContainer] = ()
    # The tracing agent (and ADOT Python copy) beside the app, and the app's OTEL_* environment.
    tracing: TracingPlan | None = None


def task_family(name: str) -> str:
    """``<project>-<stack>-<name>``, with characters a family may not contain turned into ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")


def container_definitions(
    settings: ContainerSettings,
    *,
    image_uri: str,
    environment: Mapping[str, str],
    secrets: Mapping[str, str],
    log_group_name: str,
    region: str,
    stream_prefix: str,
) -> str:
    """The task definition's ``containerDefinitions`` JSON: the app, then its sidecars.

    ``secrets`` maps names to ``valueFrom``. Sidecar logs go to the same group under
    ``<stream_prefix>-<sidecar name>``. With ``settings.tracing`` the tracing containers follow,
    and the app gets the OTEL_* environment (a variable the stack sets itself wins).
    """
    logs = _log_configuration(log_group_name, region)
    plan = settings.tracing
    if plan is not None:
        environment = {
            **plan.app_environment,
            "OTEL_RESOURCE_ATTRIBUTES": resource_attributes(plan, image_version(image_uri), log_group_name),
            **environment,
        }
    container: dict[str, Any] = {"name": CONTAINER_NAME, "image": image_uri, "essential": True}
    if settings.port is not None:
        container["portMappings"] = [
            {"containerPort": settings.port, "protocol": "tcp", "name": f"{CONTAINER_NAME}-{settings.port}"}
        ]
    if settings.command:
        container["command"] = list(settings.command)
    if environment:
        container["environment"] = [{"name": k, "value": v} for k, v in sorted(environment.items())]
    if secrets:
        container["secrets"] = [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())]
    check = settings.health_check
    if check is not None and check.command is not None and check.enabled is not False:
        container["healthCheck"] = {
            "command": list(check.command),
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "retries": check.retries,
            "startPeriod": check.start_period_seconds,
        }
    # START, not HEALTHY: the sidecars define no health check, and a cache still warming up is the
    # app's retry logic's business. The instrumentation copy must have finished (SUCCESS).
    depends_on = [{"containerName": s.name, "condition": "START"} for s in settings.sidecars]
    depends_on += app_dependencies(plan) if plan is not None else []
    if depends_on:
        container["dependsOn"] = depends_on
    container["readonlyRootFilesystem"] = settings.readonly_root_filesystem
    if settings.user is not None:
        container["user"] = settings.user
    mounts = [
        {"sourceVolume": scratch_volume_name(p), "containerPath": p, "readOnly": False}
        for p in settings.scratch_paths
    ]
    mounts += app_mount_points(plan) if plan is not None else []
    if mounts:
        container["mountPoints"] = mounts
    container["logConfiguration"] = logs(stream_prefix)
    linux: dict[str, Any] = {"initProcessEnabled": True}
    if settings.drop_all_capabilities:
        # Nothing is added back (Fargate only allows adding SYS_PTRACE): a server listening above
        # port 1023 needs no capability. Entrypoints that chown files or switch users (gosu,
        # su-exec) need CHOWN/SETUID/SETGID; such images set dropAllCapabilities to false.
        linux["capabilities"] = {"drop": ["ALL"]}
    container["linuxParameters"] = linux
    container["stopTimeout"] = 30
    sidecars = [_sidecar(s, logs(f"{stream_prefix}-{s.name}")) for s in settings.sidecars]
    if plan is not None:
        sidecars.append(agent_container(plan, region=region, logs=logs(f"{stream_prefix}-{plan.agent_name}")))
        if plan.copies_instrumentation:
            sidecars.append(init_container(logs(f"{stream_prefix}-otel-init")))
    return json.dumps([container, *sidecars])


def _sidecar(sidecar: SidecarContainer, logs: dict[str, Any]) -> dict[str, Any]:
    """A sidecar the app reaches on localhost: awsvpc tasks share one network namespace, so no
    port is published; no secrets, no user override, nothing writable, no capabilities.

    Without capabilities an entrypoint running as root cannot step down to another user (the
    official valkey and redis images do so when the command is the server name or starts with
    an option): such images need a command that starts with the binary's full path.
    """
    container: dict[str, Any] = {"name": sidecar.name, "image": sidecar.image, "essential": True}
    if sidecar.command:
        container["command"] = list(sidecar.command)
    container["memoryReservation"] = sidecar.memory_reservation
    container["readonlyRootFilesystem"] = True
    container["logConfiguration"] = logs
    container["linuxParameters"] = {"capabilities": {"drop": ["ALL"]}}
    return container


def _log_configuration(log_group_name: str, region: str) -> Callable[[str], dict[str, Any]]:
    def for_prefix(stream_prefix: str) -> dict[str, Any]:
        return {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": stream_prefix,
                # A full buffer drops log lines instead of blocking the container's stdout writes.
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        }

    return for_prefix
