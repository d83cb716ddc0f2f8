"""Every rule of the pack, in one list, and the pulumi_policy policies built from them.

``__main__.py`` hands ``build_policies()`` to ``PolicyPack``; the offline runner and the tests use
the same function, so what they check is what the Pulumi CLI runs.
"""

from pulumi_policy.policy import Policy

from ._framework import Rule, documented_exceptions_policy, to_policy

PACK_NAME = "webapp-security"

RULE_MODULES: tuple[str, ...] = (
    "ec2", "iam", "kms", "secretsmanager", "cloudwatch", "cloudtrail",
    "ecs", "elb", "wafv2", "rds", "elasticache", "s3", "cloudfront", "sns", "stateful", "cost",
)  # fmt: skip


def all_rules() -> list[Rule]:
    import importlib

    rules: list[Rule] = []
    for module_name in RULE_MODULES:
        module = importlib.import_module(f"{__package__}.{module_name}")
        rules.extend(module.RULES)
    return rules


def build_policies() -> list[Policy]:
    # The exceptions report must come last: it lists what the rules before it excused.
    return [to_policy(rule) for rule in all_rules()] + [documented_exceptions_policy()]
