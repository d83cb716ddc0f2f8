"""The web application stack: typed config in, components wired together, outputs out.

Config is validated first (``stack_config.load_settings``), so a bad value stops the run
before any resource is registered. Every AWS resource goes through one explicit provider
whose default tags reach awsx's children too. Components hand each other typed values
(``components.core.wiring``) through their constructors; nothing is shared through globals.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import (
    ApiOrigin,
    AppSecrets,
    AuditTrail,
    Cache,
    CacheMode,
    Cluster,
    ContainerService,
    Database,
    FrontDoor,
    ImageRegistry,
    LoadBalancer,
    LogEncryptionKey,
    MigrationTask,
    Monitoring,
    MonitoringTargets,
    Network,
    SiteContent,
    SiteDomain,
    StaticSite,
    UploadsBucket,
    WebAcl,
)
from components.core.deploy_permissions_boundary import stack_role_guard
from components.edge.load_balancer import OriginTls
from components.observability.monitoring_alarms import deployment_alarm_names
from stack_config import load_settings

settings = load_settings()
config = settings.config

aws_provider = aws.Provider(
    "aws",
    region=settings.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=settings.default_tags()),
)
on_aws = pulumi.ResourceOptions(providers={"aws": aws_provider})
# CloudFront's own resources (its WAF web ACL, certificates) must live in us-east-1.
us_east_1_provider = aws.Provider(
    "aws-us-east-1",
    region="us-east-1",
    default_tags=aws.ProviderDefaultTagsArgs(tags=settings.default_tags()),
)
on_us_east_1 = pulumi.ResourceOptions(providers={"aws": us_east_1_provider})
# Every role the stack creates gets the boundary (webapp:iam.permissionsBoundary) and the path
# /<project>/<stack>/ the bootstrap's deploy roles require (docs/decisions/0014).
role_guard = stack_role_guard(config.iam, pulumi.InvokeOutputOptions(provider=aws_provider))

# ECS Exec sessions are encrypted and logged with a stack key. They use the logs key (its policy
# already lets CloudWatch Logs encrypt their log group), created for them alone when
# logEncryption is off, rather than a key of their own: one key, $1/month, for both. The cluster
# comes before the services, so "does any service use exec" is read from the config.
exec_services = {
    name: service
    for name, service in [("api", config.service), *((f"worker-{n}", w) for n, w in config.workers.items())]
    if service.enable_execute_command
}
# monitoring.logEncryption (on in the prod profile): one KMS key per region that holds log
# groups; the stack's region here, us-east-1 (CloudFront access logs, the CLOUDFRONT web ACL's
# logs) below.
logs_key = (
    LogEncryptionKey("logs", region=settings.region, protect=config.protect, opts=on_aws)
    if config.monitoring.log_encryption or exec_services
    else None
)
log_kms_key_arn = logs_key.key_arn if logs_key and config.monitoring.log_encryption else None
network = Network("net", config.network, log_kms_key_arn=log_kms_key_arn, role_guard=role_guard, opts=on_aws)
cluster = Cluster(
    "app",
    config.cluster,
    exec_kms_key_arn=logs_key.key_arn if logs_key and exec_services else None,
    opts=on_aws,
)
registry = ImageRegistry(
    "api",
    config.image,
    architecture=config.service.architecture,
    protect=config.protect,
    ephemeral=config.ephemeral,
    opts=on_aws,
)
secrets = AppSecrets("app", config.secrets, protect=config.protect, opts=on_aws)
database = Database(
    "db",
    config.database,
    vpc_id=network.vpc_id,
    subnet_ids=network.isolated_subnet_ids,
    protect=config.protect,
    ephemeral=config.ephemeral,
    log_kms_key_arn=log_kms_key_arn,
    role_guard=role_guard,
    opts=on_aws,
)
# cache.mode none: no Cache at all, so no REDIS_* variables, cache alarms or cache outputs.
cache = (
    Cache(
        "cache",
        config.cache,
        vpc_id=network.vpc_id,
        subnet_ids=network.isolated_subnet_ids,
        protect=config.protect,
        ephemeral=config.ephemeral,
        log_kms_key_arn=log_kms_key_arn,
        opts=on_aws,
    )
    if config.cache.mode is not CacheMode.NONE
    else None
)
cache_sidecar = cache.sidecar if cache is not None else None
uploads = (
    UploadsBucket("uploads", config.uploads, protect=config.protect, ephemeral=config.ephemeral, opts=on_aws)
    if config.uploads.enabled
    else None
)
# Each service opens its own way to the data stores; nothing else can reach them.
data_stores = [database.connection] + ([cache.connection] if cache is not None else [])
app_stores = data_stores + ([uploads.connection] if uploads is not None else [])

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
    "api",
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
    "api",
    config.service,
    cluster=cluster.ref,
    vpc_id=network.vpc_id,
    subnet_ids=network.private_subnet_ids,
    image=registry.image,
    secrets=secrets.references,
    load_balancer=load_balancer.target,
    # Monitoring (below) creates these alarms under exactly these names; it watches the service's
    # own name, so the service can only refer to them by name (docs/decisions/0017).
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
        f"worker-{name}",
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
    WebAcl("api", config.waf, scope="REGIONAL", log_kms_key_arn=log_kms_key_arn, opts=on_aws).associate(
        "alb", load_balancer.arn
    )
site: StaticSite | None = None
if config.site.enabled:
    # CloudWatch Logs encrypts only with a key of the log group's region.
    edge_log_kms_key_arn = (
        log_kms_key_arn
        if log_kms_key_arn is None or settings.region == "us-east-1"
        else LogEncryptionKey(
            "logs-us-east-1", region="us-east-1", protect=config.protect, opts=on_us_east_1
        ).key_arn
    )
    edge_acl = (
        WebAcl(
            "edge", config.waf, scope="CLOUDFRONT", log_kms_key_arn=edge_log_kms_key_arn, opts=on_us_east_1
        )
        if config.waf.enabled
        else None
    )
    domain = SiteDomain("site", config.site.domain, opts=on_us_east_1) if config.site.domain else None
    site = StaticSite(
        "site",
        config.site,
        api=ApiOrigin(
            load_balancer_arn=load_balancer.arn,
            load_balancer_dns_name=load_balancer.dns_name,
            load_balancer_security_group_id=load_balancer.security_group_id,
            vpc_id=network.vpc_id,
            origin_domain_name=origin_domain,
        )
        if behind_cdn
        else None,
        web_acl_arn=edge_acl.arn if edge_acl is not None else None,
        certificate_arn=domain.certificate_arn if domain is not None else None,
        aliases=domain.aliases if domain is not None else (),
        canonical_host=domain.canonical_host if domain is not None else None,
        access_log_kms_key_arn=edge_log_kms_key_arn,
        protect=config.protect,
        ephemeral=config.ephemeral,
        opts=on_aws,
    )

    if domain is not None:
        domain.point_at(site.domain_name, site.hosted_zone_id)

    if config.site.build_dir is not None:
        # The frontend build as S3 objects, and an invalidation when its content hash changes.
        content = SiteContent(
            "site",
            build_dir=Path(config.site.build_dir),
            bucket_name=site.bucket_name,
            distribution_id=site.distribution_id,
            hashed_asset_paths=config.site.hashed_asset_paths,
            opts=on_aws,
        )
        pulumi.export("siteContentHash", content.content_hash)

    pulumi.export("siteUrl", site.url)
    pulumi.export("distributionId", site.distribution_id)
    pulumi.export("siteBucketName", site.bucket_name)
    if site.access_logs is not None:
        pulumi.export("siteAccessLogGroupName", site.access_logs.log_group.name)

# Alarms for every part that exists (to the stack's encrypted SNS topic), a dashboard, a budget.
monitoring = Monitoring(
    "ops",
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
pulumi.export("alarmTopicArn", monitoring.topic_arn)
if monitoring.dashboard_url is not None:
    pulumi.export("dashboardUrl", monitoring.dashboard_url)

if config.audit_trail.enabled:
    trail = AuditTrail(
        "audit", config.audit_trail, protect=config.protect, role_guard=role_guard, opts=on_aws
    )
    pulumi.export("auditTrailArn", trail.trail_arn)

# Each exec service's tasks may decrypt and log the cluster's exec sessions.
services = {"api": api, **{f"worker-{name}": worker for name, worker in workers.items()}}
for name in exec_services:
    cluster.grant_execute_command(name, services[name].task_role)

if uploads is not None:
    # The app's code (task role) may read and write the uploads bucket, and nothing else there.
    uploads.grant_read_write("api", api.task_role)
    for name, worker in workers.items():
        uploads.grant_read_write(f"worker-{name}", worker.task_role)
    pulumi.export("uploadsBucketName", uploads.bucket_name)

pulumi.export("vpcId", network.vpc_id)
pulumi.export("vpcCidr", network.cidr_block)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
pulumi.export("flowLogGroupName", network.flow_log_group_name)

api_path = config.site.api_path_pattern.removesuffix("*")  # "/api/*" -> "/api/"
pulumi.export(
    "apiUrl",
    pulumi.Output.concat(site.url, api_path) if behind_cdn and site is not None else load_balancer.url,
)
pulumi.export("loadBalancerArn", load_balancer.arn)
pulumi.export("loadBalancerSecurityGroupId", load_balancer.security_group_id)
if load_balancer.test_url is not None:
    # Reaches the new tasks before production traffic does, from inside the VPC only.
    pulumi.export("testListenerUrl", load_balancer.test_url)
pulumi.export("clusterName", cluster.name)
pulumi.export("image", registry.image.uri)
if registry.repository_url is not None:
    pulumi.export("imageRepositoryUrl", registry.repository_url)
pulumi.export("serviceName", api.service_name)
pulumi.export("serviceSecurityGroupId", api.security_group_id)
pulumi.export("serviceLogGroup", api.log_group_name)
pulumi.export("taskFamily", api.task_family)

pulumi.export("databaseAddress", database.address)
pulumi.export("databaseSecurityGroupId", database.security_group_id)
pulumi.export("databaseMasterSecretArn", database.master_secret_arn)
if cache is not None:
    pulumi.export("cacheEndpoint", cache.primary_endpoint)
    if cache.security_group_id is not None:
        pulumi.export("cacheSecurityGroupId", cache.security_group_id)
pulumi.export("workerServiceNames", {name: worker.service_name for name, worker in workers.items()})

if config.migration is not None:
    migration = MigrationTask(
        "migrate",
        config.migration,
        cluster=cluster.ref,
        subnet_ids=network.private_subnet_ids,
        security_group_id=api.security_group_id,
        image=registry.image,
        secrets=secrets.references,
        environment=config.service.environment,
        # A sidecar cache lives only in the API's tasks; the migration task would find nothing there.
        connections=data_stores if cache_sidecar is None else [database.connection],
        log_retention_days=config.service.log_retention_days,
        architecture=config.service.architecture,
        log_kms_key_arn=log_kms_key_arn,
        role_guard=role_guard,
        opts=on_aws,
    )
    pulumi.export("migrationTaskFamily", migration.task_family)
    pulumi.export("migrationCommand", migration.run_task_command)
