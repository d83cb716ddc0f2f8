"""S3 bucket rules: public access, TLS-only policies, ACLs, encryption, versioning, lifecycle, logging.

pulumi-aws v7 splits a bucket's settings into resources of their own (public access block,
ownership controls, encryption, versioning, lifecycle, logging, policy, ACL), each pointing at the
bucket through its ``bucket`` input, so most rules are stack rules joining them by that property
dependency. The bucket's deprecated inline settings (``versioning``, ``serverSideEncryption
Configuration``, ``lifecycleRules``, ``logging``) do not count: a stack policy sees the bucket's
outputs, where AWS's read-back defaults (SSE-S3, versioning off) cannot be told from a declared
setting. Inline ``acl``/``grants``/``policy`` are still checked for public or dangerous grants.

Covered: S3.2/S3.3 (no public read or write through a policy or an ACL), S3.5 (TLS-only policy),
S3.6 (no dangerous actions for other accounts), S3.8 (bucket-level Block Public Access), S3.9
(server access logging, production only), S3.10/S3.13 (lifecycle; versioned buckets expire
noncurrent versions), S3.12 (ACLs disabled), S3.14 (versioning), S3.17 (SSE-KMS), a default
encryption configuration at all (S3.4, retired by AWS once SSE-S3 became the default; kept), and
a whole-bucket lifecycle rule aborting incomplete multipart uploads (no FSBP control; Checkov
CKV_AWS_300).

Design exceptions, decided from the bucket's relationships in the stack whatever it is called:
S3.17 for a bucket that ALB access logs or S3 server access logs are delivered to (both deliveries
support only SSE-S3 targets) or that a CloudFront distribution reads through Origin Access Control
(a KMS key would need a key policy for CloudFront and a billed KMS call per fetch); S3.9 for those
same log targets, a CloudTrail trail's bucket (logging a log bucket needs yet another bucket) and
an OAC-read bucket (CloudFront's access logs record every viewer request).

Not covered: S3.1 (account-level Block Public Access: an account setting, not created by this
stack), S3.11 (event notifications: nothing consumes them here), S3.15 (Object Lock: would make
deploys and log expiry immutable), S3.19/24/25 (access points, multi-region access points,
directory buckets: none created). S3 objects (``BucketObjectv2``) are not buckets and are ignored.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from ._framework import (
    Finding,
    Resource,
    Rule,
    Severity,
    Stack,
    each,
    is_set,
    resource_rule,
    stack_rule,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
ENCRYPTION_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"

BUCKETS = (BUCKET, BUCKET_V2)
ACLS = (BUCKET_ACL, BUCKET_ACL_V2)
ENCRYPTIONS = (ENCRYPTION, ENCRYPTION_V2)
VERSIONINGS = (VERSIONING, VERSIONING_V2)
LIFECYCLES = (LIFECYCLE, LIFECYCLE_V2)
LOGGINGS = (LOGGING, LOGGING_V2)
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
TRAIL = "aws:cloudtrail/trail:Trail"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

# Why a bucket in a given role departs from S3.17 (KMS) and S3.9 (server access logging).
ALB_LOGS_SSE_S3 = "ALB access-log delivery supports only SSE-S3 and fails on an SSE-KMS bucket"
S3_LOGS_SSE_S3 = (
    "SSE-S3 on purpose: S3 server access log delivery writes to SSE-S3 targets without a key policy "
    "for logging.s3.amazonaws.com"
)
OAC_SSE_S3 = (
    "SSE-S3 on purpose: CloudFront reads the public site content through Origin Access Control, and a "
    "customer-managed key would need a key policy for CloudFront and a billed KMS call per fetch"
)
ALB_LOGS_UNLOGGED = (
    "A log bucket written only by ELB log delivery; logging it would need yet another bucket, and so on"
)
S3_LOGS_UNLOGGED = (
    "A log bucket written only by S3 server access logging; logging it would need yet another bucket"
)
TRAIL_UNLOGGED = (
    "A log bucket written only by CloudTrail, whose digest files already prove the logs unmodified; "
    "logging its access would need yet another bucket"
)
OAC_UNLOGGED = (
    "Served only through CloudFront, whose access logs record every viewer request; objects are written "
    "only by pulumi up"
)

PUBLIC_ACCESS_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = {
    "public-read": "public read",
    "public-read-write": "public read and write",
    "authenticated-read": "read to every AWS account",
}
PUBLIC_GRANTEE_URIS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
# Condition keys that pin a "*" principal to known callers; the ones S3 Block Public Access
# itself accepts as making a policy non-public (compared lower-case).
RESTRICTING_CONDITION_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
}
# What S3.6 lists, lower-case: actions that let another account take over the bucket's access.
DANGEROUS_ACTIONS = (
    "s3:deletebucketpolicy",
    "s3:putbucketacl",
    "s3:putbucketpolicy",
    "s3:putencryptionconfiguration",
    "s3:putobjectacl",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
ENCRYPTION_ALGORITHMS = ("AES256", *KMS_ALGORITHMS)


# --- reading props and policy documents --------------------------------------------------------


def _plain(value: Any) -> Any:
    """A props value as plain dicts and lists; raises UnknownValueError if any part is unknown."""
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in list(value.keys())}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(value[i]) for i in range(len(value))]
    return value


def _known(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]`` as plain data, or None when absent; raises ``UnknownValueError`` while any
    part of it is not known (the rule can't run during the preview and checks it on ``up``)."""
    if key not in list(props.keys()):
        return None
    return _plain(props[key])


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _statements(props: Mapping[str, Any], key: str = "policy") -> list[dict[str, Any]]:
    """The statements of a policy given as a JSON string or a dict; [] when unparsable (raises
    while unknown)."""
    document = _known(props, key)
    if isinstance(document, str):
        try:
            document = json.loads(document) if document.strip() else None
        except json.JSONDecodeError:
            return []
    if not isinstance(document, dict):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _sid(statement: Mapping[str, Any], index: int) -> str:
    return f"statement {statement['Sid']}" if statement.get("Sid") else f"statement {index + 1}"


