"""The AppSecrets component: generated secrets under a rotated key, references to existing ones."""

import dataclasses
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.data.app_secrets import AppSecrets
from components.data.app_secrets_args import AppSecretsArgs
from offline.mocks import is_secret
from tests.harness import PlanResult, run_components

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mock-key-app-secrets"
SECRET_ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webapp/dev/app/"
EXISTING_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def secrets_args(data: dict[str, Any]) -> AppSecretsArgs:
    return validate_config(AppSecretsArgs, data, "webapp:secrets")


def build(args: AppSecretsArgs, protect: bool = False) -> PlanResult:
    def program() -> None:
        component = AppSecrets("app", args, protect=protect)
        pulumi.export("kmsKeyArn", component.kms_key_arn)
        for variable, ref in component.references.items():
            pulumi.export(variable, {f.name: getattr(ref, f.name) for f in dataclasses.fields(ref)})

    return run_components(program)


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return build(AppSecretsArgs(), protect=True)


def unwrap(value: Any) -> Any:
    assert is_secret(value), f"{value!r} is not a Pulumi secret"
    return value["value"]


# --- generated ----------------------------------------------------------------------------------


def test_one_rotated_protected_key_with_an_alias(default: PlanResult) -> None:
    key = default.one(KEY, "app-secrets")
    assert key.inputs == {
        "description": "Encrypts the webapp/dev app application secrets",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
    }
    assert key.protect is True
    alias = default.one(ALIAS, "app-secrets")
    assert alias.inputs == {"name": "alias/webapp-dev-app-secrets", "targetKeyId": "mock-key-app-secrets"}
    assert alias.protect is False
    component = default.one("webapp:index:AppSecrets", "app").urn
    assert key.parent == component
    assert alias.parent == component


def test_default_secret_key_is_encrypted_with_the_key_and_recoverable(default: PlanResult) -> None:
    secret = default.one(SECRET, "app-SECRET_KEY")
    assert secret.inputs == {
        "name": "webapp/dev/app/SECRET_KEY",
        "description": "SECRET_KEY for webapp/dev; generated once by Pulumi",
        "kmsKeyId": KEY_ARN,
        "recoveryWindowInDays": 7,
    }
    assert secret.protect is True


def test_generated_value_is_secret_sized_and_never_rewritten(default: PlanResult) -> None:
    version = default.one(VERSION, "app-SECRET_KEY")
    assert version.inputs["secretId"] == "mock-app-SECRET_KEY"
    value = unwrap(version.inputs["secretString"])
    assert len(value) == 50
    assert set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert version.ignore_changes == ["secretString"]
    assert version.protect is True


def test_generated_values_differ_per_variable() -> None:
    result = build(secrets_args({"values": {"A": {"generate": {}}, "B": {"generate": {"length": 4096}}}}))
    a = unwrap(result.one(VERSION, "app-A").inputs["secretString"])
    b = unwrap(result.one(VERSION, "app-B").inputs["secretString"])
    assert (len(a), len(b)) == (48, 4096)
    assert a != b[:48]


def test_the_value_appears_nowhere_but_in_the_secret_version(default: PlanResult) -> None:
    value = unwrap(default.one(VERSION).inputs["secretString"])
    for registration in default.resources:
        if registration.type != VERSION:
            assert value not in repr(registration.inputs)
    assert value not in repr(default.outputs)


def test_reference_to_a_generated_secret(default: PlanResult) -> None:
    arn = f"{SECRET_ARN_PREFIX}SECRET_KEY-MoCk12"
    assert default.outputs["SECRET_KEY"] == {
        "kind": "secretsmanager", "value_from": arn, "resource_arn": arn, "kms_key_arn": KEY_ARN,
    }  # fmt: skip
    assert default.outputs["kmsKeyArn"] == KEY_ARN


def test_consumers_wait_for_the_generated_value() -> None:
    def program() -> None:
        component = AppSecrets("app", AppSecretsArgs())
        # Stands in for a ContainerService's task definition reading the reference.
        aws.ecs.TaskDefinition(
            "task", family="app", container_definitions=component.references["SECRET_KEY"].value_from
        )

    result = run_components(program)
    task = result.one("aws:ecs/taskDefinition:TaskDefinition")
    assert task.inputs["containerDefinitions"] == f"{SECRET_ARN_PREFIX}SECRET_KEY-MoCk12"
    assert result.one(VERSION).urn in task.dependencies


