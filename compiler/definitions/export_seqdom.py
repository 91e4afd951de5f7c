"""Standalone sequences and domains as definitions documents (for `schemac import`, types.yaml)."""
from __future__ import annotations

from typing import Any

from ..model.domains import Domain
from ..model.schema import Schema
from ..model.standalone_sequences import Sequence
from ..model.types import enum_type_spelling
from .export_security import grants_key

# model/sequences.py's option keys -> the definitions' words for CREATE SEQUENCE's clauses
_OPTION_WORDS = {"start": "start", "increment": "increment", "min": "minvalue", "max": "maxvalue", "cache": "cache",
                 "cycle": "cycle"}


def type_names(schema: Schema) -> dict[str, str]:
    """Each domain's spelling -> the name a definition writes for it."""
    return {enum_type_spelling(d.schema, d.name): (d.name if d.schema == "public" else f"{d.schema}.{d.name}")
            for d in schema.domains.values()}


def sequence_document(q: Sequence) -> dict[str, Any]:
    doc: dict[str, Any] = {"sequence": q.name}
    if q.schema != "public":
        doc["schema"] = q.schema
    if q.type != "bigint":
        doc["type"] = q.type
    doc |= {_OPTION_WORDS[k]: v for k, v in q.options}
    if q.owned_by is not None:
        doc["owned_by"] = q.owned_by
    if q.unlogged:
        doc["unlogged"] = True
    if q.comment is not None:
        doc["comment"] = q.comment
    return doc | grants_key("sequence", q.grants)


def domain_document(d: Domain, schema: Schema, written_type: str) -> dict[str, Any]:
    """`written_type`: its base type as the definitions name it."""
    doc: dict[str, Any] = {"domain": d.name}
    if d.schema != "public":
        doc["schema"] = d.schema
    doc["type"] = written_type
    over = next((b for b in schema.domains.values() if enum_type_spelling(b.schema, b.name) == d.type), None)
    inherited = over is not None and over.default == d.default  # copied from the domain it is over
    if d.default is not None and not inherited:
        doc["default"] = d.default.text
    if d.not_null:
        doc["nullable"] = False
    if d.collation is not None:
        doc["collation"] = d.collation
    if d.checks:
        doc["checks"] = [{"name": c.name, "expression": c.expression.text} for c in d.checks]
    if d.comment is not None:
        doc["comment"] = d.comment
    return doc


def domains_in_order(schema: Schema) -> list[Domain]:
    """Domains each after the one it is over (a reader of types.yaml meets the base first)."""
    by_spelling = {enum_type_spelling(d.schema, d.name): d for d in schema.domains.values()}
    out: list[Domain] = []

    def visit(d: Domain, seen: frozenset[str]) -> None:
        if d in out or d.key in seen:
            return
        over = by_spelling.get(d.type.removesuffix("[]"))
        if over is not None:
            visit(over, seen | {d.key})
        out.append(d)

    for d in schema.domains.values():
        visit(d, frozenset())
    return out
