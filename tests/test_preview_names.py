"""Preview stacks' physical names: within AWS's limits and distinct for any pull request number.

Every string input of every resource that holds the stack's name (or the project's) is a name
or a reference to one; each such property must be listed below with AWS's length limit, so a new
named resource fails here until its limit is written down. Two pull requests' stacks must not
share a name (account-wide names would collide on create), for the longest PR number and for a
long project name too.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from offline.run import PlanResult, ProgramRun
from tests.harness import (
    PROJECT,
    dev_celery_worker,
    dev_elasticache,
    dev_rds_instance,
    preview_stack_config,
)

LONGEST_PR = 2147483647
# Far longer than any real project name: names built from it must still fit and stay distinct.
LONG_PROJECT = (
    "a-project-name-long-enough-to-push-every-physical-name-past-its-aws-limit-and-then-some-more-x"
)

# (resource type, input path) -> AWS's maximum length (each service's API reference).
LIMITS: dict[tuple[str, str], int] = {
    ("aws:budgets/budget:Budget", "name"): 100,
    ("aws:cloudfront/distribution:Distribution", "comment"): 128,
    ("aws:cloudfront/vpcOrigin:VpcOrigin", "vpcOriginEndpointConfig.name"): 64,
    ("aws:cloudwatch/dashboard:Dashboard", "dashboardName"): 255,
    ("aws:cloudwatch/logDelivery:LogDelivery", "deliverySourceName"): 60,
    ("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "name"): 60,
    ("aws:cloudwatch/logDeliverySource:LogDeliverySource", "name"): 60,
    ("aws:cloudwatch/logGroup:LogGroup", "name"): 512,
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name"): 255,
    ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "repository"): 256,
    ("aws:ecr/repository:Repository", "name"): 256,
    ("aws:ecs/taskDefinition:TaskDefinition", "family"): 255,
    ("aws:elasticache/parameterGroup:ParameterGroup", "name"): 255,
    ("aws:elasticache/replicationGroup:ReplicationGroup", "finalSnapshotIdentifier"): 255,
    ("aws:elasticache/replicationGroup:ReplicationGroup", "description"): 255,
    ("aws:elasticache/subnetGroup:SubnetGroup", "name"): 255,
    ("aws:iam/instanceProfile:InstanceProfile", "path"): 512,
    ("aws:iam/role:Role", "path"): 512,
    ("aws:kms/alias:Alias", "name"): 256,
    ("aws:rds/cluster:Cluster", "clusterIdentifier"): 63,
    ("aws:rds/cluster:Cluster", "dbClusterParameterGroupName"): 255,
    ("aws:rds/cluster:Cluster", "dbSubnetGroupName"): 255,
    ("aws:rds/clusterInstance:ClusterInstance", "dbSubnetGroupName"): 255,
    ("aws:rds/clusterInstance:ClusterInstance", "identifier"): 63,
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", "name"): 255,
    ("aws:rds/instance:Instance", "dbSubnetGroupName"): 255,
    ("aws:rds/instance:Instance", "identifier"): 63,
    ("aws:rds/instance:Instance", "parameterGroupName"): 255,
    ("aws:rds/parameterGroup:ParameterGroup", "name"): 255,
    ("aws:rds/subnetGroup:SubnetGroup", "name"): 255,
    ("aws:secretsmanager/secret:Secret", "name"): 512,
    ("aws:sns/topic:Topic", "name"): 256,
    ("aws:wafv2/webAcl:WebAcl", "name"): 128,
    # References to a name, and values that carry one.
    ("aws:budgets/budget:Budget", "costFilters.values"): 256,  # a tag value
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "dimensions.DBInstanceIdentifier"): 63,
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "dimensions.DBClusterIdentifier"): 63,
    ("aws:ec2/securityGroup:SecurityGroup", "tags.Name"): 256,
    ("aws:ecs/service:Service", "alarms.alarmNames"): 255,
    ("aws:elasticache/replicationGroup:ReplicationGroup", "logDeliveryConfigurations.destination"): 512,
    ("aws:wafv2/webAcl:WebAcl", "visibilityConfig.metricName"): 128,
}
# Inputs that mention the stack but name nothing: free text, and references by ARN or JSON.
NOT_NAMES = ("description",)
# Descriptions whose text is also their resource's identity in AWS (no other name field).
NAMED_DESCRIPTIONS = {"aws:elasticache/replicationGroup:ReplicationGroup"}

# Every optional part that names something: ElastiCache, a worker, an RDS instance, WAF,
# uploads and every access log, log encryption.
EVERYTHING: dict[str, Any] = {
    "cache": dev_elasticache(),
    "workers": dev_celery_worker(),
    "database": dev_rds_instance(),
    "waf": {"enabled": True},
    "uploads": {"enabled": True, "accessLogs": {"enabled": True}},
    "loadBalancer": {"accessLogs": {"enabled": True}},
    "site": {"accessLogs": {"enabled": True}},
    "monitoring": {"budget": {"monthlyLimitUsd": 60}, "logEncryption": True},
}


def preview(pr: int, project: str = PROJECT, **overrides: Any) -> PlanResult:
    config = preview_stack_config(pr, **overrides)
    # Another project's stack file spells its keys with that project's namespace.
    config = {(f"{project}:{k.split(':', 1)[1]}" if k.startswith(f"{PROJECT}:") else k): v
              for k, v in config.items()}  # fmt: skip
    return ProgramRun(config, project=project, stack=f"pr-{pr}").execute()


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, path)


def names(result: PlanResult, *marks: str) -> dict[tuple[str, str, str], str]:
    """``(type, logical name, input path) -> value`` for every input naming something by ``marks``."""
    found = {}
    for resource in result.resources:
        if not resource.custom:
            continue
        for path, value in _strings(resource.inputs, ""):
            if not any(m in value for m in marks) or value.startswith(("arn:", "{", "[")):
                continue
            if path in NOT_NAMES and resource.type not in NAMED_DESCRIPTIONS:
                continue
            found[(resource.type, resource.name, path)] = value
    return found


@pytest.mark.parametrize(
    ("pr", "project", "overrides"),
    [
        (1, PROJECT, {}),
        (LONGEST_PR, PROJECT, {}),
        (LONGEST_PR, PROJECT, EVERYTHING),
        (LONGEST_PR, LONG_PROJECT, EVERYTHING),
    ],
    ids=["pr-1", "longest-pr", "longest-pr-everything", "long-project-everything"],
)
def test_every_name_fits_its_aws_limit(pr: int, project: str, overrides: dict[str, Any]) -> None:
    found = names(preview(pr, project, **overrides), f"pr-{pr}", project[:20])
    assert len(found) > 20  # the scan sees the names, not nothing
    unlisted = sorted({(t, p) for t, _, p in found} - set(LIMITS))
    assert unlisted == [], "add AWS's length limit of these named properties to LIMITS"
    too_long = {key: (len(v), LIMITS[(key[0], key[2])], v) for key, v in found.items()
                if len(v) > LIMITS[(key[0], key[2])]}  # fmt: skip
    assert too_long == {}


@pytest.mark.parametrize("project", [PROJECT, LONG_PROJECT])
def test_two_pull_requests_share_no_name(project: str) -> None:
    first = names(preview(LONGEST_PR - 1, project, **EVERYTHING), f"pr-{LONGEST_PR - 1}", project[:20])
    second = names(preview(LONGEST_PR, project, **EVERYTHING), f"pr-{LONGEST_PR}", project[:20])
    assert first.keys() == second.keys()
    shared = {key: v for key, v in first.items() if second[key] == v}
    assert shared == {}
