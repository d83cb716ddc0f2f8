"""The Monitoring component: alarms per monitored part, the topics, the budget, the dashboard, config."""

import json
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.observability.monitoring import (
    CacheMetrics,
    DatabaseMetrics,
    DistributionMetrics,
    LoadBalancerMetrics,
    Monitoring,
    MonitoringTargets,
    ServiceMetrics,
)
from components.observability.monitoring_args import MonitoringArgs
from tests.harness import PlanResult, plan, run_components

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
ACCOUNT = "123456789012"
ALB, TG = "app/api-alb/mock", "targetgroup/api-tg/mock"
BOTH = {"LoadBalancer": ALB, "TargetGroup": TG}
API = {"ClusterName": "app-cluster", "ServiceName": "api-svc"}
WORKER = {"ClusterName": "app-cluster", "ServiceName": "worker-svc"}

EVERYTHING = MonitoringTargets(
    load_balancer=LoadBalancerMetrics(arn_suffix=ALB, target_group_arn_suffix=TG),
    services=[
        ServiceMetrics(label="api", cluster_name="app-cluster", service_name="api-svc", min_tasks=2),
        ServiceMetrics(label="worker", cluster_name="app-cluster", service_name="worker-svc", min_tasks=0),
    ],
    database=DatabaseMetrics(kind="instance", identifier="webapp-dev-db"),
    cache=CacheMetrics(member_cluster_ids=["cache-rg-001", "cache-rg-002"]),
    distribution=DistributionMetrics(distribution_id="EDISTMOCK"),
)
MINIMAL = MonitoringTargets(
    services=[ServiceMetrics(label="api", cluster_name="app-cluster", service_name="api-svc", min_tasks=1)],
    database=DatabaseMetrics(kind="instance", identifier="webapp-dev-db"),
)
EMAILS = {"emails": ["ops@example.com", "oncall@example.org"]}


def build(targets: MonitoringTargets, region: str, config: dict[str, Any] | None = None) -> PlanResult:
    args = validate_config(MonitoringArgs, config if config is not None else EMAILS, "webapp:monitoring")

    def program() -> None:
        Monitoring("ops", args, targets=targets, region=region)

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def everything() -> PlanResult:
    return build(EVERYTHING, "eu-west-1")


@pytest.fixture(scope="module")
def minimal() -> PlanResult:
    return build(MINIMAL, "us-east-1")


def topic_arn(region: str, suffix: str = "") -> str:
    return f"arn:aws:sns:{region}:{ACCOUNT}:mock/ops-alarms{suffix}"


def alarm(result: PlanResult, suffix: str) -> dict[str, Any]:
    return result.one(ALARM, f"ops-{suffix}").inputs


# suffix: (namespace, metric, dimensions, statistic, threshold, comparison, periods, period, missing)
EXPECTED: dict[str, tuple[Any, ...]] = {
    "alb-elb-5xx": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": ALB}, "Sum", 10,
                    "GreaterThanThreshold", 1, 300, "notBreaching"),
    "alb-target-5xx": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", BOTH,
                       "Sum", 10, "GreaterThanThreshold", 1, 300, "notBreaching"),
    "alb-latency-p95": ("AWS/ApplicationELB", "TargetResponseTime", BOTH,
                        "p95", 2, "GreaterThanThreshold", 3, 60, "notBreaching"),
    "alb-unhealthy-hosts": ("AWS/ApplicationELB", "UnHealthyHostCount", BOTH,
                            "Maximum", 0, "GreaterThanThreshold", 2, 60, "notBreaching"),
    "api-cpu": ("AWS/ECS", "CPUUtilization", API,
                "Average", 80, "GreaterThanThreshold", 2, 300, "notBreaching"),
    "api-memory": ("AWS/ECS", "MemoryUtilization", API,
                   "Average", 80, "GreaterThanThreshold", 2, 300, "notBreaching"),
    "api-running-tasks": ("ECS/ContainerInsights", "RunningTaskCount",
                          API, "Minimum", 2,
                          "LessThanThreshold", 5, 60, "breaching"),
    "worker-cpu": ("AWS/ECS", "CPUUtilization", WORKER,
                   "Average", 80, "GreaterThanThreshold", 2, 300, "notBreaching"),
    "worker-memory": ("AWS/ECS", "MemoryUtilization", WORKER,
                      "Average", 80, "GreaterThanThreshold", 2, 300, "notBreaching"),
    "db-cpu": ("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "webapp-dev-db"}, "Average", 80,
               "GreaterThanThreshold", 2, 300, "notBreaching"),
    "db-free-storage": ("AWS/RDS", "FreeStorageSpace", {"DBInstanceIdentifier": "webapp-dev-db"}, "Minimum",
                        2 * 1024**3, "LessThanThreshold", 1, 300, "notBreaching"),
    "db-freeable-memory": ("AWS/RDS", "FreeableMemory", {"DBInstanceIdentifier": "webapp-dev-db"}, "Minimum",
                           64 * 1024**2, "LessThanThreshold", 3, 300, "notBreaching"),
    "db-connections": ("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "webapp-dev-db"}, "Maximum",
                       80, "GreaterThanThreshold", 2, 300, "notBreaching"),
    **{
        f"cache-{n}-{suffix}": ("AWS/ElastiCache", metric, {"CacheClusterId": f"cache-rg-00{n}"}, stat, value,
                                "GreaterThanThreshold", periods, 300, "notBreaching")
        for n in (1, 2)
        for suffix, metric, stat, value, periods in (
            ("engine-cpu", "EngineCPUUtilization", "Average", 80, 2),
            ("memory", "DatabaseMemoryUsagePercentage", "Average", 80, 2),
            ("evictions", "Evictions", "Sum", 0, 1),
        )
    },
    "cdn-5xx-rate": ("AWS/CloudFront", "5xxErrorRate", {"DistributionId": "EDISTMOCK", "Region": "Global"},
                     "Average", 5, "GreaterThanThreshold", 2, 300, "notBreaching"),
}  # fmt: skip


