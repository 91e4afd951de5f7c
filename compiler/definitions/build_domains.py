"""Reading `domain:` documents: a base type with a default, NOT NULL, a collation and checks on VALUE."""
from __future__ import annotations

from collections.abc import Mapping as Mapping_
from dataclasses import replace

from ..errors import DefinitionError, did_you_mean
from ..model.domains import Domain, DomainCheck, base_type
from ..model.expression_tokens import TokenExpression
from ..model.expressions import ExpressionProblem, make_expression, parse_expression
from ..model.names import identifier_problem
from ..model.schema import Expression
from ..model.sequence_calls import sequences_called
from ..model.types import TypeProblem, canonical_type, enum_type_spelling, public_type_names
from .acknowledgements import ALLOW
from .build_standalone_sequences import SequenceCall, qualified_call
from .domain_values import DomainPlaces, value_problems
from .load import Document, Mapping, Pos
from .reader import Reader

DOMAIN_KEYS = frozenset({"domain", "schema", "type", "default", "nullable", "collation", "checks", "comment",
                         "renamed_from", ALLOW})
DOMAIN_CHECK_KEYS = frozenset({"name", "expression", "renamed_from", "online"})
COLLATABLE_BASES = ("text", "character varying", "character", "bpchar", "citext", "name")


def domain_spellings(docs: list[Document]) -> dict[str, str]:
    """How definitions may name each declared domain -> its spelling, before any is read: a domain
    may be over another, and a column of any table may use one."""
    out: dict[str, str] = {}
    for doc in docs:
        name, schema = doc.body.get("domain"), doc.body.get("schema") or "public"
        if isinstance(name, str) and isinstance(schema, str) and not identifier_problem(name):
            out |= public_type_names(schema, name)
    return out


def read_domains(docs: list[Document], errors: list[DefinitionError], user_types: dict[str, str],
                 other_types: Mapping_[str, str] | None = None,
                 enum_values: Mapping_[str, tuple[str, ...]] | None = None,
                 calls: list[SequenceCall] | None = None) -> dict[str, Domain]:
    """Each `domain:` document; its type read with `user_types` (enums, extensions' types, domains).
    `other_types`: schema.name -> what else names a type there (an enum, a table's row type), which
    a domain's name may not repeat. `enum_values`: each enum's labels by spelling, which a default
    of a domain over one must be among; `calls` gets the sequences defaults call (checked later)."""
    out: dict[str, Domain] = {}
    positions: dict[str, tuple[str, Pos]] = {}
    places: dict[str, DomainPlaces] = {}
    for doc in docs:
        r, body = Reader(doc.path, errors), doc.body
        r.keys(body, DOMAIN_KEYS, "a domain")
        name = r.name(body, "domain", "a domain", required=True)
        schema = r.name(body, "schema", "a domain") or "public"
        what = f"domain {name}"
        type_text = r.text(body, "type", what, required=True)
        type_ = _type(r, body, type_text, user_types, what) if type_text is not None else None
        nullable = r.flag(body, "nullable", what)
        comment = r.text(body, "comment", what) or None  # '' is no comment to PostgreSQL
        renamed_from = r.name(body, "renamed_from", what)
        if name is None or type_ is None:
            continue
        key = f"{schema}.{name}"
        if key in (other_types or {}):
            r.error(body.value_pos["domain"], f"domain {key} has the name of {(other_types or {})[key]}: types "
                                              f"(and tables' row types) share one namespace per schema")
            continue
        if type_.removesuffix("[]") == enum_type_spelling(schema, name):
            r.error(r.pos(body, "type"), f"{what} cannot be over itself")
            continue
        default = _expression(r, body, "default", what, type_, user_types)
        checks, check_positions = _checks(r, body, name, what, user_types)
        collation = _collation(r, body, what, type_, out)
        if key in out:
            first = positions[key]
            r.error(body.value_pos["domain"], f"domain {key} is declared twice (first in {first[0]}:{first[1][0]})")
            continue
        positions[key] = (doc.path, body.value_pos["domain"])
        places[key] = DomainPlaces(doc.path, r.pos(body, "default") if default is not None else None,
                                   {c.name: pos for c, pos in zip(checks, check_positions, strict=True)})
        if calls is not None and default is not None:
            calls += [SequenceCall(doc.path, r.pos(body, "default"), qualified_call(n), what)
                      for n in sequences_called(default.text)]
        out[key] = Domain(schema, name, type_, default, nullable is False, collation, checks, comment, renamed_from)
    _cycles(out, positions, errors)
    value_problems(out, places, enum_values or {}, errors)
    return _inherited_defaults(out)


def _inherited_defaults(domains: dict[str, Domain]) -> dict[str, Domain]:
    """CREATE DOMAIN over a domain copies the base domain's default into the new one when it has none
    of its own (and the catalog keeps that copy): the model holds it as PostgreSQL does."""
    by_spelling = {enum_type_spelling(d.schema, d.name): k for k, d in domains.items()}
    out = dict(domains)

    def settle(key: str, seen: frozenset[str]) -> Domain:
        d = out[key]
        over = by_spelling.get(d.type)  # not an array of a domain: its default is the array's
        if d.default is not None or over is None or over in seen:
            return d
        base = settle(over, seen | {key})
        out[key] = replace(d, default=base.default)
        return out[key]

    for key in domains:
        settle(key, frozenset())
    return out


