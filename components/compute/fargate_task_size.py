"""Fargate task size (CPU and memory, validated as a pair) and CPU architecture."""

from typing import Annotated

from pydantic import field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError

# Fargate's task sizes: CPU units -> the memory values (MiB) it accepts with them. Any other pair
# is rejected by RegisterTaskDefinition, which no mock would show.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

_MEMORY = sorted(m for sizes in FARGATE_MEMORY.values() for m in sizes)


def _memory_choices(cpu: int) -> str:
    first, second, *rest = FARGATE_MEMORY[cpu]
    if len(rest) == 1:
        return f"{first}, {second} or {rest[0]} MiB"
    return f"{first} to {rest[-1]} MiB in steps of {second - first}"


class Architecture(ConfigEnum):
    """CPU architecture of the task (the image must be built for it)."""

    ARM64 = "ARM64"
    """Graviton: ~20% cheaper than X86_64 for the same size."""
    X86_64 = "X86_64"
    """Intel/AMD, for images built only for amd64."""


class FargateTaskSize(ConfigModel):
    """Task CPU units and memory (MiB), checked against the pairs Fargate accepts.

    Example::

        FargateTaskSize(cpu=1024, memory=4096)
    """

    cpu: Annotated[int, InSchema(enum=list(FARGATE_MEMORY))] = 256
    """Task CPU units (1024 = 1 vCPU), one of Fargate's sizes."""
    memory: Annotated[int, InSchema(minimum=_MEMORY[0], maximum=_MEMORY[-1])] = 512
    """Task memory in MiB; Fargate accepts only certain values for each ``cpu``."""

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: int) -> int:
        if value not in FARGATE_MEMORY:
            allowed = ", ".join(str(c) for c in FARGATE_MEMORY)
            raise ValueError(f"must be one of Fargate's CPU sizes (units, 1024 = 1 vCPU): {allowed}")
        return value

    @model_validator(mode="after")
    def _memory_fits_cpu(self) -> "FargateTaskSize":
        if self.memory not in FARGATE_MEMORY[self.cpu]:
            raise ConfigFieldError(
                "memory",
                self.memory,
                f"does not fit cpu {self.cpu}: Fargate allows {_memory_choices(self.cpu)} with it",
            )
        return self
