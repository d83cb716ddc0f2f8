"""The provider hosting WebApp and its parts (``COMPONENTS``); config errors leave as property errors.

Pulumi's ``ComponentProvider`` infers the schema from the components' annotations and runs their
constructors for each ``Construct`` call; it reports any exception from a constructor with a
Python traceback. A ``ConfigError`` is the user's input, not a bug, so here it leaves as an
``InputPropertiesError``: one property error per problem line, which the engine prints without
a traceback.

Example::

    provider = WebAppProvider()
    provider.construct("shop", "webapp:index:WebApp", {"image": {"uri": "nginx:1.27"}})
"""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider import ConstructResult
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError

from components import ConfigError

from .cache import Cache
from .database import Database
from .network import Network
from .static_site import StaticSite
from .web_app import WebApp

# WebApp builds the whole stack; the others are its parts whose hand-offs are schema types
# (docs/decisions/0020).
COMPONENTS: list[type[pulumi.ComponentResource]] = [WebApp, Network, Database, Cache, StaticSite]

PACKAGE_NAME = "webapp"
_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def package_version() -> str:
    """The package's version: ``pyproject.toml``'s, the one place the components' version lives."""
    return tomllib.loads(_PYPROJECT.read_text())["project"]["version"]


class WebAppProvider(ComponentProvider):
    """``COMPONENTS`` (``webapp:index:WebApp``, ``webapp:index:Network``...) as the provider ``webapp``."""

    def __init__(self) -> None:
        super().__init__(COMPONENTS, PACKAGE_NAME, version=package_version())

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except InputPropertyError as err:
            raise self._worded_like_config(err) from None
        except ComponentInitError as err:
            if not isinstance(err.inner, ConfigError):
                raise
            problems = err.inner.problems
            raise InputPropertiesError(
                f"invalid {resource_type.rsplit(':', 1)[-1]} args "
                f"({len(problems)} problem{'s' if len(problems) != 1 else ''})",
                [_property_error(line) for line in problems],
            ) from None

    def _worded_like_config(self, err: InputPropertyError) -> InputPropertyError:
        """The host's enum error ("Invalid value perAz of type <class 'str'> for enum 'NatStrategy'")
        in the stack config's words: ``network.natStrategy = "perAz": must be 'none', 'single' or ...``."""
        found = re.fullmatch(r"Invalid value (.*) of type .* for enum '(\w+)'", err.reason)
        type_def = self._type_defs.get(found.group(2)) if found else None
        if found is None or type_def is None or not type_def.enum:
            return err
        allowed = [f"'{member.value}'" for member in type_def.enum]
        choices = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        reason = f"{err.property_path} = {json.dumps(found.group(1))}: must be {choices}"
        return InputPropertyError(err.property_path, reason)


def _property_error(line: str) -> Any:
    # Each line reads "<path> = <value>: <what is allowed>" (components/core/config_errors.py).
    return {"property_path": line.split(" = ", 1)[0], "reason": line}
