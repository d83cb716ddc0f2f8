"""``transforms`` on a component's options reach its children: the escape hatch for any child.

The mock monitor does not run transforms (the engine does), so ``EngineTransforms`` below does
what the engine does with them: a resource's own transforms, then each ancestor's, rewrite its
inputs before it is registered.
"""

from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import _resolve_callbacks  # pyright: ignore[reportPrivateUsage]
from pulumi.runtime.sync_await import _sync_await  # pyright: ignore[reportPrivateUsage]

from components import LogEncryptionKey
from offline.mocks import RecordingMonitor
from offline.run import PlanResult, ProgramRun

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


class EngineTransforms(RecordingMonitor):
    """A recording monitor that applies inherited ``transforms`` the way the engine does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inherited: dict[str, list[Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        chain = _resolve_callbacks(request.transforms) + self._inherited.get(request.parent, [])
        if chain:
            props = rpc.deserialize_properties(request.object, keep_unknowns=True)
            for transform in chain:
                result = transform(
                    pulumi.ResourceTransformArgs(
                        custom=bool(request.custom),
                        type_=request.type,
                        name=request.name,
                        props=props,
                        opts=pulumi.ResourceOptions(),
                    )
                )
                if result is not None:
                    props = result.props
            request.object.CopyFrom(_sync_await(rpc.serialize_properties(props, {})))
        response = super().RegisterResource(request)
        self._inherited[response.urn] = chain
        return response


def shorter_key_deletion_window(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == KEY:
        return pulumi.ResourceTransformResult(props={**args.props, "deletionWindowInDays": 7}, opts=args.opts)
    return None


def build(opts: pulumi.ResourceOptions | None) -> PlanResult:
    def program() -> None:
        LogEncryptionKey("logs", region="eu-west-1", opts=opts)

    run = ProgramRun({"aws:region": "eu-west-1"}, project="webapp", stack="dev", program=program)
    run.monitor = EngineTransforms(run.mocks)
    return run.execute()


def test_a_transform_on_the_component_changes_only_the_child_it_targets() -> None:
    plain = build(None)
    assert plain.one(KEY).inputs["deletionWindowInDays"] == 30

    transformed = build(pulumi.ResourceOptions(transforms=[shorter_key_deletion_window]))
    key = transformed.one(KEY)
    assert key.inputs["deletionWindowInDays"] == 7
    # Everything else the component sets on the key, and its other children, are untouched.
    assert {k: v for k, v in key.inputs.items() if k != "deletionWindowInDays"} == {
        k: v for k, v in plain.one(KEY).inputs.items() if k != "deletionWindowInDays"
    }
    assert transformed.one(ALIAS).inputs == plain.one(ALIAS).inputs
