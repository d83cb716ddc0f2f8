"""Decide whether identity policies allow one request, the way IAM does within a single account.

Pure functions over policy documents (JSON text or dicts), for tests that must know what a role
can do without calling AWS: an explicit ``Deny`` wins, then any ``Allow``, else the implicit deny.
Supported: ``Action``/``NotAction`` (case-insensitive, ``*`` and ``?``), ``Resource``/``NotResource``
(case-sensitive, ``*`` and ``?``, ``${key}`` policy variables from the request context), and the
condition operators below with the ``ForAnyValue:``/``ForAllValues:`` prefixes and the ``IfExists``
suffix. Values of one key are ORed (ANDed for negated operators), keys and operators are ANDed.

A key absent from the request: a positive operator fails, a negated one (``StringNotEquals``,
``ArnNotLike``...) holds, ``...IfExists`` holds, ``Null`` tests exactly that, ``ForAllValues:``
holds and ``ForAnyValue:`` fails (IAM User Guide, "Condition operators", and "Set operators for
multivalued context keys"). An operator not listed raises ``UnsupportedConditionError``: a document
using something new fails its test instead of being judged wrongly.

Not modelled: resource-based and session policies, permissions boundaries, SCPs, ``Principal``.

Example::

    decision = evaluate([policy_json], "kms:CreateKey", "*",
                        {"aws:RequestedRegion": "eu-west-1", "aws:RequestTag/stack": "dev"})
    assert decision.allowed, decision.reason
"""

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

ContextValue = str | Sequence[str]
Context = Mapping[str, ContextValue]
Document = str | Mapping[str, Any]


class UnsupportedConditionError(ValueError):
    """A condition operator (or a policy element) this evaluator does not implement."""


@dataclass(frozen=True)
class Decision:
    """The verdict and why: the deciding statement, or what kept each candidate from applying."""

    allowed: bool
    reason: str


def evaluate(documents: Iterable[Document], action: str, resource: str, context: Context) -> Decision:
    """Whether ``documents`` together allow ``action`` on ``resource`` with request ``context``.

    ``resource`` is the ARN the action is authorized against, ``"*"`` for an action that names
    no resource type. Context values are strings, or lists for multivalued keys (``aws:TagKeys``).
    """
    statements = [s for doc in documents for s in _statements(doc)]
    near_misses: list[str] = []
    allowed_by: str | None = None
    for index, statement in enumerate(statements):
        sid = str(statement.get("Sid") or f"#{index}")
        if not _action_matches(statement, action) or not _resource_matches(statement, resource, context):
            continue
        failure = condition_failure(statement.get("Condition") or {}, context)
        effect = statement.get("Effect")
        if effect == "Deny" and failure is None:
            return Decision(False, f"denied by Sid {sid}")
        if effect == "Allow":
            if failure is None:
                allowed_by = allowed_by or sid
            else:
                near_misses.append(f"Sid {sid}: {failure}")
        elif effect not in ("Allow", "Deny"):
            raise UnsupportedConditionError(f"statement {sid}: Effect must be Allow or Deny, not {effect!r}")
    if allowed_by is not None:
        return Decision(True, f"allowed by Sid {allowed_by}")
    if near_misses:
        return Decision(False, "no statement allows; " + "; ".join(near_misses))
    return Decision(False, "no statement allows")


