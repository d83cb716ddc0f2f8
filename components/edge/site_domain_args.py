"""Config model for the SiteDomain component (the static site's custom domain, e.g. ``site.domain``)."""

import re
from typing import Annotated

from pydantic import AfterValidator, model_validator

from ..core._model import ConfigModel
from ..core.config_errors import ConfigFieldError

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# ACM puts the certificate's first name in the subject's Common Name, which X.509 caps at 64.
MAX_CERTIFICATE_DOMAIN = 64


def _dns_name(value: str) -> str:
    if value.startswith("*."):
        raise ValueError(
            "must not be a wildcard: CloudFront aliases and the redirect need exact names; give the "
            "apex, such as example.com"
        )
    name = value.rstrip(".")
    if len(name) > 253 or "." not in name or not all(_DNS_LABEL.match(p) for p in name.split(".")):
        raise ValueError(
            "must be a lower-case DNS name such as example.com: dot-separated labels of a-z, 0-9 and "
            "hyphens (not at either end of a label), at most 253 characters"
        )
    return name


DnsName = Annotated[str, AfterValidator(_dns_name)]


class SiteDomainArgs(ConfigModel):
    """The site's public name: a DNS-validated us-east-1 certificate and Route 53 aliases for it.

    ``domain`` is what viewers type (usually the apex); it must be ``hostedZoneName`` or a name
    under it. With ``redirectWww`` the certificate and aliases also cover ``www.<domain>``, which
    CloudFront answers with a 301 to ``domain``.

    Example::

        SiteDomainArgs(domain="example.com", hosted_zone_name="example.com")
        # stack file: site.domain: {domain: example.com, hostedZoneName: example.com}
    """

    domain: DnsName
    """What viewers type, usually the apex: ``hostedZoneName`` or a name under it, at most 64 characters."""
    hosted_zone_name: DnsName
    """The public Route 53 hosted zone the certificate is validated and the aliases created in."""
    redirect_www: bool = True
    """Also serve ``www.<domain>`` and answer it with a 301 to ``domain``."""

    @model_validator(mode="after")
    def _domain_in_zone(self) -> "SiteDomainArgs":
        zone = self.hosted_zone_name
        if self.domain != zone and not self.domain.endswith(f".{zone}"):
            raise ConfigFieldError(
                "domain",
                self.domain,
                f"must be {zone} or a name under it (hostedZoneName): the certificate is validated and "
                "the aliases are created in that zone",
            )
        if len(self.domain) > MAX_CERTIFICATE_DOMAIN:
            raise ConfigFieldError(
                "domain",
                self.domain,
                f"must be at most {MAX_CERTIFICATE_DOMAIN} characters: ACM puts it in the certificate's "
                f"Common Name; got {len(self.domain)}",
            )
        if self.redirect_www and self.domain.startswith("www."):
            raise ConfigFieldError(
                "domain",
                self.domain,
                f"starts with www. while redirectWww is true, which would add www.{self.domain}; set "
                "domain to the name without www. or set redirectWww to false",
            )
        return self

    @property
    def www_domain(self) -> str | None:
        """``www.<domain>`` when it is served (and redirected), else None."""
        return f"www.{self.domain}" if self.redirect_www else None
