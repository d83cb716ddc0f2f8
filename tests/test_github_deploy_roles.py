"""GitHubDeployRoles: who may assume each role (trust) and what each role may do (permissions)."""

import json
import re
from typing import Any

import pulumi
import pytest

from bootstrap.deploy_permissions import DeployScope, deploy_policies, preview_policy
from bootstrap.github_deploy_roles import GitHubDeployRoles
from bootstrap.github_deploy_roles_args import GitHubDeployRolesArgs
from components import ConfigError, validate_config
from tests.harness import PlanResult, run_components

COMPONENT = "webapp:index:GitHubDeployRoles"
PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

ACCOUNT = "123456789012"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
STATE_ARN = "arn:aws:s3:::state-bucket-abc123"
STATE_KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mock-state-key"
STACK_KEYS = {s: f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mock-{s}-secrets" for s in ("dev", "prod", "live")}
PREVIEWS_KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mock-previews-secrets"
KEY_ARN = STACK_KEYS["prod"]
PARTS = ("state-and-read", "services", "keys-and-roles", "guards")
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"]


def roles_args(data: dict[str, Any]) -> GitHubDeployRolesArgs:
    return validate_config(GitHubDeployRolesArgs, data, "webapp-bootstrap:")


def build(data: dict[str, Any], region: str = "eu-west-1") -> PlanResult:
    args = roles_args({"githubRepository": "octo-org/webapp", **data})

    def program() -> None:
        roles = GitHubDeployRoles(
            "github",
            args,
            state_bucket_arn=STATE_ARN,
            state_key_arn=STATE_KEY_ARN,
            secrets_key_arns=STACK_KEYS,
            previews_secrets_key_arn=PREVIEWS_KEY_ARN,
        )
        pulumi.export("arns", [roles.oidc_provider_arn, roles.preview_role_arn, roles.prod_preview_role_arn,
                               roles.dev_role_arn, roles.prod_role_arn])  # fmt: skip

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build({"deployRegions": ["eu-central-1", "us-east-1"]})


def trust(result: PlanResult, kind: str) -> dict[str, Any]:
    return json.loads(result.one(ROLE, f"github-{kind}").inputs["assumeRolePolicy"])


def document(result: PlanResult, kind: str, part: str) -> dict[str, Any]:
    return json.loads(result.one(POLICY, f"github-{kind}-{part}").inputs["policy"])


def statements(result: PlanResult, kind: str) -> dict[str, dict[str, Any]]:
    if kind in ("preview", "prod-preview"):
        docs = [json.loads(result.one(ROLE_POLICY, f"github-{kind}").inputs["policy"])]
    else:
        docs = [document(result, kind, part) for part in PARTS]
    return {s["Sid"]: s for doc in docs for s in doc["Statement"]}


def expected_trust(subject: str, provider_arn: str = PROVIDER_ARN) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": subject,
                    }
                },
            }
        ],
    }


# --- the identity provider and trust ------------------------------------------------------------


def test_github_oidc_provider_for_the_sts_audience(default: PlanResult) -> None:
    assert default.one(PROVIDER, "github-oidc").inputs == {
        "url": "https://token.actions.githubusercontent.com",
        "clientIdLists": ["sts.amazonaws.com"],
    }


def test_each_role_trusts_one_exact_subject(default: PlanResult) -> None:
    assert trust(default, "preview") == expected_trust("repo:octo-org/webapp:pull_request")
    assert trust(default, "prod-preview") == expected_trust(
        "repo:octo-org/webapp:environment:production-preview"
    )
    assert trust(default, "dev") == expected_trust("repo:octo-org/webapp:environment:dev")
    assert trust(default, "prod") == expected_trust("repo:octo-org/webapp:environment:production")
    assert trust(default, "preview-env") == expected_trust("repo:octo-org/webapp:environment:preview")


