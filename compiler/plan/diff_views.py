"""The views step of diff(): views and materialized views created, replaced, renamed, dropped, and
those PostgreSQL makes the plan drop and create again.

PostgreSQL refuses to change the type of a column a view reads, to drop such a column or table,
to drop a view another view reads, and to drop a function a view calls; CREATE OR REPLACE VIEW
keeps the columns a view has (it may append some) and their types, and a materialized view has
no OR REPLACE. So a view is created
again (dropped first, deepest first; created after, in dependency order) when what it reads
changes so, when a function it calls is dropped (to be created again under another signature),
when its own change cannot be made in place, and when it reads a view created again.
Renames of tables, columns and views it reads need nothing: PostgreSQL keeps a view's query
parsed, so it follows them, and the old query is compared with those names moved first.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..model.schema import Index, Schema
from ..model.view import QueryReading, View
from . import changes as ch
from . import routine_changes as rc
from .renames import Renames, renamed_pairs


def readings(schema: Schema) -> dict[str, QueryReading]:
    """Each view's reading, made when the model was built; a view without one (built by hand, or
    whose query could not be read) is taken to read every relation its query names, whole."""
    return {k: v.reading if v.reading is not None and v.reading.problem is None else _named_whole(v, schema)
            for k, v in schema.views.items()}


def _named_whole(v: View, schema: Schema) -> QueryReading:
    words = set(v.query.normal)
    named = tuple(k for k in (*schema.tables, *schema.views) if k.split(".", 1)[1] in words)
    called = tuple(r.name for r in schema.routines.values() if r.name in words)
    return QueryReading(relations=named, whole=frozenset(named), functions=called)


def depths(schema: Schema, read: Mapping[str, QueryReading]) -> dict[str, int]:
    """Each view's place in the chain of views reading views: 0 when it reads tables only."""
    out: dict[str, int] = {}

    def depth(key: str, seen: frozenset[str]) -> int:
        if key not in out:
            below = [r for r in read[key].relations if r in schema.views and r not in seen]
            out[key] = 1 + max((depth(r, seen | {key}) for r in below), default=-1)
        return out[key]

    for key in schema.views:
        depth(key, frozenset())
    return out


def view_changes(old: Schema, new: Schema, renames: Renames, planned: list[ch.Change]) -> list[ch.Change]:
    """The changes to views that turn `old` into `new`, given the table changes already planned."""
    if not old.views and not new.views:
        return []
    moves = {o: n for o, n in renamed_pairs(old.views, new.views, lambda v: v.key,
                                            lambda v: f"{v.schema}.{v.renamed_from}" if v.renamed_from else None
                                            ).items() if n in new.views}
    old_read, new_read = readings(old), readings(new)
    old_depth, new_depth = depths(old, old_read), depths(new, new_read)
    unmovable = _columns_pinned(old, renames, planned)
    gone_tables = {c.definition.key for c in planned if isinstance(c, ch.DropTable)}
    # PostgreSQL refuses to drop a function a view calls: by name, a call does not say which overload
    gone_routines = {c.routine.name for c in planned if isinstance(c, rc.DropFunction | rc.DropProcedure)}
    matched = {o: moves.get(o, o) for o in old.views if moves.get(o, o) in new.views}
    recreate: set[str] = set()  # old keys
    for key, reading in old_read.items():
        if key not in matched or any(r in gone_tables for r in reading.relations) or any(
                reading.uses(t, c) for t, c in unmovable) or gone_routines.intersection(reading.functions):
            recreate.add(key)
    in_place: dict[str, list[ch.Change]] = {}
    for o, n in matched.items():
        if o in recreate:
            continue
        a, b = old.views[o], new.views[n]
        moved = _as_renamed(a, old_read[o], old, renames, moves)
        found = _alter_view(moved, b, old_read[o], new_read[n], new_depth[n])
        if found is None:
            recreate.add(o)
        else:
            in_place[o] = ([_rename(a, b.name)] if a.name != b.name else []) + found
    # a view reading a view dropped (for good or to be created again) goes with it
    grew = True
    while grew:
        grew = False
        for key, reading in old_read.items():
            if key not in recreate and any(r in recreate for r in reading.relations):
                recreate.add(key)
                grew = True
    out: list[ch.Change] = []
    for key in sorted(recreate):
        a = old.views[key]
        drop = ch.DropMaterializedView if a.materialized else ch.DropView
        out.append(drop(a, old_depth[key], recreated=key in matched))
    created = {matched[k] for k in recreate if k in matched} | (new.views.keys() - set(matched.values()))
    for key in sorted(created):
        b = new.views[key]
        out.append((ch.CreateMaterializedView if b.materialized else ch.CreateView)(b, new_depth[key]))
    for key in sorted(in_place.keys() - recreate):  # a view created again takes its changes with it
        out += in_place[key]
    return out


def _rename(a: View, new_name: str) -> ch.Change:
    return ch.RenameMaterializedView(a, new_name) if a.materialized else ch.RenameView(a, new_name)


