"""Config model for the AuditTrail component (stack config key ``<project>:auditTrail``)."""

from typing import Annotated

from pydantic import field_validator

from ..core._model import ConfigModel, InSchema
from ..core.log_retention import RetentionDays


class AuditTrailArgs(ConfigModel):
    """An account-wide CloudTrail trail: off unless ``enabled``, because an account needs only one.

    The component is only created when ``enabled`` is true; the other keys are validated either
    way, so a stack file cannot hold a bad setting that surfaces only once the trail is turned on.
    The trail always records read and write management events in every region (no data events:
    those are billed per event and S3 object reads alone can dwarf the rest of the bill).

    Dev (the defaults): disabled; the CloudWatch copy of the events is kept 90 days, the S3 copy
    (the record of truth, with digest files for integrity checks) 365 days.

    Example::

        AuditTrailArgs(enabled=True, log_retention_days=365, bucket_retention_days=2557)
    """

    enabled: bool = False
    """Create the trail; an account needs only one, so leave it off if the account has one."""
    log_retention_days: RetentionDays = 90
    """Days CloudWatch Logs keeps its copy of the events."""
    bucket_retention_days: Annotated[int, InSchema(minimum=1, maximum=3650)] = 365
    """Days log and digest files stay in the trail bucket (the record of truth) before S3 expires them."""

    @field_validator("bucket_retention_days")
    @classmethod
    def _bucket_retention(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError(
                "must be from 1 to 3650 days: how long log and digest files stay in the trail bucket "
                "before S3 expires them"
            )
        return value
