"""Typed Pulumi components for a secure, cost-aware web application stack on AWS.

Each component is constructed as ``Component(name, args, *, <typed hand-offs>..., opts=None)``:
a frozen pydantic args model (field defaults; a stack's profile and derived defaults are filled
in by ``profiles.apply_profile`` before validation), keyword-only values other components hand
over (``components.core.wiring``), and an optional ``pulumi.ResourceOptions``; pass an explicit
AWS provider through ``providers`` so that default tags reach every resource, including awsx's
children. Outputs are the attributes annotated on each class (registered once, by
``core.outputs.register_declared_outputs``); the parts Monitoring watches come from the
components themselves (``database.metrics``, ``api.metrics``, ``load_balancer.metrics(...)``).

Example::

    from components import Network, NetworkArgs

    network = Network("net", NetworkArgs(az_count=3),
                      opts=pulumi.ResourceOptions(providers={"aws": provider}))

Escape hatch: any property of any child resource, including awsx's children, can be changed
without forking a component, with Pulumi ``transforms`` in the component's options. The engine
runs them on the component and every resource under it, before registration; ``args.props`` use
the engine's camelCase property names, ``args.type_`` the resource type token. Return ``None``
to leave a resource alone. ``tests/test_component_transforms.py`` shows it working::

    def shorter_key_deletion_window(args: pulumi.ResourceTransformArgs):
        if args.type_ == "aws:kms/key:Key":
            return pulumi.ResourceTransformResult(
                props={**args.props, "deletionWindowInDays": 7}, opts=args.opts)
        return None

    LogEncryptionKey("logs", region="eu-west-1",
                     opts=pulumi.ResourceOptions(transforms=[shorter_key_deletion_window]))

A transform also sees ``args.opts`` (return changed options, e.g. ``ignore_changes``), and
changes the plan like any edit: the stack's CrossGuard pack still judges the result.
"""

from .compute.cluster import Cluster
from .compute.cluster_args import ClusterArgs, ContainerInsights
from .compute.container_service import ContainerService
from .compute.container_service_args import (
    CapacityArgs,
    CapacityStrategy,
    ContainerHealthCheckArgs,
    ContainerServiceArgs,
    DeploymentArgs,
)
from .compute.fargate_task_size import Architecture, FargateTaskSize
from .compute.migration_task import MigrationTask
from .compute.migration_task_args import MigrationArgs
from .compute.service_autoscaling import AutoscalingArgs, ScheduleArgs
from .compute.task_permissions import PermissionStatementArgs
from .compute.tracing_args import Instrumentation, TracingArgs, TracingMode
from .core.config_errors import ConfigError, ConfigFieldError, validate_config
from .core.log_retention import CLOUDWATCH_RETENTION_DAYS, RetentionDays
from .core.wiring import (
    ClusterRef,
    Connection,
    ImageRef,
    LoadBalancerTarget,
    SecretReference,
    SidecarContainer,
)
from .data.app_secrets import AppSecrets
from .data.app_secrets_args import AppSecretsArgs, GenerateArgs, KmsKeyChoice, SecretSpec
from .data.cache import Cache
from .data.cache_args import CacheArgs, CacheEngine, CacheMode, MaxmemoryPolicy
from .data.database import Database
from .data.database_args import DatabaseArgs, EngineMode
from .data.uploads_bucket import UploadsBucket
from .data.uploads_bucket_args import UploadsBucketArgs
from .delivery.cloudfront_invalidation import CloudFrontInvalidation
from .delivery.image_registry import ImageRegistry
from .delivery.image_registry_args import BuildArgs, ImageArgs
from .delivery.site_content import SiteContent
from .edge.load_balancer import LoadBalancer
from .edge.load_balancer_args import AccessLogsArgs, FrontDoor, LoadBalancerArgs
from .edge.load_balancer_args import HealthCheckArgs as TargetHealthCheckArgs
from .edge.site_domain import SiteDomain
from .edge.site_domain_args import SiteDomainArgs
from .edge.static_site import ApiOrigin, StaticSite
from .edge.static_site_args import StaticSiteArgs
from .edge.web_acl import WebAcl
from .edge.web_acl_args import ManagedRuleGroup, WebAclArgs
from .network.nat_instance import NatInstances
from .network.network import Network
from .network.network_args import (
    FlowLogsArgs,
    InterfaceEndpoint,
    NatStrategy,
    NatType,
    NetworkArgs,
    SubnetMasks,
)
from .network.subnet_layout import SubnetLayout, plan_subnets
from .observability.audit_trail import AuditTrail
from .observability.audit_trail_args import AuditTrailArgs
from .observability.log_encryption import LogEncryptionKey
from .observability.monitoring import Monitoring
from .observability.monitoring_args import AlarmOverride, BudgetArgs, MonitoringArgs
from .observability.monitoring_targets import (
    CacheMetrics,
    DatabaseMetrics,
    DistributionMetrics,
    LoadBalancerMetrics,
    MonitoringTargets,
    ServiceMetrics,
)
from .profiles import Profile, apply_profile

__all__ = [
    "CLOUDWATCH_RETENTION_DAYS",
    "AccessLogsArgs",
    "AlarmOverride",
    "ApiOrigin",
    "AppSecrets",
    "AppSecretsArgs",
    "Architecture",
    "AuditTrail",
    "AuditTrailArgs",
    "AutoscalingArgs",
    "BudgetArgs",
    "BuildArgs",
    "Cache",
    "CacheArgs",
    "CacheEngine",
    "CacheMetrics",
    "CacheMode",
    "CapacityArgs",
    "CapacityStrategy",
    "CloudFrontInvalidation",
    "Cluster",
    "ClusterArgs",
    "ClusterRef",
    "ConfigError",
    "ConfigFieldError",
    "Connection",
    "ContainerHealthCheckArgs",
    "ContainerInsights",
    "ContainerService",
    "ContainerServiceArgs",
    "Database",
    "DatabaseArgs",
    "DatabaseMetrics",
    "DeploymentArgs",
    "DistributionMetrics",
    "EngineMode",
    "FargateTaskSize",
    "FlowLogsArgs",
    "FrontDoor",
    "GenerateArgs",
    "ImageArgs",
    "ImageRef",
    "ImageRegistry",
    "Instrumentation",
    "InterfaceEndpoint",
    "KmsKeyChoice",
    "LoadBalancer",
    "LoadBalancerArgs",
    "LoadBalancerMetrics",
    "LoadBalancerTarget",
    "LogEncryptionKey",
    "ManagedRuleGroup",
    "MaxmemoryPolicy",
    "MigrationArgs",
    "MigrationTask",
    "Monitoring",
    "MonitoringArgs",
    "MonitoringTargets",
    "NatInstances",
    "NatStrategy",
    "NatType",
    "Network",
    "NetworkArgs",
    "PermissionStatementArgs",
    "Profile",
    "RetentionDays",
    "ScheduleArgs",
    "SecretReference",
    "SecretSpec",
    "ServiceMetrics",
    "SidecarContainer",
    "SiteContent",
    "SiteDomain",
    "SiteDomainArgs",
    "StaticSite",
    "StaticSiteArgs",
    "SubnetLayout",
    "SubnetMasks",
    "TargetHealthCheckArgs",
    "TracingArgs",
    "TracingMode",
    "UploadsBucket",
    "UploadsBucketArgs",
    "WebAcl",
    "WebAclArgs",
    "apply_profile",
    "plan_subnets",
    "validate_config",
]
