"""SiteContent: objects and their headers, upload order, content hash, invalidation provider, buildDir."""

import base64
import datetime
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import boto3
import dill
import pulumi
import pytest
from botocore.stub import Stubber
from pulumi.dynamic.dynamic import serialize_provider

from components import ConfigError, validate_config
from components.delivery.cloudfront_invalidation import CloudFrontInvalidation, InvalidationProvider
from components.delivery.site_content import SiteContent
from components.delivery.site_files import cache_control, content_hash, content_type, site_files
from components.edge.static_site_args import StaticSiteArgs
from tests.harness import PlanResult, run_components

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DYNAMIC = "pulumi-python:dynamic:Resource"
HASHED = ("/assets/*", "/_next/*")
IMMUTABLE = "public, max-age=31536000, immutable"
FILES = {
    "index.html": b"<!doctype html><script src=/assets/app.3f2a.js></script>",
    "assets/app.3f2a.js": b"console.log('app')",
    "assets/app.3f2a.css": b"body{margin:0}",
    "favicon.ico": b"\x00\x00\x01\x00",
    "robots.txt": b"User-agent: *\n",
    "nested/page.html": b"<!doctype html><p>nested</p>",
    "release.xyzzy": b"\x01\x02",
}


def make_build(root: Path, files: dict[str, bytes] = FILES) -> Path:
    for key, data in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture
def build(tmp_path: Path) -> Path:
    return make_build(tmp_path / "dist")


def deploy(build_dir: Path, hashed: tuple[str, ...] = HASHED) -> PlanResult:
    def program() -> None:
        content = SiteContent(
            "site", build_dir=build_dir, bucket_name="site-content-bucket", distribution_id="EDIST123",
            hashed_asset_paths=hashed,
        )  # fmt: skip
        pulumi.export("contentHash", content.content_hash)
        pulumi.export("objectCount", content.object_count)
        pulumi.export("invalidationId", content.invalidation.invalidation_id)

    return run_components(program)


def test_one_object_per_file_with_key_type_and_cache_headers(build: Path) -> None:
    result = deploy(build)
    objects = {r.inputs["key"]: r for r in result.by_type(OBJECT)}
    assert {key: (r.inputs["contentType"], r.inputs["cacheControl"]) for key, r in objects.items()} == {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "assets/app.3f2a.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/app.3f2a.css": ("text/css; charset=utf-8", IMMUTABLE),
        "favicon.ico": ("image/x-icon", "no-cache"),
        "robots.txt": ("text/plain; charset=utf-8", "no-cache"),
        "nested/page.html": ("text/html; charset=utf-8", "no-cache"),
        "release.xyzzy": ("application/octet-stream", "no-cache"),
    }
    for key, registration in objects.items():
        assert registration.name == f"site-{key}"
        assert registration.inputs["bucket"] == "site-content-bucket"
        assert registration.inputs["source"].path == str(build / key)
        assert registration.inputs["sourceHash"] == hashlib.sha256(FILES[key]).hexdigest()
    assert result.outputs["objectCount"] == 7
    component = result.one("webapp:index:SiteContent")
    assert all(r.parent == component.urn for r in objects.values())


def test_relative_build_dir_stays_relative_in_the_asset(build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An absolute path would differ between a laptop and CI.
    monkeypatch.chdir(build.parent)
    result = deploy(Path("dist"))
    sources = {r.inputs["key"]: r.inputs["source"].path for r in result.by_type(OBJECT)}
    assert sources["index.html"] == "dist/index.html"
    assert sources["nested/page.html"] == "dist/nested/page.html"


def test_html_waits_for_every_other_object(build: Path) -> None:
    result = deploy(build)
    objects = {r.inputs["key"]: r for r in result.by_type(OBJECT)}
    assets = {objects[k].urn for k in objects if not k.endswith(".html")}
    assert len(assets) == 5
    for page in ("index.html", "nested/page.html"):
        assert set(objects[page].dependencies) == assets
    assert all(objects[k].dependencies == [] for k in objects if not k.endswith(".html"))


def test_invalidation_covers_everything_after_every_object(build: Path) -> None:
    result = deploy(build)
    invalidation = result.one(DYNAMIC, "site-invalidation")
    assert {k: v for k, v in invalidation.inputs.items() if k != "__provider"} == {
        "distributionId": "EDIST123",
        "contentHash": content_hash(site_files(build, HASHED)),
        "paths": ["/*"],
    }
    assert set(invalidation.dependencies) == {r.urn for r in result.by_type(OBJECT)}
    assert invalidation.parent == result.one("webapp:index:SiteContent").urn
    assert result.outputs["contentHash"] == invalidation.inputs["contentHash"]
    assert result.outputs["invalidationId"] == "IMOCK-site-invalidation"


def test_hashed_asset_paths_decide_cache_control(build: Path) -> None:
    result = deploy(build, hashed=("/nested/*",))
    cache = {r.inputs["key"]: r.inputs["cacheControl"] for r in result.by_type(OBJECT)}
    assert cache["nested/page.html"] == IMMUTABLE
    assert cache["assets/app.3f2a.js"] == "no-cache"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("assets/app.js", IMMUTABLE),
        ("assets/chunks/deep/x.js", IMMUTABLE),  # CloudFront's * spans "/"
        ("_next/static/abc.css", IMMUTABLE),
        ("Assets/app.js", "no-cache"),  # path patterns are case-sensitive
        ("assets", "no-cache"),
        ("next/x.js", "no-cache"),
        ("index.html", "no-cache"),
    ],
)
def test_cache_control_uses_cloudfront_path_patterns(key: str, expected: str) -> None:
    assert cache_control(key, HASHED) == expected


