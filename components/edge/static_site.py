"""StaticSite: the CloudFront front door, serving the site from S3 and routing the API path to the ALB."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.metrics import DistributionMetrics, ServiceMetrics
from ..core.names import fit_name
from ..core.outputs import register_declared_outputs
from .cloudfront_access_logs import AccessLogDelivery, deliver_access_logs
from .cloudfront_functions import viewer_request_function
from .cloudfront_policies import cache_policy, security_headers_policy
from .site_bucket import SiteBucket, create_site_bucket, grant_distribution_read
from .static_site_args import StaticSiteArgs

# AWS-managed policies (IDs from the CloudFront developer guide, "Use managed ... policies").
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# Everything the viewer sent except Host: the ALB sees its own name, the app sees cookies,
# query strings and headers such as Authorization.
ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
# CloudFront creates this group in the VPC with the first VPC origin there and attaches it to the
# network interfaces that carry origin traffic; admitting it admits CloudFront's VPC origins only.
VPC_ORIGIN_SECURITY_GROUP_NAME = "CloudFront-VPCOrigins-Service-SG"

ONE_YEAR_SECONDS = 31_536_000
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
CACHED_METHODS = ["GET", "HEAD"]
S3_ORIGIN_ID = "site-bucket"
API_ORIGIN_ID = "api"


@dataclass(frozen=True)
class ApiOrigin:
    """The internal ALB that ``apiPathPattern`` is routed to through a CloudFront VPC origin.

    Example::

        ApiOrigin(load_balancer_arn=lb.arn, load_balancer_dns_name=lb.dns_name,
                  load_balancer_security_group_id=lb.security_group_id, vpc_id=network.vpc_id,
                  origin_domain_name="origin.example.com")  # with LoadBalancer(origin_tls=...)
    """

    load_balancer_arn: pulumi.Input[str]
    load_balancer_dns_name: pulumi.Input[str]
    load_balancer_security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    origin_domain_name: str | None = None
    """The name the ALB's HTTPS:443 listener has a certificate for: CloudFront then connects with
    TLS 1.2+ and checks the certificate against it. None: HTTP:80 to the ALB's own DNS name."""


