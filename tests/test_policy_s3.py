import json
from functools import cache
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError

from offline.analyzer_view import plan_states, stack_resources
from offline.preview_json import to_preview_json
from policies import s3
from policies._framework import Resource, Rule, Stack, stack_from
from tests.harness import plan
from tests.policy_harness import plan_resources, plan_stack, resource, stack, urn

BUCKET_ARN = "arn:aws:s3:::b"
DENY_HTTP = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
OAC_READ = {
    "Sid": "Oac",
    "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"},
    "Action": "s3:GetObject",
    "Resource": f"{BUCKET_ARN}/*",
    "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def bucket(name: str = "b") -> Resource:
    return resource(s3.BUCKET, {"forceDestroy": False}, name)


def setting(type_: str, props: dict[str, Any], of: Resource) -> Resource:
    """A split-out bucket setting whose ``bucket`` input came from ``of``."""
    return resource(type_, {"bucket": "b", **props}, of.name, property_dependencies={"bucket": [of.urn]})


LIFECYCLE_RULE = {
    "id": "x",
    "status": "Enabled",
    "filter": {},
    "noncurrentVersionExpiration": {"noncurrentDays": 30},
    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
}


def compliant_bucket(**replace: dict[str, Any] | None) -> Stack:
    """A bucket with every setting the rules want; ``replace`` swaps (or with None drops) one."""
    b = bucket()
    settings: dict[str, tuple[str, dict[str, Any]]] = {
        "block": (s3.PUBLIC_ACCESS_BLOCK, {k: True for k in s3.PUBLIC_ACCESS_SETTINGS}),
        "ownership": (s3.OWNERSHIP_CONTROLS, {"rule": {"objectOwnership": "BucketOwnerEnforced"}}),
        "encryption": (
            s3.ENCRYPTION,
            {
                "rules": [
                    {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"}}
                ]
            },
        ),
        "versioning": (s3.VERSIONING, {"versioningConfiguration": {"status": "Enabled"}}),
        "lifecycle": (s3.LIFECYCLE, {"rules": [LIFECYCLE_RULE]}),
        "logging": (s3.LOGGING, {"targetBucket": "logs", "targetPrefix": "b/"}),
        "policy": (s3.BUCKET_POLICY, {"policy": policy(DENY_HTTP, OAC_READ)}),
    }
    resources = [b]
    for key, (type_, props) in settings.items():
        if key in replace:
            if replace[key] is None:
                continue
            props = replace[key] or {}
        resources.append(setting(type_, props, b))
    return stack(*resources)


STACK_RULES = [rule for rule in s3.RULES if rule.check_stack is not None]


@pytest.mark.parametrize("rule", STACK_RULES, ids=lambda r: r.name)
def test_a_fully_configured_bucket_passes_every_stack_rule(rule: Rule) -> None:
    assert rule.messages(compliant_bucket()) == []


# --- S3.2 / S3.3 ---------------------------------------------------------------------------------


def test_public_policy_statement_is_flagged_unless_a_condition_pins_the_caller() -> None:
    public = {"Sid": "Public", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"}
    assert s3.s3_no_public_access.messages(resource(s3.BUCKET_POLICY, {"policy": policy(public)})) == [
        "statement Public allows s3:getobject to every principal without a restricting condition: name "
        "the principal or add an aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition"
    ]
    pinned = {**public, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}
    negated = {**public, "Principal": "*", "Condition": {"StringNotEquals": {"aws:SourceAccount": "1"}}}
    assert s3.s3_no_public_access.messages(resource(s3.BUCKET_POLICY, {"policy": policy(pinned)})) == []
    assert (
        len(s3.s3_no_public_access.messages(resource(s3.BUCKET_POLICY, {"policy": {"Statement": negated}})))
        == 1
    )


def test_deny_for_everyone_and_service_principals_are_not_public() -> None:
    subject = resource(s3.BUCKET_POLICY, {"policy": policy(DENY_HTTP, OAC_READ)})
    assert s3.s3_no_public_access.messages(subject) == []


def test_public_acls_are_flagged_on_bucket_acl_and_bucket() -> None:
    acl = resource(s3.BUCKET_ACL, {"bucket": "b", "acl": "public-read-write"})
    assert s3.s3_no_public_access.messages(acl) == [
        "acl is public-read-write, which grants public read and write: remove it (ACLs are disabled here)"
    ]
    grants = {
        "accessControlPolicy": {
            "grants": [
                {"grantee": {"type": "Group", "uri": s3.PUBLIC_GRANTEE_URIS[0]}, "permission": "READ"}
            ],
            "owner": {"id": "o"},
        }
    }
    assert s3.s3_no_public_access.messages(resource(s3.BUCKET_ACL, grants)) == [
        "the ACL grants READ to the AllUsers group: remove it (ACLs are disabled here)"
    ]
    assert s3.s3_no_public_access.messages(resource(s3.BUCKET, {"acl": "public-read"})) == [
        "acl is public-read, which grants public read: remove it (ACLs are disabled here)"
    ]
    assert s3.s3_no_public_access.messages(resource(s3.BUCKET, {"acl": "private"})) == []


def test_an_unknown_policy_waits_for_the_update() -> None:
    subject = resource(s3.BUCKET_POLICY, {"bucket": "b", "policy": UNKNOWN_STRING_VALUE})
    for rule in (s3.s3_no_public_access, s3.s3_no_dangerous_cross_account_actions):
        assert [kind for kind, _, _ in rule.verdicts(subject)] == ["unknown"]


# --- S3.6 ----------------------------------------------------------------------------------------


def test_dangerous_and_wildcard_actions_for_accounts_are_flagged() -> None:
    account = {"AWS": "arn:aws:iam::111122223333:root"}
    statements = [
        {"Sid": "Admin", "Effect": "Allow", "Principal": account, "Action": "s3:*"},
        {"Sid": "Acl", "Effect": "Allow", "Principal": {"AWS": [account["AWS"]]},
         "Action": ["s3:GetObject", "S3:PutObjectAcl"]},
        {"Sid": "Put", "Effect": "Allow", "Principal": account, "Action": "s3:Put*"},
        {"Sid": "Rest", "Effect": "Allow", "Principal": account, "NotAction": "s3:GetObject"},
        {"Sid": "Svc", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:*"},
        {"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "*"},
    ]  # fmt: skip
    subject = resource(s3.BUCKET_POLICY, {"policy": policy(*statements)})
    advice = "grant only the object actions it needs, never policy, ACL or encryption changes"
    assert s3.s3_no_dangerous_cross_account_actions.messages(subject) == [
        f"statement Admin allows s3:* to a non-service principal: {advice}",
        f"statement Acl allows s3:putobjectacl to a non-service principal: {advice}",
        f"statement Put allows s3:put* to a non-service principal: {advice}",
        "statement Rest allows NotAction (every other action) to a non-service principal: list the "
        "actions the principal needs",
    ]


def test_alb_log_delivery_grant_is_not_dangerous() -> None:
    [alb_logs] = [r for r in plan_resources("prod", s3.BUCKET_POLICY) if r.name == "api-access-logs"]
    assert s3.s3_no_dangerous_cross_account_actions.messages(alb_logs) == []


# --- S3.5 ----------------------------------------------------------------------------------------


TLS_ADVICE = (
    "no bucket policy statement denies requests without TLS: add a Deny of s3:* for every principal "
    'on the bucket and bucket/* with condition Bool aws:SecureTransport "false"'
)


@pytest.mark.parametrize(
    "statement",
    [
        OAC_READ,
        {**DENY_HTTP, "Resource": f"{BUCKET_ARN}/*"},
        {**DENY_HTTP, "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {**DENY_HTTP, "Action": "s3:GetObject"},
        {**DENY_HTTP, "Principal": {"AWS": "arn:aws:iam::1:root"}},
    ],
    ids=["allow-only", "objects-only", "wrong-value", "one-action", "one-principal"],
)
def test_policy_without_a_full_tls_deny_is_flagged(statement: dict[str, Any]) -> None:
    subject = compliant_bucket(policy={"policy": policy(statement)})
    assert s3.s3_deny_insecure_transport.messages(subject) == [TLS_ADVICE]


def test_tls_deny_accepts_dict_documents_and_boolean_false() -> None:
    statement = {**DENY_HTTP, "Action": ["*"], "Condition": {"Bool": {"aws:securetransport": False}}}
    subject = compliant_bucket(policy={"policy": {"Version": "2012-10-17", "Statement": statement}})
    assert s3.s3_deny_insecure_transport.messages(subject) == []


def test_bucket_without_policy_fails_tls_and_unknown_policy_waits() -> None:
    assert s3.s3_deny_insecure_transport.findings(compliant_bucket(policy=None)) == [
        (bucket().urn, TLS_ADVICE)
    ]
    unknown_policy = compliant_bucket(policy={"policy": UNKNOWN_STRING_VALUE})
    waiting = s3.s3_deny_insecure_transport.verdicts(unknown_policy)
    assert [(kind, urn) for kind, urn, _ in waiting] == [("unknown", bucket().urn)]


# --- S3.8 / S3.12 ----------------------------------------------------------------------------------


def test_public_access_block_missing_or_partial() -> None:
    assert s3.s3_block_public_access.messages(compliant_bucket(block=None)) == [
        "has no BucketPublicAccessBlock: add one with blockPublicAcls, blockPublicPolicy, ignorePublicAcls "
        "and restrictPublicBuckets true"
    ]
    partial = {"blockPublicAcls": True, "blockPublicPolicy": False, "ignorePublicAcls": True}
    assert s3.s3_block_public_access.messages(compliant_bucket(block=partial)) == [
        "blockPublicPolicy, restrictPublicBuckets not true: set all four public access settings to true"
    ]


def test_acls_must_be_disabled_and_unset() -> None:
    assert s3.s3_acls_disabled.messages(compliant_bucket(ownership=None)) == [
        "has no BucketOwnershipControls: add one with rule.objectOwnership BucketOwnerEnforced so that "
        "only policies grant access"
    ]
    preferred = {"rule": {"objectOwnership": "BucketOwnerPreferred"}}
    assert s3.s3_acls_disabled.messages(compliant_bucket(ownership=preferred)) == [
        "objectOwnership is BucketOwnerPreferred: set it to BucketOwnerEnforced to disable ACLs"
    ]
    with_acl = compliant_bucket()
    with_acl = stack(*with_acl.resources, setting(s3.BUCKET_ACL, {"acl": "private"}, with_acl.resources[0]))
    assert s3.s3_acls_disabled.messages(with_acl) == [
        "sets an ACL on the bucket: remove it and grant access with the bucket policy"
    ]


def test_settings_of_another_bucket_do_not_count() -> None:
    other = bucket("other")
    lone = bucket()
    block = setting(s3.PUBLIC_ACCESS_BLOCK, {k: True for k in s3.PUBLIC_ACCESS_SETTINGS}, other)
    assert s3.s3_block_public_access.findings(stack(other, lone, block)) == [
        (lone.urn, s3.s3_block_public_access.messages(stack(lone))[0])
    ]


# --- encryption -----------------------------------------------------------------------------------


def test_default_encryption_is_required() -> None:
    assert s3.s3_default_encryption.messages(compliant_bucket(encryption=None)) == [
        "has no BucketServerSideEncryptionConfiguration: add one with sseAlgorithm aws:kms (or AES256 "
        "where a service cannot use KMS)"
    ]
    assert s3.s3_default_encryption.messages(
        compliant_bucket(encryption={"rules": [{"bucketKeyEnabled": True}]})
    ) == ["no rule sets applyServerSideEncryptionByDefault.sseAlgorithm: set it to aws:kms (or AES256)"]


def test_kms_encryption_flags_sse_s3_only() -> None:
    sse_s3 = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}
    assert s3.s3_kms_encryption.messages(compliant_bucket(encryption=sse_s3)) == [
        "sseAlgorithm is AES256: set it to aws:kms with a customer-managed key (and bucketKeyEnabled true)"
    ]
    assert s3.s3_default_encryption.messages(compliant_bucket(encryption=sse_s3)) == []
    assert s3.s3_kms_encryption.messages(compliant_bucket(encryption=None)) == []


# --- versioning and lifecycle ------------------------------------------------------------------------


def test_versioning_must_be_enabled() -> None:
    assert s3.s3_versioning.messages(compliant_bucket(versioning=None)) == [
        "has no BucketVersioning: add one with versioningConfiguration.status Enabled"
    ]
    suspended = {"versioningConfiguration": {"status": "Suspended"}}
    assert s3.s3_versioning.messages(compliant_bucket(versioning=suspended)) == [
        "versioning status is Suspended: set it to Enabled"
    ]


def test_lifecycle_must_exist_with_an_enabled_rule() -> None:
    advice = (
        "has no enabled lifecycle rule: add a BucketLifecycleConfiguration rule with status Enabled that "
        "expires or archives objects"
    )
    assert s3.s3_lifecycle_configuration.messages(compliant_bucket(lifecycle=None)) == [advice]
    disabled = {"rules": [{**LIFECYCLE_RULE, "status": "Disabled"}]}
    assert s3.s3_lifecycle_configuration.messages(compliant_bucket(lifecycle=disabled)) == [advice]


def test_versioned_bucket_lifecycle_must_handle_noncurrent_versions() -> None:
    current_only = {"rules": [{"id": "x", "status": "Enabled", "expiration": {"days": 90}}]}
    assert s3.s3_lifecycle_configuration.messages(compliant_bucket(lifecycle=current_only)) == [
        "versioning is on but no enabled lifecycle rule handles noncurrent versions: add "
        "noncurrentVersionExpiration so old versions do not pile up"
    ]
    unversioned = compliant_bucket(
        lifecycle=current_only, versioning={"versioningConfiguration": {"status": "Suspended"}}
    )
    assert s3.s3_lifecycle_configuration.messages(unversioned) == []


ABORT_ADVICE = (
    "no enabled lifecycle rule for the whole bucket sets abortIncompleteMultipartUpload: add "
    "abortIncompleteMultipartUpload.daysAfterInitiation (7) to a rule with an empty filter, so the parts "
    "of uploads that never completed stop being billed"
)
NO_ABORT = {k: v for k, v in LIFECYCLE_RULE.items() if k != "abortIncompleteMultipartUpload"}


@pytest.mark.parametrize(
    "rules",
    [
        [NO_ABORT],
        [NO_ABORT, {**LIFECYCLE_RULE, "id": "abort", "status": "Disabled"}],
        [{**LIFECYCLE_RULE, "filter": {"prefix": "uploads/"}}],
        [{**LIFECYCLE_RULE, "filter": {"objectSizeGreaterThan": 1024}}],
        [{**LIFECYCLE_RULE, "filter": None, "prefix": "tmp/"}],
        [{**LIFECYCLE_RULE, "abortIncompleteMultipartUpload": {}}],
    ],
    ids=["absent", "on-a-disabled-rule", "prefix-filter", "size-filter", "legacy-prefix", "no-days"],
)
def test_multipart_abort_must_cover_the_whole_bucket_in_an_enabled_rule(rules: list[dict[str, Any]]) -> None:
    assert s3.s3_abort_incomplete_multipart.messages(compliant_bucket(lifecycle={"rules": rules})) == [
        ABORT_ADVICE
    ]


def test_multipart_abort_reported_on_a_bucket_without_lifecycle() -> None:
    subject = compliant_bucket(lifecycle=None)
    assert s3.s3_abort_incomplete_multipart.findings(subject) == [(bucket().urn, ABORT_ADVICE)]


@pytest.mark.parametrize(
    "rules",
    [
        [LIFECYCLE_RULE],
        [
            NO_ABORT,
            {
                "id": "abort",
                "status": "Enabled",
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1},
            },
        ],
        [{**LIFECYCLE_RULE, "filter": {"prefix": ""}}],
    ],
    ids=["in-the-main-rule", "own-rule-without-filter", "empty-prefix"],
)
def test_multipart_abort_on_any_enabled_whole_bucket_rule_passes(rules: list[dict[str, Any]]) -> None:
    assert s3.s3_abort_incomplete_multipart.messages(compliant_bucket(lifecycle={"rules": rules})) == []


def test_unknown_lifecycle_rules_wait_for_the_update_and_the_other_buckets_keep_their_verdicts() -> None:
    waiting = bucket("waiting")
    unknown_days = {
        **LIFECYCLE_RULE,
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": UNKNOWN_NUMBER_VALUE},
    }
    subject = stack(
        *compliant_bucket(lifecycle={"rules": [NO_ABORT]}).resources,
        waiting,
        resource(s3.LIFECYCLE, {"bucket": "w", "rules": [unknown_days]}, "waiting",
                 property_dependencies={"bucket": [waiting.urn]}),
    )  # fmt: skip
    assert s3.s3_abort_incomplete_multipart.verdicts(subject) == [
        ("violation", urn(s3.LIFECYCLE, "b"), ABORT_ADVICE),
        ("unknown", waiting.urn,
         "number value at .rules.0.abortIncompleteMultipartUpload.daysAfterInitiation can't be known during "
         "preview"),
    ]  # fmt: skip
    with pytest.raises(UnknownValueError):
        s3.s3_abort_incomplete_multipart.findings(subject)


def test_server_access_logging_needs_a_bucket_logging() -> None:
    assert s3.s3_server_access_logging.messages(compliant_bucket(logging=None)) == [
        "has no BucketLogging: add one with a targetBucket (another bucket) so every request is recorded"
    ]


# --- the committed stacks -------------------------------------------------------------------------


def findings(rule: Rule, subject: Stack) -> list[tuple[str, str]]:
    if rule.check_stack is not None:
        return [(urn.rsplit("::", 1)[-1], m) for urn, m in rule.findings(subject)]
    return [(r.name, m) for r in subject.resources for _, m in rule.findings(r)]


def names(rule: Rule, subject: Stack) -> list[str]:
    return sorted(name for name, _ in findings(rule, subject))


@cache
def plan_with_uploads() -> Stack:
    return stack_from(stack_resources(plan_states(to_preview_json(plan("prod", uploads={"enabled": True})))))


def excepted(rule: Rule, subject: Stack) -> list[str]:
    if rule.check_stack is not None:
        return sorted(urn.rsplit("::", 1)[-1] for urn, _ in rule.design_exceptions(subject))
    return sorted(r.name for r in subject.resources for _ in rule.design_exceptions(r))


# The design's departures in the committed stacks, decided from each bucket's role: S3.17 for the
# SSE-S3 buckets (read through OAC, ALB log delivery), S3.9 for those same buckets.
EXCEPTED_PROD = {
    "s3-kms-encryption": ["api-access-logs", "site-content"],
    "s3-server-access-logging": ["api-access-logs", "site-content"],
}
EXCEPTED_DEV = {"s3-kms-encryption": ["site-content"], "s3-server-access-logging": ["site-content"]}


@pytest.mark.parametrize("rule", s3.RULES, ids=lambda r: r.name)
def test_prod_stack_has_no_findings_only_design_exceptions(rule: Rule) -> None:
    assert names(rule, plan_stack("prod")) == []
    assert excepted(rule, plan_stack("prod")) == EXCEPTED_PROD.get(rule.name, [])


@pytest.mark.parametrize("rule", s3.RULES, ids=lambda r: r.name)
def test_dev_stack_has_no_findings_only_design_exceptions(rule: Rule) -> None:
    assert names(rule, plan_stack("dev")) == []
    assert excepted(rule, plan_stack("dev")) == EXCEPTED_DEV.get(rule.name, [])


def test_uploads_bucket_passes_everything_and_its_log_bucket_is_excepted() -> None:
    uploads = plan_with_uploads()
    assert {rule.name for rule in s3.RULES if names(rule, uploads)} == set()
    assert "uploads-access-logs" in excepted(s3.s3_kms_encryption, uploads)
    assert "uploads-access-logs" in excepted(s3.s3_server_access_logging, uploads)


# --- design exceptions by role, whatever the names ------------------------------------------------

SSE_S3 = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}


def sse_s3_bucket(name: str) -> tuple[Resource, Resource]:
    bucket = resource(s3.BUCKET_V2, {}, name)
    encryption = resource(s3.ENCRYPTION, SSE_S3, name, property_dependencies={"bucket": [bucket.urn]})
    return bucket, encryption


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        ("alb", s3.ALB_LOGS_SSE_S3),
        ("s3-logging", s3.S3_LOGS_SSE_S3),
        ("oac", s3.OAC_SSE_S3),
    ],
)
def test_an_sse_s3_bucket_is_excepted_by_its_role(role: str, reason: str) -> None:
    bucket, encryption = sse_s3_bucket("whatever-name")
    users = {
        "alb": resource(s3.LOAD_BALANCERS[0], {}, "lb", property_dependencies={"accessLogs": [bucket.urn]}),
        "s3-logging": resource(s3.LOGGING, {}, "other", property_dependencies={"targetBucket": [bucket.urn]}),
        "oac": resource(
            s3.DISTRIBUTION,
            {"origins": [{"originId": "s3", "domainName": "b.s3", "originAccessControlId": "oac-1"}]},
            "cdn",
            property_dependencies={"origins": [bucket.urn]},
        ),
    }
    subject = stack(bucket, encryption, users[role])
    assert s3.s3_kms_encryption.findings(subject) == []
    assert s3.s3_kms_encryption.design_exceptions(subject) == [(encryption.urn, reason)]


