"""The five seed systems as example stacks (``examples/``): each plans, passes its profile's pack,
follows its deployment guide, holds only what differs from its profile, and costs what README says.
"""

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from components import ConfigError, validate_config
from offline.cost import estimate_plan
from offline.pack_config import resolve
from offline.plan import main as plan_main
from offline.policy_check import Report, evaluate, load_policy_config
from offline.policy_check import main as policy_check_main
from offline.preview_json import to_preview_json
from offline.run import PROJECT_DIR, PlanResult, StackFileError, load_stack_file, run_stack
from policies.pack import build_policies
from stack_config import StackConfig

EXAMPLES_DIR = PROJECT_DIR / "examples"
# One example per seed document in ../shared/seeds/, by stack name.
SEEDS = {
    "playstudy": "000",
    "myteacher": "001",
    "default-rate": "002",
    "fastapi-asyncpg": "003",
    "tv-shows": "004",
}
PROFILES = {"playstudy": "prod", "myteacher": "prod", "default-rate": "dev", "fastapi-asyncpg": "dev",
            "tv-shows": "prod"}  # fmt: skip

# Examples whose guide's own number is too low for what it asks, so the budget comes from make cost.
BUDGET_FROM_ESTIMATE = {"playstudy", "tv-shows"}

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
DB_INSTANCE = "aws:rds/instance:Instance"
CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"
BUDGET = "aws:budgets/budget:Budget"
ALB = "aws:lb/loadBalancer:LoadBalancer"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
SCALING = "aws:appautoscaling/target:Target"
BUCKET = "aws:s3/bucket:Bucket"


def example_path(name: str) -> str:
    """The stack argument of ``make plan STACK=...`` for an example."""
    return f"examples/Pulumi.{name}.yaml"


@cache
def planned(name: str) -> PlanResult:
    return run_stack(example_path(name))


@cache
def preview(name: str) -> dict[str, Any]:
    return to_preview_json(planned(name))


def pack_report(name: str) -> Report:
    config_path = resolve(example_path(name)).path
    return evaluate(preview(name), load_policy_config(config_path, build_policies()))


def containers(result: PlanResult, task: str) -> list[dict[str, Any]]:
    return json.loads(result.one(TASK, task).inputs["containerDefinitions"])


def app(result: PlanResult, task: str) -> dict[str, Any]:
    [container] = [c for c in containers(result, task) if c["name"] == "app"]
    return container


def secret_sources(container: dict[str, Any]) -> dict[str, str]:
    """The container's secrets by variable, without the DB_*/REDIS_* ones the stack connects."""
    return {
        s["name"]: s["valueFrom"]
        for s in container.get("secrets", [])
        if not s["name"].startswith(("DB_", "REDIS_"))
    }


def budget_usd(result: PlanResult) -> float:
    return float(result.one(BUDGET).inputs["limitAmount"])


# --- stack files outside the project ---------------------------------------------------------------


def test_a_stack_file_path_is_planned_as_the_stack_its_name_gives(tmp_path: Path) -> None:
    loaded = load_stack_file(example_path("tv-shows"))
    assert (loaded.project, loaded.stack, loaded.config["webapp:profile"]) == ("webapp", "tv-shows", "prod")
    assert planned("tv-shows").stack == "tv-shows"
    # Absolute paths work too; the project's Pulumi.yaml still names the project.
    elsewhere = tmp_path / "Pulumi.mine.yaml"
    elsewhere.write_text("config:\n  aws:region: us-east-1\n  webapp:image: {tag: v1}\n")
    assert load_stack_file(str(elsewhere)).stack == "mine"


def test_stack_file_path_errors_are_one_line() -> None:
    with pytest.raises(StackFileError) as err:
        load_stack_file("examples/playstudy.yaml")
    assert str(err.value) == "examples/playstudy.yaml: a stack file is named Pulumi.<stack>.yaml"
    with pytest.raises(StackFileError) as err:
        load_stack_file("examples/Pulumi.nope.yaml")
    assert str(err.value) == (
        "no stack file examples/Pulumi.nope.yaml; stacks there: default-rate, fastapi-asyncpg, myteacher, "
        "playstudy, tv-shows"
    )


