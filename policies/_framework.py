"""The small vocabulary every rule module uses, and the adapter to Pulumi's CrossGuard SDK.

A rule is a plain function over plain data (``Resource`` or ``Stack``), so tests call it directly;
``to_policy`` wraps it as the ``pulumi_policy`` policy the engine runs. A departure that is part of
the architecture (an SSE-S3 log bucket that ALB log delivery requires, the pinned Fargate platform)
is decided by the rule from the resource's own properties or its relationships, whatever the
resource or stack is called: the check yields a ``DesignException`` (a resource rule) or an
excepted ``Finding`` (a stack rule) with the reason, which is reported like a config-file
exception, never as a violation. Rules read engine-style camelCase properties.

Unknown values: during a preview, a value computed from a resource not created yet is unknown (in
the first preview of a stack, most ARNs and IDs and the JSON documents built from them). Reading
one raises ``pulumi_policy.UnknownValueError``, which the SDK reports as "can't run during preview"
instead of a verdict; the engine runs the policy again on ``pulumi up``, when the value is known.
A rule never turns an unknown into "absent", "empty" or "compliant": it lets the error propagate
(``props.get`` on the SDK's proxy raises too, as do iterating over a list with an unknown item,
``has_items`` on an unknown list and ``parse_json`` of unknown text). A stack rule decides the
resources it can see and marks the others ``Finding.waiting`` (``each`` does it per resource);
``to_policy`` reports the verdicts, then raises once, naming the resources that wait. The one
reading that does not wait is ``is_set`` on a reference (an ARN, ID or name computed from
another resource), which is never empty once known.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import Policy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

__all__ = [
    "DesignException",
    "Finding",
    "Resource",
    "Rule",
    "Severity",
    "Stack",
    "UnknownValueError",
    "configured_stack_rule",
    "each",
    "has_items",
    "is_set",
    "is_unknown",
    "parse_json",
    "resource_rule",
    "stack_rule",
]


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it: engine type, logical name, URN, camelCase inputs, options.

    ``parent``, ``dependencies`` and ``property_dependencies`` hold URNs and are filled for stack
    rules only (the engine gives resource rules none of them).

    Example::

        Resource("aws:rds/instance:Instance", "db-instance", urn, {"storageEncrypted": True})
    """

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore_changes: tuple[str, ...] = ()

    def depends_on(self, prop: str, other: "Resource") -> bool:
        """Whether this resource's ``prop`` input was computed from ``other`` (a property dependency)."""
        return other.urn in self.property_dependencies.get(prop, ())


@dataclass(frozen=True)
class Stack:
    """Every resource of one preview or update, for rules that need several resources to decide.

    Example::

        for bucket in stack.of_type(BUCKET):
            blocks = stack.referencing(bucket, "bucket", PUBLIC_ACCESS_BLOCK)
    """

    resources: tuple[Resource, ...]

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def referencing(self, target: Resource, prop: str, *types: str) -> list[Resource]:
        """Resources of ``types`` whose ``prop`` input came from ``target`` (e.g. a bucket's policy)."""
        return [r for r in self.of_type(*types) if r.depends_on(prop, target)]

    def referenced_by(self, resource: Resource, prop: str) -> list[Resource]:
        """The resources ``resource``'s ``prop`` input was computed from."""
        urns = resource.property_dependencies.get(prop, ())
        return [r for r in self.resources if r.urn in urns]


@dataclass(frozen=True)
class Finding:
    """A stack rule's verdict on one resource; ``excepted`` makes ``message`` the reason of a
    departure the design makes on purpose (see ``Finding.design_exception``), ``unknown`` the
    value the rule could not read during a preview (see ``Finding.waiting``)."""

    resource: Resource
    message: str
    excepted: bool = False
    unknown: bool = False

    @classmethod
    def waiting(cls, resource: Resource, error: UnknownValueError) -> "Finding":
        """No verdict on ``resource`` yet: a value the rule reads is not known until the update.

        Example::

            try:
                entries = ingress_entries(rule)
            except UnknownValueError as err:
                yield Finding.waiting(rule, err)
        """
        return cls(resource, error.message, unknown=True)

    @classmethod
    def design_exception(cls, resource: Resource, reason: str) -> "Finding":
        """Not a violation: ``resource`` departs from the rule by design, for ``reason``.

        Example::

            if stack.referencing(bucket, "accessLogs", LOAD_BALANCER):
                yield Finding.design_exception(bucket, "ALB access-log delivery supports only SSE-S3")
        """
        return cls(resource, reason, excepted=True)


@dataclass(frozen=True)
class DesignException:
    """Yielded by a resource rule instead of a message: the resource departs from the rule by design.

    Example::

        if version == CURRENT_PLATFORM:
            yield DesignException("Pinned to Fargate platform 1.4.0 so that ...")
    """

    reason: str


