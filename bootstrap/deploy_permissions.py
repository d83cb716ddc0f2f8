"""What the GitHub deploy roles may do: pure functions from a ``DeployScope`` to IAM policy JSON.

The actions (``deploy_permissions_actions``) are those the webapp stack's resources need,
rendered into statements. Regional services are limited to the stack's regions
(``aws:RequestedRegion``); global ones (IAM, CloudFront, Route 53, Budgets) cannot be, since their
calls all report us-east-1. One stack's role cannot act on another's resources:

- every action on a resource tagged with the app's project and another stack is denied
  (``NoOtherStacks``), as is tagging anything with another stack (``NoOtherStacksTags``);
- IAM roles only under the stack's path (``/<project>/<stack>/``), created or given permissions
  only with the stack's permissions boundary; KMS keys only when tagged with the stack;
- state objects only under ``<project>/<stack>/`` of the state bucket, and only the stack's own
  secrets key.

``stack`` may be a pattern (``pr-*``: every pull request's preview stack, docs/decisions/0018):
the tag conditions then use ``StringLike``/``StringNotLike``, the role path and the state prefix
take the pattern, the boundary is the group's (``boundary_group``), and listing the state bucket
is limited to the pattern's prefixes.

Changes to resources whose requests carry no ``aws:ResourceTag`` are not scoped to the stack:
``deploy_permissions_actions.RESIDUAL_UNSCOPED`` lists them, and one AWS account per stack is the
recommended setup (docs/decisions/0014).
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from components.core.deploy_permissions_boundary import boundary_policy_arn, boundary_policy_name, role_path

from .deploy_permissions_actions import (
    ATTACHABLE_POLICIES,
    BOUNDARY_DENIED,
    DENIED_EVERYWHERE,
    GLOBAL_READ,
    GLOBAL_WRITE,
    IAM_PERMISSION_CHANGES,
    IAM_ROLE_CHANGES,
    IAM_ROLE_TAGGING,
    KEY_CREATION,
    PASS_ROLE_SERVICES,
    REGIONAL_READ,
    REGIONAL_WRITE,
    S3_OBJECT_ACTIONS,
    SECRETS_KEY_DENIED,
    SERVICE_LINKED_ROLES,
    STACK_KEY_ACTIONS,
    STATE_BUCKET_DENIED,
)


@dataclass(frozen=True)
class DeployScope:
    """Where a deploy role acts: account, regions, the app's project and stack, the state backend.

    ``secrets_key_arn`` is the stack's own ``awskms://`` key; ``state_key_arn`` encrypts the state
    bucket (the same key when empty).

    Example::

        scope = DeployScope(partition="aws", account_id="123456789012", project="webapp",
                            regions=("eu-west-1", "us-east-1"), state_bucket_arn="arn:aws:s3:::state",
                            secrets_key_arn="arn:aws:kms:eu-west-1:123456789012:key/abcd",
                            stack="dev", protected_roles="webapp-github-*")
        documents = deploy_policies(scope)  # {"services": "{...}", ...}
    """

    partition: str
    account_id: str
    project: str
    regions: tuple[str, ...]
    state_bucket_arn: str
    secrets_key_arn: str
    # The stack a role deploys or previews (its resources carry a `stack` tag).
    stack: str = ""
    # The deploy roles themselves (a name pattern): no deploy role may change any of them.
    protected_roles: str = ""
    state_key_arn: str = ""
    # The boundary of a stack pattern's roles (`previews`: <project>-previews-workload-boundary).
    boundary_group: str = ""

    @property
    def boundary_arn(self) -> str:
        group = self.boundary_group or self.stack
        return boundary_policy_arn(self.partition, self.account_id, self.project, group)

    @property
    def is_pattern(self) -> bool:
        """``stack`` names many stacks (``pr-*``), so stack conditions match it as a glob."""
        return "*" in self.stack

    @property
    def state_prefix(self) -> str:
        """``<project>/<stack>``: the stack's login URL is ``s3://<bucket>/<project>/<stack>``."""
        return f"{self.project}/{self.stack}"


def preview_policy(scope: DeployScope) -> str:
    """Read-only access, the stack's state (reads and locks) and its secrets key to decrypt."""
    statements = [
        _allow("ReadRegional", _actions(REGIONAL_READ), ["*"], _equals(_in_regions(scope))),
        _allow("ReadGlobal", _actions(GLOBAL_READ), ["*"]),
        _public_parameters(scope),
        *_state_backend(scope, write=False),
    ]
    return _document(statements)


