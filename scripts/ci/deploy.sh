#!/usr/bin/env bash
# Usage: scripts/ci/deploy.sh STACK TAG
# Point STACK at image TAG and run `pulumi up` with the policy pack and the stack's pack config
# (the stack file's profile or its policyPackConfig: offline/pack_config.py). The tag is set in
# this checkout only; it is not committed (README "CI/CD").
set -euo pipefail
stack=${1:?usage: deploy.sh STACK TAG}
tag=${2:?usage: deploy.sh STACK TAG}
cd "$(dirname "$0")/../.."
# Resolved first: a stack without a pack config stops before its config is touched.
pack_config=$(.venv/bin/python -m offline.pack_config "$stack")

if ! pulumi config get --path image.tag --stack "$stack" >/dev/null 2>&1; then
  echo "stack '$stack' does not set image.tag: CI deploys by tag, so replace image.uri or" \
    "image.build with image.tag in Pulumi.$stack.yaml" >&2
  exit 1
fi
pulumi config set --path image.tag "$tag" --stack "$stack"
pulumi up --yes --non-interactive --stack "$stack" \
  --policy-pack policies --policy-pack-config "$pack_config"
