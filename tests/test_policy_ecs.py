"""ECS policy rules: each rule on a compliant and a violating resource, and on the committed stacks."""

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies._framework import Rule
from policies.ecs import (
    CLUSTER,
    RULES,
    SCALING_TARGET,
    SCHEDULED_ACTION,
    SERVICE,
    TASK_DEFINITION,
    ecs_cluster_container_insights,
    ecs_container_logging,
    ecs_fargate_latest_platform,
    ecs_no_host_network_mode,
    ecs_no_host_pid_mode,
    ecs_no_privileged_containers,
    ecs_no_public_ip,
    ecs_no_secrets_in_environment,
    ecs_non_root_user,
    ecs_readonly_root_filesystem,
    ecs_service_alarm_rollback,
    ecs_service_two_tasks,
    looks_secret,
)
from tests.policy_harness import plan_stack, resource, stack, urn

GOOD_CONTAINER: dict[str, Any] = {
    "name": "app",
    "readonlyRootFilesystem": True,
    "logConfiguration": {"logDriver": "awslogs"},
    "environment": [{"name": "APP_ENV", "value": "dev"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:..."}],
}


def task(*containers: dict[str, Any], **props: Any) -> Any:
    return resource(TASK_DEFINITION, {"containerDefinitions": json.dumps(list(containers)), **props})


def test_a_good_task_definition_passes_every_container_rule() -> None:
    good = task(GOOD_CONTAINER, networkMode="awsvpc", user=None)
    for rule in RULES:
        if rule.check_resource is not None:
            assert rule.messages(good) == [], rule.name


def test_host_pid_mode() -> None:
    assert ecs_no_host_pid_mode.messages(task(GOOD_CONTAINER, pidMode="host")) == [
        'pidMode is "host": remove it (or use "task") so containers cannot see host processes'
    ]
    assert ecs_no_host_pid_mode.messages(task(GOOD_CONTAINER, pidMode="task")) == []


def test_host_network_mode() -> None:
    assert ecs_no_host_network_mode.messages(task(GOOD_CONTAINER, networkMode="host")) == [
        'networkMode is "host": set it to "awsvpc" so each task gets its own network interface'
    ]


def test_privileged_container() -> None:
    assert ecs_no_privileged_containers.messages(task({**GOOD_CONTAINER, "privileged": True})) == [
        "container 'app' has privileged true: remove it so it gets no root access to the host"
    ]


def test_readonly_root_filesystem_on_every_container() -> None:
    sidecar = {**GOOD_CONTAINER, "name": "cache"}
    del sidecar["readonlyRootFilesystem"]
    definitions = task(
        GOOD_CONTAINER, sidecar, {**GOOD_CONTAINER, "name": "x", "readonlyRootFilesystem": False}
    )
    assert ecs_readonly_root_filesystem.messages(definitions) == [
        "container 'cache' readonlyRootFilesystem is not set: set it to true and mount scratch volumes for "
        "the paths the app writes",
        "container 'x' readonlyRootFilesystem is false: set it to true and mount scratch volumes for the "
        "paths the app writes",
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("github_token", True),
        ("SECRET_KEY", True),
        ("STRIPE_API_KEY", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("ECS_ENGINE_AUTH_DATA", True),
        ("DB_SECRET_ARN", False),
        ("TOKEN_URL", False),
        ("PUBLIC_KEY_URL", False),
        ("JWT_PUBLIC_KEY", False),
        ("KEYCLOAK_REALM", False),
        ("DB_HOST", False),
    ],
)
def test_secret_looking_names(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_secrets_in_environment() -> None:
    leaky = {**GOOD_CONTAINER, "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}
    assert ecs_no_secrets_in_environment.messages(task(leaky)) == [
        "container 'app' sets DB_PASSWORD as a plain environment variable: move it to secrets with valueFrom "
        "a Secrets Manager secret (or rename it if it is not secret)"
    ]


def test_every_container_logs() -> None:
    silent = {k: v for k, v in GOOD_CONTAINER.items() if k != "logConfiguration"}
    assert ecs_container_logging.messages(task(silent)) == [
        "container 'app' has no logConfiguration.logDriver: add one (\"awslogs\" to a log group)"
    ]


@pytest.mark.parametrize("user", ["root", "0", "0:0", "root:app"])
def test_root_user_is_rejected(user: str) -> None:
    assert ecs_non_root_user.messages(task({**GOOD_CONTAINER, "user": user})) == [
        f"container 'app' user is {user!r}: set a non-root user (e.g. \"1000:1000\") or remove it to use the "
        "image's USER"
    ]


@pytest.mark.parametrize("user", ["1000", "1000:1000", "app", "10:0"])
def test_non_root_or_no_user_passes(user: str) -> None:
    assert ecs_non_root_user.messages(task({**GOOD_CONTAINER, "user": user})) == []


def test_unknown_container_definitions_wait_for_the_update_and_known_fields_are_still_checked() -> None:
    unknown = resource(TASK_DEFINITION, {"containerDefinitions": UNKNOWN_STRING_VALUE, "pidMode": "host"})
    for rule in (ecs_readonly_root_filesystem, ecs_no_secrets_in_environment):
        assert rule.verdicts(unknown) == [
            ("unknown", unknown.urn, "string value at .containerDefinitions can't be known during preview")
        ]
    assert ecs_no_host_pid_mode.messages(unknown) == [
        'pidMode is "host": remove it (or use "task") so containers cannot see host processes'
    ]


def test_public_ip() -> None:
    public = resource(SERVICE, {"networkConfiguration": {"assignPublicIp": True, "subnets": ["s"]}})
    assert ecs_no_public_ip.messages(public) == [
        "networkConfiguration.assignPublicIp is true: set it to false and run the tasks in private subnets "
        "(egress through NAT or VPC endpoints)"
    ]
    unknown_subnets = {"assignPublicIp": False, "subnets": UNKNOWN_STRING_VALUE}
    assert ecs_no_public_ip.messages(resource(SERVICE, {"networkConfiguration": unknown_subnets})) == []


def test_fargate_platform_version() -> None:
    old = resource(SERVICE, {"launchType": "FARGATE", "platformVersion": "1.3.0"})
    assert ecs_fargate_latest_platform.messages(old) == [
        'platformVersion is pinned to "1.3.0": set it to "LATEST" (or remove it) so tasks get Fargate\'s '
        "security patches"
    ]
    # The current Linux version, pinned on purpose: a design exception for any service's name.
    for name in ("api-svc", "worker-sidekiq-svc", "beat"):
        pinned = resource(SERVICE, {"launchType": "FARGATE", "platformVersion": "1.4.0"}, name)
        assert ecs_fargate_latest_platform.messages(pinned) == []
        assert ecs_fargate_latest_platform.design_exceptions(pinned) == [(pinned.urn, PINNED_REASON)]
    assert ecs_fargate_latest_platform.messages(resource(SERVICE, {"platformVersion": "LATEST"})) == []
    assert ecs_fargate_latest_platform.messages(resource(SERVICE, {"launchType": "EC2"})) == []


def test_container_insights() -> None:
    off = resource(CLUSTER, {"settings": [{"name": "containerInsights", "value": "disabled"}]})
    assert ecs_cluster_container_insights.messages(off) == [
        'setting containerInsights is "disabled": add {name: "containerInsights", value: "enabled"} (or '
        '"enhanced")'
    ]
    enhanced = resource(CLUSTER, {"settings": [{"name": "containerInsights", "value": "enhanced"}]})
    assert ecs_cluster_container_insights.messages(enhanced) == []


def _api(desired: int, *, behind_lb: bool = True) -> Any:
    props: dict[str, Any] = {"desiredCount": desired}
    if behind_lb:
        props["loadBalancers"] = [{"containerName": "app", "containerPort": 8000}]
    return resource(SERVICE, props, name="api-svc")


def test_two_tasks_from_desired_count_without_autoscaling() -> None:
    assert ecs_service_two_tasks.messages(stack(_api(1))) == [
        "desiredCount is 1: set it to at least 2 so one task can fail or be replaced without an outage"
    ]
    assert ecs_service_two_tasks.messages(stack(_api(2))) == []
    assert ecs_service_two_tasks.messages(stack(_api(1, behind_lb=False))) == []  # a worker


def test_two_tasks_from_the_scaling_target_and_its_schedules() -> None:
    service = _api(2)
    target_urn = urn(SCALING_TARGET, "api-scaling")
    target = resource(
        SCALING_TARGET,
        {"minCapacity": 1},
        name="api-scaling",
        property_dependencies={"resourceId": [service.urn]},
    )
    night = resource(
        SCHEDULED_ACTION,
        {"scalableTargetAction": {"minCapacity": 0, "maxCapacity": 0}},
        name="night",
        property_dependencies={"resourceId": [target_urn]},
    )
    day = resource(
        SCHEDULED_ACTION,
        {"scalableTargetAction": {"minCapacity": 4}},
        name="day",
        property_dependencies={"resourceId": [target_urn]},
    )
    assert ecs_service_two_tasks.findings(stack(service, target, night, day)) == [
        (
            target_urn,
            "minCapacity is 1: set it to at least 2 so the service never scales down to a single task",
        ),
        (
            night.urn,
            "scalableTargetAction.minCapacity is 0: keep it at least 2 so the schedule does not leave one "
            "task or none",
        ),
    ]


def _plan_findings(rule: Rule, stack_name: str) -> list[tuple[str, str]]:
    plan = plan_stack(stack_name)
    if rule.check_stack is not None:
        found = rule.findings(plan)
    else:
        found = [f for r in plan.resources for f in rule.findings(r)]
    return [(urn_.rsplit("::", 1)[-1], message) for urn_, message in found]


PINNED_REASON = (
    "Pinned to Fargate platform 1.4.0 so that a new platform version arrives as a reviewed change; 1.4.0 "
    "is the current Linux version"
)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_prod_plan(rule: Rule) -> None:
    assert _plan_findings(rule, "prod") == []


def test_the_pinned_platform_is_a_design_exception_in_both_stacks() -> None:
    # ECS.10: the pinned platform version is a deliberate departure (components/compute/container_service.py).
    for stack_name, services in (("prod", ["api-svc", "worker-celery-svc"]), ("dev", ["api-svc"])):
        found = [
            (r.name, reason)
            for r in plan_stack(stack_name).of_type(SERVICE)
            for _, reason in ecs_fargate_latest_platform.design_exceptions(r)
        ]
        assert found == [(name, PINNED_REASON) for name in services]


def test_dev_plan() -> None:
    found = {rule.name: _plan_findings(rule, "dev") for rule in RULES}
    assert {name: f for name, f in found.items() if f} == {
        "ecs-service-two-tasks": [
            (
                "api-scaling",
                "minCapacity is 1: set it to at least 2 so the service never scales down to a single task",
            ),
            (
                "api-schedule-evening-off",
                "scalableTargetAction.minCapacity is 0: keep it at least 2 so the schedule does not leave "
                "one task or none",
            ),
            (
                "api-schedule-morning-on",
                "scalableTargetAction.minCapacity is 1: keep it at least 2 so the schedule does not leave "
                "one task or none",
            ),
        ],
    }
    assert all(r.production_only for r in RULES if r.name == "ecs-service-two-tasks")


# --- alarm rollback (production_only) -----------------------------------------------------------

LB = [{"containerName": "app", "containerPort": 8000, "targetGroupArn": "arn:tg"}]
WATCHED = {"alarmNames": ["webapp-prod-alb-target-5xx"], "enable": True, "rollback": True}


@pytest.mark.parametrize("strategy", ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"])
def test_alarm_rollback_passes_with_any_strategy(strategy: str) -> None:
    # Rolling with alarm rollback passes on purpose (policies/ecs.py docstring, ADR 0017).
    api = resource(
        SERVICE, {"loadBalancers": LB, "alarms": WATCHED, "deploymentConfiguration": {"strategy": strategy}}
    )
    assert ecs_service_alarm_rollback.messages(api) == []


def test_alarm_rollback_missing() -> None:
    assert ecs_service_alarm_rollback.messages(resource(SERVICE, {"loadBalancers": LB})) == [
        "alarms is not set: add {alarmNames: [its 5xx and unhealthy-host alarms], enable: true, "
        "rollback: true} so ECS undoes a release whose errors fire an alarm"
    ]


def test_alarm_rollback_watching_without_rolling_back() -> None:
    alarms = {**WATCHED, "rollback": False}
    assert ecs_service_alarm_rollback.messages(
        resource(SERVICE, {"loadBalancers": LB, "alarms": alarms})
    ) == ["alarms.rollback must be true: ECS then rolls back when an alarm fires"]
    off = {"alarmNames": [], "enable": False, "rollback": False}
    assert ecs_service_alarm_rollback.messages(resource(SERVICE, {"loadBalancers": LB, "alarms": off})) == [
        "alarms.enable and alarms.rollback must be true: ECS then rolls back when an alarm fires",
        "alarms.alarmNames is empty: name the service's 5xx and unhealthy-host alarms",
    ]


def test_alarm_rollback_ignores_workers_and_waits_for_unknown_alarms() -> None:
    assert ecs_service_alarm_rollback.messages(resource(SERVICE, {})) == []
    unknown = resource(SERVICE, {"loadBalancers": LB, "alarms": UNKNOWN_STRING_VALUE})
    # Not a pass: "can't run during preview", decided again on `pulumi up`.
    assert [kind for kind, _, _ in ecs_service_alarm_rollback.verdicts(unknown)] == ["unknown"]


def test_alarm_rollback_is_production_only_and_the_prod_api_watches_its_alarms() -> None:
    assert ecs_service_alarm_rollback.production_only
    api = next(r for r in plan_stack("prod").of_type(SERVICE) if r.name == "api-svc")
    alarms = api.props["alarms"]
    assert list(alarms["alarmNames"]) == [
        "webapp-prod-alb-target-5xx",
        "webapp-prod-alb-unhealthy-hosts",
        "webapp-prod-alb-unhealthy-hosts-alternate",
    ]
    assert (alarms["enable"], alarms["rollback"]) == (True, True)
    deployment = api.props["deploymentConfiguration"]
    assert (deployment["strategy"], deployment["bakeTimeInMinutes"]) == ("BLUE_GREEN", "10")
