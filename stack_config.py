"""The stack's typed config: every ``<project>:*`` key, validated before any resource exists.

Each component's args model is one key of ``StackConfig`` (``webapp:network`` -> ``NetworkArgs``),
so ``pulumi config set --path network.azCount 3`` and the stack files use the models' camelCase
names. Unknown keys, wrong types and out-of-range values fail with one line per problem.
"""

import re
from typing import Annotated, Any

import pulumi
from pydantic import Field, field_validator, model_validator

from components import (
    AppSecretsArgs,
    AuditTrailArgs,
    CacheArgs,
    CacheMode,
    ClusterArgs,
    ConfigFieldError,
    ContainerServiceArgs,
    DatabaseArgs,
    FrontDoor,
    ImageArgs,
    LoadBalancerArgs,
    MigrationArgs,
    MonitoringArgs,
    NetworkArgs,
    StaticSiteArgs,
    TracingArgs,
    UploadsBucketArgs,
    WebAclArgs,
)
from components.compute.task_inputs import MIN_APP_MEMORY
from components.compute.tracing import AGENT_PORTS, tracing_memory
from components.core._model import ConfigModel, InSchema
from components.core.config_loader import decode_config_value, load_project_config, raw_config
from components.core.deploy_permissions_boundary import IamArgs
from components.profiles import DESTROY_BLOCKED, Profile, apply_profile, destroy_blockers

# Tags this program sets itself on every resource; config may add others, not override these.
RESERVED_TAG_KEYS = ("project", "stack", "managed-by")
_WORKER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
# The variables the Database and Cache connections set in every service (tests keep this in
# step with the components); config may not define them a second time.
CONNECTION_VARIABLES = {
    "database": ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"),
    "cache": ("REDIS_HOST", "REDIS_PORT", "REDIS_TLS", "REDIS_AUTH_TOKEN"),
    "uploads": ("UPLOADS_BUCKET",),
}


def pack_config_problem(path: str) -> str | None:
    """What is wrong with a ``policyPackConfig`` path, or None; ``offline.pack_config`` checks the same."""
    parts = path.replace("\\", "/").split("/")
    if not path.endswith(".json"):
        return "must be a .json policy pack config file"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return "must be a path relative to the project directory, e.g. policies/config/team.json"
    if ".." in parts:
        return "must stay inside the project directory (no '..')"
    return None


