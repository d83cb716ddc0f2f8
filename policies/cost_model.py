"""A monthly cost estimate of a plan: one line item per billable resource, at minimum and maximum capacity.

Pure: plan resources (as stack policies see them) in, priced line items out. Prices and the traffic
assumptions come from ``pricing/<region>.json`` beside this file, so the published pack carries them.
Minimum capacity is every autoscaling floor (an ECS service's ``minCapacity``, RDS allocated
storage, Aurora's minimum ACU); maximum is every ceiling. Scheduled scaling that lowers a floor at
night (the dev stack's services scale to 0) is not modelled: the estimate keeps the floor all month.

Example::

    estimate = estimate_cost(stack, load_pricing())
    print(estimate.min_total, estimate.max_total)
    for item in estimate.items:
        print(item.resource, item.billed, item.min_usd)
"""

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ._framework import Resource, Stack, UnknownValueError
from .cost_tracing import tracing_costs

PRICING_DIR = Path(__file__).resolve().parent / "pricing"

# Billed by another line item (a task definition through its service, a log delivery through its
# log group), free, or negligible at this scale (SNS email, the first CloudTrail management trail).
_FREE_TYPES = """
    aws:acm/certificate:Certificate
    aws:acm/certificateValidation:CertificateValidation
    aws:appautoscaling/policy:Policy
    aws:appautoscaling/scheduledAction:ScheduledAction
    aws:appautoscaling/target:Target
    aws:budgets/budget:Budget
    aws:cloudfront/cachePolicy:CachePolicy
    aws:cloudfront/function:Function
    aws:cloudfront/originAccessControl:OriginAccessControl
    aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy
    aws:cloudfront/vpcOrigin:VpcOrigin
    aws:cloudtrail/trail:Trail
    aws:cloudwatch/logDelivery:LogDelivery
    aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination
    aws:cloudwatch/logDeliverySource:LogDeliverySource
    aws:ec2/defaultSecurityGroup:DefaultSecurityGroup
    aws:ec2/route:Route
    aws:iam/instanceProfile:InstanceProfile
    aws:iam/openIdConnectProvider:OpenIdConnectProvider
    aws:s3/bucketObjectv2:BucketObjectv2
    aws:wafv2/webAclAssociation:WebAclAssociation
    pulumi-python:dynamic:Resource
    aws:ec2/flowLog:FlowLog
    aws:ec2/securityGroup:SecurityGroup
    aws:ecr/lifecyclePolicy:LifecyclePolicy
    aws:ecs/cluster:Cluster
    aws:ecs/clusterCapacityProviders:ClusterCapacityProviders
    aws:ecs/taskDefinition:TaskDefinition
    aws:elasticache/parameterGroup:ParameterGroup
    aws:elasticache/subnetGroup:SubnetGroup
    aws:iam/policy:Policy
    aws:iam/role:Role
    aws:iam/rolePolicy:RolePolicy
    aws:iam/rolePolicyAttachment:RolePolicyAttachment
    aws:kms/alias:Alias
    aws:lb/listener:Listener
    aws:lb/listenerRule:ListenerRule
    aws:lb/targetGroup:TargetGroup
    aws:rds/clusterParameterGroup:ClusterParameterGroup
    aws:rds/parameterGroup:ParameterGroup
    aws:rds/subnetGroup:SubnetGroup
    aws:route53/record:Record
    aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration
    aws:s3/bucketLogging:BucketLogging
    aws:s3/bucketOwnershipControls:BucketOwnershipControls
    aws:s3/bucketPolicy:BucketPolicy
    aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock
    aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration
    aws:s3/bucketVersioning:BucketVersioning
    aws:secretsmanager/secretVersion:SecretVersion
    aws:sns/topic:Topic
    aws:sns/topicPolicy:TopicPolicy
    aws:sns/topicSubscription:TopicSubscription
    aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule
    aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
    aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration
    pulumi:pulumi:Stack
"""
FREE_TYPES = frozenset(_FREE_TYPES.split())


