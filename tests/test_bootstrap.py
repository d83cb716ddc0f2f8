"""bootstrap/: its project file, its committed stack file run under mocks, its config errors, and the
policy pack's verdict on its plan."""

import io
import json
from pathlib import Path

import pytest

from components import ConfigError
from offline import check_schemas
from offline.mocks import STACK_TYPE
from offline.policy_check import render
from offline.preview_json import to_preview_json
from offline.run import PlanResult, ProgramRun, load_stack_file
from policies import s3
from tests.policy_harness import check_plan

BOOTSTRAP = Path(__file__).resolve().parent.parent / "bootstrap"
PROJECT = "webapp-bootstrap"
ACCOUNT = "123456789012"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def config(**changes: str | None) -> dict[str, str]:
    """The committed stack file's engine config with keys replaced (None removes a key)."""
    values = dict(load_stack_file("bootstrap", BOOTSTRAP).config)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def run(values: dict[str, str]) -> ProgramRun:
    return ProgramRun(values, project=PROJECT, stack="bootstrap", project_dir=BOOTSTRAP)


@pytest.fixture(scope="module")
def committed() -> PlanResult:
    return run(config()).execute()


def test_project_file_is_valid_and_reuses_the_repository_venv() -> None:
    assert check_schemas.check_project_file(BOOTSTRAP) == []
    assert load_stack_file("bootstrap", BOOTSTRAP).project == PROJECT


def test_exports_what_the_workflows_need(committed: PlanResult) -> None:
    assert committed.outputs == {
        "stateBucket": "state-bucket-mock",
        "loginUrls": {
            "dev": "s3://state-bucket-mock/webapp/dev?region=us-east-1",
            "prod": "s3://state-bucket-mock/webapp/prod?region=us-east-1",
        },
        "secretsProviders": {
            "dev": "awskms://alias/webapp-dev-pulumi-secrets?region=us-east-1",
            "prod": "awskms://alias/webapp-prod-pulumi-secrets?region=us-east-1",
        },
        "workloadBoundaryArns": {
            "dev": f"arn:aws:iam::{ACCOUNT}:policy/webapp-dev-workload-boundary",
            "prod": f"arn:aws:iam::{ACCOUNT}:policy/webapp-prod-workload-boundary",
        },
        "oidcProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
        "previewRoleArn": f"arn:aws:iam::{ACCOUNT}:role/webapp-github-preview",
        "prodPreviewRoleArn": f"arn:aws:iam::{ACCOUNT}:role/webapp-github-prod-preview",
        "devRoleArn": f"arn:aws:iam::{ACCOUNT}:role/webapp-github-dev",
        "prodRoleArn": f"arn:aws:iam::{ACCOUNT}:role/webapp-github-prod",
        "previewEnvironmentRoleArn": f"arn:aws:iam::{ACCOUNT}:role/webapp-github-preview-env",
        "previewSecretsProvider": "awskms://alias/webapp-previews-pulumi-secrets?region=us-east-1",
        "previewLoginUrlPrefix": "s3://state-bucket-mock/webapp/pr-",
        "previewWorkloadBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/webapp-previews-workload-boundary",
    }


def test_the_state_keys_and_bucket_are_always_protected(committed: PlanResult) -> None:
    assert {(r.type, r.name) for r in committed.resources if r.protect} == {
        ("aws:kms/key:Key", "state-key"),
        ("aws:kms/key:Key", "state-dev-secrets"),
        ("aws:kms/key:Key", "state-prod-secrets"),
        ("aws:kms/key:Key", "state-previews-secrets"),
        ("aws:s3/bucket:Bucket", "state-bucket"),
        ("aws:s3/bucket:Bucket", "state-access-logs"),
    }


