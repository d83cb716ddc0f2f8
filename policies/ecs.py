"""ECS rules: clusters, Fargate services and their task definitions.

Covers ECS.2 (no automatic public IPs), ECS.3 (no host PID namespace), ECS.4 (no privileged
containers), ECS.5 (read-only root filesystems, also the seeds' "Fargate tasks have a read-only
root filesystem"), ECS.8 (no secrets in environment variables), ECS.9 (every container logs),
ECS.10 (Fargate services on platform version LATEST), ECS.12 (Container Insights), ECS.17-style
"no host network mode", ECS.20-style "no root user", and the seeds' "two or more tasks" for the
API service in production.

Decisions:

- ``containerDefinitions`` is a JSON string that usually interpolates outputs (image URI, log
  group, secret ARNs), so it is unknown in the first preview of a stack: the container rules then
  report "can't run during preview" on the task definition (never a pass) and check it on
  ``pulumi up``.
- Non-root user: a container ``user`` of ``root``, ``0`` or ``0:<group>``/``root:<group>`` is
  rejected. A container without ``user`` passes: it runs as the image's ``USER``, which only
  the image build can check (ECS.20 fails a missing user; we accept it on purpose, since the
  stack cannot see inside the image).
  Two images the stack runs beside the app for tracing (docs/decisions/0019) are ``FROM
  scratch`` without a ``USER`` and write to task volumes, which Fargate creates owned by root: a
  container of ``ROOT_IMAGES`` without ``user`` is a design exception with the image's reason
  (it runs as root, read-only, with every capability dropped), never a silent pass.
- Secret-looking environment variables: besides AWS's list (``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``ECS_ENGINE_AUTH_DATA``), a name is rejected when it contains
  ``PASSWORD``, ``PASSWD``, ``SECRET`` or ``TOKEN`` or ends with ``_KEY`` (case-insensitive),
  unless its last word says it points at a secret rather than holding one (``_ARN``, ``_NAME``,
  ``_URL``, ``_URI``, ``_PATH``, ``_FILE``, e.g. ``DB_SECRET_ARN``, ``TOKEN_URL``) or it ends with
  ``PUBLIC_KEY`` (public keys are not secret). ``PUBLIC_KEY_URL`` therefore passes, and so does
  ``API_KEY_ID``-style naming of non-keys only if it avoids the words above. Secret values
  belong in ``secrets`` (``valueFrom`` a Secrets Manager or SSM ARN).
- Two or more tasks (production_only) applies to services with ``loadBalancers`` (the API):
  a worker's count follows its queue and may be 1. With an Application Auto Scaling target on
  the service (its ``resourceId`` computed from the service) the target's ``minCapacity`` and
  every scheduled action's ``minCapacity`` must be at least 2; without one, ``desiredCount``.
- Alarm rollback (production_only) applies to services with ``loadBalancers`` (the API): its
  ``alarms`` must have ``enable`` and ``rollback`` true and name at least one alarm. Any strategy
  passes, rolling included: ECS watches the alarms during a rolling deployment and its bake time
  too, and rolls back the same way; blueGreen (the prod profile's default) adds the test listener
  and instant traffic rollback, but a stack may choose rolling (e.g. to avoid doubling tasks) and
  keep the guarantee the rule is about, that a release whose errors fire an alarm is undone.
- ECS.10: the stack pins ``platformVersion`` 1.4.0 (components/compute/container_service.py: a new
  platform version should arrive as a reviewed change). 1.4.0 is the current Linux version, so a
  Fargate service pinned to exactly that version is a design exception, whatever the service is
  called (the API, ``celery``, ``sidekiq``...); a pin to any older version is a violation.

Not covered: ECS.1 (retired; replaced by ECS.4/17/20 above), ECS.16 (task sets: the stack uses
the ECS deployment controller), ECS.21 (Windows containers: none here).
"""

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._framework import (
    DesignException,
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    each,
    is_set,
    parse_json,
    resource_rule,
    stack_rule,
)

CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"

AWS_SECRET_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"})
_SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN")
_REFERENCE_SUFFIXES = ("_ARN", "_NAME", "_URL", "_URI", "_PATH", "_FILE")
_ROOT_USER = re.compile(r"^(root|0)(:.*)?$")
FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})
MIN_PRODUCTION_TASKS = 2
INSIGHTS = "containerInsights"
# Images that run as root by design (no USER, write to root-owned task volumes), by repository.
ROOT_IMAGES = {
    "public.ecr.aws/cloudwatch-agent/cloudwatch-agent": (
        "The CloudWatch agent image (FROM scratch, no USER) writes its translated config at start into "
        "task volumes that Fargate creates owned by root: it runs as root with a read-only root "
        "filesystem and every capability dropped, and no port reachable from outside the task"
    ),
    "public.ecr.aws/aws-observability/adot-autoinstrumentation-python": (
        "The ADOT Python init container (FROM scratch, one static cp, no USER) copies the "
        "instrumentation into a task volume that Fargate creates owned by root, then exits: it runs "
        "as root with a read-only root filesystem and every capability dropped"
    ),
}
# Fargate's current Linux platform version: a pin to it loses no security patches.
CURRENT_LINUX_PLATFORM = "1.4.0"
PINNED_PLATFORM_REASON = (
    f"Pinned to Fargate platform {CURRENT_LINUX_PLATFORM} so that a new platform version arrives as a "
    f"reviewed change; {CURRENT_LINUX_PLATFORM} is the current Linux version"
)


# --- task definitions --------------------------------------------------------------------------


def containers(task: Resource) -> list[Mapping[str, Any]]:
    """The task's container definitions; raises ``UnknownValueError`` while they are not known (so
    the rule says "can't run during preview" instead of seeing no container), and so does reading
    a field of one that is unknown."""
    raw = parse_json(task.props, "containerDefinitions")
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        return []
    return [c for c in raw if isinstance(c, Mapping)]


def _label(container: Mapping[str, Any]) -> str:
    return f"container {container.get('name', '?')!r}"


@resource_rule(
    "ecs-no-host-pid-mode",
    types=[TASK_DEFINITION],
    controls=["ECS.3"],
    severity=Severity.HIGH,
    description="Task definitions do not share the host's process namespace (pidMode is not host).",
)
def ecs_no_host_pid_mode(task: Resource) -> Iterator[str]:
    if task.props.get("pidMode") == "host":
        yield 'pidMode is "host": remove it (or use "task") so containers cannot see host processes'


@resource_rule(
    "ecs-no-host-network-mode",
    types=[TASK_DEFINITION],
    controls=["ECS.17", "webapp"],
    severity=Severity.HIGH,
    description="Task definitions do not use the host network mode.",
)
def ecs_no_host_network_mode(task: Resource) -> Iterator[str]:
    if task.props.get("networkMode") == "host":
        yield 'networkMode is "host": set it to "awsvpc" so each task gets its own network interface'


@resource_rule(
    "ecs-no-privileged-containers",
    types=[TASK_DEFINITION],
    controls=["ECS.4"],
    severity=Severity.HIGH,
    description="No container runs privileged.",
)
def ecs_no_privileged_containers(task: Resource) -> Iterator[str]:
    for container in containers(task):
        if container.get("privileged") is True:
            yield f"{_label(container)} has privileged true: remove it so it gets no root access to the host"


@resource_rule(
    "ecs-readonly-root-filesystem",
    types=[TASK_DEFINITION],
    controls=["ECS.5", "seed checklist"],
    severity=Severity.HIGH,
    description="Every container has a read-only root filesystem (readonlyRootFilesystem true).",
)
def ecs_readonly_root_filesystem(task: Resource) -> Iterator[str]:
    for container in containers(task):
        value = container.get("readonlyRootFilesystem")
        if value is not True:
            shown = "not set" if value is None else f"{json.dumps(value)}"
            yield (
                f"{_label(container)} readonlyRootFilesystem is {shown}: set it to true and mount "
                "scratch volumes for the paths the app writes"
            )


