"""Backup and maintenance windows of a database: their formats and whether they collide.

RDS takes a daily backup window ``hh:mm-hh:mm`` and a weekly maintenance window
``ddd:hh:mm-ddd:hh:mm`` (both UTC, each at least 30 minutes) and refuses the pair when they
overlap. Each window becomes minute ranges within one week so the overlap check is exact,
including windows that cross midnight or the end of the week.
"""

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_MINUTES = 30
_DAY = 24 * 60
_WEEK = 7 * _DAY
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")

Ranges = list[tuple[int, int]]


class WindowError(ValueError):
    """A window that RDS would reject; the message says what is allowed."""


def parse_daily(window: str) -> tuple[int, int]:
    """``"03:00-04:00"`` as (start minute of the day, length in minutes)."""
    match = _DAILY.match(window)
    if match is None:
        raise WindowError('must be a daily UTC window "hh:mm-hh:mm", such as "03:00-04:00"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = h1 * 60 + m1
    return start, _length((h2 * 60 + m2 - start) % _DAY)


def parse_weekly(window: str) -> tuple[int, int]:
    """``"sun:04:30-sun:05:30"`` (any case) as (start minute of the week, length in minutes)."""
    match = _WEEKLY.match(window.lower())
    if match is None:
        raise WindowError(
            'must be a weekly UTC window "ddd:hh:mm-ddd:hh:mm" with ddd one of '
            f'{", ".join(DAYS)}, such as "sun:04:30-sun:05:30"'
        )
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * _DAY + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * _DAY + int(h2) * 60 + int(m2)
    return start, _length((end - start) % _WEEK)


def overlaps(backup_window: str, maintenance_window: str) -> bool:
    """Whether the daily backup window meets the weekly maintenance window on any day."""
    backup_start, backup_length = parse_daily(backup_window)
    backups = [r for day in range(7) for r in _week_ranges(day * _DAY + backup_start, backup_length)]
    maintenance = _week_ranges(*parse_weekly(maintenance_window))
    # Half-open ranges: a window ending at 04:00 and one starting at 04:00 do not collide.
    return any(a < d and c < b for a, b in backups for c, d in maintenance)


def _length(minutes: int) -> int:
    if minutes < MIN_MINUTES:
        raise WindowError(f"must be at least {MIN_MINUTES} minutes long")
    return minutes


def _week_ranges(start: int, length: int) -> Ranges:
    """[start, start + length) within one week, split in two where it wraps past Sunday midnight."""
    end = start + length
    if end <= _WEEK:
        return [(start, end)]
    return [(start, _WEEK), (0, end - _WEEK)]
