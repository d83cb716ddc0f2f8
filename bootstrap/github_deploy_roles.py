"""GitHubDeployRoles: keyless deploys from GitHub Actions through OIDC, one role per trust level."""

import json
from collections.abc import Mapping
from dataclasses import replace

import pulumi
import pulumi_aws as aws

from .deploy_permissions import DeployScope, deploy_policies, preview_policy
from .github_deploy_roles_args import GitHubDeployRolesArgs

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
# What aws-actions/configure-aws-credentials asks GitHub to put in the token's `aud`.
AUDIENCE = "sts.amazonaws.com"
CLAIM_PREFIX = "token.actions.githubusercontent.com"
# CloudFront's certificates and web ACLs live there, whatever the stack's region.
CLOUDFRONT_REGION = "us-east-1"
DEPLOY_PARTS = ("state-and-read", "services", "keys-and-roles", "guards")
# The permissions boundary every preview stack's roles share (<project>-previews-workload-boundary)
# and the name of their one secrets key in StateBackend's stack_groups.
PREVIEWS = "previews"


class GitHubDeployRoles(pulumi.ComponentResource):
    """The GitHub OIDC provider (or an existing one) and five roles trusted only by one repository.

    - ``<appProject>-github-preview``: subject ``repo:<owner>/<repo>:pull_request``; read-only,
      plus ``devStack``'s state prefix (reads, lock files) and ``kms:Decrypt`` on its secrets key.
    - ``<appProject>-github-prod-preview``: subject
      ``repo:<owner>/<repo>:environment:<prodPreviewEnvironment>``; the same for ``prodStack``.
      A pull request's code decrypts prod's secrets only after a reviewer approved that run.
    - ``<appProject>-github-dev``: subject ``repo:<owner>/<repo>:environment:<devEnvironment>``
      (or ``:ref:refs/heads/<deployBranch>`` when ``devEnvironment`` is null); deploys ``devStack``.
    - ``<appProject>-github-prod``: subject ``repo:<owner>/<repo>:environment:<prodEnvironment>``
      only; deploys ``prodStack``. GitHub enforces "main only, after approval" through that
      environment's deployment-branch rule and required reviewers (set both in the repository).
    - ``<appProject>-github-preview-env``: subject
      ``repo:<owner>/<repo>:environment:<previewEnvironment>`` only; deploys and destroys every
      pull request's stack ``<previewStackPrefix><n>`` and no other: resources tagged with a
      matching ``stack``, roles under ``/<appProject>/<prefix>*/`` with the previews' boundary,
      state only under ``<appProject>/<prefix>*``, and only the previews' secrets key
      (docs/decisions/0018).

    Every trust also requires audience ``sts.amazonaws.com``. The deploy roles get the documents
    of ``bootstrap.deploy_permissions``: the stack's services in its regions, IAM roles only
    under the stack's path and with its permissions boundary, KMS keys only when tagged with the
    stack, nothing on another stack's tagged resources, and denies that keep them off the state
    backend's settings, the boundaries, the deploy roles and long-lived credentials.

    Example::

        backend = StateBackend("state", project="webapp", stacks=["dev", "prod"], protect=True)
        roles = GitHubDeployRoles("github", GitHubDeployRolesArgs(github_repository="octo-org/webapp"),
                                  state_bucket_arn=backend.bucket_arn, state_key_arn=backend.key_arn,
                                  secrets_key_arns=backend.secrets_key_arns)
        pulumi.export("prodRoleArn", roles.prod_role_arn)
    """

    oidc_provider_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    prod_preview_role_arn: pulumi.Output[str]
    dev_role_arn: pulumi.Output[str]
    prod_role_arn: pulumi.Output[str]
    preview_environment_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: GitHubDeployRolesArgs,
        *,
        state_bucket_arn: pulumi.Input[str],
        state_key_arn: pulumi.Input[str],
        secrets_key_arns: Mapping[str, pulumi.Input[str]],
        previews_secrets_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:GitHubDeployRoles", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)

        if args.existing_oidc_provider_arn is None:
            # No thumbprint_list: for GitHub, IAM validates the issuer against its own trusted CAs.
            self.oidc_provider: aws.iam.OpenIdConnectProvider | None = aws.iam.OpenIdConnectProvider(
                f"{name}-oidc", url=GITHUB_OIDC_URL, client_id_lists=[AUDIENCE], opts=self._child
            )
            self.oidc_provider_arn = self.oidc_provider.arn
        else:
            self.oidc_provider = None
            self.oidc_provider_arn = pulumi.Output.from_input(args.existing_oidc_provider_arn)

        invoke = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        scope = pulumi.Output.all(
            aws.get_partition_output(opts=invoke).partition,
            aws.get_caller_identity_output(opts=invoke).account_id,
            region,
            state_bucket_arn,
            state_key_arn,
        ).apply(
            lambda v: DeployScope(
                partition=v[0],
                account_id=v[1],
                project=args.app_project,
                # Order kept, duplicates dropped: the bootstrap's region, the listed ones, us-east-1.
                regions=tuple(dict.fromkeys([v[2], *args.deploy_regions, CLOUDFRONT_REGION])),
                state_bucket_arn=v[3],
                state_key_arn=v[4],
                secrets_key_arn="",
                protected_roles=f"{args.app_project}-github-*",
            )
        )

        self._keys = secrets_key_arns
        preview = self._preview_role("preview", args.subject("pull_request"), args.dev_stack, scope)
        prod_preview = self._preview_role(
            "prod-preview",
            args.subject(f"environment:{args.prod_preview_environment}"),
            args.prod_stack,
            scope,
        )
        dev_claim = (
            f"environment:{args.dev_environment}"
            if args.dev_environment is not None
            else f"ref:refs/heads/{args.deploy_branch}"
        )
        dev = self._deploy_role("dev", args.subject(dev_claim), args.dev_stack, scope)
        prod_claim = f"environment:{args.prod_environment}"
        prod = self._deploy_role("prod", args.subject(prod_claim), args.prod_stack, scope)
        previews = pulumi.Output.all(scope, previews_secrets_key_arn).apply(
            lambda v: replace(
                v[0], stack=f"{args.preview_stack_prefix}*", secrets_key_arn=v[1], boundary_group=PREVIEWS
            )
        )
        preview_env = self._deploy_role(
            "preview-env",
            args.subject(f"environment:{args.preview_environment}"),
            f"{args.preview_stack_prefix}*",
            previews,
        )

        self.preview_role_arn = preview.arn
        self.prod_preview_role_arn = prod_preview.arn
        self.dev_role_arn = dev.arn
        self.prod_role_arn = prod.arn
        self.preview_environment_role_arn = preview_env.arn
        self.register_outputs(
            {
                "oidcProviderArn": self.oidc_provider_arn,
                "previewRoleArn": self.preview_role_arn,
                "prodPreviewRoleArn": self.prod_preview_role_arn,
                "devRoleArn": self.dev_role_arn,
                "prodRoleArn": self.prod_role_arn,
                "previewEnvironmentRoleArn": self.preview_environment_role_arn,
            }
        )

    def _role(self, kind: str, subject: str, purpose: str) -> aws.iam.Role:
        trust = self.oidc_provider_arn.apply(lambda arn: trust_policy(arn, subject))
        return aws.iam.Role(
            f"{self._name}-{kind}",
            name=f"{self._args.app_project}-github-{kind}",
            description=f"GitHub Actions ({self._args.github_repository}) {purpose}",
            assume_role_policy=trust,
            max_session_duration=self._args.max_session_seconds,
            opts=self._child,
        )

    def _stack_scope(self, scope: pulumi.Output[DeployScope], stack: str) -> pulumi.Output[DeployScope]:
        key = pulumi.Output.from_input(self._keys[stack])
        return pulumi.Output.all(scope, key).apply(lambda v: replace(v[0], stack=stack, secrets_key_arn=v[1]))

    def _preview_role(
        self, kind: str, subject: str, stack: str, scope: pulumi.Output[DeployScope]
    ) -> aws.iam.Role:
        role = self._role(kind, subject, f"previews the {self._args.app_project}/{stack} stack (read-only)")
        aws.iam.RolePolicy(
            f"{self._name}-{kind}",
            name="preview",
            role=role.name,
            policy=self._stack_scope(scope, stack).apply(preview_policy),
            opts=self._child,
        )
        return role

    def _deploy_role(
        self, kind: str, subject: str, stack: str, scope: pulumi.Output[DeployScope]
    ) -> aws.iam.Role:
        role = self._role(kind, subject, f"deploys the {self._args.app_project}/{stack} stack")
        scoped = scope if "*" in stack else self._stack_scope(scope, stack)
        documents = scoped.apply(deploy_policies)
        for part in DEPLOY_PARTS:
            policy = aws.iam.Policy(
                f"{self._name}-{kind}-{part}",
                name=f"{self._args.app_project}-github-{kind}-{part}",
                description=f"What the {kind} deploy role may do: {part}",
                policy=documents.apply(lambda d, part=part: d[part]),
                opts=self._child,
            )
            aws.iam.RolePolicyAttachment(
                f"{self._name}-{kind}-{part}", role=role.name, policy_arn=policy.arn, opts=self._child
            )
        return role


def trust_policy(provider_arn: str, subject: str) -> str:
    """Web identity from GitHub's provider, for the AWS audience and exactly ``subject``."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{CLAIM_PREFIX}:aud": AUDIENCE, f"{CLAIM_PREFIX}:sub": subject}
                    },
                }
            ],
        }
    )
