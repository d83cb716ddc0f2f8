"""KMS policy rules over fixtures and the committed stacks."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import iam, kms
from policies._framework import Rule, UnknownValueError
from tests.policy_harness import plan_stack, resource


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_symmetric_keys_rotate() -> None:
    assert kms.kms_key_rotation_enabled.messages(resource(kms.KEY, {"enableKeyRotation": True})) == []
    assert kms.kms_key_rotation_enabled.messages(resource(kms.KEY, {})) == [
        "enableKeyRotation is not set: set it to true so the key material rotates every year"
    ]
    assert kms.kms_key_rotation_enabled.messages(resource(kms.KEY, {"enableKeyRotation": False})) == [
        "enableKeyRotation is false: set it to true so the key material rotates every year"
    ]


def test_asymmetric_and_hmac_keys_cannot_rotate_and_pass() -> None:
    signing = resource(kms.KEY, {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"})
    hmac = resource(kms.KEY, {"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"})
    assert kms.kms_key_rotation_enabled.messages(signing) == []
    assert kms.kms_key_rotation_enabled.messages(hmac) == []


PUBLIC = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def test_key_policy_not_open_to_everyone() -> None:
    assert kms.kms_key_not_public.messages(resource(kms.KEY, {"policy": doc(ROOT)})) == []
    conditioned = {**PUBLIC, "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}}
    assert (
        kms.kms_key_not_public.messages(resource(kms.KEY_POLICY, {"keyId": "k", "policy": doc(conditioned)}))
        == []
    )
    assert kms.kms_key_not_public.messages(resource(kms.KEY, {"policy": doc(ROOT, PUBLIC)})) == [
        "policy statement 'Anyone' allows Principal \"*\" without a condition: name the account or roles, "
        "or add a condition such as aws:PrincipalAccount"
    ]


def test_an_unknown_key_policy_waits_for_the_update() -> None:
    with pytest.raises(UnknownValueError):
        kms.kms_key_not_public.messages(resource(kms.KEY, {"policy": UNKNOWN_STRING_VALUE}))


def test_no_decrypt_on_every_key() -> None:
    scoped = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:1:key/abc"}
    assert kms.kms_no_decrypt_on_all_keys.messages(resource(iam.POLICY, {"policy": doc(scoped)})) == []
    everywhere = {"Effect": "Allow", "Action": ["kms:decrypt", "kms:ReEncrypt*"], "Resource": "*"}
    assert kms.kms_no_decrypt_on_all_keys.messages(resource(iam.POLICY, {"policy": doc(everywhere)})) == [
        'statement 1 allows kms:Decrypt, kms:ReEncryptFrom on "*" (every key in the account): list the key '
        "ARNs it needs"
    ]
    wildcard = {"Effect": "Allow", "Action": "kms:*", "Resource": ["*"]}
    role = resource(iam.ROLE, {"inlinePolicies": [{"name": "keys", "policy": doc(wildcard)}]})
    assert kms.kms_no_decrypt_on_all_keys.messages(role) == [
        'inline policy keys: statement 1 allows kms:Decrypt, kms:ReEncryptFrom on "*" (every key in the '
        "account): list the key ARNs it needs"
    ]
    encrypt_only = {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"}
    assert (
        kms.kms_no_decrypt_on_all_keys.messages(resource(iam.ROLE_POLICY, {"policy": doc(encrypt_only)}))
        == []
    )


def test_deletion_window_is_the_full_30_days() -> None:
    assert kms.kms_key_deletion_window.production_only
    assert kms.kms_key_deletion_window.messages(resource(kms.KEY, {})) == []
    assert kms.kms_key_deletion_window.messages(resource(kms.KEY, {"deletionWindowInDays": 30})) == []
    assert kms.kms_key_deletion_window.messages(resource(kms.KEY, {"deletionWindowInDays": 7})) == [
        "deletionWindowInDays is 7: set it to 30 so a key scheduled for deletion by mistake can still be "
        "recovered"
    ]


@pytest.mark.parametrize("rule", kms.RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    resources = plan_stack(stack_name).of_type(*rule.resource_types)
    assert resources
    assert [m for r in resources for m in rule.messages(r)] == []
