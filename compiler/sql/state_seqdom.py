"""state.json's standalone sequences and domains: written only when there are some, so the state of
a project without them keeps its bytes."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions.export_security import grants_key
from ..model.domains import Domain, DomainCheck
from ..model.expressions import make_expression
from ..model.standalone_sequences import Sequence
from ..model.types import enum_type_spelling
from .state_security import read_grants

Getter = Callable[..., Any]  # state.py's _get: a value checked for its kind


def dump_sequences(sequences: dict[str, Sequence]) -> list[dict[str, Any]]:
    out = []
    for q in sorted(sequences.values(), key=lambda q: (q.schema, q.name)):
        d: dict[str, Any] = {"schema": q.schema, "name": q.name, "type": q.type}
        if q.options:
            d["options"] = dict(q.options)
        if q.owned_by is not None:
            d["owned_by"] = q.owned_by
        if q.comment is not None:
            d["comment"] = q.comment
        if q.unlogged:
            d["unlogged"] = True
        out.append(d | grants_key("sequence", q.grants))
    return out


def dump_domains(domains: dict[str, Domain]) -> list[dict[str, Any]]:
    out = []
    for x in sorted(domains.values(), key=lambda x: (x.schema, x.name)):
        d: dict[str, Any] = {"schema": x.schema, "name": x.name, "type": x.type}
        if x.default is not None:
            d["default"] = x.default.text
        if x.not_null:
            d["not_null"] = True
        if x.collation is not None:
            d["collation"] = x.collation
        if x.checks:
            d["checks"] = [{"name": c.name, "expression": c.expression.text} for c in x.checks]
        if x.comment is not None:
            d["comment"] = x.comment
        out.append(d)
    return out


def read_sequences(items: list[Any], get: Getter) -> dict[str, Sequence]:
    out = {}
    for d in items:
        q = Sequence(get(d, "schema", "text"), get(d, "name", "text"), get(d, "type", "text"),
                     tuple(get(d, "options", "options", {}).items()), get(d, "owned_by", "text?", None),
                     get(d, "comment", "text?", None), unlogged=get(d, "unlogged", "flag", False),
                     grants=read_grants(d, get, "sequence"))
        out[q.key] = q
    return out


def domain_names(items: list[Any], get: Getter) -> dict[str, str]:
    """How types name each domain of the state -> its spelling (read before any type is)."""
    out = {}
    for d in items:
        schema, name = get(d, "schema", "text"), get(d, "name", "text")
        out[f"{schema}.{name}"] = out[enum_type_spelling(schema, name)] = enum_type_spelling(schema, name)
        if schema == "public":
            out[name] = enum_type_spelling(schema, name)
    return out


def read_domains(items: list[Any], get: Getter, user_types: dict[str, str]) -> dict[str, Domain]:
    out = {}
    for d in items:
        type_ = get(d, "type", "text")
        default = get(d, "default", "text?", None)
        checks = tuple(DomainCheck(get(c, "name", "text"), make_expression(get(c, "expression", "text"),
                                                                             user_types=user_types))
                       for c in get(d, "checks", "list", []))
        x = Domain(get(d, "schema", "text"), get(d, "name", "text"), type_,
                   make_expression(default, type_, user_types) if default is not None else None,
                   get(d, "not_null", "flag", False), get(d, "collation", "text?", None), checks,
                   get(d, "comment", "text?", None))
        out[x.key] = x
    return out
