"""Config model for the LoadBalancer component (stack config key ``<project>:loadBalancer``)."""

import re
from typing import Annotated

from pydantic import AfterValidator, field_validator, model_validator

from ..core._model import Between, ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError


class FrontDoor(ConfigEnum):
    """What the internet talks to."""

    CDN = "cdn"
    """CloudFront reaches an internal ALB through a VPC origin, so the ALB has no public address."""
    DIRECT = "direct"
    """The ALB itself is internet-facing and terminates TLS for ``domain``."""


# AWS's TLS 1.3 policies whose oldest protocol is TLS 1.2 (describe-ssl-policies in the ALB user
# guide). The TLS13-1-0 / TLS13-1-1 variants are TLS 1.3-capable too, but they still accept
# TLS 1.0/1.1, which is deprecated (RFC 8996), so they are refused like the pre-TLS 1.3 ones.
TLS13_SSL_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# 200-499 as one code, a comma list or a range, e.g. "200", "200,204", "200-399".
_HTTP_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


def _dns_name(value: str) -> str:
    name = value.lower().rstrip(".")
    if len(name) > 253 or "." not in name or not all(_DNS_LABEL.match(p) for p in name.split(".")):
        raise ValueError(
            "must be a DNS name such as api.example.com: dot-separated labels of letters, digits "
            "and hyphens (no wildcard), at most 253 characters"
        )
    return name


DnsName = Annotated[str, AfterValidator(_dns_name)]


