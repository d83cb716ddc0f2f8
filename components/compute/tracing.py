"""What tracing adds to a task: the agent sidecar, the instrumentation copy, the app's OTEL_* environment.

Pure functions over resolved values, like ``container_definition``: ``tracing_plan`` says what a
service's task gets for its ``TracingArgs``; ``container_definitions`` renders the containers and
``ContainerService`` grants the task role ``task_role_statements``. docs/decisions/0019 explains
the choices (images, sampling, permissions, why the agents run as the image's root user).

Images are pinned by version tag (no digest: none could be confirmed offline), so a new agent
arrives as a reviewed change, like the Fargate platform version.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .tracing_args import Instrumentation, TracingArgs, TracingMode

# CloudWatch agent release 1.300062.0 (2025): Application Signals on ECS sidecars.
CLOUDWATCH_AGENT_IMAGE = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300062.0b1304"
# ADOT collector v0.49.0, the last release in aws-observability/aws-otel-collector (July 2026).
ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
# ADOT Python v0.19.0 (August 2026): CPython 3.10-3.14 wheels built on glibc.
PYTHON_INSTRUMENTATION_IMAGE = "public.ecr.aws/aws-observability/adot-autoinstrumentation-python:v0.19.0"

AGENT_CONTAINER = {TracingMode.APPLICATION_SIGNALS: "cloudwatch-agent", TracingMode.XRAY: "otel-collector"}
INIT_CONTAINER = "otel-instrumentation"
INSTRUMENTATION_VOLUME = "otel-python"
INSTRUMENTATION_PATH = "/otel-auto-instrumentation-python"
# Soft reservations out of the task's memory (the agent batches spans; the copy exits after a second).
AGENT_MEMORY_MIB = 64
INIT_MEMORY_MIB = 32
# Where the CloudWatch agent writes at start (its translated TOML/YAML config, pid file, logs):
# task-local scratch volumes, so its root filesystem stays read-only.
CLOUDWATCH_AGENT_SCRATCH = (
    "/opt/aws/amazon-cloudwatch-agent/etc",
    "/opt/aws/amazon-cloudwatch-agent/var",
    "/opt/aws/amazon-cloudwatch-agent/logs",
    "/tmp",
)
# The ADOT collector is a static binary that writes nothing: it runs as this unprivileged user.
COLLECTOR_USER = "10001:10001"
# Application Signals' agent: OTLP/HTTP on 4316 (traces and the SDK's service metrics).
APPLICATION_SIGNALS_PORT = 4316
# The collector's OTLP/HTTP receiver, on localhost only.
COLLECTOR_PORT = 4318
# Ports the agent listens on inside the task, which the app's port must not take: Application
# Signals' OTLP gRPC and HTTP and the agent's X-Ray proxy; the collector's receiver.
AGENT_PORTS = {
    TracingMode.APPLICATION_SIGNALS: (2000, 4315, APPLICATION_SIGNALS_PORT),
    TracingMode.XRAY: (COLLECTOR_PORT,),
}
# The log group the CloudWatch agent writes Application Signals' metrics to (as EMF), per region.
APPLICATION_SIGNALS_LOG_GROUP = "/aws/application-signals/data"
# The agent's X-Ray exporter sends segments and reports its own send statistics.
XRAY_WRITE_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")


@dataclass(frozen=True)
class TracingPlan:
    """What one service's task gets for tracing: the agent (and the instrumentation copy), their
    memory, the app's environment and the volume the app reads the instrumentation from.

    Example::

        plan = tracing_plan(TracingArgs(enabled=True), service_name="prod/api", environment="prod")
        plan.app_environment["OTEL_SERVICE_NAME"]   # "prod/api"
    """

    args: TracingArgs
    service_name: str
    environment: str
    app_environment: Mapping[str, str]

    @property
    def agent_name(self) -> str:
        """The agent sidecar's container name."""
        return AGENT_CONTAINER[self.args.mode]

    @property
    def copies_instrumentation(self) -> bool:
        """Whether an init container copies ADOT Python into the task (instrumentation python)."""
        return self.args.instrumentation is Instrumentation.PYTHON

    @property
    def reserved_memory(self) -> int:
        """MiB the tracing containers reserve out of the task's memory."""
        return AGENT_MEMORY_MIB + (INIT_MEMORY_MIB if self.copies_instrumentation else 0)

    @property
    def scratch_paths(self) -> tuple[str, ...]:
        """The agent's writable paths (task-local volumes named ``<agent>-<path>``)."""
        return CLOUDWATCH_AGENT_SCRATCH if self.args.mode is TracingMode.APPLICATION_SIGNALS else ()


