"""What each component hosted on its own takes: its config section's model plus its hand-offs.

In the Python program ``components.app.build_stack`` hands Network, Database and Cache Python
objects besides their args (a ``RoleGuard``, the logs key, the VPC). On their own, those become
schema inputs a program in any language can pass: ARNs, a role path, a VPC and subnet IDs
(docs/decisions/0020). ``args_codegen`` writes one TypedDict per part from this list.

Example::

    PartSpec("NetworkComponentArgs", NetworkArgs, "...", extra=(PROFILE, LOG_KMS_KEY_ARN))
"""

from dataclasses import dataclass

from pydantic import BaseModel

from components import CacheArgs, DatabaseArgs, NetworkArgs

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


@dataclass(frozen=True)
class PartSpec:
    """One hosted part's args TypedDict: ``model``'s fields less ``omit``, after ``extra``."""

    name: str
    model: type[BaseModel]
    doc: str
    extra: tuple[Field, ...]
    omit: tuple[str, ...] = ()


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
)