def _is_everyone(statement: Mapping[str, Any]) -> bool:
    """Whether the statement's principal is everybody: "*", {"AWS": "*"} or any NotPrincipal."""
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))


def _is_service_only(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    return isinstance(principal, dict) and set(principal) == {"Service"}


def _restricting_keys(statement: Mapping[str, Any]) -> list[str]:
    """Condition keys that narrow who may call, under a positive operator with fixed values."""
    found: list[str] = []
    conditions = statement.get("Condition")
    if not isinstance(conditions, dict):
        return found
    for operator, clauses in conditions.items():
        base = str(operator).split(":")[-1]
        if "Not" in base or base.endswith("IfExists") or not isinstance(clauses, dict):
            continue
        for key, values in clauses.items():
            if str(key).lower() in RESTRICTING_CONDITION_KEYS and "*" not in _as_list(values):
                found.append(str(key))
    return found


def _actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a).lower() for a in _as_list(statement.get("Action"))]


def _allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def _buckets(stack: Stack) -> list[Resource]:
    return stack.of_type(*BUCKETS)


def _alb_log_target(stack: Stack, bucket: Resource) -> bool:
    return bool(stack.referencing(bucket, "accessLogs", *LOAD_BALANCERS))


def _s3_log_target(stack: Stack, bucket: Resource) -> bool:
    return bool(stack.referencing(bucket, "targetBucket", *LOGGINGS))


def _trail_target(stack: Stack, bucket: Resource) -> bool:
    return bool(stack.referencing(bucket, "s3BucketName", TRAIL))


def _read_through_oac(stack: Stack, bucket: Resource) -> bool:
    """Whether a distribution's origins come from ``bucket`` and one of them signs with an OAC."""
    for distribution in stack.referencing(bucket, "origins", DISTRIBUTION):
        # Not _known: the origins' domain names are unknown in a first preview, the OAC's id too,
        # but an OAC id is a reference (set once known).
        origins = distribution.props.get("origins") or []
        if any(isinstance(o, Mapping) and is_set(o, "originAccessControlId") for o in origins):
            return True
    return False


def _sse_s3_reason(stack: Stack, bucket: Resource) -> str | None:
    """Why ``bucket`` is SSE-S3 by design (S3.17), or None."""
    if _alb_log_target(stack, bucket):
        return ALB_LOGS_SSE_S3
    if _s3_log_target(stack, bucket):
        return S3_LOGS_SSE_S3
    if _read_through_oac(stack, bucket):
        return OAC_SSE_S3
    return None


