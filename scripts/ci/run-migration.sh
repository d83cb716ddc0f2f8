#!/usr/bin/env bash
# Usage: scripts/ci/run-migration.sh STACK
# Start STACK's migration task (stack output migrationCommand: the latest revision of the
# migration task family, so the new image once scripts/ci/deploy.sh has updated everything but
# the services), wait until it stops and fail unless its container exited 0, with the reason. A
# stack without webapp:migration is skipped. MIGRATION_TIMEOUT_MINUTES (default 30) bounds the
# wait; a migration still running then is left running (stopping it halfway could be worse) and
# the job fails.
set -euo pipefail
stack=${1:?usage: run-migration.sh STACK}
timeout_minutes=${MIGRATION_TIMEOUT_MINUTES:-30}
cd "$(dirname "$0")/../.."

migration=$(pulumi config get migration --stack "$stack" 2>/dev/null || true)
if [[ -z $migration || $migration == null ]]; then
  echo "stack '$stack' has no webapp:migration: nothing to run"
  exit 0
fi
if ! command=$(pulumi stack output migrationCommand --stack "$stack" 2>/dev/null) || [[ -z $command ]]; then
  echo "stack '$stack' sets webapp:migration but has no migrationCommand output: run" \
    "scripts/ci/deploy.sh (or pulumi up) first" >&2
  exit 1
fi
cluster=$(pulumi stack output clusterName --stack "$stack")

# The command quotes its JSON network configuration in single quotes, hence eval (docs/guides/
# deploying.md "Running migrations"). It comes from this stack's own output, not from user input.
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

IFS=$'\t' read -r exit_code reason task_definition < <(aws ecs describe-tasks --cluster "$cluster" \
  --tasks "$task" --query 'tasks[0].[containers[0].exitCode, stoppedReason, taskDefinitionArn]' \
  --output text)
if [[ $exit_code != 0 ]]; then
  # exitCode None: the container never ran (image pull, secrets, ...); stoppedReason says why.
  echo "migration failed: exit code $exit_code, stopped reason: $reason" >&2
  log_group=$(aws ecs describe-task-definition --task-definition "$task_definition" \
    --query 'taskDefinition.containerDefinitions[0].logConfiguration.options."awslogs-group"' \
    --output text 2>/dev/null || true)
  echo "its output: aws logs tail '$log_group' --since 1h (task ${task##*/})" >&2
  exit 1
fi
echo "migration succeeded on $task_definition"
