"""Optional parts: no cache (``cache.mode: none``) and no site (``site.enabled: false``).

Seed 003 (FastAPI + asyncpg, no Redis) needs the first, any API-only system the second. Both are
checked on the whole program: what is registered, what the tasks get, the outputs, the config
errors for combinations that cannot work, and the policy pack, cost model and diagram over them.
"""

import json
import re
from pathlib import Path

import pytest

from components import Cache, CacheArgs, CacheMode
from offline.cost import estimate_plan
from offline.diagram import to_mermaid
from offline.policy_check import evaluate, load_policy_config
from offline.preview_json import to_preview_json
from policies.pack import build_policies
from tests.harness import PlanResult, config_problems, dev_celery_worker, plan, stack_config

ROOT = Path(__file__).resolve().parent.parent
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DIRECT = {"frontDoor": "direct", "domain": "api.example.com", "hostedZoneName": "example.com"}


@pytest.fixture(scope="module")
def api_only() -> PlanResult:
    """Dev as an API-only system without Redis (seed 003's shape): no site, no cache, a public ALB."""
    return plan("dev", cache={"mode": "none"}, site={"enabled": False}, loadBalancer=DIRECT)


@pytest.fixture(scope="module")
def no_cache_with_worker() -> PlanResult:
    """Dev with a worker and no cache: a worker that needs no Redis (e.g. a queue on the database)."""
    return plan("dev", cache={"mode": "none"}, workers=dev_celery_worker())


def containers(result: PlanResult, task: str) -> list[dict]:
    return json.loads(result.one(TASK, task).inputs["containerDefinitions"])


def variable_names(container: dict) -> set[str]:
    return {e["name"] for e in container.get("environment", [])} | {
        s["name"] for s in container.get("secrets", [])
    }


def types(result: PlanResult) -> set[str]:
    return {r.type for r in result.resources}


# --- cache.mode: none -----------------------------------------------------------------------------


def test_no_cache_registers_no_cache_resources(no_cache_with_worker: PlanResult) -> None:
    found = types(no_cache_with_worker)
    assert "webapp:index:Cache" not in found
    assert not {t for t in found if t.startswith("aws:elasticache/")}
    secrets = {r.name for r in no_cache_with_worker.by_type("aws:secretsmanager/secret:Secret")}
    assert secrets == {"app-SECRET_KEY"}  # no cache-auth
    # Nothing opens the Redis port: no security group rule on 6379 anywhere.
    ingress = no_cache_with_worker.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    egress = no_cache_with_worker.by_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert [r.name for r in ingress + egress if r.inputs.get("fromPort") == 6379] == []


def test_no_cache_gives_no_service_redis_variables(no_cache_with_worker: PlanResult) -> None:
    for task in ("api-task-def", "worker-celery-task-def", "migrate-task-def"):
        [app] = containers(no_cache_with_worker, task)  # no sidecar either
        names = variable_names(app)
        assert "DB_HOST" in names, task  # the database connection is unaffected
        assert not {n for n in names if n.startswith("REDIS_")}, task


def test_no_cache_has_no_cache_alarms_widgets_or_outputs(no_cache_with_worker: PlanResult) -> None:
    alarms = {r.name for r in no_cache_with_worker.by_type(ALARM)}
    assert "ops-worker-celery-cpu" in alarms
    assert not {a for a in alarms if a.startswith("ops-cache")}
    dashboard = no_cache_with_worker.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]
    assert "ElastiCache" not in dashboard
    assert "AWS/RDS" in dashboard
    assert not {"cacheEndpoint", "cacheSecurityGroupId"} & set(no_cache_with_worker.outputs)
    assert no_cache_with_worker.outputs["migrationTaskFamily"]  # the migration task is still there


def test_prod_without_a_cache_also_drops_its_protected_resources() -> None:
    result = plan("prod", cache={"mode": "none"})
    assert not {t for t in types(result) if t.startswith("aws:elasticache/")}
    assert "cache-key" not in {r.name for r in result.by_type("aws:kms/key:Key")}
    [app] = [c for c in containers(result, "worker-celery-task-def") if c["name"] == "app"]
    assert not {n for n in variable_names(app) if n.startswith("REDIS_")}


def test_the_cache_component_refuses_mode_none() -> None:
    # Checked before anything registers, so no Pulumi runtime is needed.
    with pytest.raises(
        ValueError, match=re.escape("Cache 'cache': mode none means no cache; do not construct a Cache")
    ):
        Cache("cache", CacheArgs(mode=CacheMode.NONE), vpc_id="vpc-1", subnet_ids=[])


def test_an_unknown_cache_mode_lists_none() -> None:
    lines, registered = config_problems(stack_config("dev", cache={"mode": "off"}))
    assert registered == []
    assert lines == ["webapp:cache.mode = \"off\": must be 'elasticache', 'sidecar' or 'none'"]


def test_redis_variables_stay_reserved_without_a_cache() -> None:
    service = {**json.loads(stack_config("dev")["webapp:service"]), "environment": {"REDIS_HOST": "x"}}
    lines, _ = config_problems(stack_config("dev", cache={"mode": "none"}, service=service))
    assert lines == [
        'webapp:service.environment.REDIS_HOST = "x": is set by the cache connection; choose another name'
    ]


# --- site.enabled: false --------------------------------------------------------------------------


