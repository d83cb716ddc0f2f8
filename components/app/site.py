"""The public front of the stack: CloudFront with the site bucket, its WAF, domain and content.

Part of ``build_stack`` (``components/app/stack.py``), split out so each file reads in one go.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from components import (
    ApiOrigin,
    FrontDoor,
    LoadBalancer,
    LogEncryptionKey,
    Network,
    SiteContent,
    SiteDomain,
    StaticSite,
    WebAcl,
)

if TYPE_CHECKING:
    from stack_config import StackConfig


@dataclass(frozen=True)
class SiteParts:
    """What the site needs from the rest of the stack.

    Example::

        build_site(SiteParts(config=config, region="eu-west-1", network=network, ...), outputs)
    """

    config: "StackConfig"
    region: str
    network: Network
    load_balancer: LoadBalancer
    log_kms_key_arn: pulumi.Output[str] | None
    origin_domain: str | None
    on_aws: pulumi.ResourceOptions
    on_us_east_1: pulumi.ResourceOptions
    named: Callable[[str], str]


def build_site(parts: SiteParts, outputs: dict[str, Any]) -> StaticSite:
    """The distribution (and its web ACL, domain, content); its outputs go into ``outputs``."""
    config, named = parts.config, parts.named
    on_aws, on_us_east_1 = parts.on_aws, parts.on_us_east_1
    load_balancer, log_kms_key_arn = parts.load_balancer, parts.log_kms_key_arn
    behind_cdn = config.load_balancer.front_door is FrontDoor.CDN
    # CloudWatch Logs encrypts only with a key of the log group's region.
    edge_log_kms_key_arn = (
        log_kms_key_arn
        if log_kms_key_arn is None or parts.region == "us-east-1"
        else LogEncryptionKey(
            named("logs-us-east-1"), region="us-east-1", protect=config.protect, opts=on_us_east_1
        ).key_arn
    )
    edge_acl = (
        WebAcl(
            named("edge"),
            config.waf,
            scope="CLOUDFRONT",
            log_kms_key_arn=edge_log_kms_key_arn,
            opts=on_us_east_1,
        )
        if config.waf.enabled
        else None
    )
    domain = SiteDomain(named("site"), config.site.domain, opts=on_us_east_1) if config.site.domain else None
    site = StaticSite(
        named("site"),
        config.site,
        api=ApiOrigin(
            load_balancer_arn=load_balancer.arn,
            load_balancer_dns_name=load_balancer.dns_name,
            load_balancer_security_group_id=load_balancer.security_group_id,
            vpc_id=parts.network.vpc_id,
            origin_domain_name=parts.origin_domain,
        )
        if behind_cdn
        else None,
        web_acl_arn=edge_acl.arn if edge_acl is not None else None,
        certificate_arn=domain.certificate_arn if domain is not None else None,
        aliases=domain.aliases if domain is not None else (),
        canonical_host=domain.canonical_host if domain is not None else None,
        access_log_kms_key_arn=edge_log_kms_key_arn,
        protect=config.protect,
        ephemeral=config.ephemeral,
        opts=on_aws,
    )

    if domain is not None:
        domain.point_at(site.domain_name, site.hosted_zone_id)

    if config.site.build_dir is not None:
        # The frontend build as S3 objects, and an invalidation when its content hash changes.
        content = SiteContent(
            named("site"),
            build_dir=Path(config.site.build_dir),
            bucket_name=site.bucket_name,
            distribution_id=site.distribution_id,
            hashed_asset_paths=config.site.hashed_asset_paths,
            opts=on_aws,
        )
        outputs["siteContentHash"] = content.content_hash

    outputs["siteUrl"] = site.url
    outputs["distributionId"] = site.distribution_id
    outputs["siteBucketName"] = site.bucket_name
    if site.access_logs is not None:
        outputs["siteAccessLogGroupName"] = site.access_logs.log_group.name
    return site
