"""Config model for the StaticSite component (stack config key ``<project>:site``)."""

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.log_retention import RetentionDays
from .site_domain_args import MAX_CERTIFICATE_DOMAIN, SiteDomainArgs

# CloudFront's path-pattern alphabet (CacheBehavior.PathPattern in the API reference): letters,
# digits and _ - . * $ / ~ " ' @ : + &, at most 255 characters. This stack also insists on a
# leading "/" so a pattern reads like the URL path it matches.
_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_\-.*$/~\"'@:+&]{0,254}$")

# CloudFront refuses a longer Content-Security-Policy value in a response headers policy
# (TooLongCSPInResponseHeadersPolicy; the quota page lists 1783 characters).
MAX_CSP_LENGTH = 1783

# With originTls the internal ALB answers CloudFront as <ORIGIN_LABEL>.<domain>.
ORIGIN_LABEL = "origin"


def _path_pattern(value: str) -> str:
    if not _PATH_PATTERN.match(value):
        raise ValueError(
            'must be a CloudFront path pattern such as "/assets/*": start with "/", at most 255 '
            "characters of letters, digits and _ - . * $ / ~ \" ' @ : + & (no spaces)"
        )
    return value


# The schema's copy drops the backslash before '"', an escape ECMA-262 (JSON schema) patterns refuse.
PathPattern = Annotated[
    str, AfterValidator(_path_pattern), InSchema(pattern=_PATH_PATTERN.pattern.replace('\\"', '"'))
]


class PriceClass(ConfigEnum):
    """Which edge locations serve the site; cheaper classes leave out the priciest regions."""

    CLASS_100 = "PriceClass_100"
    """North America, Europe and Israel."""
    CLASS_200 = "PriceClass_200"
    """Adds most of Asia, the Middle East and Africa."""
    ALL = "PriceClass_All"
    """Every edge location."""


class SiteAccessLogsArgs(ConfigModel):
    """CloudFront standard access logs (``site.accessLogs``), delivered to CloudWatch Logs in us-east-1.

    Off in dev (nobody reads them, and log ingestion costs money); on in prod (control CloudFront.5).

    Example::

        SiteAccessLogsArgs(enabled=True, retention_days=365)
    """

    enabled: bool = False
    """Deliver the distribution's access logs (control CloudFront.5)."""
    retention_days: RetentionDays = 90
    """The log group's retention: CloudWatch Logs deletes older events."""


