"""Standalone sequences and domains read from pg_catalog (queries/sequences.sql, queries/domains.sql)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model.domains import Domain, DomainCheck
from ..model.schema import Expression
from ..model.sequences import catalog_options
from ..model.standalone_sequences import Sequence

ReadExpression = Callable[[str, str, str | None], Expression | None]


def sequences_from(rows: list[Any]) -> dict[str, Sequence]:
    out = {}
    for schema, name, type_, options, owned_by, comment, unlogged in rows:
        q = Sequence(schema, name, type_, catalog_options(type_, options), owned_by, comment, unlogged=unlogged)
        out[q.key] = q
    return out


def domains_from(rows: list[Any], expr: ReadExpression, check_body: Callable[[str], str]) -> dict[str, Domain]:
    """Domains; a default or check that cannot be read leaves its domain out (`expr` says so)."""
    out = {}
    for (schema, name, type_, default_text, not_null, collation, comment, check_names, check_definitions,
         check_valid) in rows:
        what = f"domain {schema}.{name}"
        default = expr(default_text, f"{what} default", type_) if default_text is not None else None
        checks = tuple(DomainCheck(n, e, valid) for n, d, valid in zip(check_names, check_definitions, check_valid,
                                                                       strict=True)
                       if (e := expr(check_body(d), f"{what} check {n}", None)) is not None)
        if (default_text is not None and default is None) or len(checks) != len(check_names):
            continue
        out[f"{schema}.{name}"] = Domain(schema, name, type_, default, not_null, collation, checks, comment)
    return out
