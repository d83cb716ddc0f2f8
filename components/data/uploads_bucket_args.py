"""Config model for the UploadsBucket component (stack config key ``<project>:uploads``)."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, field_validator

from ..core._model import ConfigModel, InSchema

CorsMethod = Literal["GET", "PUT", "POST", "DELETE", "HEAD"]

# scheme://host[:port] and nothing after it: a browser's Origin header never carries a path or a
# trailing slash, and S3 compares origins as strings, so anything longer would never match.
_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::(?P<port>[0-9]{1,5}))?$"
)


def _check_origin(origin: str) -> str:
    if "*" in origin:
        raise ValueError(
            'must not contain "*": list the exact origins of the web app (such as '
            "https://app.example.com) so that no other site can use the bucket from a visitor's browser"
        )
    match = _ORIGIN.match(origin)
    if match is None:
        raise ValueError(
            "must be an origin, scheme://host[:port] with no path or trailing slash, "
            "such as https://app.example.com or http://localhost:3000"
        )
    if match["port"] is not None and not 1 <= int(match["port"]) <= 65535:
        raise ValueError("must have a port from 1 to 65535")
    if match["scheme"] == "http" and match["host"].lower() != "localhost":
        raise ValueError(
            "must use https: a page served over plain http can be altered in transit to upload or "
            "read files as the user; http is allowed only for http://localhost[:port] in development"
        )
    return origin


CorsOrigin = Annotated[str, AfterValidator(_check_origin)]
"""One browser origin allowed by CORS: ``https://host[:port]`` or ``http://localhost[:port]``."""


class UploadsAccessLogsArgs(ConfigModel):
    """S3 server access logs of the uploads bucket, to a private log bucket (``uploads.accessLogs``).

    Example::

        UploadsAccessLogsArgs(enabled=True, retention_days=365)
    """

    enabled: bool = False
    """Log every request to the uploads bucket (control S3.9)."""
    retention_days: Annotated[int, InSchema(minimum=1, maximum=3650)] = 90
    """Days before S3 deletes a log file."""

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError("must be from 1 to 3650 days (days before S3 deletes a log file)")
        return value


class UploadsBucketArgs(ConfigModel):
    """A private, KMS-encrypted, versioned S3 bucket for user uploads or model files.

    The component is only created when ``enabled`` is true; the other keys are validated either
    way, so a stack file cannot hold a bad setting that surfaces only once the bucket is turned on.
    The key is always a customer-managed KMS key (no option: the app's access grant names it).

    Dev (the defaults): disabled; current versions move to Glacier Instant Retrieval after 90
    days, overwritten or deleted versions are kept 30 days, no CORS, no server access logs.
    Production turns ``accessLogs`` on (control S3.9).

    Example::

        UploadsBucketArgs(enabled=True, cors_origins=("https://app.example.com",),
                          cors_methods=("GET", "PUT"),
                          access_logs=UploadsAccessLogsArgs(enabled=True, retention_days=365))
    """

    enabled: bool = False
    """Create the bucket; the other keys are validated either way."""
    glacier_after_days: Annotated[int, InSchema(minimum=30, maximum=3650)] = 90
    """Days before current versions move to Glacier Instant Retrieval (billed 90 days minimum)."""
    noncurrent_version_expiration_days: Annotated[int, InSchema(minimum=1, maximum=3650)] = 30
    """Days an overwritten or deleted file can still be restored."""
    cors_origins: tuple[CorsOrigin, ...] = ()
    """Exact browser origins allowed to use the bucket (https, or http://localhost in development)."""
    cors_methods: Annotated[tuple[CorsMethod, ...], InSchema(minItems=1)] = ("GET", "PUT", "POST", "HEAD")
    """HTTP methods those origins may use."""
    access_logs: UploadsAccessLogsArgs = UploadsAccessLogsArgs()
    """S3 server access logs to a private log bucket."""

    @field_validator("glacier_after_days")
    @classmethod
    def _glacier_after(cls, value: int) -> int:
        if not 30 <= value <= 3650:
            raise ValueError(
                "must be from 30 to 3650 days: Glacier Instant Retrieval bills every object for at "
                "least 90 days and charges per GB read, so files still in active use must stay in "
                "Standard"
            )
        return value

    @field_validator("noncurrent_version_expiration_days")
    @classmethod
    def _noncurrent(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError(
                "must be from 1 to 3650 days: how long an overwritten or deleted file can still be restored"
            )
        return value

    @field_validator("cors_origins")
    @classmethod
    def _unique_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("lists an origin twice")
        return value

    @field_validator("cors_methods")
    @classmethod
    def _methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must list at least one of GET, PUT, POST, DELETE, HEAD (S3 requires one)")
        if len(set(value)) != len(value):
            raise ValueError("lists a method twice")
        return value
