"""Config model for request tracing (OpenTelemetry): stack key ``<project>:tracing``."""

from typing import Annotated

from ..core._model import Between, ConfigEnum, ConfigModel


class TracingMode(ConfigEnum):
    """Where the spans go, and which agent runs beside the app to send them."""

    APPLICATION_SIGNALS = "applicationSignals"
    """CloudWatch Application Signals: the CloudWatch agent as a sidecar; service metrics (latency,
    faults, errors per operation, from every request) and SLOs, plus the sampled traces in X-Ray."""
    XRAY = "xray"
    """X-Ray only: an ADOT collector sidecar exporting the sampled traces; no service metrics."""


class Instrumentation(ConfigEnum):
    """How the app's code produces spans."""

    PYTHON = "python"
    """Zero-code: an init container copies ADOT's Python auto-instrumentation into the task and the
    app's interpreter loads it through PYTHONPATH (CPython 3.10+ on glibc, not Alpine)."""
    NONE = "none"
    """The image instruments itself (Rails, Node, Java...): it gets only the OTEL_* environment."""


class TracingArgs(ConfigModel):
    """Request traces for the API and the workers (``tracing``); off unless enabled (prod profile on).

    One switch for every service: each task gets an agent sidecar (``mode``) and the app container
    the ``OTEL_*`` environment pointing at it, with ``sampling`` of the requests traced. With
    ``instrumentation: python`` a FastAPI/Django/Flask + asyncpg/psycopg + Celery app emits spans
    without code changes; any other runtime loads its OpenTelemetry SDK itself and reads the same
    environment. The migration task is never traced (a one-off command, not a service).

    Example::

        TracingArgs(enabled=True, sampling=0.05, mode=TracingMode.APPLICATION_SIGNALS)
    """

    enabled: bool = False
    """Run the tracing agent in every service's tasks and point the app at it (prod profile: true)."""
    sampling: Annotated[float, Between(0, 1, " (a fraction of requests: 0.05 traces 5%)")] = 0.05
    """Fraction of requests whose traces are kept, 0 to 1; Application Signals' metrics count them all."""
    mode: TracingMode = TracingMode.APPLICATION_SIGNALS
    """applicationSignals (CloudWatch agent: service metrics, SLOs and traces) or xray (traces only)."""
    instrumentation: Instrumentation = Instrumentation.PYTHON
    """python: zero-code ADOT auto-instrumentation copied in by an init container; none: the image's own."""