def deploy_policies(scope: DeployScope) -> dict[str, str]:
    """Everything a ``pulumi up`` of the webapp stack ``scope.stack`` needs, and the denies.

    Four documents (attached as managed policies): together they exceed the 10,240 characters
    IAM allows a role's inline policies, and each stays under a managed policy's 6,144.
    """
    iam = f"arn:{scope.partition}:iam::{scope.account_id}"
    path = role_path(scope.project, scope.stack)
    roles, profiles = f"{iam}:role{path}*", f"{iam}:instance-profile{path}*"
    keys = f"arn:{scope.partition}:kms:*:{scope.account_id}:key/*"
    state = [scope.state_bucket_arn, f"{scope.state_bucket_arn}/*"]
    own = _tagged(scope, "aws:ResourceTag")  # the role's own stack's resources
    bounded = {"iam:PermissionsBoundary": scope.boundary_arn}
    match = _matching(scope)
    different = "StringNotLike" if scope.is_pattern else "StringNotEquals"
    reads = [
        _allow("ReadRegional", _actions(REGIONAL_READ), ["*"], match(_in_regions(scope))),
        _allow("ReadGlobal", _actions(GLOBAL_READ), ["*"]),
        _public_parameters(scope),
        *_state_backend(scope, write=True),
    ]
    services = [
        _allow("ManageRegional", _actions(REGIONAL_WRITE), ["*"], match(_in_regions(scope))),
        _allow("ManageGlobal", _actions(GLOBAL_WRITE), ["*"]),
        # Any bucket's objects but the state bucket's (granted per stack prefix in WriteState).
        {"Sid": "ManageObjects", "Effect": "Allow", "Action": S3_OBJECT_ACTIONS, "NotResource": state},
    ]
    boundary = f"{iam}:policy/{boundary_policy_name(scope.project, '*')}"
    keys_and_roles = [
        _allow("CreateStackKeys", KEY_CREATION, ["*"],
               match(_in_regions(scope), _tagged(scope, "aws:RequestTag"))),
        _allow("ManageStackKeys", STACK_KEY_ACTIONS, [keys], match(_in_regions(scope), own)),
        _allow("CreateStackRoles", ["iam:CreateRole"], [roles],
               match(_tagged(scope, "aws:RequestTag"), bounded)),
        _allow("TagStackRoles", IAM_ROLE_TAGGING, [roles, profiles],
               match(_tagged(scope, "aws:RequestTag"))),
        _allow("ChangeStackRoles", IAM_ROLE_CHANGES, [roles, profiles], match(own)),
        _allow("ChangeStackRolePermissions", IAM_PERMISSION_CHANGES, [roles], match(own, bounded)),
        _allow("AttachAwsPolicies", ["iam:AttachRolePolicy"], [roles], {
            **match(own, bounded),
            "ArnEquals": {"iam:PolicyARN": [f"arn:{scope.partition}:iam::aws:policy/{p}"
                                            for p in ATTACHABLE_POLICIES]},
        }),
        _allow("PassStackRoles", ["iam:PassRole"], [roles],
               match(own, {"iam:PassedToService": PASS_ROLE_SERVICES})),
        _allow("CreateServiceLinkedRoles", ["iam:CreateServiceLinkedRole"],
               [f"{iam}:role/aws-service-role/*"], match({"iam:AWSServiceName": SERVICE_LINKED_ROLES})),
    ]  # fmt: skip
    guards = [
        _deny("NoLongLivedCredentialsOrAccountChanges", DENIED_EVERYWHERE, ["*"]),
        _deny("NoChangesToDeployRoles", ["iam:*"], [f"{iam}:role/{scope.protected_roles}"]),
        _deny("NoChangesToBoundaries", BOUNDARY_DENIED, [boundary]),
        _deny("NoChangesToStateBucket", STATE_BUCKET_DENIED, state),
        _deny("NoChangesToSecretsKey", SECRETS_KEY_DENIED, _state_keys(scope)),
        # Reads stay allowed (a preview of this stack reads shared lookups); everything else on a
        # resource of this project tagged with another stack is refused.
        {"Sid": "NoOtherStacks", "Effect": "Deny", "NotAction": _actions(REGIONAL_READ + GLOBAL_READ),
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/project": scope.project},
                                        different: {"aws:ResourceTag/stack": scope.stack}}},
        {"Sid": "NoOtherStacksTags", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"Null": {"aws:RequestTag/stack": "false"},
                       different: {"aws:RequestTag/stack": scope.stack}}},
    ]  # fmt: skip
    return {
        "state-and-read": _document(reads),
        "services": _document(services),
        "keys-and-roles": _document(keys_and_roles),
        "guards": _document(guards),
    }


