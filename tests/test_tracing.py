"""Tracing (webapp:tracing, docs/decisions/0019): both modes' task definitions, the task role's
grants, the config errors, the dashboard panels, the cost lines and the pack's exceptions."""

import json
from typing import Any

import pytest

from offline.cost import estimate_plan
from offline.preview_json import to_preview_json
from tests.harness import PlanResult, config_problems, plan, stack_config, stack_section
from tests.policy_harness import check_plan

TASK = "aws:ecs/taskDefinition:TaskDefinition"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
AGENT_IMAGE = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300062.0b1304"
COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
PYTHON_IMAGE = "public.ecr.aws/aws-observability/adot-autoinstrumentation-python:v0.19.0"
NO_CAPABILITIES = {"capabilities": {"drop": ["ALL"]}}
XRAY_WRITE = {"Sid": "XRayWrite", "Effect": "Allow",
              "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}  # fmt: skip
SIGNALS_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/application-signals/data"


def containers(result: PlanResult, task: str) -> dict[str, dict[str, Any]]:
    definitions = json.loads(result.one(TASK, task).inputs["containerDefinitions"])
    return {d["name"]: d for d in definitions}


def env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def volumes(result: PlanResult, task: str) -> list[str]:
    return [v["name"] for v in result.one(TASK, task).inputs.get("volumes", [])]


@pytest.fixture(scope="module")
def xray() -> PlanResult:
    return plan("prod", tracing={"mode": "xray", "instrumentation": "none", "sampling": 0.2})


def test_prod_traces_the_api_and_the_worker_but_not_the_migration(prod: PlanResult) -> None:
    for task, service in (("api-task-def", "prod/api"), ("worker-celery-task-def", "prod/worker-celery")):
        found = containers(prod, task)
        assert sorted(found) == ["app", "cloudwatch-agent", "otel-instrumentation"]
        assert env(found["app"])["OTEL_SERVICE_NAME"] == service
        assert env(found["app"])["OTEL_TRACES_SAMPLER_ARG"] == "0.05"
    assert list(containers(prod, "migrate-task-def")) == ["app"]
    assert sorted(r.name for r in prod.by_type(ROLE_POLICY) if r.name.endswith("-tracing")) == [
        "api-tracing",
        "worker-celery-tracing",
    ]


def test_dev_runs_no_tracing(dev: PlanResult) -> None:
    assert sorted(containers(dev, "api-task-def")) == ["app", "redis"]
    assert not [r for r in dev.by_type(ROLE_POLICY) if r.name.endswith("-tracing")]
    assert not {n for n in env(containers(dev, "api-task-def")["app"]) if n.startswith("OTEL_")}


def test_application_signals_task_definition(prod: PlanResult) -> None:
    found = containers(prod, "api-task-def")
    app, agent, init = found["app"], found["cloudwatch-agent"], found["otel-instrumentation"]
    assert env(app) == {
        **{k: v for k, v in env(app).items() if not k.startswith("OTEL_") and k != "PYTHONPATH"},
        "OTEL_SERVICE_NAME": "prod/api",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,service.version=bootstrap,"
        "aws.log.group.names=/webapp/prod/ecs/api",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://localhost:4316/v1/traces",
        "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "true",
        "OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT": "http://localhost:4316/v1/metrics",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.05",
        "OTEL_PROPAGATORS": "tracecontext,baggage,xray",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_PYTHON_DISTRO": "aws_distro",
        "OTEL_PYTHON_CONFIGURATOR": "aws_configurator",
        "PYTHONPATH": "/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:"
        "/otel-auto-instrumentation-python",
    }
    assert app["dependsOn"] == [
        {"containerName": "cloudwatch-agent", "condition": "START"},
        {"containerName": "otel-instrumentation", "condition": "SUCCESS"},
    ]
    assert {"sourceVolume": "otel-python", "containerPath": "/otel-auto-instrumentation-python",
            "readOnly": True} in app["mountPoints"]  # fmt: skip
    # The agent: pinned image, config inline, read-only with scratch volumes, no capabilities, and
    # not essential (a dead agent loses spans, not the API).
    assert agent["image"] == AGENT_IMAGE
    assert agent["essential"] is False
    assert "user" not in agent  # the image's root user: the pack records why (below)
    assert agent["readonlyRootFilesystem"] is True
    assert agent["linuxParameters"] == NO_CAPABILITIES
    assert json.loads(env(agent)["CW_CONFIG_CONTENT"]) == {
        "traces": {"traces_collected": {"application_signals": {}}},
        "logs": {"metrics_collected": {"application_signals": {}}},
    }
    assert [m["containerPath"] for m in agent["mountPoints"]] == [
        "/opt/aws/amazon-cloudwatch-agent/etc",
        "/opt/aws/amazon-cloudwatch-agent/var",
        "/opt/aws/amazon-cloudwatch-agent/logs",
        "/tmp",
    ]
    assert agent["logConfiguration"]["options"]["awslogs-stream-prefix"] == "api-cloudwatch-agent"
    # The copy: ADOT Python into the shared volume, then exit.
    assert init["image"] == PYTHON_IMAGE
    assert init["essential"] is False
    assert init["command"] == ["cp", "-a", "/autoinstrumentation/.", "/otel-auto-instrumentation-python"]
    assert init["readonlyRootFilesystem"] is True
    assert init["linuxParameters"] == NO_CAPABILITIES
    assert agent["memoryReservation"] + init["memoryReservation"] == 96
    assert volumes(prod, "api-task-def") == [
        "scratch-tmp", "otel-python", "otel-opt-aws-amazon-cloudwatch-agent-etc",
        "otel-opt-aws-amazon-cloudwatch-agent-var", "otel-opt-aws-amazon-cloudwatch-agent-logs", "otel-tmp",
    ]  # fmt: skip


def test_application_signals_grants_exactly_what_the_agent_sends(prod: PlanResult) -> None:
    grant = prod.one(ROLE_POLICY, "api-tracing")
    assert grant.inputs["role"] == "mock-api-task"  # the task role, not the execution role
    assert json.loads(grant.inputs["policy"])["Statement"] == [
        XRAY_WRITE,
        {
            "Sid": "ApplicationSignalsMetrics",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": [SIGNALS_GROUP, f"{SIGNALS_GROUP}:log-stream:*"],
        },
    ]
    # Tasks start only once the agent may send (the service waits for the grant).
    service = prod.one("aws:ecs/service:Service", "api-svc")
    assert grant.urn in service.dependencies


def test_xray_mode_runs_the_collector_as_a_user_and_only_writes_x_ray(xray: PlanResult) -> None:
    found = containers(xray, "api-task-def")
    assert sorted(found) == ["app", "otel-collector"]  # instrumentation none: no copy
    app, collector = found["app"], found["otel-collector"]
    variables = env(app)
    assert variables["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == "http://localhost:4318/v1/traces"
    assert variables["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] == "false"
    assert variables["OTEL_TRACES_SAMPLER_ARG"] == "0.2"
    assert not {"PYTHONPATH", "OTEL_PYTHON_DISTRO", "OTEL_AWS_APPLICATION_SIGNALS_EXPORTER_ENDPOINT"} & set(
        variables
    )
    assert app["dependsOn"] == [{"containerName": "otel-collector", "condition": "START"}]
    assert collector["image"] == COLLECTOR_IMAGE
    assert collector["user"] == "10001:10001"
    assert collector["readonlyRootFilesystem"] is True
    assert collector["linuxParameters"] == NO_CAPABILITIES
    assert collector["command"] == ["--config=env:AOT_CONFIG_CONTENT"]
    config = env(collector)["AOT_CONFIG_CONTENT"]
    assert "endpoint: 127.0.0.1:4318" in config
    assert "  awsxray:\n    region: us-east-1" in config
    assert "exporters: [awsxray]" in config
    assert volumes(xray, "api-task-def") == ["scratch-tmp"]
    assert json.loads(xray.one(ROLE_POLICY, "api-tracing").inputs["policy"])["Statement"] == [XRAY_WRITE]


def test_the_stack_environment_wins_over_tracing_defaults() -> None:
    service = {**stack_section("prod", "service"), "environment": {"OTEL_SERVICE_NAME": "tv-shows-web"}}
    result = plan("prod", service=service)
    assert env(containers(result, "api-task-def")["app"])["OTEL_SERVICE_NAME"] == "tv-shows-web"


def problems_for(**overrides: object) -> list[str]:
    lines, registered = config_problems(stack_config("dev", **overrides))
    assert registered == []
    return lines


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"tracing": {"enabled": True, "sampling": 1.5}},
            "webapp:tracing.sampling = 1.5: must be from 0 to 1 (a fraction of requests: 0.05 traces 5%)",
        ),
        (
            {"tracing": {"enabled": True, "mode": "xray", "sampling": -0.1}},
            "webapp:tracing.sampling = -0.1: must be from 0 to 1 (a fraction of requests: 0.05 traces 5%)",
        ),
        (
            {"tracing": {"mode": "zipkin"}},
            "webapp:tracing.mode = \"zipkin\": must be 'applicationSignals' or 'xray'",
        ),
        (
            {"tracing": {"sampleRate": 0.1}},
            "webapp:tracing.sampleRate = 0.1: unknown key; allowed keys: enabled, instrumentation, mode, "
            "sampling",
        ),
        (
            {"tracing": {"enabled": True}, "service": {**stack_section("dev", "service"), "port": 4316}},
            "webapp:service.port = 4316: is a port tracing's agent listens on in the same task (2000, 4315, "
            "4316): choose another port or set tracing.enabled false",
        ),
        (
            # Dev's smallest task with the cache sidecar at 256 MiB: no room for tracing's 96 MiB.
            {"tracing": {"enabled": True}, "cache": {"mode": "sidecar", "sidecarMemoryMb": 256}},
            "webapp:service.memory = 512: leaves 160 MiB for the app beside tracing's containers (96 MiB) "
            "and the cache sidecar (256 MiB); the app needs at least 256 MiB: raise memory (with cpu) or set "
            "tracing.enabled false",
        ),
    ],
)
def test_config_errors(overrides: dict[str, object], line: str) -> None:
    assert problems_for(**overrides) == [line]


