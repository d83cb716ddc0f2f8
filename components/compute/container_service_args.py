"""Config model for ContainerService: stack key ``<project>:service`` and each ``<project>:workers`` entry."""

import re
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
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
    """Unset: on when ``command`` is given; false turns a given command off; true requires one."""
    command: tuple[str, ...] | None = None
    """``["CMD", ...]`` or ``["CMD-SHELL", "..."]`` run inside the image; null: no container check."""
    interval_seconds: int = Field(default=30, ge=5, le=300)
    """Seconds between two checks."""
    timeout_seconds: int = Field(default=5, ge=2, le=60)
    """Seconds a check may take before it counts as failed."""
    retries: int = Field(default=3, ge=1, le=10)
    """Consecutive failures after which ECS marks the container unhealthy and replaces the task."""
    start_period_seconds: int = Field(default=60, ge=0, le=300)
    """Seconds after start during which failures do not count, so a slow boot is not killed."""

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


class CapacityStrategy(ConfigEnum):
    """Where tasks run: Fargate Spot, on-demand Fargate or a mix."""

    SPOT = "spot"
    """All on Fargate Spot: ~70% cheaper, but a task may be reclaimed with two minutes' notice."""
    ON_DEMAND = "onDemand"
    """All on on-demand Fargate."""
    MIXED = "mixed"
    """``onDemandBase`` on-demand tasks, the rest split by ``onDemandWeight``:``spotWeight``."""


class CapacityArgs(ConfigModel):
    """Capacity provider strategy (``capacity``); the cluster must offer FARGATE and FARGATE_SPOT.

    Example (prod)::

        CapacityArgs(strategy=CapacityStrategy.MIXED, on_demand_base=2)
    """

    strategy: CapacityStrategy = CapacityStrategy.SPOT
    """Whether tasks run on Fargate Spot, on-demand Fargate or a mix."""
    on_demand_base: int = Field(default=0, ge=0, le=100000)
    """Tasks that always run on on-demand Fargate (strategy onDemand or mixed), at most maxCount."""
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    """Share of the tasks above the base placed on on-demand Fargate (strategy mixed)."""
    spot_weight: int = Field(default=3, ge=0, le=1000)
    """Share of the tasks above the base placed on Fargate Spot (strategy mixed)."""

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


class DeploymentStrategy(ConfigEnum):
    """How ECS replaces a service's tasks with a new revision (its native deployment strategies)."""

    ROLLING = "rolling"
    """Replace tasks a few at a time within minimumHealthyPercent/maximumPercent (ECS ``ROLLING``)."""
    BLUE_GREEN = "blueGreen"
    """Start a full second set of tasks, move all traffic at once, keep the old set for the bake time."""
    CANARY = "canary"
    """Like blueGreen, but first move ``canaryPercent`` of traffic for ``canaryIntervalMinutes``."""
    LINEAR = "linear"
    """Like blueGreen, but move traffic in ``linearStepPercent`` steps every ``linearIntervalMinutes``."""

    @property
    def shifts_traffic(self) -> bool:
        """Whether ECS moves load balancer traffic between two target groups (every strategy but rolling)."""
        return self is not DeploymentStrategy.ROLLING

    @property
    def ecs_name(self) -> str:
        """The value of the service's ``deploymentConfiguration.strategy``."""
        return _ECS_STRATEGY[self]


_ECS_STRATEGY = {
    DeploymentStrategy.ROLLING: "ROLLING",
    DeploymentStrategy.BLUE_GREEN: "BLUE_GREEN",
    DeploymentStrategy.CANARY: "CANARY",
    DeploymentStrategy.LINEAR: "LINEAR",
}
# ECS's own defaults (API reference, CanaryConfiguration and LinearConfiguration); the bake time
# after the last shift has none documented, so ten minutes of both task sets is the stack's choice.
DEFAULT_BAKE_TIME_MINUTES = 10
DEFAULT_CANARY_PERCENT = 5.0
DEFAULT_CANARY_INTERVAL_MINUTES = 10
DEFAULT_LINEAR_STEP_PERCENT = 10.0
DEFAULT_LINEAR_INTERVAL_MINUTES = 6
MAX_BAKE_MINUTES = 1440
# The strategy each strategy-specific key belongs to (keys of another strategy are refused).
_STRATEGY_KEYS: dict[str, tuple[DeploymentStrategy, ...]] = {
    "bake_time_minutes": (
        DeploymentStrategy.BLUE_GREEN,
        DeploymentStrategy.CANARY,
        DeploymentStrategy.LINEAR,
    ),
    "canary_percent": (DeploymentStrategy.CANARY,),
    "canary_interval_minutes": (DeploymentStrategy.CANARY,),
    "linear_step_percent": (DeploymentStrategy.LINEAR,),
    "linear_interval_minutes": (DeploymentStrategy.LINEAR,),
}
_ALARM_NAME = re.compile(r"^[^\x00-\x1f]{1,255}$")