def test_an_sse_s3_bucket_with_no_such_role_still_fails() -> None:
    bucket, encryption = sse_s3_bucket("api-access-logs")  # the old exception's name buys nothing
    without_oac = resource(
        s3.DISTRIBUTION,
        {"origins": [{"originId": "s3", "domainName": "b.s3-website"}]},
        "cdn",
        property_dependencies={"origins": [bucket.urn]},
    )
    trail = resource(s3.TRAIL, {}, "trail", property_dependencies={"s3BucketName": [bucket.urn]})
    subject = stack(bucket, encryption, without_oac, trail)
    assert s3.s3_kms_encryption.messages(subject) == [
        "sseAlgorithm is AES256: set it to aws:kms with a customer-managed key (and bucketKeyEnabled true)"
    ]
    assert s3.s3_kms_encryption.design_exceptions(subject) == []


def test_a_trail_bucket_needs_no_access_logs_but_a_plain_bucket_does() -> None:
    audit, data = resource(s3.BUCKET_V2, {}, "records"), resource(s3.BUCKET_V2, {}, "audit-bucket")
    trail = resource(s3.TRAIL, {}, "trail", property_dependencies={"s3BucketName": [audit.urn]})
    subject = stack(audit, data, trail)
    assert s3.s3_server_access_logging.findings(subject) == [
        (
            data.urn,
            "has no BucketLogging: add one with a targetBucket (another bucket) so every request is recorded",
        )
    ]
    assert s3.s3_server_access_logging.design_exceptions(subject) == [(audit.urn, s3.TRAIL_UNLOGGED)]