def looks_secret(name: str) -> bool:
    """Whether an environment variable's name suggests it holds a secret value (see module doc)."""
    upper = name.upper()
    if upper in AWS_SECRET_VARIABLES:
        return True
    if upper.endswith(_REFERENCE_SUFFIXES) or upper.endswith("PUBLIC_KEY"):
        return False
    return any(word in upper for word in _SECRET_WORDS) or upper.endswith("_KEY")


@resource_rule(
    "ecs-no-secrets-in-environment",
    types=[TASK_DEFINITION],
    controls=["ECS.8"],
    severity=Severity.HIGH,
    description="No container has a secret-looking environment variable; secrets come through valueFrom.",
)
def ecs_no_secrets_in_environment(task: Resource) -> Iterator[str]:
    for container in containers(task):
        for variable in container.get("environment") or []:
            name = variable.get("name") if isinstance(variable, Mapping) else None
            if isinstance(name, str) and looks_secret(name):
                yield (
                    f"{_label(container)} sets {name} as a plain environment variable: move it to "
                    "secrets with valueFrom a Secrets Manager secret (or rename it if it is not secret)"
                )


@resource_rule(
    "ecs-container-logging",
    types=[TASK_DEFINITION],
    controls=["ECS.9"],
    severity=Severity.HIGH,
    description="Every container has a logConfiguration with a logDriver.",
)
def ecs_container_logging(task: Resource) -> Iterator[str]:
    for container in containers(task):
        logs = container.get("logConfiguration")
        if not isinstance(logs, Mapping) or not logs.get("logDriver"):
            yield f'{_label(container)} has no logConfiguration.logDriver: add one ("awslogs" to a log group)'


@resource_rule(
    "ecs-non-root-user",
    types=[TASK_DEFINITION],
    controls=["ECS.20", "webapp"],
    severity=Severity.HIGH,
    description="No container is configured to run as root (without user it runs as the image's user).",
)
def ecs_non_root_user(task: Resource) -> Iterator[str | DesignException]:
    excepted: list[str] = []
    for container in containers(task):
        user = container.get("user")
        if isinstance(user, str) and _ROOT_USER.match(user.strip()):
            yield (
                f'{_label(container)} user is {user!r}: set a non-root user (e.g. "1000:1000") or '
                "remove it to use the image's USER"
            )
        reason = ROOT_IMAGES.get(_repository(container.get("image")))
        if user is None and reason is not None:
            excepted.append(f"{_label(container)}: {reason}")
    if excepted:
        # One exception per task definition, naming each container the reason covers.
        yield DesignException("; ".join(excepted))


def _repository(image: Any) -> str:
    """An image reference without its tag or digest (``repo:tag`` -> ``repo``)."""
    if not isinstance(image, str):
        return ""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


# --- services and clusters ---------------------------------------------------------------------


@resource_rule(
    "ecs-no-public-ip",
    types=[SERVICE],
    controls=["ECS.2"],
    severity=Severity.HIGH,
    description="Services do not assign public IP addresses to their tasks.",
)
def ecs_no_public_ip(service: Resource) -> Iterator[str]:
    network = service.props.get("networkConfiguration") or {}
    if network.get("assignPublicIp") is True:
        yield (
            "networkConfiguration.assignPublicIp is true: set it to false and run the tasks in "
            "private subnets (egress through NAT or VPC endpoints)"
        )


def _runs_on_fargate(service: Resource) -> bool:
    launch_type = service.props.get("launchType")
    if launch_type is not None:
        return launch_type == "FARGATE"
    strategies = service.props.get("capacityProviderStrategies") or []
    providers = {s.get("capacityProvider") for s in strategies if isinstance(s, Mapping)}
    # Without either, the cluster's default strategy decides; platformVersion only means Fargate.
    return not providers or bool(providers & FARGATE_PROVIDERS)


