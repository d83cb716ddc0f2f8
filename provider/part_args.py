"""The args of the components hosted on their own besides WebApp (generated: do not edit).

Each is its config section's keys (``webapp:network``...), spelled as in a stack file, plus what
the wiring hands that component in the Python program (``part_specs.PARTS``). Regenerate
with ``.venv/bin/python -m provider.args_codegen --write``.
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
from typing import Required, TypedDict

from pulumi import Input

from components.data.cache_args import CacheEngine, MaxmemoryPolicy
from components.data.database_args import EngineMode
from components.edge.static_site_args import PriceClass
from components.network.network_args import InterfaceEndpoint, NatStrategy, NatType
from components.profiles import Profile

from .api_origin_args import ApiOriginArgs
from .web_app_args import FlowLogsSettings, SiteAccessLogsSettings, SubnetMasksSettings


class NetworkComponentArgs(TypedDict, total=False):
    """A Network's args: the webapp:network keys, its profile, the logs key and the role guard."""

    profile: Profile
    """Which defaults the keys left out start from, as a stack's webapp:profile (default dev)."""
    logKmsKeyArn: Input[str]
    """The KMS key (ARN) that encrypts the component's CloudWatch log groups; its key policy must let CloudWatch Logs use it. Left out: CloudWatch Logs' own encryption."""
    permissionsBoundaryArn: Input[str]
    """The IAM policy (ARN) every role the component creates gets as its permissions boundary, e.g. the one bootstrap/ made; left out: no boundary."""
    rolePath: str
    """The IAM path of every role the component creates, such as /shop/prod/ (the bootstrap's deploy roles require /<project>/<stack>/); left out: /."""
    cidrBlock: str
    """The VPC's IPv4 range: a private range from /16 to /24 (three tiers in two or more AZs need a /24)."""
    azCount: int
    """Availability zones: RDS, ElastiCache and the ALB need two; no target region has more than 6."""
    subnetMasks: SubnetMasksSettings
    """Prefix length of each tier's subnets; they must fit in ``cidrBlock`` for every AZ."""
    natStrategy: NatStrategy
    """How many NATs give the private subnets internet egress."""
    natType: NatType
    """Whether each NAT is a managed gateway or a cheaper Graviton instance."""
    natInstanceType: str
    """A NAT instance's Graviton type (it boots the arm64 AL2023 AMI); natType instance only."""
    natInstanceAmi: str
    """An arm64 AL2023 AMI id for the NAT instance; null: the newest at its creation, then kept."""
    interfaceEndpoints: list[InterfaceEndpoint]
    """PrivateLink endpoints (billed per AZ-hour); natStrategy none needs ecr.api, ecr.dkr and logs."""
    flowLogs: FlowLogsSettings
    """VPC flow logs to CloudWatch Logs, always on (control EC2.6)."""


class DatabaseComponentArgs(TypedDict, total=False):
    """A Database's args: the webapp:database keys, where it lives, protection and the role guard."""

    profile: Profile
    """Which defaults the keys left out start from, as a stack's webapp:profile (default dev)."""
    vpcId: Required[Input[str]]
    """The VPC of its security group: a Network's vpcId."""
    subnetIds: Required[Input[list[str]]]
    """The subnets of its subnet group, in two or more AZs: a Network's isolatedSubnetIds."""
    protect: bool
    """Pulumi protect on its stateful resources (data, KMS key, secret, parameter group), so deleting or replacing them fails until unprotected; left out: the profile's (prod true, dev false)."""
    ephemeral: bool
    """Meant to be destroyed (a preview): no final snapshot, no deletion protection, no recovery window; keys that would block a destroy are refused."""
    logKmsKeyArn: Input[str]
    """The KMS key (ARN) that encrypts the component's CloudWatch log groups; its key policy must let CloudWatch Logs use it. Left out: CloudWatch Logs' own encryption."""
    permissionsBoundaryArn: Input[str]
    """The IAM policy (ARN) every role the component creates gets as its permissions boundary, e.g. the one bootstrap/ made; left out: no boundary."""
    rolePath: str
    """The IAM path of every role the component creates, such as /shop/prod/ (the bootstrap's deploy roles require /<project>/<stack>/); left out: /."""
    engineMode: EngineMode
    """Which PostgreSQL service runs the database: an RDS instance or Aurora Serverless v2."""
    engineVersion: str
    """PostgreSQL major version; AWS picks the newest minor and applies minor upgrades."""
    instanceClass: str
    """RDS instance class ``db.<family>.<size>`` of a current generation; engineMode instance only."""
    allocatedStorage: int
    """Initial gp3 storage in GiB; engineMode instance only."""
    maxAllocatedStorage: int
    """Storage autoscaling limit in GiB, at least 10% above allocatedStorage; engineMode instance only."""
    databaseName: str
    """The database created for the app (lower case, so it never needs quoting)."""
    username: str
    """Master user name; not postgres, admin, root or pg_/rds names, which password guessers try first."""
    backupRetentionDays: int
    """Days automated backups (point-in-time recovery) are kept."""
    backupWindow: str
    """Daily UTC window ``hh:mm-hh:mm`` for automated backups, apart from maintenanceWindow."""
    maintenanceWindow: str
    """Weekly UTC window ``ddd:hh:mm-ddd:hh:mm`` for patches and minor upgrades."""
    slowQueryMs: int
    """Statements slower than this many milliseconds are logged; -1 off, 0 every statement."""
    logRetentionDays: int
    """Days CloudWatch Logs keeps the exported PostgreSQL logs."""
    multiAz: bool
    """A synchronous standby in a second AZ for failover; engineMode instance only."""
    deletionProtection: bool
    """Refuse to delete the database until this is turned off."""
    performanceInsights: bool
    """Performance Insights with its free 7-day retention."""
    enhancedMonitoringSeconds: int
    """Interval of OS-level Enhanced Monitoring metrics in seconds; 0 turns it off."""
    readReplicas: int
    """Aurora readers (failover targets); an RDS instance with a managed password cannot have any."""
    autoMinorVersionUpgrade: bool
    """Apply minor PostgreSQL upgrades in the maintenance window."""
    iamAuthentication: bool
    """Allow IAM database authentication alongside the password."""
    minCapacity: float
    """Smallest Aurora size in ACUs (steps of 0.5); 0 pauses when idle; engineMode aurora-serverless-v2."""
    maxCapacity: float
    """Largest Aurora size in ACUs (steps of 0.5), which caps the bill; engineMode aurora-serverless-v2."""
    secondsUntilAutoPause: int
    """Idle seconds before Aurora pauses at 0 ACU; only with minCapacity 0."""


