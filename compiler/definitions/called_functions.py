"""Where the definitions call their own functions from tables and domains, and what compile refuses
about such calls against the last compiled state (model/routine_uses.py has the relation).

The places are a side table beside the model (keyed by the caller, as RoutineUse names it), so
compile can point at a call once it knows what the state had: a function removed while a
default still calls it, or replaced under a generated column or a partition key.
"""
from __future__ import annotations

from collections.abc import Collection

from ..errors import DefinitionError
from ..model.routine_uses import (
    CHECK,
    DEFAULT,
    DOMAIN_CHECK,
    DOMAIN_DEFAULT,
    FIXED_CALLERS,
    GENERATED,
    INDEX,
    PARTITION_KEY,
    RoutineUse,
    caller_expressions,
    calls_of,
    replaced_routines,
)
from ..model.schema import Schema
from .load import Document, Mapping, Sequence
from .sources import SourceMap

CallerKey = tuple[str, str, str | None]  # (kind, owner, part) of a RoutineUse
Place = tuple[str, int, int]  # path, line, column


def _key(use: RoutineUse) -> CallerKey:
    return use.kind, use.owner, use.part


def call_places(schema: Schema, sources: SourceMap, domain_docs: list[Document]) -> dict[CallerKey, Place]:
    """Where each table or domain expression that may call a function is written (any function: one
    the state has may be gone from the definitions)."""
    out: dict[CallerKey, Place] = {}
    domains = {f"{d.body.get('schema') or 'public'}.{d.body.get('domain')}": d for d in domain_docs}
    for kind, owner, part, expression in caller_expressions(schema):
        use = RoutineUse(kind, owner, part, expression, ())
        if use.kind in (DOMAIN_DEFAULT, DOMAIN_CHECK):
            doc = domains.get(use.owner)
            if doc is not None:
                line, col = _domain_pos(doc, use)
                out[_key(use)] = (doc.path, line, col)
            continue
        if not sources.knows(use.owner):
            continue
        key, part = use.owner, use.part or ""
        if use.kind in (DEFAULT, GENERATED):
            pos = sources.column(key, part, "default" if use.kind == DEFAULT else "generated")
        elif use.kind in (CHECK, INDEX):
            pos = sources.object(key, part)
        else:
            pos = sources.table(key, "partition_by")
        error = sources.error(key, pos, "")
        out[_key(use)] = (error.path, error.line, error.col)
    return out


def _domain_pos(doc: Document, use: RoutineUse) -> tuple[int, int]:
    body = doc.body
    if use.kind == DOMAIN_DEFAULT:
        return body.value_pos.get("default", body.pos)
    checks = body.get("checks")
    for i, item in enumerate(checks if isinstance(checks, Sequence) else ()):
        if isinstance(item, Mapping) and item.get("name") == use.part and isinstance(checks, Sequence):
            found: tuple[int, int] = item.value_pos.get("expression", checks.item_pos[i])
            return found
    return body.value_pos.get("checks", body.pos)


def called_function_problems(old: Schema, new: Schema, places: dict[CallerKey, Place],
                             remade: Collection[str] = ()) -> list[DefinitionError]:
    """What PostgreSQL would refuse when `old` (the state) becomes `new`: a function dropped while a
    table or domain of `new` still calls it, and one that must be dropped and created again
    (another signature, or over a domain made anew: `remade`, by spelling) under a generated column
    or a partition key, which cannot be set again."""
    out = []
    gone = ({r.name for r in old.routines.values() if not r.is_procedure}
            - {r.name for r in new.routines.values()})
    for use in calls_of(new, gone):
        place = places.get(_key(use))
        if place is not None:
            name = next(n for n in use.names if n in gone)
            out.append(DefinitionError(*place, f"{use.what} calls {name}(), a function removed from the "
                                                f"definitions; PostgreSQL cannot drop a function that is "
                                                f"still called: change the call first, or keep the "
                                                f"function"))
    replaced = {r.name: r for r in replaced_routines(old, new)}
    for use in calls_of(new, set(replaced)):
        place = places.get(_key(use))
        if use.kind not in FIXED_CALLERS or place is None or not _kept_as_it_was(old, use):
            continue
        r = replaced[next(n for n in use.names if n in replaced)]
        out.append(DefinitionError(*place, f"{use.what} calls {r.name}(), which is dropped and created again "
                                            f"(was {r.key}; CREATE OR REPLACE cannot change it so); PostgreSQL "
                                            f"cannot point a {use.kind} at another function: keep {r.key} "
                                            f"as it was, or give the new function another name"))
    return out + _over_remade_domains(old, new, places, remade)


def _over_remade_domains(old: Schema, new: Schema, places: dict[CallerKey, Place],
                         remade: Collection[str]) -> list[DefinitionError]:
    """A function over a domain made anew is dropped and created with it (plan/diff_routines.py)."""
    kept = {(r.schema, r.name) for r in old.routines.values()}
    over = {r.name: r for r in new.routines.values() if (r.schema, r.name) in kept and r.types_used & set(remade)}
    out = []
    for use in calls_of(new, set(over)):
        place = places.get(_key(use))
        if use.kind not in FIXED_CALLERS or place is None or not _kept_as_it_was(old, use):
            continue
        r = over[next(n for n in use.names if n in over)]
        domain = sorted(r.types_used & set(remade))[0]
        out.append(DefinitionError(*place, f"{use.what} calls {r.name}(), which takes or returns domain {domain}: "
                                            f"a new base type or collation makes the domain anew, and the "
                                            f"function with it; PostgreSQL cannot point a {use.kind} at "
                                            f"another function: keep domain {domain} as it was, or make a "
                                            f"new domain beside it"))
    return out


def _kept_as_it_was(old: Schema, use: RoutineUse) -> bool:
    """Does `old` have this generated column or partition key with the same expression (so no
    change of its own would rebuild it)?"""
    table = old.tables.get(use.owner)
    if table is None:
        return False
    if use.kind == GENERATED:
        column = table.column(use.part or "")
        return column is not None and column.generated == use.expression
    assert use.kind == PARTITION_KEY
    return table.partition_by is not None and any(p.expression == use.expression for p in table.partition_by.parts)
