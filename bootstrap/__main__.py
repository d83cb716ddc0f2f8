"""Bootstrap: the S3 state backend, its KMS secrets key and the GitHub OIDC deploy roles.

Run once per AWS account, with its own state kept outside the bucket it creates
(``pulumi login --local``; docs/decisions/0011). Config is the ``webapp-bootstrap:*`` keys of
``GitHubDeployRolesArgs`` and ``aws:region``; a bad value stops the run with one line per
problem before anything is registered. The key and the bucket are always protected.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.config import CONFIG, get_config_env

# The components package sits in the repository root, one level up; the pulumi CLI runs this
# program from bootstrap/, where Python would not find it.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from components import ConfigError, validate_config  # noqa: E402
from components.github_deploy_roles import GitHubDeployRoles  # noqa: E402
from components.github_deploy_roles_args import GitHubDeployRolesArgs  # noqa: E402
from components.state_backend import StateBackend  # noqa: E402

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


def load_config() -> tuple[str, GitHubDeployRolesArgs]:
    """``aws:region`` and the validated project keys, or ConfigError listing every problem."""
    raw: dict[str, Any] = {**get_config_env(), **CONFIG.get()}
    problems: list[str] = []
    region = raw.get("aws:region")
    if not isinstance(region, str) or not _REGION.match(region):
        shown = "missing" if region is None else json.dumps(region)
        problems.append(f"aws:region = {shown}: must be an AWS region name such as us-east-1")
    prefix = f"{pulumi.get_project()}:"
    keys = {k.removeprefix(prefix): _decode(v) for k, v in raw.items() if k.startswith(prefix)}
    args: GitHubDeployRolesArgs | None = None
    try:
        args = validate_config(GitHubDeployRolesArgs, keys, prefix)
    except ConfigError as err:
        problems.extend(err.problems)
    if problems or args is None or not isinstance(region, str):
        raise ConfigError(problems)
    return region, args


def _decode(value: Any) -> Any:
    """Lists arrive as JSON text; scalars stay strings (pydantic coerces them)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


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

backend = StateBackend("state", project=args.app_project, protect=True, opts=on_aws)
roles = GitHubDeployRoles(
    "github", args, state_bucket_arn=backend.bucket_arn, secrets_key_arn=backend.key_arn, opts=on_aws
)

pulumi.export("stateBucket", backend.bucket_name)
pulumi.export("loginUrl", backend.login_url)
pulumi.export("secretsProvider", backend.secrets_provider)
pulumi.export("oidcProviderArn", roles.oidc_provider_arn)
pulumi.export("previewRoleArn", roles.preview_role_arn)
pulumi.export("devRoleArn", roles.dev_role_arn)
pulumi.export("prodRoleArn", roles.prod_role_arn)