def test_aws_managed_key_creates_no_key() -> None:
    result = build(secrets_args({"kmsKey": "aws-managed", "recoveryWindowDays": 30}))
    assert result.by_type(KEY) == []
    assert result.by_type(ALIAS) == []
    secret = result.one(SECRET).inputs
    assert "kmsKeyId" not in secret
    assert secret["recoveryWindowInDays"] == 30
    assert result.one(SECRET).protect is False
    assert result.outputs["SECRET_KEY"]["kms_key_arn"] is None
    assert result.outputs["kmsKeyArn"] is None


def test_alias_name_is_cleaned_to_what_kms_allows() -> None:
    def program() -> None:
        AppSecrets("my.app", AppSecretsArgs())

    result = run_components(program, stack="eu.prod")
    assert result.one(ALIAS).inputs["name"] == "alias/webapp-eu-prod-my-app-secrets"


# --- references ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def referenced() -> PlanResult:
    return build(
        secrets_args(
            {
                "values": {
                    "DB_URL": {"secretArn": EXISTING_SECRET},
                    "DB_PASSWORD": {
                        "secretArn": EXISTING_SECRET,
                        "jsonKey": "password",
                        "kmsKeyArn": OTHER_KEY,
                    },
                    "API_KEY": {"ssmParameter": "/webapp/prod/api-key"},
                    "STRIPE_KEY": {
                        "ssmParameter": "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/stripe",
                        "kmsKeyArn": OTHER_KEY,
                    },
                }
            }
        )
    )


def test_references_create_nothing_not_even_a_key(referenced: PlanResult) -> None:
    assert [r.type for r in referenced.resources] == ["webapp:index:AppSecrets"]
    assert referenced.outputs["kmsKeyArn"] is None


def test_secrets_manager_references(referenced: PlanResult) -> None:
    assert referenced.outputs["DB_URL"] == {
        "kind": "secretsmanager", "value_from": EXISTING_SECRET, "resource_arn": EXISTING_SECRET,
        "kms_key_arn": None,
    }  # fmt: skip
    assert referenced.outputs["DB_PASSWORD"] == {
        "kind": "secretsmanager", "value_from": f"{EXISTING_SECRET}:password::",
        "resource_arn": EXISTING_SECRET, "kms_key_arn": OTHER_KEY,
    }  # fmt: skip


def test_ssm_references_by_name_and_by_arn(referenced: PlanResult) -> None:
    by_name = "arn:aws:ssm:us-east-1:123456789012:parameter/webapp/prod/api-key"
    assert referenced.outputs["API_KEY"] == {
        "kind": "ssm", "value_from": by_name, "resource_arn": by_name, "kms_key_arn": None,
    }  # fmt: skip
    by_arn = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/stripe"
    assert referenced.outputs["STRIPE_KEY"] == {
        "kind": "ssm", "value_from": by_arn, "resource_arn": by_arn, "kms_key_arn": OTHER_KEY,
    }  # fmt: skip


def test_ssm_name_becomes_an_arn_in_this_account_and_region_through_invokes(referenced: PlanResult) -> None:
    tokens = sorted(i.token for i in referenced.invokes)
    assert tokens == [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]


def test_no_values_creates_nothing() -> None:
    result = build(secrets_args({"values": {}}))
    assert [r.type for r in result.resources] == ["webapp:index:AppSecrets"]
    assert result.invokes == []


# --- config errors ------------------------------------------------------------------------------


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(AppSecretsArgs, data, "webapp:secrets")
    return err.value.problems


def test_defaults() -> None:
    args = secrets_args({})
    assert args.model_dump(by_alias=True, exclude_none=True) == {
        "values": {"SECRET_KEY": {"generate": {"length": 50}}},
        "recoveryWindowDays": 7,
        "kmsKey": "customer-managed",
    }


ENV_RULE = (
    "must be an environment variable name: 1-255 characters of A-Z, 0-9 and '_', not starting with a digit"
)


@pytest.mark.parametrize("variable", ["secret_key", "1PASSWORD", "API-KEY", "", "A" * 256])
def test_bad_environment_variable_name(variable: str) -> None:
    assert problems({"values": {variable: {"generate": {}}}}) == [
        f'webapp:secrets.values.{variable} = {{"generate": {{"length": 48}}}}: {ENV_RULE}'
    ]


