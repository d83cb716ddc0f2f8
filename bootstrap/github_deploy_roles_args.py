"""Config model for the GitHubDeployRoles component (the bootstrap program's ``webapp-bootstrap:*`` keys)."""

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from components.core._model import ConfigModel, InSchema
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
_Name = Annotated[str, InSchema(pattern=_NAME.pattern)]
# Letters, digits, '_', '.' or '-' and no glob characters: it becomes an IAM pattern `<prefix>*`.
_STACK_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


class GitHubDeployRolesArgs(ConfigModel):
    """Which repository may deploy, through which GitHub environments, into which stacks.

    Five roles, each trusted only through GitHub's OIDC provider with audience
    ``sts.amazonaws.com`` and one exact subject: pull requests of ``githubRepository`` preview
    ``devStack``, the ``prodPreviewEnvironment`` job (a protected environment: a reviewer
    approves each run) previews ``prodStack``, the ``devEnvironment`` job deploys ``devStack``,
    the ``prodEnvironment`` job deploys ``prodStack``, and the ``previewEnvironment`` job deploys
    and destroys the pull requests' own stacks ``<previewStackPrefix><number>``. ``appProject`` is
    the app's Pulumi project name: the roles are named
    ``<appProject>-github-<preview|prod-preview|dev|prod|preview-env>`` and may change only
    resources tagged with it.

    Example::

        GitHubDeployRolesArgs(github_repository="octo-org/webapp",
                              existing_oidc_provider_arn=None, deploy_regions=("eu-west-1",))
    """

    github_repository: Annotated[str, InSchema(pattern=_REPOSITORY.pattern)]
    """``<owner>/<repository>`` as GitHub spells it (the trust policy compares it case-sensitively)."""
    existing_oidc_provider_arn: Annotated[str, InSchema(pattern=_OIDC_PROVIDER_ARN.pattern)] | None = None
    """The account's GitHub OIDC provider to reuse (one per URL per account); null: create it."""
    app_project: _Name = "webapp"
    """The app's Pulumi project: names the roles and the tag their permissions are limited to."""
    dev_stack: _Name = "dev"
    """The stack pull requests preview and the dev job deploys."""
    prod_stack: _Name = "prod"
    """The stack the prod job deploys and the prod preview job previews."""
    dev_environment: _Name | None = "dev"
    """The dev job's GitHub environment (subject ``environment:<name>``); null: trusted on deployBranch."""
    prod_environment: _Name = "production"
    """The prod deploy job's GitHub environment, protected by required reviewers."""
    prod_preview_environment: _Name = "production-preview"
    """Prod previews read prod's state and decrypt its secrets, so only after approval (ADR 0014)."""
    preview_environment: _Name = "preview"
    """The GitHub environment of the jobs that deploy and destroy pull requests' preview stacks."""
    preview_stack_prefix: Annotated[str, InSchema(pattern=_STACK_PREFIX.pattern)] = "pr-"
    """Preview stacks are ``<prefix><number>``; the preview role deploys only stacks named so."""
    deploy_branch: Annotated[str, InSchema(pattern=_BRANCH.pattern)] = "main"
    """The branch the dev job deploys from when it names no environment (without refs/heads/)."""
    deploy_regions: tuple[Annotated[str, InSchema(pattern=_REGION.pattern)], ...] = ()
    """Regions the stacks deploy to; the bootstrap's region and us-east-1 (CloudFront) are always added."""
    max_session_seconds: int = Field(default=3600, ge=3600, le=43200)
    """How long a deploy role's session lasts."""
    activate_cost_allocation_tags: bool = True
    """Activate ``project`` and ``stack`` as cost allocation tags; only a management account may."""
    application_signals_discovery: bool = True
    """Enable CloudWatch Application Signals in this region and deployRegions (webapp:tracing needs it)."""

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
        "preview_environment",
    )
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("must be 1 to 64 letters, digits, '_', '.' or '-'")
        return value

    @field_validator("preview_stack_prefix")
    @classmethod
    def _stack_prefix(cls, value: str) -> str:
        if not _STACK_PREFIX.match(value):
            raise ValueError("must be 1 to 20 letters, digits, '_', '.' or '-', e.g. \"pr-\"")
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
        others = (self.dev_environment, self.prod_environment, self.prod_preview_environment)
        if self.preview_environment in others:
            # Pull requests' code runs there: sharing a subject would hand it the other role.
            raise ConfigFieldError(
                "previewEnvironment", self.preview_environment,
                "must differ from devEnvironment, prodEnvironment and prodPreviewEnvironment",
            )  # fmt: skip
        for key, stack in (("devStack", self.dev_stack), ("prodStack", self.prod_stack)):
            if stack.startswith(self.preview_stack_prefix):
                # The preview role may deploy every `<prefix>*` stack: it would include this one.
                raise ConfigFieldError(
                    "previewStackPrefix", self.preview_stack_prefix,
                    f"is how {key} {stack!r} starts: the preview role would deploy that stack too",
                )  # fmt: skip
        return self

    def subject(self, claim: str) -> str:
        """The OIDC ``sub`` for ``claim`` in this repository, e.g. ``pull_request``."""
        return f"repo:{self.github_repository}:{claim}"
