"""UploadsBucket: a private S3 bucket for user uploads or model files, under its own KMS key."""

import re

import pulumi
import pulumi_aws as aws

from ..core.iam_documents import allow, policy_document
from ..core.outputs import register_declared_outputs
from ..core.private_bucket import (
    PrivateBucket,
    abort_incomplete_multipart_upload,
    deny_insecure_transport,
    private_bucket,
)
from ..core.server_access_logs import log_bucket_requests
from ..core.wiring import Connection
from .uploads_bucket_args import UploadsBucketArgs

# What a browser may send on a direct upload through a presigned URL: the file's type, its MD5
# for integrity, and S3's own x-amz-* headers (SDK checksums, user metadata). Not Authorization:
# browsers hold no AWS credentials here; the signature travels in the URL's query string.
CORS_ALLOWED_HEADERS = ["Content-Type", "Content-MD5", "x-amz-*"]
# Multipart uploads from the browser need each part's ETag to complete the upload.
CORS_EXPOSE_HEADERS = ["ETag"]
CORS_MAX_AGE_SECONDS = 3000
# The prefix the server access logs land under in the log bucket.
LOG_PREFIX = "uploads"


class UploadsBucket(pulumi.ComponentResource):
    """A private bucket the app reads and writes through ``grant_read_write``; nothing public.

    Creates a customer-managed KMS key (rotation on, 30-day deletion window, alias
    ``alias/<project>-<stack>-<name>-uploads``) and a bucket with: all four public access blocks,
    ACLs disabled (BucketOwnerEnforced), SSE-KMS with that key and an S3 Bucket Key (far fewer
    KMS calls), versioning, a lifecycle rule (current versions to GLACIER_IR after
    ``glacierAfterDays``, noncurrent versions expire after ``noncurrentVersionExpirationDays``,
    unfinished multipart uploads abort after 7 days), CORS only when ``corsOrigins`` is set, and a
    bucket policy refusing any request not made over TLS. ``__main__.py`` creates this component
    only when ``UploadsBucketArgs.enabled`` is true.

    With ``accessLogs.enabled`` the bucket also writes S3 server access logs under ``uploads/`` to
    a private SSE-S3 bucket ``<name>-access-logs`` that expires them after ``accessLogs.retentionDays``.

    Pass ``protect=True`` in production so the key and the buckets survive ``pulumi destroy``;
    ``ephemeral=True`` (a stack meant to be destroyed) deletes the buckets with their objects.

    Example::

        uploads = UploadsBucket("uploads", UploadsBucketArgs(enabled=True), protect=True)
        uploads.grant_read_write("web", web_service.task_role)
        ContainerService("web", ..., connections=[uploads.connection])
    """

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    access_log_bucket: aws.s3.Bucket | None
    connection: Connection

    def __init__(
        self,
        name: str,
        args: UploadsBucketArgs,
        *,
        protect: bool = False,
        ephemeral: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:UploadsBucket", name, None, opts)
        self._name = name
        self._region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self._key(name, protect)
        private = private_bucket(
            f"{name}-bucket",
            parent=self,
            protect=protect,
            kms_key_arn=self.kms_key.arn,
            force_destroy=ephemeral,
        )
        self.bucket = private.bucket
        self._lifecycle(name, args, private.versioning)
        self._cors(name, args)
        self._tls_only_policy(name, private)
        self.access_log_bucket = (
            self._access_logs(name, args, protect, ephemeral) if args.access_logs.enabled else None
        )

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.kms_key_arn = self.kms_key.arn
        self.connection = Connection(
            name="uploads",
            security_group_id=None,
            port=443,
            environment={"UPLOADS_BUCKET": self.bucket_name},
            secrets={},
        )
        register_declared_outputs(self)

    def _key(self, name: str, protect: bool) -> None:
        project, stack = pulumi.get_project(), pulumi.get_stack()
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=protect)
        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project}/{stack} {name} uploads bucket",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=stateful,
        )
        self.kms_alias = aws.kms.Alias(
            f"{name}-key",
            name=re.sub(r"[^A-Za-z0-9/_-]", "-", f"alias/{project}-{stack}-{name}-uploads"),
            target_key_id=self.kms_key.key_id,
            opts=child,
        )

    def _cors(self, name: str, args: UploadsBucketArgs) -> None:
        """CORS for browser uploads with presigned URLs, only when ``corsOrigins`` is set."""
        if not args.cors_origins:
            return
        aws.s3.BucketCorsConfiguration(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            cors_rules=[
                aws.s3.BucketCorsConfigurationCorsRuleArgs(
                    id="browser-uploads",
                    allowed_origins=list(args.cors_origins),
                    allowed_methods=list(args.cors_methods),
                    allowed_headers=CORS_ALLOWED_HEADERS,
                    expose_headers=CORS_EXPOSE_HEADERS,
                    max_age_seconds=CORS_MAX_AGE_SECONDS,
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _tls_only_policy(self, name: str, private: PrivateBucket) -> None:
        # Only TLS is enforced here. A "deny PutObject without aws:kms" statement is not needed:
        # default encryption applies the key to every object written without an encryption header,
        # and such a statement would only break clients that (correctly) send no header.
        aws.s3.BucketPolicy(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            policy=self.bucket.arn.apply(_deny_insecure_transport),
            # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and
            # the policy should land on a bucket that already refuses public access.
            opts=pulumi.ResourceOptions(parent=self, depends_on=private.policy_after),
        )

    def _access_logs(
        self, name: str, args: UploadsBucketArgs, protect: bool, ephemeral: bool
    ) -> aws.s3.Bucket:
        return log_bucket_requests(
            name,
            self.bucket,
            args.access_logs.retention_days,
            prefix=LOG_PREFIX,
            parent=self,
            protect=protect,
            force_destroy=ephemeral,
        )

    def _lifecycle(self, name: str, args: UploadsBucketArgs, versioning: aws.s3.BucketVersioning) -> None:
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="archive-and-clean-up",
                    status="Enabled",
                    # An empty filter: every object. Objects under 128 KiB stay in Standard (S3's
                    # default minimum transition size), where Glacier IR would bill them as 128 KiB.
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    transitions=[
                        aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                            days=args.glacier_after_days, storage_class="GLACIER_IR"
                        )
                    ],
                    noncurrent_version_expiration=(
                        aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=args.noncurrent_version_expiration_days
                        )
                    ),
                    # Parts of an upload that never completed are billed but invisible in listings.
                    abort_incomplete_multipart_upload=abort_incomplete_multipart_upload(),
                )
            ],
            # Noncurrent-version rules only mean something once versioning is on (the provider's
            # documented ordering).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )

    def grant_read_write(self, role_name: str, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` read, write and delete objects (and list keys) in this bucket only.

        ``role_name`` only names the policy resource (``<name>-<role_name>-access``).

        Example::

            uploads.grant_read_write("web", task_role)
        """
        policy = pulumi.Output.all(self.bucket.arn, self.kms_key.arn, self._region).apply(
            lambda a: _read_write_policy(bucket_arn=a[0], key_arn=a[1], region=a[2])
        )
        return aws.iam.RolePolicy(
            f"{self._name}-{role_name}-access",
            role=role.name,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _deny_insecure_transport(bucket_arn: str) -> str:
    return policy_document(deny_insecure_transport(bucket_arn))


def _read_write_policy(*, bucket_arn: str, key_arn: str, region: str) -> str:
    return policy_document(
        allow(
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            f"{bucket_arn}/*",
            sid="ReadWriteObjects",
        ),
        allow("s3:ListBucket", bucket_arn, sid="ListKeys"),
        # GenerateDataKey to write, Decrypt to read and to finish multipart uploads; only when S3
        # calls KMS on the role's behalf, so the role cannot use the key directly.
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            key_arn,
            sid="UseBucketKey",
            condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        ),
    )
