"""Typed Pulumi components for a secure, cost-aware web application stack on AWS.

Each component takes a frozen pydantic args model (field defaults; a stack's profile and derived
defaults are filled in by ``profiles.apply_profile`` before validation) and an optional
``pulumi.ResourceOptions``; pass an explicit AWS provider through ``providers`` so that
default tags reach every resource, including awsx's children. Components hand each other the
typed values in ``components.wiring``.

Example::

    from components import Network, NetworkArgs

    network = Network("net", NetworkArgs(az_count=3),
                      opts=pulumi.ResourceOptions(providers={"aws": provider}))
"""

from .app_secrets import AppSecrets
from .app_secrets_args import AppSecretsArgs, GenerateArgs, KmsKeyChoice, SecretSpec
from .audit_trail import AuditTrail
from .audit_trail_args import AuditTrailArgs
from .cache import Cache
from .cache_args import CacheArgs, CacheEngine, CacheMode, MaxmemoryPolicy
from .cloudfront_invalidation import CloudFrontInvalidation
from .cluster import Cluster
from .cluster_args import ClusterArgs, ContainerInsights
from .config_errors import ConfigError, ConfigFieldError, validate_config
from .container_service import ContainerService
from .container_service_args import (
    CapacityArgs,
    CapacityStrategy,
    ContainerHealthCheckArgs,
    ContainerServiceArgs,
    DeploymentArgs,
)
from .database import Database
from .database_args import DatabaseArgs, EngineMode
from .fargate_task_size import Architecture, FargateTaskSize
from .image_registry import ImageRegistry
from .image_registry_args import BuildArgs, ImageArgs
from .load_balancer import LoadBalancer
from .load_balancer_args import AccessLogsArgs, FrontDoor, LoadBalancerArgs
from .load_balancer_args import HealthCheckArgs as TargetHealthCheckArgs
from .log_encryption import LogEncryptionKey
from .log_retention import CLOUDWATCH_RETENTION_DAYS, RetentionDays
from .migration_task import MigrationTask
from .migration_task_args import MigrationArgs
from .monitoring import Monitoring
from .monitoring_args import AlarmOverride, BudgetArgs, MonitoringArgs
from .monitoring_targets import (
    CacheMetrics,
    DatabaseMetrics,
    LoadBalancerMetrics,
    MonitoringTargets,
    ServiceMetrics,
)
from .nat_instance import NatInstances
from .network import Network
from .network_args import FlowLogsArgs, InterfaceEndpoint, NatStrategy, NatType, NetworkArgs, SubnetMasks
from .profiles import Profile, apply_profile
from .service_autoscaling import AutoscalingArgs, ScheduleArgs
from .site_content import SiteContent
from .site_domain import SiteDomain
from .site_domain_args import SiteDomainArgs
from .static_site import ApiOrigin, StaticSite
from .static_site_args import StaticSiteArgs
from .subnet_layout import SubnetLayout, plan_subnets
from .task_permissions import PermissionStatementArgs
from .uploads_bucket import UploadsBucket
from .uploads_bucket_args import UploadsBucketArgs
from .web_acl import WebAcl
from .web_acl_args import ManagedRuleGroup, WebAclArgs
from .wiring import ClusterRef, Connection, ImageRef, LoadBalancerTarget, SecretReference, SidecarContainer

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
