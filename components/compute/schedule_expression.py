"""Check an Application Auto Scaling schedule expression before AWS sees it.

``PutScheduledAction`` accepts three forms (the ``schedule`` parameter of
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html):

* ``at(yyyy-mm-ddThh:mm:ss)``: once, at a date and time that must exist (no 2026-02-30);
* ``rate(value unit)``: a positive integer and minute(s), hour(s) or day(s);
* ``cron(minutes hours day-of-month month day-of-week year)``: EventBridge's six-field dialect
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html), with
  ``? L W #``, JAN-DEC and SUN-SAT names, years 1970-2199, and exactly one of day-of-month and
  day-of-week set to ``?``.

The cron fields are checked by the ``aws-cron-expression-validator`` package, which implements
that dialect; this module only turns its verdict into a message naming the field and what it
allows. Example::

    check_schedule_expression("cron(0 8 ? * MON-FRI *)")   # returns the expression
    check_schedule_expression("cron(99 * ? * * *)")  # ValueError: minutes field "99" must be 0-59 ...
"""

import re
from datetime import datetime

from aws_cron_expression_validator.validator import (
    AWSCronExpressionDayOfMonthError,
    AWSCronExpressionDayOfWeekError,
    AWSCronExpressionError,
    AWSCronExpressionHourError,
    AWSCronExpressionMinuteError,
    AWSCronExpressionMonthError,
    AWSCronExpressionValidator,
    AWSCronExpressionYearError,
)

FORMS = (
    "must be cron(<6 fields>), rate(<n> minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss), "
    'e.g. "cron(0 8 ? * MON-FRI *)"'
)
# Single spaces between fields, as AWS's own examples and the validator expect.
_CRON = re.compile(r"^cron\((\S+(?: \S+){5})\)$")
_RATE = re.compile(r"^rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)$")
_AT = re.compile(r"^at\(((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}))\)$")

# Field position, name, values and wildcards, as in the EventBridge cron reference's table.
_FIELDS: dict[type[AWSCronExpressionError], tuple[int, str, str, str]] = {
    AWSCronExpressionMinuteError: (0, "minutes", "0-59", ", - * /"),
    AWSCronExpressionHourError: (1, "hours", "0-23", ", - * /"),
    AWSCronExpressionDayOfMonthError: (2, "day-of-month", "1-31", ", - * ? / L W"),
    AWSCronExpressionMonthError: (3, "month", "1-12 or JAN-DEC", ", - * /"),
    AWSCronExpressionDayOfWeekError: (4, "day-of-week", "1-7 or SUN-SAT", ", - * ? L #"),
    AWSCronExpressionYearError: (5, "year", "1970-2199", ", - * /"),
}


def check_schedule_expression(expression: str) -> str:
    """Return ``expression`` if AWS would accept it, else raise ValueError naming the bad part."""
    if _RATE.match(expression):
        return expression
    at = _AT.match(expression)
    if at:
        try:
            year, month, day, hour, minute, second = (int(part) for part in at.groups()[1:])
            datetime(year, month, day, hour, minute, second)
        except ValueError as err:
            # datetime() names the part: "day is out of range for month", "hour must be in 0..23".
            raise ValueError(f'at() date and time "{at.group(1)}" does not exist: {err}') from None
        return expression
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError(FORMS)
    fields = cron.group(1).split(" ")
    try:
        AWSCronExpressionValidator.validate(cron.group(1))
    except AWSCronExpressionError as err:
        known = _FIELDS.get(type(err))
        if known is None:
            # The only field-less verdict the validator gives is the day-of-month/day-of-week rule.
            raise ValueError(
                f'day-of-month "{fields[2]}" and day-of-week "{fields[4]}": exactly one of them must be ?, '
                'e.g. "cron(0 8 ? * MON-FRI *)" or "cron(0 8 1 * ? *)"'
            ) from None
        position, name, values, wildcards = known
        raise ValueError(
            f'{name} field "{fields[position]}" must be {values} (wildcards {wildcards})'
        ) from None
    return expression
