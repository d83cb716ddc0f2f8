"""Monitoring: alarms on every running component, an encrypted alarm topic, a dashboard and a budget."""

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from .cost_budget import create_cost_budget
from .monitoring_alarms import (
    CLOUDFRONT_REGION,
    AlarmSpec,
    alarm_name_prefix,
    cache_alarms,
    database_alarms,
    distribution_alarms,
    load_balancer_alarms,
    metric_queries,
    service_alarms,
)
from .monitoring_args import MonitoringArgs
from .monitoring_dashboard import dashboard_body
from .monitoring_policies import key_policy, topic_policy
from .monitoring_targets import (
    CacheMetrics,
    DatabaseMetrics,
    DistributionMetrics,
    LoadBalancerMetrics,
    MonitoringTargets,
    ServiceMetrics,
)

__all__ = [
    "CacheMetrics",
    "DatabaseMetrics",
    "DistributionMetrics",
    "LoadBalancerMetrics",
    "Monitoring",
    "MonitoringTargets",
    "ServiceMetrics",
]

_LABEL = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class AlarmTopic:
    """An SNS topic alarms and budgets may publish to, with the KMS key that encrypts it."""

    key: aws.kms.Key
    topic: aws.sns.Topic
    policy: aws.sns.TopicPolicy


class Monitoring(pulumi.ComponentResource):
    """CloudWatch alarms for what the stack runs, notifying an encrypted SNS topic by email.

    Creates an SNS topic ``<project>-<stack>-alarms`` encrypted with its own customer-managed
    KMS key (rotated; CloudWatch and AWS Budgets may use it), a topic policy that lets only this
    account's CloudWatch alarms and budgets publish, over TLS, and one email subscription per
    ``emails`` entry (each recipient must confirm it). Every alarm notifies on ALARM and on OK.

    Alarms (see ``monitoring_alarms``) exist only for the parts of ``targets`` that are set:
    ALB 5xx, latency and health; CPU, memory and running tasks per ECS service; database CPU,
    storage, memory, connections (Aurora: ACU use and reader lag); cache engine CPU, memory and
    evictions per node; CloudFront 5xx rate. For a service a schedule scales to zero, the ALB's
    and CloudFront's 5xx alarms count only while it should run (metric math on its desired count).
    CloudFront publishes metrics in us-east-1 only and an alarm can only notify a topic in its own
    region, so outside us-east-1 a second key and topic (same name, same subscribers) are created
    there for the CloudFront alarm.

    With ``dashboard`` a CloudWatch dashboard ``<project>-<stack>`` (``dashboard_url``), and with
    ``budget.enabled`` a monthly cost budget alerting the same emails and topic.

    ``region`` is the stack's region (the provider's), known before deployment. ``protect``
    guards the KMS keys, the only stateful children.

    Example::

        monitoring = Monitoring("ops", config.monitoring, region=settings.region,
                                targets=MonitoringTargets(database=database.metrics, ...),
                                protect=True, opts=on_aws)
        pulumi.export("alarmTopicArn", monitoring.topic_arn)
    """

    topic_arn: pulumi.Output[str]
    dashboard_url: pulumi.Output[str] | None
    alarm_names: list[str]
    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self,
        name: str,
        args: MonitoringArgs,
        *,
        targets: MonitoringTargets,
        region: str,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        _check_labels(name, targets)
        super().__init__("webapp:index:Monitoring", name, None, opts)
        self._component, self._protect_keys = name, protect
        self._prefix = alarm_name_prefix()
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        self._partition = aws.get_partition_output(opts=invoke).partition

        self.topic = self._alarm_topic(args, "", region)
        self.topic_arn = self.topic.topic.arn
        self.cdn_topic: AlarmTopic | None = None
        if targets.distribution is not None and region != CLOUDFRONT_REGION:
            self.cdn_topic = self._alarm_topic(args, "-us-east-1", CLOUDFRONT_REGION)

        self.alarms = {spec.suffix: self._alarm(spec) for spec in _specs(args, targets, region)}
        self.alarm_names = [f"{self._prefix}-{suffix}" for suffix in self.alarms]

        self._dashboard(name, args, region, targets)
        self.budget: aws.budgets.Budget | None = None
        if args.budget.enabled:
            self.budget = create_cost_budget(
                name, args.budget, emails=args.emails, topic_arn=self.topic_arn, parent=self
            )

        register_declared_outputs(self)

    def _dashboard(self, name: str, args: MonitoringArgs, region: str, targets: MonitoringTargets) -> None:
        """With ``dashboard``: one dashboard of every watched part and every alarm."""
        self.dashboard: aws.cloudwatch.Dashboard | None = None
        self.dashboard_url = None
        if args.dashboard:
            arns = [alarm.arn for alarm in self.alarms.values()]
            self.dashboard = aws.cloudwatch.Dashboard(
                f"{name}-dashboard",
                dashboard_name=re.sub(r"[^A-Za-z0-9_-]", "-", self._prefix),
                dashboard_body=dashboard_body(region, targets, arns),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.dashboard_url = self.dashboard.dashboard_name.apply(
                lambda n: (
                    f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
                    f"#dashboards:name={n}"
                )
            )

    def _alarm(self, spec: AlarmSpec) -> aws.cloudwatch.MetricAlarm:
        topic = self.cdn_topic if spec.region == CLOUDFRONT_REGION and self.cdn_topic else self.topic
        gated = spec.while_running is not None
        # CloudWatch takes either the single metric or metric queries, never both.
        return aws.cloudwatch.MetricAlarm(
            f"{self._component}-{spec.suffix}",
            name=f"{self._prefix}-{spec.suffix}",
            alarm_description=spec.description,
            namespace=None if gated else spec.namespace,
            metric_name=None if gated else spec.metric_name,
            dimensions=None if gated else dict(spec.dimensions),
            statistic=None if gated else spec.statistic,
            extended_statistic=None if gated else spec.extended_statistic,
            metric_queries=metric_queries(spec) if gated else None,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            period=None if gated else spec.period,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic.topic.arn],
            ok_actions=[topic.topic.arn],
            region=spec.region,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alarm_topic(self, args: MonitoringArgs, suffix: str, region: str) -> AlarmTopic:
        """Key, topic, policy and email subscriptions; ``suffix`` "" is the stack's own region."""
        # Only the us-east-1 copy names its region: the main one follows the provider.
        in_region = region if suffix else None
        name, topic_name = f"{self._component}-alarms{suffix}", f"{self._prefix}-alarms"
        key = aws.kms.Key(
            name,
            description=f"Encrypts the {self._prefix} alarm topic in {region}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(self._account, self._partition).apply(lambda a: key_policy(a[0], a[1])),
            region=in_region,
            opts=pulumi.ResourceOptions(parent=self, protect=self._protect_keys),
        )
        aws.kms.Alias(
            name,
            name=f"alias/{topic_name}",
            target_key_id=key.key_id,
            region=in_region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        topic = aws.sns.Topic(
            name,
            name=topic_name,
            kms_master_key_id=key.arn,
            region=in_region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.sns.TopicPolicy(
            name,
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, self._account, self._partition).apply(
                lambda a: topic_policy(a[0], a[1], a[2], region)
            ),
            region=in_region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        for n, email in enumerate(args.emails, start=1):
            aws.sns.TopicSubscription(
                f"{name}-email-{n}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                region=in_region,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return AlarmTopic(key=key, topic=topic, policy=policy)


def _check_labels(name: str, targets: MonitoringTargets) -> None:
    """Service labels name alarms: each must be a valid, unique alarm-name part."""
    labels = [s.label for s in targets.services]
    for label in labels:
        if not _LABEL.match(label):
            raise ValueError(f"Monitoring {name!r}: service label {label!r} must be 1-40 of a-z, 0-9, '-'")
    if len(set(labels)) != len(labels):
        raise ValueError(f"Monitoring {name!r}: service labels {labels} must be unique (alarm names)")


def _specs(args: MonitoringArgs, targets: MonitoringTargets, region: str) -> list[AlarmSpec]:
    specs: list[AlarmSpec] = []
    if targets.load_balancer is not None:
        specs += load_balancer_alarms(args, targets.load_balancer)
    for service in targets.services:
        specs += service_alarms(args, service)
    if targets.database is not None:
        specs += database_alarms(args, targets.database)
    if targets.cache is not None:
        specs += cache_alarms(args, targets.cache)
    if targets.distribution is not None:
        specs += distribution_alarms(
            args,
            targets.distribution.distribution_id,
            api_service=targets.distribution.service,
            region=region,
        )
    return specs