@resource_rule(
    "ecs-fargate-latest-platform",
    types=[SERVICE],
    controls=["ECS.10"],
    severity=Severity.MEDIUM,
    description="Fargate services run platformVersion LATEST (or leave it unset).",
)
def ecs_fargate_latest_platform(service: Resource) -> Iterator[str | DesignException]:
    if not _runs_on_fargate(service):
        return
    version = service.props.get("platformVersion")
    if version == CURRENT_LINUX_PLATFORM:
        yield DesignException(PINNED_PLATFORM_REASON)
    elif version not in (None, "", "LATEST"):
        yield (
            f'platformVersion is pinned to "{version}": set it to "LATEST" (or remove it) so tasks get '
            "Fargate's security patches"
        )


@resource_rule(
    "ecs-cluster-container-insights",
    types=[CLUSTER],
    controls=["ECS.12"],
    severity=Severity.MEDIUM,
    description="Clusters have Container Insights enabled (setting containerInsights enabled or enhanced).",
)
def ecs_cluster_container_insights(cluster: Resource) -> Iterator[str]:
    settings = cluster.props.get("settings") or []
    values = [s.get("value") for s in settings if isinstance(s, Mapping) and s.get("name") == INSIGHTS]
    if not any(v in ("enabled", "enhanced") for v in values):
        shown = f'"{values[0]}"' if values else "not set"
        yield f'setting {INSIGHTS} is {shown}: add {{name: "{INSIGHTS}", value: "enabled"}} (or "enhanced")'


@stack_rule(
    "ecs-exec-sessions-encrypted-and-logged",
    controls=["CKV_AWS_224", "CKV_AWS_223"],
    severity=Severity.MEDIUM,
    description=(
        "A cluster running a service with ECS Exec (enableExecuteCommand) encrypts the sessions "
        "with a KMS key and logs them (executeCommandConfiguration: kmsKeyId, logging OVERRIDE to "
        "an encrypted CloudWatch log group or S3)."
    ),
)
def ecs_exec_sessions_encrypted_and_logged(stack: Stack) -> Iterator[Finding]:
    # No FSBP control covers ECS Exec; Checkov's cluster checks do. A shell into a production
    # container is the break-glass path: who ran what must be kept, and kept out of the app's logs.
    for cluster in stack.of_type(CLUSTER):
        exec_services = [
            s.name
            for s in stack.referencing(cluster, "cluster", SERVICE)
            if s.props.get("enableExecuteCommand") is True
        ]
        if exec_services:
            yield from (Finding(cluster, p) for p in _exec_config_problems(cluster, exec_services))


def _exec_config_problems(cluster: Resource, services: list[str]) -> Iterator[str]:
    who = f"ECS Exec is on for {', '.join(sorted(services))}"
    config = (cluster.props.get("configuration") or {}).get("executeCommandConfiguration") or {}
    if not is_set(config, "kmsKeyId"):
        yield f"{who}: set configuration.executeCommandConfiguration.kmsKeyId so sessions are encrypted"
    logging = config.get("logging")
    if logging != "OVERRIDE":
        shown = f'"{logging}"' if logging else "not set (DEFAULT)"
        yield (
            f'{who}: executeCommandConfiguration.logging is {shown}: set "OVERRIDE" with a '
            "logConfiguration, so each session's commands and output are kept apart from the app's logs"
        )
        return
    log = config.get("logConfiguration") or {}
    to_cloudwatch = is_set(log, "cloudWatchLogGroupName")
    if not to_cloudwatch and not is_set(log, "s3BucketName"):
        yield f"{who}: logConfiguration names no cloudWatchLogGroupName or s3BucketName"
    if to_cloudwatch and log.get("cloudWatchEncryptionEnabled") is not True:
        yield f"{who}: set logConfiguration.cloudWatchEncryptionEnabled true (the log group has a KMS key)"


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@stack_rule(
    "ecs-service-two-tasks",
    controls=["seed checklist"],
    severity=Severity.MEDIUM,
    description="The API service behind the load balancer keeps two or more tasks at all times.",
    production_only=True,
)
def ecs_service_two_tasks(stack: Stack) -> Iterator[Finding]:
    return each(stack.of_type(SERVICE), lambda service: _two_tasks(stack, service))