@pytest.mark.parametrize(("stack", "other"), [("dev", "prod"), ("prod", "dev")])
def test_one_workload_boundary_per_stack(committed: PlanResult, stack: str, other: str) -> None:
    policy = committed.one("aws:iam/policy:Policy", f"boundary-{stack}").inputs
    assert policy["name"] == f"webapp-{stack}-workload-boundary"
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert statements["WorkloadActions"]["NotAction"] == ["iam:*", "sts:*", "organizations:*", "account:*"]
    assert statements["NoOtherStacks"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp"},
        "StringNotEquals": {"aws:ResourceTag/stack": stack},
    }
    key = "arn:aws:kms:us-east-1:123456789012:key/mock-key-state-{}"
    assert statements["NoStateBackend"]["Resource"] == [
        "arn:aws:s3:::state-bucket-mock", "arn:aws:s3:::state-bucket-mock/*",
        key.format("key"), key.format("dev-secrets"), key.format("prod-secrets"),
        key.format("previews-secrets"),
    ]  # fmt: skip


def test_one_workload_boundary_for_every_preview_stack(committed: PlanResult) -> None:
    policy = committed.one("aws:iam/policy:Policy", "boundary-previews").inputs
    assert policy["name"] == "webapp-previews-workload-boundary"
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert statements["NoOtherStacks"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/project": "webapp"},
        "StringNotLike": {"aws:ResourceTag/stack": "pr-*"},
    }
    key = committed.one("aws:kms/key:Key", "state-previews-secrets").inputs
    assert key["tags"] == {"stack": "previews"}
    alias = committed.one("aws:kms/alias:Alias", "state-previews-secrets").inputs
    assert alias["name"] == "alias/webapp-previews-pulumi-secrets"


def test_project_and_stack_become_cost_allocation_tags(committed: PlanResult) -> None:
    tags = committed.by_type("aws:costexplorer/costAllocationTag:CostAllocationTag")
    assert sorted((t.name, t.inputs["tagKey"], t.inputs["status"]) for t in tags) == [
        ("cost-tag-project", "project", "Active"),
        ("cost-tag-stack", "stack", "Active"),
    ]


def test_application_signals_discovery_runs_in_every_deploy_region() -> None:
    """Tracing's account-level prerequisite (docs/decisions/0019): one idempotent StartDiscovery
    per region the stacks deploy to, through the bootstrap's provider; off on request."""
    result = run(config(**{f"{PROJECT}:deployRegions": '["eu-west-1", "us-east-1"]'})).execute()
    discoveries = result.by_type("pulumi-python:dynamic:Resource")
    assert sorted((d.name, d.inputs["region"]) for d in discoveries) == [
        ("application-signals-eu-west-1", "eu-west-1"),
        ("application-signals-us-east-1", "us-east-1"),
    ]
    off = run(config(**{f"{PROJECT}:applicationSignalsDiscovery": "false"})).execute()
    assert off.by_type("pulumi-python:dynamic:Resource") == []


def test_discovery_is_start_discovery_and_forgets_on_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    from bootstrap.application_signals import DiscoveryProvider

    calls: list[str] = []

    class Client:
        def start_discovery(self) -> dict[str, object]:
            calls.append("start")
            return {}

    monkeypatch.setattr(
        "boto3.client", lambda service, region_name: calls.append(f"{service}@{region_name}") or Client()
    )
    provider = DiscoveryProvider()
    created = provider.create({"region": "eu-west-1"})
    assert calls == ["application-signals@eu-west-1", "start"]
    assert created.outs == {"region": "eu-west-1"}
    assert provider.diff("x", {"region": "eu-west-1"}, {"region": "eu-west-1"}).changes is False
    assert provider.diff("x", {"region": "eu-west-1"}, {"region": "us-east-1"}).replaces == ["region"]
    assert provider.delete("x", {"region": "eu-west-1"}) is None
    assert calls == ["application-signals@eu-west-1", "start"]


