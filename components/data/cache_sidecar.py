"""The dev-only cache sidecar: Valkey/Redis in the API task, on localhost, without persistence."""

from ..core.wiring import SidecarContainer
from .cache_args import PORT, CacheArgs


def sidecar_container(args: CacheArgs) -> SidecarContainer:
    """The dev-only cache container: localhost only, no persistence, bounded memory.

    Its data is lost on every task restart and deploy, it is not shared between tasks, and
    workers (other tasks) cannot reach it.

    The command starts with the server's full path: given the bare name or options, the
    official images' entrypoint would chown files and switch users, which the task's dropped
    capabilities forbid (and it would add ``--protected-mode no``).

    Example::

        sidecar_container(CacheArgs(mode=CacheMode.SIDECAR, sidecar_memory_mb=128))
    """
    options = {
        "--bind": "127.0.0.1",
        "--port": str(PORT),
        "--protected-mode": "yes",
        "--save": "",
        "--appendonly": "no",
        "--maxmemory": f"{args.sidecar_memory_mb}mb",
        "--maxmemory-policy": args.maxmemory_policy.value,
    }
    return SidecarContainer(
        name="redis",
        image=args.sidecar_image,
        port=PORT,
        command=(args.sidecar_server, *(part for option in options.items() for part in option)),
        memory_reservation=args.sidecar_memory_mb,
    )
