#!/usr/bin/env bash
# Usage: scripts/ci/preview.sh STACK PARTS_DIR
# `pulumi preview` of STACK with the policy pack and the stack's pack config, which follows the
# stack file's profile (or its policyPackConfig), never the stack's name: offline/pack_config.py.
# The output, the exit code and the pack config's path go to PARTS_DIR/STACK/ for
# scripts/ci/pr_comment.py, whether the preview passed or not; the script then exits with the
# preview's code, so a mandatory violation fails the check.
set -euo pipefail
stack=${1:?usage: preview.sh STACK PARTS_DIR}
out="${2:?usage: preview.sh STACK PARTS_DIR}/$stack"
cd "$(dirname "$0")/../.."
mkdir -p "$out"

# A stack whose pack config cannot be found fails here, with the one-line reason in the comment.
if ! pack_config=$(.venv/bin/python -m offline.pack_config "$stack" 2>"$out/preview.txt"); then
  cat "$out/preview.txt" >&2
  echo 2 >"$out/exit-code"
  exit 2
fi
echo "$pack_config" >"$out/pack-config"

# The stack file keeps `image.tag: bootstrap`; the deploy workflow sets the tag only in its own
# checkout. Preview against the tag that is deployed, or every preview would show the services
# rolling back to `bootstrap`.
if pulumi config get --path image.tag --stack "$stack" >/dev/null 2>&1; then
  deployed=$(pulumi stack output image --stack "$stack" 2>/dev/null || true)
  if [[ -n $deployed && $deployed != *@* && $deployed == *:* ]]; then
    pulumi config set --path image.tag "${deployed##*:}" --stack "$stack"
  fi
fi

# The monthly estimate and the Mermaid picture of the stack as this branch defines it, from the
# offline plan (no AWS); pr_comment.py appends them under the stack's preview.
{
  echo "<details><summary>Monthly cost estimate (make cost STACK=$stack)</summary>"
  echo
  echo '```text'
  .venv/bin/python -m offline.cost --stack "$stack"
  echo '```'
  echo "</details>"
} >"$out/20-cost.md" || echo "::warning::cost estimate failed for $stack"
.venv/bin/python -m offline.diagram --stack "$stack" >"$out/30-diagram.md" ||
  echo "::warning::diagram failed for $stack"

status=0
pulumi preview --stack "$stack" --non-interactive --color never \
  --policy-pack policies --policy-pack-config "$pack_config" \
  2>&1 | tee "$out/preview.txt" || status=${PIPESTATUS[0]}
echo "$status" >"$out/exit-code"
exit "$status"