@pytest.mark.parametrize("suffix", sorted(EXPECTED))
def test_each_alarm_watches_its_metric(everything: PlanResult, suffix: str) -> None:
    namespace, metric, dims, stat, threshold, comparison, periods, period, missing = EXPECTED[suffix]
    inputs = alarm(everything, suffix)
    assert inputs["name"] == f"webapp-dev-{suffix}"
    assert inputs["namespace"] == namespace
    assert inputs["metricName"] == metric
    assert inputs["dimensions"] == dims
    if stat.startswith("p"):
        assert inputs["extendedStatistic"] == stat
        assert "statistic" not in inputs
    else:
        assert inputs["statistic"] == stat
        assert "extendedStatistic" not in inputs
    assert inputs["threshold"] == threshold
    assert inputs["comparisonOperator"] == comparison
    assert inputs["evaluationPeriods"] == periods
    assert inputs["period"] == period
    assert inputs["treatMissingData"] == missing
    assert inputs["alarmDescription"]


def test_exactly_the_expected_alarms_exist(everything: PlanResult) -> None:
    # The worker has min_tasks 0 (scaled to zero by a schedule): no running-task alarm for it.
    assert sorted(r.name.removeprefix("ops-") for r in everything.by_type(ALARM)) == sorted(EXPECTED)


# --- a service off on schedule ---------------------------------------------------------------------


def scheduled(min_tasks: int, region: str = "us-east-1") -> PlanResult:
    api = ServiceMetrics(label="api", cluster_name="app-cluster", service_name="api-svc", min_tasks=min_tasks)
    targets = MonitoringTargets(
        load_balancer=LoadBalancerMetrics(arn_suffix=ALB, target_group_arn_suffix=TG, service=api),
        services=[api],
        distribution=DistributionMetrics(distribution_id="EDISTMOCK", service=api),
    )
    return build(targets, region)


def gated_queries(namespace: str, metric: str, dims: dict[str, str], stat: str) -> list[dict[str, Any]]:
    return [
        {"id": "watched", "returnData": False,
         "metric": {"namespace": namespace, "metricName": metric, "dimensions": dims, "stat": stat,
                    "period": 300}},
        {"id": "desired", "returnData": False,
         "metric": {"namespace": "ECS/ContainerInsights", "metricName": "DesiredTaskCount",
                    "dimensions": API, "stat": "Minimum", "period": 300}},
        {"id": "gated", "expression": "IF(FILL(desired, 0) > 0, FILL(watched, 0), 0)",
         "label": f"{metric} while api should run", "returnData": True},
    ]  # fmt: skip


GATED = {
    "alb-elb-5xx": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": ALB}, "Sum", 10, 1),
    "cdn-5xx-rate": ("AWS/CloudFront", "5xxErrorRate", {"DistributionId": "EDISTMOCK", "Region": "Global"},
                     "Average", 5, 2),
}  # fmt: skip


