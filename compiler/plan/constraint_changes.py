"""The constraints and indexes of one table, old against new: drop, add or rename."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import replace
from typing import TypeVar

from ..model.schema import Check, Constraint, Exclusion, ForeignKey, Index, Table
from . import changes as ch
from .renames import Renames

_Named = TypeVar("_Named", bound=Constraint | Index)  # a constraint or an index


def _renamed_columns(names: tuple[str, ...], colmap: dict[str, str]) -> tuple[str, ...]:
    return tuple(colmap.get(n, n) for n in names)


def _carry(obj: _Named, colmap: dict[str, str], renames: Renames) -> _Named:
    """An old constraint or index as it stands after this migration's renames."""
    if isinstance(obj, ForeignKey):
        ref_key = renames.table(obj.ref_key)
        ref_schema, ref_table = ref_key.split(".", 1)
        return replace(obj, columns=_renamed_columns(obj.columns, colmap), ref_schema=ref_schema,
                       ref_table=ref_table,
                       ref_columns=_renamed_columns(obj.ref_columns, renames.columns.get(ref_key, {})))
    if isinstance(obj, Index | Exclusion):
        parts = tuple(replace(p, column=colmap.get(p.column, p.column)) if p.column is not None
                      else replace(p, expression=p.expression and p.expression.with_columns_renamed(colmap))
                      for p in obj.parts)
        where = obj.where.with_columns_renamed(colmap) if obj.where is not None else None
        if isinstance(obj, Exclusion):
            return replace(obj, parts=parts, where=where)
        return replace(obj, parts=parts, where=where, include=_renamed_columns(obj.include, colmap))
    if isinstance(obj, Check):
        return replace(obj, expression=obj.expression.with_columns_renamed(colmap))
    if hasattr(obj, "columns"):
        return replace(obj, columns=_renamed_columns(obj.columns, colmap))
    return obj


def _uses(obj: Constraint | Index, columns: Set[str], by_name: bool = True) -> bool:
    """Does a constraint or index involve any of `columns`: in an expression, or also by name?"""
    if not columns:
        return False
    names = set(getattr(obj, "columns", ())) if by_name else set()
    expressions = [obj.expression] if isinstance(obj, Check) else []
    if isinstance(obj, Index | Exclusion):
        names |= {p.column for p in obj.parts if p.column} | set(getattr(obj, "include", ())) if by_name else set()
        expressions += [p.expression for p in obj.parts if p.expression is not None]
        expressions += [obj.where] if obj.where is not None else []
    return bool(names & columns) or any(not columns.isdisjoint(e.columns) for e in expressions)


def _touches(obj: Constraint | Index, retyped: Set[str]) -> bool:
    """Does a check or index expression read a retyped column? PostgreSQL would rebuild it from
    its stored text, casts to the old type and all, so it is dropped and added as written."""
    return _uses(obj, retyped, by_name=False)


def _index_in_place(table: ch.TableName, a: Index, b: Index) -> list[ch.Change] | None:
    """ALTER INDEX and COMMENT for what they can change; None when the index must be rebuilt."""
    if a.rebuilt_form() != b.rebuilt_form():
        return None
    out: list[ch.Change] = []
    before, after = dict(a.storage), dict(b.storage)
    if before != after:
        changed = tuple(kv for kv in b.storage if before.get(kv[0]) != kv[1])
        out.append(ch.SetIndexStorage(table, b.name, changed, tuple(k for k in before if k not in after)))
    if a.comment != b.comment:
        out.append(ch.SetIndexComment(table, b.name, b.comment))
    return out


def _foreign_key_in_place(table: ch.TableName, a: ForeignKey, b: ForeignKey) -> list[ch.Change] | None:
    """ALTER CONSTRAINT and COMMENT for a foreign key's timing and comment; None when it must be rebuilt."""
    if a.rebuilt_form() != b.rebuilt_form():
        return None
    out: list[ch.Change] = []
    if (a.deferrable, a.initially_deferred) != (b.deferrable, b.initially_deferred):
        out.append(ch.SetForeignKeyDeferrable(table, b))
    if a.comment != b.comment:
        out.append(ch.SetConstraintComment(table, b.name, b.comment))
    if not a.valid and b.valid:
        out.append(ch.ValidateConstraint(table, b.name))
    return out


