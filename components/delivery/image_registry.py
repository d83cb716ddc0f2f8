"""ImageRegistry: the container image a service runs, and the ECR repository it comes from."""

import json
import posixpath
import re

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ..compute.fargate_task_size import Architecture
from ..core.outputs import register_declared_outputs
from ..core.wiring import ImageRef
from .image_registry_args import ImageArgs

_PLATFORMS: dict[Architecture, str] = {Architecture.ARM64: "linux/arm64", Architecture.X86_64: "linux/amd64"}

# The one tag Pulumi's own builds push to. Tags are immutable except this one: awsx reuses a
# tag per build context, and an immutable tag would reject every rebuild after the first.
# Services still pin the pushed digest, so a deploy never changes under a running task.
BUILD_TAG = "pulumi-build"


class ImageRegistry(pulumi.ComponentResource):
    """Resolve ``ImageArgs`` into an ``ImageRef``: an image URI plus what to grant pulls on.

    - ``uri``: nothing is created. An ECR URI yields its repository's ARN (the execution role
      gets pull rights on it); any other registry yields ``repository_arn=None``.
    - ``tag``: creates a private ECR repository (immutable tags, scan on push, KMS encryption
      with the AWS-managed key, lifecycle policy) and points at ``<repositoryUrl>:<tag>``. CI
      pushes that tag; until it does, the service cannot start (the first ``pulumi up`` creates
      the repository, so push after it).
    - ``build``: the same repository, plus an ``awsx.ecr.Image`` that builds ``build.context``
      for ``architecture`` and pushes it during ``pulumi up``. **Docker (with buildx) must be
      running where ``pulumi up`` runs.** The URI pins the pushed digest.

    Pass ``protect=True`` in production so the repository (and its images) cannot be deleted
    by a ``pulumi destroy`` or a replacement; ``ephemeral=True`` (a stack meant to be destroyed)
    lets a destroy delete it with its images, which ECR otherwise refuses.

    Example::

        registry = ImageRegistry("web", ImageArgs(tag="3f9c2e1"), architecture=Architecture.ARM64,
                                 protect=True, opts=pulumi.ResourceOptions(providers={"aws": provider}))
        ContainerService("web", ..., image=registry.image)
    """

    image: ImageRef
    # The URI tasks run: the configured one, ``<repositoryUrl>:<tag>`` or the pushed digest.
    image_uri: pulumi.Input[str]
    repository_url: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        *,
        architecture: Architecture,
        protect: bool = False,
        ephemeral: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webapp:index:ImageRegistry", name, None, opts)

        self.repository: aws.ecr.Repository | None = None
        self.build: awsx.ecr.Image | None = None
        if args.uri is not None:
            self.repository_url = None
            self.image_uri = args.uri
            self.image = ImageRef(uri=self.image_uri, repository_arn=args.ecr_repository_arn())
            register_declared_outputs(self)
            return

        repository = self._repository(name, args, protect, ephemeral)
        self.image_uri = (
            self._build(name, args, architecture) if args.build is not None else self._tagged(args)
        )
        self.image = ImageRef(uri=self.image_uri, repository_arn=repository.arn)
        register_declared_outputs(self)

    def _repository(self, name: str, args: ImageArgs, protect: bool, ephemeral: bool) -> aws.ecr.Repository:
        """The private ECR repository (immutable tags, scan on push) and its lifecycle policy."""
        # Builds re-push BUILD_TAG (see above); every other tag stays immutable.
        exclusions = (
            None
            if args.build is None
            else [
                aws.ecr.RepositoryImageTagMutabilityExclusionFilterArgs(
                    filter=BUILD_TAG, filter_type="WILDCARD"
                )
            ]
        )
        self.repository = aws.ecr.Repository(
            f"{name}-repo",
            name=_repository_name(pulumi.get_project(), pulumi.get_stack(), name),
            image_tag_mutability="IMMUTABLE" if exclusions is None else "IMMUTABLE_WITH_EXCLUSION",
            image_tag_mutability_exclusion_filters=exclusions,
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=args.scan_on_push
            ),
            # No kms_key: ECR uses its AWS-managed key, which pulls need no key grant for.
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS")],
            force_delete=ephemeral,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.lifecycle_policy = aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.repository.name,
            policy=lifecycle_policy(args.keep_last_images),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.repository_url = self.repository.repository_url
        return self.repository

    def _build(self, name: str, args: ImageArgs, architecture: Architecture) -> pulumi.Output[str]:
        """``build``: awsx builds and pushes the image during ``pulumi up``; the URI pins its digest."""
        assert args.build is not None and self.repository is not None
        self.build = awsx.ecr.Image(
            f"{name}-build",
            repository_url=self.repository.repository_url,
            context=args.build.context,
            # awsx and docker-build resolve the Dockerfile against the working directory,
            # not the context; the config key is relative to the context, as in Docker Compose.
            dockerfile=posixpath.join(args.build.context, args.build.dockerfile),
            platform=_PLATFORMS[architecture],
            image_tag=BUILD_TAG,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return self.build.image_uri

    def _tagged(self, args: ImageArgs) -> pulumi.Output[str]:
        """``tag``: the repository URL and the tag CI pushes."""
        assert self.repository is not None
        tag = args.tag
        return self.repository.repository_url.apply(lambda url: f"{url}:{tag}")


def lifecycle_policy(keep_last_images: int) -> str:
    """ECR lifecycle policy JSON: expire untagged images after a day, keep the newest N images.

    ECR requires the ``tagStatus: any`` rule to have the highest ``rulePriority``, so the
    untagged rule comes first.
    """
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "Expire untagged images (superseded builds, failed pushes) after 1 day",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 1,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep only the {keep_last_images} most recent images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_last_images,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


def _repository_name(project: str, stack: str, name: str) -> str:
    """``<project>/<stack>/<name>`` in the lowercase alphabet ECR repository names allow."""
    parts = (re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") or "x" for part in (project, stack, name))
    return "/".join(parts)
