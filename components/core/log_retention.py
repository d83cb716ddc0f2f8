"""CloudWatch Logs retention values, shared by every component that creates a log group."""

from typing import Annotated

from pydantic import AfterValidator

from ._model import InSchema

# The only values the PutRetentionPolicy API accepts; anything else fails at deploy time,
# which a mock would never show.
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def _check_retention(days: int) -> int:
    if days not in CLOUDWATCH_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
        raise ValueError(f"must be one of CloudWatch's retention periods in days: {allowed}")
    return days


RetentionDays = Annotated[
    int, AfterValidator(_check_retention), InSchema(enum=list(CLOUDWATCH_RETENTION_DAYS))
]
"""A log retention in days that CloudWatch Logs accepts (0 / never-expire is not offered)."""