def test_cli_names_the_stack_file_with_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "Pulumi.broken.yaml"
    bad.write_text("config:\n  aws:region: us-east-1\n  webapp:image: {tag: v1}\n  webapp:cache: {mode: x}\n")
    assert plan_main(["--stack", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: invalid config in {bad}:"
    assert err[1].startswith('  webapp:cache.mode = "x": ')


def test_policy_check_cli_takes_an_example() -> None:
    # make policy-check STACK=examples/Pulumi.fastapi-asyncpg.yaml
    assert policy_check_main(["--stack", example_path("fastapi-asyncpg")]) == 0


# --- every example -------------------------------------------------------------------------------


def test_one_example_per_seed_system() -> None:
    assert sorted(p.name for p in EXAMPLES_DIR.glob("Pulumi.*.yaml")) == sorted(
        f"Pulumi.{name}.yaml" for name in SEEDS
    )


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_header_names_the_seed_and_how_to_plan_it(name: str) -> None:
    text = (EXAMPLES_DIR / f"Pulumi.{name}.yaml").read_text()
    header = text.split("\nconfig:", 1)[0].splitlines()
    assert header and all(line.startswith("#") for line in header)
    assert f"(seed {SEEDS[name]}," in header[0] + header[1] + header[2]
    assert f"# Usage: make plan STACK={example_path(name)} " in text
    data = yaml.safe_load(text)["config"]
    assert data["webapp:profile"] == PROFILES[name]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_example_matches_the_editor_schema(name: str) -> None:
    # The JSON schema editors use for Pulumi.<stack>.yaml (make schemas checks the root stacks).
    schema = json.loads((PROJECT_DIR / "schemas" / "stack-config.schema.json").read_text())
    errors = jsonschema.Draft202012Validator(schema).iter_errors(_project_keys(name))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_example_passes_its_profiles_pack(name: str) -> None:
    # The pack config is the one the profile picks, as make plan and CI resolve it.
    assert resolve(example_path(name)).relative == f"policies/config/{PROFILES[name]}.json"
    report = pack_report(name)
    blocking = [
        f"{v.policy} {v.resource}: {v.message}" for v in report.verdicts if v.enforcement == "mandatory"
    ]
    assert blocking == []
    assert report.count("unknown") == 0
    if PROFILES[name] == "prod":
        # What the prod pack enforces is met outright, not left as advice.
        assert report.count("advisory") == 0


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_key_differs_from_the_profile(name: str) -> None:
    # A key equal to what the profile (or a derived default) gives anyway would hide what the
    # example really chooses; webapp:profile itself is spelled out in every stack file.
    data = _project_keys(name)
    full = validate_config(StackConfig, data, "webapp:").model_dump()
    redundant = []
    for path in _leaves(data):
        if path == ("profile",):
            continue
        without = _without(data, path)
        try:
            same = validate_config(StackConfig, without, "webapp:").model_dump() == full
        except ConfigError:
            same = False
        if same:
            redundant.append("webapp:" + ".".join(path))
    assert redundant == []


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_budget_covers_the_estimate(name: str) -> None:
    # The pack's cost-within-budget rule (mandatory in prod, advisory in dev) holds for every
    # example. A budget the guide gives no number for is sized from make cost's maximum.
    estimate = estimate_plan(preview(name))
    budget = budget_usd(planned(name))
    assert estimate.min_total <= budget
    if name in BUDGET_FROM_ESTIMATE:
        assert estimate.max_total <= budget


def _project_keys(name: str) -> dict[str, Any]:
    config = yaml.safe_load((EXAMPLES_DIR / f"Pulumi.{name}.yaml").read_text())["config"]
    return {key.removeprefix("webapp:"): value for key, value in config.items() if key.startswith("webapp:")}


def _leaves(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key)


def _without(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return copied


# --- what each guide asks for ----------------------------------------------------------------------


def test_playstudy_is_a_react_spa_with_uploads_postgres_15_and_redis() -> None:
    result = planned("playstudy")
    assert result.by_type(DISTRIBUTION)
    assert {b.name for b in result.by_type(BUCKET)} >= {"site-content", "uploads-bucket"}
    task = result.one(TASK, "api-task-def").inputs
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert result.one(SCALING, "api-scaling").inputs["maxCapacity"] == 10
    db = result.one(DB_INSTANCE).inputs
    assert (db["instanceClass"], db["engineVersion"], db["allocatedStorage"]) == ("db.t4g.micro", "15", 20)
    assert (db["multiAz"], db["backupRetentionPeriod"]) == (True, 7)
    cache_group = result.one(CACHE_GROUP).inputs
    assert (cache_group["engine"], cache_group["nodeType"]) == ("redis", "cache.t4g.micro")
    assert len(result.by_type("aws:ec2/instance:Instance")) == 2  # a NAT instance per AZ
    assert app(result, "migrate-task-def")["command"] == ["alembic", "upgrade", "head"]


def test_myteacher_keeps_atlas_and_anthropic_keys_in_team_secrets_and_sends_mail_with_ses() -> None:
    result = planned("myteacher")
    assert budget_usd(result) == 500  # "Cost budget alerts configured ($500/month threshold)"
    sources = secret_sources(app(result, "api-task-def"))
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:myteacher/prod/"
    assert sources["MONGODB_URL"] == f"{arn}mongodb-url-AbC123"
    assert sources["ANTHROPIC_API_KEY"] == f"{arn}anthropic-api-key-AbC123"
    # Only the JWT secret is generated; the referenced ones are the team's.
    assert {s.name for s in result.by_type("aws:secretsmanager/secret:Secret")} == {
        "app-JWT_SECRET",
        "cache-auth",
    }
    statements = json.loads(result.one("aws:iam/rolePolicy:RolePolicy", "api-permissions").inputs["policy"])
    assert [(s["Action"], s["Resource"]) for s in statements["Statement"]] == [
        (["ses:SendEmail", "ses:SendRawEmail"], ["arn:aws:ses:us-east-1:123456789012:identity/myteacher.ai"])
    ]
    acl = result.one(WEB_ACL, "edge-acl").inputs
    assert acl["scope"] == "CLOUDFRONT"
    rules = {rule["name"]: rule["statement"] for rule in acl["rules"]}
    assert "AWSManagedRulesLinuxRuleSet" in rules
    assert [s["rateBasedStatement"]["limit"] for s in rules.values() if "rateBasedStatement" in s] == [100]
    assert set(result.one(DISTRIBUTION).inputs["aliases"]) == {"myteacher.ai", "www.myteacher.ai"}
    cache_group = result.one(CACHE_GROUP).inputs
    assert (cache_group["engine"], cache_group["engineVersion"], cache_group["numCacheClusters"]) == (
        "redis", "7.0", 2,
    )  # fmt: skip
    assert result.by_type("aws:kms/key:Key") and result.one("aws:kms/key:Key", "logs-key")


def test_default_rate_is_one_api_service_with_models_bucket_and_celery_broker() -> None:
    result = planned("default-rate")
    assert result.by_type(DISTRIBUTION) == []
    assert result.one(ALB).inputs["internal"] is False
    assert [s.name for s in result.by_type(SERVICE)] == ["api-svc"]  # Celery runs in the API's container
    scaling = result.one(SCALING, "api-scaling").inputs
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == (1, 5)
    strategy = result.one(SERVICE, "api-svc").inputs["capacityProviderStrategies"]
    assert [s["capacityProvider"] for s in strategy] == ["FARGATE"]
    assert secret_sources(app(result, "api-task-def")) == {
        "SECRET_KEY": "arn:aws:ssm:us-east-1:123456789012:parameter/default-rate/secret-key",
    }
    assert result.one(BUCKET, "uploads-bucket")
    db = result.one(DB_INSTANCE)
    assert (db.inputs["multiAz"], db.protect) == (False, True)
    cache_group = result.one(CACHE_GROUP).inputs
    assert (cache_group["nodeType"], cache_group["numCacheClusters"]) == ("cache.t4g.micro", 1)
    assert result.one(CACHE_PARAMS).inputs["parameters"] == [
        {"name": "maxmemory-policy", "value": "volatile-lru"}
    ]
    assert budget_usd(result) == 120


def test_fastapi_asyncpg_has_postgres_and_no_cache() -> None:
    result = planned("fastapi-asyncpg")
    assert [r.name for r in result.resources if r.type.startswith("aws:elasticache")] == []
    for task in ("api-task-def", "migrate-task-def"):
        defined = containers(result, task)
        assert [c["name"] for c in defined] == ["app"]  # no cache sidecar either
        names = {e["name"] for e in defined[0]["environment"]} | {s["name"] for s in defined[0]["secrets"]}
        assert not {n for n in names if n.startswith("REDIS_")}
        assert {"DB_HOST", "DB_PASSWORD"} <= names
    # No app secret: the database password is RDS's own.
    assert result.by_type("aws:secretsmanager/secret:Secret") == []
    assert "cacheEndpoint" not in result.outputs
    db = result.one(DB_INSTANCE).inputs
    assert (db["engine"], db["instanceClass"], db["multiAz"]) == ("postgres", "db.t4g.micro", False)
    assert result.by_type(DISTRIBUTION)
    assert app(result, "migrate-task-def")["command"] == ["alembic", "upgrade", "head"]


def test_tv_shows_is_an_api_only_rails_app_with_a_sidekiq_worker() -> None:
    result = planned("tv-shows")
    assert result.by_type(DISTRIBUTION) == []
    assert result.one(ALB).inputs["internal"] is False
    assert result.one(WEB_ACL).inputs["scope"] == "REGIONAL"
    target_group = result.one("aws:lb/targetGroup:TargetGroup", "api-tg").inputs
    assert (target_group["port"], target_group["healthCheck"]["path"]) == (3000, "/up")
    assert {s.name for s in result.by_type(SERVICE)} == {"api-svc", "worker-sidekiq-svc"}
    assert app(result, "api-task-def")["healthCheck"]["command"] == [
        "CMD-SHELL", "curl -f http://localhost:3000/up || exit 1",
    ]  # fmt: skip
    worker = app(result, "worker-sidekiq-task-def")
    assert worker["command"] == ["bundle", "exec", "sidekiq"]
    assert "healthCheck" not in worker
    master_key = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tv-shows-api/rails-master-key-AbC123"
    for task in ("api-task-def", "worker-sidekiq-task-def"):
        assert secret_sources(app(result, task)) == {"RAILS_MASTER_KEY": master_key}
    db = result.one(DB_INSTANCE).inputs
    assert (db["engineVersion"], db["instanceClass"], db["allocatedStorage"], db["multiAz"]) == (
        "16", "db.r7g.large", 100, True,
    )  # fmt: skip
    cache_group = result.one(CACHE_GROUP).inputs
    assert (cache_group["engine"], cache_group["nodeType"], cache_group["multiAzEnabled"]) == (
        "redis", "cache.r6g.large", True,
    )  # fmt: skip
    assert result.one(CACHE_PARAMS).inputs["parameters"] == [
        {"name": "maxmemory-policy", "value": "noeviction"}
    ]
    assert app(result, "migrate-task-def")["command"] == ["bundle", "exec", "rails", "db:migrate"]


# --- README ----------------------------------------------------------------------------------------

README_COLUMNS = [
    "System",
    "Example file",
    "Profile",
    "What it uses",
    "Minimum",
    "Maximum",
    "Not in the totals",
]


def readme_rows() -> dict[str, dict[str, str]]:
    """The "Example systems" table, one dict per row keyed by column, by example file."""
    text = (PROJECT_DIR / "README.md").read_text()
    section = text.split("\n## Example systems\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == README_COLUMNS
    rows = [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]
    return {re.sub(r"^\[`([^`]+)`\]\(\1\)$", r"\1", row["Example file"]): row for row in rows}


def test_readme_lists_every_example_with_the_cost_tools_totals() -> None:
    rows = readme_rows()
    assert sorted(rows) == sorted(example_path(name) for name in SEEDS)
    for name in SEEDS:
        row = rows[example_path(name)]
        estimate = estimate_plan(preview(name))
        assert row["Profile"] == f"`{PROFILES[name]}`"
        assert (row["Minimum"], row["Maximum"]) == (
            f"${estimate.min_total:,.2f}",
            f"${estimate.max_total:,.2f}",
        ), name
        # Resources the pricing file cannot price are named, so the totals never pass for the whole bill.
        unpriced = sorted({line.split(" ", 1)[0] for line in estimate.not_priced})
        if unpriced:
            assert [n for n in unpriced if f"`{n}`" not in row["Not in the totals"]] == [], name
        else:
            assert row["Not in the totals"] == "—", name
