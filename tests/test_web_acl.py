"""The WebAcl component: managed rule groups, the rate limit, count mode, logging, associations."""

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.edge.web_acl import WebAcl
from components.edge.web_acl_args import WebAclArgs
from tests.harness import PlanResult, run_components

ACL = "aws:wafv2/webAcl:WebAcl"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/mock"
REGIONAL_ACL_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/webapp-dev-waf/mock-waf-acl"
DEFAULT_GROUPS = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesSQLiRuleSet",
]


def waf_args(data: dict[str, Any]) -> WebAclArgs:
    return validate_config(WebAclArgs, data, "webapp:waf")


def regional(args: WebAclArgs, associate: bool = True) -> PlanResult:
    def program() -> None:
        waf = WebAcl("waf", args, scope="REGIONAL")
        if associate:
            waf.associate("alb", ALB_ARN)
        pulumi.export("arn", waf.arn)
        pulumi.export("id", waf.id)
        pulumi.export("logGroupName", waf.log_group_name)

    return run_components(program, region="eu-west-1")


def visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatchMetricsEnabled": True, "sampledRequestsEnabled": True, "metricName": metric}


def managed_rule(group: str, priority: int, override: str = "none") -> dict[str, Any]:
    return {
        "name": group,
        "priority": priority,
        "overrideAction": {override: {}},
        "statement": {"managedRuleGroupStatement": {"name": group, "vendorName": "AWS"}},
        "visibilityConfig": visibility(group),
    }


def rate_rule(priority: int, limit: int, action: str = "block") -> dict[str, Any]:
    return {
        "name": "RateLimitPerIp",
        "priority": priority,
        "action": {action: {}},
        "statement": {
            "rateBasedStatement": {"aggregateKeyType": "IP", "limit": limit, "evaluationWindowSec": 300}
        },
        "visibilityConfig": visibility("RateLimitPerIp"),
    }


@pytest.fixture(scope="module")
def default() -> PlanResult:
    return regional(WebAclArgs(enabled=True))


# --- the web ACL --------------------------------------------------------------------------------


def test_regional_acl_allows_by_default_and_runs_every_rule_in_list_order(default: PlanResult) -> None:
    acl = default.one(ACL, "waf-acl").inputs
    assert acl == {
        "name": "webapp-dev-waf",
        "description": "webapp/dev waf: AWS managed rules and a per-IP rate limit",
        "scope": "REGIONAL",
        "defaultAction": {"allow": {}},
        "rules": [*(managed_rule(g, i) for i, g in enumerate(DEFAULT_GROUPS)), rate_rule(4, 1000)],
        "visibilityConfig": visibility("webapp-dev-waf"),
    }


def test_children_belong_to_the_component_and_outputs_are_exposed(default: PlanResult) -> None:
    component = default.one("webapp:index:WebAcl", "waf")
    children = [r for r in default.resources if r.parent == component.urn]
    assert sorted((r.type, r.name) for r in children) == [
        (LOG_GROUP, "waf-logs"),
        (ACL, "waf-acl"),
        (ASSOCIATION, "waf-alb"),
        (LOGGING, "waf-logging"),
    ]
    assert default.outputs == {
        "arn": REGIONAL_ACL_ARN,
        "id": "mock-waf-acl",
        "logGroupName": "aws-waf-logs-webapp-dev-waf",
    }


def test_chosen_groups_keep_their_order_and_the_rate_limit_follows() -> None:
    args = waf_args(
        {
            "managedRuleGroups": ["AWSManagedRulesLinuxRuleSet", "AWSManagedRulesAnonymousIpList"],
            "rateLimitPer5Minutes": 10,
        }
    )
    rules = regional(args).one(ACL).inputs["rules"]
    assert rules == [
        managed_rule("AWSManagedRulesLinuxRuleSet", 0),
        managed_rule("AWSManagedRulesAnonymousIpList", 1),
        rate_rule(2, 10),
    ]


def test_bot_control_uses_the_common_inspection_level() -> None:
    rules = (
        regional(waf_args({"managedRuleGroups": ["AWSManagedRulesBotControlRuleSet"]}))
        .one(ACL)
        .inputs["rules"]
    )
    assert rules[0]["statement"] == {
        "managedRuleGroupStatement": {
            "name": "AWSManagedRulesBotControlRuleSet",
            "vendorName": "AWS",
            "managedRuleGroupConfigs": [{"awsManagedRulesBotControlRuleSet": {"inspectionLevel": "COMMON"}}],
        }
    }


def test_count_mode_counts_with_every_rule() -> None:
    rules = regional(waf_args({"blockMode": False, "rateLimitPer5Minutes": 2000})).one(ACL).inputs["rules"]
    assert rules == [*(managed_rule(g, i, override="count") for i, g in enumerate(DEFAULT_GROUPS)),
                     rate_rule(4, 2000, action="count")]  # fmt: skip


# --- logging ------------------------------------------------------------------------------------


def test_logs_go_to_an_aws_waf_logs_group_with_retention(default: PlanResult) -> None:
    assert default.one(LOG_GROUP, "waf-logs").inputs == {
        "name": "aws-waf-logs-webapp-dev-waf",
        "retentionInDays": 30,
    }
    assert regional(waf_args({"logRetentionDays": 365})).one(LOG_GROUP).inputs["retentionInDays"] == 365


