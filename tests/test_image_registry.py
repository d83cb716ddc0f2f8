"""The ImageRegistry component: which image a service runs, and which repository it may pull from."""

import json
from typing import Any

import pulumi
import pytest

from components import ConfigError, validate_config
from components.compute.fargate_task_size import Architecture
from components.delivery.image_registry import BUILD_TAG, ImageRegistry
from components.delivery.image_registry_args import BuildArgs, ImageArgs
from tests.harness import PlanResult, run_components

REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
AWSX_IMAGE = "awsx:ecr:Image"
REPO_URL = "123456789012.dkr.ecr.us-east-1.amazonaws.com/webapp/dev/web"
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/webapp/dev/web"
DIGEST = "sha256:" + "ab" * 32


def build(
    args: ImageArgs,
    architecture: Architecture = Architecture.ARM64,
    protect: bool = False,
    stack: str = "dev",
) -> PlanResult:
    def program() -> None:
        registry = ImageRegistry("web", args, architecture=architecture, protect=protect)
        pulumi.export("uri", registry.image.uri)
        pulumi.export("repositoryArn", registry.image.repository_arn)
        pulumi.export("repositoryUrl", registry.repository_url)

    return run_components(program, stack=stack)


def image_args(data: dict[str, Any]) -> ImageArgs:
    return validate_config(ImageArgs, data, "webapp:image")


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(ImageArgs, data, "webapp:image")
    return err.value.problems


# --- uri: an existing image, nothing created ---------------------------------------------------


def test_ecr_uri_creates_nothing_and_grants_on_its_repository() -> None:
    uri = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web@{DIGEST}"
    result = build(image_args({"uri": uri}))
    assert [r.type for r in result.resources] == ["webapp:index:ImageRegistry"]
    assert result.outputs == {
        "uri": uri,
        "repositoryArn": "arn:aws:ecr:eu-west-1:123456789012:repository/team/web",
        "repositoryUrl": None,
    }


def test_public_registry_uri_has_nothing_to_grant() -> None:
    result = build(image_args({"uri": "public.ecr.aws/nginx/nginx:1.27"}))
    assert result.outputs["uri"] == "public.ecr.aws/nginx/nginx:1.27"
    assert result.outputs["repositoryArn"] is None
    assert result.by_type(REPO) == []


@pytest.mark.parametrize(
    ("uri", "arn"),
    [
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f9c2e1",
            "arn:aws:ecr:us-east-1:{a}:repository/web",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1",
            "arn:aws-cn:ecr:cn-north-1:{a}:repository/web",
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b:1",
            "arn:aws-us-gov:ecr:us-gov-west-1:{a}:repository/a/b",
        ),
        ("ghcr.io/acme/web:1.0.0", None),
        ("docker.io/library/nginx:1.27", None),
        ("localhost:5000/web:dev", None),
        ("public.ecr.aws/acme/web:1@" + DIGEST, None),
    ],
)
def test_ecr_repository_arn_from_uri(uri: str, arn: str | None) -> None:
    expected = arn.format(a="123456789012") if arn else None
    assert image_args({"uri": uri}).ecr_repository_arn() == expected


# --- tag: a repository this stack creates, CI pushes the tag ------------------------------------


@pytest.fixture(scope="module")
def tagged() -> PlanResult:
    return build(image_args({"tag": "3f9c2e1"}), protect=True)


def test_repository_is_private_immutable_scanned_and_encrypted(tagged: PlanResult) -> None:
    repo = tagged.one(REPO, "web-repo")
    assert repo.inputs == {
        "name": "webapp/dev/web",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfigurations": [{"encryptionType": "KMS"}],
        "forceDelete": False,
    }
    assert repo.protect is True
    assert repo.parent == tagged.one("webapp:index:ImageRegistry", "web").urn


def test_tag_points_into_the_new_repository(tagged: PlanResult) -> None:
    assert tagged.outputs == {
        "uri": f"{REPO_URL}:3f9c2e1",
        "repositoryArn": REPO_ARN,
        "repositoryUrl": REPO_URL,
    }


def test_lifecycle_policy_expires_untagged_first_then_keeps_the_newest(tagged: PlanResult) -> None:
    lifecycle = tagged.one(LIFECYCLE, "web-lifecycle")
    assert lifecycle.inputs["repository"] == "webapp/dev/web"
    assert lifecycle.protect is False
    assert json.loads(lifecycle.inputs["policy"]) == {
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
                "description": "Keep only the 20 most recent images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
                "action": {"type": "expire"},
            },
        ]
    }


def test_keep_last_images_scan_on_push_and_protect_follow_config() -> None:
    result = build(image_args({"tag": "v1.2.3", "keepLastImages": 5, "scanOnPush": False}))
    repo = result.one(REPO)
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": False}
    assert repo.protect is False
    [_, keep] = json.loads(result.one(LIFECYCLE).inputs["policy"])["rules"]
    assert keep["selection"]["countNumber"] == 5


