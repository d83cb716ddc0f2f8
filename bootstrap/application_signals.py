"""Application Signals discovery: the account-level switch CloudWatch Application Signals needs.

StartDiscovery creates the ``AWSServiceRoleForCloudWatchApplicationSignals`` service-linked role
(and the service-linked CloudTrail event channel for change events); CloudFormation calls it
``AWS::ApplicationSignals::Discovery``. pulumi-aws 7.51 has no resource for it, so this is a
Pulumi dynamic provider (like the CloudFront invalidation, docs/decisions/0009) calling the API
through boto3: StartDiscovery is idempotent, so running the bootstrap again, or in an account
where someone already pressed "Start discovering your Services", changes nothing. AWS offers no
API to turn discovery off, so deleting the resource only forgets it (docs/decisions/0019).

Example::

    ApplicationSignalsDiscovery("application-signals-us-east-1", region="us-east-1")
"""

from typing import Any

import boto3
import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider


class DiscoveryProvider(ResourceProvider):
    """Create: StartDiscovery in the region; nothing to update or delete. Stateless, so it pickles."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        region = str(props["region"])
        boto3.client("application-signals", region_name=region).start_discovery()
        return CreateResult(f"application-signals-discovery-{region}", {"region": region})

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        # Another region is another discovery; a Pulumi or dill upgrade alone is no change.
        moved = _olds.get("region") != _news.get("region")
        return DiffResult(changes=moved, replaces=["region"] if moved else [])

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # There is no StopDiscovery: the role stays, as CloudFormation's delete leaves it.
        return None


class ApplicationSignalsDiscovery(pulumi.dynamic.Resource):
    """Application Signals enabled in ``region`` for this account (StartDiscovery, idempotent).

    Runs with the bootstrap's administrator credentials (the standard AWS credential chain).

    Example::

        ApplicationSignalsDiscovery("application-signals-eu-west-1", region="eu-west-1", opts=on_aws)
    """

    region: pulumi.Output[str]

    def __init__(self, name: str, *, region: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(DiscoveryProvider(), name, {"region": region}, opts)