def test_question_mark_matches_one_character() -> None:
    assert cache_control("v1/app.js", ["/v?/*"]) == IMMUTABLE
    assert cache_control("v10/app.js", ["/v?/*"]) == "no-cache"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a/b.MJS", "text/javascript; charset=utf-8"),
        ("app.js.map", "application/json"),
        ("site.webmanifest", "application/manifest+json"),
        ("font.woff2", "font/woff2"),
        ("logo.svg", "image/svg+xml"),
        ("module.wasm", "application/wasm"),
        ("photo.JPG", "image/jpeg"),
        ("clip.mp4", "video/mp4"),  # not in the table: Python's built-in one
        ("LICENSE", "application/octet-stream"),
        (".well-known/security.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_types(key: str, expected: str) -> None:
    assert content_type(key) == expected


def test_content_hash_follows_bytes_names_and_headers_not_mtime(tmp_path: Path) -> None:
    def hash_of(root: Path, hashed: tuple[str, ...] = HASHED) -> str:
        return content_hash(site_files(root, hashed))

    first = make_build(tmp_path / "a")
    same = make_build(tmp_path / "b")
    assert hash_of(first) == hash_of(same)
    os.utime(same / "index.html", (0, 0))
    assert hash_of(first) == hash_of(same)

    changed = make_build(tmp_path / "c", {**FILES, "robots.txt": b"User-agent: +\n"})
    assert hash_of(changed) != hash_of(first)

    renamed = make_build(tmp_path / "d")
    (renamed / "favicon.ico").rename(renamed / "favicon2.ico")
    assert hash_of(renamed) != hash_of(first)

    assert hash_of(first, ("/nested/*",)) != hash_of(first)


def test_ds_store_skipped_and_inner_symlinks_followed(build: Path) -> None:
    (build / ".DS_Store").write_bytes(b"finder")
    (build / "assets" / ".DS_Store").write_bytes(b"finder")
    (build / "latest.js").symlink_to(build / "assets" / "app.3f2a.js")
    (build / "docs").symlink_to(build / "nested", target_is_directory=True)
    files = {f.key: f for f in site_files(build, HASHED)}
    assert sorted(files) == sorted([*FILES, "latest.js", "docs/page.html"])
    assert files["latest.js"].sha256 == files["assets/app.3f2a.js"].sha256
    assert files["latest.js"].cache_control == "no-cache"


def test_symlink_out_of_the_build_is_refused(build: Path, tmp_path: Path) -> None:
    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key = nope")
    (build / "config.txt").symlink_to(secret)
    with pytest.raises(ValueError, match=r"^config.txt is a symlink to .*credentials, outside the build"):
        site_files(build, HASHED)


def test_symlinked_directory_out_of_the_build_is_refused(build: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (build / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match=r"^more is a symlink to .*elsewhere, outside the build"):
        site_files(build, HASHED)


def test_symlink_loop_is_refused(build: Path) -> None:
    (build / "nested" / "up").symlink_to(build, target_is_directory=True)
    with pytest.raises(ValueError, match=r"^nested/up is a symlink loop"):
        site_files(build, HASHED)


def test_component_refuses_an_empty_or_missing_build(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="has no files to upload"):
        deploy(tmp_path / "empty")
    with pytest.raises(ValueError, match="is not a directory"):
        deploy(tmp_path / "missing")


# The provider, against a real boto3 client whose HTTP layer is a botocore Stubber.


@pytest.fixture
def cloudfront(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMOCKMOCKMOCKMOCK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mock-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    client = boto3.client("cloudfront")
    made: list[str] = []

    def fake_client(service: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service)
        return client

    monkeypatch.setattr(boto3, "client", fake_client)
    with Stubber(client) as stubber:
        yield stubber, made
        stubber.assert_no_pending_responses()


def invalidation_response(invalidation_id: str, reference: str) -> dict[str, Any]:
    return {
        "Location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/EDIST123/invalidation/{invalidation_id}",
        "Invalidation": {
            "Id": invalidation_id,
            "Status": "InProgress",
            "CreateTime": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference},
        },
    }


PROPS = {"distributionId": "EDIST123", "contentHash": "a" * 64, "paths": ["/*"]}


def test_create_invalidates_everything_with_the_hash_as_caller_reference(cloudfront: Any) -> None:
    stubber, made = cloudfront
    stubber.add_response(
        "create_invalidation",
        invalidation_response("I2MOCKFIRST", "a" * 64),
        {
            "DistributionId": "EDIST123",
            "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "a" * 64},
        },
    )
    result = InvalidationProvider().create({**PROPS, "__provider": "serialized"})
    assert result.id == "I2MOCKFIRST"
    assert result.outs == {**PROPS, "invalidationId": "I2MOCKFIRST"}
    assert made == ["cloudfront"]


def test_update_invalidates_again_with_a_new_caller_reference(cloudfront: Any) -> None:
    stubber, _made = cloudfront
    olds = {**PROPS, "invalidationId": "I2MOCKFIRST"}
    news = {**PROPS, "contentHash": "b" * 64}
    reference = f"{'b' * 64}-after-I2MOCKFIRST"
    stubber.add_response(
        "create_invalidation",
        invalidation_response("I2MOCKSECOND", reference),
        {
            "DistributionId": "EDIST123",
            "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference},
        },
    )
    result = InvalidationProvider().update("I2MOCKFIRST", olds, news)
    assert result.outs == {**news, "invalidationId": "I2MOCKSECOND"}


def test_diff_reports_changes_only_for_hash_distribution_or_paths() -> None:
    provider = InvalidationProvider()
    olds = {**PROPS, "invalidationId": "I2MOCKFIRST", "__provider": "old-serialization"}
    same = provider.diff("I2MOCKFIRST", olds, {**PROPS, "__provider": "new-serialization"})
    assert same.changes is False
    for change in ({"contentHash": "b" * 64}, {"distributionId": "EOTHER"}, {"paths": ["/index.html"]}):
        diff = provider.diff("I2MOCKFIRST", olds, {**PROPS, **change})
        assert (diff.changes, diff.replaces) == (True, [])


def test_delete_calls_no_aws_api(cloudfront: Any) -> None:
    # The stubber has no responses queued: any call would raise.
    _stubber, made = cloudfront
    assert InvalidationProvider().delete("I2MOCKFIRST", {**PROPS, "invalidationId": "I2MOCKFIRST"}) is None
    assert made == []


def test_provider_pickles_by_reference_and_round_trips() -> None:
    serialized = serialize_provider(InvalidationProvider())
    assert b"components.delivery.cloudfront_invalidation" in base64.b64decode(serialized)
    assert isinstance(dill.loads(base64.b64decode(serialized)), InvalidationProvider)


def test_invalidation_paths_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="paths must be non-empty, each starting with /"):
        CloudFrontInvalidation("bad", distribution_id="E1", content_hash="h", paths=["index.html"])


# site.buildDir validation.


def build_dir_problems(value: Any) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(StaticSiteArgs, {"buildDir": value}, "webapp:site")
    return err.value.problems


def test_build_dir_must_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "dist")
    assert build_dir_problems(missing) == [
        f'webapp:site.buildDir = "{missing}": no such directory '
        "(build the frontend first, e.g. npm run build)"
    ]


def test_build_dir_must_be_a_directory_with_index_html(build: Path) -> None:
    assert build_dir_problems(str(build / "robots.txt")) == [
        f'webapp:site.buildDir = "{build / "robots.txt"}": is a file, not a directory: point it at the '
        "build output, such as dist or out"
    ]
    assert build_dir_problems(str(build / "assets")) == [
        f'webapp:site.buildDir = "{build / "assets"}": has no index.html: point it at the build output, '
        "such as dist or out"
    ]
    assert build_dir_problems("  ") == [
        'webapp:site.buildDir = "  ": must not be empty; leave it out (null) to upload nothing'
    ]


def test_build_dir_relative_to_the_current_directory(build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(build.parent)
    assert validate_config(StaticSiteArgs, {"buildDir": "dist"}, "webapp:site").build_dir == "dist"
    assert validate_config(StaticSiteArgs, {}, "webapp:site").build_dir is None
    shutil.rmtree(build)
    assert build_dir_problems("dist") == [
        'webapp:site.buildDir = "dist": no such directory (build the frontend first, e.g. npm run build)'
    ]
