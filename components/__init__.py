"""Typed Pulumi components for a secure, cost-aware web application stack on AWS.

Each component takes a frozen pydantic args model (field defaults; a stack's profile and derived
defaults are filled in by ``profiles.apply_profile`` before validation) and an optional
``pulumi.ResourceOptions``; pass an explicit AWS provider through ``providers`` so that
default tags reach every resource, including awsx's children. Components hand each other the
typed values in ``components.core.wiring``.

Example::

    from components import Network, NetworkArgs

    network = Network("net", NetworkArgs(az_count=3),
                      opts=pulumi.ResourceOptions(providers={"aws": provider}))
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
    "EngineMode",
    "FargateTaskSize",
    "FlowLogsArgs",
    "FrontDoor",
    "GenerateArgs",
    "ImageArgs",
    "ImageRef",
    "ImageRegistry",
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
    "UploadsBucket",
    "UploadsBucketArgs",
    "WebAcl",
    "WebAclArgs",
    "apply_profile",
    "plan_subnets",
    "validate_config",
]
