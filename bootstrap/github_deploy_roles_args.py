"""Config model for the GitHubDeployRoles component (the bootstrap program's ``webapp-bootstrap:*`` keys)."""

import re

from pydantic import Field, field_validator, model_validator

from components.core._model import ConfigModel
from components.core.config_errors import ConfigFieldError

# GitHub's rules: owner up to 39 letters, digits or single inner hyphens; repository up to 100
# letters, digits, '.', '_' or '-'.
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$")
_OIDC_PROVIDER_ARN = re.compile(
    r"^arn:aws(-[a-z]+)*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
)
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_BRANCH = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


class GitHubDeployRolesArgs(ConfigModel):
    """Which repository may deploy, through which GitHub environments, into which stacks.

    Three roles, each trusted only through GitHub's OIDC provider with audience
    ``sts.amazonaws.com`` and one exact subject: pull requests of ``githubRepository`` preview
    ``devStack``, the ``prodPreviewEnvironment`` job (a protected environment: a reviewer
    approves each run) previews ``prodStack``, the ``devEnvironment`` job deploys ``devStack``,
    the ``prodEnvironment`` job deploys ``prodStack``. ``appProject`` is the app's Pulumi project
    name: the roles are named ``<appProject>-github-<preview|prod-preview|dev|prod>`` and may
    change only resources tagged with it.

    Example::

        GitHubDeployRolesArgs(github_repository="octo-org/webapp",
                              existing_oidc_provider_arn=None, deploy_regions=("eu-west-1",))
    """

    github_repository: str
    # An account holds one OIDC provider per URL: reuse it when another stack already made it.
    existing_oidc_provider_arn: str | None = None
    app_project: str = "webapp"
    dev_stack: str = "dev"
    prod_stack: str = "prod"
    # A job that names a GitHub environment gets the subject repo:<o>/<r>:environment:<name>.
    # devEnvironment null: the dev job has no environment and is trusted on deployBranch instead.
    dev_environment: str | None = "dev"
    prod_environment: str = "production"
    # Prod's previews read prod's state and decrypt its secrets: only after approval (ADR 0014).
    prod_preview_environment: str = "production-preview"
    deploy_branch: str = "main"
    # Regions the stacks deploy to; the bootstrap's own region and us-east-1 (CloudFront's
    # certificates and web ACLs) are always added.
    deploy_regions: tuple[str, ...] = ()
    max_session_seconds: int = Field(default=3600, ge=3600, le=43200)
    # The bootstrap activates `project` and `stack` as cost allocation tags (the stacks' budgets
    # filter on `stack`). Only an organization's management account may: false in member accounts.
    activate_cost_allocation_tags: bool = True

    @field_validator("github_repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError(
                'must be "<owner>/<repository>" as GitHub spells it, e.g. "octo-org/webapp" '
                "(the trust policy compares it case-sensitively)"
            )
        return value

    @field_validator("existing_oidc_provider_arn")
    @classmethod
    def _provider_arn(cls, value: str | None) -> str | None:
        if value is not None and not _OIDC_PROVIDER_ARN.match(value):
            raise ValueError(
                "must be the ARN of the account's GitHub OIDC provider: "
                "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"
            )
        return value

    @field_validator(
        "app_project",
        "dev_stack",
        "prod_stack",
        "dev_environment",
        "prod_environment",
        "prod_preview_environment",
    )
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("must be 1 to 64 letters, digits, '_', '.' or '-'")
        return value

    @field_validator("deploy_branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if not _BRANCH.match(value) or value.startswith("refs/"):
            raise ValueError('must be a branch name such as "main" (without refs/heads/)')
        return value

    @field_validator("deploy_regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in value if not _REGION.match(r)]
        if bad:
            raise ValueError(f"must be AWS region names such as eu-west-1; not {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> "GitHubDeployRolesArgs":
        if self.dev_stack == self.prod_stack:
            raise ConfigFieldError("prodStack", self.prod_stack, "must differ from devStack")
        if self.dev_environment == self.prod_environment:
            # One subject would then unlock both roles: the prod approval would guard nothing.
            raise ConfigFieldError(
                "prodEnvironment", self.prod_environment, "must differ from devEnvironment"
            )
        if self.prod_preview_environment in (self.dev_environment, self.prod_environment):
            raise ConfigFieldError(
                "prodPreviewEnvironment", self.prod_preview_environment,
                "must differ from devEnvironment and prodEnvironment",
            )  # fmt: skip
        return self

    def subject(self, claim: str) -> str:
        """The OIDC ``sub`` for ``claim`` in this repository, e.g. ``pull_request``."""
        return f"repo:{self.github_repository}:{claim}"
