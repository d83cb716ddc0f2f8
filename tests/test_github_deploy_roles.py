"""GitHubDeployRoles: who may assume each role (trust) and what each role may do (permissions)."""

import json
import re
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.deploy_permissions import DeployScope, deploy_policies, preview_policy
from components.github_deploy_roles import GitHubDeployRoles
from components.github_deploy_roles_args import GitHubDeployRolesArgs
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
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/mock-state-key"
PARTS = ("state-and-read", "services", "keys-and-roles")
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"]


def roles_args(data: dict[str, Any]) -> GitHubDeployRolesArgs:
    return validate_config(GitHubDeployRolesArgs, data, "webapp-bootstrap:")


def build(data: dict[str, Any], region: str = "eu-west-1") -> PlanResult:
    args = roles_args({"githubRepository": "octo-org/webapp", **data})

    def program() -> None:
        roles = GitHubDeployRoles("github", args, state_bucket_arn=STATE_ARN, secrets_key_arn=KEY_ARN)
        pulumi.export("arns", [roles.oidc_provider_arn, roles.preview_role_arn, roles.dev_role_arn,
                               roles.prod_role_arn])  # fmt: skip

    return run_components(program, region=region)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build({"deployRegions": ["eu-central-1", "us-east-1"]})


def trust(result: PlanResult, kind: str) -> dict[str, Any]:
    return json.loads(result.one(ROLE, f"github-{kind}").inputs["assumeRolePolicy"])


def document(result: PlanResult, kind: str, part: str) -> dict[str, Any]:
    return json.loads(result.one(POLICY, f"github-{kind}-{part}").inputs["policy"])


def statements(result: PlanResult, kind: str) -> dict[str, dict[str, Any]]:
    if kind == "preview":
        docs = [json.loads(result.one(ROLE_POLICY, "github-preview").inputs["policy"])]
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
    assert trust(default, "dev") == expected_trust("repo:octo-org/webapp:environment:dev")
    assert trust(default, "prod") == expected_trust("repo:octo-org/webapp:environment:production")


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


def test_roles_are_named_for_the_app_project_with_one_hour_sessions(default: PlanResult) -> None:
    roles = {r.name: r.inputs for r in default.by_type(ROLE)}
    assert {name: (i["name"], i["maxSessionDuration"]) for name, i in roles.items()} == {
        "github-preview": ("webapp-github-preview", 3600),
        "github-dev": ("webapp-github-dev", 3600),
        "github-prod": ("webapp-github-prod", 3600),
    }
    assert (
        roles["github-prod"]["description"]
        == "GitHub Actions (octo-org/webapp) deploys the webapp/prod stack"
    )
    assert default.outputs["arns"] == [
        PROVIDER_ARN, *(f"arn:aws:iam::{ACCOUNT}:role/webapp-github-{k}" for k in ("preview", "dev", "prod")),
    ]  # fmt: skip


def test_every_resource_is_a_child_of_the_component(default: PlanResult) -> None:
    component = default.one(COMPONENT, "github").urn
    assert all(r.parent == component for r in default.resources if r.type != COMPONENT)


# --- preview permissions ------------------------------------------------------------------------


def test_preview_is_one_inline_read_only_policy(default: PlanResult) -> None:
    assert default.by_type(POLICY) and not [p for p in default.by_type(POLICY) if "preview" in p.name]
    policy = default.one(ROLE_POLICY, "github-preview").inputs
    assert (policy["name"], policy["role"]) == ("preview", "webapp-github-preview")
    found = statements(default, "preview")
    assert list(found) == [
        "ReadRegional", "ReadGlobal", "ReadPublicParameters", "ListState", "ReadState", "WriteStateLocks",
        "StateObjectsKey", "StackSecrets",
    ]  # fmt: skip
    writes = re.compile(r":(Create|Delete|Put|Update|Modify|Attach|Pass|Run|Set|Tag|Untag)")
    changing = {a for s in found.values() for a in s["Action"] if writes.search(a)}
    assert changing == {"s3:PutObject", "s3:DeleteObject"}
    assert found["WriteStateLocks"]["Resource"] == [f"{STATE_ARN}/.pulumi/locks/*"]
    assert found["StackSecrets"] == {
        "Sid": "StackSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY_ARN],
    }  # fmt: skip


