"""``Cache`` on its own: ElastiCache (Valkey or Redis OSS) for any language (``webapp:index:Cache``).

The same class as the Python program's (``components.Cache``, one resource with the same type
token), constructed from schema args: the ``webapp:cache`` keys at the top level, a profile, the
VPC and subnets to live in, protection and the logs key. Always ElastiCache: the program's other
modes are not inputs (a ``sidecar`` is a container in the API's task, which only ``WebApp``
builds; ``none`` is no Cache at all). A consumer opens the way to it itself: an ingress rule on
``securityGroupId`` from its own security group on ``port``, and it reads the AUTH token from
``authSecretArn`` and connects with TLS.

Example (Python; from other languages see docs/guides/other-languages.md)::

    cache = Cache("cache", {"vpcId": net.vpc_id, "subnetIds": net.isolated_subnet_ids})
    pulumi.export("cacheHost", cache.primary_endpoint)
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
import pulumi

from components import Cache as ProgramCache
from components import CacheArgs, CacheMode

from .part_args import CacheComponentArgs
from .part_settings import part_settings


class Cache(ProgramCache):
    """A Valkey or Redis OSS ElastiCache replication group in the given subnets: encrypted at rest
    with its own KMS key and in transit (TLS required), an AUTH token generated once into Secrets
    Manager, snapshots, and slow and engine logs to CloudWatch Logs. Its security group has no
    rules: each consumer adds an ingress rule from its own security group on port 6379."""

    security_group_id: pulumi.Output[str] | None
    """The cache's security group, without rules: add an ingress rule from your own group."""
    primary_endpoint: pulumi.Output[str]
    """The host name of the primary node; connect with TLS (rediss://)."""
    port: int
    """The port the cache listens on."""
    replication_group_id: pulumi.Output[str] | None
    """The replication group's ID."""
    member_cluster_ids: list[pulumi.Output[str]]
    """The replication group's clusters (one per node): what CloudWatch names its metrics by."""
    kms_key_arn: pulumi.Output[str] | None
    """The KMS key of its data, snapshots and AUTH token secret."""
    auth_secret_arn: pulumi.Output[str] | None
    """The Secrets Manager secret holding the AUTH token (the whole secret string)."""

    def __init__(
        self, name: str, args: CacheComponentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        part = part_settings(
            args,
            CacheArgs,
            "cache",
            fixed={"mode": CacheMode.ELASTICACHE.value},
        )
        super().__init__(
            name,
            part.model,
            vpc_id=args["vpcId"],
            subnet_ids=args["subnetIds"],
            protect=part.protect,
            ephemeral=part.ephemeral,
            log_kms_key_arn=part.log_kms_key_arn,
            opts=opts,
        )


# The docstring is the package schema's description: one paragraph, not source indentation.
Cache.__doc__ = " ".join((Cache.__doc__ or "").split())