def _two_tasks(stack: Stack, service: Resource) -> Iterator[Finding]:
    # An unknown loadBalancers counts as set: the stricter reading, checked as the API's count.
    if not is_set(service.props, "loadBalancers"):
        return  # a worker: its count follows its queue
    targets = stack.referencing(service, "resourceId", SCALING_TARGET)
    if not targets:
        desired = _count(service.props.get("desiredCount"))
        if desired is None or desired < MIN_PRODUCTION_TASKS:
            shown = "not set (0)" if desired is None else str(desired)
            yield Finding(
                service,
                f"desiredCount is {shown}: set it to at least {MIN_PRODUCTION_TASKS} so one task can "
                "fail or be replaced without an outage",
            )
        return
    for target in targets:
        minimum = _count(target.props.get("minCapacity"))
        if minimum is None or minimum < MIN_PRODUCTION_TASKS:
            yield Finding(
                target,
                f"minCapacity is {minimum}: set it to at least {MIN_PRODUCTION_TASKS} so the service "
                "never scales down to a single task",
            )
    # Scheduled actions name the target's resourceId (the stack's way) or the service's.
    scaled = [service, *targets]
    actions = {a.urn: a for t in scaled for a in stack.referencing(t, "resourceId", SCHEDULED_ACTION)}
    for action in actions.values():
        scheduled = _count((action.props.get("scalableTargetAction") or {}).get("minCapacity"))
        if scheduled is not None and scheduled < MIN_PRODUCTION_TASKS:
            yield Finding(
                action,
                f"scalableTargetAction.minCapacity is {scheduled}: keep it at least "
                f"{MIN_PRODUCTION_TASKS} so the schedule does not leave one task or none",
            )


@resource_rule(
    "ecs-service-alarm-rollback",
    types=[SERVICE],
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="The API service behind the load balancer rolls a deployment back when its alarms fire.",
    production_only=True,
)
def ecs_service_alarm_rollback(service: Resource) -> Iterator[str]:
    if not is_set(service.props, "loadBalancers"):
        return  # a worker: it has no load balancer health to watch
    # Reading an unknown `alarms` raises: "can't run during preview", decided again on `pulumi up`.
    alarms = service.props["alarms"] if "alarms" in list(service.props.keys()) else None
    alarms = alarms if isinstance(alarms, Mapping) else {}
    names = [n for n in alarms.get("alarmNames") or [] if n]
    missing = [key for key in ("enable", "rollback") if alarms.get(key) is not True]
    if not alarms:
        yield (
            "alarms is not set: add {alarmNames: [its 5xx and unhealthy-host alarms], enable: true, "
            "rollback: true} so ECS undoes a release whose errors fire an alarm"
        )
        return
    if missing:
        yield f"alarms.{' and alarms.'.join(missing)} must be true: ECS then rolls back when an alarm fires"
    if not names:
        yield "alarms.alarmNames is empty: name the service's 5xx and unhealthy-host alarms"


RULES: tuple[Rule, ...] = (
    ecs_no_public_ip,
    ecs_no_host_pid_mode,
    ecs_no_privileged_containers,
    ecs_readonly_root_filesystem,
    ecs_no_secrets_in_environment,
    ecs_container_logging,
    ecs_fargate_latest_platform,
    ecs_cluster_container_insights,
    ecs_exec_sessions_encrypted_and_logged,
    ecs_no_host_network_mode,
    ecs_non_root_user,
    ecs_service_two_tasks,
    ecs_service_alarm_rollback,
)
