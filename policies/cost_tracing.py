"""Tracing's share of a service's cost: the agent's reserved memory and trace ingestion (issue 19).

Read from the task definition the stack plans (the pack has no access to the components): the
tracing agent is recognised by its image, the sampling by the app's ``OTEL_TRACES_SAMPLER_ARG``.
The agent runs inside the task's size, so Fargate bills it nothing extra; what tracing costs is
ingestion, priced at the request rate assumed in ``pricing/<region>.json``:

- applicationSignals: every request is counted in Application Signals' metrics (signals per
  request: ``applicationSignalsPerRequest``), whatever the sampling, plus the sampled traces;
- xray: the sampled traces only.

Example::

    for billed, usd in tracing_costs(task.props, pricing):
        yield item(service, billed, usd)
"""

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._framework import UnknownValueError

if TYPE_CHECKING:
    from .cost_model import Pricing

# Agent image repositories, by the mode they serve.
AGENTS = {
    "public.ecr.aws/cloudwatch-agent/cloudwatch-agent": "applicationSignals",
    "public.ecr.aws/aws-observability/aws-otel-collector": "xray",
}
INSTRUMENTATION_COPY = "public.ecr.aws/aws-observability/adot-autoinstrumentation-python"


def tracing_costs(task_props: Mapping[str, Any], pricing: "Pricing") -> Iterator[tuple[str, float]]:
    """``(what is billed, USD a month)`` for the tracing of one service; nothing without an agent."""
    containers = _containers(task_props)
    agents = [
        (c, AGENTS[_repository(c.get("image"))]) for c in containers if _repository(c.get("image")) in AGENTS
    ]
    if not agents:
        return
    agent, mode = agents[0]
    reserved = sum(
        int(c.get("memoryReservation") or 0)
        for c in containers
        if _repository(c.get("image")) in (*AGENTS, INSTRUMENTATION_COPY)
    )
    yield (
        f"tracing ({mode}): {agent.get('name')} and the instrumentation copy reserve {reserved} MiB of "
        "each task's memory, billed within the task size above",
        0.0,
    )
    sampling = _sampling(containers)
    millions = pricing.assume("tracedRequestsMillions")
    traces = millions * sampling
    trace_usd = traces * pricing.usd("xray.tracesRecorded")
    if mode == "xray":
        yield (
            f"X-Ray: {traces:g} M traces recorded ({sampling:g} of {millions:g} M requests, assumed)",
            trace_usd,
        )
        return
    per_request = pricing.assume("applicationSignalsPerRequest")
    signals = millions * per_request
    yield (
        f"Application Signals: {signals:g} M signals ({millions:g} M requests x {per_request:g}, assumed; "
        f"all requests, whatever the sampling) + {traces:g} M X-Ray traces ({sampling:g} sampled)",
        signals * pricing.usd("cloudwatch.applicationSignals.signals") + trace_usd,
    )


def _containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    try:
        raw = props.get("containerDefinitions")
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except (UnknownValueError, ValueError):
        return []
    return [c for c in parsed if isinstance(c, Mapping)] if isinstance(parsed, list) else []


def _sampling(containers: list[Mapping[str, Any]]) -> float:
    """The app's ``OTEL_TRACES_SAMPLER_ARG`` (1 when unset: the SDK's default samples everything)."""
    for container in containers:
        for variable in container.get("environment") or []:
            if isinstance(variable, Mapping) and variable.get("name") == "OTEL_TRACES_SAMPLER_ARG":
                try:
                    return float(variable.get("value", 1))
                except (TypeError, ValueError):
                    return 1.0
    return 1.0


def _repository(image: Any) -> str:
    """An image reference without its tag or digest."""
    if not isinstance(image, str):
        return ""
    name = image.split("@", 1)[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    return name[:colon] if colon > slash else name
