"""Which tables and domains call which functions: the "routine used by" relation.

A column default, a check, an index, a generated column, a partition key and a domain's default
and checks are stored by PostgreSQL with the function they call bound by its oid, so such a
function must exist before its caller is created and must outlive it. A call in an expression
names a function, not an overload, so the relation is by name (as a trigger's WHEN call is); the
names are read once, with the expression (Expression.calls).

Callers whose expression cannot be set again (a generated column, a partition key) hold their
function for as long as they exist: a function they call that must be dropped and created again
cannot be swapped under them.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .routines import Routine, replaceable
from .schema import Expression, Schema

# the kinds of caller, as messages name them; the last two cannot be pointed at another function
DEFAULT, CHECK, INDEX, DOMAIN_DEFAULT, DOMAIN_CHECK = "default", "check", "index", "domain default", "domain check"
GENERATED, PARTITION_KEY = "generated column", "partition key"
FIXED_CALLERS = (GENERATED, PARTITION_KEY)
# the name a replaced function is moved aside to while its callers are pointed at the new one
ASIDE_SUFFIX = "_schemac_replaced"


@dataclass(frozen=True, slots=True)
class RoutineUse:
    """One expression of a table or domain (`owner`, its key) that calls functions by `names`.
    `part`: the column, constraint or index it belongs to (None for a partition key or a
    domain's default)."""

    kind: str
    owner: str
    part: str | None
    expression: Expression
    names: tuple[str, ...]

    @property
    def what(self) -> str:
        """The caller as a message names it."""
        if self.kind == DEFAULT:
            return f"the default of {self.owner}.{self.part}"
        if self.kind == GENERATED:
            return f"generated column {self.owner}.{self.part}"
        if self.kind in (CHECK, INDEX):
            return f"{self.kind} {self.part} of {self.owner}"
        if self.kind == DOMAIN_CHECK:
            return f"check {self.part} of domain {self.owner}"
        if self.kind == DOMAIN_DEFAULT:
            return f"the default of {self.owner}"
        return f"the partition key of {self.owner}"


def caller_expressions(schema: Schema) -> Iterator[tuple[str, str, str | None, Expression]]:
    """(kind, owner, part, expression) of each expression of the tables and domains that may call a function."""
    for key, t in schema.tables.items():
        for c in t.columns:
            if c.default is not None:
                yield DEFAULT, key, c.name, c.default
            if c.generated is not None:
                yield GENERATED, key, c.name, c.generated
        for k in t.checks:
            yield CHECK, key, k.name, k.expression
        for i in t.indexes:
            for e in (i.where, *(p.expression for p in i.parts)):
                if e is not None:
                    yield INDEX, key, i.name, e
        for p in t.partition_by.parts if t.partition_by is not None else ():
            if p.expression is not None:
                yield PARTITION_KEY, key, None, p.expression
    for key, d in schema.domains.items():
        if d.default is not None:
            yield DOMAIN_DEFAULT, key, None, d.default
        for dc in d.checks:
            yield DOMAIN_CHECK, key, dc.name, dc.expression


def routine_uses(schema: Schema) -> list[RoutineUse]:
    """The expressions of the schema's tables and domains that call a function of the schema."""
    names = {r.name for r in schema.routines.values() if not r.is_procedure}
    out = []
    for kind, owner, part, expression in caller_expressions(schema):
        called = tuple(n for n in expression.calls if n in names) if names else ()
        if called:
            out.append(RoutineUse(kind, owner, part, expression, called))
    return out


def calls_of(schema: Schema, names: set[str]) -> list[RoutineUse]:
    """Every expression of the schema's tables and domains that calls one of `names` (declared or not)."""
    out = []
    for kind, owner, part, expression in caller_expressions(schema):
        called = tuple(n for n in expression.calls if n in names)
        if called:
            out.append(RoutineUse(kind, owner, part, expression, called))
    return out


def called_names(schema: Schema) -> set[str]:
    """Names of the schema's functions that a table or a domain calls."""
    return {n for u in routine_uses(schema) for n in u.names}


def called_routines(schema: Schema) -> dict[str, Routine]:
    """The schema's functions that its tables or domains call (by key)."""
    called = called_names(schema)
    return {k: r for k, r in schema.routines.items() if r.name in called}


def _kept(old: Routine, new: Schema) -> bool:
    """Does `old` live on in `new`: the same key replaceable in place, or renamed by a hint?"""
    same = new.routines.get(old.key)
    if same is not None:
        return replaceable(old, same)
    return any(r.renamed_from == old.name and r.input_types == old.input_types and r.schema == old.schema
               for r in new.routines.values())


def replaced_routines(old: Schema, new: Schema) -> list[Routine]:
    """Functions `old`'s tables or domains call that are dropped while a function of their name is
    in `new` (another signature, or one CREATE OR REPLACE cannot reach): they are moved aside to
    a free name, the new one created, the callers pointed at it, and then the old one dropped."""
    called = called_names(old)
    names_now = {(r.schema, r.name) for r in new.routines.values()}
    return [r for r in old.routines.values()
            if r.name in called and (r.schema, r.name) in names_now and not _kept(r, new)]


def aside_name(name: str) -> str:
    """The free name a replaced function waits under (within PostgreSQL's 63 bytes)."""
    return name[:63 - len(ASIDE_SUFFIX)] + ASIDE_SUFFIX
