"""What a scratch build of a table must build besides it for its policies: PostgreSQL checks the
names in a policy's USING and WITH CHECK when CREATE POLICY runs, so the tables a subquery in one
reads must be there, and the functions it calls (with every table, as routines are built)."""
from __future__ import annotations

from collections.abc import Set

from ..model.policy_reads import policy_reads
from ..model.schema import Schema


def policy_reach(schema: Schema, tables: Set[str]) -> tuple[set[str], bool]:
    """The tables the policies of `tables` read, through the policies of those too, and whether
    any of them calls a routine of `schema`."""
    relations = {k: tuple((c.name, c.type) for c in t.columns) for k, t in schema.tables.items()}
    routine_names = {r.name for r in schema.routines.values()}
    reached, calls = set(tables), False
    todo = list(tables)
    while todo:
        t = schema.tables.get(todo.pop())
        if t is None:
            continue
        for p in t.policies:
            reads = p.reads or policy_reads(p, t, relations)
            calls = calls or bool(reads.calls & routine_names)
            for key in reads.relations - reached:
                if key in schema.tables:
                    reached.add(key)
                    todo.append(key)
    return reached - set(tables), calls
