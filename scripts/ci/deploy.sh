#!/usr/bin/env bash
# Usage: scripts/ci/deploy.sh STACK TAG
# Point STACK at image TAG and release it: with webapp:migration, first everything but the ECS
# services (`pulumi up --exclude` them), then the migration task on the new image, then the full
# `pulumi up` that rolls the services; a failed migration stops here with the old version serving
# (ADR 0016, docs/guides/releasing.md). Without webapp:migration, or with SKIP_MIGRATION=1 (what
# scripts/ci/rollback.sh sets: an older image's migrations are already applied), only the full
# `pulumi up`. Every `pulumi up` runs the policy pack with the stack's pack config (the stack
# file's profile or its policyPackConfig: offline/pack_config.py). The tag is set in this checkout
# only; it is not committed. scripts/ci/wait-for-release.sh then waits for the rollout.
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

up() {
  pulumi up --yes --non-interactive --stack "$stack" \
    --policy-pack policies --policy-pack-config "$pack_config" "$@"
}

# Every ECS service of the stack (API and workers) whatever component holds it: `**` spans the
# parent types, `*` the name. Their dependents (scaling targets, alarms on the service, ...) wait
# with them; everything they depend on, and the migration task definition, is created or updated.
services='urn:pulumi:**aws:ecs/service:Service::*'

migration=$(pulumi config get migration --stack "$stack" 2>/dev/null || true)
if [[ ${SKIP_MIGRATION:-} == 1 ]]; then
  echo "SKIP_MIGRATION=1: no migration for this release"
elif [[ -z $migration || $migration == null ]]; then
  echo "stack '$stack' has no webapp:migration: no migration to run before the services roll"
else
  echo "releasing $tag to '$stack' except its services, to run the migration on it first"
  up --exclude "$services" --exclude-dependents
  if ! scripts/ci/run-migration.sh "$stack"; then
    echo "the migration failed: the services were not updated, the previous version still serves" >&2
    exit 1
  fi
fi
up