def _tenths(value: float, low: float) -> float:
    """ECS takes traffic percentages in multiples of 0.1 from ``low`` to 100."""
    if not low <= value <= 100 or abs(round(value * 10) - value * 10) > 1e-6:
        raise ValueError(f"must be a multiple of 0.1 from {low:g} to 100 (percent of production traffic)")
    return round(value, 1)


class DeploymentArgs(ConfigModel):
    """How a deployment replaces tasks (``deployment``): the strategy, its timing, and rollback.

    ``rolling`` replaces tasks in place; ``blueGreen``, ``canary`` and ``linear`` are ECS's native
    traffic-shifting strategies (no CodeDeploy): a full second set of tasks registers in the load
    balancer's alternate target group and ECS moves the production listener rule to it, all at
    once, by a canary share first, or in linear steps, then keeps the old set for
    ``bakeTimeMinutes`` before stopping it. Each strategy's keys are refused with another strategy.
    Workers (no load balancer) support ``rolling`` only. Every strategy rolls back when the
    circuit breaker trips or, during the deployment and its bake time, when one of the service's
    own health alarms (target 5xx, unhealthy hosts) or of ``alarmNames`` fires.

    Example::

        DeploymentArgs(strategy=DeploymentStrategy.CANARY, canary_percent=10, canary_interval_minutes=15)
        DeploymentArgs(minimum_healthy_percent=50, maximum_percent=150)   # rolling
    """

    strategy: DeploymentStrategy = DeploymentStrategy.ROLLING
    """How tasks are replaced: rolling, blueGreen, canary or linear (prod profile: blueGreen for the API)."""
    bake_time_minutes: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] | None = None
    """Minutes both task sets run after all traffic moved, before the old set stops; null: 10."""
    canary_percent: Annotated[float, InSchema(minimum=0.1, maximum=100, multipleOf=0.1)] | None = None
    """Share of production traffic the new tasks get first, a multiple of 0.1 (canary); null: 5."""
    canary_interval_minutes: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] | None = None
    """Minutes the canary share runs before the rest of the traffic moves (canary); null: 10."""
    linear_step_percent: Annotated[float, InSchema(minimum=3, maximum=100, multipleOf=0.1)] | None = None
    """Share of production traffic moved per step, a multiple of 0.1 (linear); null: 10."""
    linear_interval_minutes: Annotated[int, Field(ge=0, le=MAX_BAKE_MINUTES)] | None = None
    """Minutes between two steps (linear); null: 6."""
    alarm_names: tuple[Annotated[str, InSchema(minLength=1, maxLength=255)], ...] = ()
    """Further CloudWatch alarms (names, in the stack's region) whose ALARM state rolls a deployment back."""
    circuit_breaker_rollback: bool = True
    """Roll a deployment whose tasks keep failing back to the last working task definition."""
    minimum_healthy_percent: int = Field(default=100, ge=0, le=100)
    """Share of the desired tasks that must stay running during a deployment."""
    maximum_percent: int = Field(default=200, ge=100, le=200)
    """Tasks allowed during a deployment, as a share of the desired count; above minimumHealthyPercent."""
    health_check_grace_period_seconds: int = Field(default=60, ge=0, le=2147483647)
    """Seconds the load balancer's failed checks are ignored after a task starts (sent only behind one)."""

    @field_validator(*_STRATEGY_KEYS)
    @classmethod
    def _belongs_to_strategy(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return None
        strategy = info.data.get("strategy")
        owners = _STRATEGY_KEYS[info.field_name or ""]
        if isinstance(strategy, DeploymentStrategy) and strategy not in owners:
            quoted = [f'"{s.value}"' for s in owners]
            named = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
            raise ValueError(
                f'only applies to strategy {named}; strategy is "{strategy.value}": remove it or change '
                "the strategy"
            )
        if info.field_name == "canary_percent":
            return _tenths(value, 0.1)
        if info.field_name == "linear_step_percent":
            return _tenths(value, 3)
        return value

    @field_validator("alarm_names")
    @classmethod
    def _alarm_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not _ALARM_NAME.match(name):
                raise ValueError(
                    f"{name!r} must be a CloudWatch alarm name: 1 to 255 characters, no control characters"
                )
        if len(set(value)) != len(value):
            raise ValueError("lists an alarm twice")
        return value

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

    @property
    def bake_time(self) -> int:
        """Minutes both task sets run after the last traffic shift (0 for rolling)."""
        if not self.strategy.shifts_traffic:
            return 0
        return DEFAULT_BAKE_TIME_MINUTES if self.bake_time_minutes is None else self.bake_time_minutes

    def canary(self) -> tuple[float, int]:
        """``(percent, minutes)`` of the canary phase, ECS's defaults filled in."""
        percent = DEFAULT_CANARY_PERCENT if self.canary_percent is None else self.canary_percent
        minutes = (
            DEFAULT_CANARY_INTERVAL_MINUTES
            if self.canary_interval_minutes is None
            else self.canary_interval_minutes
        )
        return percent, minutes

    def linear(self) -> tuple[float, int]:
        """``(step percent, minutes between steps)`` of a linear deployment, ECS's defaults filled in."""
        step = DEFAULT_LINEAR_STEP_PERCENT if self.linear_step_percent is None else self.linear_step_percent
        minutes = (
            DEFAULT_LINEAR_INTERVAL_MINUTES
            if self.linear_interval_minutes is None
            else self.linear_interval_minutes
        )
        return step, minutes


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
    """CPU architecture the image is built for."""
    port: int | None = Field(default=8000, ge=1, le=65535)
    """The container port the load balancer sends traffic to; null for a worker (nothing connects)."""
    command: tuple[str, ...] = ()
    """The container's command, overriding the image's CMD; empty: the image's own."""
    environment: dict[str, str] = Field(default_factory=dict)
    """Plain environment variables; credentials belong in ``secrets`` (these are readable by anyone)."""
    user: Annotated[str, InSchema(pattern=_USER.pattern)] | None = None
    """``uid``, ``uid:gid`` or a user name from the image, never root; null: the image's USER."""
    health_check: ContainerHealthCheckArgs = ContainerHealthCheckArgs()
    """The container's own health check, off unless it gives a command."""
    readonly_root_filesystem: bool = True
    """Mount the root filesystem read-only; the app writes only to ``scratchPaths``."""
    scratch_paths: tuple[Annotated[str, InSchema(pattern=_SCRATCH_PATH.pattern)], ...] = ("/tmp",)
    """Writable directories (task-local volumes) for a read-only root filesystem."""
    drop_all_capabilities: bool = True
    """Drop every Linux capability from the container."""
    log_retention_days: RetentionDays = 7
    """Days CloudWatch Logs keeps the container's output."""
    desired_count: int = Field(default=1, ge=0, le=5000)
    """Tasks at the first deployment only: Application Auto Scaling owns the count afterwards."""
    min_count: int = Field(default=1, ge=0, le=5000)
    """Fewest tasks autoscaling may run."""
    max_count: int = Field(default=2, ge=1, le=5000)
    """Most tasks autoscaling may run."""
    capacity: CapacityArgs = CapacityArgs()
    """Which Fargate capacity (Spot, on-demand or a mix) the tasks run on."""
    deployment: DeploymentArgs = DeploymentArgs()
    """The deployment strategy (rolling, blueGreen, canary, linear), its timing, and what rolls it back."""
    enable_execute_command: bool = False
    """Allow ECS Exec shells into tasks (needs readonlyRootFilesystem false; dev only)."""
    autoscaling: AutoscalingArgs = AutoscalingArgs()
    """Target tracking and scheduled changes between minCount and maxCount."""
    permissions: tuple[PermissionStatementArgs, ...] = ()
    """What the app's own code may call in AWS, added to its task role (see task_permissions.py)."""

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
        if self.port is None and self.deployment.strategy.shifts_traffic:
            raise ConfigFieldError(
                "deployment.strategy",
                self.deployment.strategy.value,
                'must be "rolling" for a worker (no port, so no load balancer): blueGreen, canary and '
                "linear move load balancer traffic between two target groups",
            )
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
