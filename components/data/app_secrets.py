"""AppSecrets: the secret environment variables of the app, as ECS injects them."""

import re
import secrets

import pulumi
import pulumi_aws as aws

from ..core.outputs import register_declared_outputs
from ..core.wiring import SecretReference
from .app_secrets_args import AppSecretsArgs, GenerateArgs, KmsKeyChoice, SecretSpec


class AppSecrets(pulumi.ComponentResource):
    """One ``SecretReference`` per environment variable, creating the generated ones.

    - ``generate``: a Secrets Manager secret named ``<project>/<stack>/<name>/<VAR>`` holding a
      random URL-safe value of ``length`` characters, created on the first ``pulumi up`` and
      never changed by later runs (rotate it by hand or replace the resource). Encrypted with a
      customer-managed KMS key (rotation on, alias ``alias/<project>-<stack>-<name>-secrets``)
      unless ``kmsKey`` is ``aws-managed``.
    - ``secretArn`` / ``ssmParameter``: nothing is created; the reference points at the
      existing secret or parameter (an SSM name becomes an ARN in this account and region).

    Values never appear in plain outputs: the generated string is a Pulumi secret and only
    ARNs leave the component. Pass ``protect=True`` in production so the key, secrets and
    their values survive a ``pulumi destroy`` or an accidental replacement.

    Example::

        app_secrets = AppSecrets("app", AppSecretsArgs(), protect=True,
                                 opts=pulumi.ResourceOptions(providers={"aws": provider}))
        ContainerService("web", ..., secrets=app_secrets.references)
    """

    references: dict[str, SecretReference]
    # The secret or parameter ARN per variable: what the references point at, as plain outputs.
    secret_arns: dict[str, pulumi.Input[str]]
    kms_key_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: AppSecretsArgs,
        *,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:AppSecrets", name, None, opts)
        self._component = name
        self._project, self._stack = pulumi.get_project(), pulumi.get_stack()
        self._stateful = pulumi.ResourceOptions(parent=self, protect=protect)
        self._ssm_arn_prefix: pulumi.Output[str] | None = None

        self.kms_key: aws.kms.Key | None = None
        self.kms_key_arn = None
        generates = any(spec.generate is not None for spec in args.values.values())
        if generates and args.kms_key is KmsKeyChoice.CUSTOMER_MANAGED:
            self.kms_key = self._customer_managed_key()
            self.kms_key_arn = self.kms_key.arn

        self.secrets: dict[str, aws.secretsmanager.Secret] = {}
        self.references = {}
        for variable, spec in args.values.items():
            if spec.generate is not None:
                self.references[variable] = self._generated(variable, spec.generate, args)
            else:
                self.references[variable] = self._referenced(spec)

        self.secret_arns = {variable: ref.resource_arn for variable, ref in self.references.items()}
        register_declared_outputs(self)

    def _customer_managed_key(self) -> aws.kms.Key:
        key = aws.kms.Key(
            f"{self._component}-secrets",
            description=f"Encrypts the {self._project}/{self._stack} {self._component} application secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=self._stateful,
        )
        alias = f"alias/{self._project}-{self._stack}-{self._component}-secrets"
        self.kms_alias = aws.kms.Alias(
            f"{self._component}-secrets",
            name=re.sub(r"[^A-Za-z0-9/_-]", "-", alias),
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _generated(self, variable: str, generate: GenerateArgs, args: AppSecretsArgs) -> SecretReference:
        secret = aws.secretsmanager.Secret(
            f"{self._component}-{variable}",
            name=f"{self._project}/{self._stack}/{self._component}/{variable}",
            description=f"{variable} for {self._project}/{self._stack}; generated once by Pulumi",
            kms_key_id=self.kms_key_arn,
            recovery_window_in_days=args.recovery_window_days,
            opts=self._stateful,
        )
        self.secrets[variable] = secret
        # token_urlsafe(n) gives about 1.3 * n characters; cut to exactly `length`.
        value = secrets.token_urlsafe(generate.length)[: generate.length]
        version = aws.secretsmanager.SecretVersion(
            f"{self._component}-{variable}",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(value),
            opts=pulumi.ResourceOptions.merge(
                self._stateful,
                # Every run draws a new random value; ignoring it keeps the one stored at
                # creation, so a later `pulumi up` never logs users out or breaks signatures.
                pulumi.ResourceOptions(ignore_changes=["secretString"]),
            ),
        )
        # A task started before the value exists fails to start; carrying the version in the
        # ARN makes every consumer (task definition, IAM policy) wait for it.
        arn = pulumi.Output.all(secret.arn, version.id).apply(lambda a: str(a[0]))
        return SecretReference(
            kind="secretsmanager", value_from=arn, resource_arn=arn, kms_key_arn=self.kms_key_arn
        )

    def _referenced(self, spec: SecretSpec) -> SecretReference:
        if spec.secret_arn is not None:
            # ECS's syntax for one key of a JSON secret: <arn>:<json-key>:<version-stage>:<version-id>.
            value_from = spec.secret_arn if spec.json_key is None else f"{spec.secret_arn}:{spec.json_key}::"
            return SecretReference(
                kind="secretsmanager",
                value_from=value_from,
                resource_arn=spec.secret_arn,
                kms_key_arn=spec.kms_key_arn,
            )
        parameter = str(spec.ssm_parameter)
        arn = parameter if parameter.startswith("arn:") else self._ssm_arn(parameter)
        return SecretReference(kind="ssm", value_from=arn, resource_arn=arn, kms_key_arn=spec.kms_key_arn)

    def _ssm_arn(self, parameter_name: str) -> pulumi.Output[str]:
        """The ARN of a parameter in this stack's account and region (IAM grants need ARNs)."""
        if self._ssm_arn_prefix is None:
            invoke = pulumi.InvokeOutputOptions(parent=self)
            self._ssm_arn_prefix = pulumi.Output.concat(
                "arn:",
                aws.get_partition_output(opts=invoke).partition,
                ":ssm:",
                aws.get_region_output(opts=invoke).region,
                ":",
                aws.get_caller_identity_output(opts=invoke).account_id,
                ":parameter",
            )
        return self._ssm_arn_prefix.apply(lambda prefix: f"{prefix}{parameter_name}")