def test_enabling_tracing_in_dev_fits_its_smallest_task() -> None:
    result = plan("dev", tracing={"enabled": True})
    assert sorted(containers(result, "api-task-def")) == [
        "app",
        "cloudwatch-agent",
        "otel-instrumentation",
        "redis",
    ]


def test_the_dashboard_shows_application_signals_latency_and_faults(
    prod: PlanResult, xray: PlanResult
) -> None:
    widgets = json.loads(prod.one(DASHBOARD).inputs["dashboardBody"])["widgets"]
    by_title = {w["properties"].get("title"): w["properties"] for w in widgets}
    latency = by_title["Traced latency (ms, Application Signals)"]["metrics"]
    assert ["ApplicationSignals", "Latency", "Service", "prod/api", "Environment", "prod",
            {"label": "api p99", "stat": "p99"}] in latency  # fmt: skip
    faults = by_title["Traced faults and errors (Application Signals)"]["metrics"]
    assert ["ApplicationSignals", "Fault", "Service", "prod/worker-celery", "Environment", "prod",
            {"label": "worker-celery faults (5xx)"}] in faults  # fmt: skip
    # X-Ray-only traces publish no service metrics: no such panels.
    assert "ApplicationSignals" not in xray.one(DASHBOARD).inputs["dashboardBody"]


