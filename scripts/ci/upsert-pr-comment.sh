#!/usr/bin/env bash
# Usage: scripts/ci/upsert-pr-comment.sh PR BODY_FILE
# Post BODY_FILE on pull request PR, or update this workflow's earlier comment instead: the one by
# a bot whose first line is BODY_FILE's first line, a hidden marker such as
# `<!-- webapp-preview-environment -->` (scripts/ci/preview_comment.py). Uses the gh CLI with
# GH_TOKEN (the job's GITHUB_TOKEN, pull-requests: write) in GITHUB_REPOSITORY.
set -euo pipefail
pr=${1:?usage: upsert-pr-comment.sh PR BODY_FILE}
body=${2:?usage: upsert-pr-comment.sh PR BODY_FILE}
: "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/name}"

marker=$(head -n 1 "$body")
# The marker goes into a jq string literal: only the plain form, so nothing needs escaping.
if [[ ! $marker =~ ^'<!-- '[a-z0-9-]+' -->'$ ]]; then
  echo "the first line of $body is not a marker like <!-- name -->: '$marker'" >&2
  exit 2
fi
ids=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.user.type == \"Bot\" and (.body | startswith(\"$marker\"))) | .id")
id=${ids%%$'\n'*}
if [[ -n $id ]]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$body" --silent
  echo "updated comment $id on #$pr"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$body" --silent
  echo "commented on #$pr"
fi
