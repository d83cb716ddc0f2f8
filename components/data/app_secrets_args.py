"""Config model for the AppSecrets component (stack config key ``<project>:secrets``)."""

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..core._model import ConfigEnum, ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.secret_recovery import RecoveryWindowDays

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_PARTITION = r"aws|aws-cn|aws-us-gov"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
# The full ARN, with the 6-character suffix Secrets Manager appends: IAM grants on exact ARNs,
# and a partial ARN would not match the secret.
_SECRET_ARN = re.compile(
    rf"^arn:(?:{_PARTITION}):secretsmanager:{_REGION}:\d{{12}}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{{6}}$"
)
_SSM_NAME = re.compile(r"^(?:/[A-Za-z0-9_.-]+)+$")
_SSM_ARN = re.compile(rf"^arn:(?:{_PARTITION}):ssm:{_REGION}:\d{{12}}:parameter(?:/[A-Za-z0-9_.-]+)+$")
_KMS_KEY_ARN = re.compile(rf"^arn:(?:{_PARTITION}):kms:{_REGION}:\d{{12}}:key/[A-Za-z0-9-]+$")
_SOURCES = ("generate", "secretArn", "ssmParameter")


class KmsKeyChoice(ConfigEnum):
    """Which KMS key encrypts the generated secrets.

    The hyphenated values predate the camelCase rule for invented values and are kept as spelled
    (existing stack files use them; a documented exception).
    """

    CUSTOMER_MANAGED = "customer-managed"
    """One key per AppSecrets component, rotated yearly ($1/month plus requests)."""
    AWS_MANAGED = "aws-managed"
    """The account's ``aws/secretsmanager`` key: free, but shared by all secrets of the account and region."""


class GenerateArgs(ConfigModel):
    """A random value the stack creates once (``secrets.values.<NAME>.generate``).

    Example::

        GenerateArgs(length=64)
    """

    length: int = Field(default=48, ge=32, le=4096)
    """Characters of the random URL-safe value, created on the first deploy and kept."""


class SecretSpec(ConfigModel):
    """Where one environment variable's secret value comes from: exactly one source.

    ``generate``: created by this stack. ``secretArn``: an existing Secrets Manager secret (its
    full ARN), optionally one ``jsonKey`` of a JSON secret. ``ssmParameter``: an existing SSM
    parameter, by name (``/app/db-password``) or ARN. ``kmsKeyArn``: for referenced values
    encrypted with a customer-managed key, so the task's execution role can decrypt them.

    Example::

        SecretSpec(generate=GenerateArgs(length=50))
        SecretSpec(secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123",
                   json_key="password")
        SecretSpec(ssm_parameter="/webapp/prod/stripe-key",
                   kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-...")
    """

    generate: GenerateArgs | None = None
    """Create a random value once in this stack's own secret."""
    secret_arn: Annotated[str, InSchema(pattern=_SECRET_ARN.pattern)] | None = None
    """An existing Secrets Manager secret's full ARN, with the 6-character suffix IAM grants need."""
    json_key: str | None = None
    """One top-level key of the JSON secret at secretArn; null: the whole secret string."""
    ssm_parameter: str | None = None
    """An existing SSM parameter, by name (``/app/db-password``) or ARN."""
    kms_key_arn: Annotated[str, InSchema(pattern=_KMS_KEY_ARN.pattern)] | None = None
    """The customer-managed key of a referenced value, so the execution role can decrypt it (not an alias)."""

    @field_validator("secret_arn")
    @classmethod
    def _secret_arn(cls, value: str | None) -> str | None:
        if value is not None and not _SECRET_ARN.match(value):
            raise ValueError(
                "must be a Secrets Manager secret's full ARN, including the 6-character suffix: "
                "arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbC123"
            )
        return value

    @field_validator("json_key")
    @classmethod
    def _json_key(cls, value: str | None) -> str | None:
        if value is not None and (not value or ":" in value):
            raise ValueError("must be a non-empty top-level key of the JSON secret, without ':'")
        return value

    @field_validator("ssm_parameter")
    @classmethod
    def _ssm_parameter(cls, value: str | None) -> str | None:
        if value is not None and not (
            (_SSM_NAME.match(value) or _SSM_ARN.match(value)) and len(value) <= 2048
        ):
            raise ValueError(
                "must be an SSM parameter name starting with '/' (letters, digits, '_', '.', '-' and "
                "'/'), such as /webapp/prod/api-key, or its ARN "
                "arn:aws:ssm:<region>:<account>:parameter/webapp/prod/api-key"
            )
        return value

    @field_validator("kms_key_arn")
    @classmethod
    def _kms_key_arn(cls, value: str | None) -> str | None:
        if value is not None and not _KMS_KEY_ARN.match(value):
            raise ValueError(
                "must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key-id> (IAM cannot "
                "grant on an alias)"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "SecretSpec":
        given = {
            "generate": self.generate.model_dump(by_alias=True) if self.generate else None,
            "secretArn": self.secret_arn,
            "ssmParameter": self.ssm_parameter,
        }
        present = [key for key in _SOURCES if given[key] is not None]
        if not present:
            raise ValueError("must set exactly one of generate, secretArn or ssmParameter")
        if len(present) > 1:
            raise ConfigFieldError(
                present[1],
                given[present[1]],
                f"cannot be combined with {present[0]}: set exactly one of generate, secretArn or "
                "ssmParameter",
            )
        if self.json_key is not None and self.secret_arn is None:
            raise ConfigFieldError("jsonKey", self.json_key, "applies only to secretArn (a JSON secret)")
        if self.kms_key_arn is not None and self.generate is not None:
            raise ConfigFieldError(
                "kmsKeyArn",
                self.kms_key_arn,
                "applies only to secretArn or ssmParameter; generated values use the component's "
                "key (secrets.kmsKey)",
            )
        return self


class AppSecretsArgs(ConfigModel):
    """The secrets injected into the app's containers, by environment variable name.

    Defaults (dev): one generated ``SECRET_KEY`` of 50 characters, a customer-managed KMS key,
    and a 7-day recovery window.

    Example::

        AppSecretsArgs(values={
            "SECRET_KEY": SecretSpec(generate=GenerateArgs(length=50)),
            "DATABASE_PASSWORD": SecretSpec(secret_arn="arn:aws:secretsmanager:...:secret:db-AbC123",
                                            json_key="password"),
        }, recovery_window_days=30)
    """

    values: Annotated[dict[str, SecretSpec], InSchema(propertyNames={"pattern": _ENV_NAME.pattern})] = Field(
        default_factory=lambda: {"SECRET_KEY": SecretSpec(generate=GenerateArgs(length=50))}
    )
    """Secrets by the environment variable that carries them into the containers."""
    recovery_window_days: RecoveryWindowDays = 7
    """Days a deleted generated secret can still be restored; 0 deletes it at once (dev re-creation)."""
    kms_key: KmsKeyChoice = KmsKeyChoice.CUSTOMER_MANAGED
    """Which KMS key encrypts the generated secrets."""

    @field_validator("values")
    @classmethod
    def _env_names(cls, values: dict[str, SecretSpec]) -> dict[str, SecretSpec]:
        for name, spec in values.items():
            if len(name) > 255 or not _ENV_NAME.match(name):
                raise ConfigFieldError(
                    name,
                    spec.model_dump(by_alias=True, exclude_none=True),
                    "must be an environment variable name: 1-255 characters of A-Z, 0-9 and '_', "
                    "not starting with a digit",
                )
        return values