class CacheComponentArgs(TypedDict, total=False):
    """A Cache's args: the webapp:cache keys of an ElastiCache cache, where it lives and protection."""

    profile: Profile
    """Which defaults the keys left out start from, as a stack's webapp:profile (default dev)."""
    vpcId: Required[Input[str]]
    """The VPC of its security group: a Network's vpcId."""
    subnetIds: Required[Input[list[str]]]
    """The subnets of its subnet group, in two or more AZs: a Network's isolatedSubnetIds."""
    protect: bool
    """Pulumi protect on its stateful resources (data, KMS key, secret, parameter group), so deleting or replacing them fails until unprotected; left out: the profile's (prod true, dev false)."""
    ephemeral: bool
    """Meant to be destroyed (a preview): no final snapshot, no deletion protection, no recovery window; keys that would block a destroy are refused."""
    logKmsKeyArn: Input[str]
    """The KMS key (ARN) that encrypts the component's CloudWatch log groups; its key policy must let CloudWatch Logs use it. Left out: CloudWatch Logs' own encryption."""
    engine: CacheEngine
    """Valkey or Redis OSS, in ElastiCache (the sidecar runs whatever sidecarImage holds)."""
    engineVersion: str
    """An engine version ElastiCache offers, e.g. ``"8.0"``; null: the engine's default (see ``version``)."""
    nodeType: str
    """ElastiCache node type ``cache.<family>.<size>`` (t4g/t3 small sizes, m6g-r7g from large)."""
    nodeCount: int
    """Nodes in the replication group: a primary and up to 5 replicas."""
    automaticFailover: bool
    """Promote a replica when the primary fails (needs nodeCount 2 or more)."""
    multiAz: bool
    """Place replicas in other AZs than the primary (needs automaticFailover)."""
    maxmemoryPolicy: MaxmemoryPolicy
    """What the engine evicts when memory is full, in ElastiCache and the sidecar alike."""
    snapshotRetentionDays: int
    """Days daily snapshots are kept; 0 takes none."""
    snapshotWindow: str
    """Daily UTC window ``hh:mm-hh:mm`` (60 minutes or more) for snapshots, apart from maintenance."""
    maintenanceWindow: str
    """Weekly UTC window ``ddd:hh:mm-ddd:hh:mm`` (60 minutes or more) for patches."""
    logRetentionDays: int
    """Days CloudWatch Logs keeps the engine and slow logs."""
    recoveryWindowDays: int
    """Days the deleted AUTH token secret can still be restored; 0 deletes it at once."""


class StaticSiteComponentArgs(TypedDict, total=False):
    """A StaticSite's args: the webapp:site keys of the distribution, its API origin, names and ACL."""

    profile: Profile
    """Which defaults the keys left out start from, as a stack's webapp:profile (default dev)."""
    apiOrigin: ApiOriginArgs
    """The internal ALB that apiPathPattern goes to, through a CloudFront VPC origin; left out: the distribution serves the bucket only."""
    certificateArn: Input[str]
    """An ACM certificate in us-east-1 covering every alias; required with aliases."""
    aliases: list[str]
    """The distribution's own host names (CNAMEs), such as www.example.com."""
    canonicalHost: str
    """One of the aliases: every other host name gets a 301 to it (the API path excepted)."""
    webAclArn: Input[str]
    """A WAF web ACL (ARN) of scope CLOUDFRONT, in us-east-1, in front of the distribution."""
    accessLogKmsKeyArn: Input[str]
    """A us-east-1 KMS key (ARN) for the access logs' log group (accessLogs.enabled), its policy letting logs.us-east-1.amazonaws.com use it; left out: CloudWatch Logs' own encryption."""
    protect: bool
    """Pulumi protect on the site bucket; left out: the profile's (prod true, dev false)."""
    ephemeral: bool
    """Meant to be destroyed (a preview): no final snapshot, no deletion protection, no recovery window; keys that would block a destroy are refused."""
    priceClass: PriceClass
    """Which edge locations serve the site."""
    htmlTtlSeconds: int
    """Seconds CloudFront caches HTML, which names the hashed assets: short, or old releases linger."""
    hashedAssetPaths: list[str]
    """Path patterns of content-hashed build output: cached for a year, never revalidated."""
    apiPathPattern: str
    """The prefix pattern (ending in ``/*``) CloudFront routes to the API."""
    spaFallback: bool
    """Answer unknown paths with index.html so a single-page app's router handles them."""
    contentSecurityPolicy: str
    """The Content-Security-Policy header CloudFront adds; null: none."""
    noncurrentVersionExpirationDays: int
    """Days an overwritten site file is kept, for a rollback."""
    accessLogs: SiteAccessLogsSettings
    """CloudFront standard access logs to CloudWatch Logs."""
