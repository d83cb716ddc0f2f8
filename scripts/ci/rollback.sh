#!/usr/bin/env bash
# Usage: scripts/ci/rollback.sh STACK [TAG]
# Roll STACK's services back to image TAG, by default the image pushed into the stack's own ECR
# repository just before the one it runs now (scripts/ci/push-image.sh pushes into a stack's
# repository only when that stack deploys). The same path as a release, without the migration:
# the older code must work on the current schema, which expand/contract migrations guarantee
# (docs/guides/releasing.md). Then waits for the rollout like CI does.
set -euo pipefail
stack=${1:?usage: rollback.sh STACK [TAG]}
tag=${2:-}
cd "$(dirname "$0")/../.."

if ! url=$(pulumi stack output imageRepositoryUrl --stack "$stack" 2>/dev/null) || [[ -z $url ]]; then
  echo "stack '$stack' has no imageRepositoryUrl output: it does not deploy by image.tag" >&2
  exit 1
fi
repository=${url#*/}
running=$(pulumi stack output image --stack "$stack")
running=${running##*:}

if [[ -z $tag ]]; then
  # JSON, not text: the CLI applies --query to the whole listing only then, not page by page.
  tag=$(aws ecr describe-images --repository-name "$repository" --filter tagStatus=TAGGED \
    --query 'sort_by(imageDetails, &imagePushedAt)[].imageTags[0]' --output json |
    .venv/bin/python -c 'import json, sys
tags = json.load(sys.stdin)  # oldest first; each image has one tag, the commit SHA (or bootstrap)
at = tags.index(sys.argv[1]) if sys.argv[1] in tags else 0
print(tags[at - 1] if at > 0 else "")' "$running")
  if [[ -z $tag ]]; then
    echo "no image was pushed into $repository before $running: name the tag," \
      "scripts/ci/rollback.sh $stack TAG" >&2
    exit 1
  fi
elif ! aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  echo "$url has no image tagged $tag (the lifecycle policy keeps the newest keepLastImages)" >&2
  exit 1
fi
if [[ $tag == "$running" ]]; then
  echo "'$stack' already runs $tag" >&2
  exit 1
fi

echo "rolling '$stack' back from $running to $tag"
SKIP_MIGRATION=1 scripts/ci/deploy.sh "$stack" "$tag"
scripts/ci/wait-for-release.sh "$stack"
