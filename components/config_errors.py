"""Turn pydantic validation errors into one readable line per problem.

Every line names the full stack-config key, the value found and what is allowed, e.g.::

    webapp:network.azCount = 1: must be from 2 to 6: ...
    webapp:network.natStrategy = "perAz": must be 'none', 'single' or 'onePerAz'
    webapp:network.azCuont = 3: unknown key (did you mean azCount?); allowed keys: azCount, ...
"""

import difflib
import json
from typing import Any, TypeVar, get_args

import pulumi
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


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
        elif problem["type"] == "missing":
            message = "is required and has no default"
        key = _join_key(key_prefix, loc)
        shown = "missing" if problem["type"] == "missing" else _show(value)
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


def _unknown_key_message(model: type[BaseModel], loc: list[Any]) -> str:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return "unknown key"
    allowed = sorted(field.alias or name for name, field in parent.model_fields.items())
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f" (did you mean {guess[0]}?)" if guess else ""
    return f"unknown key{hint}; allowed keys: {', '.join(allowed)}"


def _model_at(model: type[BaseModel], loc: list[Any]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _model_in(fields[part].annotation)
        if current is None:
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
