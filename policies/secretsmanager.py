"""Secrets Manager rules: rotation, a customer managed key, and a recovery window.

Covers SecretsManager.1 (every secret has an enabled ``SecretRotation``: a stack rule joined on the
rotation's ``secretId`` property dependency), SecretsManager.4 (the rotation schedule is at most 90
days), and two of our own: secrets are encrypted with a customer managed KMS key (``kmsKeyId``), and
(production) deleted secrets stay recoverable (``recoveryWindowInDays`` 7-30, not 0).

Secrets RDS manages itself (``manageMasterUserPassword``) are not ``aws:secretsmanager`` resources
of this stack, so these rules do not see them; RDS rotates them (7 days by default).

Not covered: SecretsManager.2 (rotation succeeded) and SecretsManager.3 (unused secrets): runtime
state, not properties.

Design exception to SecretsManager.1: a secret whose value the program generates once (its
``SecretVersion`` ignores changes to ``secretString``) and that no rotation function rotates, such
as the app's generated ``SECRET_KEY`` or a cache AUTH token, whatever it is called. Rotating such a
value needs a coordinated change of what uses it, so it is reported as an exception with the
reason; a secret whose value comes from anywhere else still needs a rotation.
"""

import re
from collections.abc import Iterator

from ._framework import Finding, Resource, Rule, Severity, Stack, each, is_set, resource_rule, stack_rule

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
GENERATED_REASON = (
    "Generated once by Pulumi with no rotation function: rotating it would invalidate what was signed "
    "or authenticated with it (for SECRET_KEY every session and signed token)"
)
AUTH_TOKEN_REASON = (
    "The cache AUTH token has no rotation function; rotating it needs a coordinated ElastiCache "
    "auth-token update (authTokenUpdateStrategy ROTATE)"
)
MAX_ROTATION_DAYS = 90
MIN_RECOVERY_DAYS = 7
RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)", re.IGNORECASE)
DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1}


@stack_rule(
    "secretsmanager-rotation-enabled",
    controls=["SecretsManager.1"],
    severity=Severity.MEDIUM,
    description="Every Secrets Manager secret has automatic rotation enabled (a SecretRotation).",
)
def secretsmanager_rotation_enabled(stack: Stack) -> Iterator[Finding]:
    def check(secret: Resource) -> Iterator[Finding]:
        rotations = stack.referencing(secret, "secretId", SECRET_ROTATION)
        if not rotations and (reason := _generated_once(stack, secret)):
            yield Finding.design_exception(secret, reason)
        elif not rotations:
            yield Finding(
                secret,
                "no SecretRotation rotates this secret: add one with a rotation function, or document why "
                "it cannot rotate as a policy exception",
            )
        elif all(r.props.get("rotationEnabled") is False for r in rotations):
            yield Finding(secret, "its SecretRotation sets rotationEnabled to false: enable rotation")

    return each(stack.of_type(SECRET), check)


def _generated_once(stack: Stack, secret: Resource) -> str | None:
    """The reason a generated, never-rotated secret is fine, or None if its value is not generated.

    The program stores a generated value in a SecretVersion that ignores later changes to
    ``secretString``, so the value drawn on the first ``up`` stays; an ElastiCache replication group
    whose ``authToken`` comes from the secret makes it a cache AUTH token.
    """
    versions = stack.referencing(secret, "secretId", SECRET_VERSION)
    generated = [v for v in versions if "secretString" in v.ignore_changes]
    if not generated:
        return None
    sources = [secret, *generated]
    if any(stack.referencing(source, "authToken", REPLICATION_GROUP) for source in sources):
        return AUTH_TOKEN_REASON
    return GENERATED_REASON


def _rate_days(expression: str) -> float | None:
    match = RATE.fullmatch(expression.strip())
    if match is None:
        return None
    return int(match.group(1)) * DAYS_PER_UNIT[match.group(2).lower().rstrip("s")]


def _cron_at_least_quarterly(expression: str) -> bool:
    # cron(minutes hours day-of-month month day-of-week year): any day of every month is monthly.
    fields = expression.strip()[len("cron(") : -1].split()
    return len(fields) == 6 and fields[3] == "*"


@resource_rule(
    "secretsmanager-rotation-within-90-days",
    types=[SECRET_ROTATION],
    controls=["SecretsManager.4"],
    severity=Severity.MEDIUM,
    description="Secrets rotate at least every 90 days.",
)
def secretsmanager_rotation_within_90_days(rotation: Resource) -> Iterator[str]:
    if rotation.props.get("rotationEnabled") is False:
        return
    rules = rotation.props.get("rotationRules") or {}
    days = rules.get("automaticallyAfterDays")
    expression = rules.get("scheduleExpression")
    if days is not None:
        if float(days) > MAX_ROTATION_DAYS:
            yield (
                f"rotationRules.automaticallyAfterDays is {int(days)}: rotate at least every "
                f"{MAX_ROTATION_DAYS} days"
            )
        return
    if isinstance(expression, str) and expression.strip().lower().startswith("cron("):
        if not _cron_at_least_quarterly(expression):
            yield (
                f"rotationRules.scheduleExpression {expression} may rotate less often than every "
                f"{MAX_ROTATION_DAYS} days: use a monthly cron() or rate(N days), N <= {MAX_ROTATION_DAYS}"
            )
        return
    rate = _rate_days(expression) if isinstance(expression, str) else None
    if rate is None:
        yield (
            f"rotationRules sets no schedule: set automaticallyAfterDays to at most {MAX_ROTATION_DAYS} "
            "(or a rate()/cron() scheduleExpression)"
        )
    elif rate > MAX_ROTATION_DAYS:
        yield (
            f"rotationRules.scheduleExpression {expression} rotates every {rate:g} days: rotate at least "
            f"every {MAX_ROTATION_DAYS} days"
        )


@resource_rule(
    "secretsmanager-customer-managed-key",
    types=[SECRET],
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="Secrets are encrypted with a customer managed KMS key (kmsKeyId).",
)
def secretsmanager_customer_managed_key(secret: Resource) -> Iterator[str]:
    if not is_set(secret.props, "kmsKeyId"):
        yield (
            "kmsKeyId is not set (the AWS managed aws/secretsmanager key): set it to a customer managed key "
            "with rotation so key access is governed by its key policy"
        )


@resource_rule(
    "secretsmanager-recovery-window",
    types=[SECRET],
    controls=["webapp"],
    severity=Severity.MEDIUM,
    description="A deleted secret stays recoverable for 7 to 30 days (recoveryWindowInDays is not 0).",
    production_only=True,
)
def secretsmanager_recovery_window(secret: Resource) -> Iterator[str]:
    days = secret.props.get("recoveryWindowInDays")
    if days is not None and float(days) < MIN_RECOVERY_DAYS:
        yield (
            f"recoveryWindowInDays is {int(days)}: a deleted secret is gone at once; set {MIN_RECOVERY_DAYS} "
            "to 30 days"
        )


RULES: tuple[Rule, ...] = (
    secretsmanager_rotation_enabled,
    secretsmanager_rotation_within_90_days,
    secretsmanager_customer_managed_key,
    secretsmanager_recovery_window,
)