def tracing_memory(args: TracingArgs) -> int:
    """MiB the tracing containers reserve in each task (0 when tracing is off)."""
    if not args.enabled:
        return 0
    return AGENT_MEMORY_MIB + (INIT_MEMORY_MIB if args.instrumentation is Instrumentation.PYTHON else 0)


def tracing_plan(args: TracingArgs, *, service_name: str, environment: str) -> TracingPlan | None:
    """The plan for one service, or None when tracing is off.

    ``service_name`` is what the console lists (``<stack>/<service>``); ``environment`` the
    ``deployment.environment`` resource attribute (the stack), Application Signals' Environment.
    """
    if not args.enabled:
        return None
    return TracingPlan(args, service_name, environment, _app_environment(args, service_name))


def _app_environment(args: TracingArgs, service_name: str) -> dict[str, str]:
    """The OTEL_* variables every runtime's SDK reads (the resource attributes are added at render)."""
    application_signals = args.mode is TracingMode.APPLICATION_SIGNALS
    port = APPLICATION_SIGNALS_PORT if application_signals else COLLECTOR_PORT
    env = {
        "OTEL_SERVICE_NAME": service_name,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://localhost:{port}/v1/traces",
        # The stack's sampling, not remote rules someone edits in the X-Ray console.
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": f"{args.sampling:g}",
        "OTEL_PROPAGATORS": "tracecontext,baggage,xray",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "true" if application_signals else "false",
    }
    if application_signals:
        env["OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT"] = f"http://localhost:{port}/v1/metrics"
    if args.instrumentation is Instrumentation.PYTHON:
        env.update(
            PYTHONPATH=f"{INSTRUMENTATION_PATH}/opentelemetry/instrumentation/auto_instrumentation:"
            f"{INSTRUMENTATION_PATH}",
            OTEL_PYTHON_DISTRO="aws_distro",
            OTEL_PYTHON_CONFIGURATOR="aws_configurator",
        )
    return env


def resource_attributes(plan: TracingPlan, version: str, log_group_name: str) -> str:
    """``OTEL_RESOURCE_ATTRIBUTES``: the stack (Application Signals' Environment), the image version,
    and the app's log group (so the console links a trace to the service's logs)."""
    return (
        f"deployment.environment={plan.environment},service.version={version},"
        f"aws.log.group.names={log_group_name}"
    )


def image_version(uri: str) -> str:
    """The version an image URI names: its digest, else its tag (``repo:abc123`` -> ``abc123``)."""
    if "@" in uri:
        return uri.rsplit("@", 1)[1]
    last = uri.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else "latest"


def agent_scratch_volume(path: str) -> str:
    """The task volume behind one of the agent's writable paths (``/tmp`` -> ``otel-tmp``)."""
    return "otel-" + path.strip("/").replace("/", "-").replace(".", "-")


def tracing_volumes(plan: TracingPlan) -> list[str]:
    """Every task-local volume tracing adds: the instrumentation copy and the agent's scratch paths."""
    volumes = [INSTRUMENTATION_VOLUME] if plan.copies_instrumentation else []
    return volumes + [agent_scratch_volume(p) for p in plan.scratch_paths]


def agent_container(plan: TracingPlan, *, region: str, logs: Mapping[str, Any]) -> dict[str, Any]:
    """The agent sidecar: read-only root, no capabilities, config inline (nothing to fetch at start).

    The CloudWatch agent's image is ``FROM scratch`` without a ``USER`` and must write its
    translated config at start; Fargate's scratch volumes belong to root (mode 0755), so it runs
    as the image's root user, with every capability dropped (the pack records the exception).
    """
    # Not essential: a failing agent loses spans, it must not stop the app's tasks.
    container: dict[str, Any] = {"name": plan.agent_name, "essential": False}
    if plan.args.mode is TracingMode.APPLICATION_SIGNALS:
        container["image"] = CLOUDWATCH_AGENT_IMAGE
        container["environment"] = [{"name": "CW_CONFIG_CONTENT", "value": cloudwatch_agent_config()}]
        container["mountPoints"] = [
            {"sourceVolume": agent_scratch_volume(p), "containerPath": p, "readOnly": False}
            for p in plan.scratch_paths
        ]
    else:
        container["image"] = ADOT_COLLECTOR_IMAGE
        container["command"] = ["--config=env:AOT_CONFIG_CONTENT"]
        container["environment"] = [{"name": "AOT_CONFIG_CONTENT", "value": collector_config(region)}]
        container["user"] = COLLECTOR_USER
    container["memoryReservation"] = AGENT_MEMORY_MIB
    container["readonlyRootFilesystem"] = True
    container["logConfiguration"] = dict(logs)
    container["linuxParameters"] = {"capabilities": {"drop": ["ALL"]}}
    return container


def init_container(logs: Mapping[str, Any]) -> dict[str, Any]:
    """Copies ADOT Python into the shared volume and exits; the app starts once it succeeded.

    The image is ``FROM scratch`` (one static ``cp``) without a ``USER``: it writes only to the
    volume, which Fargate creates owned by root, so it runs as root with no capabilities.
    """
    return {
        "name": INIT_CONTAINER,
        "image": PYTHON_INSTRUMENTATION_IMAGE,
        "essential": False,
        "command": ["cp", "-a", "/autoinstrumentation/.", INSTRUMENTATION_PATH],
        "memoryReservation": INIT_MEMORY_MIB,
        "mountPoints": [
            {"sourceVolume": INSTRUMENTATION_VOLUME, "containerPath": INSTRUMENTATION_PATH, "readOnly": False}
        ],
        "readonlyRootFilesystem": True,
        "logConfiguration": dict(logs),
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
    }


def app_dependencies(plan: TracingPlan) -> list[dict[str, str]]:
    """The app container's ``dependsOn`` for tracing: the agent started, the copy completed."""
    deps = [{"containerName": plan.agent_name, "condition": "START"}]
    if plan.copies_instrumentation:
        deps.append({"containerName": INIT_CONTAINER, "condition": "SUCCESS"})
    return deps


def app_mount_points(plan: TracingPlan) -> list[dict[str, Any]]:
    """The app reads the instrumentation copy, read-only."""
    if not plan.copies_instrumentation:
        return []
    return [{"sourceVolume": INSTRUMENTATION_VOLUME, "containerPath": INSTRUMENTATION_PATH, "readOnly": True}]


def cloudwatch_agent_config() -> str:
    """The CloudWatch agent's JSON config: Application Signals' traces and metrics, nothing else."""
    enabled: dict[str, Any] = {"application_signals": {}}
    return json.dumps(
        {"traces": {"traces_collected": enabled}, "logs": {"metrics_collected": enabled}},
        separators=(",", ":"),
    )


def collector_config(region: str) -> str:
    """The ADOT collector's config: OTLP/HTTP on localhost in, batched segments to X-Ray out."""
    return "\n".join(
        [
            "receivers:",
            "  otlp:",
            "    protocols:",
            "      http:",
            f"        endpoint: 127.0.0.1:{COLLECTOR_PORT}",
            "processors:",
            "  batch/traces:",
            "    timeout: 1s",
            "    send_batch_size: 50",
            "exporters:",
            "  awsxray:",
            f"    region: {region}",
            "service:",
            "  pipelines:",
            "    traces:",
            "      receivers: [otlp]",
            "      processors: [batch/traces]",
            "      exporters: [awsxray]",
            "",
        ]
    )


def task_role_statements(
    mode: TracingMode, *, partition: str, region: str, account: str
) -> Sequence[dict[str, Any]]:
    """What the agent calls with the task role: X-Ray writes, and for Application Signals its log group.

    The documented grant is the managed CloudWatchAgentServerPolicy; this is the part of it the
    agent uses here. Left out: sampling rules (the stack's ratio sampler needs none),
    cloudwatch:PutMetricData (the metrics go as EMF logs), ec2:Describe* (no EC2 on Fargate) and
    ssm:GetParameter (the config is inline).
    """
    statements: list[dict[str, Any]] = [
        {"Sid": "XRayWrite", "Effect": "Allow", "Action": list(XRAY_WRITE_ACTIONS), "Resource": "*"}
    ]
    if mode is TracingMode.APPLICATION_SIGNALS:
        group = f"arn:{partition}:logs:{region}:{account}:log-group:{APPLICATION_SIGNALS_LOG_GROUP}"
        statements.append(
            {
                "Sid": "ApplicationSignalsMetrics",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                "Resource": [group, f"{group}:log-stream:*"],
            }
        )
    return statements
