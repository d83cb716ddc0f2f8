"""The site's CloudFront cache policies and its security response headers policy."""

import pulumi
import pulumi_aws as aws

HSTS_MAX_AGE_SECONDS = 63_072_000  # two years, the hstspreload.org minimum is one


def cache_policy(
    name: str, kind: str, ttl: int, min_ttl: int, parent: pulumi.Resource
) -> aws.cloudfront.CachePolicy:
    """A cache key of path plus encoding only: the site varies by nothing else."""
    return aws.cloudfront.CachePolicy(
        f"{name}-{kind}",
        comment=f"{name} {kind}: {ttl}s, keyed on path and encoding only",
        min_ttl=min_ttl,
        default_ttl=ttl,
        max_ttl=ttl,
        parameters_in_cache_key_and_forwarded_to_origin=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            cookies_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs(
                cookie_behavior="none"
            ),
            headers_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs(
                header_behavior="none"
            ),
            query_strings_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs(
                query_string_behavior="none"
            ),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def security_headers_policy(
    name: str, content_security_policy: str | None, parent: pulumi.Resource
) -> aws.cloudfront.ResponseHeadersPolicy:
    csp = None
    if content_security_policy is not None:
        csp = aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
            content_security_policy=content_security_policy, override=True
        )
    return aws.cloudfront.ResponseHeadersPolicy(
        f"{name}-security-headers",
        comment=f"{name}: HSTS, nosniff, no framing, strict referrer",
        security_headers_config=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
            strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                include_subdomains=True,
                preload=True,
                override=True,
            ),
            content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                override=True
            ),
            frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                frame_option="DENY", override=True
            ),
            referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                referrer_policy="strict-origin-when-cross-origin", override=True
            ),
            # "X-XSS-Protection: 0": the legacy browser XSS auditor is gone from current
            # browsers, and where it survives its blocking mode has itself leaked data (OWASP
            # advice is to switch it off and rely on a CSP).
            xss_protection=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs(
                protection=False, override=True
            ),
            content_security_policy=csp,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
