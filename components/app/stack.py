"""The whole web stack from one validated config: providers, components, and what they hand each other.

``build_stack`` is the only wiring. ``__main__.py`` calls it with no parent, so every resource
stays at the top of the stack (the URNs of existing stacks never move); the packaged ``WebApp``
component (``provider/web_app.py``) calls it with ``parent=self`` and its own name as prefix.
A new config section reaches the wiring through ``settings.config``: nothing here copies fields.
Every AWS resource goes through one explicit provider whose default tags reach awsx's children
too; components hand each other typed values (``components.core.wiring``) through their
constructors, and nothing is shared through globals.

Example::

    settings = load_settings()                       # stack_config: validated StackConfig + region
    stack = build_stack(settings)                    # top-level resources, as __main__.py does
    for key, value in stack.outputs.items():
        pulumi.export(key, value)
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pulumi
import pulumi_aws as aws

from components import (
    AppSecrets,
    AuditTrail,
    Cluster,
    ContainerService,
    FrontDoor,
    ImageRegistry,
    LoadBalancer,
    LogEncryptionKey,
    MigrationTask,
    Monitoring,
    MonitoringTargets,
    Network,
    WebAcl,
)
from components.core.deploy_permissions_boundary import stack_role_guard
from components.edge.load_balancer import OriginTls
from components.observability.monitoring_alarms import deployment_alarm_names

from .data import DataParts, build_data
from .site import SiteParts, build_site

if TYPE_CHECKING:
    # The root program's config model; only its type is needed here, so the components wheel
    # (which ships components/ alone) does not depend on the program's module at run time.
    from stack_config import StackConfig


class StackSettings(Protocol):
    """What the wiring reads: the validated config, the region and the default tags.

    ``stack_config.Settings`` is one: the program loads it from the stack's config, ``WebApp``
    builds it from its args.
    """

    region: str
    config: "StackConfig"

    def default_tags(self) -> dict[str, str]: ...


@dataclass
class WebStack:
    """What ``build_stack`` made: the stack outputs by name, in the order the program exports them."""

    outputs: dict[str, Any] = field(default_factory=dict)


def build_stack(
    settings: StackSettings, *, parent: pulumi.Resource | None = None, name_prefix: str = ""
) -> WebStack:
    """Register the whole stack; with ``parent`` every resource sits under it, names get ``name_prefix``."""
    config = settings.config
    stack = WebStack()
    outputs = stack.outputs

    def named(name: str) -> str:
        return f"{name_prefix}{name}"

    aws_provider = aws.Provider(
        named("aws"),
        region=settings.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=settings.default_tags()),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    on_aws = pulumi.ResourceOptions(providers={"aws": aws_provider}, parent=parent)
    # CloudFront's own resources (its WAF web ACL, certificates) must live in us-east-1.
    us_east_1_provider = aws.Provider(
        named("aws-us-east-1"),
        region="us-east-1",
        default_tags=aws.ProviderDefaultTagsArgs(tags=settings.default_tags()),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    on_us_east_1 = pulumi.ResourceOptions(providers={"aws": us_east_1_provider}, parent=parent)
    # Every role the stack creates gets the boundary (webapp:iam.permissionsBoundary) and the path
    # /<project>/<stack>/ the bootstrap's deploy roles require (docs/decisions/0014).
    role_guard = stack_role_guard(config.iam, pulumi.InvokeOutputOptions(provider=aws_provider))

    # ECS Exec sessions are encrypted and logged with a stack key. They use the logs key (its
    # policy already lets CloudWatch Logs encrypt their log group), created for them alone when
    # logEncryption is off, rather than a key of their own: one key, $1/month, for both. The
    # cluster comes before the services, so "does any service use exec" is read from the config.
    exec_services = {
        name: service
        for name, service in [
            ("api", config.service),
            *((f"worker-{n}", w) for n, w in config.workers.items()),
        ]
        if service.enable_execute_command
    }
    # monitoring.logEncryption (on in the prod profile): one KMS key per region that holds log
    # groups; the stack's region here, us-east-1 (CloudFront access logs, the CLOUDFRONT web
    # ACL's logs) in build_site.
    logs_key = (
        LogEncryptionKey(named("logs"), region=settings.region, protect=config.protect, opts=on_aws)
        if config.monitoring.log_encryption or exec_services
        else None
    )
    log_kms_key_arn = logs_key.key_arn if logs_key and config.monitoring.log_encryption else None
    network = Network(
        named("net"), config.network, log_kms_key_arn=log_kms_key_arn, role_guard=role_guard, opts=on_aws
    )
    cluster = Cluster(
        named("app"),
        config.cluster,
        exec_kms_key_arn=logs_key.key_arn if logs_key and exec_services else None,
        opts=on_aws,
    )
    registry = ImageRegistry(
        named("api"),
        config.image,
        architecture=config.service.architecture,
        protect=config.protect,
        ephemeral=config.ephemeral,
        opts=on_aws,
    )
    secrets = AppSecrets(named("app"), config.secrets, protect=config.protect, opts=on_aws)
    data = build_data(
        DataParts(
            config=config,
            network=network,
            log_kms_key_arn=log_kms_key_arn,
            role_guard=role_guard,
            on_aws=on_aws,
            named=named,
        )
    )
    database, cache, uploads, cache_sidecar = data.database, data.cache, data.uploads, data.cache_sidecar
    app_stores = data.app_stores

    assert config.service.port is not None  # StackConfig requires it
    # blueGreen, canary and linear: a second target group, listener rules ECS shifts, a test listener.
    traffic_shifting = config.service.deployment.strategy.shifts_traffic
    # With a site domain and originTls, CloudFront reaches the internal ALB over HTTPS by this name.
    origin_domain = (
        config.site.origin_domain
        if config.site.enabled and config.load_balancer.front_door is FrontDoor.CDN
        else None
    )
    load_balancer = LoadBalancer(
        named("api"),
        config.load_balancer,
        vpc_id=network.vpc_id,
        public_subnet_ids=network.public_subnet_ids,
        private_subnet_ids=network.private_subnet_ids,
        container_port=config.service.port,
        traffic_shifting=traffic_shifting,
        vpc_cidr=network.cidr_block,
        origin_tls=(
            OriginTls(domain=origin_domain, hosted_zone_name=config.site.domain.hosted_zone_name)
            if origin_domain is not None and config.site.domain is not None
            else None
        ),
        protect=config.protect,
        ephemeral=config.ephemeral,
        opts=on_aws,
    )
    api = ContainerService(
        named("api"),
        config.service,
        cluster=cluster.ref,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids,
        image=registry.image,
        secrets=secrets.references,
        load_balancer=load_balancer.target,
        # Monitoring (below) creates these alarms under exactly these names; it watches the
        # service's own name, so the service can only refer to them by name (docs/decisions/0017).
        deployment_alarm_names=deployment_alarm_names(config.monitoring, traffic_shifting=traffic_shifting),
        connections=app_stores,
        sidecars=[cache_sidecar] if cache_sidecar is not None else [],
        tracing=config.tracing,
        log_kms_key_arn=log_kms_key_arn,
        role_guard=role_guard,
        opts=on_aws,
    )
    workers = {
        name: ContainerService(
            named(f"worker-{name}"),
            worker,
            cluster=cluster.ref,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            image=registry.image,
            secrets=secrets.references,
            connections=app_stores,
            tracing=config.tracing,
            log_kms_key_arn=log_kms_key_arn,
            role_guard=role_guard,
            opts=on_aws,
        )
        for name, worker in config.workers.items()
    }

    # The single public entry: the frontend from S3, and in cdn mode /api/* to the internal ALB
    # through a CloudFront VPC origin (the ALB then admits only CloudFront's VPC-origin group).
    # site.enabled false (API only): no CloudFront at all, and StackConfig requires direct mode.
    behind_cdn = config.load_balancer.front_door is FrontDoor.CDN
    if config.waf.enabled and not behind_cdn:
        # The public ALB is a second way in: it gets the same rules as a regional web ACL.
        WebAcl(
            named("api"), config.waf, scope="REGIONAL", log_kms_key_arn=log_kms_key_arn, opts=on_aws
        ).associate("alb", load_balancer.arn)
    site = (
        build_site(
            SiteParts(
                config=config,
                region=settings.region,
                network=network,
                load_balancer=load_balancer,
                log_kms_key_arn=log_kms_key_arn,
                origin_domain=origin_domain,
                on_aws=on_aws,
                on_us_east_1=on_us_east_1,
                named=named,
            ),
            outputs,
        )
        if config.site.enabled
        else None
    )

    # Alarms for every part that exists (to the stack's encrypted SNS topic), a dashboard, a budget.
    monitoring = Monitoring(
        named("ops"),
        config.monitoring,
        region=settings.region,
        targets=MonitoringTargets(
            load_balancer=load_balancer.metrics(api.metrics),
            services=[api.metrics, *(worker.metrics for worker in workers.values())],
            database=database.metrics,
            cache=cache.metrics if cache is not None else None,
            distribution=site.metrics(api.metrics) if site is not None else None,
        ),
        protect=config.protect,
        opts=on_aws,
    )
    outputs["alarmTopicArn"] = monitoring.topic_arn
    if monitoring.dashboard_url is not None:
        outputs["dashboardUrl"] = monitoring.dashboard_url

    if config.audit_trail.enabled:
        trail = AuditTrail(
            named("audit"), config.audit_trail, protect=config.protect, role_guard=role_guard, opts=on_aws
        )
        outputs["auditTrailArn"] = trail.trail_arn

    # Each exec service's tasks may decrypt and log the cluster's exec sessions.
    services = {"api": api, **{f"worker-{name}": worker for name, worker in workers.items()}}
    for name in exec_services:
        cluster.grant_execute_command(name, services[name].task_role)

    if uploads is not None:
        # The app's code (task role) may read and write the uploads bucket, and nothing else there.
        uploads.grant_read_write("api", api.task_role)
        for name, worker in workers.items():
            uploads.grant_read_write(f"worker-{name}", worker.task_role)
        outputs["uploadsBucketName"] = uploads.bucket_name

    outputs["vpcId"] = network.vpc_id
    outputs["vpcCidr"] = network.cidr_block
    outputs["publicSubnetIds"] = network.public_subnet_ids
    outputs["privateSubnetIds"] = network.private_subnet_ids
    outputs["isolatedSubnetIds"] = network.isolated_subnet_ids
    outputs["flowLogGroupName"] = network.flow_log_group_name

    api_path = config.site.api_path_pattern.removesuffix("*")  # "/api/*" -> "/api/"
    outputs["apiUrl"] = (
        pulumi.Output.concat(site.url, api_path) if behind_cdn and site is not None else load_balancer.url
    )
    outputs["loadBalancerArn"] = load_balancer.arn
    outputs["loadBalancerSecurityGroupId"] = load_balancer.security_group_id
    if load_balancer.test_url is not None:
        # Reaches the new tasks before production traffic does, from inside the VPC only.
        outputs["testListenerUrl"] = load_balancer.test_url
    outputs["clusterName"] = cluster.name
    outputs["image"] = registry.image.uri
    if registry.repository_url is not None:
        outputs["imageRepositoryUrl"] = registry.repository_url
    outputs["serviceName"] = api.service_name
    outputs["serviceSecurityGroupId"] = api.security_group_id
    outputs["serviceLogGroup"] = api.log_group_name
    outputs["taskFamily"] = api.task_family

    outputs["databaseAddress"] = database.address
    outputs["databaseSecurityGroupId"] = database.security_group_id
    outputs["databaseMasterSecretArn"] = database.master_secret_arn
    if cache is not None:
        outputs["cacheEndpoint"] = cache.primary_endpoint
        if cache.security_group_id is not None:
            outputs["cacheSecurityGroupId"] = cache.security_group_id
    outputs["workerServiceNames"] = {name: worker.service_name for name, worker in workers.items()}

    if config.migration is not None:
        migration = MigrationTask(
            named("migrate"),
            config.migration,
            cluster=cluster.ref,
            subnet_ids=network.private_subnet_ids,
            security_group_id=api.security_group_id,
            image=registry.image,
            secrets=secrets.references,
            environment=config.service.environment,
            # A sidecar cache lives only in the API's tasks; the migration task would find nothing there.
            connections=data.stores if cache_sidecar is None else [database.connection],
            log_retention_days=config.service.log_retention_days,
            architecture=config.service.architecture,
            log_kms_key_arn=log_kms_key_arn,
            role_guard=role_guard,
            opts=on_aws,
        )
        outputs["migrationTaskFamily"] = migration.task_family
        outputs["migrationCommand"] = migration.run_task_command
    return stack
