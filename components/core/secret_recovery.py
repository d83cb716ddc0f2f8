"""How long a deleted Secrets Manager secret can still be restored, shared by every secret owner."""

from typing import Annotated

from pydantic import AfterValidator

from ._model import InSchema

MESSAGE = (
    "must be 0 (delete at once, so a destroyed dev stack can be re-created the same day) or from "
    "7 to 30 days (how long a deleted secret can be restored)"
)


def _check(days: int) -> int:
    if days != 0 and not 7 <= days <= 30:
        raise ValueError(MESSAGE)
    return days


RecoveryWindowDays = Annotated[int, AfterValidator(_check), InSchema(enum=[0, *range(7, 31)])]
"""Secrets Manager's ``RecoveryWindowInDays``: 0 forces deletion without recovery, else 7-30."""
