#!/usr/bin/env bash
# Usage: scripts/ci/run-migration.sh STACK
# Start STACK's migration task (stack output migrationCommand), wait until it stops and fail unless
# its container exited 0. A stack without webapp:migration has no such output and is skipped.
# MIGRATION_TIMEOUT_MINUTES (default 30) bounds the wait; a migration still running then is left
# running (stopping it halfway could be worse) and the job fails.
set -euo pipefail
stack=${1:?usage: run-migration.sh STACK}
timeout_minutes=${MIGRATION_TIMEOUT_MINUTES:-30}
cd "$(dirname "$0")/../.."

if ! command=$(pulumi stack output migrationCommand --stack "$stack" 2>/dev/null) || [[ -z $command ]]; then
  echo "stack '$stack' has no migrationCommand output (no webapp:migration): nothing to run"
  exit 0
fi
cluster=$(pulumi stack output clusterName --stack "$stack")

# The command quotes its JSON network configuration in single quotes, hence eval (README
# "Running migrations"). It comes from this stack's own output, not from user input.
task=$(eval "$command --query 'tasks[0].taskArn' --output text")
if [[ -z $task || $task == None ]]; then
  echo "run-task started no task: $command" >&2
  exit 1
fi
echo "started $task"

# One `wait tasks-stopped` gives up after 10 minutes; repeat it until the deadline.
deadline=$((SECONDS + timeout_minutes * 60))
until aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"; do
  if ((SECONDS >= deadline)); then
    echo "$task still running after $timeout_minutes minutes; left running, see its logs" >&2
    exit 1
  fi
done

read -r exit_code reason < <(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].[containers[0].exitCode, stoppedReason]' --output text)
if [[ $exit_code != 0 ]]; then
  # exitCode None: the container never ran (image pull, secrets, ...); stoppedReason says why.
  echo "migration failed: exit code $exit_code, stopped reason: $reason" >&2
  exit 1
fi
echo "migration succeeded"
