"""diff's steps for functions, procedures and triggers: pure, no I/O, no SQL.

A routine is matched by its key (schema.name(input types)) or by a `renamed_from` hint. One whose
signature is kept is replaced in place (CREATE OR REPLACE) where PostgreSQL allows it
(model/routines.py `replaceable`), else dropped and created again; the triggers running a routine
that is dropped and created again are dropped first and created after it, in the same migration
(PostgreSQL refuses to drop a function a trigger runs or its WHEN calls). A trigger is matched on its table (renamed
tables followed) by its name or a `renamed_from` hint; one that differs in more than its name,
comment or firing state is dropped and created again, as is one that reads a column whose type
changes (PostgreSQL refuses ALTER COLUMN TYPE under a trigger's UPDATE OF or WHEN) and one whose
table is dropped and created again (to become partitioned, or otherwise re-keyed).
A trigger on a view follows the view's renames; DROP VIEW drops its triggers, so those of a view
that is dropped (or dropped and created again) are not dropped apart, and are created again
once the view is (CreateViewTrigger).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import replace
from types import MappingProxyType

from ..model.domains import Domain
from ..model.routines import Routine, Trigger, replaceable, routine_key
from ..model.schema import Enum, Schema
from ..model.types import enum_type_spelling
from . import routine_changes as rc
from .changes import Change
from .renames import NameMove, Renames, move_steps, renamed_pairs, temporary_name
from .view_changes import DropView, RenameView


def _routine_hint(r: Routine) -> str | None:
    return routine_key(r.schema, r.renamed_from, r.input_types) if r.renamed_from else None


def routines(old: Schema, new: Schema, remade: Mapping[str, Enum | Domain] = MappingProxyType({})
             ) -> tuple[list[Change], set[str]]:
    """The changes to routines, and the old keys of those dropped, for good or to be created again
    under another signature (the triggers calling them follow). `remade`: the enums and domains
    created anew (by spelling), the old one renamed away and dropped: PostgreSQL refuses to drop
    it under a routine, so a routine over one is dropped and created again."""
    moved_away = temporary_spellings(old, remade)
    pairs = renamed_pairs(old.routines, new.routines, lambda r: r.key, _routine_hint)
    back = {n: o for o, n in pairs.items()}
    out: list[Change] = []
    recreated: set[str] = set()
    renamed: list[tuple[Routine, str]] = []
    for key, b in new.routines.items():
        # an old routine of this key that is renamed away is another routine by now
        old_key = back.get(key, None if key in pairs else key)
        a = old.routines.get(old_key) if old_key is not None else None
        if a is None or old_key is None:
            out.append(rc.CREATE[b.kind](b))
            continue
        if not replaceable(replace(a, name=b.name), b) or a.types_used & moved_away.keys():
            # dropped under the name it has (drops run before renames), created under its new one
            out += [rc.DROP[a.kind](as_dropped(a, moved_away)), rc.CREATE[b.kind](b)]
            recreated.add(old_key)
            continue
        if a.name != b.name:
            renamed.append((a, b.name))
            a = replace(a, name=b.name)
        a = replace(a, grants=b.grants)  # GRANT and REVOKE change them (diff_security.object_grants)
        if a == b:
            continue
        if replace(a, comment=b.comment) != b:
            out.append(rc.REPLACE[b.kind](b))
        if a.comment != b.comment:
            out.append(rc.COMMENT[b.kind](b))
    for key, a in old.routines.items():
        if key not in pairs and key not in new.routines:
            out.append(rc.DROP[a.kind](as_dropped(a, moved_away)))
            recreated.add(key)
    return _renames_in_steps(renamed) + out, recreated


def with_types_followed(schema: Schema, moves: Mapping[str, str]) -> Schema:
    """`schema` with its routines' argument and result types as they read once the types of `moves`
    (old spelling -> new) are renamed or moved: PostgreSQL holds a routine's types by oid, so its
    signature follows them and the routine needs no change of its own. Its body is text and does
    not follow: one that names such a type differs from the new one, and is replaced."""
    if not moves:
        return schema
    routines = (respelled(r, moves) for r in schema.routines.values())
    return replace(schema, routines={r.key: r for r in routines})


def respelled(r: Routine, moves: Mapping[str, str], result: bool = True) -> Routine:
    """`r` with the types of its arguments (and `result`) named as `moves` names them now, arrays too."""
    def now(t: str) -> str:
        element = t.removesuffix("[]")
        return moves.get(element, element) + t[len(element):]
    returns = now(r.returns) if result and r.returns is not None else r.returns
    return replace(r, arguments=tuple(replace(x, type=now(x.type)) for x in r.arguments), returns=returns)


def temporary_spellings(old: Schema, remade: Mapping[str, Enum | Domain]) -> dict[str, str]:
    """Old spelling -> temporary spelling of each enum or domain created anew: the old one is
    renamed away first (plan/diff.py, diff_seqdom.py), under the name it had."""
    names = [(b.schema, _old_name(old, b)) for b in remade.values()]
    return {enum_type_spelling(schema, name): enum_type_spelling(schema, temporary_name(name))
            for schema, name in names}


def _old_name(old: Schema, b: Enum | Domain) -> str:
    """The name a type created anew had: a domain may be renamed by the same migration, the hint
    on either side (the rollback reads the new definitions' renamed_from)."""
    if not isinstance(b, Domain) or f"{b.schema}.{b.name}" in old.domains:
        return b.name
    if b.renamed_from is not None and f"{b.schema}.{b.renamed_from}" in old.domains:
        return b.renamed_from
    return next((a.name for a in old.domains.values() if a.schema == b.schema and a.renamed_from == b.name), b.name)


def as_dropped(a: Routine, moved_away: Mapping[str, str]) -> Routine:
    """The routine as DROP names it: an enum or domain created anew is renamed away by then, and
    the routine's arguments follow it."""
    return respelled(a, moved_away, result=False)


def _renames_in_steps(renamed: list[tuple[Routine, str]]) -> list[Change]:
    """Renames in an order that frees each name before it is taken: a chain back to front, a swap
    through a temporary name. Routines of one schema and input types share a namespace, functions
    and procedures alike (plan/order.py keeps this order)."""
    moves = [NameMove(a.name, name, ((a.schema, a.input_types),)) for a, name in renamed]
    return [rc.RENAME[renamed[i][0].kind](replace(renamed[i][0], name=step.old), step.new)
            for i, step in move_steps(moves)]


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


def triggers(old: Schema, new: Schema, renames: Renames, recreated: set[str], rebuilt: Set[str] = frozenset(),
             planned: Sequence[Change] = ()) -> list[Change]:
    """The changes to triggers; `recreated`: the old keys of the routines dropped (routines()): a
    trigger running or calling one is dropped before and created after, even when it is the same;
    `rebuilt`: tables dropped and created again, `planned`: the changes to views among others."""
    view_moves = {c.view.key: f"{c.view.schema}.{c.new_name}" for c in planned if isinstance(c, RenameView)}
    dropped_views = {c.view.key for c in planned if isinstance(c, DropView)}

    def where(t: Trigger) -> str:
        return view_moves.get(t.table_key, t.table_key) if t.on_view else renames.table(t.table_key)

    def name_of(t: Trigger) -> str:
        return f"{where(t)}.{t.name}"

    def hint_of(t: Trigger) -> str | None:
        return f"{where(t)}.{t.renamed_from}" if t.renamed_from else None

    def gone_with_its_view(t: Trigger) -> bool:
        return t.on_view and t.table_key in dropped_views

    def create(t: Trigger) -> Change:
        return rc.CreateViewTrigger(t) if t.on_view else rc.CreateTrigger(t)

    moved = {name_of(a): a for a in old.triggers.values()}  # old triggers by where they are now
    pairs = renamed_pairs(moved, new.triggers, name_of, hint_of)
    back = {n: o for o, n in pairs.items()}
    retyped = _retyped_columns(old, new, renames)
    # a WHEN that calls a routine dropped depends on it too (by name: a call does not say which
    # overload, so any of the name counts), as when its argument types change: another key
    recreated_names = {old.routines[k].name for k in recreated if k in old.routines}
    out: list[Change] = []
    matched: set[str] = set()
    for key, b in new.triggers.items():
        source = back.get(key, None if key in pairs else key)
        a = moved.get(source) if source is not None else None
        if a is None or source is None:
            out.append(create(b))
            continue
        matched.add(source)
        if gone_with_its_view(a):
            out.append(create(b))
            continue
        here = replace(a, schema=b.schema, table=b.table)
        reads = set(b.update_columns) | set(b.when.columns if b.when is not None else ())
        if (here.rebuilt_form() != b.rebuilt_form() or a.function_key in recreated
                or set(a.calls) & recreated_names or reads & retyped.get(b.table_key, set())
                or (not b.on_view and b.table_key in rebuilt)):
            out += [rc.DropTrigger(a), create(b)]
            continue
        if a.name != b.name:
            # a view is renamed after its triggers (RENAMES' order), a table before them
            out.append(rc.RenameTrigger(a if a.on_view else here, b.name))
        if a.comment != b.comment:
            out.append(rc.SetTriggerComment(b))
        if a.enabled != b.enabled:
            out.append(rc.SetTriggerEnabled(b))
    out += [rc.DropTrigger(a) for k, a in moved.items() if k not in matched and not gone_with_its_view(a)]
    return out
