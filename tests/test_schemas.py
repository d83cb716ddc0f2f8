"""Pulumi.yaml against Pulumi's own schema; stack files against the schema generated from StackConfig."""

from pathlib import Path

import yaml

from offline import check_schemas

ROOT = Path(__file__).resolve().parent.parent


def test_project_file_is_valid() -> None:
    assert check_schemas.check_project_file() == []


def test_project_schema_rejects_structured_project_config(tmp_path: Path) -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    project["config"] = {"network": {"type": "object"}}
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    problems = check_schemas.check_project_file(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith("Pulumi.yaml: config.network: {'type': 'object'} is not valid under any")


def test_committed_stack_files_are_valid() -> None:
    for stack in ("dev", "prod"):
        assert check_schemas.check_stack_file(stack) == []


def test_stack_file_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.qa.yaml").write_text(
        "confg: {}\nconfig:\n  region: us-east-1\n  webapp:image: {tag: v1}\n"
        "  webapp:network:\n    azCount: two\n"
    )
    assert check_schemas.check_stack_file("qa", tmp_path) == [
        "Pulumi.qa.yaml: unknown top-level key 'confg'",
        "Pulumi.qa.yaml: config key 'region' is not namespaced (write webapp:region)",
        "Pulumi.qa.yaml: webapp:network.azCount: 'two' is not of type 'integer'",
    ]


def test_stack_config_schema_is_current() -> None:
    assert check_schemas.check_stack_config_schema_current() == []
    schema = check_schemas.generated_stack_config_schema()
    assert set(schema["properties"]) == {
        "profile", "policyPackConfig", "protect", "ephemeral", "tags", "network", "cluster", "image",
        "secrets", "loadBalancer", "service", "workers", "migration", "database", "cache", "uploads", "site",
        "waf", "monitoring", "tracing", "auditTrail", "iam",
    }  # fmt: skip
    assert schema["required"] == ["image"]
