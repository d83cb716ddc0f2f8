"""AuditTrail: a multi-region CloudTrail trail to a private S3 bucket and a CloudWatch log group."""

import re

import pulumi
import pulumi_aws as aws

from ..core.deploy_permissions_boundary import NO_ROLE_GUARD, RoleGuard
from ..core.outputs import register_declared_outputs
from ..core.private_bucket import abort_incomplete_multipart_upload, private_bucket
from .audit_trail_args import AuditTrailArgs
from .audit_trail_policies import TrailNames, bucket_policy, key_policy, trust_policy, write_policy

# An overwritten or deleted log file stays restorable this long (versioning guards against tampering).
NONCURRENT_VERSION_EXPIRATION_DAYS = 30


class AuditTrail(pulumi.ComponentResource):
    """Records every read and write management event of the account, in every region.

    Creates a customer-managed KMS key (rotation on, alias ``alias/<project>-<stack>-<name>-cloudtrail``)
    whose policy lets CloudTrail encrypt only for this trail and CloudWatch Logs use it only for
    the trail's log group; a private, TLS-only, versioned bucket (SSE-KMS with that key) whose
    log files expire after ``bucketRetentionDays``; the log group ``/<project>/<stack>/cloudtrail``
    (encrypted with the key, kept ``logRetentionDays``) with a role that can only write to it; and
    the trail ``<project>-<stack>-<name>`` with log file validation (digest files) on.

    Reading the logs needs an IAM policy granting ``kms:Decrypt`` on the key (the key policy lets
    the account's IAM policies decide). ``__main__.py`` creates this component only when
    ``AuditTrailArgs.enabled`` is true. Pass ``protect=True`` in production so the key and the
    bucket survive ``pulumi destroy``.

    Example::

        trail = AuditTrail("audit", AuditTrailArgs(enabled=True), protect=True)
        pulumi.export("auditTrailArn", trail.trail_arn)
    """

    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: AuditTrailArgs,
        *,
        protect: bool = False,
        role_guard: RoleGuard = NO_ROLE_GUARD,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:AuditTrail", name, None, opts)
        project, stack = pulumi.get_project(), pulumi.get_stack()
        trail_name = f"{project}-{stack}-{name}"
        log_group_name = f"/{project}/{stack}/cloudtrail"
        invoke = pulumi.InvokeOutputOptions(parent=self)
        names = pulumi.Output.all(
            aws.get_partition_output(opts=invoke).partition,
            aws.get_region_output(opts=invoke).region,
            aws.get_caller_identity_output(opts=invoke).account_id,
        ).apply(lambda a: TrailNames(a[0], a[1], a[2], trail_name, log_group_name))
        self._key(name, names, protect)
        role_policy = self._log_group_and_role(name, args, names, log_group_name, role_guard)
        bucket_policy = self._bucket(name, args, names, protect)
        self._trail(name, trail_name, ready=[bucket_policy, role_policy])
        self.trail_arn = self.trail.arn
        self.bucket_name = self.bucket.bucket
        self.log_group_name = self.log_group.name
        self.kms_key_arn = self.kms_key.arn
        register_declared_outputs(self)

    def _key(self, name: str, names: pulumi.Output[TrailNames], protect: bool) -> None:
        """The key for the trail's files and its log group, pinned to this trail in its policy."""
        project, stack = pulumi.get_project(), pulumi.get_stack()
        child = pulumi.ResourceOptions(parent=self)
        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {project}/{stack} CloudTrail logs",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=names.apply(key_policy),
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        aws.kms.Alias(
            f"{name}-key",
            name=re.sub(r"[^A-Za-z0-9/_-]", "-", f"alias/{project}-{stack}-{name}-cloudtrail"),
            target_key_id=self.kms_key.key_id,
            opts=child,
        )

    def _log_group_and_role(
        self,
        name: str,
        args: AuditTrailArgs,
        names: pulumi.Output[TrailNames],
        log_group_name: str,
        role_guard: RoleGuard,
    ) -> aws.iam.RolePolicy:
        """The log group and the role CloudTrail delivers to it with; returns the role's grant."""
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=self.kms_key.arn,
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-cloudwatch",
            description="CloudTrail delivery to one CloudWatch log group",
            assume_role_policy=names.apply(trust_policy),
            permissions_boundary=role_guard.permissions_boundary,
            path=role_guard.path,
            opts=child,
        )
        return aws.iam.RolePolicy(
            f"{name}-cloudwatch",
            role=self.role.id,
            policy=self.log_group.arn.apply(write_policy),
            opts=child,
        )

    def _trail(self, name: str, trail_name: str, ready: list[pulumi.Resource]) -> None:
        self.trail = aws.cloudtrail.Trail(
            name,
            name=trail_name,
            s3_bucket_name=self.bucket.bucket,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_logging=True,
            enable_log_file_validation=True,
            kms_key_id=self.kms_key.arn,
            # CloudTrail requires the log-stream wildcard on the group ARN.
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=self.role.arn,
            event_selectors=[
                aws.cloudtrail.TrailEventSelectorArgs(read_write_type="All", include_management_events=True)
            ],
            # CloudTrail test-writes to the bucket and the log group when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
        )

    def _bucket(
        self, name: str, args: AuditTrailArgs, names: pulumi.Output[TrailNames], protect: bool
    ) -> aws.s3.BucketPolicy:
        private = private_bucket(f"{name}-bucket", parent=self, protect=protect, kms_key_arn=self.kms_key.arn)
        self.bucket = private.bucket
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-trail-logs",
                    status="Enabled",
                    # An empty filter: every object (log files and digest files alike).
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=args.bucket_retention_days
                    ),
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
        return aws.s3.BucketPolicy(
            f"{name}-bucket",
            bucket=self.bucket.bucket,
            policy=pulumi.Output.all(self.bucket.arn, names).apply(lambda a: bucket_policy(a[0], a[1])),
            # S3 can answer concurrent configuration calls on one bucket with OperationAborted, and
            # the policy should land on a bucket that already refuses public access.
            opts=pulumi.ResourceOptions(parent=self, depends_on=private.policy_after),
        )
