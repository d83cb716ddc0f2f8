"""Shared base for the typed config models that sit beside each component."""

import ast
import inspect
import itertools
import textwrap
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


class ConfigModel(BaseModel):
    """Base of every component's args model.

    Frozen (a component cannot mutate the config it was given), strict about unknown keys (a typo
    is an error, not a silently ignored setting), and spelled in camelCase on the outside so that
    the stack files and ``pulumi config set --path network.azCount 3`` use the same names as the
    error messages. Python code uses the snake_case attribute names.

    Each field is declared one way: its type, its bounds (``Field(ge=..., le=...)``, or
    ``InSchema``/``Between`` where a validator words the message itself) and a one-sentence
    docstring under it, which ``use_attribute_docstrings`` makes the field's description in
    ``schemas/stack-config.schema.json`` and the generated reference.

    Example::

        class CacheArgs(ConfigModel):
            node_count: Annotated[int, InSchema(minimum=1, maximum=6)] = 1
            \"\"\"Nodes in the replication group: a primary and up to 5 replicas.\"\"\"
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
        use_attribute_docstrings=True,
    )


class InSchema:
    """JSON-schema keywords for a rule a validator already enforces with its own message.

    Validation is unchanged (the validator's message is what a stack's author reads); the keywords
    only reach the JSON schema, so editors and the generated reference show the same bounds.

    Example::

        az_count: Annotated[int, InSchema(minimum=2, maximum=6)] = 2
        traffic_type: Annotated[str, InSchema(enum=["ALL", "ACCEPT", "REJECT"])] = "ALL"
    """

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(self.keywords)
        return json_schema


class Between(InSchema):
    """A closed range, refused with "must be from <low> to <high><suffix>" and stated in the schema.

    Example::

        retention_days: Annotated[int, Between(1, 3650, " (days before S3 deletes a log file)")] = 90
    """

    def __init__(self, low: float, high: float, suffix: str = "") -> None:
        super().__init__(minimum=low, maximum=high)
        self.low, self.high, self.suffix = low, high, suffix

    def _check(self, value: Any) -> Any:
        if not self.low <= value <= self.high:
            raise ValueError(f"must be from {self.low} to {self.high}{self.suffix}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))


class ConfigEnum(StrEnum):
    """Base of the enums a stack file spells: each member's docstring documents that value.

    The docstrings reach the JSON schema as ``enumDescriptions`` (one per ``enum`` value, in
    order), which editors show beside each choice and the generated reference lists. Values AWS
    defines are spelled as AWS does (``ARM64``, ``PriceClass_100``); invented ones are camelCase.

    Example::

        class NatType(ConfigEnum):
            GATEWAY = "gateway"
            \"\"\"A managed NAT gateway.\"\"\"
    """

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        docs = member_docstrings(cls)
        json_schema["enumDescriptions"] = [docs.get(member.name, "") for member in cls]
        return json_schema


def member_docstrings(cls: type) -> dict[str, str]:
    """The docstring written under each ``NAME = value`` line of ``cls``'s body, by name."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.targets[0].id] = inspect.cleandoc(following.value.value)
    return docs
