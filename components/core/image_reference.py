"""The container image reference grammar, shared by the app image and the cache sidecar's image."""

import re

# The Docker reference grammar (distribution/reference), restricted to what this stack deploys:
# an explicit registry host, and a sha256 digest when a digest is given.
_HOST_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_REGISTRY = rf"{_HOST_PART}(?:\.{_HOST_PART})*(?::[0-9]+)?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
IMAGE_REFERENCE = re.compile(
    rf"^(?P<registry>{_REGISTRY})/(?P<repository>{_PATH_PART}(?:/{_PATH_PART})*)"
    rf"(?::(?P<tag>{TAG}))?(?:@(?P<digest>sha256:[a-f0-9]{{64}}))?$"
)