def test_cost_counts_the_agent_and_ingestion_at_the_sampling(prod: PlanResult, xray: PlanResult) -> None:
    def tracing_items(result: PlanResult) -> list[tuple[str, float]]:
        items = estimate_plan(to_preview_json(result)).items
        return [
            (i.billed, i.max_usd) for i in items if i.resource == "api-svc" and "trac" in i.billed.lower()
        ]

    share, signals = tracing_items(prod)
    assert share == (
        "tracing (applicationSignals): cloudwatch-agent and the instrumentation copy reserve 96 MiB of each "
        "task's memory, billed within the task size above",
        0.0,
    )
    # 2 M requests: 6 M signals at $1.50/M, plus 5% of them as X-Ray traces at $5/M.
    assert signals[1] == pytest.approx(6 * 1.5 + 0.1 * 5.0)
    [_, traces] = tracing_items(xray)
    assert traces == ("X-Ray: 0.4 M traces recorded (0.2 of 2 M requests, assumed)", pytest.approx(2.0))


def test_the_pack_records_why_the_tracing_images_run_as_root(prod: PlanResult) -> None:
    report = check_plan(to_preview_json(prod), "prod")
    [exception] = [
        v for v in report.verdicts if v.policy == "ecs-non-root-user" and v.urn.endswith("::api-task-def")
    ]
    assert exception.enforcement == "excepted"
    assert exception.message.startswith("container 'cloudwatch-agent': The CloudWatch agent image")
    assert "container 'otel-instrumentation': The ADOT Python init container" in exception.message


def test_an_explicit_root_user_on_a_tracing_image_still_fails() -> None:
    from policies.ecs import ecs_non_root_user
    from tests.policy_harness import resource

    agent = {"name": "cloudwatch-agent", "image": AGENT_IMAGE, "user": "0"}
    task = resource(TASK, {"containerDefinitions": json.dumps([agent])})
    assert ecs_non_root_user.messages(task) == [
        "container 'cloudwatch-agent' user is '0': set a non-root user (e.g. \"1000:1000\") or remove it "
        "to use the image's USER"
    ]


@pytest.mark.parametrize(
    ("uri", "version"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/webapp/prod/api:3f9c2e1", "3f9c2e1"),
        ("registry.example.com:5000/app@sha256:abc", "sha256:abc"),
        ("registry.example.com:5000/app", "latest"),
    ],
)
def test_service_version_is_the_image_tag_or_digest(uri: str, version: str) -> None:
    from components.compute.tracing import image_version

    assert image_version(uri) == version


def test_the_component_refuses_sidecars_and_tracing_filling_the_task() -> None:
    from components.compute.task_inputs import check_sidecars
    from components.core.wiring import SidecarContainer

    cache = SidecarContainer(name="redis", image="public.ecr.aws/docker/library/valkey:8.1-alpine", port=6379,
                             command=(), memory_reservation=416)  # fmt: skip
    check_sidecars("api", [cache], task_memory=512, app_port=8000, tracing_memory=0)
    with pytest.raises(
        ValueError, match=r"^api: sidecars reserve 512 MiB \(redis, tracing\) of the task's 512 MiB"
    ):
        check_sidecars("api", [cache], task_memory=512, app_port=8000, tracing_memory=96)