def test_repository_name_is_cleaned_to_what_ecr_allows() -> None:
    result = build(image_args({"tag": "1"}), stack="Prod.EU_1")
    assert result.one(REPO).inputs["name"] == "webapp/prod-eu-1/web"


# --- build: Pulumi builds and pushes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("architecture", "platform"), [(Architecture.ARM64, "linux/arm64"), (Architecture.X86_64, "linux/amd64")]
)
def test_build_pushes_to_the_repository_for_the_task_architecture(
    architecture: Architecture, platform: str
) -> None:
    result = build(image_args({"build": {"context": "app"}}), architecture=architecture)
    image = result.one(AWSX_IMAGE, "web-build")
    assert image.remote is True
    assert image.parent == result.one("webapp:index:ImageRegistry").urn
    assert image.inputs == {
        "repositoryUrl": REPO_URL,
        "context": "app",
        "dockerfile": "app/Dockerfile",
        "platform": platform,
        "imageTag": BUILD_TAG,
    }


def test_build_repository_lets_only_the_build_tag_move() -> None:
    result = build(image_args({"build": {"context": "app", "dockerfile": "docker/Dockerfile.prod"}}))
    repo = result.one(REPO).inputs
    assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == [
        {"filter": "pulumi-build", "filterType": "WILDCARD"}
    ]
    assert result.one(AWSX_IMAGE).inputs["dockerfile"] == "app/docker/Dockerfile.prod"
    assert result.outputs["repositoryArn"] == REPO_ARN
    # The URI is whatever awsx reports (a digest); the offline mock invents one.
    assert str(result.outputs["uri"]).startswith(f"{REPO_URL}@sha256:")


# --- config errors ------------------------------------------------------------------------------


def test_exactly_one_source() -> None:
    assert problems({}) == ["webapp:image = {}: must set exactly one of uri, tag or build"]
    assert problems({"uri": "ghcr.io/acme/web:1", "tag": "1"}) == [
        'webapp:image.tag = "1": cannot be combined with uri: set exactly one of uri, tag or build'
    ]
    assert problems({"tag": "1", "build": {"context": "app"}}) == [
        'webapp:image.build = {"context": "app", "dockerfile": "Dockerfile"}: cannot be combined with tag: '
        "set exactly one of uri, tag or build"
    ]


URI_FORMAT = (
    "must be a full image reference, registry/repository:tag or registry/repository@sha256:<64 hex "
    "digits>, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f9c2e1 or "
    "public.ecr.aws/nginx/nginx:1.27"
)
UNPINNED = (
    "must pin a tag or a digest (registry/repository:tag or registry/repository@sha256:...) "
    "so every deploy runs a known image"
)
NOT_LATEST = '"latest" moves between pushes; pin a version or commit tag so every deploy is reproducible'


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("nginx:1.27", URI_FORMAT),
        ("library/nginx:1.27", URI_FORMAT),
        ("ghcr.io/Acme/web:1", URI_FORMAT),
        ("ghcr.io/acme/web:-1", URI_FORMAT),
        ("ghcr.io/acme/web@sha256:abc", URI_FORMAT),
        ("https://ghcr.io/acme/web:1", URI_FORMAT),
        ("ghcr.io/acme/web", UNPINNED),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/web", UNPINNED),
        ("ghcr.io/acme/web:latest", NOT_LATEST),
    ],
)
def test_bad_uri(uri: str, message: str) -> None:
    assert problems({"uri": uri}) == [f'webapp:image.uri = "{uri}": {message}']


TAG_RULES = 'must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"'


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("latest", NOT_LATEST),
        ("", TAG_RULES),
        (".hidden", TAG_RULES),
        ("a/b", TAG_RULES),
        ("x" * 129, TAG_RULES),
    ],
)
def test_bad_tag(tag: str, message: str) -> None:
    assert problems({"tag": tag}) == [f'webapp:image.tag = "{tag}": {message}']


def test_longest_allowed_tag() -> None:
    assert image_args({"tag": "v" * 128}).tag == "v" * 128


def test_build_needs_a_context() -> None:
    assert problems({"build": {}}) == ["webapp:image.build.context = missing: is required and has no default"]
    assert problems({"build": {"context": "app", "dockerfile": ""}}) == [
        'webapp:image.build.dockerfile = "": String should have at least 1 character'
    ]


@pytest.mark.parametrize(
    ("count", "bound"), [(0, "greater than or equal to 1"), (1001, "less than or equal to 1000")]
)
def test_keep_last_images_range(count: int, bound: str) -> None:
    assert problems({"tag": "1", "keepLastImages": count}) == [
        f"webapp:image.keepLastImages = {count}: must be {bound}"
    ]


def test_repository_settings_are_rejected_with_uri() -> None:
    assert problems({"uri": "ghcr.io/acme/web:1", "scanOnPush": False}) == [
        "webapp:image.scanOnPush = false: configures the repository this stack creates for tag or build; "
        "with uri no repository is created, so remove it"
    ]


def test_build_args_defaults() -> None:
    assert image_args({"build": {"context": "."}}).build == BuildArgs(context=".", dockerfile="Dockerfile")
