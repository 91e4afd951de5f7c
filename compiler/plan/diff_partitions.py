"""The partitions step of diff: partitions created, dropped, or given new bounds, and the tables
whose partitioning itself changes, which PostgreSQL can only build again.

A partition's columns, and the indexes and constraints declared on its parent, are the
parent's: PostgreSQL makes them on every partition, so they are diffed on the parent alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..model.domains import Domain
from ..model.partitions import KeyPart, Partition, PartitionKey, all_partitions
from ..model.schema import Enum, Schema, Table
from . import changes as ch
from .renames import Renames

_Found = dict[str, tuple[ch.TableName, Partition]]  # partition key -> (its parent, itself)


def _renamed_key(key: PartitionKey | None, colmap: dict[str, str]) -> PartitionKey | None:
    """The key as PostgreSQL holds it after RENAME COLUMN (it follows the columns)."""
    if key is None or not colmap:
        return key
    return replace(key, parts=tuple(KeyPart(colmap.get(p.column, p.column) if p.column else None,
                                            p.expression.with_columns_renamed(colmap) if p.expression else None,
                                            p.collation, p.opclass) for p in key.parts))


def rebuild_reason(a: Table, b: Table, renames: Renames, remade: Mapping[str, Enum | Domain] | None = None
                   ) -> str | None:
    """Why table `a` must be dropped and created again as `b`, or None: PostgreSQL changes no
    partition key in place, turns no table into a partitioned one or back, and alters no column
    of a partition key. `remade`: the enums and domains made anew (by spelling), whose columns
    change type though their type reads the same."""
    colmap = renames.columns.get(b.key, {})
    if _renamed_key(a.partition_by, colmap) == b.partition_by:
        if b.partition_by is None:
            return None
        new_types = {c.name: c.type for c in b.columns}
        keyed = _key_columns(b)
        for old, new in colmap.items():
            column = a.column(old)
            if new in keyed and column is not None and column.type != new_types.get(new):
                return f"to change the type of its partition key column {new}"
        return _remade_key_type(b, keyed, remade or {})
    if a.partition_by is None:
        return f"to partition it by {b.partition_by.method}"  # type: ignore[union-attr]
    if b.partition_by is None:
        return "as a table without partitions"
    return "for its new partition key"


def _remade_key_type(b: Table, keyed: set[str], remade: Mapping[str, Enum | Domain]) -> str | None:
    """The reason to build `b` again when a partition key column is of an enum or domain made anew."""
    for c in b.columns:
        made = remade.get(c.type.removesuffix("[]")) if c.name in keyed else None
        if made is not None:
            kind = "domain" if isinstance(made, Domain) else "enum"
            return f"as its partition key column {c.name} is of {kind} {made.schema}.{made.name}, which is made anew"
    return None


def _key_columns(t: Table) -> set[str]:
    """The columns a partition key of the table or of one of its partitions reads, which PostgreSQL
    will not give another type."""
    keys = [t.partition_by, *(p.partition_by for _, _, p in all_partitions(t.schema, t.name, t.partitions))]
    out: set[str] = set()
    for key in keys:
        for part in key.parts if key is not None else ():
            out |= {part.column} if part.column is not None else set(part.expression.columns)  # type: ignore[union-attr]
    return out


def foreign_keys_around(old: Schema, new: Schema, was: set[str], rebuilt: set[str]) -> list[ch.Change]:
    """The foreign keys of other tables that reference a table built again (`was` in `old`, `rebuilt`
    in `new`): dropped before it goes (DROP TABLE refuses while they lean on it), added once it is
    there again."""
    out: list[ch.Change] = []
    for side, make, keys in ((old, ch.DropForeignKey, was), (new, ch.AddForeignKey, rebuilt)):
        for t in side.tables.values():
            if t.key in keys:
                continue
            for fk in t.foreign_keys:
                if fk.ref_key in keys:
                    out.append(make(ch.TableName(t.schema, t.name), fk))
    return out


def create_partitions(t: Table) -> list[ch.Change]:
    """The partitions of a table created in this migration, parents before their own partitions."""
    return [ch.CreatePartition(ch.TableName(s, n), p, t.key, parent_is_new=True)
            for s, n, p in all_partitions(t.schema, t.name, t.partitions)]


def _found(t: Table) -> _Found:
    return {p.key: (ch.TableName(s, n), p) for s, n, p in all_partitions(t.schema, t.name, t.partitions)}


def _has_default(parent: ch.TableName, found: _Found) -> bool:
    return any(tn == parent and p.bound.default for tn, p in found.values())


def partitions(old: Schema, new: Schema, renames: Renames, rebuilt: set[str]) -> list[ch.Change]:
    """The partition changes of every table partitioned on both sides (and not built again)."""
    out: list[ch.Change] = []
    referenced = {fk.ref_key for t in old.tables.values() for fk in t.foreign_keys}
    for key, a in old.tables.items():
        b = new.tables.get(renames.table(key))
        if b is None or b.key in rebuilt or a.partition_by is None:
            continue
        out += _table_partitions(a, b, a.key in referenced)
    return out


def _table_partitions(a: Table, b: Table, referenced: bool) -> list[ch.Change]:
    before, after = _found(a), _found(b)
    out: list[ch.Change] = []
    dropped: set[str] = set()
    # a partition keeps its place while its parent and its own partitioning stay; else it is
    # dropped (its partitions with it) and created again
    for key, (parent, p) in before.items():
        now = after.get(key)
        if parent.key in dropped:
            dropped.add(key)
        elif now is None or now[0] != _renamed(parent, a, b) or now[1].partition_by != p.partition_by:
            out.append(ch.DropPartition(parent, p, a.key, referenced=referenced))
            dropped.add(key)
    for key, (parent, p) in after.items():
        was = before.get(key)
        if key in dropped or was is None:
            existing = parent.key == b.key or (parent.key in before and parent.key not in dropped)
            scans = existing and _has_default(_old_name(parent, a, b), before)
            out.append(ch.CreatePartition(parent, p, b.key, scans_default=scans, parent_is_new=not existing))
            continue
        old_parent, old_p = was
        if old_p.bound != p.bound:
            out += [ch.DetachPartition(old_parent, old_p, a.key, referenced=referenced),
                    ch.AttachPartition(parent, p, b.key)]
        if old_p.comment != p.comment:
            out.append(ch.SetTableComment(ch.TableName(p.schema, p.name), p.comment))
    return out


def _renamed(parent: ch.TableName, a: Table, b: Table) -> ch.TableName:
    """A parent as it is named after the migration: the table itself follows its rename."""
    return ch.TableName(b.schema, b.name) if parent.key == a.key else parent


def _old_name(parent: ch.TableName, a: Table, b: Table) -> ch.TableName:
    return ch.TableName(a.schema, a.name) if parent.key == b.key else parent
