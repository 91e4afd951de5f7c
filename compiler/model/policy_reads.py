"""What a policy's USING and WITH CHECK read: the columns of its table, and through a subquery
the relations and columns of others (read as a view's query is, view_query.py), and the functions
it calls. PostgreSQL refuses to retype or drop what a policy reads, and to drop a function it
calls, so the diff drops such a policy first and makes it again after; a scratch build of the
policy's table builds what it reads.

Policies are made with the migration's search_path (the database's default: public), so an
unqualified name in a subquery is found in public.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .expression_tokens import TokenProblem, function_calls, tokens
from .names import quote_ident
from .policy_expressions import holds_a_subquery
from .schema import Expression, Table
from .security import Policy
from .view_query import read_query

# relation key -> its columns (name, type)
Relations = Mapping[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class PolicyReads:
    """`columns`: (relation key, column) pairs read; `whole`: relations whose columns could not be
    told apart (any change under them counts); `calls`: the names it calls (and keywords before a
    bracket: only names of routines are looked up)."""

    columns: frozenset[tuple[str, str]] = frozenset()
    whole: frozenset[str] = frozenset()
    calls: frozenset[str] = frozenset()

    @property
    def relations(self) -> frozenset[str]:
        return self.whole | {r for r, _ in self.columns}

    def uses(self, relation: str, column: str) -> bool:
        return relation in self.whole or (relation, column) in self.columns


def relations_of(tables: Mapping[str, Table]) -> dict[str, tuple[tuple[str, str], ...]]:
    return {k: tuple((c.name, c.type) for c in t.columns) for k, t in tables.items()}


def policy_reads(p: Policy, table: Table, relations: Relations) -> PolicyReads:
    """What `p`, a policy of `table`, reads among `relations` (every table, and views)."""
    columns: set[tuple[str, str]] = set()
    whole: set[str] = set()
    calls: set[str] = set()
    for e in (p.using, p.with_check):
        if e is None:
            continue
        calls |= set(function_calls(e.text)[0])
        if not holds_a_subquery(e.text):
            columns |= {(table.key, c) for c in e.columns}
            continue
        own = f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
        reading = read_query(f"SELECT ({e.text}) FROM {own}", "public", relations)
        if reading.problem or reading.missing or reading.unknown_column:
            whole |= _named(e.text, relations) | {table.key}
            continue
        columns |= set(reading.reads)
        whole |= set(reading.whole)
    return PolicyReads(frozenset(columns), frozenset(whole), frozenset(calls))


def _named(text: str, relations: Relations) -> set[str]:
    """The relations whose names the text holds: read whole, when the text cannot be read."""
    try:
        words = {t.value for t in tokens(text) if t.kind in ("word", "quoted")}
    except TokenProblem:
        return set()
    return {k for k in relations if k.split(".", 1)[1] in words}


def with_names_renamed(e: Expression, names: Mapping[str, str]) -> Expression:
    """A policy's expression holding a subquery as PostgreSQL holds it after the tables and columns
    it reads were renamed (it keeps the policy parsed, so the names follow): the text is kept, its
    normal form (its tokens, policy_expressions.py) follows."""
    if len(e.normal) != 1 or not holds_a_subquery(e.text):
        return e
    moved = {old: new for old, new in names.items() if old != new}
    if not moved:
        return e

    def renamed(m: re.Match[str]) -> str:
        return f"{m.group(1)}:{moved.get(m.group(2), m.group(2))}"

    normal = re.sub(r"(?<![^ ])(word|quoted):([^ ]+)(?![^ ])", renamed, e.normal[0])
    return replace(e, normal=(normal,)) if normal != e.normal[0] else e
