"""bootstrap.iam_evaluator decides like IAM: deny wins, wildcards, conditions, absent keys."""

import json
from typing import Any

import pytest

from bootstrap.iam_evaluator import Context, UnsupportedConditionError, evaluate

ROLE = "arn:aws:iam::123456789012:role/webapp/dev/api-task"


def allow(action: Any = "*", resource: Any = "*", condition: dict[str, Any] | None = None,
          sid: str = "A", **extra: Any) -> dict[str, Any]:  # fmt: skip
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allowed(
    statements: list[dict[str, Any]], action: str, resource: str, context: Context | None = None
) -> bool:
    return evaluate([doc(*statements)], action, resource, context or {}).allowed


def test_nothing_allows_by_default_and_an_allow_allows() -> None:
    assert evaluate([doc()], "s3:GetObject", "*", {}).reason == "no statement allows"
    decision = evaluate([doc(allow())], "s3:GetObject", "*", {})
    assert (decision.allowed, decision.reason) == (True, "allowed by Sid A")


def test_an_explicit_deny_in_any_document_wins() -> None:
    deny = {"Sid": "NoRoles", "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/webapp/*"}
    decision = evaluate([doc(allow("iam:PassRole", ROLE)), doc(deny)], "iam:PassRole", ROLE, {})
    assert (decision.allowed, decision.reason) == (False, "denied by Sid NoRoles")


def test_actions_match_case_insensitively_with_wildcards() -> None:
    assert allowed([allow("S3:get*")], "s3:GetObject", "*")
    assert allowed([allow("ec2:Describe?pcs")], "ec2:DescribeVpcs", "*")
    assert not allowed([allow("ec2:Describe?pcs")], "ec2:DescribeSubnets", "*")
    assert not allowed([allow("ecs:*Service")], "ecs:CreateServiceLinkedRole", "*")


def test_not_action_and_not_resource() -> None:
    assert allowed([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "s3:GetObject", "*")
    assert not allowed([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "iam:PassRole", ROLE)
    not_state = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::state*"}
    assert allowed([not_state], "s3:PutObject", "arn:aws:s3:::site/index.html")
    assert not allowed([not_state], "s3:PutObject", "arn:aws:s3:::state-bucket/x")


def test_resources_match_case_sensitively_and_star_crosses_slashes() -> None:
    assert allowed([allow("iam:PassRole", "arn:aws:iam::123456789012:role/webapp/*")], "iam:PassRole", ROLE)
    assert not allowed(
        [allow("iam:PassRole", "arn:aws:iam::123456789012:role/WEBAPP/*")], "iam:PassRole", ROLE
    )
    # An action without a resource type is authorized against "*": an ARN pattern never matches it.
    assert not allowed([allow("kms:CreateKey", "arn:aws:kms:*:123456789012:key/*")], "kms:CreateKey", "*")


def test_policy_variables_in_resources() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*")
    assert allowed([statement], "s3:GetObject", "arn:aws:s3:::b/web/x", {"aws:PrincipalTag/team": "web"})
    assert not allowed([statement], "s3:GetObject", "arn:aws:s3:::b/web/x", {})


def test_values_of_one_key_are_ored_and_keys_are_anded() -> None:
    condition = {
        "StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"], "aws:RequestTag/stack": "dev"}
    }
    statements = [allow("kms:CreateKey", condition=condition)]
    assert allowed(
        statements, "kms:CreateKey", "*", {"aws:RequestedRegion": "us-east-1", "aws:RequestTag/stack": "dev"}
    )
    assert not allowed(
        statements, "kms:CreateKey", "*", {"aws:RequestedRegion": "us-east-1", "aws:RequestTag/stack": "prod"}
    )
    assert not allowed(
        statements,
        "kms:CreateKey",
        "*",
        {"aws:RequestedRegion": "eu-central-1", "aws:RequestTag/stack": "dev"},
    )


def test_a_missing_key_fails_a_positive_operator_and_says_so() -> None:
    statements = [
        allow("kms:TagResource", condition={"StringEquals": {"aws:ResourceTag/stack": "dev"}}, sid="Keys")
    ]
    decision = evaluate([doc(*statements)], "kms:TagResource", "*", {"aws:RequestTag/stack": "dev"})
    assert not decision.allowed
    assert (
        decision.reason
        == "no statement allows; Sid Keys: condition key aws:ResourceTag/stack missing (StringEquals)"
    )