class PricingError(Exception):
    """The pricing file is missing or lacks a price the model needs."""


@dataclass(frozen=True)
class Pricing:
    """One region's prices (``usd`` per ``unit``) and the stated usage assumptions."""

    region: str
    retrieved: str
    prices: Mapping[str, Mapping[str, Any]]
    assumptions: Mapping[str, Mapping[str, Any]]

    def has(self, key: str) -> bool:
        return key in self.prices

    def usd(self, key: str) -> float:
        if key not in self.prices:
            raise PricingError(f"pricing/{self.region}.json has no price {key!r}")
        return float(self.prices[key]["usd"])

    def assume(self, key: str) -> float:
        if key not in self.assumptions:
            raise PricingError(f"pricing/{self.region}.json has no assumption {key!r}")
        return float(self.assumptions[key]["value"])

    @property
    def hours(self) -> float:
        return self.assume("hoursPerMonth")


@cache
def load_pricing(region: str = "us-east-1") -> Pricing:
    path = PRICING_DIR / f"{region}.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise PricingError(f"{path}: {err}") from err
    return Pricing(data["region"], data["retrieved"], data["prices"], data["assumptions"])


@dataclass(frozen=True)
class LineItem:
    """What one resource costs a month: ``billed`` says what is counted, in plain words."""

    resource: str
    type: str
    billed: str
    min_usd: float
    max_usd: float


@dataclass(frozen=True)
class Estimate:
    items: tuple[LineItem, ...]
    not_priced: tuple[str, ...]  # "name (type): why" for billable resources the model cannot price
    region: str
    retrieved: str
    # The pricing file's month (assumption hoursPerMonth): what a monthly figure is per hour or day.
    hours_per_month: float = 730.0

    @property
    def min_total(self) -> float:
        return round(sum(i.min_usd for i in self.items), 2)

    @property
    def max_total(self) -> float:
        return round(sum(i.max_usd for i in self.items), 2)


class NotPricedError(Exception):
    """A billable resource the pricing file has no price for (an unknown instance class...)."""


def get(props: Mapping[str, Any], *path: str | int, default: Any = None) -> Any:
    """``props[a][b]...``, or ``default`` when absent or not known until the update."""
    value: Any = props
    try:
        for key in path:
            if isinstance(key, int):
                value = value[key] if len(value) > key else None
            else:
                value = value.get(key) if isinstance(value, Mapping) else None
            if value is None:
                return default
    except UnknownValueError:
        return default
    return value


def count(value: Any) -> int:
    try:
        return len(value) if value is not None and not isinstance(value, str) else 0
    except UnknownValueError:
        return 0


def price(pricing: Pricing, key: str) -> float:
    if not pricing.has(key):
        raise NotPricedError(f"no price {key!r} in pricing/{pricing.region}.json")
    return pricing.usd(key)


Handler = Callable[[Resource, Stack, Pricing], Iterator[LineItem]]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for type_ in types:
            HANDLERS[type_] = handler
        return handler

    return register


def item(r: Resource, billed: str, min_usd: float, max_usd: float | None = None) -> LineItem:
    return LineItem(
        r.name, r.type, billed, round(min_usd, 2), round(min_usd if max_usd is None else max_usd, 2)
    )


def estimate_cost(stack: Stack, pricing: Pricing) -> Estimate:
    """Price every resource of ``stack``; unknown billable types are listed in ``not_priced``."""
    items: list[LineItem] = []
    not_priced: list[str] = []
    for r in stack.resources:
        handler = HANDLERS.get(r.type)
        if handler is None:
            if not (r.type in FREE_TYPES or _is_component(r.type)):
                not_priced.append(f"{r.name} ({r.type}): no cost model for this type")
            continue
        try:
            items.extend(handler(r, stack, pricing))
        except NotPricedError as err:
            not_priced.append(f"{r.name} ({r.type}): {err}")
    return Estimate(tuple(items), tuple(not_priced), pricing.region, pricing.retrieved, pricing.hours)


