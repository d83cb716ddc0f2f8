"""The frontend build as S3 objects-to-be: keys, Content-Type, Cache-Control and a content hash.

Pure functions over a directory, so SiteContent stays small and the rules are testable without
Pulumi. Example::

    files = site_files(Path("dist"), ("/assets/*", "/_next/*"))
    content_hash(files)   # changes when any byte, key or header changes; mtime does not count
"""

import hashlib
import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"
# Not "no-store": the browser and CloudFront keep the copy but ask first, and an unchanged file
# costs a 304 instead of a download.
REVALIDATE = "no-cache"
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# The web's types spelled out: the guess below depends on the Python version, and text types
# need an explicit charset or browsers guess one.
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "json": "application/json",
    "map": "application/json",
    "svg": "image/svg+xml",
    "wasm": "application/wasm",
    "webmanifest": "application/manifest+json",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "ico": "image/x-icon",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "txt": "text/plain; charset=utf-8",
    "xml": "application/xml",
    "pdf": "application/pdf",
}
# Python's built-in table only: mimetypes.guess_type would also read /etc/mime.types (or the
# Windows registry), so a laptop and CI could disagree on a type and re-upload every deploy.
_BUILTIN_TYPES = mimetypes.MimeTypes()
# Finder litter; never part of a build.
SKIPPED_NAMES = frozenset({".DS_Store"})


@dataclass(frozen=True)
class SiteFile:
    """One file of the build: ``build_dir / key`` (read through any symlink), headers, SHA-256."""

    path: Path
    key: str
    content_type: str
    cache_control: str
    sha256: str

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


def content_type(key: str) -> str:
    """The Content-Type for an object key: the web table, Python's table, then octet-stream."""
    name = key.rsplit("/", 1)[-1]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension]
    guessed, _encoding = _BUILTIN_TYPES.guess_type(key, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def cache_control(key: str, hashed_asset_paths: Sequence[str]) -> str:
    """A year and immutable under a hashed-asset path pattern, revalidate everything else.

    Patterns use CloudFront's semantics, which fnmatchcase shares: case-sensitive, ``*`` spans
    "/" too, ``?`` is one character.
    """
    path = "/" + key
    if any(fnmatchcase(path, pattern) for pattern in hashed_asset_paths):
        return IMMUTABLE
    return REVALIDATE


def site_files(build_dir: Path, hashed_asset_paths: Sequence[str]) -> list[SiteFile]:
    """Every file under ``build_dir`` (symlinks inside it followed), sorted by key.

    Raises ValueError for a symlink that leaves ``build_dir`` (it would publish a file from
    elsewhere on the machine), a broken symlink or a symlink loop.
    """
    root = build_dir.resolve(strict=True)
    files = []
    for path, key in _walk(root, root, "", frozenset({root})):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        # The path as the caller spelled it (relative in the stack), not the resolved one, so the
        # asset recorded in the state is the same on every machine.
        source = build_dir / key
        files.append(SiteFile(source, key, content_type(key), cache_control(key, hashed_asset_paths), digest))
    return sorted(files, key=lambda f: f.key)


def content_hash(files: Sequence[SiteFile]) -> str:
    """SHA-256 over every (key, bytes' SHA-256, Content-Type, Cache-Control), order-independent.

    Headers count: CloudFront caches them with the body, so a changed Cache-Control needs an
    invalidation as much as a changed byte. Timestamps do not count, so a rebuild of the same
    source changes nothing.
    """
    entries = sorted([f.key, f.sha256, f.content_type, f.cache_control] for f in files)
    return hashlib.sha256(json.dumps(entries, separators=(",", ":")).encode()).hexdigest()


def _walk(root: Path, directory: Path, prefix: str, chain: frozenset[Path]) -> list[tuple[Path, str]]:
    # chain: the resolved directories from root down to here, to catch a link back up.
    found: list[tuple[Path, str]] = []
    for entry in sorted(directory.iterdir()):
        if entry.name in SKIPPED_NAMES:
            continue
        key = prefix + entry.name
        target = _inside(root, entry, key)
        if target.is_dir():
            resolved = target.resolve()
            if resolved in chain:
                raise ValueError(f"{key} is a symlink loop (it points back at {resolved}); remove it")
            found += _walk(root, resolved, key + "/", chain | {resolved})
        elif target.is_file():
            found.append((target, key))
    return found


def _inside(root: Path, entry: Path, key: str) -> Path:
    if not entry.is_symlink():
        return entry
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise ValueError(f"{key} is a broken symlink in the build directory {root}") from err
    if target != root and root not in target.parents:
        raise ValueError(
            f"{key} is a symlink to {target}, outside the build directory {root}; "
            "copy the file into the build instead of linking it"
        )
    return target