def test_longest_environment_variable_name() -> None:
    assert list(secrets_args({"values": {"A" * 255: {"generate": {}}}}).values) == ["A" * 255]


def test_exactly_one_source() -> None:
    assert problems({"values": {"API_KEY": {}}}) == [
        "webapp:secrets.values.API_KEY = {}: must set exactly one of generate, secretArn or ssmParameter"
    ]
    assert problems({"values": {"API_KEY": {"generate": {}, "ssmParameter": "/a/b"}}}) == [
        'webapp:secrets.values.API_KEY.ssmParameter = "/a/b": cannot be combined with generate: '
        "set exactly one of generate, secretArn or ssmParameter"
    ]
    assert problems({"values": {"API_KEY": {"secretArn": EXISTING_SECRET, "ssmParameter": "/a"}}}) == [
        'webapp:secrets.values.API_KEY.ssmParameter = "/a": cannot be combined with secretArn: '
        "set exactly one of generate, secretArn or ssmParameter"
    ]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
        "arn:aws:secretsmanager:us-east-1:1234:secret:db-AbC123",
        "arn:aws:ssm:us-east-1:123456789012:parameter/db",
        "db-AbC123",
    ],
)
def test_bad_secret_arn(arn: str) -> None:
    assert problems({"values": {"DB": {"secretArn": arn}}}) == [
        f'webapp:secrets.values.DB.secretArn = "{arn}": must be a Secrets Manager secret\'s full ARN, '
        "including the 6-character suffix: arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbC123"
    ]


@pytest.mark.parametrize(
    "parameter",
    ["api-key", "/api key", "/a//b", "arn:aws:ssm:us-east-1:123456789012:parameter", "/" + "a" * 2048],
)
def test_bad_ssm_parameter(parameter: str) -> None:
    assert problems({"values": {"API_KEY": {"ssmParameter": parameter}}}) == [
        f'webapp:secrets.values.API_KEY.ssmParameter = "{parameter}": must be an SSM parameter name starting '
        "with '/' (letters, digits, '_', '.', '-' and '/'), such as /webapp/prod/api-key, or its ARN "
        "arn:aws:ssm:<region>:<account>:parameter/webapp/prod/api-key"
    ]


def test_bad_kms_key_arn() -> None:
    alias = "arn:aws:kms:us-east-1:123456789012:alias/app"
    assert problems({"values": {"API_KEY": {"ssmParameter": "/a", "kmsKeyArn": alias}}}) == [
        f'webapp:secrets.values.API_KEY.kmsKeyArn = "{alias}": must be a KMS key ARN, '
        "arn:aws:kms:<region>:<account>:key/<key-id> (IAM cannot grant on an alias)"
    ]


def test_options_that_do_not_fit_the_source() -> None:
    assert problems({"values": {"A": {"ssmParameter": "/a", "jsonKey": "password"}}}) == [
        'webapp:secrets.values.A.jsonKey = "password": applies only to secretArn (a JSON secret)'
    ]
    assert problems({"values": {"A": {"generate": {}, "kmsKeyArn": OTHER_KEY}}}) == [
        f'webapp:secrets.values.A.kmsKeyArn = "{OTHER_KEY}": applies only to secretArn or ssmParameter; '
        "generated values use the component's key (secrets.kmsKey)"
    ]
    assert problems({"values": {"A": {"secretArn": EXISTING_SECRET, "jsonKey": "a:b"}}}) == [
        'webapp:secrets.values.A.jsonKey = "a:b": must be a non-empty top-level key of the JSON secret, '
        "without ':'"
    ]


@pytest.mark.parametrize(
    ("length", "bound"), [(31, "greater than or equal to 32"), (4097, "less than or equal to 4096")]
)
def test_bad_length(length: int, bound: str) -> None:
    assert problems({"values": {"A": {"generate": {"length": length}}}}) == [
        f"webapp:secrets.values.A.generate.length = {length}: must be {bound}"
    ]


def test_recovery_window_and_key_choice() -> None:
    assert problems({"recoveryWindowDays": 31, "kmsKey": "default"}) == [
        "webapp:secrets.recoveryWindowDays = 31: must be 0 (delete at once, so a destroyed dev stack can be "
        "re-created the same day) or from 7 to 30 days (how long a deleted secret can be restored)",
        "webapp:secrets.kmsKey = \"default\": must be 'customer-managed' or 'aws-managed'",
    ]
