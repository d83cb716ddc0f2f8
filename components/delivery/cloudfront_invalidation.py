"""A CloudFront invalidation as a Pulumi resource, created again whenever the content hash changes.

A Pulumi dynamic provider (ADR 0009): ``create`` and ``update`` call CloudFront's
CreateInvalidation through boto3 and return at once; CloudFront finishes in the background.

Example::

    CloudFrontInvalidation("site-invalidation", distribution_id=site.distribution_id,
                           content_hash=files_hash, opts=pulumi.ResourceOptions(depends_on=objects))
"""

from collections.abc import Sequence
from typing import Any

import boto3
import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

# One wildcard path is billed as one path (1,000 free per month), however many objects it covers.
ALL_PATHS = ("/*",)
# The inputs whose change means "invalidate again". invalidationId is an output.
TRIGGERS = ("distributionId", "contentHash", "paths")
# State keys in camelCase like every other resource's; Python attributes in snake_case.
_ENGINE_NAMES = {
    "distribution_id": "distributionId",
    "content_hash": "contentHash",
    "invalidation_id": "invalidationId",
}
_PYTHON_NAMES = {engine: python for python, engine in _ENGINE_NAMES.items()}


class InvalidationProvider(ResourceProvider):
    """CRUD for one invalidation; stateless, so it pickles cleanly into the Pulumi state.

    The boto3 client is made inside each call from the standard AWS credential chain
    (environment, ``AWS_PROFILE``, an assumed role in CI); ``aws:profile`` stack config does
    not reach it.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        invalidation_id = _invalidate(props, caller_reference=str(props["contentHash"]))
        return CreateResult(invalidation_id, _outputs(props, invalidation_id))

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        # CloudFront answers a repeated CallerReference with the earlier invalidation instead of
        # a new one, so a rollback to an earlier build would invalidate nothing under the bare
        # hash. Chaining the previous invalidation's ID keeps every reference new, yet the same
        # for a retry of this very update.
        previous = _olds.get("invalidationId") or _id
        invalidation_id = _invalidate(_news, caller_reference=f"{_news['contentHash']}-after-{previous}")
        return UpdateResult(_outputs(_news, invalidation_id))

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        # Without this the engine compares every input, the serialized provider included, so a
        # Pulumi or dill upgrade alone would invalidate the cache. An update, never a replace:
        # a replace would also run delete, which has nothing to undo.
        changed = [key for key in TRIGGERS if _olds.get(key) != _news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[])

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # An invalidation cannot be cancelled or undone, and it expires from CloudFront's history
        # on its own; forgetting it is all there is to do.
        return None


class CloudFrontInvalidation(pulumi.dynamic.Resource):
    """Invalidate ``paths`` on a distribution once per distinct ``content_hash``.

    Does not wait for the invalidation to complete (that takes minutes and would hold up the
    deploy); ``invalidation_id`` names the latest one for ``aws cloudfront get-invalidation``.

    Example::

        CloudFrontInvalidation("site-invalidation", distribution_id="E123", content_hash="ab12...")
    """

    invalidation_id: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    content_hash: pulumi.Output[str]
    paths: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        distribution_id: pulumi.Input[str],
        content_hash: pulumi.Input[str],
        paths: Sequence[str] = ALL_PATHS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if not paths or any(not path.startswith("/") for path in paths):
            raise ValueError(
                f"CloudFrontInvalidation {name!r}: paths must be non-empty, each starting with /"
            )
        props = {
            "distribution_id": distribution_id,
            "content_hash": content_hash,
            "paths": list(paths),
            "invalidation_id": None,  # declared so the output attribute exists
        }
        super().__init__(InvalidationProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _ENGINE_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _PYTHON_NAMES.get(prop, prop)


def _invalidate(props: dict[str, Any], *, caller_reference: str) -> str:
    paths = [str(path) for path in props["paths"]]
    client = boto3.client("cloudfront")
    response = client.create_invalidation(
        DistributionId=str(props["distributionId"]),
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": caller_reference,
        },
    )
    return str(response["Invalidation"]["Id"])


def _outputs(props: dict[str, Any], invalidation_id: str) -> dict[str, Any]:
    # The engine hands these back as "olds" to the next diff, so the triggers must be in them.
    return {**{key: props[key] for key in TRIGGERS}, "invalidationId": invalidation_id}