def _type(r: Reader, body: Mapping, text: str, user_types: dict[str, str], what: str) -> str | None:
    try:
        return canonical_type(text, user_types)
    except TypeProblem as e:
        r.error(r.pos(body, "type"), f"{what}: {e}")
    except KeyError:
        hint = did_you_mean(text, user_types) or ": no such type, enum or domain is declared"
        r.error(r.pos(body, "type"), f"unknown type '{text}' for {what}{hint}")
    return None


def _expression(r: Reader, m: Mapping, key: str, what: str, type_: str | None,
                user_types: dict[str, str]) -> Expression | None:
    value = m.get(key)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        value = m.raw.get(key, str(value).lower() if isinstance(value, bool) else str(value))
    if not isinstance(value, str):
        r.error(r.pos(m, key), f"'{key}' of {what} must be a SQL expression")
        return None
    try:
        expression = make_expression(value, type_, user_types)
    except ExpressionProblem as e:
        r.error(r.pos(m, key), f"'{key}' of {what}: {e}")
        return None
    if key == "default" and expression.columns:
        r.error(r.pos(m, key), f"'default' of {what} refers to {expression.columns[0]}; a default cannot use "
                               f"columns (nor VALUE)")
        return None
    return expression


def _checks(r: Reader, body: Mapping, name: str, what: str, user_types: dict[str, str]
            ) -> tuple[tuple[DomainCheck, ...], list[Pos]]:
    """`checks: [{name, expression}]`: expressions over VALUE, by name, with where each expression
    is written; a check without a name is named as PostgreSQL names it (domain_check, domain_check1, ...)."""
    out: list[DomainCheck] = []
    where: dict[str, Pos] = {}
    for m, _pos in r.mappings(body, "checks", what):
        r.keys(m, DOMAIN_CHECK_KEYS, "a domain check")
        check_name = r.name(m, "name", f"a check of {what}")
        renamed_from = r.name(m, "renamed_from", f"a check of {what}")
        online = bool(r.flag(m, "online", f"a check of {what}"))
        expression = _expression(r, m, "expression", f"a check of {what}", None, user_types)
        if m.get("expression") is None:
            r.error(m.pos, f"a check of {what} needs 'expression' (over VALUE, the value checked)")
        if expression is None:
            continue
        if not isinstance(parse_expression(expression.text), TokenExpression):
            others = [c for c in expression.columns if c != "value"]
            if others:
                r.error(r.pos(m, "expression"), f"a check of {what} reads VALUE, the value checked; '{others[0]}' "
                                                f"is not a column a domain has")
                continue
        if check_name is None:
            check_name = _free_name(f"{name}_check", {c.name for c in out})
        if any(c.name == check_name for c in out):
            r.error(r.pos(m, "name"), f"check {check_name} appears twice in {what}")
            continue
        out.append(DomainCheck(check_name, expression, renamed_from=renamed_from, online=online))
        where[check_name] = r.pos(m, "expression")
    ordered = tuple(sorted(out, key=lambda c: c.name))
    return ordered, [where[c.name] for c in ordered]


def _free_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _collation(r: Reader, body: Mapping, what: str, type_: str, domains: dict[str, Domain]) -> str | None:
    name = r.text(body, "collation", what)
    if name is None:
        return None
    parts = name.split(".")
    problem = next((p for p in map(identifier_problem, parts) if p), None) if len(parts) <= 2 else (
        f"collation '{name}' must be a name or schema.name")
    if problem:
        r.error(r.pos(body, "collation"), problem)
        return None
    by_spelling = {enum_type_spelling(d.schema, d.name): d for d in domains.values()}
    base = base_type(type_, by_spelling).removesuffix("[]").split("(")[0]
    if base not in COLLATABLE_BASES and base not in by_spelling:
        r.error(r.pos(body, "collation"), f"{what} is over {type_}, which has no collation; only text types "
                                          f"({', '.join(COLLATABLE_BASES)}) do")
        return None
    return name


def _cycles(domains: dict[str, Domain], positions: dict[str, tuple[str, Pos]],
            errors: list[DefinitionError]) -> None:
    """A domain over a domain over ... itself: PostgreSQL could create none of them."""
    by_spelling = {enum_type_spelling(d.schema, d.name): k for k, d in domains.items()}
    for key, d in domains.items():
        seen, here = [key], by_spelling.get(d.type.removesuffix("[]"))
        while here is not None and here not in seen:
            seen.append(here)
            here = by_spelling.get(domains[here].type.removesuffix("[]"))
        if here == key:
            path, pos = positions[key]
            errors.append(DefinitionError(path, pos[0], pos[1], f"domain {key} is over itself through "
                                                                f"{' -> '.join(seen[1:])}"))
