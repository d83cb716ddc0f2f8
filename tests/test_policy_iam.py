"""IAM policy rules over fixtures and the committed stacks."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import iam
from policies._framework import Rule, UnknownValueError
from tests.policy_harness import plan_stack, resource

ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
TRUST_ECS = {
    "Effect": "Allow",
    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_admin_statement_fails_in_every_policy_shape() -> None:
    assert iam.iam_no_admin_policy.messages(resource(iam.POLICY, {"policy": doc(ADMIN)})) == [
        'statement 1 allows "*" on "*" (full administrator): grant only the actions and resources the role '
        "needs"
    ]
    # A single statement object instead of a list, Action as a list, a Sid.
    single = {"Statement": {**ADMIN, "Sid": "All", "Action": ["*"], "Resource": ["*"]}}
    assert iam.iam_no_admin_policy.messages(resource(iam.ROLE_POLICY, {"policy": json.dumps(single)})) == [
        'statement \'All\' allows "*" on "*" (full administrator): grant only the actions and resources the '
        "role needs"
    ]
    role = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS),
                               "inlinePolicies": [{"name": "boom", "policy": doc(ADMIN)}]})  # fmt: skip
    assert iam.iam_no_admin_policy.messages(role) == [
        'inline policy boom: statement 1 allows "*" on "*" (full administrator): grant only the actions and '
        "resources the role needs"
    ]


def test_scoped_or_denied_wildcards_pass_the_admin_rule() -> None:
    scoped = doc({**ADMIN, "Resource": "arn:aws:s3:::bucket/*"}, {**ADMIN, "Effect": "Deny"})
    assert iam.iam_no_admin_policy.messages(resource(iam.POLICY, {"policy": scoped})) == []


def test_whole_service_wildcards_fail_but_prefixes_pass() -> None:
    policy = doc(
        {"Effect": "Allow", "Action": ["s3:*", "kms:Decrypt"], "Resource": "arn:aws:s3:::bucket"},
        {"Effect": "Allow", "Action": ["ec2:Describe*", "logs:Put*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    )
    assert iam.iam_no_service_wildcard_actions.messages(resource(iam.POLICY, {"policy": policy})) == [
        'statement 1 allows "s3:*": list the actions needed instead (a prefix such as "s3:Get*" is fine)'
    ]


def test_administrator_access_attachments_fail() -> None:
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    attachment = resource(iam.ROLE_POLICY_ATTACHMENT, {"role": "r", "policyArn": admin_arn})
    assert iam.iam_role_no_administrator_access.messages(attachment) == [
        "policyArn attaches AdministratorAccess: attach a policy with only the actions and resources the "
        "role needs"
    ]
    role = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS), "managedPolicyArns": [admin_arn]})
    assert iam.iam_role_no_administrator_access.messages(role) == [
        "managedPolicyArns attaches AdministratorAccess: attach a policy with only the actions and resources "
        "the role needs"
    ]
    monitoring = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    ok = resource(iam.ROLE_POLICY_ATTACHMENT, {"role": "r", "policyArn": monitoring})
    assert iam.iam_role_no_administrator_access.messages(ok) == []


def test_an_unknown_policy_arn_waits_for_the_update() -> None:
    attachment = resource(iam.ROLE_POLICY_ATTACHMENT, {"role": "r", "policyArn": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        iam.iam_role_no_administrator_access.messages(attachment)


def test_an_unknown_policy_document_is_skipped_until_the_update() -> None:
    policy = resource(iam.ROLE_POLICY, {"role": "r", "policy": UNKNOWN_STRING_VALUE})
    assert iam.iam_no_admin_policy.messages(policy) == []
    role = resource(iam.ROLE, {"assumeRolePolicy": UNKNOWN_STRING_VALUE})
    assert iam.iam_role_trust_no_wildcard_principal.messages(role) == []


def test_trust_policies_name_their_principals() -> None:
    ok = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS)})
    assert iam.iam_role_trust_no_wildcard_principal.messages(ok) == []
    anyone = {**TRUST_ECS, "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}}
    everyone = {**TRUST_ECS, "Principal": "*"}
    bad = resource(iam.ROLE, {"assumeRolePolicy": doc(anyone, everyone)})
    message = (
        'trusts principal "*": name the service (e.g. {"Service": "ecs-tasks.amazonaws.com"}) or the '
        "account/role that may assume it"
    )
    assert iam.iam_role_trust_no_wildcard_principal.messages(bad) == [
        f"assumeRolePolicy statement 1 {message}",
        f"assumeRolePolicy statement 2 {message}",
    ]
    not_principal = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
        "Action": "sts:AssumeRole",
    }
    assert iam.iam_role_trust_no_wildcard_principal.messages(
        resource(iam.ROLE, {"assumeRolePolicy": doc(not_principal)})
    ) == ["assumeRolePolicy statement 1 uses NotPrincipal with Allow: trust named principals instead"]


@pytest.mark.parametrize("rule", iam.RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    resources = plan_stack(stack_name).of_type(*rule.resource_types)
    assert resources, "the rule has something to check in the committed stack"
    assert [m for r in resources for m in rule.messages(r)] == []
