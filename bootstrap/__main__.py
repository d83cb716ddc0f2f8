"""Bootstrap: the S3 state backend, a secrets key and a permissions boundary per app stack, the
GitHub OIDC deploy roles, and the cost allocation tags.

Run once per AWS account, with its own state kept outside the bucket it creates
(``pulumi login --local``; docs/decisions/0011 and 0014). Config is the ``webapp-bootstrap:*``
keys of ``GitHubDeployRolesArgs`` and ``aws:region``; a bad value stops the run with one line per
problem before anything is registered. The keys and the bucket are always protected.
"""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The components package sits in the repository root, one level up; the pulumi CLI runs this
# program from bootstrap/, where Python would not find it.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bootstrap.application_signals import ApplicationSignalsDiscovery  # noqa: E402
from bootstrap.github_deploy_roles import PREVIEWS, GitHubDeployRoles  # noqa: E402
from bootstrap.github_deploy_roles_args import GitHubDeployRolesArgs  # noqa: E402
from bootstrap.state_backend import StateBackend  # noqa: E402
from components.core.config_loader import load_project_config  # noqa: E402
from components.core.deploy_permissions_boundary import (  # noqa: E402
    boundary_policy_name,
    workload_boundary_policy,
)


def load_config() -> tuple[str, GitHubDeployRolesArgs]:
    """``aws:region`` and the validated project keys, or ConfigError listing every problem."""
    return load_project_config(GitHubDeployRolesArgs)


region, args = load_config()
provider = aws.Provider(
    "aws",
    region=region,
    # The bootstrap's own project tag: the deploy roles' ABAC (project = the app) never matches
    # these resources, so no deploy role can change its own role or the state backend's key.
    default_tags=aws.ProviderDefaultTagsArgs(
        tags={"project": pulumi.get_project(), "stack": pulumi.get_stack(), "managed-by": "pulumi"}
    ),
)
on_aws = pulumi.ResourceOptions(providers={"aws": provider})

stacks = [args.dev_stack, args.prod_stack]
# An administrator runs this program, never the deploy roles it creates, so what it creates (the
# state bucket's access-log bucket included) needs no rows in deploy_permissions_actions.py or
# deploy_coverage.py; tests/test_bootstrap.py runs the policy pack over its plan instead.
# Pull requests' preview stacks come and go: they share one secrets key and one boundary (ADR 0018).
backend = StateBackend(
    "state", project=args.app_project, stacks=stacks, stack_groups=[PREVIEWS], protect=True, opts=on_aws
)
roles = GitHubDeployRoles(
    "github",
    args,
    state_bucket_arn=backend.bucket_arn,
    state_key_arn=backend.key_arn,
    secrets_key_arns=backend.secrets_key_arns,
    previews_secrets_key_arn=backend.group_secrets_key_arns[PREVIEWS],
    opts=on_aws,
)

# The ceiling of every role an app stack creates; the deploy roles may create or change a role
# only with its stack's boundary, which the app computes from this name (docs/decisions/0014).
protected_keys = [
    backend.key_arn,
    *backend.secrets_key_arns.values(),
    *backend.group_secrets_key_arns.values(),
]
# The previews' one boundary covers every `<previewStackPrefix>*` stack.
boundary_stacks = {**{stack: stack for stack in stacks}, PREVIEWS: f"{args.preview_stack_prefix}*"}
boundaries = {
    group: aws.iam.Policy(
        f"boundary-{group}",
        name=boundary_policy_name(args.app_project, group),
        description=f"Permissions boundary of every role of the {args.app_project}/{stack} stack",
        policy=pulumi.Output.all(backend.bucket_arn, *protected_keys).apply(
            lambda v, stack=stack: workload_boundary_policy(
                project=args.app_project, stack=stack, state_bucket_arn=v[0], protected_key_arns=v[1:]
            )
        ),
        opts=on_aws,
    )
    for group, stack in boundary_stacks.items()
}

if args.application_signals_discovery:
    # Once per account and region, before a stack's tracing (mode applicationSignals) sends data;
    # idempotent, so an account that already has it is unaffected (docs/decisions/0019).
    for signals_region in dict.fromkeys([region, *args.deploy_regions]):
        # boto3 with the administrator's credentials, not the AWS provider (nothing to tag).
        ApplicationSignalsDiscovery(f"application-signals-{signals_region}", region=signals_region)

if args.activate_cost_allocation_tags:
    # The stacks' budgets filter on `stack`; Cost Explorer shows a tag only once it is active.
    for tag in ("project", "stack"):
        aws.costexplorer.CostAllocationTag(f"cost-tag-{tag}", tag_key=tag, status="Active", opts=on_aws)

pulumi.export("stateBucket", backend.bucket_name)
pulumi.export("loginUrls", backend.login_urls)
pulumi.export("secretsProviders", backend.secrets_providers)
pulumi.export("workloadBoundaryArns", {stack: boundaries[stack].arn for stack in stacks})
pulumi.export("oidcProviderArn", roles.oidc_provider_arn)
pulumi.export("previewRoleArn", roles.preview_role_arn)
pulumi.export("prodPreviewRoleArn", roles.prod_preview_role_arn)
pulumi.export("devRoleArn", roles.dev_role_arn)
pulumi.export("prodRoleArn", roles.prod_role_arn)
# The pull requests' preview stacks (README "Preview environments"): the preview workflow's role,
# the secrets provider of every pr-<n> stack, where their state lives (append `<n>?region=...`).
pulumi.export("previewEnvironmentRoleArn", roles.preview_environment_role_arn)
pulumi.export("previewSecretsProvider", backend.group_secrets_providers[PREVIEWS])
pulumi.export(
    "previewLoginUrlPrefix",
    pulumi.Output.concat("s3://", backend.bucket_name, f"/{args.app_project}/{args.preview_stack_prefix}"),
)
pulumi.export("previewWorkloadBoundaryArn", boundaries[PREVIEWS].arn)
