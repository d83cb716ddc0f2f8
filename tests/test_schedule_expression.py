"""Scheduled scaling's expressions are checked field by field, with the stack key in every line."""

from typing import Any

import pytest

from components import ConfigError, validate_config
from components.compute.container_service_args import ContainerServiceArgs
from components.compute.schedule_expression import check_schedule_expression
from tests.harness import config_problems, stack_config

KEY = "webapp:service.autoscaling.schedules[0].schedule"


def schedule_problems(expression: str) -> list[str]:
    data = {
        "autoscaling": {
            "schedules": [{"name": "night", "schedule": expression, "minCount": 0, "maxCount": 0}]
        }
    }
    with pytest.raises(ConfigError) as raised:
        validate_config(ContainerServiceArgs, data, "webapp:service")
    return raised.value.problems


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(99 * ? * * *)", 'minutes field "99" must be 0-59 (wildcards , - * /)'),
        ("cron(0 25 ? * MON-FRI *)", 'hours field "25" must be 0-23 (wildcards , - * /)'),
        ("cron(0 8 32 * ? *)", 'day-of-month field "32" must be 1-31 (wildcards , - * ? / L W)'),
        ("cron(0 8 1 13 ? *)", 'month field "13" must be 1-12 or JAN-DEC (wildcards , - * /)'),
        (
            "cron(0 8 ? * MONDAY *)",
            'day-of-week field "MONDAY" must be 1-7 or SUN-SAT (wildcards , - * ? L #)',
        ),
        ("cron(0 8 ? * 3#6 *)", 'day-of-week field "3#6" must be 1-7 or SUN-SAT (wildcards , - * ? L #)'),
        ("cron(0 8 ? * MON-FRI 2200)", 'year field "2200" must be 1970-2199 (wildcards , - * /)'),
        ("cron(half 8 ? * * *)", 'minutes field "half" must be 0-59 (wildcards , - * /)'),
        ("cron(0 eight ? * * *)", 'hours field "eight" must be 0-23 (wildcards , - * /)'),
        ("cron(0/0 8 ? * * *)", 'minutes field "0/0" must be 0-59 (wildcards , - * /)'),
        (
            "cron(0 8 * * * *)",
            'day-of-month "*" and day-of-week "*": exactly one of them must be ?, '
            'e.g. "cron(0 8 ? * MON-FRI *)" or "cron(0 8 1 * ? *)"',
        ),
        (
            "cron(0 8 ? * ? *)",
            'day-of-month "?" and day-of-week "?": exactly one of them must be ?, '
            'e.g. "cron(0 8 ? * MON-FRI *)" or "cron(0 8 1 * ? *)"',
        ),
        (
            "at(2026-02-30T06:00:00)",
            'at() date and time "2026-02-30T06:00:00" does not exist: day is out of range for month',
        ),
        (
            "at(2026-13-01T06:00:00)",
            'at() date and time "2026-13-01T06:00:00" does not exist: month must be in 1..12',
        ),
        (
            "at(2026-03-01T24:00:00)",
            'at() date and time "2026-03-01T24:00:00" does not exist: hour must be in 0..23',
        ),
    ],
)
def test_each_bad_part_is_named(expression: str, message: str) -> None:
    assert schedule_problems(expression) == [f'{KEY} = "{expression}": {message}']


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 20 ? * MON-FRI *)",
        "cron(0/15 8-17 ? JAN-MAR MON,WED,FRI 2026-2030)",
        "cron(*/10 * ? * * *)",
        "cron(0 8 L * ? *)",
        "cron(0 8 LW * ? *)",
        "cron(0 8 15W * ? *)",
        "cron(0 8 ? * 6L *)",
        "cron(0 8 ? * 2#1 *)",
        "cron(30 6 ? * mon *)",
        "cron(0 0 1 1 ? 1970)",
        "rate(1 minute)",
        "rate(12 hours)",
        "at(2028-02-29T23:59:59)",
    ],
)
def test_aws_dialect_is_accepted(expression: str) -> None:
    assert check_schedule_expression(expression) == expression


@pytest.mark.parametrize(
    "expression", ["every day", "cron(0 20 * * ?)", "cron(0  20 ? * * *)", "rate(1 week)"]
)
def test_unrecognised_forms_show_the_three_forms(expression: str) -> None:
    assert schedule_problems(expression) == [
        f'{KEY} = "{expression}": must be cron(<6 fields>), rate(<n> minutes|hours|days) or '
        'at(yyyy-mm-ddThh:mm:ss), e.g. "cron(0 8 ? * MON-FRI *)"'
    ]


def test_a_worker_schedule_fails_the_program_before_any_resource() -> None:
    celery: dict[str, Any] = {
        "command": ["celery", "worker"],
        "port": None,
        "healthCheck": {"enabled": False},
        "autoscaling": {
            "schedules": [{"name": "night", "schedule": "cron(0 25 ? * * *)", "minCount": 0, "maxCount": 0}]
        },
    }
    lines, registered = config_problems(stack_config("dev", workers={"celery": celery}))
    assert registered == []
    assert lines == [
        'webapp:workers.celery.autoscaling.schedules[0].schedule = "cron(0 25 ? * * *)": hours field "25" '
        "must be 0-23 (wildcards , - * /)"
    ]
