#!/usr/bin/env bash
# Usage: scripts/ci/build-image.sh CONTEXT PLATFORM ARCHIVE
# Build the app image from CONTEXT for PLATFORM (linux/arm64 for service.architecture ARM64) into
# an OCI archive, which scripts/ci/push-image.sh then pushes unchanged into each stack's repository.
set -euo pipefail
context=${1:?usage: build-image.sh CONTEXT PLATFORM ARCHIVE}
platform=${2:?usage: build-image.sh CONTEXT PLATFORM ARCHIVE}
archive=${3:?usage: build-image.sh CONTEXT PLATFORM ARCHIVE}

if [[ ! -f $context/Dockerfile ]]; then
  echo "no Dockerfile in '$context': put the app's Dockerfile there, or set the repository variable" \
    "IMAGE_BUILD_CONTEXT to the directory that has it" >&2
  exit 1
fi
# The OCI exporter needs a buildx builder with the docker-container driver (setup-buildx-action).
docker buildx build --platform "$platform" --output "type=oci,dest=$archive" "$context"
