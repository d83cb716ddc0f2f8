"""The ceiling of every role a stack creates: the workload permissions boundary, and where roles live.

``bootstrap/`` creates one boundary policy per app stack, named by ``boundary_policy_name``; the
deploy roles may create or change a role's permissions only with that boundary attached
(``iam:PermissionsBoundary``), and only under the stack's role path (``role_path``). The app
program computes the same ARN (``boundary_policy_arn``) and gives every component a ``RoleGuard``.
A role of the stack can therefore never do more than the boundary allows, whatever inline policy
a deploy role writes on it, and the boundary allows nothing that changes IAM.

Example::

    guard = RoleGuard(permissions_boundary="arn:aws:iam::123456789012:policy/webapp-dev-workload-boundary",
                      path=role_path("webapp", "dev"))
    aws.iam.Role("task", assume_role_policy=trust, permissions_boundary=guard.permissions_boundary,
                 path=guard.path)
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
import pulumi_aws as aws
from pydantic import field_validator

from ._model import ConfigModel, InSchema

# What no role of a stack may ever do: administer identities (and with them its own permissions),
# take another role's credentials, or change the organization or the account.
OUTSIDE_THE_BOUNDARY = ["iam:*", "sts:*", "organizations:*", "account:*"]


@dataclass(frozen=True)
class RoleGuard:
    """What every ``aws.iam.Role`` a component creates gets: the boundary ARN and the role path.

    ``RoleGuard()`` (no boundary, path ``/``) is for accounts without the bootstrap and for tests.

    Example::

        ContainerService("api", args, ..., role_guard=RoleGuard(boundary_arn, "/webapp/dev/"))
    """

    permissions_boundary: pulumi.Input[str] | None = None
    path: str | None = None


# Components' default: no boundary, the default path (accounts without the bootstrap, unit tests).
NO_ROLE_GUARD = RoleGuard()


_POLICY_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:policy/[\w+=,.@/-]{1,512}$")
# A group of stacks sharing one bootstrap boundary (`bootstrap:previews`), spelled like a stack name.
_GROUP = r"[A-Za-z0-9_.-]{1,64}"
_BOOTSTRAP = re.compile(rf"^bootstrap(:(?P<group>{_GROUP}))?$")


class IamArgs(ConfigModel):
    """How the stack's roles are bounded (``webapp:iam``).

    ``permissionsBoundary`` is ``bootstrap`` (the boundary ``bootstrap/`` made for this stack in
    the deploying account, ``arn:<partition>:iam::<account>:policy/<project>-<stack>-workload-boundary``),
    ``bootstrap:<group>`` (the one bootstrap made for a group of stacks,
    ``<project>-<group>-workload-boundary``: ``bootstrap:previews`` for the pull requests' preview
    stacks), an IAM policy ARN, or ``none`` for an account without the bootstrap (its roles then
    get no boundary, and the bootstrap's deploy roles could not create them).

    Example::

        IamArgs(permissions_boundary="none")   # {permissionsBoundary: none}
        IamArgs(permissions_boundary="bootstrap:previews")
    """

    permissions_boundary: Annotated[
        str, InSchema(pattern=f"^(bootstrap(:{_GROUP})?|none|{_POLICY_ARN.pattern.strip('^$')})$")
    ] = "bootstrap"
    """``bootstrap`` (bootstrap/'s boundary of this stack), ``bootstrap:<group>``, a policy ARN, ``none``."""

    @field_validator("permissions_boundary")
    @classmethod
    def _boundary(cls, value: str) -> str:
        if not _BOOTSTRAP.match(value) and value != "none" and not _POLICY_ARN.match(value):
            raise ValueError(
                'must be "bootstrap", "bootstrap:<group>" (e.g. bootstrap:previews), "none" or an IAM '
                "policy ARN (arn:aws:iam::<account>:policy/<name>)"
            )
        return value

    @property
    def bootstrap_group(self) -> str | None:
        """The stack or group whose bootstrap boundary applies (``None``: not bootstrap's)."""
        match = _BOOTSTRAP.match(self.permissions_boundary)
        if match is None:
            return None
        return match["group"] or pulumi.get_stack()


def stack_role_guard(args: IamArgs, opts: pulumi.InvokeOutputOptions) -> RoleGuard:
    """The running stack's ``RoleGuard``: its boundary per ``args`` and the path ``/<project>/<stack>/``.

    ``opts`` names the provider the account lookups use (the program disables the default one).
    """
    project, stack = pulumi.get_project(), pulumi.get_stack()
    boundary: pulumi.Input[str] | None = None
    group = args.bootstrap_group
    if group is not None:
        boundary = pulumi.Output.all(
            aws.get_partition_output(opts=opts).partition,
            aws.get_caller_identity_output(opts=opts).account_id,
        ).apply(lambda v: boundary_policy_arn(v[0], v[1], project, group))
    elif args.permissions_boundary != "none":
        boundary = args.permissions_boundary
    return RoleGuard(permissions_boundary=boundary, path=role_path(project, stack))


def boundary_policy_name(project: str, stack: str) -> str:
    """``<project>-<stack>-workload-boundary``: bootstrap creates it, the app computes its ARN.

    ``stack`` is a stack, or a group of stacks sharing one boundary (``previews``).
    """
    return f"{project}-{stack}-workload-boundary"


def boundary_policy_arn(partition: str, account_id: str, project: str, stack: str) -> str:
    return f"arn:{partition}:iam::{account_id}:policy/{boundary_policy_name(project, stack)}"


def role_path(project: str, stack: str) -> str:
    """``/<project>/<stack>/``: the deploy roles may create, change and pass only roles under it."""
    return f"/{project}/{stack}/"


def workload_boundary_policy(
    *, project: str, stack: str, state_bucket_arn: str, protected_key_arns: Sequence[str]
) -> str:
    """The boundary of ``project``/``stack``'s roles, as IAM policy JSON.

    Allows every action but IAM, STS, Organizations and account administration (what the task
    roles need follows the app's ``service.permissions``, which the policy pack keeps least
    privilege); denies every action on resources tagged with the project and another stack, and
    on the state bucket and the bootstrap's keys. ``stack`` may be a pattern (``pr-*``, the
    previews' shared boundary): "another stack" is then one whose tag does not match it.
    """
    different = "StringNotLike" if "*" in stack else "StringNotEquals"
    statements: list[dict[str, Any]] = [
        {"Sid": "WorkloadActions", "Effect": "Allow", "NotAction": OUTSIDE_THE_BOUNDARY, "Resource": "*"},
        {
            "Sid": "NoOtherStacks",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:ResourceTag/project": project},
                different: {"aws:ResourceTag/stack": stack},
            },
        },
        {
            "Sid": "NoStateBackend",
            "Effect": "Deny",
            "Action": "*",
            "Resource": [state_bucket_arn, f"{state_bucket_arn}/*", *protected_key_arns],
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