class StaticSite(pulumi.ComponentResource):
    """A CloudFront distribution over a private S3 bucket, with ``/api/*`` sent to an internal ALB.

    The bucket is private, SSE-S3, versioned, and readable only by this distribution through
    Origin Access Control. HTML (the default behaviour) is cached for ``htmlTtlSeconds``; each
    ``hashedAssetPaths`` pattern is cached for a year. With ``spaFallback`` a viewer-request
    CloudFront Function serves ``/index.html`` for extension-less paths. Every S3 response gets
    HSTS, nosniff, ``X-Frame-Options: DENY``, a strict referrer policy and the optional CSP.
    With ``accessLogs.enabled`` the access logs go to a us-east-1 CloudWatch log group, encrypted
    with ``access_log_kms_key_arn`` when given (a us-east-1 key: see ``deliver_access_logs``).

    With ``api``, the first cache behaviour sends ``apiPathPattern`` uncached, with every method,
    to the ALB through a VPC origin, and the ALB's security group gets its one ingress rule: port
    80 from CloudFront's VPC-origin security group. With ``api.origin_domain_name`` the VPC origin
    is https-only (TLS 1.2) to that name on port 443, and the rule admits 443 instead.
    ``protect`` guards the bucket only; ``ephemeral`` (a stack meant to be destroyed) lets
    ``pulumi destroy`` delete it with its content.

    With ``canonical_host`` (one of ``aliases``, e.g. ``SiteDomain.canonical_host``) the same
    viewer-request function also answers every other host (www., the cloudfront.net name) with a
    301 to the canonical host, on the default and the asset behaviours; it exists then even with
    ``spaFallback`` off. The API behaviour is left alone: a 301 would turn POSTs into GETs.

    Example::

        site = StaticSite("site", StaticSiteArgs(), api=ApiOrigin(...), protect=True,
                          opts=pulumi.ResourceOptions(providers={"aws": provider}))
        pulumi.export("siteUrl", site.url)
    """

    distribution_id: pulumi.Output[str]
    distribution_arn: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    hosted_zone_id: pulumi.Output[str]
    url: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: StaticSiteArgs,
        *,
        api: ApiOrigin | None,
        certificate_arn: pulumi.Input[str] | None = None,
        aliases: Sequence[str] = (),
        web_acl_arn: pulumi.Input[str] | None = None,
        canonical_host: str | None = None,
        access_log_kms_key_arn: pulumi.Input[str] | None = None,
        protect: bool = False,
        ephemeral: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if aliases and certificate_arn is None:
            raise ValueError(
                f"StaticSite {name!r}: aliases {list(aliases)} need a certificate_arn (an ACM "
                "certificate in us-east-1 covering them); CloudFront rejects aliases without one"
            )
        if canonical_host is not None and canonical_host not in aliases:
            raise ValueError(
                f"StaticSite {name!r}: canonical_host {canonical_host!r} must be one of the aliases "
                f"{list(aliases)}; otherwise every request would be redirected to a host this "
                "distribution does not serve"
            )
        super().__init__("webapp:index:StaticSite", name, None, opts)
        site = self._site_bucket(name, args, protect, ephemeral)
        self._cdn_policies(name, args)
        default_functions, asset_functions = self._viewer_request(name, args, canonical_host)
        origins, behaviors = self._origins(name, args, site, api, asset_functions)
        self._distribution(
            name, args, origins, behaviors, default_functions, aliases, certificate_arn, web_acl_arn
        )
        self.bucket_policy = grant_distribution_read(name, site, self.distribution.arn, parent=self)
        self.access_logs: AccessLogDelivery | None = None
        if args.access_logs.enabled:
            self.access_logs = deliver_access_logs(
                name,
                self.distribution.arn,
                args.access_logs.retention_days,
                parent=self,
                kms_key_arn=access_log_kms_key_arn,
            )

        self._serves_api = api is not None
        self.distribution_id = self.distribution.id
        self.distribution_arn = self.distribution.arn
        self.domain_name = self.distribution.domain_name
        # Route 53's alias target zone for CloudFront (see SiteDomain.point_at).
        self.hosted_zone_id = self.distribution.hosted_zone_id
        primary_host = canonical_host or (aliases[0] if aliases else None)
        self.url = pulumi.Output.concat("https://", primary_host or self.distribution.domain_name)
        register_declared_outputs(self)

    def metrics(self, api_service: ServiceMetrics | None = None) -> DistributionMetrics:
        """What Monitoring watches: the distribution, and ``api_service`` if it serves the API path.

        Without an API origin (``frontDoor: direct``) the service is not behind this distribution,
        so its errors are not the distribution's: it is left out.

        Example::

            MonitoringTargets(distribution=site.metrics(api.metrics), ...)
        """
        return DistributionMetrics(
            distribution_id=self.distribution_id, service=api_service if self._serves_api else None
        )

    def _site_bucket(self, name: str, args: StaticSiteArgs, protect: bool, ephemeral: bool) -> SiteBucket:
        site = create_site_bucket(
            name,
            args.noncurrent_version_expiration_days,
            parent=self,
            protect=protect,
            force_destroy=ephemeral,
        )
        self.bucket = site.bucket
        self.bucket_name = site.bucket.bucket
        self.bucket_arn = site.bucket.arn
        return site

    def _cdn_policies(self, name: str, args: StaticSiteArgs) -> None:
        """Origin access control, the HTML and asset cache policies, the security headers policy."""
        self.origin_access_control = aws.cloudfront.OriginAccessControl(
            f"{name}-s3",
            description=f"{name}: CloudFront signs every request to the site bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.html_cache_policy = cache_policy(name, "html", args.html_ttl_seconds, 0, self)
        self.asset_cache_policy = cache_policy(name, "assets", ONE_YEAR_SECONDS, ONE_YEAR_SECONDS, self)
        self.headers_policy = security_headers_policy(name, args.content_security_policy, self)

    def _viewer_request(
        self, name: str, args: StaticSiteArgs, canonical_host: str | None
    ) -> tuple[
        list[aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs],
        list[aws.cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs],
    ]:
        """The viewer-request function (SPA fallback, canonical host), and where it is associated."""
        viewer_request = viewer_request_function(
            name, spa_fallback=args.spa_fallback, canonical_host=canonical_host, parent=self
        )
        self.viewer_request_function = viewer_request
        default_functions: list[aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs] = []
        asset_functions: list[aws.cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs] = []
        if viewer_request is not None:
            default_functions = [
                aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                    event_type="viewer-request", function_arn=viewer_request.arn
                )
            ]
        if viewer_request is not None and canonical_host is not None:
            # www.<domain>/assets/app.js must redirect too, or the other host keeps working for
            # every asset URL and search engines index both.
            asset_functions = [
                aws.cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs(
                    event_type="viewer-request", function_arn=viewer_request.arn
                )
            ]
        return default_functions, asset_functions

    def _origins(
        self,
        name: str,
        args: StaticSiteArgs,
        site: SiteBucket,
        api: ApiOrigin | None,
        asset_functions: list[aws.cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs],
    ) -> tuple[
        list[aws.cloudfront.DistributionOriginArgs], list[aws.cloudfront.DistributionOrderedCacheBehaviorArgs]
    ]:
        """The S3 origin (and the API's VPC origin), and the API and hashed-asset behaviours."""
        origins = [
            aws.cloudfront.DistributionOriginArgs(
                origin_id=S3_ORIGIN_ID,
                domain_name=site.bucket.bucket_regional_domain_name,
                origin_access_control_id=self.origin_access_control.id,
            )
        ]
        behaviors: list[aws.cloudfront.DistributionOrderedCacheBehaviorArgs] = []
        if api is not None:
            origins.append(self._api_origin(name, api))
            behaviors.append(_api_behavior(args.api_path_pattern))
        # Hashed files have an extension, which the SPA function would pass through untouched
        # anyway; without a canonical host to redirect to, leaving it off saves a function
        # invocation on the bulk of all requests.
        behaviors += [
            aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                path_pattern=pattern,
                target_origin_id=S3_ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=READ_METHODS,
                cached_methods=CACHED_METHODS,
                cache_policy_id=self.asset_cache_policy.id,
                response_headers_policy_id=self.headers_policy.id,
                compress=True,
                function_associations=asset_functions or None,
            )
            for pattern in args.hashed_asset_paths
        ]
        return origins, behaviors

    def _distribution(
        self,
        name: str,
        args: StaticSiteArgs,
        origins: list[aws.cloudfront.DistributionOriginArgs],
        behaviors: list[aws.cloudfront.DistributionOrderedCacheBehaviorArgs],
        default_functions: list[aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs],
        aliases: Sequence[str],
        certificate_arn: pulumi.Input[str] | None,
        web_acl_arn: pulumi.Input[str] | None,
    ) -> None:
        self.distribution = aws.cloudfront.Distribution(
            f"{name}-cdn",
            comment=f"{pulumi.get_project()}/{pulumi.get_stack()} {name}",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            default_root_object="index.html",
            price_class=args.price_class.value,
            aliases=list(aliases),
            viewer_certificate=_viewer_certificate(certificate_arn),
            web_acl_id=web_acl_arn,
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none"
                )
            ),
            origins=origins,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=S3_ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=READ_METHODS,
                cached_methods=CACHED_METHODS,
                cache_policy_id=self.html_cache_policy.id,
                response_headers_policy_id=self.headers_policy.id,
                compress=True,
                function_associations=default_functions,
            ),
            ordered_cache_behaviors=behaviors,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _api_origin(self, name: str, api: ApiOrigin) -> aws.cloudfront.DistributionOriginArgs:
        """The VPC origin for the internal ALB, and the ALB's ingress rule from CloudFront only."""
        tls = api.origin_domain_name is not None
        port = 443 if tls else 80
        self.vpc_origin = aws.cloudfront.VpcOrigin(
            f"{name}-api",
            vpc_origin_endpoint_config=aws.cloudfront.VpcOriginVpcOriginEndpointConfigArgs(
                name=_vpc_origin_name(name),
                arn=api.load_balancer_arn,
                http_port=80,
                https_port=443,
                # Without a custom domain the internal ALB has no name a certificate could be
                # issued for, so it listens on HTTP:80 (ADR 0006): the hop from CloudFront's
                # interfaces stays on the AWS network inside this VPC, and viewers still reach
                # CloudFront over HTTPS only. With one, the hop is encrypted too.
                origin_protocol_policy="https-only" if tls else "http-only",
                # Required by the API even when unused with http-only.
                origin_ssl_protocols=aws.cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs(
                    items=["TLSv1.2"], quantity=1
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The group only exists once the VPC origin does, hence the explicit dependency.
        cloudfront_sg = aws.ec2.get_security_group_output(
            # The provider turns these into the group-name and vpc-id filters.
            name=VPC_ORIGIN_SECURITY_GROUP_NAME,
            vpc_id=api.vpc_id,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[self.vpc_origin]),
        )
        self.alb_ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-from-cloudfront",
            security_group_id=api.load_balancer_security_group_id,
            description=f"{'HTTPS' if tls else 'HTTP'} from CloudFront VPC origins only",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=cloudfront_sg.id,
            # CloudFront creates the referenced group with the VPC origin and deletes it with the
            # last one in the VPC, which fails while this rule still names it: the rule must be
            # deleted before the origin, on destroy and when a replaced origin is removed. The
            # dependency reaches the rule through the lookup's depends_on only as long as the SDK
            # carries invoke dependencies into outputs (and not at all from a plain invoke), so it
            # is declared here; the engine then orders creation after and deletion before it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc_origin]),
        )
        return aws.cloudfront.DistributionOriginArgs(
            origin_id=API_ORIGIN_ID,
            # CloudFront sends this name as SNI and checks the ALB's certificate against it.
            domain_name=api.load_balancer_dns_name
            if api.origin_domain_name is None
            else api.origin_domain_name,
            vpc_origin_config=aws.cloudfront.DistributionOriginVpcOriginConfigArgs(
                vpc_origin_id=self.vpc_origin.id
            ),
        )


def _api_behavior(path_pattern: str) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgs:
    # No function association: an API 404 must reach the client as a 404, not as index.html.
    # No response headers policy either: the API sets its own headers.
    return aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
        path_pattern=path_pattern,
        target_origin_id=API_ORIGIN_ID,
        viewer_protocol_policy="https-only",
        allowed_methods=ALL_METHODS,
        cached_methods=CACHED_METHODS,
        cache_policy_id=CACHING_DISABLED_POLICY_ID,
        origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID,
        compress=False,
    )


def _viewer_certificate(
    certificate_arn: pulumi.Input[str] | None,
) -> aws.cloudfront.DistributionViewerCertificateArgs:
    if certificate_arn is None:
        return aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
    return aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=certificate_arn,
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.2_2021",
    )


def _vpc_origin_name(name: str) -> str:
    """A readable, account-unique name: project, stack and component."""
    raw = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}-api"
    # CloudFront's limit is 64; a plain cut would drop the stack and two stacks would collide.
    return fit_name(re.sub(r"[^A-Za-z0-9_-]", "-", raw), 64)