def test_preview_stacks_use_their_own_environment_and_prefix() -> None:
    result = build({"previewEnvironment": "pr-stacks", "previewStackPrefix": "review-"})
    assert trust(result, "preview-env") == expected_trust("repo:octo-org/webapp:environment:pr-stacks")
    found = statements(result, "preview-env")
    assert found["ReadState"]["Resource"] == [f"{STATE_ARN}/webapp/review-*/*"]
    assert found["NoOtherStacks"]["Condition"]["StringNotLike"] == {"aws:ResourceTag/stack": "review-*"}


def test_dev_without_an_environment_is_trusted_on_the_deploy_branch() -> None:
    result = build({"devEnvironment": None, "deployBranch": "trunk", "prodEnvironment": "live"})
    assert trust(result, "dev") == expected_trust("repo:octo-org/webapp:ref:refs/heads/trunk")
    assert trust(result, "prod") == expected_trust("repo:octo-org/webapp:environment:live")


def test_an_existing_provider_is_reused_not_created() -> None:
    existing = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
    result = build({"existingOidcProviderArn": existing})
    assert result.by_type(PROVIDER) == []
    assert trust(result, "prod") == expected_trust("repo:octo-org/webapp:environment:production", existing)
    assert result.outputs["arns"][0] == existing


def test_prod_previews_use_their_own_environment() -> None:
    result = build({"prodPreviewEnvironment": "prod-plan"})
    assert trust(result, "prod-preview") == expected_trust("repo:octo-org/webapp:environment:prod-plan")


def test_roles_are_named_for_the_app_project_with_one_hour_sessions(default: PlanResult) -> None:
    roles = {r.name: r.inputs for r in default.by_type(ROLE)}
    assert {name: (i["name"], i["maxSessionDuration"]) for name, i in roles.items()} == {
        "github-preview": ("webapp-github-preview", 3600),
        "github-prod-preview": ("webapp-github-prod-preview", 3600),
        "github-dev": ("webapp-github-dev", 3600),
        "github-prod": ("webapp-github-prod", 3600),
        "github-preview-env": ("webapp-github-preview-env", 3600),
    }
    assert (
        roles["github-prod"]["description"]
        == "GitHub Actions (octo-org/webapp) deploys the webapp/prod stack"
    )
    assert default.outputs["arns"] == [
        PROVIDER_ARN,
        *(f"arn:aws:iam::{ACCOUNT}:role/webapp-github-{k}"
          for k in ("preview", "prod-preview", "dev", "prod")),
    ]  # fmt: skip


def test_every_resource_is_a_child_of_the_component(default: PlanResult) -> None:
    component = default.one(COMPONENT, "github").urn
    assert all(r.parent == component for r in default.resources if r.type != COMPONENT)


# --- preview permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "stack"), [("preview", "dev"), ("prod-preview", "prod")])
def test_preview_is_one_inline_read_only_policy_on_its_stack(
    default: PlanResult, kind: str, stack: str
) -> None:
    previews = [p for p in default.by_type(POLICY) if "preview" in p.name]
    assert default.by_type(POLICY) and all(p.name.startswith("github-preview-env-") for p in previews)
    policy = default.one(ROLE_POLICY, f"github-{kind}").inputs
    assert (policy["name"], policy["role"]) == ("preview", f"webapp-github-{kind}")
    found = statements(default, kind)
    assert list(found) == [
        "ReadRegional", "ReadGlobal", "ReadPublicParameters", "ListState", "ReadState", "WriteStateLocks",
        "StateObjectsKey", "StackSecrets",
    ]  # fmt: skip
    writes = re.compile(r":(Create|Delete|Put|Update|Modify|Attach|Pass|Run|Set|Tag|Untag)")
    changing = {a for s in found.values() for a in s["Action"] if writes.search(a)}
    assert changing == {"s3:PutObject", "s3:DeleteObject"}
    assert found["ReadState"]["Resource"] == [f"{STATE_ARN}/webapp/{stack}/*"]
    assert found["WriteStateLocks"]["Resource"] == [f"{STATE_ARN}/webapp/{stack}/.pulumi/locks/*"]
    assert found["StackSecrets"] == {
        "Sid": "StackSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [STACK_KEYS[stack]],
    }  # fmt: skip
    assert found["StateObjectsKey"]["Resource"] == [STATE_KEY_ARN]


