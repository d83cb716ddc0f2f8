"""Config model for MigrationTask (stack config key ``<project>:migration``)."""

from pydantic import field_validator

from .fargate_task_size import FargateTaskSize


class MigrationArgs(FargateTaskSize):
    """The one-off database migration task: its command and size (same CPU/memory rules as a service).

    Example::

        MigrationArgs(command=("alembic", "upgrade", "head"), cpu=512, memory=1024)
    """

    command: tuple[str, ...]
    """The program and its arguments run once per deploy, e.g. ``["alembic", "upgrade", "head"]``."""

    @field_validator("command")
    @classmethod
    def _command(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or not all(part.strip() for part in value):
            raise ValueError('must list the program and its arguments, e.g. ["alembic", "upgrade", "head"]')
        return value