def _is_component(type_: str) -> bool:
    # Providers and component resources (webapp:index:*) bill nothing themselves; awsx components
    # hide billable children and have their own handlers.
    return type_.startswith("pulumi:providers:") or not type_.startswith(("aws:", "awsx:"))


# --- compute ---------------------------------------------------------------------------------------

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
Strategy = list[tuple[str, int, int]]  # (capacity provider, base, weight)


@handles("aws:ecs/service:Service")
def ecs_service(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    if get(r.props, "launchType") == "EC2":
        raise NotPricedError("EC2 launch type: the container instances are billed, not the tasks")
    task = _task_definition(r, stack)
    if task is None:
        raise NotPricedError("its task definition is not in the plan")
    vcpu = float(get(task.props, "cpu", default=0)) / 1024
    gb = float(get(task.props, "memory", default=0)) / 1024
    if not vcpu or not gb:
        raise NotPricedError("the task definition's cpu or memory is not known")
    arm = get(task.props, "runtimePlatform", "cpuArchitecture") == "ARM64"
    arch = "arm64" if arm else "x86_64"
    on_demand = vcpu * price(pricing, f"fargate.{arch}.vcpu") + gb * price(pricing, f"fargate.{arch}.gb")
    spot = on_demand * (1 - pricing.assume("fargateSpotDiscount"))
    ipv4 = (
        price(pricing, "vpc.publicIpv4.hour") if get(r.props, "networkConfiguration", "assignPublicIp") else 0
    )
    strategy = _strategy(r, stack)
    low, high = _task_counts(r, stack)

    def monthly(tasks: int) -> float:
        od, sp = split_tasks(tasks, strategy)
        return (od * on_demand + sp * spot + tasks * ipv4) * pricing.hours

    tasks = f"{low}" if low == high else f"{low}-{high}"
    billed = (
        f"{tasks} x {vcpu:g} vCPU + {gb:g} GB {'ARM' if arm else 'x86'} Fargate{_describe(strategy)}"
        f"{' + public IPv4 each' if ipv4 else ''}, {pricing.hours:g} h"
    )
    yield item(r, billed, monthly(low), monthly(high))
    for billed_tracing, usd in tracing_costs(task.props, pricing):
        yield item(r, billed_tracing, usd)
    # --- issue 16: traffic-shifting deployments run a second full task set for a while ---
    window = _shift_minutes(r)
    if window:
        hours = window / 60 * DEPLOYMENTS_PER_MONTH_MAX
        extra = monthly(high) / pricing.hours * hours
        yield item(
            r,
            f"{get(r.props, 'deploymentConfiguration', 'strategy')}: a second set of up to {high} tasks for "
            f"{window:g} min per deployment (traffic shifting and bake time), maximum only, at "
            f"{DEPLOYMENTS_PER_MONTH_MAX} deployments a month; the second target group is free",
            0,
            extra,
        )


# The maximum's deployment count: one release a day. The minimum assumes none.
DEPLOYMENTS_PER_MONTH_MAX = 30


def _shift_minutes(service: Resource) -> float:
    """Minutes a blue/green, canary or linear deployment runs both task sets; 0 for rolling."""
    config = get(service.props, "deploymentConfiguration", default=None) or {}
    strategy = get(config, "strategy", default="ROLLING")
    if strategy not in ("BLUE_GREEN", "CANARY", "LINEAR"):
        return 0.0
    minutes = float(get(config, "bakeTimeInMinutes", default=0) or 0)
    if strategy == "CANARY":
        minutes += float(get(config, "canaryConfiguration", "canaryBakeTimeInMinutes", default=0) or 0)
    elif strategy == "LINEAR":
        step = float(get(config, "linearConfiguration", "stepPercent", default=10) or 10)
        steps = max(1, -(-100 // step))  # the last step reaches 100% and has no wait after it
        wait = float(get(config, "linearConfiguration", "stepBakeTimeInMinutes", default=0) or 0)
        minutes += (steps - 1) * wait
    return minutes


# --- end issue 16 ---


def split_tasks(tasks: int, strategy: Strategy) -> tuple[float, float]:
    """(on-demand, Spot) task counts: each provider's base first, the rest shared by weight."""
    shares = {provider: 0.0 for provider, _, _ in strategy}
    left = float(tasks)
    for provider, base, _ in strategy:
        placed = min(float(base), left)
        shares[provider] += placed
        left -= placed
    total_weight = sum(weight for _, _, weight in strategy)
    for provider, _, weight in strategy:
        shares[provider] += left * weight / total_weight if total_weight else 0.0
    if not total_weight and strategy:
        shares[strategy[0][0]] += left
    spot = shares.get("FARGATE_SPOT", 0.0)
    return float(tasks) - spot, spot


def _describe(strategy: Strategy) -> str:
    names = {"FARGATE": "on-demand", "FARGATE_SPOT": "Spot"}
    used = [(names.get(p, p), base, weight) for p, base, weight in strategy if base or weight]
    if [n for n, _, _ in used] == ["Spot"]:
        return " Spot"
    if all(n != "Spot" for n, _, _ in used):
        return ""
    bases = "".join(f"base {b} {n}, then " for n, b, _ in used if b)
    return f" ({bases}{', '.join(f'{n} weight {w}' for n, _, w in used if w)})"


def _task_definition(service: Resource, stack: Stack) -> Resource | None:
    linked = [t for t in stack.referenced_by(service, "taskDefinition") if t.type == TASK_DEFINITION]
    if linked:
        return linked[0]
    arn = get(service.props, "taskDefinition", default="")
    family = arn.rsplit("task-definition/", 1)[-1].split(":", 1)[0] if isinstance(arn, str) else ""
    return next((t for t in stack.of_type(TASK_DEFINITION) if get(t.props, "family") == family), None)


def _task_counts(service: Resource, stack: Stack) -> tuple[int, int]:
    for target in stack.of_type(SCALING_TARGET):
        if get(target.props, "scalableDimension") == "ecs:service:DesiredCount" and target.depends_on(
            "resourceId", service
        ):
            low = int(get(target.props, "minCapacity", default=0))
            return low, int(get(target.props, "maxCapacity", default=low))
    desired = int(get(service.props, "desiredCount", default=1))
    return desired, desired


def _strategy(service: Resource, stack: Stack) -> Strategy:
    entries = get(service.props, "capacityProviderStrategies", default=[])
    if not entries:
        launch_type = get(service.props, "launchType")
        if launch_type:
            return [(str(launch_type), 0, 1)]
        clusters = [c for c in stack.referenced_by(service, "cluster") if c.type == CAPACITY_PROVIDERS]
        clusters = clusters or stack.of_type(CAPACITY_PROVIDERS)
        entries = get(clusters[0].props, "defaultCapacityProviderStrategies", default=[]) if clusters else []
    strategy = [
        (str(get(e, "capacityProvider", default="FARGATE")), int(get(e, "base", default=0)),
         int(get(e, "weight", default=0)))
        for e in entries
    ]  # fmt: skip
    return strategy or [("FARGATE", 0, 1)]


@handles("aws:ec2/instance:Instance")
def ec2_instance(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    type_ = get(r.props, "instanceType", default="?")
    hourly = price(pricing, f"ec2.{type_}")
    volume = float(get(r.props, "rootBlockDevice", "volumeSize", default=pricing.assume("ebsRootVolumeGb")))
    ipv4 = get(r.props, "associatePublicIpAddress") is True
    # A NAT instance (source/destination check off) forwards the private subnets' internet traffic.
    nat = get(r.props, "sourceDestCheck") is False
    out_gb = pricing.assume("internetDataOutGb") if nat else 0
    usd = (hourly + (price(pricing, "vpc.publicIpv4.hour") if ipv4 else 0)) * pricing.hours
    usd += volume * price(pricing, "ebs.gp3.gbMonth") + out_gb * price(pricing, "dataTransfer.internetOut")
    billed = (
        f"{type_} instance{' + public IPv4' if ipv4 else ''}, {pricing.hours:g} h + {volume:g} GB gp3 root"
    )
    # Detailed monitoring: CloudWatch bills the instance's 1-minute metrics as custom metrics.
    if get(r.props, "monitoring") is True:
        usd += DETAILED_MONITORING_METRICS * price(pricing, "cloudwatch.metric")
        billed += f" + detailed monitoring ({DETAILED_MONITORING_METRICS} metrics)"
    yield item(r, billed + (f"; {out_gb:g} GB out to the internet (assumed)" if nat else ""), usd)


# The metrics EC2 detailed monitoring bills per instance (CloudWatch pricing page's example).
DETAILED_MONITORING_METRICS = 7


# --- network ---------------------------------------------------------------------------------------


@handles("awsx:ec2:Vpc")
def awsx_vpc(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    # awsx creates the gateways and their Elastic IPs as hidden children: count them from its inputs
    # (awsx defaults: three AZs, one NAT gateway per AZ).
    azs = int(get(r.props, "numberOfAvailabilityZones", default=3))
    strategy = str(get(r.props, "natGateways", "strategy", default="OnePerAz"))
    gateways = {"None": 0, "Single": 1, "OnePerAz": azs}.get(strategy)
    if gateways is None:
        raise NotPricedError(f"NAT gateway strategy {strategy!r}")
    if gateways:
        yield _nat_gateways(r, gateways, f" ({strategy})", True, pricing)


@handles("aws:ec2/natGateway:NatGateway")
def nat_gateway(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    # The public IPv4 of a public gateway is its aws:ec2/eip:Eip, priced on its own line.
    yield _nat_gateways(r, 1, "", False, pricing)


def _nat_gateways(r: Resource, n: int, label: str, with_ipv4: bool, pricing: Pricing) -> LineItem:
    hourly = price(pricing, "vpc.natGateway.hour") + (
        price(pricing, "vpc.publicIpv4.hour") if with_ipv4 else 0
    )
    processed, out = pricing.assume("natDataProcessedGb"), pricing.assume("internetDataOutGb")
    traffic = processed * price(pricing, "vpc.natGateway.gb") + out * price(
        pricing, "dataTransfer.internetOut"
    )
    billed = (
        f"{n} NAT gateway{'s' if n > 1 else ''}{label}{' + public IPv4 each' if with_ipv4 else ''}, "
        f"{pricing.hours:g} h; {processed:g} GB processed and {out:g} GB out each (assumed)"
    )
    return item(r, billed, n * (hourly * pricing.hours + traffic))


@handles("aws:ec2/eip:Eip")
def elastic_ip(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    yield item(
        r,
        f"1 public IPv4 address, {pricing.hours:g} h",
        price(pricing, "vpc.publicIpv4.hour") * pricing.hours,
    )


@handles("aws:ec2/vpcEndpoint:VpcEndpoint")
def vpc_endpoint(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    kind = get(r.props, "vpcEndpointType", default="Gateway")
    if kind == "Gateway":
        return  # S3 and DynamoDB gateway endpoints are free
    if kind != "Interface":
        raise NotPricedError(f"{kind} endpoints")
    azs = count(get(r.props, "subnetIds")) or 1
    gb = pricing.assume("interfaceEndpointDataGb")
    usd = azs * price(pricing, "vpc.interfaceEndpoint.hour") * pricing.hours + gb * price(
        pricing, "vpc.interfaceEndpoint.gb"
    )
    service = str(get(r.props, "serviceName", default="?")).split(".", 3)[-1]
    yield item(
        r, f"interface endpoint ({service}) in {azs} AZs, {pricing.hours:g} h; {gb:g} GB (assumed)", usd
    )


@handles("aws:lb/loadBalancer:LoadBalancer")
def load_balancer(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    kind = {"application": "alb", "network": "nlb"}.get(
        get(r.props, "loadBalancerType", default="application")
    )
    if kind is None:
        raise NotPricedError("only application and network load balancers are modelled")
    lcu = pricing.assume("albLcuPerHour")
    hourly = price(pricing, f"elb.{kind}.hour") + lcu * price(pricing, f"elb.{kind}.lcu")
    internal = get(r.props, "internal") is True
    # An internet-facing load balancer holds one public IPv4 address per AZ.
    azs = 0 if internal else (count(get(r.props, "subnets")) or count(get(r.props, "subnetMappings")) or 2)
    hourly += azs * price(pricing, "vpc.publicIpv4.hour")
    ipv4 = f" + {azs} public IPv4" if azs else ""
    scheme = "internal" if internal else "internet-facing"
    billed = f"{scheme} {kind.upper()}{ipv4}, {pricing.hours:g} h, {lcu:g} LCU (assumed)"
    yield item(r, billed, hourly * pricing.hours)


# --- data stores -----------------------------------------------------------------------------------

AURORA_CLUSTER = "aws:rds/cluster:Cluster"


@handles("aws:rds/instance:Instance")
def rds_instance(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    class_ = get(r.props, "instanceClass", default="?")
    multi_az = get(r.props, "multiAz") is True
    copies = 2 if multi_az else 1  # a Multi-AZ standby is a second instance with its own storage
    storage_type = get(r.props, "storageType", default="gp2")
    low = float(get(r.props, "allocatedStorage", default=0))
    high = max(low, float(get(r.props, "maxAllocatedStorage", default=0)))
    compute = copies * price(pricing, f"rds.instance.{class_}") * pricing.hours
    per_gb = copies * price(pricing, f"rds.storage.{storage_type}")
    storage = f"{low:g} GB" if low == high else f"{low:g}-{high:g} GB"
    deployment = " Multi-AZ (2 instances)" if multi_az else ""
    billed = f"{class_}{deployment}, {pricing.hours:g} h + {storage} {storage_type}"
    yield item(r, billed, compute + low * per_gb, compute + high * per_gb)


@handles(AURORA_CLUSTER)
def aurora_cluster(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    gb = pricing.assume("auroraStorageGb")
    yield item(r, f"Aurora storage, {gb:g} GB (assumed)", gb * price(pricing, "aurora.storage"))


@handles("aws:rds/clusterInstance:ClusterInstance")
def aurora_instance(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    class_ = get(r.props, "instanceClass", default="?")
    if class_ != "db.serverless":
        yield item(
            r, f"Aurora {class_}, {pricing.hours:g} h", price(pricing, f"aurora.{class_}") * pricing.hours
        )
        return
    clusters = [c for c in stack.referenced_by(r, "clusterIdentifier") if c.type == AURORA_CLUSTER]
    clusters = clusters or stack.of_type(AURORA_CLUSTER)
    scaling = get(clusters[0].props, "serverlessv2ScalingConfiguration", default={}) if clusters else {}
    low = float(get(scaling, "minCapacity", default=0.5))
    high = float(get(scaling, "maxCapacity", default=low))
    acu = price(pricing, "aurora.acu") * pricing.hours
    yield item(r, f"Aurora Serverless v2, {low:g}-{high:g} ACU, {pricing.hours:g} h", low * acu, high * acu)


@handles("aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster")
def cache_nodes(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    node_type = get(r.props, "nodeType", default="?")
    engine = get(r.props, "engine", default="redis")
    groups = get(r.props, "numNodeGroups")
    if groups is not None:
        nodes = int(groups) * (int(get(r.props, "replicasPerNodeGroup", default=0)) + 1)
    else:
        nodes = int(get(r.props, "numCacheClusters", default=get(r.props, "numCacheNodes", default=1)))
    hourly = price(pricing, f"elasticache.{engine}.{node_type}")
    billed = f"{nodes} x {node_type} {engine} node{'s' if nodes > 1 else ''}, {pricing.hours:g} h"
    yield item(r, billed, nodes * hourly * pricing.hours)


@handles("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def s3_bucket(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    gb = pricing.assume("s3StorageGbPerBucket")
    yield item(r, f"S3 Standard, {gb:g} GB (assumed)", gb * price(pricing, "s3.standard.storage"))


@handles("aws:ecr/repository:Repository")
def ecr_repository(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    gb = pricing.assume("ecrStorageGbPerRepository")
    yield item(r, f"image storage, {gb:g} GB (assumed)", gb * price(pricing, "ecr.storage"))


# --- security, monitoring and edge -------------------------------------------------------------------


@handles("aws:secretsmanager/secret:Secret")
def secret(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    yield item(r, "1 secret", price(pricing, "secretsmanager.secret"))


@handles("aws:kms/key:Key")
def kms_key(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    yield item(r, "1 customer managed key", price(pricing, "kms.key"))


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    # A metric-math alarm is billed per metric it reads; a period under a minute is high resolution.
    metrics = sum(1 for q in get(r.props, "metricQueries", default=[]) if get(q, "metric") is not None) or 1
    high_res = float(get(r.props, "period", default=60)) < 60
    key = "cloudwatch.alarm.highResolution" if high_res else "cloudwatch.alarm.standard"
    label = "high-resolution" if high_res else "standard"
    yield item(
        r, f"{label} alarm on {metrics} metric{'s' if metrics > 1 else ''}", metrics * price(pricing, key)
    )


@handles("aws:cloudwatch/dashboard:Dashboard")
def dashboard(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    yield item(r, "1 dashboard", price(pricing, "cloudwatch.dashboard"))


DAYS_PER_MONTH = 365 / 12


@handles("aws:cloudwatch/logGroup:LogGroup")
def log_group(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    # Once a group is as old as its retention it holds that many days of logs: the storage of a
    # year's retention is what a prod stack pays every month from its second year on.
    gb = pricing.assume("logIngestionGbPerLogGroup")
    days = float(get(r.props, "retentionInDays", default=0))
    months = days / DAYS_PER_MONTH if days > 0 else pricing.assume("logStoredMonthsIfNeverExpiring")
    kept = f"{days:g} days kept" if days > 0 else "never expires, first year"
    stored = gb * months
    usd = gb * price(pricing, "cloudwatch.logs.ingestion")
    usd += stored * price(pricing, "cloudwatch.logs.storage")
    yield item(r, f"{gb:g} GB/month ingested + {stored:.3g} GB stored ({kept}), assumed", usd)


@handles("aws:wafv2/webAcl:WebAcl")
def web_acl(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    rules = count(get(r.props, "rules"))
    millions = pricing.assume("wafRequestsMillions")
    usd = (
        price(pricing, "waf.webAcl")
        + rules * price(pricing, "waf.rule")
        + millions * price(pricing, "waf.requests")
    )
    yield item(r, f"1 web ACL + {rules} rules; {millions:g} M requests (assumed)", usd)


@handles("aws:route53/zone:Zone")
def hosted_zone(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    yield item(r, "1 hosted zone", price(pricing, "route53.hostedZone"))


@handles("aws:cloudfront/distribution:Distribution")
def distribution(r: Resource, stack: Stack, pricing: Pricing) -> Iterator[LineItem]:
    gb, millions = pricing.assume("cloudfrontDataOutGb"), pricing.assume("cloudfrontRequestsMillions")
    usd = gb * price(pricing, "cloudfront.dataOut") + millions * 100 * price(pricing, "cloudfront.requests")
    yield item(r, f"{gb:g} GB out + {millions:g} M HTTPS requests (assumed)", usd)