class StaticSiteArgs(ConfigModel):
    """Everything the StaticSite component reads from config; profiles fill more defaults.

    Dev: the cheapest price class, HTML cached for a minute, SPA routing on, no CSP, no access logs.

    ``enabled: false`` is for an API-only system: no distribution, no site bucket, no upload, no
    edge web ACL. ``buildDir``, ``domain`` and ``accessLogs.enabled: true`` are then refused
    (nothing would use them); the other keys are validated and unused. The stack then needs
    ``loadBalancer.frontDoor: direct`` (checked by StackConfig), since only CloudFront reaches
    the internal ALB of ``cdn`` mode.

    Example::

        StaticSiteArgs(price_class=PriceClass.ALL, html_ttl_seconds=300,
                       content_security_policy="default-src 'self'")
        StaticSiteArgs(enabled=False)  # API only
    """

    enabled: bool = True
    """Create the distribution and site bucket; false for an API-only system."""
    price_class: PriceClass = PriceClass.CLASS_100
    """Which edge locations serve the site."""
    html_ttl_seconds: Annotated[int, InSchema(minimum=0, maximum=3600)] = 60
    """Seconds CloudFront caches HTML, which names the hashed assets: short, or old releases linger."""
    hashed_asset_paths: Annotated[tuple[PathPattern, ...], InSchema(maxItems=25)] = ("/assets/*", "/_next/*")
    """Path patterns of content-hashed build output: cached for a year, never revalidated."""
    api_path_pattern: PathPattern = "/api/*"
    """The prefix pattern (ending in ``/*``) CloudFront routes to the API."""
    spa_fallback: bool = True
    """Answer unknown paths with index.html so a single-page app's router handles them."""
    content_security_policy: Annotated[str, InSchema(minLength=1, maxLength=MAX_CSP_LENGTH)] | None = None
    """The Content-Security-Policy header CloudFront adds; null: none."""
    noncurrent_version_expiration_days: int = Field(default=30, ge=1, le=3650)
    """Days an overwritten site file is kept, for a rollback."""
    access_logs: SiteAccessLogsArgs = SiteAccessLogsArgs()
    """CloudFront standard access logs to CloudWatch Logs."""
    domain: SiteDomainArgs | None = None
    """A custom domain (certificate in us-east-1, aliases, www redirect); null: the cloudfront.net name."""
    origin_tls: bool = False
    """HTTPS from CloudFront to the internal ALB, certified for ``origin.<domain>``; needs ``domain``.

    Prod's default when ``domain`` is set. Unused with ``loadBalancer.frontDoor: direct``, whose ALB
    serves HTTPS on its own name."""
    build_dir: str | None = None
    """The frontend's build output, uploaded on deploy; null: upload the site yourself (aws s3 sync)."""

    @field_validator("build_dir")
    @classmethod
    def _build_dir(cls, value: str | None) -> str | None:
        # Checked here, not at upload: a missing build should stop `pulumi preview` with one
        # config line, not a traceback. Relative paths resolve against the current directory,
        # which is the project directory when pulumi runs the program.
        if value is None:
            return None
        if not value.strip():
            raise ValueError("must not be empty; leave it out (null) to upload nothing")
        path = Path(value)
        if not path.exists():
            raise ValueError("no such directory (build the frontend first, e.g. npm run build)")
        if not path.is_dir():
            raise ValueError("is a file, not a directory: point it at the build output, such as dist or out")
        if not (path / "index.html").is_file():
            raise ValueError("has no index.html: point it at the build output, such as dist or out")
        return value

    @field_validator("html_ttl_seconds")
    @classmethod
    def _html_ttl(cls, value: int) -> int:
        if not 0 <= value <= 3600:
            raise ValueError(
                "must be from 0 to 3600 seconds: HTML names the hashed assets, so a long TTL "
                "keeps serving an old release after a deploy"
            )
        return value

    @field_validator("hashed_asset_paths")
    @classmethod
    def _asset_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > 25:
            raise ValueError("must list at most 25 path patterns")
        if len(set(value)) != len(value):
            raise ValueError("lists a path pattern twice")
        return value

    @field_validator("content_security_policy")
    @classmethod
    def _csp(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("must not be empty; leave it out (null) to send no Content-Security-Policy")
        if len(value) > MAX_CSP_LENGTH:
            raise ValueError(
                f"must be at most {MAX_CSP_LENGTH} characters (CloudFront's limit for this header), "
                f"got {len(value)}"
            )
        return value

    @model_validator(mode="after")
    def _api_not_an_asset_path(self) -> "StaticSiteArgs":
        # CloudFront rejects two cache behaviours with the same path pattern.
        if not self.api_path_pattern.endswith("/*"):
            raise ConfigFieldError(
                "apiPathPattern",
                self.api_path_pattern,
                'must be a prefix pattern ending in "/*", such as /api/*: everything under it goes to '
                "the API, and the API's URL is the prefix",
            )
        if self.api_path_pattern in self.hashed_asset_paths:
            raise ConfigFieldError(
                "apiPathPattern",
                self.api_path_pattern,
                "is also listed in hashedAssetPaths; each path pattern may route to one origin only",
            )
        return self

    @model_validator(mode="after")
    def _origin_tls_needs_a_domain(self) -> "StaticSiteArgs":
        if not self.origin_tls:
            return self
        if self.domain is None:
            raise ConfigFieldError(
                "originTls", True,
                "needs domain: the ALB's certificate is for origin.<domain>, validated in its hosted "
                "zone; set domain, or set originTls to false",
            )  # fmt: skip
        origin = self.origin_domain or ""
        if len(origin) > MAX_CERTIFICATE_DOMAIN:
            raise ConfigFieldError(
                "originTls", True,
                f"the origin's name {origin} has {len(origin)} characters, more than the "
                f"{MAX_CERTIFICATE_DOMAIN} ACM allows in a certificate's Common Name; use a shorter "
                "domain, or set originTls to false",
            )  # fmt: skip
        return self

    @property
    def origin_domain(self) -> str | None:
        """``origin.<domain>``, the ALB's name for CloudFront when ``originTls`` is on, else None."""
        if not self.origin_tls or self.domain is None:
            return None
        return f"{ORIGIN_LABEL}.{self.domain.domain}"

    @model_validator(mode="after")
    def _nothing_for_a_disabled_site(self) -> "StaticSiteArgs":
        if self.enabled:
            return self
        if self.build_dir is not None:
            raise ConfigFieldError(
                "buildDir", self.build_dir,
                "not used with enabled: false: there is no site bucket to upload it to; remove it, or "
                "set enabled: true",
            )  # fmt: skip
        if self.domain is not None:
            raise ConfigFieldError(
                "domain", self.domain.model_dump(by_alias=True),
                "not used with enabled: false: there is no distribution to serve it; the API's own "
                "name is loadBalancer.domain",
            )  # fmt: skip
        # Only an explicit "on": accessLogs: {enabled: false} copied from a stack file is
        # harmless, and a profile's default (prod logs its distribution) is not the stack's ask.
        logs = self.access_logs
        if "access_logs" in self.model_fields_set and "enabled" in logs.model_fields_set and logs.enabled:
            raise ConfigFieldError(
                "accessLogs.enabled", True,
                "not used with enabled: false: there is no distribution to log; remove it, or set "
                "enabled: true",
            )  # fmt: skip
        return self
