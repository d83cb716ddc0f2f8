"""Config model for the ImageRegistry component (stack config key ``<project>:image``)."""

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..core._model import ConfigModel, InSchema
from ..core.config_errors import ConfigFieldError
from ..core.image_reference import IMAGE_REFERENCE, TAG

_TAG_ONLY = re.compile(rf"^{TAG}$")
_ECR_REGISTRY = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?P<cn>\.cn)?$"
)

_URI_FORMAT = (
    "must be a full image reference, registry/repository:tag or registry/repository@sha256:<64 hex "
    "digits>, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f9c2e1 or "
    "public.ecr.aws/nginx/nginx:1.27"
)
_TAG_RULES = 'must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"'
_NOT_LATEST = '"latest" moves between pushes; pin a version or commit tag so every deploy is reproducible'
_SOURCES = ("uri", "tag", "build")


class BuildArgs(ConfigModel):
    """Build the image from a local directory on every ``pulumi up`` (``image.build``).

    ``context`` is relative to the directory ``pulumi up`` runs in; ``dockerfile`` is relative
    to ``context``.

    Example::

        BuildArgs(context="app", dockerfile="Dockerfile.prod")
    """

    context: str = Field(min_length=1)
    """The build context, relative to the directory ``pulumi up`` runs in."""
    dockerfile: str = Field(default="Dockerfile", min_length=1)
    """The Dockerfile, relative to ``context``."""


class ImageArgs(ConfigModel):
    """Which image the service runs: exactly one of ``uri``, ``tag`` or ``build``.

    ``uri``: an image that already exists anywhere (the normal case once CI pushes by commit
    SHA); no repository is created. ``tag``: a tag in the repository this stack creates, which
    CI pushes to. ``build``: Pulumi builds and pushes the image itself (needs Docker). For
    ``tag`` and ``build``, ``keepLastImages`` and ``scanOnPush`` configure that repository.

    Example::

        ImageArgs(uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f9c2e1")
        ImageArgs(tag="3f9c2e1", keep_last_images=50)
        ImageArgs(build=BuildArgs(context="app"))
    """

    uri: str | None = None
    """An existing image pinned by tag (not latest) or digest; no repository is created."""
    tag: Annotated[str, InSchema(pattern=_TAG_ONLY.pattern)] | None = None
    """A version or commit tag (not latest) in the repository this stack creates, which CI pushes."""
    build: BuildArgs | None = None
    """Build and push the image from a local directory on every deploy (needs Docker)."""
    keep_last_images: int = Field(default=20, ge=1, le=1000)
    """Images the repository keeps; older ones expire (tag or build only)."""
    scan_on_push: bool = True
    """Scan each pushed image for vulnerabilities (tag or build only)."""

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = IMAGE_REFERENCE.match(value)
        registry = match and match["registry"]
        if not match or not registry or not ("." in registry or ":" in registry or registry == "localhost"):
            raise ValueError(_URI_FORMAT)
        if not match["tag"] and not match["digest"]:
            raise ValueError(
                "must pin a tag or a digest (registry/repository:tag or registry/repository@sha256:...) "
                "so every deploy runs a known image"
            )
        if match["tag"] == "latest":
            raise ValueError(_NOT_LATEST)
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _TAG_ONLY.match(value):
            raise ValueError(_TAG_RULES)
        if value == "latest":
            raise ValueError(_NOT_LATEST)
        return value

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "ImageArgs":
        given = [key for key in _SOURCES if getattr(self, key) is not None]
        if not given:
            raise ValueError("must set exactly one of uri, tag or build")
        if len(given) > 1:
            extra = given[1]
            shown = getattr(self, extra)
            raise ConfigFieldError(
                extra,
                shown.model_dump(by_alias=True) if isinstance(shown, BuildArgs) else shown,
                f"cannot be combined with {given[0]}: set exactly one of uri, tag or build",
            )
        return self

    @model_validator(mode="after")
    def _repository_settings_need_a_repository(self) -> "ImageArgs":
        if self.uri is None:
            return self
        for field, key in (("keep_last_images", "keepLastImages"), ("scan_on_push", "scanOnPush")):
            if field in self.model_fields_set:
                raise ConfigFieldError(
                    key,
                    getattr(self, field),
                    "configures the repository this stack creates for tag or build; with uri no "
                    "repository is created, so remove it",
                )
        return self

    def ecr_repository_arn(self) -> str | None:
        """The ARN of the ECR repository ``uri`` points into; None for other registries.

        Example::

            ImageArgs(uri="123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1").ecr_repository_arn()
            # "arn:aws:ecr:eu-west-1:123456789012:repository/web"
        """
        match = IMAGE_REFERENCE.match(self.uri or "")
        ecr = _ECR_REGISTRY.match(match["registry"]) if match else None
        if match is None or ecr is None:
            return None
        region = ecr["region"]
        if ecr["cn"]:
            partition = "aws-cn"
        elif region.startswith("us-gov-"):
            partition = "aws-us-gov"
        else:
            partition = "aws"
        return f"arn:{partition}:ecr:{region}:{ecr['account']}:repository/{match['repository']}"
