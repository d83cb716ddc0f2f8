"""``StaticSite`` on its own: the CloudFront front door for any language (``webapp:index:StaticSite``).

The same class as the Python program's (``components.StaticSite``, one resource with the same
type token), constructed from schema args: the ``webapp:site`` keys at the top level, a profile,
and what the program's wiring would hand it as values: the internal ALB of the API
(``apiOrigin``), the certificate and aliases ``SiteDomain`` would make, a web ACL and the
access logs' key. The program's ``domain``, ``originTls`` and ``buildDir`` keys act outside
StaticSite (certificate and DNS, the ALB's TLS, the upload) and are not inputs: upload the build
to ``bucketName`` yourself.

Example (Python; from other languages see docs/guides/other-languages.md)::

    site = StaticSite("site", {"profile": "prod", "spaFallback": True})
    pulumi.export("siteUrl", site.url)
"""

# The provider host reads these annotations at run time: no ``from __future__ import annotations``.
import json

import pulumi

from components import ApiOrigin, StaticSiteArgs
from components import StaticSite as ProgramStaticSite

from .api_origin_args import ApiOriginArgs
from .part_args import StaticSiteComponentArgs
from .part_settings import part_settings


class StaticSite(ProgramStaticSite):
    """A CloudFront distribution over a private, versioned S3 bucket readable only by it (Origin
    Access Control), with long caching for hashed assets, security headers, an optional SPA fallback
    and host redirect, and with apiOrigin the API path sent uncached to an internal ALB through a
    CloudFront VPC origin (the ALB's security group gets its one ingress rule)."""

    distribution_id: pulumi.Output[str]
    """The CloudFront distribution's ID (for invalidations)."""
    distribution_arn: pulumi.Output[str]
    """The CloudFront distribution's ARN."""
    domain_name: pulumi.Output[str]
    """The distribution's cloudfront.net name: the target of the aliases' DNS records."""
    hosted_zone_id: pulumi.Output[str]
    """CloudFront's Route 53 hosted zone ID, for alias records to the distribution."""
    url: pulumi.Output[str]
    """The site's https URL: the canonical host, else the first alias, else the cloudfront.net name."""
    bucket_name: pulumi.Output[str]
    """The S3 bucket the site is served from: upload the build here, then invalidate."""
    bucket_arn: pulumi.Output[str]
    """The S3 bucket's ARN."""

    def __init__(
        self, name: str, args: StaticSiteComponentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        aliases = list(args.get("aliases") or [])
        canonical_host = args.get("canonicalHost")
        certificate_arn = args.get("certificateArn")
        part = part_settings(
            args,
            StaticSiteArgs,
            "site",
            hand_off_problems=_hand_off_problems(aliases, canonical_host, certificate_arn),
        )
        origin = args.get("apiOrigin")
        super().__init__(
            name,
            part.model,
            api=_api_origin(origin) if origin is not None else None,
            certificate_arn=certificate_arn,
            aliases=aliases,
            web_acl_arn=args.get("webAclArn"),
            canonical_host=canonical_host,
            access_log_kms_key_arn=args.get("accessLogKmsKeyArn"),
            protect=part.protect,
            ephemeral=part.ephemeral,
            opts=opts,
        )


# The docstring is the package schema's description: one paragraph, not source indentation.
StaticSite.__doc__ = " ".join((StaticSite.__doc__ or "").split())


def _hand_off_problems(
    aliases: list[str], canonical_host: str | None, certificate_arn: pulumi.Input[str] | None
) -> list[str]:
    """The checks ``components.StaticSite`` raises ValueError for, as one-line problems."""
    problems: list[str] = []
    if aliases and certificate_arn is None:
        problems.append(
            f"aliases = {json.dumps(aliases)}: need certificateArn, an ACM certificate in us-east-1 "
            "covering them; CloudFront rejects aliases without one"
        )
    if canonical_host is not None and canonical_host not in aliases:
        problems.append(
            f"canonicalHost = {json.dumps(canonical_host)}: must be one of the aliases "
            f"{json.dumps(aliases)}; otherwise every request is redirected to a host the site does not serve"
        )
    return problems


def _api_origin(origin: ApiOriginArgs) -> ApiOrigin:
    return ApiOrigin(
        load_balancer_arn=origin["loadBalancerArn"],
        load_balancer_dns_name=origin["loadBalancerDnsName"],
        load_balancer_security_group_id=origin["loadBalancerSecurityGroupId"],
        vpc_id=origin["vpcId"],
        origin_domain_name=origin.get("originDomainName"),
    )
