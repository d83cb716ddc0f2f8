#!/usr/bin/env bash
# Usage: scripts/ci/preview-up.sh PR TAG ARCHIVE PARTS_DIR
# Create or update the preview environment of pull request PR: stack pr-PR, from
# previews/Pulumi.preview.yaml with image.tag TAG, in its own state prefix. On the first run it
# records the creation time (the marker object), creates the stack and its ECR repository alone
# (`pulumi up --target`, the order of docs/guides/deploying.md "First deploy"); then, on every
# run, pushes the image ARCHIVE as TAG (scripts/ci/push-image.sh), releases it with
# scripts/ci/deploy.sh (the policy pack on each `pulumi up`, the migration first) and waits for
# the rollout (scripts/ci/wait-for-release.sh). What the PR comment shows goes to
# PARTS_DIR/facts.txt as key=value lines (scripts/ci/preview_comment.py). Needs
# PULUMI_BACKEND_BUCKET, AWS_REGION and PREVIEW_SECRETS_PROVIDER; PREVIEW_TTL_HOURS (default 72)
# only for the comment: the sweeper destroys the stack once it is that old.
set -euo pipefail
pr=${1:?usage: preview-up.sh PR TAG ARCHIVE PARTS_DIR}
tag=${2:?usage: preview-up.sh PR TAG ARCHIVE PARTS_DIR}
archive=${3:?usage: preview-up.sh PR TAG ARCHIVE PARTS_DIR}
parts=${4:?usage: preview-up.sh PR TAG ARCHIVE PARTS_DIR}
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/ci/preview-common.sh
source scripts/ci/preview-common.sh
fact operation deploy
fact image_tag "$tag"
fact ttl_hours "${PREVIEW_TTL_HOURS:-72}"

write_stack_file --image-tag "$tag"
# The offline estimate of this branch's stack file (no AWS): one line, per day and per month.
if cost=$(.venv/bin/python -m offline.cost --stack "$stack" --summary); then
  fact cost "$cost"
else
  echo "::warning::the cost estimate of $stack failed"
fi

# The creation time: the LastModified of a marker object written once, before anything else can
# exist under the prefix, so the sweeper (scripts/ci/preview_sweep.py) finds the age of every
# preview that has state.
bucket=$PULUMI_BACKEND_BUCKET
marker="$prefix/preview-environment.json"
if ! created=$(aws s3api head-object --bucket "$bucket" --key "$marker" --query LastModified \
  --output text 2>/dev/null); then
  printf '{"pullRequest": %s, "stack": "%s", "firstImageTag": "%s"}\n' "$pr" "$stack" "$tag" \
    >"$parts/marker.json"
  aws s3api put-object --bucket "$bucket" --key "$marker" --body "$parts/marker.json" \
    --content-type application/json >/dev/null
  created=$(aws s3api head-object --bucket "$bucket" --key "$marker" --query LastModified --output text)
fi
fact created_at "$created"

pulumi stack select --create "$stack" --secrets-provider "$PREVIEW_SECRETS_PROVIDER" --non-interactive

# The repository's URL from the state, which has it as soon as the repository exists.
repository_url() {
  # shellcheck disable=SC2016 # the `$` is in Python code, part of a URN
  pulumi stack export --stack "$stack" | .venv/bin/python -c '
import json, sys
resources = (json.load(sys.stdin).get("deployment") or {}).get("resources") or []
urls = [r.get("outputs", {}).get("repositoryUrl", "") for r in resources
        if r["urn"].endswith("ImageRegistry$aws:ecr/repository:Repository::api-repo")]
print(urls[0] if urls else "")'
}
url=$(repository_url)
if [[ -z $url ]]; then
  echo "first deploy of '$stack': its image repository first"
  pack_config=$(.venv/bin/python -m offline.pack_config "$stack")
  urn="urn:pulumi:$stack::$project::"
  pulumi up --yes --non-interactive --stack "$stack" \
    --policy-pack policies --policy-pack-config "$pack_config" \
    --target "${urn}pulumi:providers:aws::aws" \
    --target "${urn}webapp:index:ImageRegistry::api" \
    --target "${urn}webapp:index:ImageRegistry\$aws:ecr/repository:Repository::api-repo"
  url=$(repository_url)
  if [[ -z $url ]]; then
    echo "the targeted pulumi up created no image repository in '$stack'" >&2
    exit 1
  fi
fi

IMAGE_REPOSITORY_URL=$url scripts/ci/push-image.sh "$stack" "$archive" "$tag"
scripts/ci/deploy.sh "$stack" "$tag"
scripts/ci/wait-for-release.sh "$stack"
# A stack without a site has no siteUrl; the comment then shows the API alone.
fact site_url "$(pulumi stack output siteUrl --stack "$stack" 2>/dev/null || true)"
fact api_url "$(pulumi stack output apiUrl --stack "$stack")"
echo "preview environment '$stack' is up"
