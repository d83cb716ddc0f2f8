"""StateBackend: an S3 bucket for ``pulumi login s3://...`` and a KMS key for ``awskms://`` secrets."""

import json
import re

import pulumi
import pulumi_aws as aws

from .private_bucket import deny_insecure_transport, private_bucket

# Every `pulumi up` writes dozens of checkpoint versions; three months of them is enough to
# roll a stack's state back by hand, and keeps the bucket from growing without end.
NONCURRENT_VERSION_EXPIRATION_DAYS = 90
ABORT_MULTIPART_AFTER_DAYS = 7


class StateBackend(pulumi.ComponentResource):
    """Self-hosted Pulumi state for teams without Pulumi Cloud.

    Creates a customer-managed KMS key (rotation on, 30-day deletion window, alias
    ``alias/<project>-pulumi-secrets``) and a private bucket (all public access blocked, ACLs
    disabled, versioned, a TLS-only bucket policy) encrypted with SSE-KMS under that same key
    with an S3 Bucket Key: reading the state then takes both ``s3:GetObject`` and
    ``kms:Decrypt``, so the key policy and IAM decide together who sees resource outputs.
    Noncurrent state versions expire after 90 days.

    ``login_url`` and ``secrets_provider`` are what ``pulumi login`` and
    ``pulumi stack init --secrets-provider`` take. Pass ``protect=True`` (the bootstrap program
    does) so the key and the bucket, and with them every stack's state, survive a destroy.

    Example::

        backend = StateBackend("state", project="webapp", protect=True)
        pulumi.export("loginUrl", backend.login_url)
        pulumi.export("secretsProvider", backend.secrets_provider)
    """

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    login_url: pulumi.Output[str]
    secrets_provider: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        project: str | None = None,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:StateBackend", name, None, opts)
        project = project or pulumi.get_project()
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        self.key = aws.kms.Key(
            f"{name}-secrets",
            description=f"Encrypts the {project} Pulumi state bucket and stack secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        alias = re.sub(r"[^A-Za-z0-9/_-]", "-", f"alias/{project}-pulumi-secrets")
        aws.kms.Alias(f"{name}-secrets", name=alias, target_key_id=self.key.key_id, opts=child)

        private = private_bucket(f"{name}-bucket", parent=self, protect=protect, kms_key_arn=self.key.arn)
        self.bucket = private.bucket
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-old-state-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    noncurrent_version_expiration=(
                        aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=NONCURRENT_VERSION_EXPIRATION_DAYS
                        )
                    ),
                    abort_incomplete_multipart_upload=(
                        aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=ABORT_MULTIPART_AFTER_DAYS
                        )
                    ),
                )
            ],
            # Noncurrent-version rules only mean something once versioning is on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[private.versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            policy=self.bucket.arn.apply(
                lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [deny_insecure_transport(arn)]})
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=private.policy_after),
        )

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.key_arn = self.key.arn
        # The region in the URL: the CLI then finds the bucket wherever its AWS_REGION points.
        self.login_url = pulumi.Output.concat("s3://", self.bucket.bucket, "?region=", region)
        self.secrets_provider = pulumi.Output.concat("awskms://", alias, "?region=", region)
        self.register_outputs(
            {
                "bucketName": self.bucket_name,
                "bucketArn": self.bucket_arn,
                "keyArn": self.key_arn,
                "loginUrl": self.login_url,
                "secretsProvider": self.secrets_provider,
            }
        )
