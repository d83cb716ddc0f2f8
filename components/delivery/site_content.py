"""SiteContent: the frontend build uploaded into the site bucket, then one CloudFront invalidation."""

from collections.abc import Sequence
from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from .cloudfront_invalidation import CloudFrontInvalidation
from .site_files import SiteFile, content_hash, site_files


class SiteContent(pulumi.ComponentResource):
    """Every file of ``build_dir`` as an S3 object, and an invalidation when the build changes.

    Keys are paths relative to ``build_dir``. Files under ``hashed_asset_paths`` (CloudFront
    path patterns, the same ones StaticSite caches for a year) get ``Cache-Control: public,
    max-age=31536000, immutable``; everything else, HTML included, gets ``no-cache``. HTML is
    uploaded only after every other file, so a new page never names an asset that is not there
    yet. A file gone from the build is an object gone from the program, so Pulumi deletes it
    (the versioned bucket keeps the old version until the lifecycle rule expires it).

    ``content_hash`` covers every key, byte and header; the invalidation (``/*``) runs again only
    when it changes. Reads the files at program time, so ``pulumi preview`` shows the upload.

    Example::

        content = SiteContent("site", build_dir=Path("frontend/dist"), bucket_name=site.bucket_name,
                              distribution_id=site.distribution_id,
                              hashed_asset_paths=args.site.hashed_asset_paths,
                              opts=pulumi.ResourceOptions(providers={"aws": provider}))
        pulumi.export("siteContentHash", content.content_hash)
    """

    content_hash: str
    object_count: int
    objects: list[aws.s3.BucketObjectv2]
    invalidation: CloudFrontInvalidation
    invalidation_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        build_dir: Path,
        bucket_name: pulumi.Input[str],
        distribution_id: pulumi.Input[str],
        hashed_asset_paths: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if not build_dir.is_dir():
            raise ValueError(f"SiteContent {name!r}: build_dir {build_dir} is not a directory")
        files = site_files(build_dir, hashed_asset_paths)
        if not files:
            raise ValueError(f"SiteContent {name!r}: build_dir {build_dir} has no files to upload")
        super().__init__("webapp:index:SiteContent", name, None, opts)

        assets = [self._object(name, f, bucket_name, after=[]) for f in files if not f.is_html]
        pages = [self._object(name, f, bucket_name, after=assets) for f in files if f.is_html]
        self.objects = assets + pages
        self.object_count = len(self.objects)
        self.content_hash = content_hash(files)
        self.invalidation = CloudFrontInvalidation(
            f"{name}-invalidation",
            distribution_id=distribution_id,
            content_hash=self.content_hash,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.objects)),
        )
        self.invalidation_id = self.invalidation.invalidation_id
        register_declared_outputs(self)

    def _object(
        self, name: str, file: SiteFile, bucket_name: pulumi.Input[str], *, after: Sequence[pulumi.Resource]
    ) -> aws.s3.BucketObjectv2:
        return aws.s3.BucketObjectv2(
            f"{name}-{file.key}",
            bucket=bucket_name,
            key=file.key,
            source=pulumi.FileAsset(str(file.path)),
            content_type=file.content_type,
            cache_control=file.cache_control,
            # source_hash, not etag: etag is compared with the object's S3 ETag, which is an MD5
            # only for single-part uploads without KMS, while source_hash lives in the state only
            # and may be any digest. It makes a changed file an update in the diff, by key.
            source_hash=file.sha256,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)),
        )
