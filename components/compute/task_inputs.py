"""What a task's containers get from their callers, checked before any resource is registered.

ContainerService and MigrationTask both merge ``environment``, ``secrets`` and every
Connection's settings into one set of variables (``merge_variables``); ContainerService also
checks its sidecars (``check_sidecars``). Mistakes here are wiring bugs in ``__main__.py``, so
they raise ValueError naming the component and both places that disagree.
"""

import re
from collections.abc import Mapping, Sequence

import pulumi

from ..core.wiring import Connection, SecretReference, SidecarContainer
from .container_definition import CONTAINER_NAME
from .container_service_args import CREDENTIAL_WORDS, ENV_NAME

# Connection and sidecar names end up in resource names, rule descriptions and ECS container names.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
# ECS takes no less for a container's memoryReservation.
MIN_SIDECAR_MEMORY = 6
# What the stack config leaves the app at least when tracing's containers share its task (MiB).
MIN_APP_MEMORY = 256
# The execution role only gets an ECR pull grant for the app's own image.
_PRIVATE_ECR = re.compile(r"^[0-9]{12}\.dkr\.ecr\.")


def merge_variables(
    component: str,
    environment: Mapping[str, pulumi.Input[str]],
    secrets: Mapping[str, SecretReference],
    connections: Sequence[Connection],
) -> tuple[dict[str, pulumi.Input[str]], dict[str, SecretReference]]:
    """``environment`` and ``secrets`` plus every connection's, each variable from exactly one source.

    Example::

        env, secrets = merge_variables("api", {"LOG_LEVEL": "info"}, app_secrets, [db.connection])
    """
    _check_secret_names(component, "secret", secrets)
    _check_unique(component, "connection", [c.name for c in connections])
    for connection in connections:
        _check_connection(component, connection)

    sources: dict[str, str] = {}
    merged_env: dict[str, pulumi.Input[str]] = {}
    merged_secrets: dict[str, SecretReference] = {}
    parts: list[tuple[str, Mapping[str, pulumi.Input[str]], Mapping[str, SecretReference]]] = [
        ("environment", environment, {}),
        ("secrets", {}, secrets),
    ]
    parts += [(f"connection {c.name!r}", c.environment, c.secrets) for c in connections]
    for source, env, refs in parts:
        for key in [*env, *refs]:
            if key in sources:
                raise ValueError(_twice(component, key, sources[key], source))
            sources[key] = source
        merged_env.update(env)
        merged_secrets.update(refs)
    return merged_env, merged_secrets


def check_sidecars(
    component: str,
    sidecars: Sequence[SidecarContainer],
    *,
    task_memory: int,
    app_port: int | None,
    tracing_memory: int = 0,
) -> None:
    """Raise ValueError for sidecars ECS would reject or that would collide with the app container.

    ``tracing_memory`` is what the tracing containers reserve besides (components/compute/tracing.py).
    """
    names = [s.name for s in sidecars]
    _check_unique(component, "sidecar", names)
    for sidecar in sidecars:
        where = f"{component}: sidecar {sidecar.name!r}"
        if not _NAME.match(sidecar.name) or sidecar.name == CONTAINER_NAME:
            raise ValueError(
                f"{where}: the name must be 1-63 letters, digits, _ or -, start with a letter and not be "
                f"{CONTAINER_NAME!r} (the app container)"
            )
        if not 1 <= sidecar.port <= 65535:
            raise ValueError(f"{where}: port {sidecar.port} must be from 1 to 65535")
        if sidecar.port == app_port:
            raise ValueError(f"{where}: port {sidecar.port} is the app's port; containers share localhost")
        if sidecar.memory_reservation < MIN_SIDECAR_MEMORY:
            raise ValueError(f"{where}: memory_reservation must be at least {MIN_SIDECAR_MEMORY} MiB")
        if _PRIVATE_ECR.match(sidecar.image):
            raise ValueError(
                f"{where}: the image must come from a public registry such as public.ecr.aws; the "
                "execution role may pull only the app's own ECR repository"
            )
    _check_unique(component, "sidecar port", [str(s.port) for s in sidecars])
    reserved = sum(s.memory_reservation for s in sidecars) + tracing_memory
    if tracing_memory:
        names = [*names, "tracing"]
    if reserved and reserved >= task_memory:
        raise ValueError(
            f"{component}: sidecars reserve {reserved} MiB ({', '.join(names)}) of the task's {task_memory} "
            "MiB, leaving nothing for the app; raise memory or lower the sidecars' memory_reservation"
        )


def _check_connection(component: str, connection: Connection) -> None:
    where = f"{component}: connection {connection.name!r}"
    if not _NAME.match(connection.name):
        raise ValueError(f"{where}: the name must be 1-63 letters, digits, _ or -, starting with a letter")
    if not 1 <= connection.port <= 65535:
        raise ValueError(f"{where}: port {connection.port} must be from 1 to 65535")
    _check_secret_names(component, f"connection {connection.name!r} environment", connection.environment)
    _check_secret_names(component, f"connection {connection.name!r} secret", connection.secrets)
    both = sorted(set(connection.environment) & set(connection.secrets))
    if both:
        raise ValueError(f"{where}: {', '.join(both)} is both in its environment and in its secrets")
    for key in connection.environment:
        word = next((w for w in CREDENTIAL_WORDS if w in key.upper()), None)
        if word is not None:
            raise ValueError(
                f"{where}: environment {key} looks like a credential (the name contains {word}); pass it "
                "in the connection's secrets, which the task definition only references"
            )


def _check_secret_names(component: str, what: str, names: Mapping[str, object]) -> None:
    bad = sorted(n for n in names if not ENV_NAME.match(n))
    if bad:
        raise ValueError(
            f"{component}: {what} names must be environment variable names (letters, digits, _): "
            + ", ".join(bad)
        )


def _check_unique(component: str, what: str, names: Sequence[str]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{component}: {what}s must be unique; repeated: {', '.join(repeated)}")


def _twice(component: str, key: str, first: str, second: str) -> str:
    if (first, second) == ("environment", "secrets"):
        return (
            f"{component}: {key} is set both in environment and as a secret; keep it only in webapp:secrets"
        )
    return f"{component}: {key} is set by both {first} and {second}; each variable must come from one place"
