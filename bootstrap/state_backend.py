"""StateBackend: an S3 bucket for ``pulumi login s3://...``, a KMS key per stack for ``awskms://``."""

import json
import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.core.private_bucket import (
    abort_incomplete_multipart_upload,
    deny_insecure_transport,
    private_bucket,
)
from components.core.server_access_logs import log_bucket_requests

# Every `pulumi up` writes dozens of checkpoint versions; three months of them is enough to
# roll a stack's state back by hand, and keeps the bucket from growing without end.
NONCURRENT_VERSION_EXPIRATION_DAYS = 90
# Who read or wrote a stack's state is a question an incident review asks months later.
ACCESS_LOG_RETENTION_DAYS = 365
# Where the state bucket's server access logs land in the log bucket.
ACCESS_LOG_PREFIX = "state"


class StateBackend(pulumi.ComponentResource):
    """Self-hosted Pulumi state for teams without Pulumi Cloud.

    Creates a private bucket (all public access blocked, ACLs disabled, versioned, a TLS-only
    bucket policy) encrypted with SSE-KMS under its own customer-managed key (alias
    ``alias/<project>-pulumi-state``) with an S3 Bucket Key, so reading state takes both
    ``s3:GetObject`` and ``kms:Decrypt``. Noncurrent state versions expire after 90 days and
    unfinished multipart uploads after 7. Every request to the bucket is recorded by S3 server
    access logging in ``<name>-access-logs`` (under ``state/``, SSE-S3 as log delivery requires,
    kept 365 days).

    Each of ``stacks`` gets its own prefix (``login_urls[stack]`` is
    ``s3://<bucket>/<project>/<stack>?region=...``) and its own secrets key
    (``alias/<project>-<stack>-pulumi-secrets``, tagged ``stack=<stack>``; ``secrets_providers``),
    so a role given one stack's prefix and key can neither read nor decrypt another's state or
    secrets. Each of ``stack_groups`` (``previews``: every pull request's preview stack) gets one
    secrets key shared by its stacks (``alias/<project>-<group>-pulumi-secrets``;
    ``group_secrets_providers``, ``group_secrets_key_arns``); its stacks' prefixes are named by
    the group's owner. Every key is rotated, with a 30-day deletion window. Pass ``protect=True`` (the
    bootstrap program does) so the keys and the buckets, and with them every stack's state and
    its access record, survive a destroy.

    Example::

        backend = StateBackend("state", project="webapp", stacks=["dev", "prod"], protect=True)
        pulumi.export("loginUrls", backend.login_urls)
        pulumi.export("secretsProviders", backend.secrets_providers)
    """

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    secrets_key_arns: dict[str, pulumi.Output[str]]
    login_urls: dict[str, pulumi.Output[str]]
    secrets_providers: dict[str, pulumi.Output[str]]
    group_secrets_key_arns: dict[str, pulumi.Output[str]]
    group_secrets_providers: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        *,
        project: str | None = None,
        stacks: Sequence[str] = (),
        stack_groups: Sequence[str] = (),
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:StateBackend", name, None, opts)
        project = project or pulumi.get_project()
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project} Pulumi state bucket",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        aws.kms.Alias(f"{name}-key", name=_alias(f"{project}-pulumi-state"), target_key_id=self.key.key_id,
                      opts=child)  # fmt: skip
        self.stack_keys: dict[str, aws.kms.Key] = {}
        self.secrets_providers = {}
        group_providers: dict[str, pulumi.Output[str]] = {}
        for stack in [*stacks, *stack_groups]:
            # Tagged with the app stack or group (over the provider's `stack` default tag): the
            # deploy roles' ABAC then refuses this key to every other stack's role.
            kind = "stacks" if stack in stack_groups else "stack"
            self.stack_keys[stack] = aws.kms.Key(
                f"{name}-{stack}-secrets",
                description=f"Encrypts the secrets of the {project}/{stack} {kind}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags={"stack": stack},
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            alias = _alias(f"{project}-{stack}-pulumi-secrets")
            aws.kms.Alias(f"{name}-{stack}-secrets", name=alias, target_key_id=self.stack_keys[stack].key_id,
                          opts=child)  # fmt: skip
            provider = pulumi.Output.concat("awskms://", alias, "?region=", region)
            (group_providers if stack in stack_groups else self.secrets_providers)[stack] = provider
        self.group_secrets_providers = group_providers

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
                    abort_incomplete_multipart_upload=abort_incomplete_multipart_upload(),
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
        self.access_log_bucket = self._access_logs(name, protect)

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.key_arn = self.key.arn
        self.secrets_key_arns = {stack: self.stack_keys[stack].arn for stack in stacks}
        self.group_secrets_key_arns = {group: self.stack_keys[group].arn for group in stack_groups}
        # The region in the URL: the CLI then finds the bucket wherever its AWS_REGION points.
        self.login_urls = {
            stack: pulumi.Output.concat("s3://", self.bucket.bucket, f"/{project}/{stack}?region=", region)
            for stack in stacks
        }
        self.register_outputs(
            {
                "bucketName": self.bucket_name,
                "bucketArn": self.bucket_arn,
                "keyArn": self.key_arn,
                "loginUrls": self.login_urls,
                "secretsProviders": self.secrets_providers,
                "groupSecretsProviders": self.group_secrets_providers,
            }
        )

    def _access_logs(self, name: str, protect: bool) -> aws.s3.Bucket:
        return log_bucket_requests(
            name,
            self.bucket,
            ACCESS_LOG_RETENTION_DAYS,
            prefix=ACCESS_LOG_PREFIX,
            parent=self,
            protect=protect,
        )


def _alias(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9/_-]", "-", f"alias/{name}")