def test_negated_operators_hold_for_a_missing_key_and_and_their_values() -> None:
    statements = [allow(condition={"StringNotEquals": {"aws:ResourceTag/stack": ["prod", "staging"]}})]
    assert allowed(statements, "s3:GetObject", "*", {})
    assert allowed(statements, "s3:GetObject", "*", {"aws:ResourceTag/stack": "dev"})
    assert not allowed(statements, "s3:GetObject", "*", {"aws:ResourceTag/stack": "staging"})


def test_if_exists_and_null() -> None:
    if_exists = [allow(condition={"StringEqualsIfExists": {"aws:ResourceTag/stack": "dev"}})]
    assert allowed(if_exists, "s3:GetObject", "*", {})
    assert not allowed(if_exists, "s3:GetObject", "*", {"aws:ResourceTag/stack": "prod"})
    absent = [allow(condition={"Null": {"aws:RequestTag/stack": "true"}})]
    assert allowed(absent, "s3:GetObject", "*", {})
    assert not allowed(absent, "s3:GetObject", "*", {"aws:RequestTag/stack": "dev"})
    present = [allow(condition={"Null": {"aws:RequestTag/stack": "false"}})]
    assert allowed(present, "s3:GetObject", "*", {"aws:RequestTag/stack": "dev"})


def test_set_operators_over_multivalued_keys() -> None:
    all_values = [allow(condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["project", "stack"]}})]
    assert allowed(all_values, "s3:GetObject", "*", {"aws:TagKeys": ["stack"]})
    assert allowed(all_values, "s3:GetObject", "*", {})  # vacuously true: that is why IAM warns about it
    assert not allowed(all_values, "s3:GetObject", "*", {"aws:TagKeys": ["stack", "owner"]})
    any_value = [allow(condition={"ForAnyValue:StringLike": {"aws:TagKeys": ["st*"]}})]
    assert allowed(any_value, "s3:GetObject", "*", {"aws:TagKeys": ["owner", "stack"]})
    assert not allowed(any_value, "s3:GetObject", "*", {"aws:TagKeys": ["owner"]})
    assert not allowed(any_value, "s3:GetObject", "*", {})


def test_string_like_arn_bool_and_numeric_operators() -> None:
    like = [allow(condition={"StringLike": {"iam:AWSServiceName": "*.cloudfront.amazonaws.com"}})]
    assert allowed(
        like, "iam:CreateServiceLinkedRole", "*", {"iam:AWSServiceName": "vpcorigin.cloudfront.amazonaws.com"}
    )
    assert not allowed(like, "iam:CreateServiceLinkedRole", "*", {"iam:AWSServiceName": "rds.amazonaws.com"})
    arn = [allow(condition={"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/*"}})]
    monitoring = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    assert allowed(arn, "iam:AttachRolePolicy", ROLE, {"iam:PolicyARN": monitoring})
    not_arn = [
        allow(condition={"ArnNotEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}})
    ]
    assert not allowed(not_arn, "iam:AttachRolePolicy", ROLE,
                       {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"})  # fmt: skip
    tls = [allow(condition={"Bool": {"aws:SecureTransport": True}})]
    assert allowed(tls, "s3:GetObject", "*", {"aws:SecureTransport": "true"})
    assert not allowed(tls, "s3:GetObject", "*", {"aws:SecureTransport": "false"})
    small = [allow(condition={"NumericLessThanEquals": {"s3:max-keys": "10"}})]
    assert allowed(small, "s3:ListBucket", "*", {"s3:max-keys": "10"})
    assert not allowed(small, "s3:ListBucket", "*", {"s3:max-keys": "11"})


def test_condition_key_names_are_case_insensitive_values_are_not() -> None:
    statements = [allow(condition={"StringEquals": {"AWS:RequestedRegion": "us-east-1"}})]
    assert allowed(statements, "s3:GetObject", "*", {"aws:requestedregion": "us-east-1"})
    assert not allowed(statements, "s3:GetObject", "*", {"aws:RequestedRegion": "US-EAST-1"})


@pytest.mark.parametrize(
    "operator", ["DateLessThan", "BinaryEquals", "ForSomeValues:StringEquals", "StringMatches"]
)
def test_an_unsupported_operator_raises(operator: str) -> None:
    with pytest.raises(UnsupportedConditionError, match=operator):
        evaluate(
            [doc(allow(condition={operator: {"aws:CurrentTime": "2030-01-01"}}))], "s3:GetObject", "*", {}
        )


def test_documents_may_be_dicts_and_single_statements() -> None:
    document = {"Version": "2012-10-17", "Statement": allow("sns:Publish")}
    assert evaluate([document], "sns:Publish", "*", {}).allowed