def _unlogged_reason(stack: Stack, bucket: Resource) -> str | None:
    """Why ``bucket`` has no server access logs by design (S3.9), or None."""
    if _alb_log_target(stack, bucket):
        return ALB_LOGS_UNLOGGED
    if _s3_log_target(stack, bucket):
        return S3_LOGS_UNLOGGED
    if _trail_target(stack, bucket):
        return TRAIL_UNLOGGED
    if _read_through_oac(stack, bucket):
        return OAC_UNLOGGED
    return None


def _settings(stack: Stack, bucket: Resource, *types: str) -> list[Resource]:
    """The split-out settings resources of ``types`` whose ``bucket`` input came from ``bucket``."""
    return stack.referencing(bucket, "bucket", *types)


# --- S3.2 / S3.3: no public read or write -------------------------------------------------------


@resource_rule(
    "s3-no-public-access",
    types=[*BUCKETS, BUCKET_POLICY, *ACLS],
    controls=["S3.2", "S3.3"],
    severity=Severity.CRITICAL,
    description="No bucket policy or ACL grants read or write access to everyone.",
)
def s3_no_public_access(resource: Resource) -> Iterator[str]:
    """Flags Allow statements for "*" without a condition pinning the caller, and public ACLs.

    A policy or ACL not known yet raises: "can't run during preview", checked on ``up``.
    """
    props = resource.props
    for index, statement in enumerate(_statements(props)):
        if _allows(statement) and _is_everyone(statement) and not _restricting_keys(statement):
            actions = ", ".join(_actions(statement)) or "NotAction"
            yield (
                f"{_sid(statement, index)} allows {actions} to every principal without a restricting "
                "condition: name the principal or add an aws:SourceArn, aws:SourceAccount or "
                "aws:PrincipalOrgID condition"
            )
    acl = _known(props, "acl")
    if acl in PUBLIC_CANNED_ACLS:
        yield f"acl is {acl}, which grants {PUBLIC_CANNED_ACLS[acl]}: remove it (ACLs are disabled here)"
    policy = _known(props, "accessControlPolicy") or {}
    grants = _as_list(_known(props, "grants")) + _as_list(
        policy.get("grants") if isinstance(policy, dict) else []
    )
    for grant in grants:
        if not isinstance(grant, dict):
            continue
        # BucketAcl nests the grantee; the bucket's own (deprecated) grants are flat.
        grantee: dict[str, Any] = grant["grantee"] if isinstance(grant.get("grantee"), dict) else grant
        uri = grantee.get("uri")
        if uri in PUBLIC_GRANTEE_URIS:
            permissions = ", ".join(_as_list(grant.get("permission") or grant.get("permissions")))
            group = str(uri).rsplit("/", 1)[-1]
            yield f"the ACL grants {permissions} to the {group} group: remove it (ACLs are disabled here)"


# --- S3.6: nothing dangerous for other accounts ------------------------------------------------


def _dangerous(actions: list[str]) -> list[str]:
    """The statement's actions that include a dangerous one ("*", "s3:*", "s3:Put*", ...)."""
    return [a for a in actions if any(fnmatchcase(d, a) for d in DANGEROUS_ACTIONS)]


@resource_rule(
    "s3-no-dangerous-cross-account-actions",
    types=[*BUCKETS, BUCKET_POLICY],
    controls=["S3.6"],
    severity=Severity.HIGH,
    description="Bucket policies grant no account or user a wildcard or the actions that change the "
    "bucket's access (policy, ACL, encryption).",
)
def s3_no_dangerous_cross_account_actions(resource: Resource) -> Iterator[str]:
    """Any non-service principal counts: the policy cannot tell this account from another one."""
    for index, statement in enumerate(_statements(resource.props)):
        if not _allows(statement) or _is_service_only(statement):
            continue
        if "NotAction" in statement:
            yield (
                f"{_sid(statement, index)} allows NotAction (every other action) to a non-service "
                "principal: list the actions the principal needs"
            )
            continue
        dangerous = _dangerous(_actions(statement))
        if dangerous:
            yield (
                f"{_sid(statement, index)} allows {', '.join(dangerous)} to a non-service principal: "
                "grant only the object actions it needs, never policy, ACL or encryption changes"
            )


