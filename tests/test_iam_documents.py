"""The typed IAM document builder every component uses."""

import json

from components.core.iam_documents import allow, deny, policy_document, service_trust_policy


def test_statement_keys_in_iams_order_and_optional_parts_left_out() -> None:
    document = json.loads(
        policy_document(
            allow(["logs:PutLogEvents"], ["arn:aws:logs:us-east-1:1:log-group:x:*"], sid="Logs"),
            deny("s3:*", "*", principal="*", condition={"Bool": {"aws:SecureTransport": "false"}}),
        )
    )
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
             "Resource": ["arn:aws:logs:us-east-1:1:log-group:x:*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    }  # fmt: skip
    assert list(document["Statement"][1]) == ["Effect", "Principal", "Action", "Resource", "Condition"]


def test_service_trust_carries_the_confused_deputy_guard() -> None:
    trust = json.loads(service_trust_policy("ecs-tasks.amazonaws.com", "123456789012"))
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}},
    ]  # fmt: skip
    scoped = json.loads(
        service_trust_policy("vpc-flow-logs.amazonaws.com", "1", source_arn="arn:aws:ec2:*:1:vpc-flow-log/*")
    )
    assert scoped["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "1"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:1:vpc-flow-log/*"},
    }


def test_service_trust_takes_several_source_arns_under_the_services_documented_operator() -> None:
    db = "arn:aws:rds:eu-west-1:1:db:app"
    trust = json.loads(
        service_trust_policy(
            "monitoring.rds.amazonaws.com", "1", source_arn=[db, f"{db}-*"], source_arn_operator="StringLike"
        )
    )
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "1"},
        "StringLike": {"aws:SourceArn": [db, f"{db}-*"]},
    }
    trail = "arn:aws:cloudtrail:eu-west-1:1:trail/audit"
    exact = json.loads(
        service_trust_policy(
            "cloudtrail.amazonaws.com", "1", source_arn=trail, source_arn_operator="StringEquals"
        )
    )
    assert exact["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "1", "aws:SourceArn": trail}
    }
