"""The private S3 bucket the static site is served from, readable only by one distribution."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.iam_documents import allow, policy_document
from ..core.private_bucket import abort_incomplete_multipart_upload, deny_insecure_transport, private_bucket


@dataclass(frozen=True)
class SiteBucket:
    """The bucket, plus the settings its policy must wait for."""

    bucket: aws.s3.Bucket
    # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and the
    # policy should land on a bucket that already refuses public access.
    policy_after: tuple[pulumi.Resource, ...]


def create_site_bucket(
    name: str,
    noncurrent_version_expiration_days: int,
    *,
    parent: pulumi.Resource,
    protect: bool,
    force_destroy: bool = False,
) -> SiteBucket:
    """Create ``<name>-content``: private, SSE-S3, versioned, old versions expiring after N days.

    Only the bucket is protected; the settings around it can be recreated at no loss. The bucket
    has no policy yet: ``grant_distribution_read`` adds it once the distribution's ARN exists.

    Example::

        site = create_site_bucket("site", 30, parent=self, protect=True)
        grant_distribution_read("site", site, distribution.arn, parent=self)
    """
    # SSE-S3, not SSE-KMS: with a customer-managed key, Origin Access Control only works once
    # the key policy lets the CloudFront service decrypt for this distribution, and every object
    # fetch becomes a billed KMS call. The content is the public site, so a customer-managed key
    # would protect nothing the edge does not hand out anyway.
    private = private_bucket(f"{name}-content", parent=parent, protect=protect, force_destroy=force_destroy)
    bucket = private.bucket
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-content",
        bucket=bucket.bucket,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-old-releases",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                # Versions let a bad deploy be rolled back; after N days they only cost storage.
                noncurrent_version_expiration=(
                    aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=noncurrent_version_expiration_days
                    )
                ),
                abort_incomplete_multipart_upload=abort_incomplete_multipart_upload(),
            )
        ],
        # Noncurrent-version rules only mean something once versioning is on.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.versioning]),
    )
    return SiteBucket(bucket=bucket, policy_after=tuple(private.policy_after))


def grant_distribution_read(
    name: str, site: SiteBucket, distribution_arn: pulumi.Input[str], *, parent: pulumi.Resource
) -> aws.s3.BucketPolicy:
    """Let exactly one CloudFront distribution read objects (Origin Access Control) over TLS.

    Example::

        grant_distribution_read("site", site, distribution.arn, parent=self)
    """
    return aws.s3.BucketPolicy(
        f"{name}-content",
        bucket=site.bucket.bucket,
        policy=pulumi.Output.all(site.bucket.arn, distribution_arn).apply(
            lambda a: site_bucket_policy(bucket_arn=str(a[0]), distribution_arn=str(a[1]))
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(site.policy_after)),
    )


def site_bucket_policy(*, bucket_arn: str, distribution_arn: str) -> str:
    return policy_document(
        deny_insecure_transport(bucket_arn),
        # The service principal alone would admit every distribution in every account; the
        # SourceArn condition narrows it to this one.
        allow(
            "s3:GetObject",
            f"{bucket_arn}/*",
            sid="AllowCloudFrontOriginAccessControl",
            principal={"Service": "cloudfront.amazonaws.com"},
            condition={"StringEquals": {"AWS:SourceArn": distribution_arn}},
        ),
    )