# --- S3.5: TLS only ------------------------------------------------------------------------------


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Deny" or not _is_everyone(statement):
        return False
    if not any(a in ("*", "s3:*") for a in _actions(statement)):
        return False
    conditions = statement.get("Condition")
    bool_clause = conditions.get("Bool") if isinstance(conditions, dict) else None
    if not isinstance(bool_clause, dict):
        return False
    secure = {str(k).lower(): v for k, v in bool_clause.items()}.get("aws:securetransport")
    if [str(v).lower() for v in _as_list(secure)] != ["false"]:
        return False
    resources = [str(r) for r in _as_list(statement.get("Resource"))]
    covers_bucket = any(r == "*" or "/" not in r for r in resources)
    covers_objects = any(r == "*" or r.endswith("/*") for r in resources)
    return covers_bucket and covers_objects


@stack_rule(
    "s3-deny-insecure-transport",
    controls=["S3.5"],
    severity=Severity.MEDIUM,
    description="Every bucket's policy denies all requests made without TLS (aws:SecureTransport false) "
    "on the bucket and its objects.",
)
def s3_deny_insecure_transport(stack: Stack) -> Iterator[Finding]:
    """A policy not known yet (built from the bucket's ARN) can't be checked during the preview;
    ``up`` checks it."""

    def check(bucket: Resource) -> Iterator[Finding]:
        policies = _settings(stack, bucket, BUCKET_POLICY)
        sources = [(p, "policy") for p in policies] + [(bucket, "policy")]
        statements = [s for r, key in sources for s in _statements(r.props, key)]
        if not any(_denies_insecure_transport(s) for s in statements):
            yield Finding(
                policies[0] if policies else bucket,
                "no bucket policy statement denies requests without TLS: add a Deny of s3:* for every "
                'principal on the bucket and bucket/* with condition Bool aws:SecureTransport "false"',
            )

    return each(_buckets(stack), check)


# --- S3.8: Block Public Access --------------------------------------------------------------------


@stack_rule(
    "s3-block-public-access",
    controls=["S3.8"],
    severity=Severity.HIGH,
    description="Every bucket has a public access block with all four settings true.",
)
def s3_block_public_access(stack: Stack) -> Iterator[Finding]:
    def check(bucket: Resource) -> Iterator[Finding]:
        blocks = _settings(stack, bucket, PUBLIC_ACCESS_BLOCK)
        if not blocks:
            yield Finding(
                bucket,
                "has no BucketPublicAccessBlock: add one with blockPublicAcls, blockPublicPolicy, "
                "ignorePublicAcls and restrictPublicBuckets true",
            )
        for block in blocks:
            off = [key for key in PUBLIC_ACCESS_SETTINGS if _known(block.props, key) is not True]
            if off:
                yield Finding(
                    block, f"{', '.join(off)} not true: set all four public access settings to true"
                )

    return each(_buckets(stack), check)


# --- S3.12: ACLs disabled -------------------------------------------------------------------------


@stack_rule(
    "s3-acls-disabled",
    controls=["S3.12"],
    severity=Severity.MEDIUM,
    description="Every bucket disables ACLs (object ownership BucketOwnerEnforced) and sets none.",
)
def s3_acls_disabled(stack: Stack) -> Iterator[Finding]:
    def check(bucket: Resource) -> Iterator[Finding]:
        controls = _settings(stack, bucket, OWNERSHIP_CONTROLS)
        if not controls:
            yield Finding(
                bucket,
                "has no BucketOwnershipControls: add one with rule.objectOwnership BucketOwnerEnforced "
                "so that only policies grant access",
            )
        for control in controls:
            rule = _known(control.props, "rule")
            ownership = rule.get("objectOwnership") if isinstance(rule, dict) else None
            if ownership != "BucketOwnerEnforced":
                yield Finding(
                    control,
                    f"objectOwnership is {ownership}: set it to BucketOwnerEnforced to disable ACLs",
                )
        for acl in _settings(stack, bucket, *ACLS):
            yield Finding(acl, "sets an ACL on the bucket: remove it and grant access with the bucket policy")

    return each(_buckets(stack), check)