@pytest.fixture(scope="module")
def zero_at_night() -> PlanResult:
    return scheduled(min_tasks=0)


@pytest.mark.parametrize("suffix", sorted(GATED))
def test_a_service_off_on_schedule_gates_the_503_alarms_on_its_desired_count(
    zero_at_night: PlanResult, suffix: str
) -> None:
    namespace, metric, dims, stat, threshold, periods = GATED[suffix]
    inputs = alarm(zero_at_night, suffix)
    assert inputs["metricQueries"] == gated_queries(namespace, metric, dims, stat)
    # CloudWatch takes the single metric or the queries, never both.
    for key in ("namespace", "metricName", "dimensions", "statistic", "extendedStatistic", "period"):
        assert key not in inputs, key
    assert (inputs["threshold"], inputs["comparisonOperator"]) == (threshold, "GreaterThanThreshold")
    assert (inputs["evaluationPeriods"], inputs["treatMissingData"]) == (periods, "notBreaching")
    assert inputs["alarmDescription"].endswith(", while api should run)")


def test_alarms_a_scheduled_zero_cannot_trip_keep_their_plain_metric(zero_at_night: PlanResult) -> None:
    # No task: no target 5xx, no latency, no unhealthy host, no CPU or memory datapoint.
    for suffix in ("alb-target-5xx", "alb-latency-p95", "alb-unhealthy-hosts", "api-cpu", "api-memory"):
        inputs = alarm(zero_at_night, suffix)
        assert "metricQueries" not in inputs, suffix
        assert inputs["metricName"] == EXPECTED[suffix][1]
    names = {r.name for r in zero_at_night.by_type(ALARM)}
    assert "ops-api-running-tasks" not in names


def test_a_service_always_running_keeps_plain_metrics() -> None:
    result = scheduled(min_tasks=2)
    for suffix, (namespace, metric, dims, stat, _, _) in GATED.items():
        inputs = alarm(result, suffix)
        assert "metricQueries" not in inputs
        assert (inputs["namespace"], inputs["metricName"]) == (namespace, metric)
        assert (inputs["dimensions"], inputs["statistic"], inputs["period"]) == (dims, stat, 300)
    assert alarm(result, "api-running-tasks")["threshold"] == 2


@pytest.mark.parametrize(("stack", "gated"), [("dev", True), ("prod", False)])
def test_the_stacks_gate_their_503_alarms_as_their_schedules_say(stack: str, gated: bool) -> None:
    # dev's evening-off schedule takes the API to 0 tasks; prod's night keeps 2.
    result = plan(stack)
    for suffix in ("alb-elb-5xx", "cdn-5xx-rate"):
        assert ("metricQueries" in result.one(ALARM, f"ops-{suffix}").inputs) is gated, (stack, suffix)


def test_outside_us_east_1_the_cloudfront_alarm_cannot_see_the_service() -> None:
    # An alarm reads metrics of its own region only: CloudFront's live in us-east-1.
    result = scheduled(min_tasks=0, region="eu-west-1")
    assert "metricQueries" in alarm(result, "alb-elb-5xx")
    cdn = alarm(result, "cdn-5xx-rate")
    assert "metricQueries" not in cdn
    assert cdn["metricName"] == "5xxErrorRate"


def test_regional_alarms_notify_the_regional_topic_on_alarm_and_ok(everything: PlanResult) -> None:
    for suffix in EXPECTED:
        inputs = alarm(everything, suffix)
        expected = (
            [topic_arn("us-east-1", "-us-east-1")] if suffix == "cdn-5xx-rate" else [topic_arn("eu-west-1")]
        )
        assert inputs["alarmActions"] == expected, suffix
        assert inputs["okActions"] == expected, suffix


def test_outside_us_east_1_cloudfront_gets_a_second_topic_and_key_there(everything: PlanResult) -> None:
    assert alarm(everything, "cdn-5xx-rate")["region"] == "us-east-1"
    assert all("region" not in alarm(everything, s) for s in EXPECTED if s != "cdn-5xx-rate")
    topics = {r.name: r.inputs for r in everything.by_type(TOPIC)}
    assert set(topics) == {"ops-alarms", "ops-alarms-us-east-1"}
    assert topics["ops-alarms"]["name"] == topics["ops-alarms-us-east-1"]["name"] == "webapp-dev-alarms"
    assert "region" not in topics["ops-alarms"]
    assert topics["ops-alarms-us-east-1"]["region"] == "us-east-1"
    assert (
        topics["ops-alarms-us-east-1"]["kmsMasterKeyId"]
        == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mock-key-ops-alarms-us-east-1"
    )
    assert (
        topics["ops-alarms"]["kmsMasterKeyId"] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mock-key-ops-alarms"
    )


