"""diff's steps for functions, procedures and triggers: pure, no I/O, no SQL.

A routine is matched by its key (schema.name(input types)) or by a `renamed_from` hint. One whose
signature is kept is replaced in place (CREATE OR REPLACE) where PostgreSQL allows it
(model/routines.py `replaceable`), else dropped and created again; the triggers running a routine
that is dropped and created again are dropped first and created after it, in the same migration
(PostgreSQL refuses to drop a function a trigger runs or its WHEN calls). A trigger is matched on its table (renamed
tables followed) by its name or a `renamed_from` hint; one that differs in more than its name,
comment or firing state is dropped and created again, as is one that reads a column whose type
changes (PostgreSQL refuses ALTER COLUMN TYPE under a trigger's UPDATE OF or WHEN).
"""
from __future__ import annotations

from dataclasses import replace

from ..model.routines import Routine, Trigger, replaceable, routine_key
from ..model.schema import Schema
from . import routine_changes as rc
from .changes import Change
from .renames import Renames, renamed_pairs


def _routine_hint(r: Routine) -> str | None:
    return routine_key(r.schema, r.renamed_from, r.input_types) if r.renamed_from else None


def routines(old: Schema, new: Schema) -> tuple[list[Change], set[str]]:
    """The changes to routines, and the keys of those dropped and created again (their triggers follow)."""
    pairs = renamed_pairs(old.routines, new.routines, lambda r: r.key, _routine_hint)
    back = {n: o for o, n in pairs.items()}
    out: list[Change] = []
    recreated: set[str] = set()
    for key, b in new.routines.items():
        # an old routine of this key that is renamed away is another routine by now
        old_key = back.get(key, None if key in pairs else key)
        a = old.routines.get(old_key) if old_key is not None else None
        if a is None:
            out.append(rc.CREATE[b.kind](b))
            continue
        if a.name != b.name:
            out.append(rc.RENAME[a.kind](a, b.name))
            a = replace(a, name=b.name)
        a = replace(a, grants=b.grants)  # GRANT and REVOKE change them (diff_security.object_grants)
        if a == b:
            continue
        if replace(a, comment=b.comment) == b:
            out.append(rc.COMMENT[b.kind](b))
        elif replaceable(a, b):
            out.append(rc.REPLACE[b.kind](b))
            if a.comment != b.comment:
                out.append(rc.COMMENT[b.kind](b))
        else:
            out += [rc.DROP[a.kind](a), rc.CREATE[b.kind](b)]
            recreated.add(key)
    for key, a in old.routines.items():
        if key not in pairs and key not in new.routines:
            out.append(rc.DROP[a.kind](a))
    return out, recreated


def _retyped_columns(old: Schema, new: Schema, renames: Renames) -> dict[str, set[str]]:
    """Per new table key: the (new) names of the columns whose type changes."""
    out: dict[str, set[str]] = {}
    for old_key, a in old.tables.items():
        b = new.tables.get(renames.table(old_key))
        if b is None:
            continue
        colmap = renames.columns.get(b.key, {})
        for c in a.columns:
            now = b.column(colmap.get(c.name, c.name))
            if now is not None and now.type != c.type:
                out.setdefault(b.key, set()).add(now.name)
    return out


def triggers(old: Schema, new: Schema, renames: Renames, recreated: set[str]) -> list[Change]:
    """The changes to triggers; `recreated`: routines dropped and created again (routines())."""
    def name_of(t: Trigger) -> str:
        return f"{renames.table(t.table_key)}.{t.name}"

    def hint_of(t: Trigger) -> str | None:
        return f"{renames.table(t.table_key)}.{t.renamed_from}" if t.renamed_from else None

    moved = {name_of(a): a for a in old.triggers.values()}  # old triggers by where they are now
    pairs = renamed_pairs(moved, new.triggers, name_of, hint_of)
    back = {n: o for o, n in pairs.items()}
    retyped = _retyped_columns(old, new, renames)
    # a WHEN that calls a routine dropped and created again depends on it too (by name: a call
    # does not say which overload, so any of the name counts)
    recreated_names = {old.routines[k].name for k in recreated if k in old.routines}
    out: list[Change] = []
    matched: set[str] = set()
    for key, b in new.triggers.items():
        source = back.get(key, None if key in pairs else key)
        a = moved.get(source) if source is not None else None
        if a is None or source is None:
            out.append(rc.CreateTrigger(b))
            continue
        matched.add(source)
        here = replace(a, schema=b.schema, table=b.table)
        reads = set(b.update_columns) | set(b.when.columns if b.when is not None else ())
        if (here.rebuilt_form() != b.rebuilt_form() or b.function_key in recreated
                or set(a.calls) & recreated_names or reads & retyped.get(b.table_key, set())):
            out += [rc.DropTrigger(a), rc.CreateTrigger(b)]
            continue
        if a.name != b.name:
            out.append(rc.RenameTrigger(here, b.name))
        if a.comment != b.comment:
            out.append(rc.SetTriggerComment(b))
        if a.enabled != b.enabled:
            out.append(rc.SetTriggerEnabled(b))
    out += [rc.DropTrigger(a) for k, a in moved.items() if k not in matched]
    return out
