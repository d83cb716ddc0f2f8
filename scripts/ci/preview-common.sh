# shellcheck shell=bash
# Sourced by scripts/ci/preview-up.sh and scripts/ci/preview-destroy.sh, in the project directory,
# with `pr` set to the pull request's number and `parts` to the directory for the PR comment's
# facts. Sets `stack` (pr-<n>), `project` and `prefix` (the stack's own state prefix
# <project>/pr-<n>), exports PULUMI_BACKEND_URL, one login URL per preview like dev's and prod's,
# under which the preview role may write, and defines `fact KEY VALUE`, which adds a line to
# PARTS/facts.txt for scripts/ci/preview_comment.py.
: "${PULUMI_BACKEND_BUCKET:?set PULUMI_BACKEND_BUCKET to the bootstrap output stateBucket}"
: "${AWS_REGION:?set AWS_REGION to the region of the stacks and the state bucket}"
: "${PREVIEW_SECRETS_PROVIDER:?set PREVIEW_SECRETS_PROVIDER to the bootstrap output previewSecretsProvider}"

# The number becomes a state prefix and resource names: digits only, as offline/preview_stack.py
# accepts them, so no value can reach another stack's prefix.
if [[ ! ${pr:-} =~ ^[1-9][0-9]{0,9}$ ]]; then
  echo "not a pull request number: '${pr:-}'" >&2
  exit 2
fi
stack="pr-$pr"
project=$(sed -n 's/^name: *//p' Pulumi.yaml)
prefix="$project/$stack"
export PULUMI_BACKEND_URL="s3://$PULUMI_BACKEND_BUCKET/$prefix?region=$AWS_REGION"

mkdir -p "${parts:?set parts before sourcing preview-common.sh}"
facts="$parts/facts.txt"
: >"$facts"
fact() { printf '%s=%s\n' "$1" "$2" >>"$facts"; }
fact stack "$stack"
# What a person needs to run the same script by hand (the comment after a failed destroy).
fact bucket "$PULUMI_BACKEND_BUCKET"
fact region "$AWS_REGION"
fact secrets_provider "$PREVIEW_SECRETS_PROVIDER"

# Pulumi.pr-<n>.yaml from previews/Pulumi.preview.yaml in this checkout (extra arguments go to the
# generator, e.g. --image-tag). The file is written afresh on every run, so it lacks the
# `secretsprovider` line `pulumi stack init` wrote on the first one; without it a self-managed
# backend's CLI would fall back to the passphrase provider and stop for a passphrase. With the
# line (and no `encryptedkey`) the CLI makes a new data key under the same KMS key.
write_stack_file() {
  local file
  file=$(.venv/bin/python -m offline.preview_stack "$pr" "$@")
  if ! grep -q '^secretsprovider:' "$file"; then
    printf 'secretsprovider: %s\n' "$PREVIEW_SECRETS_PROVIDER" >>"$file"
  fi
}
