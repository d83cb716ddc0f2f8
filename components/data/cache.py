"""Cache: Valkey/Redis for the app, as an ElastiCache replication group or a dev-only sidecar."""

import re
import secrets
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..core.metrics import CacheMetrics
from ..core.outputs import register_declared_outputs
from ..core.wiring import Connection, SecretReference, SidecarContainer
from .cache_args import PORT, CacheArgs, CacheEngine, CacheMode
from .cache_sidecar import sidecar_container

AUTH_TOKEN_VARIABLE = "REDIS_AUTH_TOKEN"
# ElastiCache AUTH tokens are 16-128 printable characters without @, " or /; token_urlsafe
# draws from A-Z a-z 0-9 - _ only, and 48 bytes give 64 characters.
_AUTH_TOKEN_LENGTH = 64
_LOG_TYPES = ("slow-log", "engine-log")


class Cache(pulumi.ComponentResource):
    """The app's cache, reached through ``connection`` (name ``cache``).

    ``elasticache`` mode creates, in the isolated subnets: a replication group (``nodeCount``
    nodes, encrypted at rest with its own KMS key and in transit with TLS required, AUTH token
    required, snapshots, minor upgrades in the maintenance window), its subnet and parameter
    groups (``maxmemory-policy``), slow-log and engine-log delivery to two CloudWatch log groups,
    and the AUTH token: a random value generated once into a Secrets Manager secret under the
    same KMS key. Apps read ``REDIS_HOST``, ``REDIS_PORT``, ``REDIS_TLS`` = ``true`` and the
    injected ``REDIS_AUTH_TOKEN`` and connect to ``rediss://:<token>@<host>:<port>/0``.

    The security group gets a description and NO rules here: the ContainerService given
    ``connection`` adds the ingress from its own security group on 6379 and its own egress, so
    only services wired to the cache can reach it.

    ``sidecar`` mode creates no AWS resources: ``sidecar`` is a container to add to the app's
    task, listening on 127.0.0.1:6379 without TLS or password (``REDIS_TLS`` = ``false``).
    DEV ONLY: its data is lost on every task restart and deploy, it is not shared between
    tasks, and workers (other tasks) cannot reach it.

    ``none`` mode is not this component's: with it the program constructs no Cache (doing so
    raises ValueError).

    ``protect=True`` (prod) protects the replication group, its KMS key, the AUTH secret and
    its value, and the parameter group. A protected parameter group must be unprotected for an
    engine major upgrade, which needs a new one of another family. With snapshots kept, a destroy
    leaves a final snapshot, except with ``ephemeral=True`` (a stack meant to be destroyed).

    Example::

        cache = Cache("cache", settings.config.cache, vpc_id=network.vpc_id,
                      subnet_ids=network.isolated_subnet_ids, protect=True, opts=on_aws)
        api = ContainerService("api", ..., connections=[cache.connection])
    """

    security_group_id: pulumi.Output[str] | None
    primary_endpoint: pulumi.Output[str]
    port: int
    replication_group_id: pulumi.Output[str] | None
    member_cluster_ids: list[pulumi.Output[str]]
    kms_key_arn: pulumi.Output[str] | None
    auth_secret_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: CacheArgs,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        protect: bool = False,
        ephemeral: bool = False,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if args.mode is CacheMode.NONE:
            # A component that creates nothing would still hand out a connection with REDIS_*
            # variables pointing nowhere; the caller builds no Cache instead.
            raise ValueError(f"Cache {name!r}: mode none means no cache; do not construct a Cache")
        super().__init__("webapp:index:Cache", name, None, opts)
        self.port = PORT
        self.security_group_id = None
        self.replication_group_id = None
        self.member_cluster_ids = []
        self.kms_key_arn = None
        self.auth_secret_arn = None
        # Wiring objects, not outputs: annotated here rather than on the class, whose annotations
        # are the outputs and the package schema's (components/core/outputs.py).
        self.sidecar: SidecarContainer | None = None
        self.connection: Connection

        if args.mode is CacheMode.SIDECAR:
            # Dev only: data is lost on every task restart and deploy, each task has its own
            # copy, and workers in other tasks cannot reach it.
            self.sidecar = sidecar_container(args)
            self.primary_endpoint = pulumi.Output.from_input("localhost")
            self.connection = Connection(
                name="cache",
                security_group_id=None,
                port=PORT,
                environment={"REDIS_HOST": "localhost", "REDIS_PORT": str(PORT), "REDIS_TLS": "false"},
                secrets={},
            )
        else:
            self._elasticache(
                name, args, vpc_id, subnet_ids, protect, log_kms_key_arn, final_snapshot=not ephemeral
            )

        register_declared_outputs(self)

    @property
    def metrics(self) -> CacheMetrics | None:
        """What Monitoring watches: the ElastiCache member clusters; None for a sidecar (no metrics)."""
        return CacheMetrics(self.member_cluster_ids) if self.member_cluster_ids else None

    def _elasticache(
        self,
        name: str,
        args: CacheArgs,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        protect: bool,
        log_kms_key_arn: pulumi.Input[str] | None,
        *,
        final_snapshot: bool,
    ) -> None:
        project, stack = pulumi.get_project(), pulumi.get_stack()
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=protect)

        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project}/{stack} {name} cache, its snapshots and AUTH token",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=stateful,
        )
        self.kms_alias = aws.kms.Alias(
            f"{name}-key",
            name=_clean(f"alias/{project}-{stack}-{name}-elasticache", r"[^A-Za-z0-9/_-]"),
            target_key_id=self.kms_key.key_id,
            opts=child,
        )

        auth_token, self.auth_secret_arn = self._auth_token(name, args, stateful, project, stack)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"ElastiCache {name}; the services wired to it add their own ingress",
            vpc_id=vpc_id,
            tags={"Name": f"{name}-elasticache"},
            opts=child,
        )
        self.subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            description=f"Isolated subnets of the {name} cache",
            subnet_ids=subnet_ids,
            opts=child,
        )
        self.parameter_group = aws.elasticache.ParameterGroup(
            f"{name}-params",
            family=args.parameter_group_family,
            description=f"{name} cache: {args.engine.value} {args.version}",
            parameters=[
                aws.elasticache.ParameterGroupParameterArgs(
                    name="maxmemory-policy", value=args.maxmemory_policy.value
                )
            ],
            opts=stateful,
        )
        self.log_groups = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}",
                # The resource policy AWS log delivery writes covers /aws/vendedlogs/* once,
                # instead of growing by one entry per group up to its size limit.
                name=f"/aws/vendedlogs/{project}/{stack}/{name}/{log_type}",
                retention_in_days=args.log_retention_days,
                kms_key_id=log_kms_key_arn,
                opts=child,
            )
            for log_type in _LOG_TYPES
        }

        keeps_snapshots = args.snapshot_retention_days > 0
        self.replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-rg",
            description=f"{args.engine.value} cache {name} of {project}/{stack}",
            engine=args.engine.value,
            engine_version=args.version,
            node_type=args.node_type,
            num_cache_clusters=args.node_count,
            port=PORT,
            parameter_group_name=self.parameter_group.name,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[self.security_group.id],
            at_rest_encryption_enabled=True,
            kms_key_id=self.kms_key.arn,
            transit_encryption_enabled=True,
            # The mode setting exists from Redis OSS 7.0.5 on; older engines with TLS on
            # accept TLS connections only, which is what "required" asks for.
            transit_encryption_mode=None if _before_redis_7(args) else "required",
            auth_token=auth_token,
            # Used only when the token changes (the secret was replaced): ROTATE keeps the old
            # token valid beside the new one, so running tasks keep their connections.
            auth_token_update_strategy="ROTATE",
            automatic_failover_enabled=args.automatic_failover,
            multi_az_enabled=args.multi_az,
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=args.snapshot_window if keeps_snapshots else None,
            maintenance_window=args.maintenance_window,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            final_snapshot_identifier=(
                _clean(f"{project}-{stack}-{name}-final".lower(), r"[^a-z0-9-]")
                if keeps_snapshots and final_snapshot
                else None
            ),
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type, group in self.log_groups.items()
            ],
            opts=stateful,
        )

        self.security_group_id = self.security_group.id
        self.primary_endpoint = self.replication_group.primary_endpoint_address
        self.replication_group_id = self.replication_group.replication_group_id
        # ElastiCache names a replication group's clusters <group id>-001, -002, ...; CloudWatch
        # publishes host and engine metrics per cluster, so monitoring needs these names.
        self.member_cluster_ids = [
            self.replication_group_id.apply(lambda group, n=n: f"{group}-{n:03d}")
            for n in range(1, args.node_count + 1)
        ]
        self.kms_key_arn = self.kms_key.arn
        token_ref = SecretReference(
            kind="secretsmanager",
            value_from=self.auth_secret_arn,
            resource_arn=self.auth_secret_arn,
            kms_key_arn=self.kms_key_arn,
        )
        self.connection = Connection(
            name="cache",
            security_group_id=self.security_group_id,
            port=PORT,
            environment={"REDIS_HOST": self.primary_endpoint, "REDIS_PORT": str(PORT), "REDIS_TLS": "true"},
            secrets={AUTH_TOKEN_VARIABLE: token_ref},
        )

    def _auth_token(
        self, name: str, args: CacheArgs, stateful: pulumi.ResourceOptions, project: str, stack: str
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """The AUTH token as stored in its secret, and the secret's ARN (resolving after the value)."""
        self.auth_secret = aws.secretsmanager.Secret(
            f"{name}-auth",
            name=f"{project}/{stack}/{name}/{AUTH_TOKEN_VARIABLE}",
            description=f"AUTH token of the {project}/{stack} {name} cache; generated once by Pulumi",
            kms_key_id=self.kms_key.arn,
            recovery_window_in_days=args.recovery_window_days,
            opts=stateful,
        )
        self.auth_secret_version = aws.secretsmanager.SecretVersion(
            f"{name}-auth",
            secret_id=self.auth_secret.id,
            secret_string=pulumi.Output.secret(secrets.token_urlsafe(48)[:_AUTH_TOKEN_LENGTH]),
            opts=pulumi.ResourceOptions.merge(
                stateful,
                # Every run draws a new random value; ignoring it keeps the one stored first.
                pulumi.ResourceOptions(ignore_changes=["secretString"]),
            ),
        )
        # The replication group takes the value as stored, not this run's draw: later runs
        # then see no change, and a replaced replication group gets the token apps already
        # hold, so no ignore_changes is needed on authToken (which could let the two drift).
        stored = self.auth_secret_version.secret_string.apply(lambda value: value or "")
        # A task started before the value exists fails; carrying the version in the ARN makes
        # consumers (task definitions, IAM policies) wait for it.
        arn = pulumi.Output.all(self.auth_secret.arn, self.auth_secret_version.id).apply(lambda a: str(a[0]))
        return pulumi.Output.secret(stored), arn


def _before_redis_7(args: CacheArgs) -> bool:
    return args.engine is CacheEngine.REDIS and args.version.startswith("6.")


def _clean(value: str, disallowed: str) -> str:
    """Lower-risk names: characters AWS rejects become '-', without doubled or trailing ones."""
    return re.sub(r"-{2,}", "-", re.sub(disallowed, "-", value)).strip("-")
