"""Database: PostgreSQL on RDS, or on Aurora Serverless v2, in the isolated subnets."""

import hashlib
import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.iam_documents import service_trust_policy
from ..core.metrics import DatabaseMetrics
from ..core.outputs import register_declared_outputs
from ..core.wiring import Connection, SecretReference
from .aurora_database import build_aurora
from .database_args import DatabaseArgs, EngineMode
from .database_common import PORT, DatabaseContext
from .database_instance import build_instance

# RDS identifiers allow 63 characters; 50 leaves room for suffixes such as "-reader-5".
_IDENTIFIER_LENGTH = 50


class Database(pulumi.ComponentResource):
    """A private, encrypted PostgreSQL database and the ``connection`` services use to reach it.

    Creates a customer-managed KMS key (rotated; encrypts storage, snapshots, the master
    password secret and Performance Insights), a subnet group on ``subnet_ids``, a security
    group, a parameter group that forces TLS and logs slow statements, log groups with
    retention for the exported logs, and either an RDS instance (``engineMode: instance``; RDS
    offers no read replicas of an instance whose password it manages) or an Aurora Serverless v2
    cluster (a writer plus ``readReplicas`` readers). Never publicly accessible. The master
    password is created by RDS in Secrets Manager (``master_secret_arn``); it never passes
    through Pulumi.

    The security group has no rules at all: each ContainerService given ``connection`` adds the
    ingress from its own security group (a group reference, never a CIDR) and its egress.

    RDS rotates the managed master password every 7 days and ECS reads ``DB_PASSWORD`` only when
    a task starts: the app should re-read the secret (or restart) when a login fails, or sign in
    as its own role with IAM authentication (``iamAuthentication``, on by default).

    Pass ``protect=True`` in production: the instance or cluster and its instances,
    KMS key and parameter group then survive ``pulumi destroy`` and accidental replacement.
    A destroy leaves a final snapshot ``<identifier>-final``, except with ``ephemeral=True`` (a
    stack meant to be destroyed, such as a pull request's preview).

    Example::

        db = Database("db", settings.config.database, vpc_id=network.vpc_id,
                      subnet_ids=network.isolated_subnet_ids, protect=True, opts=on_aws)
        api = ContainerService("api", ..., connections=[db.connection])
    """

    security_group_id: pulumi.Output[str]
    address: pulumi.Output[str]
    port: int
    database_name: str
    username: str
    # The RDS instance's identifier, or in Aurora mode the cluster's: what CloudWatch names it by.
    identifier: pulumi.Output[str]
    replica_identifiers: list[pulumi.Output[str]]
    engine_mode: EngineMode
    kms_key_arn: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: DatabaseArgs,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        protect: bool = False,
        ephemeral: bool = False,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:Database", name, None, opts)
        project, stack = pulumi.get_project(), pulumi.get_stack()
        identifier = database_identifier(project, stack, name)
        self._key(name, identifier, protect)
        self._network(name, identifier, vpc_id, subnet_ids)
        monitoring_role_arn, monitoring_ready = self._enhanced_monitoring(name, identifier, args, role_guard)
        context = DatabaseContext(
            parent=self,
            name=name,
            identifier=identifier,
            args=args,
            kms_key_arn=self.kms_key.arn,
            security_group_id=self.security_group.id,
            subnet_group_name=self.subnet_group.name,
            monitoring_role_arn=monitoring_role_arn,
            monitoring_ready=monitoring_ready,
            protect=protect,
            log_kms_key_arn=log_kms_key_arn,
            ephemeral=ephemeral,
        )
        aurora = args.engine_mode is EngineMode.AURORA_SERVERLESS_V2
        endpoint = build_aurora(context) if aurora else build_instance(context)

        self.security_group_id = self.security_group.id
        self.address = endpoint.address
        self.port = PORT
        self.database_name = args.database_name
        self.username = args.username
        self.identifier = endpoint.identifier
        self.replica_identifiers = endpoint.replica_identifiers
        self.engine_mode = args.engine_mode
        self.kms_key_arn = self.kms_key.arn
        self.master_secret_arn = endpoint.master_secret_arn
        # Not an output (a wiring object): annotated here rather than on the class, whose
        # annotations are the outputs and the package schema's (components/core/outputs.py).
        self.connection: Connection = self._connection()
        register_declared_outputs(self)

    @property
    def metrics(self) -> DatabaseMetrics:
        """What Monitoring watches: the instance, or the Aurora cluster and its readers."""
        aurora = self.engine_mode is EngineMode.AURORA_SERVERLESS_V2
        return DatabaseMetrics(
            kind="aurora" if aurora else "instance",
            identifier=self.identifier,
            replica_count=len(self.replica_identifiers),
        )

    def _connection(self) -> Connection:
        """What a service needs to reach the database: its address, and the password as a secret."""
        return Connection(
            name="database",
            security_group_id=self.security_group_id,
            port=self.port,
            environment={
                "DB_HOST": self.address,
                "DB_PORT": str(self.port),
                "DB_NAME": self.database_name,
                "DB_USER": self.username,
            },
            secrets={
                "DB_PASSWORD": SecretReference(
                    kind="secretsmanager",
                    # ECS's syntax for one key of a JSON secret: <arn>:<json-key>:<stage>:<version>.
                    value_from=self.master_secret_arn.apply(lambda arn: f"{arn}:password::"),
                    resource_arn=self.master_secret_arn,
                    kms_key_arn=self.kms_key_arn,
                )
            },
        )

    def _key(self, name: str, identifier: str, protect: bool) -> None:
        """The key for storage, snapshots, the master password and Performance Insights."""
        project, stack = pulumi.get_project(), pulumi.get_stack()
        child = pulumi.ResourceOptions(parent=self)
        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project}/{stack} {name} database, its snapshots and master password",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.kms_alias = aws.kms.Alias(
            f"{name}-key",
            name=f"alias/{identifier}",
            target_key_id=self.kms_key.key_id,
            opts=child,
        )

    def _network(
        self, name: str, identifier: str, vpc_id: pulumi.Input[str], subnet_ids: pulumi.Input[Sequence[str]]
    ) -> None:
        """A security group without rules (connections add them) and the isolated subnet group."""
        child = pulumi.ResourceOptions(parent=self)
        # No ingress or egress here, not even empty lists: inline rules would make Pulumi remove
        # the rules each connecting service adds as separate resources.
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"PostgreSQL {identifier}; each connecting service adds its own ingress rule",
            vpc_id=vpc_id,
            tags={"Name": identifier},
            opts=child,
        )
        self.subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=identifier,
            description=f"Isolated subnets of {identifier}",
            subnet_ids=subnet_ids,
            opts=child,
        )

    def _enhanced_monitoring(
        self, name: str, identifier: str, args: DatabaseArgs, role_guard: RoleGuard
    ) -> tuple[pulumi.Output[str] | None, list[pulumi.Resource]]:
        """The enhanced-monitoring role when ``enhancedMonitoringSeconds`` > 0, and what to wait for."""
        monitoring_role_arn: pulumi.Output[str] | None = None
        monitoring_ready: list[pulumi.Resource] = []
        if args.enhanced_monitoring_seconds > 0:
            monitoring_role_arn, attachment = self._monitoring_role(name, identifier, role_guard)
            monitoring_ready.append(attachment)

        return monitoring_role_arn, monitoring_ready

    def _monitoring_role(
        self, name: str, identifier: str, role_guard: RoleGuard
    ) -> tuple[pulumi.Output[str], pulumi.Resource]:
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        trust = pulumi.Output.all(
            account=aws.get_caller_identity_output(opts=invoke).account_id,
            partition=partition,
            region=aws.get_region_output(opts=invoke).region,
        ).apply(lambda a: monitoring_trust_policy(a["account"], a["partition"], a["region"], identifier))
        role = aws.iam.Role(
            f"{name}-monitoring",
            description=f"RDS enhanced monitoring of {identifier} sends OS metrics to CloudWatch Logs",
            assume_role_policy=trust,
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The AWS managed policy is the documented permission set for enhanced monitoring; it
        # only writes to the RDSOSMetrics log group.
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring",
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role.arn, attachment


def database_identifier(project: str, stack: str, name: str) -> str:
    """``<project>-<stack>-<name>`` as an RDS identifier: lower case, letters, digits, single hyphens.

    Known before deployment, so the log groups RDS writes to can be created with a retention
    first. Too long a name is cut and given a hash suffix, so two long names stay distinct.
    """
    identifier = re.sub(r"[^a-z0-9]+", "-", f"{project}-{stack}-{name}".lower()).strip("-")
    if not identifier[:1].isalpha():
        identifier = f"db-{identifier}"
    if len(identifier) > _IDENTIFIER_LENGTH:
        digest = hashlib.sha256(identifier.encode()).hexdigest()[:8]
        identifier = f"{identifier[: _IDENTIFIER_LENGTH - 9].rstrip('-')}-{digest}"
    return identifier


def monitoring_trust_policy(account: str, partition: str, region: str, identifier: str) -> str:
    """Trust for enhanced monitoring of this database's instances only (confused-deputy guard)."""
    instances = f"arn:{partition}:rds:{region}:{account}:db:{identifier}"
    # The instance itself and Aurora's numbered instances; StringLike as the RDS User Guide writes it.
    return service_trust_policy(
        "monitoring.rds.amazonaws.com",
        account,
        source_arn=[instances, f"{instances}-*"],
        source_arn_operator="StringLike",
    )