class HealthCheckArgs(ConfigModel):
    """How the target group decides a task is healthy (``loadBalancer.healthCheck``).

    A new task gets traffic after ``healthyThreshold`` passing checks; a failing one is pulled
    after ``unhealthyThreshold`` misses, i.e. within about ``intervalSeconds * unhealthyThreshold``.

    Example::

        HealthCheckArgs(path="/healthz", interval_seconds=10, timeout_seconds=3)
    """

    path: Annotated[str, InSchema(pattern=r"^/\S*$", maxLength=1024)] = "/health"
    """The URL path the load balancer requests on each task."""
    healthy_threshold: Annotated[int, Between(2, 10)] = 2
    """Passing checks before a new task gets traffic."""
    unhealthy_threshold: Annotated[int, Between(2, 10)] = 3
    """Failed checks before a task is pulled from the target group."""
    interval_seconds: Annotated[int, Between(5, 300)] = 15
    """Seconds between two checks of a task."""
    timeout_seconds: Annotated[int, Between(2, 120)] = 5
    """Seconds a check may take, less than intervalSeconds."""
    matcher: Annotated[str, InSchema(pattern=_HTTP_MATCHER.pattern)] = "200-399"
    """HTTP codes (200 to 499) that count as healthy: one, a list or a range."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or len(value) > 1024 or any(c.isspace() for c in value):
            raise ValueError('must start with "/", contain no spaces and be at most 1024 characters')
        return value

    @field_validator("matcher")
    @classmethod
    def _matcher(cls, value: str) -> str:
        codes = [int(c) for c in re.split(r"[,-]", value)] if _HTTP_MATCHER.match(value) else []
        if not codes or not all(200 <= c <= 499 for c in codes):
            raise ValueError(
                'must be HTTP codes from 200 to 499: one ("200"), a list ("200,204") or a range ("200-399")'
            )
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> "HealthCheckArgs":
        if self.timeout_seconds >= self.interval_seconds:
            raise ConfigFieldError(
                "timeoutSeconds",
                self.timeout_seconds,
                f"must be less than intervalSeconds ({self.interval_seconds})",
            )
        return self


class AccessLogsArgs(ConfigModel):
    """ALB access logs to a private S3 bucket (``loadBalancer.accessLogs``).

    Example::

        AccessLogsArgs(enabled=True, retention_days=365)
    """

    enabled: bool = False
    """Log every request the ALB serves."""
    retention_days: Annotated[int, Between(1, 3650, " (days before S3 deletes a log file)")] = 90
    """Days before S3 deletes a log file."""


class LoadBalancerArgs(ConfigModel):
    """Everything the LoadBalancer component needs; profiles fill more defaults.

    Dev: internal ALB behind the CDN, no deletion protection, no access logs. Prod sets
    ``deletionProtection: true`` and ``accessLogs.enabled: true``.

    Example::

        LoadBalancerArgs()  # cdn: internal ALB, HTTP:80 only, reached by CloudFront
        LoadBalancerArgs(front_door=FrontDoor.DIRECT, domain="api.example.com",
                         hosted_zone_name="example.com", deletion_protection=True,
                         access_logs=AccessLogsArgs(enabled=True))
    """

    front_door: FrontDoor = FrontDoor.CDN
    """Whether the internet reaches the ALB through CloudFront or directly."""
    domain: DnsName | None = None
    """The API's HTTPS name (certificate and DNS alias); frontDoor direct only."""
    hosted_zone_name: DnsName | None = None
    """The public Route 53 hosted zone that holds ``domain``; frontDoor direct only."""
    ssl_policy: Annotated[str, InSchema(enum=list(TLS13_SSL_POLICIES))] = (
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    )
    """The HTTPS listener's security policy: TLS 1.3 and nothing older than 1.2; frontDoor direct only.

    The cdn-mode origin listener of ``site.originTls`` keeps the default."""
    idle_timeout_seconds: Annotated[int, Between(1, 4000)] = 60
    """Seconds an idle connection stays open."""
    deletion_protection: bool = False
    """Refuse to delete the ALB until this is turned off."""
    access_logs: AccessLogsArgs = AccessLogsArgs()
    """ALB access logs to a private S3 bucket."""
    health_check: HealthCheckArgs = HealthCheckArgs()
    """How the target group decides a task is healthy."""
    deregistration_delay_seconds: Annotated[
        int, Between(0, 3600, " (seconds a stopping task keeps finishing its requests)")
    ] = 30
    """Seconds a stopping task keeps finishing its requests before it is deregistered."""

    @field_validator("ssl_policy")
    @classmethod
    def _tls13(cls, value: str) -> str:
        if value not in TLS13_SSL_POLICIES:
            raise ValueError(
                "must be an ALB security policy that offers TLS 1.3 and nothing older than TLS 1.2: "
                + ", ".join(TLS13_SSL_POLICIES)
            )
        return value

    @model_validator(mode="after")
    def _domain_fits_front_door(self) -> "LoadBalancerArgs":
        if self.front_door is FrontDoor.DIRECT:
            self._check_direct()
        else:
            self._check_cdn()
        return self

    def _check_direct(self) -> None:
        if self.domain is None:
            raise ConfigFieldError(
                "domain",
                None,
                'frontDoor "direct" needs a domain for the HTTPS certificate and the DNS alias, '
                "e.g. api.example.com",
            )
        if self.hosted_zone_name is None:
            raise ConfigFieldError(
                "hostedZoneName",
                None,
                f'frontDoor "direct" needs the public Route 53 hosted zone that holds {self.domain}, '
                "e.g. example.com",
            )
        zone = self.hosted_zone_name
        if self.domain != zone and not self.domain.endswith(f".{zone}"):
            raise ConfigFieldError(
                "domain",
                self.domain,
                f"must be {zone} or a name under it (hostedZoneName): the certificate is validated and "
                "the alias created in that zone",
            )

    def _check_cdn(self) -> None:
        for key, value in (("domain", self.domain), ("hostedZoneName", self.hosted_zone_name)):
            if value is not None:
                raise ConfigFieldError(
                    key,
                    value,
                    'not used with frontDoor "cdn": the CDN serves the public domain and the ALB stays '
                    'internal; remove it, or set frontDoor to "direct"',
                )
        if "ssl_policy" in self.model_fields_set:
            raise ConfigFieldError(
                "sslPolicy",
                self.ssl_policy,
                'not used with frontDoor "cdn": the internal ALB has no HTTPS listener, or with '
                "site.originTls one for CloudFront only, on the default policy; remove it",
            )
