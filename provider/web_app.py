"""``WebApp``: the whole secure, cost-aware web stack as one component, for any Pulumi language.

It is the Python program (``__main__.py``) as a component: the same wiring
(``components.app.build_stack``), the same config keys (camelCase, as in a stack file), the
same profiles and the same validation, with the args path in place of ``webapp:`` in each
problem line (``database.instanceClass = "db.x1": must be ...``). Every resource sits under the
component and its name starts with the component's name (``shop-net``, ``shop-db``...).

Example (Python; from other languages see docs/guides/other-languages.md)::

    app = WebApp("shop", {"profile": "prod", "region": "eu-west-1",
                          "image": {"uri": "public.ecr.aws/nginx/nginx:1.27"}})
    pulumi.export("siteUrl", app.site_url)
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
import json
import re
from enum import Enum
from typing import Any

import pulumi

from components import ConfigError, validate_config
from components.app import build_stack
from components.core.config_loader import REGION
from stack_config import Settings, StackConfig

from .web_app_args import WebAppArgs

TYPE_TOKEN = "webapp:index:WebApp"


class WebApp(pulumi.ComponentResource):
    """The whole web stack on AWS: CloudFront and S3 for the site, an ECS Fargate API behind an ALB,
    PostgreSQL, a Redis-compatible cache, secrets, logs, alarms and a budget, secure by default and
    sized by a profile (dev, prod)."""

    alarm_topic_arn: pulumi.Output[str]
    """The SNS topic every alarm notifies."""
    dashboard_url: pulumi.Output[str] | None
    """The CloudWatch dashboard, when monitoring.dashboard is on."""
    audit_trail_arn: pulumi.Output[str] | None
    """The CloudTrail trail, when auditTrail.enabled."""
    uploads_bucket_name: pulumi.Output[str] | None
    """The uploads bucket, when uploads.enabled."""
    site_content_hash: pulumi.Output[str] | None
    """Hash of the deployed frontend build, when site.buildDir is set."""
    site_url: pulumi.Output[str] | None
    """The site's https URL, when site.enabled."""
    distribution_id: pulumi.Output[str] | None
    """The CloudFront distribution's ID, when site.enabled."""
    site_bucket_name: pulumi.Output[str] | None
    """The S3 bucket the site is served from, when site.enabled."""
    site_access_log_group_name: pulumi.Output[str] | None
    """The log group of CloudFront's access logs, when site.accessLogs is on."""
    vpc_id: pulumi.Output[str]
    """The VPC's ID."""
    vpc_cidr: pulumi.Output[str]
    """The VPC's IPv4 range."""
    public_subnet_ids: pulumi.Output[list[str]]
    """The public subnets (load balancer, NAT), one per AZ."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The private subnets (the tasks), one per AZ."""
    isolated_subnet_ids: pulumi.Output[list[str]]
    """The isolated subnets (database, cache), one per AZ."""
    flow_log_group_name: pulumi.Output[str]
    """The log group of the VPC's flow logs."""
    api_url: pulumi.Output[str]
    """Where the API answers: the site URL plus the API path behind CloudFront, else the ALB's URL."""
    load_balancer_arn: pulumi.Output[str]
    """The application load balancer's ARN."""
    load_balancer_security_group_id: pulumi.Output[str]
    """The load balancer's security group."""
    test_listener_url: pulumi.Output[str] | None
    """The test listener reaching new tasks first (blueGreen, canary, linear), from inside the VPC."""
    cluster_name: pulumi.Output[str]
    """The ECS cluster's name."""
    image: pulumi.Output[str]
    """The image URI the services run."""
    image_repository_url: pulumi.Output[str] | None
    """The ECR repository the stack created, when it has one."""
    service_name: pulumi.Output[str]
    """The API's ECS service name."""
    service_security_group_id: pulumi.Output[str]
    """The API tasks' security group."""
    service_log_group: pulumi.Output[str]
    """The API's log group."""
    task_family: pulumi.Output[str]
    """The API task definition's family."""
    database_address: pulumi.Output[str]
    """The database's host name."""
    database_security_group_id: pulumi.Output[str]
    """The database's security group."""
    database_master_secret_arn: pulumi.Output[str]
    """The Secrets Manager secret RDS keeps the master password in."""
    cache_endpoint: pulumi.Output[str] | None
    """The cache's primary endpoint, unless cache.mode is none."""
    cache_security_group_id: pulumi.Output[str] | None
    """The cache's security group, when cache.mode is elasticache."""
    worker_service_names: pulumi.Output[dict[str, str]]
    """Each worker's ECS service name, by worker name."""
    migration_task_family: pulumi.Output[str] | None
    """The migration task definition's family, when migration is set."""
    migration_command: pulumi.Output[str] | None
    """The aws ecs run-task command that runs the migration, when migration is set."""

    def __init__(self, name: str, args: WebAppArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        settings = web_app_settings(args)  # a ConfigError before anything is registered
        super().__init__(TYPE_TOKEN, name, None, opts)
        stack = build_stack(settings, parent=self, name_prefix=f"{name}-")
        for key, value in stack.outputs.items():
            setattr(self, output_attribute(key), value)
        self.register_outputs(stack.outputs)


# The docstring is the package schema's description of WebApp: one paragraph, not source indentation.
WebApp.__doc__ = " ".join((WebApp.__doc__ or "").split())


def output_attribute(key: str) -> str:
    """The attribute that holds stack output ``key``: ``vpcId`` -> ``vpc_id``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def web_app_settings(args: WebAppArgs) -> Settings:
    """``args`` validated as a stack file's config would be, or ConfigError naming each args path."""
    data = plain_values(dict(args))
    region = data.pop("region", None) or pulumi.Config("aws").get("region")
    problems: list[str] = []
    if not isinstance(region, str) or not REGION.match(region):
        shown = "missing" if region is None else json.dumps(region)
        problems.append(
            f"region = {shown}: must be an AWS region name such as us-east-1 "
            "(or set the program's aws:region)"
        )
    config: StackConfig | None = None
    try:
        config = validate_config(StackConfig, data, "")
    except ConfigError as err:
        problems.extend(err.problems)
    if problems or config is None or not isinstance(region, str):
        raise ConfigError(problems)
    return Settings(pulumi.get_project(), pulumi.get_stack(), region, config)


def plain_values(value: Any) -> Any:
    """The args as a stack file holds them: enum members as strings, whole numbers as ints.

    The engine sends every number as a float (``azCount: 2`` arrives as 2.0); integer fields
    accept 2.0, but a problem line should show the 1 the user wrote, not 1.0.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: plain_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_values(item) for item in value]
    return value
