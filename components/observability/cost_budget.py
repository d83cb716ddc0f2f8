"""A monthly AWS Budgets cost budget that mails, and posts to the alarm topic, as spend grows."""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ..core.names import fit_name
from .monitoring_args import BudgetArgs

# AWS Budgets' limit on a budget's name.
BUDGET_NAME_LENGTH = 100


def create_cost_budget(
    name: str,
    args: BudgetArgs,
    *,
    emails: Sequence[str],
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.budgets.Budget:
    """``<project>-<stack>-monthly``: alerts at ``actualPercent`` of actual and ``forecastPercent``
    of forecast spend, to ``emails`` directly and to the topic.

    The direct emails need no confirmation, so a budget alert arrives even before anyone has
    confirmed the SNS subscription; confirmed subscribers get it twice, which is accepted.

    Example::

        create_cost_budget("ops", BudgetArgs(monthly_limit_usd=500), emails=["ops@example.com"],
                           topic_arn=topic.arn, parent=self)
    """
    project, stack = pulumi.get_project(), pulumi.get_stack()
    subscribers = {
        "subscriber_email_addresses": list(emails) or None,
        "subscriber_sns_topic_arns": [topic_arn],
    }
    cost_filters = None
    if args.filter_by_stack_tag:
        # Budgets' TagKeyValue syntax is user:<key>$<value>; the provider's default tags set `stack`.
        cost_filters = [aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[f"user:stack${stack}"])]
    return aws.budgets.Budget(
        f"{name}-budget",
        name=fit_name(f"{project}-{stack}-monthly", BUDGET_NAME_LENGTH),
        budget_type="COST",
        time_unit="MONTHLY",
        limit_amount=f"{args.monthly_limit_usd:.2f}",
        limit_unit="USD",
        cost_filters=cost_filters,
        notifications=[
            aws.budgets.BudgetNotificationArgs(
                notification_type="ACTUAL",
                comparison_operator="GREATER_THAN",
                threshold=args.actual_percent,
                threshold_type="PERCENTAGE",
                **subscribers,
            ),
            aws.budgets.BudgetNotificationArgs(
                notification_type="FORECASTED",
                comparison_operator="GREATER_THAN",
                threshold=args.forecast_percent,
                threshold_type="PERCENTAGE",
                **subscribers,
            ),
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )
