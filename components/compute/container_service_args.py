"""Config model for ContainerService: stack key ``<project>:service`` and each ``<project>:workers`` entry."""

import re
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from ..core._model import ConfigModel
from ..core.config_errors import ConfigFieldError
from ..core.log_retention import RetentionDays
from .fargate_task_size import Architecture, FargateTaskSize
from .service_autoscaling import AutoscalingArgs
from .task_permissions import PermissionStatementArgs, check_permissions

# Words that mark an environment variable as a credential; those belong in webapp:secrets.
CREDENTIAL_WORDS = ("SECRET", "PASSWORD", "TOKEN", "API_KEY", "PRIVATE_KEY")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_USER = re.compile(r"^([0-9]+|[a-z_][a-z0-9_.-]*)(:([0-9]+|[a-z_][a-z0-9_.-]*))?$")
_SCRATCH_PATH = re.compile(r"^(/[A-Za-z0-9._-]+)+$")


class ContainerHealthCheckArgs(ConfigModel):
    """The container's own health check (``healthCheck``); ECS replaces tasks that fail it.

    Off unless ``command`` is given: the check runs inside the image, and no tool (curl, wget, a
    shell) is in every image, so a default command would fail every task of a slim or distroless
    image and roll each deployment back. The API is still checked by the load balancer
    (``loadBalancer.healthCheck``); a worker is only restarted when its process exits unless it
    gives a command. ``enabled: false`` turns a given command off; ``enabled: true`` requires one.

    Example::

        ContainerHealthCheckArgs(command=("CMD", "/app/healthcheck"), interval_seconds=15)
    """

    enabled: bool | None = None
    command: tuple[str, ...] | None = None
    interval_seconds: int = Field(default=30, ge=5, le=300)
    timeout_seconds: int = Field(default=5, ge=2, le=60)
    retries: int = Field(default=3, ge=1, le=10)
    start_period_seconds: int = Field(default=60, ge=0, le=300)

    @model_validator(mode="before")
    @classmethod
    def _no_path(cls, data: Any) -> Any:
        # The key configured the old default command (curl localhost:<port><path>); say what
        # replaced it rather than only "unknown key".
        if isinstance(data, dict) and "path" in data:
            raise ConfigFieldError(
                "path",
                data["path"],
                "is no longer used: the container check runs only a healthCheck.command you give "
                '(e.g. ["CMD", "/app/healthcheck"]), because no tool such as curl is in every image; '
                "the load balancer checks loadBalancer.healthCheck.path",
            )
        return data

    @field_validator("command")
    @classmethod
    def _command(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and (len(value) < 2 or value[0] not in ("CMD", "CMD-SHELL")):
            raise ValueError('must start with "CMD" or "CMD-SHELL" followed by the command')
        return value

    @model_validator(mode="after")
    def _command_when_enabled(self) -> "ContainerHealthCheckArgs":
        if self.enabled and self.command is None:
            raise ConfigFieldError(
                "command",
                None,
                "must be set when healthCheck.enabled is true: the check runs a command inside the "
                'image (e.g. ["CMD", "/app/healthcheck"]) and no tool is in every image; or leave '
                "enabled unset",
            )
        return self


class CapacityStrategy(StrEnum):
    """Where tasks run: all on Fargate Spot (~70% cheaper, may be reclaimed with two minutes' notice),
    all on on-demand Fargate, or ``onDemandBase`` on-demand tasks plus a weighted mix."""

    SPOT = "spot"
    ON_DEMAND = "onDemand"
    MIXED = "mixed"


class CapacityArgs(ConfigModel):
    """Capacity provider strategy (``capacity``); the cluster must offer FARGATE and FARGATE_SPOT.

    Example (prod)::

        CapacityArgs(strategy=CapacityStrategy.MIXED, on_demand_base=2)
    """

    strategy: CapacityStrategy = CapacityStrategy.SPOT
    on_demand_base: int = Field(default=0, ge=0, le=100000)
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    spot_weight: int = Field(default=3, ge=0, le=1000)

    @model_validator(mode="after")
    def _consistent(self) -> "CapacityArgs":
        if self.strategy is CapacityStrategy.SPOT and self.on_demand_base:
            raise ConfigFieldError(
                "onDemandBase",
                self.on_demand_base,
                'only applies to strategy "onDemand" or "mixed"; "spot" runs every task on FARGATE_SPOT',
            )
        if self.strategy is CapacityStrategy.MIXED and self.on_demand_weight == self.spot_weight == 0:
            raise ConfigFieldError(
                "spotWeight", 0, "must be above 0 when onDemandWeight is 0: ECS needs a provider with weight"
            )
        return self

    def providers(self) -> list[tuple[str, int, int | None]]:
        """``(capacity provider, weight, base)`` per provider; only FARGATE carries a base."""
        if self.strategy is CapacityStrategy.SPOT:
            return [("FARGATE_SPOT", 1, None)]
        if self.strategy is CapacityStrategy.ON_DEMAND:
            return [("FARGATE", 1, self.on_demand_base)]
        return [
            ("FARGATE", self.on_demand_weight, self.on_demand_base),
            ("FARGATE_SPOT", self.spot_weight, None),
        ]


class DeploymentArgs(ConfigModel):
    """Rolling deployments (``deployment``): how many tasks may be down or extra, and rollback.

    Example::

        DeploymentArgs(minimum_healthy_percent=50, maximum_percent=150)
    """

    circuit_breaker_rollback: bool = True
    minimum_healthy_percent: int = Field(default=100, ge=0, le=100)
    maximum_percent: int = Field(default=200, ge=100, le=200)
    # Sent only behind a load balancer (ECS rejects it otherwise).
    health_check_grace_period_seconds: int = Field(default=60, ge=0, le=2147483647)

    @model_validator(mode="after")
    def _room_to_deploy(self) -> "DeploymentArgs":
        if self.maximum_percent <= self.minimum_healthy_percent:
            raise ConfigFieldError(
                "maximumPercent",
                self.maximum_percent,
                f"must be greater than minimumHealthyPercent ({self.minimum_healthy_percent}), "
                "or a deployment can neither start a new task nor stop an old one",
            )
        return self


class ContainerServiceArgs(FargateTaskSize):
    """One Fargate service: the web API (behind the load balancer) or a worker (profiles fill defaults).

    Dev: 0.25 vCPU / 512 MiB on Graviton and Fargate Spot, one task (up to two), logs kept 7 days.
    A worker sets ``port`` to ``None`` and its own ``command`` (and a health check ``command`` to get one).

    Example::

        ContainerServiceArgs(cpu=512, memory=1024, command=("gunicorn", "app:app"),
                             environment={"LOG_LEVEL": "info"},
                             capacity=CapacityArgs(strategy=CapacityStrategy.MIXED, on_demand_base=2))
    """

    architecture: Architecture = Architecture.ARM64
    port: int | None = Field(default=8000, ge=1, le=65535)
    command: tuple[str, ...] = ()
    environment: dict[str, str] = Field(default_factory=dict)
    user: str | None = None
    health_check: ContainerHealthCheckArgs = ContainerHealthCheckArgs()
    readonly_root_filesystem: bool = True
    scratch_paths: tuple[str, ...] = ("/tmp",)
    drop_all_capabilities: bool = True
    log_retention_days: RetentionDays = 7
    # Only the first deployment's count: Application Auto Scaling owns it afterwards.
    desired_count: int = Field(default=1, ge=0, le=5000)
    min_count: int = Field(default=1, ge=0, le=5000)
    max_count: int = Field(default=2, ge=1, le=5000)
    capacity: CapacityArgs = CapacityArgs()
    deployment: DeploymentArgs = DeploymentArgs()
    enable_execute_command: bool = False
    autoscaling: AutoscalingArgs = AutoscalingArgs()
    # What the app's own code may call in AWS, added to the task role (see task_permissions.py).
    permissions: tuple[PermissionStatementArgs, ...] = ()

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not ENV_NAME.match(key):
                raise ConfigFieldError(key, value[key], "must be letters, digits and _, not led by a digit")
            word = next((w for w in CREDENTIAL_WORDS if w in key.upper()), None)
            if word is not None:
                # Never echo the value: it may be the credential itself.
                raise ConfigFieldError(
                    key,
                    "<redacted>",
                    f"looks like a credential (the name contains {word}); environment values are readable "
                    "by anyone who can describe the task definition: put it in webapp:secrets instead",
                )
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _USER.match(value):
            raise ValueError('must be "uid", "uid:gid" or a user name from the image, e.g. "1000:1000"')
        if value.split(":")[0] in ("root", "0"):
            raise ValueError("must not be root (uid 0): use the image's unprivileged user, e.g. 1000:1000")
        return value

    @field_validator("scratch_paths")
    @classmethod
    def _scratch_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for path in value:
            if not _SCRATCH_PATH.match(path):
                raise ValueError(
                    f"{path!r} must be an absolute path below /, such as /tmp (letters, digits, . _ -)"
                )
        if len({scratch_volume_name(p) for p in value}) != len(value):
            raise ValueError("lists a path twice")
        return value

    @model_validator(mode="after")
    def _counts(self) -> "ContainerServiceArgs":
        if self.min_count > self.max_count:
            raise ConfigFieldError("minCount", self.min_count, f"must not exceed maxCount ({self.max_count})")
        if not self.min_count <= self.desired_count <= self.max_count:
            raise ConfigFieldError(
                "desiredCount",
                self.desired_count,
                f"must be from minCount ({self.min_count}) to maxCount ({self.max_count})",
            )
        if self.capacity.on_demand_base > self.max_count:
            raise ConfigFieldError(
                "capacity.onDemandBase",
                self.capacity.on_demand_base,
                f"must not exceed maxCount ({self.max_count})",
            )
        return self

    @model_validator(mode="after")
    def _permissions(self) -> "ContainerServiceArgs":
        check_permissions(self.permissions)
        return self

    @model_validator(mode="after")
    def _combinations(self) -> "ContainerServiceArgs":
        if self.enable_execute_command and self.readonly_root_filesystem:
            raise ConfigFieldError(
                "enableExecuteCommand",
                True,
                "needs readonlyRootFilesystem false: the ECS Exec agent writes into the container's "
                "root filesystem (keep both to dev)",
            )
        return self


def scratch_volume_name(path: str) -> str:
    """Task volume name for a scratch path: ``/tmp`` -> ``scratch-tmp``, ``/a/b`` -> ``scratch-a-b``."""
    return "scratch-" + re.sub(r"[^A-Za-z0-9_-]", "-", path.strip("/"))
