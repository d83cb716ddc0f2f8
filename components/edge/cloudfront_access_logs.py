"""CloudFront standard access logs (v2): a log delivery from the distribution to CloudWatch Logs."""

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.names import fit_name

# CloudFront is a global service whose log deliveries AWS accepts in us-east-1 only; the log
# group, the source, the destination and the delivery all live there, whatever the stack's region.
CLOUDFRONT_LOG_REGION = "us-east-1"
# Delivery source and destination names: 1-60 word characters or hyphens, unique per region.
_MAX_DELIVERY_NAME = 60


@dataclass(frozen=True)
class AccessLogDelivery:
    """What ``deliver_access_logs`` created; ``log_group`` is where the logs land."""

    log_group: aws.cloudwatch.LogGroup
    source: aws.cloudwatch.LogDeliverySource
    destination: aws.cloudwatch.LogDeliveryDestination
    delivery: aws.cloudwatch.LogDelivery


def deliver_access_logs(
    name: str,
    distribution_arn: pulumi.Input[str],
    retention_days: int,
    *,
    parent: pulumi.Resource,
    kms_key_arn: pulumi.Input[str] | None = None,
) -> AccessLogDelivery:
    """Send a distribution's access logs, as JSON, to the log group ``/aws/cloudfront/<name>``.

    Why CloudWatch Logs and not the legacy S3 logging: legacy logging writes through bucket ACLs,
    which a ``BucketOwnerEnforced`` bucket (every bucket here) refuses; v2 delivery needs no ACLs,
    the log group's retention expires the logs, and Logs Insights can query them at once.

    ``kms_key_arn`` encrypts the log group; the key must be a us-east-1 key whose policy lets
    ``logs.us-east-1.amazonaws.com`` use it (a ``LogEncryptionKey`` made with the us-east-1
    provider): CloudWatch Logs cannot use a key of another region.

    Example::

        logs = deliver_access_logs("site", distribution.arn, 365, parent=self,
                                   kms_key_arn=us_east_1_logs_key.key_arn)
        pulumi.export("siteAccessLogGroup", logs.log_group.name)
    """
    in_us_east_1 = pulumi.ResourceOptions(parent=parent)
    delivery_name = _delivery_name(name)
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-access-logs",
        name=f"/aws/cloudfront/{pulumi.get_project()}-{pulumi.get_stack()}/{name}",
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        region=CLOUDFRONT_LOG_REGION,
        opts=in_us_east_1,
    )
    source = aws.cloudwatch.LogDeliverySource(
        f"{name}-access-logs",
        name=delivery_name,
        log_type="ACCESS_LOGS",
        resource_arn=distribution_arn,
        region=CLOUDFRONT_LOG_REGION,
        opts=in_us_east_1,
    )
    destination = aws.cloudwatch.LogDeliveryDestination(
        f"{name}-access-logs",
        name=delivery_name,
        output_format="json",
        delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
            destination_resource_arn=log_group.arn,
        ),
        region=CLOUDFRONT_LOG_REGION,
        opts=in_us_east_1,
    )
    delivery = aws.cloudwatch.LogDelivery(
        f"{name}-access-logs",
        delivery_source_name=source.name,
        delivery_destination_arn=destination.arn,
        region=CLOUDFRONT_LOG_REGION,
        opts=in_us_east_1,
    )
    return AccessLogDelivery(log_group=log_group, source=source, destination=destination, delivery=delivery)


def _delivery_name(name: str) -> str:
    raw = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}-access"
    return fit_name(re.sub(r"[^A-Za-z0-9_-]", "-", raw), _MAX_DELIVERY_NAME)