def test_preview_reads_no_data(default: PlanResult) -> None:
    actions = {a for s in statements(default, "preview").values() for a in s["Action"]}
    for data_read in ("secretsmanager:GetSecretValue", "logs:GetLogEvents", "ssm:GetParametersByPath"):
        assert data_read not in actions
    read_state = statements(default, "preview")["ReadState"]
    assert (read_state["Action"], read_state["Resource"]) == (["s3:GetObject"], [f"{STATE_ARN}/*"])
    assert statements(default, "preview")["ReadPublicParameters"]["Resource"] == [
        f"arn:aws:ssm:{r}::parameter/aws/service/*" for r in REGIONS
    ]


# --- deploy permissions -------------------------------------------------------------------------


def test_deploy_roles_get_three_managed_policies(default: PlanResult) -> None:
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


def test_roles_and_keys_only_of_the_own_stack(default: PlanResult) -> None:
    dev, prod = statements(default, "dev"), statements(default, "prod")
    roles = [f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:instance-profile/*"]
    assert dev["CreateStackRoles"]["Resource"] == roles
    assert dev["ChangeStackRoles"]["Resource"] == roles
    assert dev["CreateStackRoles"]["Condition"] == {
        "StringEquals": {"aws:RequestTag/project": "webapp", "aws:RequestTag/stack": "dev"}
    }
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
    assert prod["AttachAwsPolicies"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp", "aws:ResourceTag/stack": "prod"},
        "ArnEquals": {
            "iam:PolicyARN": [
                "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            ]
        },
    }


def test_pass_role_only_to_the_stack_services(default: PlanResult) -> None:
    assert statements(default, "prod")["PassStackRoles"] == {
        "Sid": "PassStackRoles",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": [f"arn:aws:iam::{ACCOUNT}:role/*"],
        "Condition": {
            "StringEquals": {
                "aws:ResourceTag/project": "webapp",
                "aws:ResourceTag/stack": "prod",
                "iam:PassedToService": [
                    "cloudtrail.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
                    "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com",
                ],
            }
        },
    }  # fmt: skip


def test_denies_protect_credentials_deploy_roles_and_state(default: PlanResult) -> None:
    found = statements(default, "dev")
    denies = {sid: (s["Action"], s["Resource"]) for sid, s in found.items() if s["Effect"] == "Deny"}
    assert denies == {
        "NoLongLivedCredentialsOrAccountChanges": (
            ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "organizations:*",
             "account:*"],
            ["*"],
        ),
        "NoChangesToDeployRoles": (["iam:*"], [f"arn:aws:iam::{ACCOUNT}:role/webapp-github-*"]),
        "NoChangesToStateBucket": (
            ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
             "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
             "s3:PutBucketOwnershipControls", "s3:PutBucketAcl", "s3:DeleteObjectVersion"],
            [STATE_ARN, f"{STATE_ARN}/*"],
        ),
        "NoChangesToSecretsKey": (
            ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"], [KEY_ARN],
        ),
    }  # fmt: skip


def test_deploy_roles_write_state_and_use_the_secrets_key(default: PlanResult) -> None:
    found = statements(default, "prod")
    assert found["WriteState"]["Resource"] == [f"{STATE_ARN}/*"]
    assert found["StackSecrets"]["Action"] == [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
    ]
    assert found["StateObjectsKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"s3.{r}.amazonaws.com" for r in REGIONS]}
    }


def test_no_allow_grants_a_whole_service(default: PlanResult) -> None:
    # Policy pack rule IAM.21: prefix wildcards only ("s3:Get*"), never "s3:*" in an Allow.
    for kind in ("preview", "dev", "prod"):
        for s in statements(default, kind).values():
            if s["Effect"] == "Allow":
                assert not [a for a in s["Action"] if a == "*" or a.endswith(":*")], s["Sid"]


def test_documents_fit_iam_size_limits() -> None:
    scope = DeployScope(
        partition="aws-us-gov", account_id=ACCOUNT, project="a-long-project-name", stack="production-eu",
        regions=("us-gov-west-1", "us-gov-east-1", "eu-central-1", "ap-southeast-2", "us-east-1"),
        state_bucket_arn=f"arn:aws:s3:::{'b' * 63}", secrets_key_arn=KEY_ARN, protected_roles="x-github-*",
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
            {"githubRepository": "o/r", "appProject": "my app"},
            "webapp-bootstrap:appProject = \"my app\": must be 1 to 64 letters, digits, '_', '.' or '-'",
        ),
    ],
)
def test_config_errors(data: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as err:
        roles_args(data)
    assert err.value.problems == [line]