def _state_keys(scope: DeployScope) -> list[str]:
    return list(dict.fromkeys([scope.state_key_arn or scope.secrets_key_arn, scope.secrets_key_arn]))


def _state_backend(scope: DeployScope, *, write: bool) -> list[dict[str, Any]]:
    """The stack's state objects and its secrets key: ``pulumi login s3://<bucket>/<project>/<stack>``.

    A preview writes no checkpoint but may take or clear a lock under ``.pulumi/locks/``, so it
    can write there and only there. Deploys write checkpoints, history and backups under the
    stack's prefix; nobody deletes old versions (the deny in ``deploy_policies``).
    """
    bucket = scope.state_bucket_arn
    prefix = f"{bucket}/{scope.state_prefix}"
    objects = [f"{prefix}/*"] if write else [f"{prefix}/.pulumi/locks/*"]
    via_s3 = _equals({"kms:ViaService": [f"s3.{r}.amazonaws.com" for r in scope.regions]})
    listing = [_allow("ListState", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket])]
    if scope.is_pattern:
        # Many stacks' prefixes: listing only below `<project>/<prefix>` (the sweeper's
        # `--prefix webapp/pr-`), so even the other stacks' names stay out of sight.
        only_previews = {"StringLike": {"s3:prefix": scope.state_prefix}}
        listing = [
            _allow("ListState", ["s3:ListBucket"], [bucket], only_previews),
            _allow("LocateState", ["s3:GetBucketLocation"], [bucket]),
        ]
    statements = [
        *listing,
        _allow("ReadState", ["s3:GetObject"], [f"{prefix}/*"]),
        _allow("WriteState" if write else "WriteStateLocks", ["s3:PutObject", "s3:DeleteObject"], objects),
        # Only S3 may use the bucket's key; which objects it decrypts follows ReadState.
        _allow(
            "StateObjectsKey",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [scope.state_key_arn or scope.secrets_key_arn],
            via_s3,
        ),
    ]
    # The secrets provider needs Decrypt of the stack's data key, and Encrypt/GenerateDataKey when
    # a stack is created or rekeyed.
    secrets = (
        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] if write else ["kms:Decrypt"]
    )
    statements.append(_allow("StackSecrets", secrets, [scope.secrets_key_arn]))
    return statements


def _public_parameters(scope: DeployScope) -> dict[str, Any]:
    # AWS's public parameters (latest AMI IDs and the like); never the account's own, which may hold secrets.
    return _allow(
        "ReadPublicParameters",
        ["ssm:GetParameter", "ssm:GetParameters"],
        [f"arn:{scope.partition}:ssm:{r}::parameter/aws/service/*" for r in scope.regions],
    )


def _actions(rows: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    return [f"{service}:{action}" for service, actions in rows for action in actions]


def _in_regions(scope: DeployScope) -> dict[str, Any]:
    return {"aws:RequestedRegion": list(scope.regions)}


def _tagged(scope: DeployScope, key: str) -> dict[str, Any]:
    return {f"{key}/project": scope.project, f"{key}/stack": scope.stack}


def _matching(scope: DeployScope) -> Callable[..., dict[str, Any]]:
    """``_equals``, or for a stack pattern the same keys under ``StringLike``.

    StringLike is StringEquals for a value without ``*`` or ``?`` (regions, boundary ARN, project),
    so only the stack tag is matched as a pattern.
    """
    if not scope.is_pattern:
        return _equals

    def like(*keys: dict[str, Any]) -> dict[str, Any]:
        return {"StringLike": _equals(*keys)["StringEquals"]}

    return like


def _equals(*keys: dict[str, Any]) -> dict[str, Any]:
    """One StringEquals condition requiring every key given (IAM ANDs the keys of an operator)."""
    merged: dict[str, Any] = {}
    for k in keys:
        merged.update(k)
    return {"StringEquals": merged}


def _allow(
    sid: str, actions: list[str], resources: list[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}


def _document(statements: list[dict[str, Any]]) -> str:
    # Compact: fewer characters against IAM's policy size limits.
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