def test_in_us_east_1_one_topic_serves_cloudfront_too() -> None:
    result = build(EVERYTHING, "us-east-1")
    assert [r.name for r in result.by_type(TOPIC)] == ["ops-alarms"]
    assert len(result.by_type(KEY)) == 1
    assert alarm(result, "cdn-5xx-rate")["alarmActions"] == [topic_arn("us-east-1")]


def test_switched_off_parts_get_no_alarms_and_no_second_topic(minimal: PlanResult) -> None:
    assert sorted(r.name for r in minimal.by_type(ALARM)) == sorted(
        f"ops-{s}" for s in ("api-cpu", "api-memory", "api-running-tasks", "db-cpu", "db-free-storage",
                             "db-freeable-memory", "db-connections")
    )  # fmt: skip
    assert alarm(minimal, "api-running-tasks")["threshold"] == 1
    assert [r.name for r in minimal.by_type(TOPIC)] == ["ops-alarms"]


@pytest.mark.parametrize("result_name", ["everything", "minimal"])
def test_key_is_rotated_protected_on_request_and_admits_cloudwatch_and_budgets(
    result_name: str, request: pytest.FixtureRequest
) -> None:
    result: PlanResult = request.getfixturevalue(result_name)
    for key in result.by_type(KEY):
        assert key.inputs["enableKeyRotation"] is True
        assert key.protect is False
        policy = json.loads(key.inputs["policy"])
        assert policy["Statement"] == [
            {"Sid": "AccountAdministers", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "AlarmsAndBudgetsPublish", "Effect": "Allow",
             "Principal": {"Service": ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
        ]  # fmt: skip


def test_protect_guards_the_keys_only() -> None:
    args = MonitoringArgs()
    result = run_components(
        lambda: Monitoring("ops", args, targets=EVERYTHING, region="eu-west-1", protect=True),
        region="eu-west-1",
    )
    assert sorted(r.name for r in result.resources if r.protect) == ["ops-alarms", "ops-alarms-us-east-1"]
    assert all(r.type == KEY for r in result.resources if r.protect)


@pytest.mark.parametrize(
    ("name", "region"), [("ops-alarms", "eu-west-1"), ("ops-alarms-us-east-1", "us-east-1")]
)
def test_topic_policy_lets_only_this_accounts_alarms_and_budgets_publish(
    everything: PlanResult, name: str, region: str
) -> None:
    arn = topic_arn(region, name.removeprefix("ops-alarms"))
    policy = everything.one("aws:sns/topicPolicy:TopicPolicy", name).inputs
    assert policy["arn"] == arn
    assert json.loads(policy["policy"])["Statement"] == [
        {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
         "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                       "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:*"}}},
        {"Sid": "BudgetsPublish", "Effect": "Allow", "Principal": {"Service": "budgets.amazonaws.com"},
         "Action": "sns:Publish", "Resource": arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                       "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{ACCOUNT}:*"}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
         "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]  # fmt: skip


def test_every_email_subscribes_to_every_topic(everything: PlanResult) -> None:
    subscriptions = {
        r.name: (r.inputs["topic"], r.inputs["protocol"], r.inputs["endpoint"])
        for r in everything.by_type("aws:sns/topicSubscription:TopicSubscription")
    }
    assert subscriptions == {
        "ops-alarms-email-1": (topic_arn("eu-west-1"), "email", "ops@example.com"),
        "ops-alarms-email-2": (topic_arn("eu-west-1"), "email", "oncall@example.org"),
        "ops-alarms-us-east-1-email-1": (topic_arn("us-east-1", "-us-east-1"), "email", "ops@example.com"),
        "ops-alarms-us-east-1-email-2": (topic_arn("us-east-1", "-us-east-1"), "email", "oncall@example.org"),
    }


def test_budget_alerts_at_80_actual_and_100_forecast(everything: PlanResult) -> None:
    budget = everything.one("aws:budgets/budget:Budget", "ops-budget").inputs
    assert budget["name"] == "webapp-dev-monthly"
    assert (budget["budgetType"], budget["timeUnit"]) == ("COST", "MONTHLY")
    assert (budget["limitAmount"], budget["limitUnit"]) == ("50.00", "USD")
    # The stack's cost, not the account's (bootstrap/ activates `stack` as a cost allocation tag).
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:stack$dev"]}]
    subscribers = {
        "subscriberEmailAddresses": ["ops@example.com", "oncall@example.org"],
        "subscriberSnsTopicArns": [topic_arn("eu-west-1")],
    }
    assert budget["notifications"] == [
        {"notificationType": "ACTUAL", "comparisonOperator": "GREATER_THAN", "threshold": 80,
         "thresholdType": "PERCENTAGE", **subscribers},
        {"notificationType": "FORECASTED", "comparisonOperator": "GREATER_THAN", "threshold": 100,
         "thresholdType": "PERCENTAGE", **subscribers},
    ]  # fmt: skip


def test_budget_limit_and_whole_account_from_config() -> None:
    config = {**EMAILS, "budget": {"monthlyLimitUsd": 500, "forecastPercent": 110, "filterByStackTag": False}}
    budget = build(MINIMAL, "us-east-1", config).one("aws:budgets/budget:Budget").inputs
    assert budget["limitAmount"] == "500.00"
    assert "costFilters" not in budget
    assert [n["threshold"] for n in budget["notifications"]] == [80, 110]


def test_overrides_change_threshold_periods_and_switch_alarms_off() -> None:
    config = {
        "alarms": {
            "albLatencyP95": {"threshold": 1.5, "evaluationPeriods": 5, "periodSeconds": 120},
            "cacheEvictions": {"enabled": False},
        },
        "dashboard": False,
        "budget": {"enabled": False},
    }
    result = build(EVERYTHING, "eu-west-1", config)
    latency = alarm(result, "alb-latency-p95")
    assert (latency["threshold"], latency["evaluationPeriods"], latency["period"]) == (1.5, 5, 120)
    assert not [r for r in result.by_type(ALARM) if r.name.endswith("evictions")]
    assert result.by_type("aws:cloudwatch/dashboard:Dashboard") == []
    assert result.by_type("aws:budgets/budget:Budget") == []


def test_aurora_uses_role_metrics_and_reader_lag_only_with_readers() -> None:
    aurora = DatabaseMetrics(kind="aurora", identifier="webapp-prod-db", replica_count=1)
    result = build(MonitoringTargets(database=aurora), "us-east-1")
    writer = {"DBClusterIdentifier": "webapp-prod-db", "Role": "WRITER"}
    assert sorted(r.name for r in result.by_type(ALARM)) == [
        "ops-db-acu",
        "ops-db-connections",
        "ops-db-cpu",
        "ops-db-replica-lag",
    ]
    assert (alarm(result, "db-cpu")["metricName"], alarm(result, "db-cpu")["dimensions"]) == (
        "CPUUtilization",
        writer,
    )
    acu = alarm(result, "db-acu")
    assert (acu["metricName"], acu["dimensions"], acu["threshold"]) == ("ACUUtilization", writer, 90)
    lag = alarm(result, "db-replica-lag")
    assert lag["metricName"] == "AuroraReplicaLag"
    assert lag["dimensions"] == {"DBClusterIdentifier": "webapp-prod-db", "Role": "READER"}
    assert (lag["statistic"], lag["threshold"]) == ("Maximum", 5000)  # 5 s in milliseconds
    no_readers = build(
        MonitoringTargets(database=DatabaseMetrics(kind="aurora", identifier="x")), "us-east-1"
    )
    assert "ops-db-replica-lag" not in [r.name for r in no_readers.by_type(ALARM)]


def test_outputs_name_the_topic_dashboard_and_alarms() -> None:
    def program() -> None:
        monitoring = Monitoring("ops", MonitoringArgs(), targets=MINIMAL, region="eu-west-1")
        pulumi.export("topicArn", monitoring.topic_arn)
        pulumi.export("dashboardUrl", monitoring.dashboard_url)
        pulumi.export("alarmNames", monitoring.alarm_names)
        assert sorted(monitoring.alarms) == sorted(
            n.removeprefix("webapp-dev-") for n in monitoring.alarm_names
        )

    result = run_components(program, region="eu-west-1")
    assert result.outputs["topicArn"] == topic_arn("eu-west-1")
    assert result.outputs["dashboardUrl"] == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=webapp-dev"
    )
    assert result.outputs["alarmNames"] == [
        f"webapp-dev-{s}" for s in ("api-cpu", "api-memory", "api-running-tasks", "db-cpu", "db-free-storage",
                                    "db-freeable-memory", "db-connections")
    ]  # fmt: skip
    assert result.by_type(TOPIC)[0].inputs["name"] == "webapp-dev-alarms"
    assert result.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardName"] == "webapp-dev"


def test_bad_service_labels_are_refused_before_registration() -> None:
    twice = MonitoringTargets(
        services=[ServiceMetrics("api", "c", "s", 1), ServiceMetrics("api", "c", "t", 1)]
    )
    with pytest.raises(ValueError, match=r"service labels \['api', 'api'\] must be unique"):
        Monitoring("ops", MonitoringArgs(), targets=twice, region="us-east-1")


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(MonitoringArgs, data, "webapp:monitoring")
    return caught.value.problems


KNOWN = (
    "albElb5xx, albLatencyP95, albTarget5xx, albUnhealthyHosts, cacheEngineCpu, cacheEvictions, cacheMemory, "
    "cdn5xxRate, dbAcuUtilization, dbConnections, dbCpu, dbFreeStorage, dbFreeableMemory, dbReplicaLag, "
    "ecsCpu, ecsMemory, ecsRunningTasks"
)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"alarms": {"albLatency": {"threshold": 1}}},
         f'webapp:monitoring.alarms.albLatency = {{"threshold": 1.0}}: unknown alarm; known alarms: {KNOWN}'),
        ({"alarms": {"ecsCpu": {"threshold": 120}}},
         "webapp:monitoring.alarms.ecsCpu.threshold = 120.0: must be a percentage from 1 to 100"),
        ({"alarms": {"albLatencyP95": {"threshold": 0}}},
         "webapp:monitoring.alarms.albLatencyP95.threshold = 0.0: must be a number of seconds above 0"),
        ({"alarms": {"albElb5xx": {"threshold": -1}}},
         "webapp:monitoring.alarms.albElb5xx.threshold = -1.0: must be a count of 0 or more"),
        ({"alarms": {"dbFreeStorage": {"threshold": 0}}},
         "webapp:monitoring.alarms.dbFreeStorage.threshold = 0.0: must be a number of GiB above 0"),
        ({"alarms": {"ecsRunningTasks": {"threshold": 2}}},
         "webapp:monitoring.alarms.ecsRunningTasks.threshold = 2.0: cannot be set: the threshold is each "
         "service's minCount (the lowest of its schedules)"),
        ({"alarms": {"ecsCpu": {"periodSeconds": 90}}},
         "webapp:monitoring.alarms.ecsCpu.periodSeconds = 90: must be a multiple of 60 from 60 to 86400 "
         "(seconds)"),
        ({"alarms": {"ecsCpu": {"evaluationPeriods": 300}}},
         "webapp:monitoring.alarms.ecsCpu.evaluationPeriods = 300: times periodSeconds (300) must not exceed "
         "86400 seconds (one day)"),
        ({"emails": ["ops@example.com", "ops.example.com"]},
         'webapp:monitoring.emails[1] = "ops.example.com": is not an email address'),
        ({"emails": ["a@example.com", "A@example.com"]},
         'webapp:monitoring.emails = ["a@example.com", "A@example.com"]: lists an address twice'),
        ({"budget": {"monthlyLimitUsd": 0}},
         "webapp:monitoring.budget.monthlyLimitUsd = 0: must be greater than 0"),
        ({"alarm": {}},
         "webapp:monitoring.alarm = {}: unknown key (did you mean alarms?); allowed keys: alarms, budget, "
         "dashboard, emails, logEncryption"),
    ],
)  # fmt: skip
def test_bad_config_is_one_exact_line(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [line]


def test_defaults_are_the_dev_profile() -> None:
    args = MonitoringArgs()
    assert args.emails == ()
    assert args.dashboard is True
    assert (args.budget.enabled, args.budget.monthly_limit_usd) == (True, 50)
    assert (args.budget.actual_percent, args.budget.forecast_percent) == (80, 100)
    assert args.alarm("albLatencyP95").threshold == 2


def test_cache_exposes_its_member_cluster_ids_for_monitoring() -> None:
    from components import Cache, CacheArgs

    def program() -> None:
        cache = Cache("cache", CacheArgs(node_count=2), vpc_id="vpc-1", subnet_ids=["s-1", "s-2"])
        pulumi.export("members", cache.member_cluster_ids)

    assert run_components(program).outputs["members"] == ["cache-rg-mock-001", "cache-rg-mock-002"]