def condition_failure(condition: Mapping[str, Any], context: Context) -> str | None:
    """``None`` when every operator block holds, else the first that does not, in words."""
    for operator, keys in condition.items():
        test = _operator(operator)
        if not isinstance(keys, Mapping):
            raise UnsupportedConditionError(f"{operator}: expected an object of condition keys")
        for key, wanted in keys.items():
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(wanted)]
            present = _lookup(context, key)
            if not test(present, values, context):
                if present is None and not operator.startswith("Null"):
                    return f"condition key {key} missing ({operator})"
                return f"{operator} {key} = {present} not in {values}"
    return None


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: ``*`` any run of characters (``/`` included), ``?`` one character."""
    return _glob(pattern, ignore_case).fullmatch(value) is not None


# --- statements ------------------------------------------------------------------------------------


def _statements(document: Document) -> list[Mapping[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    statements = parsed.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(glob_matches(p, action, ignore_case=True) for p in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(glob_matches(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))
    raise UnsupportedConditionError("a statement needs Action or NotAction")


def _resource_matches(statement: Mapping[str, Any], resource: str, context: Context) -> bool:
    def matches(patterns: Any) -> bool:
        for pattern in _as_list(patterns):
            expanded = _substitute(str(pattern), context)
            if expanded is not None and glob_matches(expanded, resource):
                return True
        return False

    if "Resource" in statement:
        return matches(statement["Resource"])
    if "NotResource" in statement:
        return not matches(statement["NotResource"])
    raise UnsupportedConditionError("a statement needs Resource or NotResource")


_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


def _substitute(pattern: str, context: Context) -> str | None:
    """``${aws:username}`` and the like from the context; ``None`` when a variable is absent."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in _LITERALS:
            # ${*} is a literal asterisk: escape it from the glob.
            return "\0" + _LITERALS[name]
        value = _lookup(context, name)
        if value is None or len(value) != 1:
            missing = True
            return ""
        return value[0]

    expanded = _VARIABLE.sub(replace, pattern)
    return None if missing else expanded


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts: list[str] = []
    literal = False
    for char in pattern:
        if char == "\0":
            literal = True
            continue
        if literal:
            parts.append(re.escape(char))
            literal = False
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _lookup(context: Context, key: str) -> list[str] | None:
    # Condition key names are case-insensitive; their values are not.
    for name, value in context.items():
        if name.lower() == key.lower():
            return [value] if isinstance(value, str) else list(value)
    return None


# --- operators -------------------------------------------------------------------------------------

# (present values or None, policy values, context) -> holds
Test = Callable[[list[str] | None, list[str], Context], bool]
Compare = Callable[[str, str, Context], bool]


def _string_like(p: str, v: str, c: Context) -> bool:
    expanded = _substitute(p, c)
    return expanded is not None and glob_matches(expanded, v)


def _string_equals(p: str, v: str, c: Context) -> bool:
    return _substitute(p, c) == v


def _string_equals_ignore_case(p: str, v: str, c: Context) -> bool:
    expanded = _substitute(p, c)
    return expanded is not None and expanded.lower() == v.lower()


def _numeric(compare: Callable[[float, float], bool]) -> Compare:
    def test(p: str, v: str, _: Context) -> bool:
        try:
            return compare(float(v), float(p))
        except ValueError:
            return False

    return test


def _bool(p: str, v: str, _: Context) -> bool:
    return p.lower() == v.lower()


def _ip(p: str, v: str, _: Context) -> bool:
    try:
        return ipaddress.ip_address(v) in ipaddress.ip_network(p, strict=False)
    except ValueError:
        return False


# Each base operator: its comparison and whether it is negated (matches when no value compares).
_BASE: dict[str, tuple[Compare, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    # ARNs are matched as IAM does in practice: the whole ARN against a pattern with wildcards.
    "ArnEquals": (_string_like, False),
    "ArnLike": (_string_like, False),
    "ArnNotEquals": (_string_like, True),
    "ArnNotLike": (_string_like, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "Bool": (_bool, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
}


@cache
def _operator(name: str) -> Test:
    if name == "Null":
        return lambda present, wanted, _: all((present is None) == (w.lower() == "true") for w in wanted)
    qualifier, _, base = name.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _BASE or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnsupportedConditionError(f"condition operator {name} is not supported by the evaluator")
    compare, negated = _BASE[base]

    def one(value: str, wanted: list[str], context: Context) -> bool:
        hit = any(compare(w, value, context) for w in wanted)
        return not hit if negated else hit

    def test(present: list[str] | None, wanted: list[str], context: Context) -> bool:
        if present is None or (qualifier and not present):
            if if_exists or qualifier == "ForAllValues":
                return True
            return negated and qualifier != "ForAnyValue"
        if qualifier == "ForAllValues":
            return all(one(v, wanted, context) for v in present)
        if qualifier == "ForAnyValue":
            return any(one(v, wanted, context) for v in present)
        # A single-valued operator over a list: negated operators hold only if no value matches.
        if negated:
            return all(one(v, wanted, context) for v in present)
        return any(one(v, wanted, context) for v in present)

    return test