def test_api_only_registers_no_cloudfront_and_no_site_bucket(api_only: PlanResult) -> None:
    found = types(api_only)
    assert not {t for t in found if t.startswith(("aws:cloudfront/", "aws:s3/"))}
    assert not {"webapp:index:StaticSite", "webapp:index:SiteContent", "webapp:index:SiteDomain"} & found
    assert api_only.by_type("aws:wafv2/webAcl:WebAcl") == []  # waf is off in dev
    # The us-east-1 provider exists but carries nothing: no edge certificate, ACL, alarm or topic.
    edge = api_only.one("pulumi:providers:aws", "aws-us-east-1")
    assert [r.name for r in api_only.resources if r.provider.startswith(f"{edge.urn}::")] == []


def test_api_only_serves_the_api_on_the_public_alb(api_only: PlanResult) -> None:
    alb = api_only.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["internal"] is False
    listeners = {r.inputs["port"]: r.inputs for r in api_only.by_type("aws:lb/listener:Listener")}
    assert listeners[443]["protocol"] == "HTTPS"
    assert api_only.outputs["apiUrl"] == "https://api.example.com"
    assert not {"siteUrl", "distributionId", "siteBucketName", "siteAccessLogGroupName"} & set(
        api_only.outputs
    )


def test_api_only_has_no_distribution_alarms_or_widgets(api_only: PlanResult) -> None:
    alarms = {r.name for r in api_only.by_type(ALARM)}
    assert "ops-alb-elb-5xx" in alarms
    assert not {a for a in alarms if a.startswith("ops-cdn")}
    assert [t.name for t in api_only.by_type("aws:sns/topic:Topic")] == ["ops-alarms"]
    dashboard = api_only.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]
    assert "CloudFront" not in dashboard


def test_api_only_with_waf_guards_the_alb_with_a_regional_acl() -> None:
    result = plan("dev", site={"enabled": False}, loadBalancer=DIRECT, waf={"enabled": True})
    [acl] = result.by_type("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["scope"] == "REGIONAL"
    [association] = result.by_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["resourceArn"] == result.outputs["loadBalancerArn"]


def test_api_only_no_cache_dev_passes_the_policy_pack(api_only: PlanResult) -> None:
    config = load_policy_config(ROOT / "policies/config/dev.json", build_policies())
    report = evaluate(to_preview_json(api_only), config)
    assert [(v.policy, v.urn) for v in report.verdicts if v.enforcement == "mandatory"] == []
    assert report.resource_count > 50  # the pack really ran over the plan


def test_cost_and_diagram_handle_a_plan_without_site_or_cache(api_only: PlanResult) -> None:
    preview = to_preview_json(api_only)
    estimate = estimate_plan(preview)
    billed = {item.resource: item.billed for item in estimate.items}
    assert "site-cdn" not in billed and not any(name.startswith("cache") for name in billed)
    assert billed["api-alb"].startswith("internet-facing ALB")
    assert list(estimate.not_priced) == []
    diagram = to_mermaid(preview)
    assert "CloudFront" not in diagram and "ElastiCache" not in diagram and "Valkey" not in diagram
    assert 'users -->|"HTTPS"| loadbalancer_api_alb' in diagram


# --- impossible combinations ----------------------------------------------------------------------


def problems(**overrides: object) -> list[str]:
    lines, registered = config_problems(stack_config("dev", **overrides))
    assert registered == []
    return lines


def test_no_site_needs_the_direct_front_door() -> None:
    assert problems(site={"enabled": False}) == [
        'webapp:loadBalancer.frontDoor = "cdn": must be "direct" (with domain and hostedZoneName) when '
        'site.enabled is false: in "cdn" mode the ALB is internal and only CloudFront reaches it'
    ]


def test_no_site_in_direct_mode_still_needs_the_alb_domain() -> None:
    assert problems(site={"enabled": False}, loadBalancer={"frontDoor": "direct"}) == [
        'webapp:loadBalancer.domain = null: frontDoor "direct" needs a domain for the HTTPS certificate and '
        "the DNS alias, e.g. api.example.com"
    ]


def test_no_site_refuses_a_build_dir(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html>")
    assert problems(site={"enabled": False, "buildDir": str(tmp_path)}, loadBalancer=DIRECT) == [
        f'webapp:site.buildDir = "{tmp_path}": not used with enabled: false: there is no site bucket to '
        "upload it to; remove it, or set enabled: true"
    ]


def test_no_site_refuses_a_site_domain() -> None:
    domain = {"domain": "example.com", "hostedZoneName": "example.com"}
    assert problems(site={"enabled": False, "domain": domain}, loadBalancer=DIRECT) == [
        'webapp:site.domain = {"domain": "example.com", "hostedZoneName": "example.com", '
        '"redirectWww": true}: not used with enabled: false: there is no distribution to serve it; '
        "the API's own name is loadBalancer.domain"
    ]


def test_no_site_refuses_access_logs_but_not_a_copied_off_switch() -> None:
    assert problems(site={"enabled": False, "accessLogs": {"enabled": True}}, loadBalancer=DIRECT) == [
        "webapp:site.accessLogs.enabled = true: not used with enabled: false: there is no distribution to "
        "log; remove it, or set enabled: true"
    ]
    # A site block copied from a stack file with only enabled flipped is accepted: its accessLogs say "off".
    site = {"enabled": False, "priceClass": "PriceClass_100", "accessLogs": {"enabled": False}}
    result = plan("dev", site=site, loadBalancer=DIRECT)
    assert result.by_type("aws:cloudfront/distribution:Distribution") == []
