"""What a policy's USING and WITH CHECK read (model/security.py PolicyReads): the columns of its
table, and through a subquery the tables and views of others and their columns (read as a view's
query is, view_query.py), and the functions it calls. Found once, when a model is built
(definitions, state.json, a database), given every table and view. PostgreSQL refuses to retype
or drop what a policy reads (a view dropped to be created again too), and to drop a function it
calls, so the diff drops such a policy first and makes it again after; a scratch build of the
policy's table builds what it reads.

Policies are made with the migration's search_path (the database's default: public), so an
unqualified name in a subquery is found in public.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .expression_tokens import TokenProblem, function_calls, tokens
from .names import quote_ident
from .policy_expressions import holds_a_subquery
from .schema import Table
from .security import Policy, PolicyReads
from .view import View
from .view_query import read_query

# relation key -> its columns (name, type)
Relations = Mapping[str, tuple[tuple[str, str], ...]]


def with_policy_reads(tables: Mapping[str, Table], views: Mapping[str, View] | None = None) -> dict[str, Table]:
    """`tables` with what each policy reads found among them and `views`."""
    if not any(t.policies for t in tables.values()):
        return dict(tables)
    relations = {k: tuple((c.name, c.type) for c in t.columns) for k, t in tables.items()}
    relations |= {k: tuple((c.name, c.type or "unknown") for c in v.columns) for k, v in (views or {}).items()}
    return {k: replace(t, policies=tuple(replace(p, reads=policy_reads(p, t, relations)) for p in t.policies))
            if t.policies else t for k, t in tables.items()}


def policy_reads(p: Policy, table: Table, relations: Relations) -> PolicyReads:
    """What `p`, a policy of `table`, reads among `relations`."""
    columns: set[tuple[str, str]] = set()
    whole: set[str] = set()
    calls: set[str] = set()
    subquery = False
    for e in (p.using, p.with_check):
        if e is None:
            continue
        calls |= set(function_calls(e.text)[0])
        if not holds_a_subquery(e.text):
            columns |= {(table.key, c) for c in e.columns}
            continue
        subquery = True
        own = f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
        reading = read_query(f"SELECT ({e.text}) FROM {own}", "public", relations)
        if reading.problem or reading.missing or reading.unknown_column:
            whole |= _named(e.text, relations) | {table.key}
            continue
        columns |= set(reading.reads)
        whole |= set(reading.whole)
    return PolicyReads(frozenset(columns), frozenset(whole), frozenset(calls), subquery)


def _named(text: str, relations: Relations) -> set[str]:
    """The relations whose names the text holds: read whole, when the text cannot be read."""
    try:
        words = {t.value for t in tokens(text) if t.kind in ("word", "quoted")}
    except TokenProblem:
        return set()
    return {k for k in relations if k.split(".", 1)[1] in words}
