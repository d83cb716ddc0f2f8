"""Load a committed stack file and run ``__main__.py`` under recording mocks."""

import json
import re
import runpy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from .mocks import STACK_TYPE, InvokeRecord, PlanMocks, RecordingMonitor, Registration

PROJECT_DIR = Path(__file__).resolve().parent.parent
MOCK_SECRET = "mock-secret-value"
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
# --stack of make plan, policy-check, cost and diagram.
STACK_HELP = "a stack name, or a stack file's path such as examples/Pulumi.playstudy.yaml"
_STACK_FILE_NAME = re.compile(r"^Pulumi\.(?P<stack>.+)\.yaml$")


class StackFileError(Exception):
    """The stack name or a stack/project file is unusable; the message is one line."""


@dataclass
class StackFile:
    project: str
    stack: str
    config: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)


@dataclass
class PlanResult:
    """What one offline run registered, invoked and exported."""

    project: str
    stack: str
    resources: list[Registration]
    invokes: list[InvokeRecord]
    outputs: dict[str, Any]

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.by_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {len(found)}")
        return found[0]


def project_name(project_dir: Path = PROJECT_DIR) -> str:
    return _read_yaml(project_dir / "Pulumi.yaml")["name"]


def available_stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def stack_file_path(stack: str, project_dir: Path = PROJECT_DIR) -> tuple[str, Path]:
    """The stack's name and its settings file: ``Pulumi.<stack>.yaml`` in the project directory,
    or, for ``stack`` ending in ``.yaml``, that file (relative to the project directory).

    A stack file outside the project (``examples/Pulumi.playstudy.yaml``) is planned with the
    project's own ``Pulumi.yaml`` and ``__main__.py``, as stack ``playstudy``.
    """
    if stack.endswith(".yaml"):
        path = project_dir / stack
        match = _STACK_FILE_NAME.match(path.name)
        if match is None:
            raise StackFileError(f"{stack}: a stack file is named Pulumi.<stack>.yaml")
        name = match["stack"]
    else:
        name, path = stack, project_dir / f"Pulumi.{stack}.yaml"
    if not _STACK_NAME.match(name):
        raise StackFileError(f"bad stack name {name!r}: use letters, digits, '-', '_' or '.'")
    return name, path


def stack_file_label(stack: str) -> str:
    """How messages name the file ``stack`` refers to: ``Pulumi.dev.yaml``, ``examples/Pulumi.x.yaml``."""
    return stack if stack.endswith(".yaml") else f"Pulumi.{stack}.yaml"


def load_stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> StackFile:
    """Flatten a stack file (plus Pulumi.yaml's project defaults) into engine config.

    ``stack`` is a stack name or a stack file's path (``stack_file_path``). Objects become JSON
    text as the CLI passes them; ``secure:`` values become a mock secret.
    """
    label = stack_file_label(stack)
    stack, path = stack_file_path(stack, project_dir)
    if not path.exists():
        stacks = ", ".join(available_stacks(path.parent)) or "none"
        raise StackFileError(
            f"no stack file {label}; stacks {'here' if label == path.name else 'there'}: {stacks}"
        )
    project_file = _read_yaml(project_dir / "Pulumi.yaml")
    project = project_file.get("name")
    if not isinstance(project, str):
        raise StackFileError("Pulumi.yaml has no project name")
    stack_file = _read_yaml(path)
    entries = stack_file.get("config") or {}
    if not isinstance(entries, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping of keys to values")

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, spec in (project_file.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            config[full_key] = _engine_value(spec.get("value", spec.get("default")))
        elif not isinstance(spec, dict):
            config[full_key] = _engine_value(spec)  # the short form: `key: value`
    for key, value in entries.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackFileError(f"{path.name}: config key {key!r} must be namespaced, e.g. {project}:{key}")
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[key] = MOCK_SECRET
            secret_keys.append(key)
        else:
            config[key] = _engine_value(value)
    return StackFile(project, stack, config, secret_keys)


def run_stack(stack: str, project_dir: Path = PROJECT_DIR) -> PlanResult:
    """Run the program with a stack file: a stack name, or a stack file's path (``stack_file_path``)."""
    stack_file = load_stack_file(stack, project_dir)
    return run_program(
        stack_file.config,
        project=stack_file.project,
        stack=stack_file.stack,
        secret_keys=stack_file.secret_keys,
        project_dir=project_dir,
    )


def run_program(
    config: dict[str, str],
    *,
    project: str,
    stack: str,
    secret_keys: list[str] | None = None,
    project_dir: Path = PROJECT_DIR,
) -> PlanResult:
    """Run ``__main__.py`` once under fresh mocks; nothing leaks between runs.

    Raises whatever the program raises (``ConfigError`` for bad config).
    """
    return ProgramRun(
        config, project=project, stack=stack, secret_keys=secret_keys, project_dir=project_dir
    ).execute()


class ProgramRun:
    """One isolated execution of the program; ``monitor`` keeps what was registered even on failure.

    ``program`` replaces ``__main__.py`` with any callable, to test one component on its own.

    Example::

        run = ProgramRun({"aws:region": "us-east-1"}, project="webapp", stack="dev")
        result = run.execute()
    """

    def __init__(
        self,
        config: dict[str, str],
        *,
        project: str,
        stack: str,
        secret_keys: list[str] | None = None,
        project_dir: Path = PROJECT_DIR,
        program: Callable[[], None] | None = None,
    ) -> None:
        region = config.get("aws:region")
        self.mocks = PlanMocks(region=region if isinstance(region, str) and region else "us-east-1")
        self.monitor = RecordingMonitor(self.mocks)
        self.config = dict(config)
        self.project = project
        self.stack = stack
        self.secret_keys = list(secret_keys or [])
        self.project_dir = project_dir
        self.program = program

    def execute(self) -> PlanResult:
        pulumi.runtime.settings.ROOT.set(None)  # a fresh root Stack, so exports do not leak
        pulumi.runtime.set_mocks(
            self.mocks, project=self.project, stack=self.stack, preview=False, monitor=self.monitor
        )
        pulumi.runtime.set_all_config(self.config, secret_keys=self.secret_keys)
        outputs: dict[str, Any] = {}
        if str(self.project_dir) not in sys.path:
            sys.path.insert(0, str(self.project_dir))
        main_file = str(self.project_dir / "__main__.py")

        @pulumi.runtime.test
        def program() -> pulumi.Output[Any]:
            if self.program is not None:
                self.program()
            else:
                runpy.run_path(main_file, run_name="__main__")
            root = pulumi.runtime.settings.get_root_resource()
            exported = getattr(root, "outputs", {}) or {}
            return pulumi.Output.all(**exported).apply(outputs.update)

        program()
        stack_urn = f"urn:pulumi:{self.stack}::{self.project}::{STACK_TYPE}::{self.project}-{self.stack}"
        resources = [r for r in self.monitor.registrations if r.type != STACK_TYPE]
        for r in resources:
            if r.parent.endswith(f"::{STACK_TYPE}::{self.project}-{self.stack}"):
                r.parent = stack_urn
        return PlanResult(self.project, self.stack, resources, self.monitor.invokes, outputs)


def _engine_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise StackFileError(f"{path.name} not found in {path.parent}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise StackFileError(f"{path.name}:{where}: not valid YAML ({problem})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackFileError(f"{path.name}: must be a YAML mapping")
    return data