def test_logging_targets_the_log_group_arn_without_suffix_and_redacts_credentials(
    default: PlanResult,
) -> None:
    logging = default.one(LOGGING, "waf-logging")
    assert logging.inputs == {
        "resourceArn": REGIONAL_ACL_ARN,
        "logDestinationConfigs": [
            "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-webapp-dev-waf"
        ],
        "redactedFields": [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}],
    }
    assert {default.one(ACL).urn, default.one(LOG_GROUP).urn} <= set(logging.dependencies)


# --- associations and scope ---------------------------------------------------------------------


def test_regional_acl_is_associated_with_the_load_balancer(default: PlanResult) -> None:
    association = default.one(ASSOCIATION, "waf-alb")
    assert association.inputs == {"resourceArn": ALB_ARN, "webAclArn": REGIONAL_ACL_ARN}
    assert default.one(ACL).urn in association.dependencies


def test_no_association_unless_asked() -> None:
    assert regional(WebAclArgs(), associate=False).by_type(ASSOCIATION) == []


def test_cloudfront_acl_lives_in_us_east_1_through_the_given_provider() -> None:
    def program() -> None:
        us_east_1 = aws.Provider("us-east-1", region="us-east-1")
        waf = WebAcl(
            "edge", WebAclArgs(), scope="CLOUDFRONT", opts=pulumi.ResourceOptions(provider=us_east_1)
        )
        pulumi.export("arn", waf.arn)

    result = run_components(program, region="eu-west-1")
    acl = result.one(ACL, "edge-acl")
    assert acl.inputs["scope"] == "CLOUDFRONT"
    assert acl.inputs["name"] == "webapp-dev-edge"
    assert acl.inputs["rules"][-1] == rate_rule(4, 1000)
    for child in (acl, result.one(LOG_GROUP, "edge-logs"), result.one(LOGGING, "edge-logging")):
        assert child.provider.startswith("urn:pulumi:dev::webapp::pulumi:providers:aws::us-east-1::")
    # The mocks put every ARN in the run's region; the provider decides the real one.
    assert ":global/webacl/webapp-dev-edge/" in result.outputs["arn"]


def test_cloudfront_acl_refuses_associate() -> None:
    errors: list[str] = []

    def program() -> None:
        waf = WebAcl("edge", WebAclArgs(), scope="CLOUDFRONT")
        with pytest.raises(ValueError) as err:
            waf.associate("alb", ALB_ARN)
        errors.append(str(err.value))

    result = run_components(program)
    assert errors == [
        "WebAcl 'edge' has scope CLOUDFRONT: attach it by setting the distribution's web_acl_id to its arn; "
        "associate() is for REGIONAL web ACLs"
    ]
    assert result.by_type(ASSOCIATION) == []


# --- config -------------------------------------------------------------------------------------


def test_defaults_are_the_dev_profile() -> None:
    args = waf_args({})
    assert args.model_dump(by_alias=True) == {
        "enabled": False,
        "rateLimitPer5Minutes": 1000,
        "managedRuleGroups": tuple(DEFAULT_GROUPS),
        "blockMode": True,
        "logRetentionDays": 30,
    }


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(WebAclArgs, data, "webapp:waf")
    return err.value.problems


@pytest.mark.parametrize("limit", [9, 2_000_000_001])
def test_rate_limit_out_of_range(limit: int) -> None:
    assert problems({"rateLimitPer5Minutes": limit}) == [
        f"webapp:waf.rateLimitPer5Minutes = {limit}: must be from 10 to 2000000000 requests per 5 minutes "
        "per client IP (AWS WAF's range for a rate-based rule)"
    ]


def test_rate_limit_bounds_are_accepted() -> None:
    assert waf_args({"rateLimitPer5Minutes": 10}).rate_limit_per5_minutes == 10
    assert waf_args({"rateLimitPer5Minutes": 2_000_000_000}).rate_limit_per5_minutes == 2_000_000_000


def test_unknown_managed_rule_group() -> None:
    assert problems({"managedRuleGroups": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesPHPRuleSet"]}) == [
        'webapp:waf.managedRuleGroups[1] = "AWSManagedRulesPHPRuleSet": must be one of '
        "AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, "
        "AWSManagedRulesAmazonIpReputationList, AWSManagedRulesSQLiRuleSet, AWSManagedRulesLinuxRuleSet, "
        "AWSManagedRulesAnonymousIpList, AWSManagedRulesBotControlRuleSet "
        "(AWSManagedRulesBotControlRuleSet costs extra per request)"
    ]


def test_duplicate_managed_rule_group() -> None:
    groups = ["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]
    assert problems({"managedRuleGroups": groups}) == [
        'webapp:waf.managedRuleGroups = ["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet", '
        '"AWSManagedRulesSQLiRuleSet"]: lists AWSManagedRulesSQLiRuleSet twice; '
        "each rule group may appear once"
    ]


def test_log_retention_must_be_a_cloudwatch_period() -> None:
    assert problems({"logRetentionDays": 45}) == [
        "webapp:waf.logRetentionDays = 45: must be one of CloudWatch's retention periods in days: 1, 3, 5, "
        "7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
    ]


def test_unknown_key_lists_the_allowed_ones() -> None:
    assert problems({"rateLimit": 500}) == [
        "webapp:waf.rateLimit = 500: unknown key (did you mean rateLimitPer5Minutes?); allowed keys: "
        "blockMode, enabled, logRetentionDays, managedRuleGroups, rateLimitPer5Minutes"
    ]