def _constraint_in_place(table: ch.TableName, a: Constraint, b: Constraint) -> list[ch.Change] | None:
    """COMMENT for a constraint whose comment changed, VALIDATE for a check left NOT VALID;
    None when it must be rebuilt."""
    unvalidated = isinstance(a, Check) and not a.valid and getattr(b, "valid", True)
    if isinstance(a, Check) and unvalidated:
        a = replace(a, valid=True)  # VALIDATE CONSTRAINT mends it in place
    if replace(a, comment=None) != replace(b, comment=None):
        return None
    out: list[ch.Change] = []
    if a.comment != b.comment:
        out.append(ch.SetConstraintComment(table, b.name, b.comment))
    if unvalidated:
        out.append(ch.ValidateConstraint(table, b.name))
    return out


def _family(a_items: Iterable[_Named], b_items: Iterable[_Named], colmap: dict[str, str], renames: Renames,
            retyped: Set[str], add: Callable[[_Named], ch.Change], drop: Callable[[_Named], ch.Change],
            rename: Callable[[str, str], ch.Change], rebuilt: Set[str] = frozenset(),
            in_place: Callable[[_Named, _Named], list[ch.Change] | None] | None = None) -> list[ch.Change]:
    """Drop, add or rename one family of named objects (constraints or indexes).

    `in_place(old, new)` gives the changes that alter an object where it stands, or None when
    only a drop and add will do.
    """
    out: list[ch.Change] = []
    old = {o.name: _carry(o, colmap, renames) for o in a_items}
    new = {o.name: o for o in b_items}
    for name, o in old.items():
        if name in new and (new[name] != o or _touches(o, retyped)):
            steps = in_place(o, new[name]) if in_place and not _touches(o, retyped) else None
            out += steps if steps is not None else [drop(o), add(new[name])]
        elif name in new and _uses(o, rebuilt):
            out.append(add(new[name]))  # dropped with its column, which is rebuilt: add it back
    gone = [o for n, o in old.items() if n not in new]
    came = [o for n, o in new.items() if n not in old]
    for o in gone:
        if _uses(o, rebuilt):
            continue  # gone with its rebuilt column
        twin = next((c for c in came if replace(c, name="") == replace(o, name="")), None)
        if twin is not None and not _touches(o, retyped):
            came.remove(twin)
            out.append(rename(o.name, twin.name))
        else:
            out.append(drop(o))
    out += [add(c) for c in came]
    return out


def constraint_changes(a: Table, b: Table, colmap: dict[str, str], renames: Renames, retyped: set[str],
                 rebuilt: set[str]) -> list[ch.Change]:
    # drops run before renames, so they name the table as it was; the rest as it will be
    t, old_t = ch.TableName(b.schema, b.name), ch.TableName(b.schema, a.name)
    out = _family(a.constraints, b.constraints, colmap, renames, retyped,
                  lambda c: ch.AddConstraint(t, c), lambda c: ch.DropConstraint(old_t, c),
                  lambda o, n: ch.RenameConstraint(t, o, n), rebuilt,
                  lambda o, n: _constraint_in_place(t, o, n))
    out += _family(a.foreign_keys, b.foreign_keys, colmap, renames, set(),
                   lambda c: ch.AddForeignKey(t, c), lambda c: ch.DropForeignKey(old_t, c),
                   lambda o, n: ch.RenameConstraint(t, o, n), rebuilt,
                   lambda o, n: _foreign_key_in_place(t, o, n))
    out += _family(a.indexes, b.indexes, colmap, renames, retyped,
                   lambda i: ch.CreateIndex(t, i), lambda i: ch.DropIndex(old_t, i),
                   lambda o, n: ch.RenameIndex(t, o, n), rebuilt,
                   lambda o, n: _index_in_place(t, o, n))
    return out