def each(resources: Iterable[Resource], check: Callable[[Resource], Iterable[Finding]]) -> Iterator[Finding]:
    """``check`` on every resource; one whose values are not known yet gets a ``Finding.waiting``,
    and the others keep their verdicts.

    Example::

        def check(bucket: Resource) -> Iterator[Finding]: ...
        yield from each(stack.of_type(BUCKET), check)
    """
    for resource in resources:
        try:
            yield from check(resource)
        except UnknownValueError as err:
            yield Finding.waiting(resource, err)


ResourceCheck = Callable[[Resource], Iterable[str | DesignException]]
StackCheck = Callable[[Stack], Iterable[Finding]]
ConfiguredStackCheck = Callable[[Stack, Mapping[str, Any]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One policy: what it requires, which controls it implements, and its check.

    ``production_only`` rules (Multi-AZ, deletion protection, WAF...) are advisory in
    ``config/dev.json`` and mandatory in ``config/prod.json``; every other rule is mandatory in both,
    unless it sets its own default ``enforcement_level`` (the stack config still overrides it).
    ``config_properties`` adds JSON-schema properties to the policy's config, which a
    ``check_configured_stack`` receives (with the schema defaults) next to the stack.
    """

    name: str
    description: str
    controls: tuple[str, ...]
    severity: Severity
    production_only: bool
    resource_types: tuple[str, ...] = ()
    check_resource: ResourceCheck | None = None
    check_stack: StackCheck | None = None
    check_configured_stack: ConfiguredStackCheck | None = None
    config_properties: Mapping[str, Any] = field(default_factory=dict)
    enforcement_level: EnforcementLevel | None = None

    @property
    def full_description(self) -> str:
        return f"{self.description} [{', '.join(self.controls)}]"

    def findings(
        self, target: Resource | Stack, config: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """Run the check directly: the violations as ``[(urn, message), ...]`` (what tests assert on).

        Raises ``UnknownValueError`` when the rule could not read a value, as the engine sees it
        (``verdicts`` shows what it decided on the rest)."""
        return self._of_kind("violation", target, config)

    def design_exceptions(
        self, target: Resource | Stack, config: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """The departures the design makes on purpose: ``[(urn, reason), ...]``."""
        return self._of_kind("excepted", target, config)

    def verdicts(
        self, target: Resource | Stack, config: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str, str]]:
        """Every verdict as ``(kind, urn, message)``, kind ``violation``, ``excepted`` or ``unknown``
        (the rule cannot run on that resource during a preview); never raises for an unknown."""
        if isinstance(target, Resource):
            assert self.check_resource is not None, f"{self.name} is a stack rule"
            if target.type not in self.resource_types:
                return []
            found: list[tuple[str, str, str]] = []
            try:
                for item in self.check_resource(target):
                    if isinstance(item, DesignException):
                        found.append(("excepted", target.urn, item.reason))
                    else:
                        found.append(("violation", target.urn, item))
            except UnknownValueError as err:
                found.append(("unknown", target.urn, err.message))
            return found
        found = []
        try:
            for finding in self.stack_findings(target, config or {}):
                found.append((_kind(finding), finding.resource.urn, finding.message))
        except UnknownValueError as err:
            found.append(("unknown", "", err.message))
        return found

    def _of_kind(
        self, kind: str, target: Resource | Stack, config: Mapping[str, Any] | None
    ) -> list[tuple[str, str]]:
        verdicts = self.verdicts(target, config)
        waiting = [(urn, message) for k, urn, message in verdicts if k == "unknown"]
        if waiting:
            raise waiting_error(waiting)
        return [(urn, message) for k, urn, message in verdicts if k == kind]

    def messages(self, target: Resource | Stack, config: Mapping[str, Any] | None = None) -> list[str]:
        return [message for _, message in self.findings(target, config)]

    def stack_findings(self, stack: Stack, config: Mapping[str, Any]) -> Iterable[Finding]:
        if self.check_configured_stack is not None:
            return self.check_configured_stack(stack, config)
        assert self.check_stack is not None, f"{self.name} is a resource rule"
        return self.check_stack(stack)


def _kind(finding: Finding) -> str:
    return "unknown" if finding.unknown else "excepted" if finding.excepted else "violation"


def waiting_error(waiting: Sequence[tuple[str, str]]) -> UnknownValueError:
    """One ``UnknownValueError`` naming each resource a rule could not decide and the value it lacks
    (the SDK prints its ``message`` after "can't run policy ... during preview: ")."""
    error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
    error.message = "; ".join(
        f"{_resource_label(urn)}: {message}" if urn else message for urn, message in waiting
    )
    return error


def _resource_label(urn: str) -> str:
    parts = urn.split("::", 3)
    return f"{parts[2].rsplit('$', 1)[-1]} {parts[3]}" if len(parts) == 4 else urn


def resource_rule(
    name: str,
    *,
    types: Iterable[str],
    controls: Iterable[str],
    severity: Severity,
    description: str,
    production_only: bool = False,
) -> Callable[[ResourceCheck], Rule]:
    """Declare a rule decided by one resource; the function yields one message per violation.

    Example::

        @resource_rule("rds-storage-encrypted", types=[RDS_INSTANCE], controls=["RDS.3"],
                       severity=Severity.MEDIUM, description="RDS storage is encrypted at rest.")
        def rds_storage_encrypted(db: Resource) -> Iterator[str]:
            if db.props.get("storageEncrypted") is not True:
                yield "storageEncrypted must be true"
    """

    def wrap(check: ResourceCheck) -> Rule:
        return Rule(name, description, tuple(controls), severity, production_only, tuple(types), check, None)

    return wrap


def stack_rule(
    name: str,
    *,
    controls: Iterable[str],
    severity: Severity,
    description: str,
    production_only: bool = False,
) -> Callable[[StackCheck], Rule]:
    """Declare a rule that needs several resources; the function yields ``Finding``s.

    Example::

        @stack_rule("vpc-flow-logs", controls=["EC2.6"], severity=Severity.MEDIUM,
                    description="Every VPC has a flow log.")
        def vpc_flow_logs(stack: Stack) -> Iterator[Finding]:
            for vpc in stack.of_type(VPC):
                if not stack.referencing(vpc, "vpcId", FLOW_LOG):
                    yield Finding(vpc, "has no flow log")
    """

    def wrap(check: StackCheck) -> Rule:
        return Rule(name, description, tuple(controls), severity, production_only, (), None, check)

    return wrap


def is_unknown(props: Mapping[str, Any], key: str) -> bool:
    """True when ``key`` is present but its value is not known until the update."""
    if key not in list(props.keys()):
        return False
    try:
        props[key]
    except UnknownValueError:
        return True
    return False


def is_set(props: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` has a value.

    An unknown value counts as set: use ``is_set`` only where the key holds a reference (an ARN,
    ID or name computed from a resource being created), which is never empty once known. For a
    value a rule compares or counts, read it (``props.get`` raises when it is unknown) or use
    ``has_items`` for a list.
    """
    if key not in list(props.keys()):
        return False
    if is_unknown(props, key):
        return True
    value = props[key]
    if value is None or value == "":
        return False
    # The SDK hands lists and maps over wrapped in proxies that never equal [] or {}.
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        return len(value) > 0
    return True


def has_items(props: Mapping[str, Any], key: str) -> bool:
    """Whether the list at ``key`` has at least one item; raises ``UnknownValueError`` when the
    list itself is unknown (it may turn out empty). Unknown items still count: they exist."""
    if key not in list(props.keys()):
        return False
    value = props[key]
    return value is not None and len(value) > 0


def parse_json(props: Mapping[str, Any], key: str) -> Any:
    """The JSON document at ``key`` (a string, or already an object), None when absent or not JSON.

    Raises ``UnknownValueError`` when the text is unknown; the parsed document is wrapped in the
    SDK's proxy, so an unknown embedded in it raises when read, as an unknown property does.

    Example::

        for container in parse_json(task.props, "containerDefinitions") or []:
            ...
    """
    if key not in list(props.keys()):
        return None
    value = props[key]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
        return unknown_checking_proxy({key: value})[key]
    return value


def configured_stack_rule(
    name: str,
    *,
    controls: Iterable[str],
    severity: Severity,
    description: str,
    config_properties: Mapping[str, Any],
    enforcement_level: EnforcementLevel | None = None,
    production_only: bool = False,
) -> Callable[[ConfiguredStackCheck], Rule]:
    """A stack rule with its own policy config properties (JSON schema) and default enforcement level.

    Example::

        @configured_stack_rule("cost-within-budget", controls=["webapp"], severity=Severity.LOW,
                               description="...", enforcement_level=EnforcementLevel.ADVISORY,
                               config_properties={"monthlyBudgetUsd": {"type": "number"}})
        def cost_within_budget(stack: Stack, config: Mapping[str, Any]) -> Iterator[Finding]: ...
    """

    def wrap(check: ConfiguredStackCheck) -> Rule:
        return Rule(
            name, description, tuple(controls), severity, production_only,
            check_configured_stack=check, config_properties=dict(config_properties),
            enforcement_level=enforcement_level,
        )  # fmt: skip

    return wrap


# --- exceptions --------------------------------------------------------------------------------

EXCEPTIONS_SCHEMA = PolicyConfigSchema(
    properties={
        "exceptions": {
            "type": "array",
            "description": "Resources this policy deliberately does not apply to, each with the reason.",
            "items": {
                "type": "object",
                "properties": {
                    "resource": {"type": "string", "minLength": 1, "description": "logical resource name"},
                    "reason": {"type": "string", "minLength": 20},
                },
                "required": ["resource", "reason"],
                "additionalProperties": False,
            },
            "default": [],
        }
    }
)


@dataclass
class ExceptionLog:
    """Exceptions that applied during this run (the design's, decided by the rules, and those the
    pack config names), reported by the ``documented-exceptions`` policy at the end so that they
    show in the preview output, not only in the code or the config file.

    The engine calls every resource policy before any stack policy, in one pack process per
    operation, which is what lets a stack policy report what resource policies excused.
    """

    applied: dict[tuple[str, str], str] = field(default_factory=dict)

    def record(self, policy: str, urn: str, reason: str) -> None:
        self.applied[(policy, urn)] = reason

    def clear(self) -> None:
        self.applied.clear()


EXCEPTION_LOG = ExceptionLog()


def _exception_reasons(config: Mapping[str, Any] | None) -> dict[str, str]:
    entries = (config or {}).get("exceptions") or []
    return {entry["resource"]: entry["reason"] for entry in entries}


def _report(
    rule: Rule, reasons: Mapping[str, str], report_violation: ReportViolation, urn: str, message: str
) -> None:
    name = urn.rsplit("::", 1)[-1]
    if name in reasons:
        EXCEPTION_LOG.record(rule.name, urn, reasons[name])
        return
    report_violation(message, urn)


# --- adapter to pulumi_policy ----------------------------------------------------------------------


def to_policy(rule: Rule) -> Policy:
    """The ``pulumi_policy`` policy for ``rule``; its enforcement level comes from the pack config."""
    schema = EXCEPTIONS_SCHEMA
    if rule.config_properties:
        schema = PolicyConfigSchema(properties={**EXCEPTIONS_SCHEMA.properties, **rule.config_properties})
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.full_description,
        "config_schema": schema,
        "severity": rule.severity,
        "tags": list(rule.controls),
        "enforcement_level": rule.enforcement_level,
    }
    if rule.check_resource is not None:
        check = rule.check_resource

        def validate_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if args.resource_type not in rule.resource_types:
                return
            resource = Resource(args.resource_type, args.name, args.urn, args.props, bool(args.opts.protect))
            reasons = _exception_reasons(args.get_config())
            for item in check(resource):
                if isinstance(item, DesignException):
                    EXCEPTION_LOG.record(rule.name, args.urn, item.reason)
                else:
                    _report(rule, reasons, report_violation, args.urn, item)

        return ResourceValidationPolicy(validate=validate_resource, **common)

    def validate_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = args.get_config() or {}
        reasons = _exception_reasons(config)
        waiting: list[tuple[str, str]] = []
        for finding in rule.stack_findings(stack_from(args.resources), config):
            if finding.unknown:
                waiting.append((finding.resource.urn, finding.message))
            elif finding.excepted:
                EXCEPTION_LOG.record(rule.name, finding.resource.urn, finding.message)
            else:
                _report(rule, reasons, report_violation, finding.resource.urn, finding.message)
        if waiting:
            # After the verdicts above: the SDK keeps what was reported and adds "can't run".
            raise waiting_error(waiting)

    return StackValidationPolicy(validate=validate_stack, **common)


def stack_from(resources: Iterable[PolicyResource]) -> Stack:
    return Stack(
        tuple(
            Resource(
                type=r.resource_type,
                name=r.name,
                urn=r.urn,
                props=r.props,
                protect=bool(r.opts.protect),
                parent=r.parent.urn if r.parent is not None else None,
                dependencies=tuple(d.urn for d in r.dependencies),
                property_dependencies={
                    k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()
                },
                ignore_changes=tuple(r.opts.ignore_changes or ()),
            )
            for r in resources
        )
    )


def documented_exceptions_policy() -> Policy:
    """Advisory: one line per exception (the design's or the config's) that applied, with its reason."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for (policy, urn), reason in sorted(EXCEPTION_LOG.applied.items()):
            report_violation(f"exception to {policy}: {reason}", urn)

    return StackValidationPolicy(
        name="documented-exceptions",
        description="Lists the policy exceptions that applied in this run: the design's, decided by the "
        "rules from each resource's properties and relationships, and those the pack config names.",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
    )


def iter_unique(messages: Iterable[str]) -> Iterator[str]:
    """Yield each message once, in order (several checks can reach the same verdict)."""
    seen: set[str] = set()
    for message in messages:
        if message not in seen:
            seen.add(message)
            yield message
