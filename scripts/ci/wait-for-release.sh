#!/usr/bin/env bash
# Usage: scripts/ci/wait-for-release.sh STACK
# After scripts/ci/deploy.sh: wait until every ECS service of STACK (stack outputs serviceName and
# workerServiceNames, in clusterName) runs the task definition just deployed, its rollout
# COMPLETED (for blue/green and canary, after the bake time). Fail with the reason when ECS rolled
# the release back: the deployment's rolloutState is FAILED, or the primary deployment runs
# another task definition. RELEASE_TIMEOUT_MINUTES (default 60) bounds the wait for all services;
# RELEASE_POLL_SECONDS (default 15) spaces the checks.
set -euo pipefail
stack=${1:?usage: wait-for-release.sh STACK}
timeout_minutes=${RELEASE_TIMEOUT_MINUTES:-60}
poll_seconds=${RELEASE_POLL_SECONDS:-15}
cd "$(dirname "$0")/../.."

cluster=$(pulumi stack output clusterName --stack "$stack")
services=("$(pulumi stack output serviceName --stack "$stack")")
workers=$(pulumi stack output workerServiceNames --json --stack "$stack" 2>/dev/null || echo '{}')
while IFS= read -r worker; do
  [[ -n $worker ]] && services+=("$worker")
done < <(.venv/bin/python -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' <<<"$workers")

# Why ECS rolled SERVICE back: the rolled-back service deployment's reasons and the alarms that
# fired, then the stopped tasks of the new task definition. Best effort: the verdict is made.
explain() {
  local service=$1 expected=$2 arn tasks
  arn=$(aws ecs list-service-deployments --cluster "$cluster" --service "$service" \
    --status ROLLBACK_REQUESTED ROLLBACK_IN_PROGRESS ROLLBACK_SUCCESSFUL ROLLBACK_FAILED \
    --query 'sort_by(serviceDeployments, &createdAt)[-1].serviceDeploymentArn' --output text 2>/dev/null || true)
  if [[ -n $arn && $arn != None ]]; then
    aws ecs describe-service-deployments --service-deployment-arns "$arn" --output text --query \
      "serviceDeployments[0].[status, statusReason, rollback.reason, join(', ', alarms.triggeredAlarmNames || \`[]\`)]" |
      while IFS=$'\t' read -r status reason rollback alarms; do
        echo "  service deployment: $status: $reason"
        [[ -n $rollback && $rollback != None ]] && echo "  rollback: $rollback"
        [[ -n $alarms && $alarms != None ]] && echo "  alarms that fired: $alarms"
        true
      done >&2 || true
  fi
  tasks=$(aws ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status STOPPED \
    --query 'taskArns[:10]' --output text 2>/dev/null || true)
  if [[ -n $tasks && $tasks != None ]]; then
    # shellcheck disable=SC2086 # one argument per task ARN
    aws ecs describe-tasks --cluster "$cluster" --tasks $tasks --output text \
      --query "tasks[?taskDefinitionArn=='$expected'].[taskArn, stoppedReason, containers[0].reason]" |
      while IFS=$'\t' read -r task reason container; do
        echo "  stopped task ${task##*/}: $reason${container:+ ($container)}"
      done >&2 || true
  fi
}

# Returns 0 once SERVICE runs EXPECTED with its rollout COMPLETED, 1 when ECS rolled it back,
# 2 while the rollout is still going.
check() {
  local service=$1 expected=$2 status task_definition state reason primary='' primary_state=''
  local failed_reason=''
  while IFS=$'\t' read -r status task_definition state reason; do
    if [[ $status == PRIMARY ]]; then
      primary=$task_definition primary_state=$state
    fi
    if [[ $state == FAILED && -z $failed_reason ]]; then
      failed_reason=${reason:-no reason given}
    fi
    if [[ $task_definition == "$expected" && $state == FAILED ]]; then
      echo "$service: the deployment of ${expected##*/} FAILED: $failed_reason" >&2
      return 1
    fi
  done < <(aws ecs describe-services --cluster "$cluster" --services "$service" --output text \
    --query 'services[0].deployments[].[status, taskDefinition, rolloutState, rolloutStateReason]')
  if [[ $primary != "$expected" ]]; then
    echo "$service: ECS rolled the release back: the primary deployment runs ${primary##*/}," \
      "not ${expected##*/}${failed_reason:+: $failed_reason}" >&2
    return 1
  fi
  if [[ $primary_state == COMPLETED ]]; then
    echo "$service: ${expected##*/} rolled out"
    return 0
  fi
  return 2
}

# The task definition just deployed: the latest ACTIVE revision of the service's family (Pulumi
# registers a new revision for every change), whatever ECS has rolled back to since.
expected=()
for service in "${services[@]}"; do
  current=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
    --query 'services[0].taskDefinition' --output text)
  family=${current##*/}
  expected+=("$(aws ecs describe-task-definition --task-definition "${family%:*}" \
    --query 'taskDefinition.taskDefinitionArn' --output text)")
done

deadline=$((SECONDS + timeout_minutes * 60))
pending=("${!services[@]}")
while true; do
  still=()
  for i in "${pending[@]}"; do
    verdict=0
    check "${services[i]}" "${expected[i]}" || verdict=$?
    if ((verdict == 1)); then
      explain "${services[i]}" "${expected[i]}"
      exit 1
    elif ((verdict == 2)); then
      still+=("$i")
    fi
  done
  ((${#still[@]})) || break
  pending=("${still[@]}")
  if ((SECONDS >= deadline)); then
    names=()
    for i in "${pending[@]}"; do names+=("${services[i]}"); done
    echo "still rolling out after $timeout_minutes minutes: ${names[*]}; ECS may yet finish or" \
      "roll back (aws ecs describe-services --cluster $cluster --services ${names[*]})" >&2
    exit 1
  fi
  sleep "$poll_seconds"
done
echo "release complete on '$stack': ${services[*]}"