def test_member_accounts_leave_cost_allocation_tags_to_the_management_account() -> None:
    result = run(config(**{f"{PROJECT}:activateCostAllocationTags": "false"})).execute()
    assert result.by_type("aws:costexplorer/costAllocationTag:CostAllocationTag") == []


def test_resources_carry_the_bootstrap_project_tag_not_the_apps(committed: PlanResult) -> None:
    provider = committed.one("pulumi:providers:aws", "aws")
    assert json.loads(provider.inputs["defaultTags"])["tags"] == {
        "project": PROJECT, "stack": "bootstrap", "managed-by": "pulumi",
    }  # fmt: skip
    # The Application Signals discovery is a dynamic resource: boto3, no AWS provider, nothing to tag.
    dynamic = "pulumi-python:dynamic:Resource"
    custom = [r for r in committed.resources if r.custom and r.type not in ("pulumi:providers:aws", dynamic)]
    assert custom and all(r.provider.startswith(provider.urn) for r in custom)


def test_trust_follows_the_committed_repository(committed: PlanResult) -> None:
    role = committed.one("aws:iam/role:Role", "github-prod")
    condition = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]
    assert condition == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:octo-org/webapp:environment:production",
        }
    }


def test_an_existing_oidc_provider_from_config() -> None:
    existing = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    result = run(config(**{f"{PROJECT}:existingOidcProviderArn": existing})).execute()
    assert result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert result.outputs["oidcProviderArn"] == existing


def test_bad_config_stops_before_anything_is_registered() -> None:
    program = run(
        config(
            **{
                "aws:region": None,
                f"{PROJECT}:githubRepository": "octo-org",
                f"{PROJECT}:deployRegion": '["eu-west-1"]',
            }
        )
    )
    with pytest.raises(ConfigError) as err:
        program.execute()
    assert err.value.problems == [
        # The same loader and message as the app stacks (components.core.config_loader).
        "aws:region = missing: must be an AWS region name such as us-east-1 "
        "(set it with `pulumi config set aws:region us-east-1`)",
        'webapp-bootstrap:githubRepository = "octo-org": must be "<owner>/<repository>" as GitHub spells it, '
        'e.g. "octo-org/webapp" (the trust policy compares it case-sensitively)',
        'webapp-bootstrap:deployRegion = ["eu-west-1"]: unknown key (did you mean deployRegions?); '
        "allowed keys: activateCostAllocationTags, appProject, applicationSignalsDiscovery, deployBranch, "
        "deployRegions, devEnvironment, devStack, existingOidcProviderArn, githubRepository, "
        "maxSessionSeconds, previewEnvironment, previewStackPrefix, prodEnvironment, prodPreviewEnvironment, "
        "prodStack",
    ]
    assert [r for r in program.monitor.registrations if r.type != STACK_TYPE] == []


def test_list_values_arrive_as_json_text() -> None:
    result = run(config(**{f"{PROJECT}:deployRegions": '["eu-west-1"]'})).execute()
    policy = json.loads(result.one("aws:iam/policy:Policy", "github-dev-services").inputs["policy"])
    assert policy["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}
    }


def test_the_pack_passes_the_bootstrap_with_the_production_config(committed: PlanResult) -> None:
    # `make test` runs this: the state bucket holds every stack's outputs, so the bootstrap meets the
    # production bar. Only the log bucket departs from a rule, by design and with its reason.
    report = check_plan(to_preview_json(committed), "prod")
    shown = io.StringIO()
    render(report, "bootstrap", shown)
    assert [v for v in report.verdicts if v.enforcement != "excepted"] == [], shown.getvalue()
    assert sorted((v.policy, v.resource, v.message) for v in report.verdicts) == [
        ("s3-kms-encryption", f"{ENCRYPTION} state-access-logs", s3.S3_LOGS_SSE_S3),
        ("s3-server-access-logging", "aws:s3/bucket:Bucket state-access-logs", s3.S3_LOGS_UNLOGGED),
    ]
