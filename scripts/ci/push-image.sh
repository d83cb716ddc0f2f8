#!/usr/bin/env bash
# Usage: scripts/ci/push-image.sh STACK ARCHIVE TAG
# Push the OCI archive into STACK's own ECR repository (stack output imageRepositoryUrl) as TAG,
# digests preserved, so every stack runs the same bytes. Tags are immutable: a TAG that is already
# there (a re-run) is left alone. IMAGE_REPOSITORY_URL names the repository instead of the output,
# for a new preview stack whose first, targeted `pulumi up` made the repository but may not have
# recorded the stack's outputs (scripts/ci/preview-up.sh).
set -euo pipefail
stack=${1:?usage: push-image.sh STACK ARCHIVE TAG}
archive=${2:?usage: push-image.sh STACK ARCHIVE TAG}
tag=${3:?usage: push-image.sh STACK ARCHIVE TAG}
cd "$(dirname "$0")/../.."

url=${IMAGE_REPOSITORY_URL:-}
if [[ -z $url ]] && { ! url=$(pulumi stack output imageRepositoryUrl --stack "$stack" 2>/dev/null) || [[ -z $url ]]; }; then
  echo "stack '$stack' has no imageRepositoryUrl output: create its repository first (README" \
    "\"First deploy\"), or use image.tag rather than image.uri or image.build" >&2
  exit 1
fi
registry=${url%%/*}
repository=${url#*/}

if aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  echo "$url:$tag is already there; not pushing again"
  exit 0
fi
if ! command -v skopeo >/dev/null; then
  sudo apt-get update -qq && sudo apt-get install -y -qq skopeo
fi
aws ecr get-login-password | skopeo login --username AWS --password-stdin "$registry"
# --all keeps the whole index (image plus build attestations), which --preserve-digests needs.
skopeo copy --all --preserve-digests "oci-archive:$archive" "docker://$url:$tag"
