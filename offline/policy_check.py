"""Run the CrossGuard pack in ``policies/`` over a plan, without the Pulumi CLI.

``make policy-check STACK=dev`` checks the offline plan of a stack; ``make policy-check PLAN=f.json``
checks any plan in the ``pulumi preview --json`` shape (the offline plan's, or a real preview's).
The policies get what the engine's analyzer gives them: properties deserialized and wrapped in the
SDK's unknown-checking proxy, resource options, the provider, and for stack policies the parent,
dependencies and property dependencies as resource objects. Enforcement levels and the stack's own
exceptions come from the stack's pack config (``offline.pack_config``: ``policies/config/<profile>
.json`` or the stack's ``policyPackConfig``), resolved as the CLI does (per-policy entry, then
``all``, then the policy's own level, then the pack's ``mandatory``).

Output: two lines per verdict (enforcement, policy, the resource's type and name; then the
message), where identical verdicts on several resources share one line that counts and names them
(``on 3 resources: aws:s3/bucketV2:BucketV2 a, ...``); then a summary that counts each resource's
verdict. The exit code is 1 when any mandatory policy is violated, 2 when the stack, its config or
its pack config cannot be read.
"""

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import jsonschema
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import Policy
from pulumi_policy.proxy import UnknownValueError

from components import ConfigError
from components.profiles import Profile
from policies._framework import EXCEPTION_LOG
from policies.pack import all_rules, build_policies

from .analyzer_view import plan_states, providers, resource_args, stack_resources
from .cli import report_error, run_cli
from .pack_config import PackConfigError, profile_config, resolve
from .plan_file import PlanFileError, load_plan
from .preview_json import to_preview_json
from .run import STACK_HELP, StackFileError, run_stack

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_DIR / "policies" / "config"
PACK_LEVEL = EnforcementLevel.MANDATORY


class PolicyConfigError(Exception):
    """The policy config file is not one the Pulumi CLI would accept."""


@dataclass(frozen=True)
class Verdict:
    enforcement: str  # mandatory, advisory, excepted or unknown
    policy: str
    urn: str
    message: str

    @property
    def resource(self) -> str:
        """The resource as a reviewer reads it: ``aws:s3/bucketV2:BucketV2 site-content``."""
        return resource_label(self.urn)


def resource_label(urn: str) -> str:
    """``<type> <name>`` from a URN (``urn:pulumi:<stack>::<project>::<parent$...$type>::<name>``)."""
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return urn or "(stack)"
    return f"{parts[2].rsplit('$', 1)[-1]} {parts[3]}"


@dataclass(frozen=True)
class Report:
    verdicts: tuple[Verdict, ...]
    policy_count: int
    resource_count: int

    def count(self, enforcement: str) -> int:
        return sum(1 for v in self.verdicts if v.enforcement == enforcement)

    @property
    def passed(self) -> bool:
        return self.count("mandatory") == 0

    def summary(self, label: str) -> str:
        return (
            f"{label}: {self.count('mandatory')} mandatory and {self.count('advisory')} advisory "
            f"violations, {self.count('excepted')} documented exceptions, {self.count('unknown')} "
            f"checks waiting for unknown values ({self.policy_count} policies over "
            f"{self.resource_count} resources)"
        )


# --- config ---------------------------------------------------------------------------------------


