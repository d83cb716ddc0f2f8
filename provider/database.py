"""``Database`` on its own: PostgreSQL for a program in any language (``webapp:index:Database``).

The same class as the Python program's (``components.Database``, one resource with the same
type token), constructed from schema args: the ``webapp:database`` keys at the top level, a
profile, the VPC and subnets to live in, protection, and the logs key and role guard. The
program's services reach it through a ``Connection``; on its own a consumer opens the way
itself: an ``aws.vpc.SecurityGroupIngressRule`` on ``securityGroupId`` from its own security
group on ``port``, and an egress rule on its side.

Example (Python; from other languages see docs/guides/other-languages.md)::

    db = Database("db", {"profile": "prod", "vpcId": net.vpc_id, "subnetIds": net.isolated_subnet_ids})
    pulumi.export("databaseAddress", db.address)
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
import pulumi

from components import Database as ProgramDatabase
from components import DatabaseArgs, EngineMode

from .part_args import DatabaseComponentArgs
from .part_settings import part_settings


class Database(ProgramDatabase):
    """A private, encrypted PostgreSQL database: an RDS instance or an Aurora Serverless v2 cluster
    in the given subnets, with its own rotated KMS key, a parameter group that forces TLS, log groups
    with retention and the master password kept by RDS in Secrets Manager. Its security group has no
    rules: each consumer adds an ingress rule from its own security group on port 5432."""

    security_group_id: pulumi.Output[str]
    """The database's security group, without rules: add an ingress rule from your own group."""
    address: pulumi.Output[str]
    """The host name to connect to (the instance's, or the Aurora cluster's writer endpoint)."""
    port: int
    """The port PostgreSQL listens on."""
    database_name: str
    """The database created at launch."""
    username: str
    """The master user's name."""
    identifier: pulumi.Output[str]
    """The RDS instance's identifier, or the Aurora cluster's: what CloudWatch names it by."""
    replica_identifiers: list[pulumi.Output[str]]
    """The Aurora readers' identifiers (readReplicas); empty for an RDS instance."""
    engine_mode: EngineMode
    """Whether it is an RDS instance or an Aurora Serverless v2 cluster."""
    kms_key_arn: pulumi.Output[str]
    """The KMS key of its storage, snapshots, master secret and Performance Insights."""
    master_secret_arn: pulumi.Output[str]
    """The Secrets Manager secret RDS keeps the master user's password in (JSON key password)."""

    def __init__(
        self, name: str, args: DatabaseComponentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        part = part_settings(args, DatabaseArgs, "database")
        super().__init__(
            name,
            part.model,
            vpc_id=args["vpcId"],
            subnet_ids=args["subnetIds"],
            protect=part.protect,
            ephemeral=part.ephemeral,
            log_kms_key_arn=part.log_kms_key_arn,
            role_guard=part.role_guard,
            opts=opts,
        )


# The docstring is the package schema's description: one paragraph, not source indentation.
Database.__doc__ = " ".join((Database.__doc__ or "").split())
