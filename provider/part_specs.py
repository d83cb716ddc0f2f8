"""What each component hosted on its own takes: its config section's model plus its hand-offs.

In the Python program ``components.app.build_stack`` hands Network, Database, Cache and
StaticSite Python objects besides their args (a ``RoleGuard``, the logs key, the VPC, an
``ApiOrigin``). On their own, those become schema inputs a program in any language can pass:
ARNs, a role path, VPC and subnet IDs, an internal ALB (docs/decisions/0020). ``args_codegen``
writes one TypedDict per part from this list.

Example::

    PartSpec("NetworkComponentArgs", NetworkArgs, "...", extra=(PROFILE, LOG_KMS_KEY_ARN))
"""

from dataclasses import dataclass

from pydantic import BaseModel

from components import CacheArgs, DatabaseArgs, NetworkArgs, StaticSiteArgs

# (key, TypedDict annotation, description) of an input that is no key of the config section.
Field = tuple[str, str, str]

PROFILE: Field = (
    "profile",
    "Profile",
    "Which defaults the keys left out start from, as a stack's webapp:profile (default dev).",
)
LOG_KMS_KEY_ARN: Field = (
    "logKmsKeyArn",
    "Input[str]",
    "The KMS key (ARN) that encrypts the component's CloudWatch log groups; its key policy must let "
    "CloudWatch Logs use it. Left out: CloudWatch Logs' own encryption.",
)
PERMISSIONS_BOUNDARY_ARN: Field = (
    "permissionsBoundaryArn",
    "Input[str]",
    "The IAM policy (ARN) every role the component creates gets as its permissions boundary, "
    "e.g. the one bootstrap/ made; left out: no boundary.",
)
ROLE_PATH: Field = (
    "rolePath",
    "str",
    "The IAM path of every role the component creates, such as /shop/prod/ (the bootstrap's deploy "
    "roles require /<project>/<stack>/); left out: /.",
)
VPC_ID: Field = ("vpcId", "Required[Input[str]]", "The VPC of its security group: a Network's vpcId.")
SUBNET_IDS: Field = (
    "subnetIds",
    "Required[Input[list[str]]]",
    "The subnets of its subnet group, in two or more AZs: a Network's isolatedSubnetIds.",
)
PROTECT: Field = (
    "protect",
    "bool",
    "Pulumi protect on its stateful resources (data, KMS key, secret, parameter group), so deleting "
    "or replacing them fails until unprotected; left out: the profile's (prod true, dev false).",
)
EPHEMERAL: Field = (
    "ephemeral",
    "bool",
    "Meant to be destroyed (a preview): no final snapshot, no deletion protection, no recovery "
    "window; keys that would block a destroy are refused.",
)


API_ORIGIN: Field = (
    "apiOrigin",
    "ApiOriginArgs",
    "The internal ALB that apiPathPattern goes to, through a CloudFront VPC origin; left out: the "
    "distribution serves the bucket only.",
)
CERTIFICATE_ARN: Field = (
    "certificateArn",
    "Input[str]",
    "An ACM certificate in us-east-1 covering every alias; required with aliases.",
)
ALIASES: Field = (
    "aliases",
    "list[str]",
    "The distribution's own host names (CNAMEs), such as www.example.com.",
)
CANONICAL_HOST: Field = (
    "canonicalHost",
    "str",
    "One of the aliases: every other host name gets a 301 to it (the API path excepted).",
)
WEB_ACL_ARN: Field = (
    "webAclArn",
    "Input[str]",
    "A WAF web ACL (ARN) of scope CLOUDFRONT, in us-east-1, in front of the distribution.",
)
ACCESS_LOG_KMS_KEY_ARN: Field = (
    "accessLogKmsKeyArn",
    "Input[str]",
    "A us-east-1 KMS key (ARN) for the access logs' log group (accessLogs.enabled), its policy "
    "letting logs.us-east-1.amazonaws.com use it; left out: CloudWatch Logs' own encryption.",
)
SITE_PROTECT: Field = (
    "protect",
    "bool",
    "Pulumi protect on the site bucket; left out: the profile's (prod true, dev false).",
)


@dataclass(frozen=True)
class PartSpec:
    """One hosted part's args TypedDict: ``model``'s fields less ``omit``, after ``extra``.

    ``imports`` are the import lines of hand-written types ``extra`` names.
    """

    name: str
    model: type[BaseModel]
    doc: str
    extra: tuple[Field, ...]
    omit: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()


PARTS = (
    PartSpec(
        "NetworkComponentArgs",
        NetworkArgs,
        "A Network's args: the webapp:network keys, its profile, the logs key and the role guard.",
        extra=(PROFILE, LOG_KMS_KEY_ARN, PERMISSIONS_BOUNDARY_ARN, ROLE_PATH),
    ),
    PartSpec(
        "DatabaseComponentArgs",
        DatabaseArgs,
        "A Database's args: the webapp:database keys, where it lives, protection and the role guard.",
        extra=(
            PROFILE,
            VPC_ID,
            SUBNET_IDS,
            PROTECT,
            EPHEMERAL,
            LOG_KMS_KEY_ARN,
            PERMISSIONS_BOUNDARY_ARN,
            ROLE_PATH,
        ),
    ),
    PartSpec(
        "CacheComponentArgs",
        CacheArgs,
        "A Cache's args: the webapp:cache keys of an ElastiCache cache, where it lives and protection.",
        extra=(PROFILE, VPC_ID, SUBNET_IDS, PROTECT, EPHEMERAL, LOG_KMS_KEY_ARN),
        # On its own the cache is always ElastiCache: a sidecar lives inside the API's task,
        # which only WebApp builds (docs/decisions/0020).
        omit=("mode", "sidecarImage", "sidecarMemoryMb"),
    ),
    PartSpec(
        "StaticSiteComponentArgs",
        StaticSiteArgs,
        "A StaticSite's args: the webapp:site keys of the distribution, its API origin, names and ACL.",
        extra=(
            PROFILE,
            API_ORIGIN,
            CERTIFICATE_ARN,
            ALIASES,
            CANONICAL_HOST,
            WEB_ACL_ARN,
            ACCESS_LOG_KMS_KEY_ARN,
            SITE_PROTECT,
            EPHEMERAL,
        ),
        # The program's wiring acts on these around StaticSite (SiteDomain makes the certificate
        # and DNS, SiteContent uploads the build, LoadBalancer the origin's TLS): on its own the
        # consumer passes their results (certificateArn, aliases, apiOrigin) or uploads itself.
        omit=("enabled", "domain", "originTls", "buildDir"),
        imports=("from .api_origin_args import ApiOriginArgs",),
    ),
)