class StackConfig(ConfigModel):
    """All project-namespaced stack config; defaults come from ``profile`` (components.profiles).

    ``image`` has no default: say which image runs (``uri``, ``tag`` or ``build``).

    Example (``Pulumi.dev.yaml``)::

        config:
          aws:region: us-east-1
          webapp:tags: {team: platform}
          webapp:network: {azCount: 2, natStrategy: single}
          webapp:image: {tag: 3f9c2e1}
    """

    profile: Profile = Profile.DEV
    """Which defaults every other key starts from; also picks policies/config/<profile>.json."""
    policy_pack_config: Annotated[str, InSchema(pattern=r"\.json$")] | None = None
    """This stack's own policy pack config (relative path), for departures that belong to it only."""
    protect: bool = False
    """Pulumi ``protect`` on stateful resources, so deleting or replacing them fails until unprotected."""
    ephemeral: bool = False
    """The stack is meant to be destroyed (pull request previews): nothing may block ``pulumi destroy``.

    No Pulumi protect, no deletion protection, no final snapshots, secrets deleted without a
    recovery window, and buckets and the image repository deleted with their contents."""
    tags: Annotated[dict[str, str], InSchema(propertyNames={"minLength": 1, "maxLength": 128})] = Field(
        default_factory=dict
    )
    """Tags added to every resource (keys 1-128 characters, values at most 256; not project/stack/aws:)."""
    network: NetworkArgs = NetworkArgs()
    """The VPC: subnets in each AZ, NAT, endpoints and flow logs."""
    cluster: ClusterArgs = ClusterArgs()
    """The ECS cluster the services run in."""
    image: ImageArgs
    """Which image the services run: ``uri``, ``tag`` or ``build`` (no default)."""
    secrets: AppSecretsArgs = AppSecretsArgs()
    """Secrets injected into the app's containers, by environment variable name."""
    load_balancer: LoadBalancerArgs = LoadBalancerArgs()
    """The ALB in front of the API, behind CloudFront or facing the internet directly."""
    service: ContainerServiceArgs = ContainerServiceArgs()
    """The API service behind the load balancer."""
    workers: Annotated[
        dict[str, ContainerServiceArgs], InSchema(propertyNames={"pattern": _WORKER_NAME.pattern})
    ] = Field(default_factory=dict)
    """Background services by name: no port, no load balancer, scaled on CPU or memory."""
    migration: MigrationArgs | None = None
    """The one-off database migration task (its command and size); null: none."""
    database: DatabaseArgs = DatabaseArgs()
    """The PostgreSQL database (RDS instance or Aurora Serverless v2)."""
    cache: CacheArgs = CacheArgs()
    """The Redis-compatible cache (ElastiCache, a sidecar, or none)."""
    uploads: UploadsBucketArgs = UploadsBucketArgs()
    """A private S3 bucket for user uploads or model files."""
    site: StaticSiteArgs = StaticSiteArgs()
    """The static frontend: CloudFront distribution and site bucket."""
    waf: WebAclArgs = WebAclArgs()
    """An AWS WAF web ACL in front of the app (off unless enabled)."""
    monitoring: MonitoringArgs = MonitoringArgs()
    """Alarms to an encrypted SNS topic, a dashboard and a monthly cost budget."""
    tracing: TracingArgs = TracingArgs()
    """OpenTelemetry traces from the API and the workers (an agent sidecar per task; prod profile on)."""
    audit_trail: AuditTrailArgs = AuditTrailArgs()
    """An account-wide CloudTrail trail; off unless the account has none."""
    iam: IamArgs = IamArgs()
    """The permissions boundary of every role the stack creates (bootstrap/'s, by default)."""

    @model_validator(mode="before")
    @classmethod
    def _profile_and_derived_defaults(cls, data: Any) -> Any:
        return apply_profile(data) if isinstance(data, dict) else data

    @field_validator("policy_pack_config")
    @classmethod
    def _policy_pack_config(cls, path: str | None) -> str | None:
        problem = None if path is None else pack_config_problem(path)
        if problem is not None:
            raise ValueError(problem)
        return path

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if key in RESERVED_TAG_KEYS:
                raise ConfigFieldError(
                    key,
                    value,
                    "is set by the program on every resource; reserved "
                    f"tag keys: {', '.join(RESERVED_TAG_KEYS)}",
                )
            if key.lower().startswith("aws:"):
                raise ConfigFieldError(key, value, "tag keys starting with aws: are reserved for AWS")
            if not 1 <= len(key) <= 128 or len(value) > 256:
                raise ConfigFieldError(key, value, "tag keys must be 1-128 characters, values at most 256")
        return tags

    @field_validator("workers")
    @classmethod
    def _workers(cls, workers: dict[str, ContainerServiceArgs]) -> dict[str, ContainerServiceArgs]:
        for name, worker in workers.items():
            if not _WORKER_NAME.match(name):
                raise ConfigFieldError(
                    name,
                    worker.model_dump(by_alias=True, exclude_defaults=True),
                    "worker names are 1-24 lowercase letters, digits or '-', led by a letter",
                )
            if worker.port is not None:
                raise ConfigFieldError(
                    f"{name}.port", worker.port,
                    "workers get no load balancer and nothing connects to them: set port: null (and "
                    "healthCheck.enabled: false or a healthCheck.command that does not call the port)",
                )  # fmt: skip
            if worker.autoscaling.requests_per_target is not None:
                raise ConfigFieldError(
                    f"{name}.autoscaling.requestsPerTarget",
                    worker.autoscaling.requests_per_target,
                    "workers have no load balancer to count requests on; scale on cpu/memory",
                )
        return workers

    @model_validator(mode="after")
    def _ephemeral_stacks_can_be_destroyed(self) -> "StackConfig":
        if not self.ephemeral:
            return self
        # The profile's defaults give way to `ephemeral`; only a key the stack set can still block
        # a destroy, and that contradiction is refused rather than silently overridden.
        for key, value in destroy_blockers(self):
            raise ConfigFieldError(key, value, DESTROY_BLOCKED)
        if self.audit_trail.enabled:
            # Its bucket is the account's evidence; a preview's destroy must not take it along.
            raise ConfigFieldError(
                "auditTrail.enabled", True,
                "an account's audit trail belongs in a long-lived stack, not one with ephemeral: true",
            )  # fmt: skip
        return self

    @model_validator(mode="after")
    def _service_behind_the_load_balancer(self) -> "StackConfig":
        if self.service.port is None:
            raise ConfigFieldError(
                "service.port", None, "the API sits behind the load balancer and needs a port"
            )
        return self

    @model_validator(mode="after")
    def _sidecar_cache_fits(self) -> "StackConfig":
        if self.cache.mode is not CacheMode.SIDECAR:
            return self
        if self.workers:
            raise ConfigFieldError(
                "cache.mode", self.cache.mode.value,
                f"a sidecar cache lives inside each API task, so workers ({', '.join(self.workers)}) could "
                'not reach it: use mode "elasticache", or remove the workers',
            )  # fmt: skip
        if self.cache.sidecar_memory_mb >= self.service.memory:
            raise ConfigFieldError(
                "cache.sidecarMemoryMb", self.cache.sidecar_memory_mb,
                f"must leave memory for the app: service.memory is {self.service.memory} MiB",
            )  # fmt: skip
        return self

    @model_validator(mode="after")
    def _tracing_fits(self) -> "StackConfig":
        # Fargate refuses containers reserving more than the task's memory; the app needs room too.
        reserved = tracing_memory(self.tracing)
        if not reserved:
            return self
        taken = AGENT_PORTS[self.tracing.mode]
        if self.service.port in taken:
            raise ConfigFieldError(
                "service.port", self.service.port,
                f"is a port tracing's agent listens on in the same task ({', '.join(map(str, taken))}): "
                "choose another port or set tracing.enabled false",
            )  # fmt: skip
        services = {"service": self.service, **{f"workers.{n}": w for n, w in self.workers.items()}}
        for key, service in services.items():
            cache = (
                self.cache.sidecar_memory_mb
                if key == "service" and self.cache.mode is CacheMode.SIDECAR
                else 0
            )
            left = service.memory - reserved - cache
            if left < MIN_APP_MEMORY:
                beside = f"tracing's containers ({reserved} MiB)" + (
                    f" and the cache sidecar ({cache} MiB)" if cache else ""
                )
                raise ConfigFieldError(
                    f"{key}.memory", service.memory,
                    f"leaves {left} MiB for the app beside {beside}; the app needs at least "
                    f"{MIN_APP_MEMORY} MiB: raise memory (with cpu) or set tracing.enabled false",
                )  # fmt: skip
        return self

    @model_validator(mode="after")
    def _secrets_are_not_environment(self) -> "StackConfig":
        services = {"service": self.service, **{f"workers.{n}": w for n, w in self.workers.items()}}
        for key, service in services.items():
            for name in service.environment:
                if name in self.secrets.values:
                    raise ConfigFieldError(
                        f"{key}.environment.{name}",
                        service.environment[name],
                        "is also a key of secrets.values; a variable comes from one place",
                    )
                _not_a_connection_variable(f"{key}.environment.{name}", name, service.environment[name])
        for name, spec in self.secrets.values.items():
            dumped = spec.model_dump(by_alias=True, exclude_none=True)
            _not_a_connection_variable(f"secrets.values.{name}", name, dumped)
        return self

    @model_validator(mode="after")
    def _api_only_needs_a_public_alb(self) -> "StackConfig":
        # cdn mode's ALB is internal and admits only CloudFront's VPC origins: with no
        # distribution, nothing on the internet could reach the API.
        if not self.site.enabled and self.load_balancer.front_door is FrontDoor.CDN:
            raise ConfigFieldError(
                "loadBalancer.frontDoor", self.load_balancer.front_door.value,
                'must be "direct" (with domain and hostedZoneName) when site.enabled is false: in "cdn" '
                "mode the ALB is internal and only CloudFront reaches it",
            )  # fmt: skip
        return self


def _not_a_connection_variable(key: str, name: str, value: object) -> None:
    for store, names in CONNECTION_VARIABLES.items():
        if name in names:
            raise ConfigFieldError(key, value, f"is set by the {store} connection; choose another name")


class Settings:
    """Validated config plus what the program derives from it (region, default tags)."""

    def __init__(self, project: str, stack: str, region: str, config: StackConfig) -> None:
        self.project = project
        self.stack = stack
        self.region = region
        self.config = config

    def default_tags(self) -> dict[str, str]:
        """Tags every AWS resource gets through the provider's ``default_tags``."""
        return {"project": self.project, "stack": self.stack, "managed-by": "pulumi", **self.config.tags}


__all__ = ["Settings", "StackConfig", "decode_config_value", "load_settings", "raw_config"]


def load_settings() -> Settings:
    """Read and validate this stack's config, or raise ConfigError listing every problem."""
    region, config = load_project_config(StackConfig)
    return Settings(pulumi.get_project(), pulumi.get_stack(), region, config)
