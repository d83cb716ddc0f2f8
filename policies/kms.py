"""KMS rules: rotating keys, key policies not open to everyone, no decrypt on every key, a deletion window.

Covers KMS.4 (``enableKeyRotation`` on symmetric encryption keys; asymmetric and HMAC keys cannot
rotate automatically), KMS.5 (a key policy does not Allow ``Principal: "*"`` without a condition;
any condition counts as restricting, as the control's own evaluation narrows on conditions that AWS
does not fully publish), KMS.1/KMS.2 (customer managed and inline IAM policies do not Allow
``kms:Decrypt`` or ``kms:ReEncryptFrom``, directly or through a wildcard, on ``Resource: "*"``), and
our own deletion-window rule, which keeps what KMS.3 watches at runtime (a key scheduled for
deletion by mistake) recoverable for AWS's full 30 days in production.

Not covered: KMS.3 itself (a runtime state, not a property).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from ._framework import Resource, Rule, Severity, parse_json, resource_rule

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"
ENCRYPTION_USAGE = "ENCRYPT_DECRYPT"
# What AWS uses when deletionWindowInDays is not set, and its maximum.
FULL_DELETION_WINDOW_DAYS = 30


@resource_rule(
    "kms-key-rotation-enabled",
    types=[KEY],
    controls=["KMS.4"],
    severity=Severity.MEDIUM,
    description="Symmetric encryption KMS keys rotate their key material automatically.",
)
def kms_key_rotation_enabled(key: Resource) -> Iterator[str]:
    props = key.props
    spec = props.get("customerMasterKeySpec") or ROTATABLE_SPEC
    usage = props.get("keyUsage") or ENCRYPTION_USAGE
    if spec != ROTATABLE_SPEC or usage != ENCRYPTION_USAGE or props.get("enableKeyRotation") is True:
        return
    yield (
        f"enableKeyRotation is {_shown(props.get('enableKeyRotation'))}: set it to true so the key material "
        "rotates every year"
    )


def _shown(value: Any) -> str:
    return "not set" if value is None else str(value).lower()


@resource_rule(
    "kms-key-not-public",
    types=[KEY, KEY_POLICY],
    controls=["KMS.5"],
    severity=Severity.CRITICAL,
    description='A key policy does not allow Principal "*" unless a condition restricts who it is.',
)
def kms_key_not_public(key: Resource) -> Iterator[str]:
    document = iam.parse(parse_json(key.props, "policy"))
    if document is None:
        return
    for where, statement in iam.allow_statements(document):
        principal = statement.get("Principal")
        public = principal == "*" or (
            isinstance(principal, Mapping) and "*" in iam.values(principal.get("AWS"))
        )
        if public and not statement.get("Condition"):
            yield (
                f'policy {where} allows Principal "*" without a condition: name the account or roles, or '
                "add a condition such as aws:PrincipalAccount"
            )


@resource_rule(
    "kms-no-decrypt-on-all-keys",
    types=iam.PERMISSION_POLICIES,
    controls=["KMS.1", "KMS.2"],
    severity=Severity.MEDIUM,
    description='IAM policies do not allow kms:Decrypt or kms:ReEncryptFrom on Resource "*".',
)
def kms_no_decrypt_on_all_keys(resource: Resource) -> Iterator[str]:
    for label, document in iam.documents(resource):
        for where, statement in iam.allow_statements(document):
            allowed = [a for a in DECRYPT_ACTIONS if iam.allows_action(statement, a)]
            if allowed and iam.on_all_resources(statement):
                yield (
                    f'{label}{where} allows {", ".join(allowed)} on "*" (every key in the account): list the '
                    "key ARNs it needs"
                )


@resource_rule(
    "kms-key-deletion-window",
    types=[KEY],
    controls=["KMS.3", "webapp"],
    severity=Severity.MEDIUM,
    description="A key deleted by mistake stays recoverable for 30 days (deletionWindowInDays 30 or unset).",
    production_only=True,
)
def kms_key_deletion_window(key: Resource) -> Iterator[str]:
    days = key.props.get("deletionWindowInDays")
    if days is not None and float(days) < FULL_DELETION_WINDOW_DAYS:
        yield (
            f"deletionWindowInDays is {int(days)}: set it to {FULL_DELETION_WINDOW_DAYS} so a key scheduled "
            "for deletion by mistake can still be recovered"
        )


RULES: tuple[Rule, ...] = (
    kms_key_rotation_enabled,
    kms_key_not_public,
    kms_no_decrypt_on_all_keys,
    kms_key_deletion_window,
)
