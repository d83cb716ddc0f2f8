"""Run ``provider/`` the way the Pulumi engine does: a plugin process spoken to over gRPC.

The Python language host starts a plugin as ``python <plugin dir> <engine address>`` and reads
the port it prints on stdout; the engine then calls GetSchema, and for a program's component
Construct, handing over the address of its resource monitor. Here a fake engine (Log only) and
a resource monitor backed by the offline mocks (``offline.mocks.RecordingMonitor``) stand in for
both, so Construct registers the component's children with the mocks, in this process.

Example::

    with PluginProcess() as plugin:
        schema = plugin.schema()
        result = plugin.construct("shop", {"image": {"uri": "nginx:1.27"}}, {"aws:region": "eu-west-1"})
"""

import contextvars
import json
import subprocess
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pulumi
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

from offline.mocks import PlanMocks, RecordingMonitor

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIR = ROOT / "provider"
CONSUMER_PROJECT = "consumer"
CONSUMER_STACK = "dev"
_START_TIMEOUT = 60


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        self.messages.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        return engine_pb2.SetRootResourceResponse()


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    """The resource monitor's gRPC face over the offline mocks' RecordingMonitor."""

    def __init__(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor
        # The mocks read the project and stack from the SDK's settings: run them in this context.
        self.context = contextvars.copy_context()

    def _run(self, method: str, request: Any) -> Any:
        return self.context.copy().run(getattr(self.monitor, method), request)

    def SupportsFeature(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        answer = self._run("SupportsFeature", request)
        return resource_pb2.SupportsFeatureResponse(hasSupport=answer.hasSupport)

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._run("GetDeploymentInfo", request)

    def RegisterResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._run("RegisterResource", request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._run("RegisterResourceOutputs", request)

    def Invoke(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._run("Invoke", request)

    def RegisterPackage(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self._run("RegisterPackage", request)

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:  # noqa: N802
        return empty_pb2.Empty()


class PluginProcess:
    """The provider plugin as a subprocess, plus a fake engine and mock-backed monitor it can call."""

    def __init__(self, region: str = "eu-west-1") -> None:
        self.mocks = PlanMocks(region=region)
        self.monitor = RecordingMonitor(self.mocks)
        self.engine = _Engine()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        self.process: subprocess.Popen[str] | None = None
        self.channel: grpc.Channel | None = None

    def __enter__(self) -> "PluginProcess":
        # URNs and the mocks' stand-ins use the consumer's project and stack.
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_mocks(
            self.mocks, project=CONSUMER_PROJECT, stack=CONSUMER_STACK, monitor=self.monitor
        )
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self.server)
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_Monitor(self.monitor), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.address = f"127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, str(PLUGIN_DIR), self.address],
            cwd=str(ROOT / "tests"),  # the consumer's directory, not the repository root
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.process.kill()
            raise AssertionError(f"the plugin printed no port: {line!r}\n{self.process.stderr.read()}")  # type: ignore[union-attr]
        self.channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(self.channel).result(timeout=_START_TIMEOUT)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        return self

    def __exit__(self, *_: object) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.server.stop(grace=None)

    def schema(self) -> dict[str, Any]:
        response = self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=_START_TIMEOUT)
        return json.loads(response.schema)

    def version(self) -> str:
        return self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=_START_TIMEOUT).version

    def construct(
        self, name: str, inputs: dict[str, Any], config: dict[str, str], type_: str = "webapp:index:WebApp"
    ) -> Any:
        """Send a ConstructRequest for a ``type_`` component as the engine would (numbers as floats)."""
        properties = struct_pb2.Struct()
        properties.update(inputs)
        request = provider_pb2.ConstructRequest(
            project=CONSUMER_PROJECT,
            stack=CONSUMER_STACK,
            organization="organization",
            config=config,
            dryRun=False,
            parallel=4,
            monitorEndpoint=self.address,
            type=type_,
            name=name,
            inputs=properties,
        )
        return self.stub.Construct(request, timeout=300)


def property_errors(err: grpc.RpcError) -> list[tuple[str, str]]:
    """The InputPropertiesError details the engine prints for a failed Construct."""
    [details] = [v for k, v in err.trailing_metadata() if k == "grpc-status-details-bin"]  # type: ignore[attr-defined]
    status = status_pb2.Status.FromString(details)
    found = errors_pb2.InputPropertiesError()
    assert status.details[0].Unpack(found)
    return [(e.property_path, e.reason) for e in found.errors]