def load_policy_config(path: Path | None, policies: list[Policy]) -> dict[str, Any]:
    """Read and validate a ``--policy-pack-config`` file: known policy names, levels, schemas."""
    if path is None:
        return {}
    try:
        config = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise PolicyConfigError(f"{path}: {err}") from err
    if not isinstance(config, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy names")
    by_name = {p.name: p for p in policies}
    levels = {level.value for level in EnforcementLevel}
    problems: list[str] = []
    for name, entry in config.items():
        if name != "all" and name not in by_name:
            problems.append(f"{path.name}: {name}: no such policy in the pack")
            continue
        has_level = isinstance(entry, str) or (isinstance(entry, dict) and "enforcementLevel" in entry)
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel") if has_level else None
        if has_level and level not in levels:
            problems.append(
                f"{path.name}: {name}: enforcement level {level!r} must be one of {sorted(levels)}"
            )
        if isinstance(entry, dict) and name != "all":
            schema = by_name[name].config_schema
            properties = dict(schema.properties) if schema is not None else {}
            document = {k: v for k, v in entry.items() if k != "enforcementLevel"}
            validator = jsonschema.Draft7Validator(
                {"type": "object", "properties": properties, "additionalProperties": False}
            )
            problems += [f"{path.name}: {name}: {error.message}" for error in validator.iter_errors(document)]
    if problems:
        raise PolicyConfigError("\n".join(problems))
    return config


def enforcement_level(policy: Policy, config: Mapping[str, Any]) -> EnforcementLevel:
    for key in (policy.name, "all"):
        entry = config.get(key)
        if isinstance(entry, str):
            return EnforcementLevel(entry)
        if isinstance(entry, dict) and "enforcementLevel" in entry:
            return EnforcementLevel(entry["enforcementLevel"])
    return policy.enforcement_level or PACK_LEVEL


def policy_settings(policy: Policy, config: Mapping[str, Any]) -> dict[str, Any]:
    """The policy's own config with the schema's defaults, as ``args.get_config()`` returns it."""
    entry = config.get(policy.name)
    settings = {k: v for k, v in entry.items() if k != "enforcementLevel"} if isinstance(entry, dict) else {}
    if policy.config_schema is not None:
        for key, schema in policy.config_schema.properties.items():
            if "default" in schema:
                settings.setdefault(key, schema["default"])
    return settings


# --- running the pack -----------------------------------------------------------------------------


def evaluate(plan: Mapping[str, Any], config: Mapping[str, Any]) -> Report:
    """Run every enabled policy over ``plan`` and collect the verdicts."""
    policies = build_policies()
    states = plan_states(plan)
    known = providers(states)
    verdicts: list[Verdict] = []
    EXCEPTION_LOG.clear()
    for policy in policies:
        level = enforcement_level(policy, config)
        if level is EnforcementLevel.DISABLED:
            continue
        blocking = level in (EnforcementLevel.MANDATORY, EnforcementLevel.REMEDIATE)
        label = "mandatory" if blocking else "advisory"
        settings = policy_settings(policy, config)

        def report(message: str, urn: str | None, *, _policy: str = policy.name, _label: str = label) -> None:
            verdicts.append(Verdict(_label, _policy, urn or "", message))

        if isinstance(policy, ResourceValidationPolicy):
            for state in states:
                _run(policy, resource_args(state, known, settings), report, verdicts)
        elif isinstance(policy, StackValidationPolicy):
            _run(policy, StackValidationArgs(stack_resources(states), settings), report, verdicts)
    verdicts += [
        Verdict("excepted", policy, urn, reason)
        for (policy, urn), reason in sorted(EXCEPTION_LOG.applied.items())
    ]
    # The exceptions report policy repeats the lines above as advisory, for the CLI's output.
    verdicts = [v for v in verdicts if v.policy != "documented-exceptions"]
    return Report(tuple(verdicts), len(policies), len(states))


def _run(policy: Policy, args: Any, report: Any, verdicts: list[Verdict]) -> None:
    try:
        policy.validate(args, report)  # type: ignore[attr-defined]
    except UnknownValueError as err:
        urn = getattr(args, "urn", "")
        verdicts.append(Verdict("unknown", policy.name, urn, f"can't run during preview: {err.message}"))


def render(report: Report, label: str, out: TextIO) -> None:
    """Two lines per verdict; identical verdicts on several resources are one, with their names."""
    order = {"mandatory": 0, "advisory": 1, "excepted": 2, "unknown": 3}
    groups: dict[tuple[str, str, str], list[str]] = {}
    for v in sorted(report.verdicts, key=lambda v: (order[v.enforcement], v.policy, v.resource)):
        groups.setdefault((v.enforcement, v.policy, v.message), []).append(v.resource)
    for (enforcement, policy, message), resources in groups.items():
        subject = (
            resources[0] if len(resources) == 1 else f"on {len(resources)} resources: {', '.join(resources)}"
        )
        out.write(f"{enforcement:<9}  {policy}  {subject}\n           {message}\n")
    out.write(report.summary(label) + "\n")


def render_table(out: TextIO) -> None:
    """``make policies``: every rule with its controls, severity and enforcement per profile."""
    policies = {p.name: p for p in build_policies()}
    profiles = list(Profile)
    configs = [load_policy_config(profile_config(p), list(policies.values())) for p in profiles]
    names = " | ".join(p.value for p in profiles)
    out.write(
        f"| Policy | Controls | Severity | Kind | {names} |\n|---|---|---|---|{'---|' * len(profiles)}\n"
    )
    for rule in all_rules():
        policy = policies[rule.name]
        levels = " | ".join(enforcement_level(policy, config).value for config in configs)
        kind = "resource" if rule.check_resource is not None else "stack"
        out.write(
            f"| `{rule.name}` | {', '.join(rule.controls)} | {rule.severity.value} | {kind} | {levels} |\n"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make policy-check", description=__doc__)
    parser.add_argument(
        "--stack", default="dev", help=f"stack whose plan and pack config to use: {STACK_HELP}"
    )
    parser.add_argument("--plan", type=Path, help="a plan file in the `pulumi preview --json` shape")
    parser.add_argument(
        "--config", type=Path, help="pack config (default: the stack's, see offline.pack_config)"
    )
    parser.add_argument("--table", action="store_true", help="print the policy table and exit")
    args = parser.parse_args(argv)
    try:
        if args.table:
            render_table(sys.stdout)
            return 0
        config_path = args.config or resolve(args.stack).path
        config = load_policy_config(config_path, build_policies())
        if args.plan is not None:
            plan = load_plan(args.plan)
            label = str(args.plan)
        else:
            plan = to_preview_json(run_stack(args.stack))
            label = args.stack
    except (
        PolicyConfigError,
        PackConfigError,
        PlanFileError,
        StackFileError,
        ConfigError,
        OSError,
        json.JSONDecodeError,
    ) as err:
        return report_error(err, args.stack)
    report = evaluate(plan, config)
    render(report, label, sys.stdout)
    return 0 if report.passed else 1


if __name__ == "__main__":
    run_cli(main)