def _columns_pinned(old: Schema, renames: Renames, planned: list[ch.Change]) -> set[tuple[str, str]]:
    """(old table key, old column) of the columns whose type changes or that are dropped: a view
    reading one must be dropped first."""
    back_tables = {n: o for o, n in renames.tables.items()}
    out: set[tuple[str, str]] = set()
    for c in planned:
        if isinstance(c, ch.AlterColumnType | ch.SetCollation):
            table = back_tables.get(c.table.key, c.table.key)
            back_columns = {n: o for o, n in renames.columns.get(c.table.key, {}).items()}
            out.add((table, back_columns.get(c.column, c.column)))
        elif isinstance(c, ch.DropColumn):
            out.add((c.table.key, c.column))  # drops name the table and column as they were
    return out


def _as_renamed(a: View, reading: QueryReading, old: Schema, renames: Renames, moves: dict[str, str]) -> View:
    """The old view as PostgreSQL holds it once the tables, columns and views it reads are renamed."""
    names: dict[str, str] = {}
    for key in reading.relations:
        if key in old.tables:
            new_key = renames.table(key)
            names[key.split(".", 1)[1]] = new_key.split(".", 1)[1]
            names |= renames.columns.get(new_key, {})
        elif key in moves:
            names[key.split(".", 1)[1]] = moves[key].split(".", 1)[1]
    return replace(a, query=a.query.with_names_renamed(names)) if names else a


def _alter_view(a: View, b: View, old_reading: QueryReading, new_reading: QueryReading,
                depth: int) -> list[ch.Change] | None:
    """The changes that make `a` into `b` in place; None when it must be dropped and created again."""
    if a.materialized != b.materialized:
        return None
    out: list[ch.Change] = []
    old_names, new_names = a.column_names, b.column_names
    replaced = False
    if a.query != b.query or old_names != new_names:
        if a.query == b.query and len(old_names) == len(new_names) and not (
                set(new_names) & set(old_names) - {x for x, y in zip(old_names, new_names, strict=True) if x == y}):
            # the same query, its columns renamed (a column it passes on was renamed): RENAME COLUMN
            out += [ch.RenameViewColumn(b, x, y) for x, y in zip(old_names, new_names, strict=True) if x != y]
        elif a.materialized or not _appends_only(a, b, old_reading, new_reading):
            return None
        else:
            out.append(ch.ReplaceView(b, depth))
            replaced = True
    if a.options != b.options and not replaced:
        wanted, had = dict(b.options), dict(a.options)
        out.append(ch.SetViewOptions(b, tuple((k, v) for k, v in b.options if had.get(k) != v),
                                     tuple(k for k in had if k not in wanted)))
    if a.with_data != b.with_data:
        out.append(ch.RefreshMaterializedView(b))
    if a.comment != b.comment:
        out.append(ch.SetViewComment(b))
    before = {c.name: c.comment for c in a.columns} | dict(zip(new_names, (c.comment for c in a.columns),
                                                               strict=False))
    out += [ch.SetViewColumnComment(b, c.name, c.comment) for c in b.columns if before.get(c.name) != c.comment]
    out += _index_changes(a, b)
    return out


def _appends_only(a: View, b: View, old_reading: QueryReading, new_reading: QueryReading) -> bool:
    """May CREATE OR REPLACE VIEW make `a` into `b`: its columns kept, in order, of the same types
    (as far as the queries tell: a column passed on has its type; an expression its text)?"""
    if a.column_names != b.column_names[:len(a.columns)]:
        return False
    old_sig = [c.signature for c in old_reading.columns]
    new_sig = [c.signature for c in new_reading.columns]
    if len(old_sig) != len(a.columns) or len(new_sig) != len(b.columns):
        return False  # the queries could not be read column by column: create it again, to be sure
    return old_sig == new_sig[:len(old_sig)]


def _index_changes(a: View, b: View) -> list[ch.Change]:
    """A materialized view's indexes, changed as a table's are."""
    if a.indexes == b.indexes:
        return []
    old: dict[str, Index] = {i.name: i for i in a.indexes}
    new: dict[str, Index] = {i.name: i for i in b.indexes}
    was, now = ch.TableName(a.schema, a.name), ch.TableName(b.schema, b.name)
    out: list[ch.Change] = []
    for name, i in old.items():
        if name not in new or new[name].rebuilt_form() != i.rebuilt_form():
            out.append(ch.DropIndex(was, i))
    for name, i in new.items():
        before = old.get(name)
        if before is None or before.rebuilt_form() != i.rebuilt_form():
            out.append(ch.CreateIndex(now, i))
            continue
        if before.storage != i.storage:
            had, wanted = dict(before.storage), dict(i.storage)
            out.append(ch.SetIndexStorage(now, name, tuple((k, v) for k, v in i.storage if had.get(k) != v),
                                          tuple(k for k in had if k not in wanted)))
        if before.comment != i.comment:
            out.append(ch.SetIndexComment(now, name, i.comment))
    return out
