"""IAM policy documents from one small typed builder, instead of hand-written JSON in every file.

Identity policies, resource policies (bucket, key, topic) and trust policies share one statement
shape; ``service_trust_policy`` adds the confused-deputy guard AWS recommends for every service
principal (``aws:SourceAccount``, and ``aws:SourceArn`` where the caller is one resource).

Example::

    policy_document(
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"], sid="Logs"),
        deny(["s3:*"], [bucket_arn, f"{bucket_arn}/*"], principal="*",
             condition={"Bool": {"aws:SecureTransport": "false"}}, sid="TlsOnly"),
    )
    service_trust_policy("ecs-tasks.amazonaws.com", account_id)
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

VERSION = "2012-10-17"

# A principal as IAM spells it: "*", {"Service": ...}, {"AWS": ...}.
Principal = str | Mapping[str, str | Sequence[str]]
Condition = Mapping[str, Mapping[str, Any]]


def statement(
    effect: Literal["Allow", "Deny"],
    actions: str | Sequence[str],
    resources: str | Sequence[str] | None = None,
    *,
    sid: str | None = None,
    principal: Principal | None = None,
    condition: Condition | None = None,
) -> dict[str, Any]:
    """One statement, keys in IAM's documented order (Sid, Effect, Principal, Action, Resource, Condition).

    ``resources`` is None only in a trust policy, whose statements name no resource.
    """
    body: dict[str, Any] = {}
    if sid is not None:
        body["Sid"] = sid
    body["Effect"] = effect
    if principal is not None:
        body["Principal"] = principal if isinstance(principal, str) else dict(principal)
    body["Action"] = actions if isinstance(actions, str) else list(actions)
    if resources is not None:
        body["Resource"] = resources if isinstance(resources, str) else list(resources)
    if condition:
        body["Condition"] = {operator: dict(keys) for operator, keys in condition.items()}
    return body


def allow(
    actions: str | Sequence[str],
    resources: str | Sequence[str] | None = None,
    *,
    sid: str | None = None,
    principal: Principal | None = None,
    condition: Condition | None = None,
) -> dict[str, Any]:
    """An Allow statement (see ``statement``)."""
    return statement("Allow", actions, resources, sid=sid, principal=principal, condition=condition)


def deny(
    actions: str | Sequence[str],
    resources: str | Sequence[str] | None = None,
    *,
    sid: str | None = None,
    principal: Principal | None = None,
    condition: Condition | None = None,
) -> dict[str, Any]:
    """A Deny statement (see ``statement``)."""
    return statement("Deny", actions, resources, sid=sid, principal=principal, condition=condition)


def policy_document(*statements: Mapping[str, Any]) -> str:
    """The JSON text of a policy holding ``statements``, as IAM, S3, KMS and SNS take it."""
    return json.dumps({"Version": VERSION, "Statement": [dict(s) for s in statements]})


def service_trust_policy(
    service: str,
    account_id: str,
    *,
    source_arn: str | Sequence[str] | None = None,
    source_arn_operator: Literal["ArnLike", "StringLike", "StringEquals"] = "ArnLike",
) -> str:
    """A role that only ``service`` may assume, and only on behalf of this account (and resource).

    Without the ``aws:SourceAccount`` condition, the service could be asked by another account to
    act with this role (the confused-deputy problem); ``source_arn`` narrows it to one caller (or
    a few patterns), compared with ``source_arn_operator`` as the service's own guide writes it.
    Services that send neither key (EC2 for an instance profile) cannot use this helper.

    Example::

        service_trust_policy(
            "monitoring.rds.amazonaws.com", account_id,
            source_arn=[db_arn, f"{db_arn}-*"], source_arn_operator="StringLike",
        )
    """
    condition: dict[str, dict[str, Any]] = {"StringEquals": {"aws:SourceAccount": account_id}}
    if source_arn is not None:
        arns = source_arn if isinstance(source_arn, str) else list(source_arn)
        condition.setdefault(source_arn_operator, {})["aws:SourceArn"] = arns
    return policy_document(
        allow("sts:AssumeRole", principal={"Service": service}, condition=condition),
    )
