"""IAM rules: no administrator policies, no whole-service wildcards, no open trust policies.

Covers IAM.1 (no Allow of ``"*"`` on ``"*"``), IAM.21 (no Allow of a whole service, ``"s3:*"``, on
any resource; a prefix wildcard such as ``"s3:Get*"`` passes, as in AWS Config's
``iam-policy-no-statements-with-full-access``), and the seed checklist's "IAM roles without
wildcard admin": no AdministratorAccess attachment, and role trust policies that name services or
specific principals, never ``"*"``.

FSBP scopes IAM.1 and IAM.21 to customer managed policies; this stack grants permissions through
inline role policies only, so the rules read those too (``RolePolicy``, ``Role.inlinePolicies``,
user and group inline policies): an inline ``"*"`` is no safer than a managed one.

The document helpers here (``documents``, ``allow_statements``, ``values``) are shared with
``kms.py``. Not covered: IAM.2-8 (users, access keys, root, password policy: the stack creates none).
"""

import fnmatch
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ._framework import Resource, Rule, Severity, is_unknown, resource_rule

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE_POLICIES = (ROLE_POLICY, USER_POLICY, GROUP_POLICY)
PERMISSION_POLICIES = (POLICY, *INLINE_POLICIES, ROLE)
ADMIN_POLICY_SUFFIX = ":policy/AdministratorAccess"


# --- policy documents -----------------------------------------------------------------------------


def parse(document: Any) -> Mapping[str, Any] | None:
    """A policy document given as JSON text or as an object; None when it is not one."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    return document if isinstance(document, Mapping) else None


def documents(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(label, document)`` for each permission policy ``resource`` carries and that is known now.

    The label prefixes messages ("" for a policy resource, "inline policy x: " for a role's).
    """
    props = resource.props
    if resource.type == ROLE:
        if is_unknown(props, "inlinePolicies"):
            return
        for i, inline in enumerate(props.get("inlinePolicies") or []):
            if is_unknown(inline, "policy"):
                continue
            document = parse(inline.get("policy"))
            if document is not None:
                yield f"inline policy {inline.get('name') or i}: ", document
        return
    if is_unknown(props, "policy"):
        return
    document = parse(props.get("policy"))
    if document is not None:
        yield "", document


def values(value: Any) -> list[Any]:
    """A policy element that may be one value or a list, as a list."""
    if value is None:
        return []
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def allow_statements(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(label, statement)`` for each Allow statement; the label is its Sid or 1-based position."""
    for i, statement in enumerate(values(document.get("Statement")), start=1):
        if isinstance(statement, Mapping) and statement.get("Effect") == "Allow":
            sid = statement.get("Sid")
            yield (f"statement {sid!r}" if sid else f"statement {i}"), statement


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in values(statement.get("Action"))]


def allows_action(statement: Mapping[str, Any], action: str) -> bool:
    """Whether one of the statement's Action patterns (case-insensitive, with wildcards) matches."""
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in actions(statement))


def on_all_resources(statement: Mapping[str, Any]) -> bool:
    return "*" in values(statement.get("Resource"))


def _quoted(items: list[str]) -> str:
    return ", ".join(f'"{i}"' for i in items)


# --- rules ------------------------------------------------------------------------------------------


@resource_rule(
    "iam-no-admin-policy",
    types=PERMISSION_POLICIES,
    controls=["IAM.1", "seed checklist"],
    severity=Severity.HIGH,
    description='No IAM policy allows action "*" on resource "*".',
)
def iam_no_admin_policy(resource: Resource) -> Iterator[str]:
    for label, document in documents(resource):
        for where, statement in allow_statements(document):
            if "*" in actions(statement) and on_all_resources(statement):
                yield (
                    f'{label}{where} allows "*" on "*" (full administrator): grant only the actions and '
                    "resources the role needs"
                )


@resource_rule(
    "iam-no-service-wildcard-actions",
    types=PERMISSION_POLICIES,
    controls=["IAM.21"],
    severity=Severity.LOW,
    description='No IAM policy allows every action of a service ("s3:*"); name the actions needed.',
)
def iam_no_service_wildcard_actions(resource: Resource) -> Iterator[str]:
    for label, document in documents(resource):
        for where, statement in allow_statements(document):
            wildcards = [a for a in actions(statement) if a.endswith(":*") and a.count(":") == 1]
            if wildcards:
                yield (
                    f"{label}{where} allows {_quoted(wildcards)}: list the actions needed instead (a prefix "
                    'such as "s3:Get*" is fine)'
                )


@resource_rule(
    "iam-role-no-administrator-access",
    types=[ROLE, ROLE_POLICY_ATTACHMENT],
    controls=["seed checklist"],
    severity=Severity.HIGH,
    description="No role gets the AdministratorAccess managed policy.",
)
def iam_role_no_administrator_access(resource: Resource) -> Iterator[str]:
    # An unknown ARN raises on purpose: the verdict waits for `pulumi up` instead of passing.
    if resource.type == ROLE_POLICY_ATTACHMENT:
        arns = [resource.props.get("policyArn")]
        key = "policyArn"
    else:
        arns = list(resource.props.get("managedPolicyArns") or [])
        key = "managedPolicyArns"
    if any(str(arn).endswith(ADMIN_POLICY_SUFFIX) for arn in arns):
        yield (
            f"{key} attaches AdministratorAccess: attach a policy with only the actions and resources the "
            "role needs"
        )


def _wildcard_principals(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in values(v) for v in principal.values())
    return False


@resource_rule(
    "iam-role-trust-no-wildcard-principal",
    types=[ROLE],
    controls=["seed checklist"],
    severity=Severity.HIGH,
    description='Role trust policies name AWS services or specific principals, never "*".',
)
def iam_role_trust_no_wildcard_principal(role: Resource) -> Iterator[str]:
    if is_unknown(role.props, "assumeRolePolicy"):
        return
    document = parse(role.props.get("assumeRolePolicy"))
    if document is None:
        return
    for where, statement in allow_statements(document):
        if _wildcard_principals(statement):
            yield (
                f'assumeRolePolicy {where} trusts principal "*": name the service '
                '(e.g. {"Service": "ecs-tasks.amazonaws.com"}) or the account/role that may assume it'
            )
        elif "NotPrincipal" in list(statement.keys()):
            yield f"assumeRolePolicy {where} uses NotPrincipal with Allow: trust named principals instead"


RULES: tuple[Rule, ...] = (
    iam_no_admin_policy,
    iam_no_service_wildcard_actions,
    iam_role_no_administrator_access,
    iam_role_trust_no_wildcard_principal,
)
