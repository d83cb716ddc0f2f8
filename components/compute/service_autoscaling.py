"""Application Auto Scaling for one ECS service: its config (``autoscaling``) and resources.

The scalable target always exists, even when minCount equals maxCount, so Application Auto
Scaling, not Pulumi, owns the service's desired count (the service ignores ``desiredCount``
changes; otherwise every ``pulumi up`` would reset a scaled-out service to its first count).
Scheduled actions move the target's bounds in AWS only. Pulumi compares config with its stored
state, so it puts ``minCount``/``maxCount`` back only when they change in config or on
``pulumi up --refresh``; a schedule's bounds otherwise hold until its counterpart schedule fires.
"""

import re
from typing import Annotated

import pulumi
import pulumi_aws as aws
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationArgs as TargetTracking,
)
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs as PredefinedMetric,
)
from pydantic import Field, field_validator, model_validator

from ..core._model import ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from .schedule_expression import check_schedule_expression

# Each configured metric becomes one target-tracking policy; Application Auto Scaling scales out
# when any of them asks to and in only when all agree.
CPU_METRIC = "ECSServiceAverageCPUUtilization"
MEMORY_METRIC = "ECSServiceAverageMemoryUtilization"
REQUESTS_METRIC = "ALBRequestCountPerTarget"
_SCHEDULE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_TIMEZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


class ScheduleArgs(ConfigModel):
    """A scheduled change of the scaling bounds, e.g. scale dev to zero at night.

    Example::

        ScheduleArgs(name="night", schedule="cron(0 20 ? * * *)", timezone="Europe/Berlin",
                     min_count=0, max_count=0)
    """

    name: Annotated[str, InSchema(pattern=_SCHEDULE_NAME.pattern)]
    """The schedule's name, unique in the service: 1-64 letters, digits, _ or -."""
    schedule: str
    """When it fires: ``cron(...)``, ``rate(...)`` or ``at(...)`` in Application Auto Scaling's syntax."""
    timezone: Annotated[str, InSchema(pattern=_TIMEZONE.pattern)] = "UTC"
    """IANA time zone the cron expression is read in, such as ``Europe/Berlin``."""
    min_count: int = Field(ge=0, le=5000)
    """The service's fewest tasks from then on (0 stops it, e.g. at night)."""
    max_count: int = Field(ge=0, le=5000)
    """The service's most tasks from then on."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SCHEDULE_NAME.match(value):
            raise ValueError("must be 1-64 letters, digits, _ or -, starting with a letter or digit")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        if not _TIMEZONE.match(value):
            raise ValueError('must be an IANA time zone name such as "UTC" or "Europe/Berlin"')
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_schedule_expression(value)

    @model_validator(mode="after")
    def _bounds(self) -> "ScheduleArgs":
        if self.min_count > self.max_count:
            raise ConfigFieldError("minCount", self.min_count, f"must not exceed maxCount ({self.max_count})")
        return self


class AutoscalingArgs(ConfigModel):
    """Target tracking between minCount and maxCount (``autoscaling``); ``null`` turns a metric off.

    Example::

        AutoscalingArgs(cpu_target=60, memory_target=None, requests_per_target=500)
    """

    cpu_target: int | None = Field(default=70, ge=10, le=95)
    """Average CPU utilisation (percent) to hold; null: do not scale on CPU."""
    memory_target: int | None = Field(default=80, ge=10, le=95)
    """Average memory utilisation (percent) to hold; null: do not scale on memory."""
    requests_per_target: int | None = Field(default=None, ge=1, le=100000)
    """ALB requests per task per minute to hold; only for a service behind the load balancer."""
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)
    """Seconds after a scale-in before the next one, so a brief dip does not remove tasks."""
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    """Seconds after a scale-out before the next one."""
    schedules: tuple[ScheduleArgs, ...] = ()
    """Scheduled changes of minCount/maxCount, e.g. scale dev to zero at night."""

    @field_validator("schedules")
    @classmethod
    def _unique_names(cls, value: tuple[ScheduleArgs, ...]) -> tuple[ScheduleArgs, ...]:
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError("use each schedule name once")
        return value


def check_autoscaling(name: str, args: AutoscalingArgs, *, behind_load_balancer: bool) -> None:
    """Raise ValueError for settings that need a load balancer the service does not have."""
    if args.requests_per_target is not None and not behind_load_balancer:
        raise ValueError(
            f"{name}: autoscaling.requestsPerTarget needs a load balancer, and this service has none; "
            "remove it or scale on cpuTarget/memoryTarget"
        )


class ServiceAutoscaling:
    """Scalable target ``service/<cluster>/<service>`` plus its policies and schedules.

    Example::

        ServiceAutoscaling(self, name, args.autoscaling, min_count=1, max_count=4,
                           cluster_name=cluster.name, service_name=service.name,
                           resource_label=load_balancer.resource_label)
    """

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        args: AutoscalingArgs,
        *,
        min_count: int,
        max_count: int,
        cluster_name: pulumi.Input[str],
        service_name: pulumi.Input[str],
        resource_label: pulumi.Input[str] | None,
    ) -> None:
        check_autoscaling(name, args, behind_load_balancer=resource_label is not None)
        child = pulumi.ResourceOptions(parent=parent)
        self.target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
            min_capacity=min_count,
            max_capacity=max_count,
            opts=child,
        )

        metrics: list[tuple[str, str, int, pulumi.Input[str] | None]] = []
        if args.cpu_target is not None:
            metrics.append(("cpu", CPU_METRIC, args.cpu_target, None))
        if args.memory_target is not None:
            metrics.append(("memory", MEMORY_METRIC, args.memory_target, None))
        if args.requests_per_target is not None:
            metrics.append(("requests", REQUESTS_METRIC, args.requests_per_target, resource_label))

        self.policies: dict[str, aws.appautoscaling.Policy] = {}
        for suffix, metric, target_value, label in metrics:
            self.policies[suffix] = aws.appautoscaling.Policy(
                f"{name}-{suffix}",
                policy_type="TargetTrackingScaling",
                service_namespace=self.target.service_namespace,
                scalable_dimension=self.target.scalable_dimension,
                resource_id=self.target.resource_id,
                target_tracking_scaling_policy_configuration=TargetTracking(
                    target_value=float(target_value),
                    predefined_metric_specification=PredefinedMetric(
                        predefined_metric_type=metric, resource_label=label
                    ),
                    scale_in_cooldown=args.scale_in_cooldown_seconds,
                    scale_out_cooldown=args.scale_out_cooldown_seconds,
                ),
                opts=child,
            )

        self.schedules: dict[str, aws.appautoscaling.ScheduledAction] = {}
        for schedule in args.schedules:
            self.schedules[schedule.name] = aws.appautoscaling.ScheduledAction(
                f"{name}-schedule-{schedule.name}",
                name=f"{name}-{schedule.name}",
                service_namespace=self.target.service_namespace,
                scalable_dimension=self.target.scalable_dimension,
                resource_id=self.target.resource_id,
                schedule=schedule.schedule,
                timezone=schedule.timezone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=schedule.min_count, max_capacity=schedule.max_count
                ),
                opts=child,
            )
