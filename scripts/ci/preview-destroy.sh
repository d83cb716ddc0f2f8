#!/usr/bin/env bash
# Usage: scripts/ci/preview-destroy.sh PR PARTS_DIR
# Destroy the preview environment of pull request PR and leave nothing of it: `pulumi destroy`,
# `pulumi stack rm` (its state), then every object still under its state prefix (history,
# backups, the creation marker), so the sweeper no longer lists it. Each attempt destroys all it
# can (--continue-on-error); a failed one is retried up to PREVIEW_DESTROY_ATTEMPTS attempts in
# all (default 3), after PREVIEW_DESTROY_BACKOFF_SECONDS (default 60), twice that, ..., the later
# ones with --refresh so that a resource changed or deleted outside Pulumi no longer stops them.
# After the last failure the state is kept for the next try and the script fails; the PR comment
# (PARTS_DIR/facts.txt, scripts/ci/preview_comment.py) says so, and
# docs/guides/preview-environments.md says what to do. A PR without a stack (the label removed
# before the first deploy got that far, or destroyed already) is not an error.
# `pulumi destroy` does not run the program: this works from the base branch's checkout after the
# PR's branch is deleted, with the stack file written from that branch's template.
set -euo pipefail
pr=${1:?usage: preview-destroy.sh PR PARTS_DIR}
parts=${2:?usage: preview-destroy.sh PR PARTS_DIR}
attempts=${PREVIEW_DESTROY_ATTEMPTS:-3}
backoff=${PREVIEW_DESTROY_BACKOFF_SECONDS:-60}
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/ci/preview-common.sh
source scripts/ci/preview-common.sh
fact operation destroy
fact max_attempts "$attempts"

# shellcheck disable=SC2119 # no generator options: the image tag does not matter to a destroy
write_stack_file
# Fails (and so does this script) when the backend cannot be read: never "no stack" by mistake.
listed=$(pulumi stack ls --json --non-interactive)
exists=$(.venv/bin/python -c 'import json, sys
names = [entry["name"] for entry in json.loads(sys.argv[1])]
print(any(name == sys.argv[2] or name.endswith("/" + sys.argv[2]) for name in names))' "$listed" "$stack")

if [[ $exists == True ]]; then
  for ((attempt = 1; ; attempt++)); do
    fact attempts "$attempt"
    refresh=()
    if ((attempt > 1)); then
      refresh=(--refresh)
    fi
    echo "pulumi destroy of '$stack': attempt $attempt of $attempts"
    if pulumi destroy --yes --non-interactive --continue-on-error --stack "$stack" "${refresh[@]}"; then
      break
    fi
    if ((attempt >= attempts)); then
      echo "pulumi destroy of '$stack' failed $attempts times; its state is kept under" \
        "$PULUMI_BACKEND_URL (docs/guides/preview-environments.md, \"A failed destroy\")" >&2
      exit 1
    fi
    wait_seconds=$((backoff * 2 ** (attempt - 1)))
    echo "retrying in $wait_seconds seconds"
    sleep "$wait_seconds"
  done
  pulumi stack rm --yes --non-interactive --stack "$stack"
else
  echo "no stack '$stack' under $PULUMI_BACKEND_URL: nothing to destroy"
fi
# The trailing slash keeps pr-70/ out of pr-7's removal.
aws s3 rm "s3://$PULUMI_BACKEND_BUCKET/$prefix/" --recursive
fact destroyed yes
echo "preview environment '$stack' destroyed and its state removed"