def test_preview_reads_no_data(default: PlanResult) -> None:
    actions = {a for s in statements(default, "preview").values() for a in s["Action"]}
    for data_read in ("secretsmanager:GetSecretValue", "logs:GetLogEvents", "ssm:GetParametersByPath"):
        assert data_read not in actions
    read_state = statements(default, "preview")["ReadState"]
    assert (read_state["Action"], read_state["Resource"]) == (["s3:GetObject"], [f"{STATE_ARN}/webapp/dev/*"])
    assert statements(default, "preview")["ReadPublicParameters"]["Resource"] == [
        f"arn:aws:ssm:{r}::parameter/aws/service/*" for r in REGIONS
    ]


# --- deploy permissions -------------------------------------------------------------------------


def test_deploy_roles_get_four_managed_policies(default: PlanResult) -> None:
    for kind in ("dev", "prod"):
        for part in PARTS:
            policy = default.one(POLICY, f"github-{kind}-{part}").inputs
            assert policy["name"] == f"webapp-github-{kind}-{part}"
            attachment = default.one(ATTACHMENT, f"github-{kind}-{part}").inputs
            assert attachment == {
                "role": f"webapp-github-{kind}",
                "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/webapp-github-{kind}-{part}",
            }


def test_regional_services_only_in_the_stack_regions(default: PlanResult) -> None:
    found = statements(default, "dev")
    in_regions = {"StringEquals": {"aws:RequestedRegion": REGIONS}}
    assert found["ManageRegional"]["Condition"] == in_regions
    assert found["ReadRegional"]["Condition"] == in_regions
    assert "Condition" not in found["ManageGlobal"]
    services = {a.split(":")[0] for a in found["ManageGlobal"]["Action"]}
    assert services == {"cloudfront", "route53", "budgets"}
    regional = {a.split(":")[0] for a in found["ManageRegional"]["Action"]}
    assert not regional & {"iam", "cloudfront", "route53", "budgets"}


def test_roles_only_under_the_stack_path_and_keys_only_of_the_own_stack(default: PlanResult) -> None:
    dev, prod = statements(default, "dev"), statements(default, "prod")
    roles = [
        f"arn:aws:iam::{ACCOUNT}:role/webapp/dev/*",
        f"arn:aws:iam::{ACCOUNT}:instance-profile/webapp/dev/*",
    ]
    assert dev["CreateStackRoles"]["Resource"] == roles[:1]
    assert dev["ChangeStackRoles"]["Resource"] == roles
    assert dev["TagStackRoles"]["Resource"] == roles
    assert prod["ChangeStackRoles"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp", "aws:ResourceTag/stack": "prod"}
    }
    assert prod["ManageStackKeys"]["Condition"] == {
        "StringEquals": {
            "aws:RequestedRegion": REGIONS,
            "aws:ResourceTag/project": "webapp",
            "aws:ResourceTag/stack": "prod",
        }
    }  # fmt: skip


def test_keys_are_created_and_tagged_only_with_the_stack_tags(default: PlanResult) -> None:
    # AWS: TagResource for a key being created cannot be limited to keys, only by request tags.
    assert statements(default, "dev")["CreateStackKeys"] == {
        "Sid": "CreateStackKeys", "Effect": "Allow", "Action": ["kms:CreateKey", "kms:TagResource"],
        "Resource": ["*"],
        "Condition": {"StringEquals": {"aws:RequestedRegion": REGIONS, "aws:RequestTag/project": "webapp",
                                       "aws:RequestTag/stack": "dev"}},
    }  # fmt: skip


def test_the_first_deploy_blockers_are_allowed(default: PlanResult) -> None:
    found = statements(default, "prod")
    assert "cloudfront:AllowVendedLogDeliveryForResource" in found["ManageGlobal"]["Action"]
    linked = found["CreateServiceLinkedRoles"]["Condition"]["StringEquals"]["iam:AWSServiceName"]
    assert "events.amazonaws.com" in linked