# --- encryption at rest -------------------------------------------------------------------------


def _algorithms(configuration: Resource) -> list[str] | None:
    """The default algorithms of an encryption configuration; raises while not known."""
    algorithms: list[str] = []
    for rule in _as_list(_known(configuration.props, "rules")):
        default = rule.get("applyServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if isinstance(default, dict) and default.get("sseAlgorithm"):
            algorithms.append(str(default["sseAlgorithm"]))
    return algorithms


@stack_rule(
    "s3-default-encryption",
    controls=["S3.4", "seed checklist"],
    severity=Severity.MEDIUM,
    description="Every bucket has a default server-side encryption configuration.",
)
def s3_default_encryption(stack: Stack) -> Iterator[Finding]:
    def check(bucket: Resource) -> Iterator[Finding]:
        configurations = _settings(stack, bucket, *ENCRYPTIONS)
        if not configurations:
            yield Finding(
                bucket,
                "has no BucketServerSideEncryptionConfiguration: add one with sseAlgorithm aws:kms "
                "(or AES256 where a service cannot use KMS)",
            )
        for configuration in configurations:
            algorithms = _algorithms(configuration)
            if algorithms is not None and not any(a in ENCRYPTION_ALGORITHMS for a in algorithms):
                yield Finding(
                    configuration,
                    "no rule sets applyServerSideEncryptionByDefault.sseAlgorithm: set it to aws:kms "
                    "(or AES256)",
                )

    return each(_buckets(stack), check)


@stack_rule(
    "s3-kms-encryption",
    controls=["S3.17"],
    severity=Severity.MEDIUM,
    description="Every bucket encrypts new objects with a KMS key by default (sseAlgorithm aws:kms).",
)
def s3_kms_encryption(stack: Stack) -> Iterator[Finding]:
    """Buckets without any configuration are reported by ``s3-default-encryption`` only."""

    def check(bucket: Resource) -> Iterator[Finding]:
        for configuration in _settings(stack, bucket, *ENCRYPTIONS):
            algorithms = _algorithms(configuration)
            if algorithms is not None and algorithms and not any(a in KMS_ALGORITHMS for a in algorithms):
                reason = _sse_s3_reason(stack, bucket) if algorithms == ["AES256"] else None
                if reason is not None:
                    yield Finding.design_exception(configuration, reason)
                    continue
                yield Finding(
                    configuration,
                    f"sseAlgorithm is {', '.join(algorithms)}: set it to aws:kms with a "
                    "customer-managed key (and bucketKeyEnabled true)",
                )

    return each(_buckets(stack), check)


# --- versioning and lifecycle -------------------------------------------------------------------


def _versioning_status(versioning: Resource) -> str | None:
    configuration = _known(versioning.props, "versioningConfiguration")
    return configuration.get("status") if isinstance(configuration, dict) else None


@stack_rule(
    "s3-versioning",
    controls=["S3.14"],
    severity=Severity.LOW,
    description="Every bucket has versioning enabled, so an overwrite or a delete can be undone.",
)
def s3_versioning(stack: Stack) -> Iterator[Finding]:
    def check(bucket: Resource) -> Iterator[Finding]:
        versionings = _settings(stack, bucket, *VERSIONINGS)
        if not versionings:
            yield Finding(
                bucket, "has no BucketVersioning: add one with versioningConfiguration.status Enabled"
            )
        for versioning in versionings:
            status = _versioning_status(versioning)
            if status != "Enabled":
                yield Finding(versioning, f"versioning status is {status}: set it to Enabled")

    return each(_buckets(stack), check)


def _enabled_rules(lifecycle: Resource) -> list[dict[str, Any]]:
    return [
        r
        for r in _as_list(_known(lifecycle.props, "rules"))
        if isinstance(r, dict) and r.get("status") == "Enabled"
    ]


@stack_rule(
    "s3-lifecycle-configuration",
    controls=["S3.10", "S3.13"],
    severity=Severity.MEDIUM,
    description="Every bucket has an enabled lifecycle rule; on a versioned bucket one expires or "
    "transitions noncurrent versions.",
)
def s3_lifecycle_configuration(stack: Stack) -> Iterator[Finding]:
    """Stricter than S3.10, which accepts any lifecycle rule: without a noncurrent-version rule the
    old versions of a versioned bucket are kept, and billed, forever."""

    def check(bucket: Resource) -> Iterator[Finding]:
        lifecycles = _settings(stack, bucket, *LIFECYCLES)
        rules = [rule for lc in lifecycles for rule in _enabled_rules(lc)]
        if not rules:
            yield Finding(
                lifecycles[0] if lifecycles else bucket,
                "has no enabled lifecycle rule: add a BucketLifecycleConfiguration rule with status "
                "Enabled that expires or archives objects",
            )
            return
        versioned = any(_versioning_status(v) == "Enabled" for v in _settings(stack, bucket, *VERSIONINGS))
        keys = ("noncurrentVersionExpiration", "noncurrentVersionTransitions")
        if versioned and not any(is_set(rule, key) for rule in rules for key in keys):
            yield Finding(
                lifecycles[0],
                "versioning is on but no enabled lifecycle rule handles noncurrent versions: add "
                "noncurrentVersionExpiration so old versions do not pile up",
            )

    return each(_buckets(stack), check)


def _whole_bucket(rule: Mapping[str, Any]) -> bool:
    """Whether a lifecycle rule applies to every object: no prefix, tag, size or ``and`` filter."""
    if rule.get("prefix"):
        return False
    conditions = rule.get("filter") or {}
    return isinstance(conditions, dict) and not any(value for value in conditions.values())


def _aborts_multipart(rule: Mapping[str, Any]) -> bool:
    abort = rule.get("abortIncompleteMultipartUpload")
    days = abort.get("daysAfterInitiation") if isinstance(abort, dict) else None
    return isinstance(days, int) and days > 0 and _whole_bucket(rule)


@stack_rule(
    "s3-abort-incomplete-multipart",
    controls=["CKV_AWS_300"],
    severity=Severity.LOW,
    description="Every bucket has an enabled lifecycle rule for all its objects that aborts incomplete "
    "multipart uploads.",
)
def s3_abort_incomplete_multipart(stack: Stack) -> Iterator[Finding]:
    """The parts of an upload that never completed are billed as storage yet appear in no listing.

    A bucket whose lifecycle rules are not known yet gets no verdict during the preview ("can't run
    during preview"); ``up`` checks it.
    """

    def check(bucket: Resource) -> Iterator[Finding]:
        lifecycles = _settings(stack, bucket, *LIFECYCLES)
        if not any(_aborts_multipart(rule) for lc in lifecycles for rule in _enabled_rules(lc)):
            yield Finding(
                lifecycles[0] if lifecycles else bucket,
                "no enabled lifecycle rule for the whole bucket sets abortIncompleteMultipartUpload: add "
                "abortIncompleteMultipartUpload.daysAfterInitiation (7) to a rule with an empty filter, "
                "so the parts of uploads that never completed stop being billed",
            )

    return each(_buckets(stack), check)


# --- S3.9: server access logging ------------------------------------------------------------------


@stack_rule(
    "s3-server-access-logging",
    controls=["S3.9"],
    severity=Severity.MEDIUM,
    description="Every bucket writes S3 server access logs to another bucket.",
    production_only=True,
)
def s3_server_access_logging(stack: Stack) -> Iterator[Finding]:
    def check(bucket: Resource) -> Iterator[Finding]:
        if not _settings(stack, bucket, *LOGGINGS) and (reason := _unlogged_reason(stack, bucket)):
            yield Finding.design_exception(bucket, reason)
        elif not _settings(stack, bucket, *LOGGINGS):
            yield Finding(
                bucket,
                "has no BucketLogging: add one with a targetBucket (another bucket) so every request "
                "is recorded",
            )

    return each(_buckets(stack), check)


RULES: tuple[Rule, ...] = (
    s3_no_public_access,
    s3_no_dangerous_cross_account_actions,
    s3_deny_insecure_transport,
    s3_block_public_access,
    s3_acls_disabled,
    s3_default_encryption,
    s3_kms_encryption,
    s3_versioning,
    s3_lifecycle_configuration,
    s3_abort_incomplete_multipart,
    s3_server_access_logging,
)
