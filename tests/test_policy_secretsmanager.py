"""Secrets Manager policy rules over fixtures and the committed stacks."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import secretsmanager as sm
from policies._framework import Resource, Rule
from tests.policy_harness import plan_stack, resource, stack

NO_ROTATION = (
    "no SecretRotation rotates this secret: add one with a rotation function, or document why it cannot "
    "rotate as a policy exception"
)


def test_a_secret_needs_an_enabled_rotation() -> None:
    secret = resource(sm.SECRET, {"kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}, "db-password")
    rotation = resource(sm.SECRET_ROTATION, {"rotationRules": {"automaticallyAfterDays": 30}}, "rot",
                        property_dependencies={"secretId": [secret.urn]})  # fmt: skip
    assert sm.secretsmanager_rotation_enabled.findings(stack(secret, rotation)) == []
    assert sm.secretsmanager_rotation_enabled.findings(stack(secret)) == [(secret.urn, NO_ROTATION)]
    disabled = resource(sm.SECRET_ROTATION, {"rotationEnabled": False}, "rot",
                        property_dependencies={"secretId": [secret.urn]})  # fmt: skip
    assert sm.secretsmanager_rotation_enabled.messages(stack(secret, disabled)) == [
        "its SecretRotation sets rotationEnabled to false: enable rotation"
    ]


@pytest.mark.parametrize(
    ("rules", "messages"),
    [
        ({"automaticallyAfterDays": 90}, []),
        ({"scheduleExpression": "rate(30 days)"}, []),
        ({"scheduleExpression": "rate(4 hours)"}, []),
        ({"scheduleExpression": "cron(0 4 1 * ? *)"}, []),
        ({"automaticallyAfterDays": 365},
         ["rotationRules.automaticallyAfterDays is 365: rotate at least every 90 days"]),
        ({"scheduleExpression": "rate(120 days)"},
         ["rotationRules.scheduleExpression rate(120 days) rotates every 120 days: rotate at least every "
          "90 days"]),
        ({"scheduleExpression": "cron(0 4 1 1 ? *)"},
         ["rotationRules.scheduleExpression cron(0 4 1 1 ? *) may rotate less often than every 90 days: "
          "use a monthly cron() or rate(N days), N <= 90"]),
        ({}, ["rotationRules sets no schedule: set automaticallyAfterDays to at most 90 (or a rate()/cron() "
              "scheduleExpression)"]),
    ],
)  # fmt: skip
def test_rotation_schedule_within_90_days(rules: dict, messages: list[str]) -> None:
    rotation = resource(sm.SECRET_ROTATION, {"secretId": "s", "rotationRules": rules})
    assert sm.secretsmanager_rotation_within_90_days.messages(rotation) == messages


def test_customer_managed_key_and_an_unknown_key_arn() -> None:
    assert (
        sm.secretsmanager_customer_managed_key.messages(
            resource(sm.SECRET, {"kmsKeyId": UNKNOWN_STRING_VALUE})
        )
        == []
    )
    assert sm.secretsmanager_customer_managed_key.messages(resource(sm.SECRET, {"name": "x"})) == [
        "kmsKeyId is not set (the AWS managed aws/secretsmanager key): set it to a customer managed key with "
        "rotation so key access is governed by its key policy"
    ]


def test_recovery_window_is_production_only() -> None:
    assert sm.secretsmanager_recovery_window.production_only
    assert sm.secretsmanager_recovery_window.messages(resource(sm.SECRET, {})) == []
    assert sm.secretsmanager_recovery_window.messages(resource(sm.SECRET, {"recoveryWindowInDays": 7})) == []
    assert sm.secretsmanager_recovery_window.messages(resource(sm.SECRET, {"recoveryWindowInDays": 0})) == [
        "recoveryWindowInDays is 0: a deleted secret is gone at once; set 7 to 30 days"
    ]


def _findings(rule: Rule, stack_name: str) -> list[tuple[str, str]]:
    target = plan_stack(stack_name)
    if rule.check_stack is not None:
        return [(u.rsplit("::", 1)[-1], m) for u, m in rule.findings(target)]
    return [(r.name, m) for r in target.of_type(*rule.resource_types) for m in rule.messages(r)]


DEV_FINDINGS = {
    "secretsmanager-recovery-window": [
        ("app-SECRET_KEY", "recoveryWindowInDays is 0: a deleted secret is gone at once; set 7 to 30 days"),
    ],
}
PROD_FINDINGS: dict[str, list[tuple[str, str]]] = {}


@pytest.mark.parametrize("rule", sm.RULES, ids=lambda r: r.name)
def test_prod_findings(rule: Rule) -> None:
    assert _findings(rule, "prod") == PROD_FINDINGS.get(rule.name, [])


@pytest.mark.parametrize("rule", sm.RULES, ids=lambda r: r.name)
def test_dev_findings(rule: Rule) -> None:
    expected = DEV_FINDINGS.get(rule.name, [])
    assert _findings(rule, "dev") == expected
    assert not expected or rule.production_only


def test_generated_secrets_are_design_exceptions_in_both_stacks() -> None:
    # The generated SECRET_KEY and the cache AUTH token have no rotation function; dev's sidecar
    # cache has no AUTH token secret.
    rule = sm.secretsmanager_rotation_enabled
    prod = [(u.rsplit("::", 1)[-1], r) for u, r in rule.design_exceptions(plan_stack("prod"))]
    assert prod == [("app-SECRET_KEY", sm.GENERATED_REASON), ("cache-auth", sm.AUTH_TOKEN_REASON)]
    dev = [(u.rsplit("::", 1)[-1], r) for u, r in rule.design_exceptions(plan_stack("dev"))]
    assert dev == [("app-SECRET_KEY", sm.GENERATED_REASON)]


def test_a_secret_generated_once_needs_no_rotation_whatever_its_name() -> None:
    secret = resource(sm.SECRET, {}, "signing-salt")
    generated = Resource(
        sm.SECRET_VERSION, "signing-salt", "urn:version", {"secretString": "x"},
        property_dependencies={"secretId": (secret.urn,)}, ignore_changes=("secretString",),
    )  # fmt: skip
    rule = sm.secretsmanager_rotation_enabled
    assert rule.findings(stack(secret, generated)) == []
    assert rule.design_exceptions(stack(secret, generated)) == [(secret.urn, sm.GENERATED_REASON)]
    auth = resource(sm.REPLICATION_GROUP, {}, "redis", property_dependencies={"authToken": [secret.urn]})
    assert rule.design_exceptions(stack(secret, generated, auth)) == [(secret.urn, sm.AUTH_TOKEN_REASON)]
    # A value set by hand (the version follows the config) is not generated: it needs a rotation.
    by_hand = Resource(
        sm.SECRET_VERSION, "signing-salt", "urn:version", {"secretString": "x"},
        property_dependencies={"secretId": (secret.urn,)},
    )  # fmt: skip
    assert rule.findings(stack(secret, by_hand)) == [(secret.urn, NO_ROTATION)]
