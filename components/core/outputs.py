"""Component outputs declared once: the class annotations are the list, the attributes the values.

A component annotates each output on its class (``vpc_id: pulumi.Output[str]``), assigns it in
its constructor, and ends with ``register_declared_outputs(self)``, which registers every
annotated attribute holding an output-like value under its own name. Resources, wiring
dataclasses and ``None`` are left out: Pulumi records outputs, not objects.

Example::

    class Cluster(pulumi.ComponentResource):
        name: pulumi.Output[str]
        arn: pulumi.Output[str]

        def __init__(self, name: str, args: ClusterArgs, *, opts=None) -> None:
            super().__init__("webapp:index:Cluster", name, None, opts)
            ...
            self.name, self.arn = cluster.name, cluster.arn
            register_declared_outputs(self)
"""

from enum import Enum
from typing import Any

import pulumi


def declared_output_names(component: pulumi.ComponentResource) -> list[str]:
    """The names annotated on ``component``'s own classes (not Pulumi's), base classes first."""
    names: list[str] = []
    for cls in reversed(type(component).__mro__):
        if not issubclass(cls, pulumi.ComponentResource) or cls.__module__.startswith("pulumi"):
            continue
        names += [name for name in vars(cls).get("__annotations__", {}) if name not in names]
    return names


def register_declared_outputs(component: pulumi.ComponentResource) -> dict[str, Any]:
    """Register every annotated attribute of ``component`` that holds an output-like value.

    An annotated attribute the constructor never assigned is a bug: it raises ``AttributeError``
    here rather than surfacing as a missing output later. Returns what was registered.
    """
    outputs = {
        name: value
        for name in declared_output_names(component)
        if _is_output_value(value := getattr(component, name))
    }
    component.register_outputs(outputs)
    return outputs


def _is_output_value(value: object) -> bool:
    if isinstance(value, Enum):
        return False
    if isinstance(value, pulumi.Output | str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_is_output_value(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_output_value(v) for k, v in value.items())
    return False