def test_role_permissions_change_only_with_the_stack_boundary(default: PlanResult) -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/webapp-prod-workload-boundary"
    prod = statements(default, "prod")
    assert prod["CreateStackRoles"]["Condition"] == {
        "StringEquals": {"aws:RequestTag/project": "webapp", "aws:RequestTag/stack": "prod",
                         "iam:PermissionsBoundary": boundary}
    }  # fmt: skip
    assert prod["ChangeStackRolePermissions"]["Action"] == [
        "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
    ]  # fmt: skip
    assert (
        prod["ChangeStackRolePermissions"]["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == boundary
    )
    assert prod["AttachAwsPolicies"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp", "aws:ResourceTag/stack": "prod",
                         "iam:PermissionsBoundary": boundary},
        "ArnEquals": {
            "iam:PolicyARN": [
                "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
            ]
        },
    }  # fmt: skip


def test_pass_role_only_to_the_stack_services(default: PlanResult) -> None:
    assert statements(default, "prod")["PassStackRoles"] == {
        "Sid": "PassStackRoles",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": [f"arn:aws:iam::{ACCOUNT}:role/webapp/prod/*"],
        "Condition": {
            "StringEquals": {
                "aws:ResourceTag/project": "webapp",
                "aws:ResourceTag/stack": "prod",
                "iam:PassedToService": [
                    "cloudtrail.amazonaws.com", "ec2.amazonaws.com", "ecs.amazonaws.com",
                    "ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com",
                ],
            }
        },
    }  # fmt: skip


def test_denies_protect_credentials_deploy_roles_boundaries_and_state(default: PlanResult) -> None:
    found = statements(default, "dev")
    denies = {sid: (s.get("Action"), s["Resource"]) for sid, s in found.items() if s["Effect"] == "Deny"}
    assert denies == {
        "NoLongLivedCredentialsOrAccountChanges": (
            ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "organizations:*",
             "account:*", "iam:DeleteRolePermissionsBoundary"],
            ["*"],
        ),
        "NoChangesToDeployRoles": (["iam:*"], [f"arn:aws:iam::{ACCOUNT}:role/webapp-github-*"]),
        "NoChangesToBoundaries": (
            ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
             "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
            [f"arn:aws:iam::{ACCOUNT}:policy/webapp-*-workload-boundary"],
        ),
        "NoChangesToStateBucket": (
            ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
             "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
             "s3:PutBucketOwnershipControls", "s3:PutBucketAcl", "s3:DeleteObjectVersion"],
            [STATE_ARN, f"{STATE_ARN}/*"],
        ),
        "NoChangesToSecretsKey": (
            ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"],
            [STATE_KEY_ARN, STACK_KEYS["dev"]],
        ),
        "NoOtherStacks": (None, "*"),
        "NoOtherStacksTags": ("*", "*"),
    }  # fmt: skip
    assert found["NoOtherStacks"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp"},
        "StringNotEquals": {"aws:ResourceTag/stack": "dev"},
    }
    assert found["NoOtherStacksTags"]["Condition"] == {
        "Null": {"aws:RequestTag/stack": "false"}, "StringNotEquals": {"aws:RequestTag/stack": "dev"},
    }  # fmt: skip


def test_deploy_roles_write_their_own_state_prefix_and_use_their_own_key(default: PlanResult) -> None:
    found = statements(default, "prod")
    assert found["WriteState"]["Resource"] == [f"{STATE_ARN}/webapp/prod/*"]
    assert found["StackSecrets"] == {
        "Sid": "StackSecrets", "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        "Resource": [STACK_KEYS["prod"]],
    }  # fmt: skip
    assert found["StateObjectsKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"s3.{r}.amazonaws.com" for r in REGIONS]}
    }
    # Other buckets' objects, never the state bucket's outside the stack's prefix.
    assert found["ManageObjects"]["NotResource"] == [STATE_ARN, f"{STATE_ARN}/*"]


def test_no_allow_grants_a_whole_service(default: PlanResult) -> None:
    # Policy pack rule IAM.21: prefix wildcards only ("s3:Get*"), never "s3:*" in an Allow.
    for kind in ("preview", "prod-preview", "dev", "prod"):
        for s in statements(default, kind).values():
            if s["Effect"] == "Allow":
                assert "NotAction" not in s, s["Sid"]
                assert not [a for a in s["Action"] if a == "*" or a.endswith(":*")], s["Sid"]


def test_documents_fit_iam_size_limits() -> None:
    scope = DeployScope(
        partition="aws-us-gov", account_id=ACCOUNT, project="a-long-project-name", stack="production-eu",
        regions=("us-gov-west-1", "us-gov-east-1", "eu-central-1", "ap-southeast-2", "us-east-1"),
        state_bucket_arn=f"arn:aws:s3:::{'b' * 63}", secrets_key_arn=KEY_ARN, protected_roles="x-github-*",
        state_key_arn=STATE_KEY_ARN,
    )  # fmt: skip
    assert len(preview_policy(scope)) < 10_240  # all inline policies of one role
    assert all(len(doc) < 6_144 for doc in deploy_policies(scope).values())  # one managed policy


def test_regions_are_the_bootstrap_region_then_the_listed_ones_then_us_east_1() -> None:
    result = build({}, region="us-east-1")
    assert statements(result, "dev")["ManageRegional"]["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": ["us-east-1"]}
    }


# --- config errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {},
            "webapp-bootstrap:githubRepository = missing: is required and has no default",
        ),
        (
            {"githubRepository": "https://github.com/octo-org/webapp"},
            'webapp-bootstrap:githubRepository = "https://github.com/octo-org/webapp": must be '
            '"<owner>/<repository>" as GitHub spells it, e.g. "octo-org/webapp" '
            "(the trust policy compares it case-sensitively)",
        ),
        (
            {
                "githubRepository": "o/r",
                "existingOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/x",
            },
            'webapp-bootstrap:existingOidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/x": '
            "must be the ARN of the account's GitHub OIDC provider: "
            "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
        ),
        (
            {"githubRepository": "o/r", "prodEnvironment": "dev"},
            'webapp-bootstrap:prodEnvironment = "dev": must differ from devEnvironment',
        ),
        (
            {"githubRepository": "o/r", "prodPreviewEnvironment": "production"},
            'webapp-bootstrap:prodPreviewEnvironment = "production": must differ from devEnvironment and '
            "prodEnvironment",
        ),
        (
            {"githubRepository": "o/r", "prodStack": "dev"},
            'webapp-bootstrap:prodStack = "dev": must differ from devStack',
        ),
        (
            {"githubRepository": "o/r", "deployBranch": "refs/heads/main"},
            'webapp-bootstrap:deployBranch = "refs/heads/main": must be a branch name such as "main" '
            "(without refs/heads/)",
        ),
        (
            {"githubRepository": "o/r", "deployRegions": ["eu-west-1", "Frankfurt"]},
            'webapp-bootstrap:deployRegions = ["eu-west-1", "Frankfurt"]: must be AWS region names such as '
            "eu-west-1; not Frankfurt",
        ),
        (
            {"githubRepository": "o/r", "maxSessionSeconds": 900},
            "webapp-bootstrap:maxSessionSeconds = 900: must be greater than or equal to 3600",
        ),
        (
            {"githubRepository": "o/r", "previewEnvironment": "dev"},
            'webapp-bootstrap:previewEnvironment = "dev": must differ from devEnvironment, prodEnvironment '
            "and prodPreviewEnvironment",
        ),
        (
            {"githubRepository": "o/r", "previewStackPrefix": "pr-*"},
            "webapp-bootstrap:previewStackPrefix = \"pr-*\": must be 1 to 20 letters, digits, '_', '.' or "
            "'-', e.g. \"pr-\"",
        ),
        (
            {"githubRepository": "o/r", "previewStackPrefix": "de"},
            "webapp-bootstrap:previewStackPrefix = \"de\": is how devStack 'dev' starts: the preview role "
            "would deploy that stack too",
        ),
        (
            {"githubRepository": "o/r", "appProject": "my app"},
            "webapp-bootstrap:appProject = \"my app\": must be 1 to 64 letters, digits, '_', '.' or '-'",
        ),
    ],
)
def test_config_errors(data: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as err:
        roles_args(data)
    assert err.value.problems == [line]
