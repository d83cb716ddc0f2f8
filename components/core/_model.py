"""Shared base for the typed config models that sit beside each component."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ConfigModel(BaseModel):
    """Base of every component's args model.

    Frozen (a component cannot mutate the config it was given), strict about unknown keys (a typo
    is an error, not a silently ignored setting), and spelled in camelCase on the outside so that
    the stack files and ``pulumi config set --path network.azCount 3`` use the same names as the
    error messages. Python code uses the snake_case attribute names.

    Example::

        class CacheArgs(ConfigModel):
            node_type: str = "cache.t4g.micro"   # stack file key: nodeType
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
    )
