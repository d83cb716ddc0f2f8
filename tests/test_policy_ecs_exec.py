"""ecs-exec-sessions-encrypted-and-logged: a cluster with ECS Exec services encrypts and logs sessions."""

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from offline.preview_json import to_preview_json
from policies.ecs import CLUSTER, SERVICE, ecs_exec_sessions_encrypted_and_logged
from tests.harness import plan, stack_section
from tests.policy_harness import check_plan, resource, stack, urn

RULE = ecs_exec_sessions_encrypted_and_logged
CLUSTER_URN = urn(CLUSTER, "app-cluster")
GOOD = {
    "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
    "logging": "OVERRIDE",
    "logConfiguration": {"cloudWatchLogGroupName": "/aws/ecs/app/exec", "cloudWatchEncryptionEnabled": True},
}


def _cluster_and_services(exec_config: dict[str, Any] | None, *exec_flags: bool) -> Any:
    cluster = resource(
        CLUSTER,
        {"configuration": {"executeCommandConfiguration": exec_config}} if exec_config is not None else {},
        "app-cluster",
    )
    services = [
        resource(
            SERVICE,
            {"enableExecuteCommand": flag},
            f"svc{i}",
            property_dependencies={"cluster": [CLUSTER_URN]},
        )
        for i, flag in enumerate(exec_flags)
    ]
    return stack(cluster, *services)


def test_rule_declares_its_controls() -> None:
    assert RULE.controls == ("CKV_AWS_224", "CKV_AWS_223")
    assert not RULE.production_only


def test_a_cluster_encrypting_and_logging_sessions_passes() -> None:
    assert RULE.findings(_cluster_and_services(GOOD, True, False)) == []
    # Key and log group created in the same update: unknown in a preview, set by then.
    unknown = {
        **GOOD,
        "kmsKeyId": UNKNOWN_STRING_VALUE,
        "logConfiguration": {
            "cloudWatchLogGroupName": UNKNOWN_STRING_VALUE,
            "cloudWatchEncryptionEnabled": True,
        },
    }
    assert RULE.findings(_cluster_and_services(unknown, True)) == []


def test_no_service_with_exec_needs_nothing() -> None:
    assert RULE.findings(_cluster_and_services({"logging": "DEFAULT"}, False, False)) == []


def test_default_logging_and_no_key_are_violations() -> None:
    assert RULE.findings(_cluster_and_services({"logging": "DEFAULT"}, True, True)) == [
        (
            CLUSTER_URN,
            "ECS Exec is on for svc0, svc1: set configuration.executeCommandConfiguration.kmsKeyId so "
            "sessions are encrypted",
        ),
        (
            CLUSTER_URN,
            'ECS Exec is on for svc0, svc1: executeCommandConfiguration.logging is "DEFAULT": set '
            '"OVERRIDE" with a logConfiguration, so each session\'s commands and output are kept apart '
            "from the app's logs",
        ),
    ]
    assert RULE.messages(_cluster_and_services(None, True)) == [
        "ECS Exec is on for svc0: set configuration.executeCommandConfiguration.kmsKeyId so sessions are "
        "encrypted",
        "ECS Exec is on for svc0: executeCommandConfiguration.logging is not set (DEFAULT): set "
        '"OVERRIDE" with a logConfiguration, so each session\'s commands and output are kept apart '
        "from the app's logs",
    ]


def test_override_without_a_destination_or_unencrypted_is_a_violation() -> None:
    nowhere = {**GOOD, "logConfiguration": {}}
    assert RULE.messages(_cluster_and_services(nowhere, True)) == [
        "ECS Exec is on for svc0: logConfiguration names no cloudWatchLogGroupName or s3BucketName"
    ]
    plain = {**GOOD, "logConfiguration": {"cloudWatchLogGroupName": "/x"}}
    assert RULE.messages(_cluster_and_services(plain, True)) == [
        "ECS Exec is on for svc0: set logConfiguration.cloudWatchEncryptionEnabled true (the log group "
        "has a KMS key)"
    ]


def test_dev_and_prod_plans_with_exec_pass_the_whole_pack_but_the_writable_root() -> None:
    for stack_name in ("dev", "prod"):
        service = {
            **stack_section(stack_name, "service"),
            "enableExecuteCommand": True,
            "readonlyRootFilesystem": False,
        }
        report = check_plan(to_preview_json(plan(stack_name, service=service)), stack_name)
        # Exec needs a writable root filesystem (ECS.5 then reports it, as it should); the key, the
        # session log and the task role's grant add no violation (IAM least privilege included).
        mandatory = {
            (v.policy, v.urn.rsplit("::", 1)[1]) for v in report.verdicts if v.enforcement == "mandatory"
        }
        assert mandatory == {("ecs-readonly-root-filesystem", "api-task-def")}
