"""The protect rule: what it covers, and the committed stacks (prod protected, dev deliberately not)."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import stateful
from policies.stateful import S3_BUCKET, STATEFUL_TYPES
from tests.policy_harness import plan_stack, resource

RULE = stateful.stateful_resources_protected
MESSAGE = (
    "protect is false: set webapp:protect to true so a destroy or a replacement cannot delete its data "
    "without `pulumi state unprotect`"
)


@pytest.mark.parametrize("type_", STATEFUL_TYPES)
def test_every_stateful_type_needs_protect(type_: str) -> None:
    assert RULE.messages(resource(type_, {}, protect=True)) == []
    assert RULE.messages(resource(type_, {}, protect=False)) == [MESSAGE]


def test_other_types_are_not_checked() -> None:
    assert RULE.messages(resource("aws:rds/subnetGroup:SubnetGroup", {})) == []
    assert RULE.messages(resource("aws:s3/bucketPolicy:BucketPolicy", {})) == []


def test_unknown_props_do_not_matter() -> None:
    """The rule reads only the protect option, so a preview's unknown values never stop it."""
    bucket = resource(S3_BUCKET, {"bucket": UNKNOWN_STRING_VALUE, "arn": UNKNOWN_STRING_VALUE})
    assert RULE.messages(bucket) == [MESSAGE]


def test_prod_protects_every_stateful_resource() -> None:
    prod = plan_stack("prod")
    checked = [r.name for r in prod.of_type(*STATEFUL_TYPES)]
    assert sorted(checked) == sorted(
        [
            "app-secrets",
            "app-SECRET_KEY",
            "app-SECRET_KEY",
            "cache-rg",
            "cache-key",
            "cache-auth",
            "cache-auth",
            "db-key",
            "db-instance",
            "api-repo",
            "api-access-logs",
            "site-content",
            "ops-alarms",
            "logs-key",
        ]
    )
    assert [(r.name, m) for r in prod.resources for m in RULE.messages(r)] == []


def test_dev_is_flagged_on_every_stateful_resource() -> None:
    """Dev sets webapp:protect false on purpose; the rule is production_only, so advisory there."""
    assert RULE.production_only
    dev = plan_stack("dev")
    assert sorted((r.type, r.name) for r in dev.resources if RULE.messages(r)) == sorted(
        [
            ("aws:kms/key:Key", "app-secrets"),
            ("aws:secretsmanager/secret:Secret", "app-SECRET_KEY"),
            ("aws:secretsmanager/secretVersion:SecretVersion", "app-SECRET_KEY"),
            ("aws:kms/key:Key", "db-key"),
            ("aws:rds/cluster:Cluster", "db-cluster"),
            ("aws:rds/clusterInstance:ClusterInstance", "db-instance-1"),
            ("aws:ecr/repository:Repository", "api-repo"),
            ("aws:s3/bucket:Bucket", "site-content"),
            ("aws:kms/key:Key", "ops-alarms"),
        ]
    )
