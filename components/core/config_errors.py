"""Turn pydantic validation errors into one readable line per problem.

Every line names the full stack-config key, the value found and what is allowed, e.g.::

    webapp:network.azCount = 1: must be from 2 to 6: ...
    webapp:network.natStrategy = "perAz": must be 'none', 'single' or 'onePerAz'
    webapp:network.azCuont = 3: unknown key (did you mean azCount?); allowed keys: azCount, ...
    webapp:network.interfaceEndpoints = "logs": must be a list of 'ecr.api', ..., such as ["logs"]
"""

import difflib
import json
import types
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import pulumi
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)

# Pydantic's error types for a sequence key given something else (a YAML string, a number...).
_SEQUENCE_ERRORS = ("list_type", "tuple_type", "set_type", "frozen_set_type")
# A top level with more keys than this (the stack program's, about 20) is not listed in the line
# but left to the generated reference; the bootstrap program's ten keys are listed.
_REFERENCE = "docs/reference/configuration.md"
_MANY_KEYS = 15
# An unknown key's value is shown up to this many characters: the key, not the value, is wrong.
_SHORT_VALUE = 40


class ConfigError(pulumi.RunError):
    """Stack config is invalid; ``problems`` holds one ready-to-print line per problem.

    A ``pulumi.RunError``, so ``pulumi preview`` prints the lines without a traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid stack config ({count}):\n" + "\n".join(problems))
        self.problems = problems


class ConfigFieldError(ValueError):
    """Raised inside a model validator to blame one field instead of the whole object.

    Example::

        raise ConfigFieldError("subnetMasks", self.subnet_masks.model_dump(), "do not fit: ...")
    """

    def __init__(self, key: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.value = value
        self.message = message


def validate_config(model: type[ModelT], data: Any, key_prefix: str) -> ModelT:
    """Validate ``data`` into ``model`` or raise ConfigError naming keys under ``key_prefix``.

    Example::

        network = validate_config(NetworkArgs, {"azCount": 3}, "webapp:network")
        stack = validate_config(StackConfig, {"network": {...}}, "webapp:")  # keys webapp:network...
    """
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, model, key_prefix)) from None


def format_validation_error(err: ValidationError, model: type[BaseModel], key_prefix: str) -> list[str]:
    lines = []
    for problem in err.errors(include_url=False):
        loc = list(problem["loc"])
        value = problem.get("input")
        message = problem["msg"]
        cause = (problem.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigFieldError):
            loc.append(cause.key)
            value, message = cause.value, cause.message
        elif problem["type"] == "extra_forbidden":
            message = _unknown_key_message(model, loc)
        elif problem["type"] in ("model_type", "model_attributes_type", "dict_type"):
            message = "must be an object (key: value pairs)"
        elif problem["type"] in _SEQUENCE_ERRORS:
            message = _list_message(_annotation_at(model, loc), value)
        elif problem["type"] == "missing":
            message = "is required and has no default"
        key = _join_key(key_prefix, loc)
        if problem["type"] == "missing":
            shown = "missing"
        elif problem["type"] == "extra_forbidden":
            shown = _show_short(value)
        else:
            shown = _show(value)
        lines.append(f"{key} = {shown}: {_plain(message)}")
    return lines


def _join_key(prefix: str, loc: list[Any]) -> str:
    key = prefix
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f"{part}" if not key or key.endswith(":") else f".{part}"
    return key


def _show(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _plain(message: str) -> str:
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be"):
        message = "must be" + message.removeprefix("Input should be")
    return message


def _show_short(value: Any) -> str:
    shown = _show(value)
    if len(shown) <= _SHORT_VALUE:
        return shown
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list | tuple):
        return "[...]"
    if isinstance(value, str):
        return _show(value[:_SHORT_VALUE] + "...")
    return shown


def _unknown_key_message(model: type[BaseModel], loc: list[Any]) -> str:
    parent = _model_in(_annotation_at(model, loc[:-1]))
    if parent is None:
        return "unknown key"
    allowed = sorted(field.alias or name for name, field in parent.model_fields.items())
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f" (did you mean {guess[0]}?)" if guess else ""
    listed = ", ".join(allowed)
    if len(loc) == 1 and len(allowed) > _MANY_KEYS:
        return f"unknown key{hint}; the keys are listed in {_REFERENCE}"
    return f"unknown key{hint}; allowed keys: {listed}"


def _list_message(annotation: Any, value: Any) -> str:
    """What a list key allows, with an example built from the value when it fits."""
    item = _item_type(annotation)
    choices = _choices(item)
    if choices:
        example = value if value in choices else choices[0]
        return f"must be a list of {_or(choices)}, such as [{_show(example)}]"
    if item is str:
        words = value.split() if isinstance(value, str) and value.strip() else ["a", "b"]
        return f"must be a list of strings, such as [{', '.join(_show(w) for w in words)}]"
    if item in (int, float):
        return "must be a list of numbers, such as [1, 2]"
    if _model_in(item) is not None:
        return "must be a list of objects (key: value pairs)"
    return "must be a list"


def _item_type(annotation: Any) -> Any:
    sequence = _unwrap(annotation)
    if get_origin(sequence) not in (list, tuple, set, frozenset):
        return None
    args = [a for a in get_args(sequence) if a is not Ellipsis]
    # A fixed-shape tuple (tuple[int, str]) has no single item type.
    return _unwrap(args[0]) if len(args) == 1 else None


def _choices(item: Any) -> list[str]:
    if isinstance(item, type) and issubclass(item, Enum):
        return [str(member.value) for member in item]
    if get_origin(item) is Literal:
        return [str(arg) for arg in get_args(item)]
    return []


def _or(choices: list[str]) -> str:
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``, if there is exactly one."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _annotation_at(model: type[BaseModel], loc: list[Any]) -> Any:
    """The declared type at ``loc`` (field names, dict keys, list indexes), or None if unknown."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        elif origin is dict:
            current = get_args(current)[1]
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
            current = _item_type(current)
        else:
            return None
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
