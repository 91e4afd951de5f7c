"""Cross-table checks once every table is read: foreign keys resolved, names unique."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DefinitionError, did_you_mean
from ..model.names import default_name
from ..model.schema import Constraint, Enum, Exclusion, ForeignKey, Index, PrimaryKey, Table, Unique

if TYPE_CHECKING:
    from .drafts import PendingForeignKey, TableDraft


def resolve_tables(drafts: dict[str, TableDraft], enums: dict[str, Enum],
                   errors: list[DefinitionError]) -> dict[str, Table]:
    """Tables with foreign keys resolved; clashes and dangling references reported."""
    tables: dict[str, Table] = {}
    for key, t in drafts.items():
        fks = [fk for p in t.foreign_keys if (fk := _foreign_key(t, p, drafts, errors)) is not None]
        _constraint_names_unique(t, fks, errors)
        tables[key] = Table(
            t.schema, t.name, tuple(t.columns), t.primary_key,
            tuple(sorted(t.uniques, key=lambda u: u.name)),
            tuple(sorted(t.checks, key=lambda c: c.name)),
            tuple(sorted(fks, key=lambda f: f.name)),
            tuple(sorted(t.indexes, key=lambda i: i.name)),
            t.comment, t.renamed_from, tuple(sorted(t.exclusions, key=lambda x: x.name)), t.warehouse,
            t.partition_by, tuple(t.partitions), t.row_security, t.force_row_security,
            tuple(sorted(t.policies, key=lambda p: p.name)), t.grants)
    _relation_names_unique(drafts, enums, errors)
    return tables


def _error(path: str, pos: tuple[int, int], message: str) -> DefinitionError:
    return DefinitionError(path, pos[0], pos[1], message)


def _foreign_key(t: TableDraft, p: PendingForeignKey, drafts: dict[str, TableDraft],
                 errors: list[DefinitionError]) -> ForeignKey | None:
    target_key = f"{p.ref_schema}.{p.ref_table}"
    target = drafts.get(target_key)
    if target is None:
        errors.append(_error(p.path, p.pos, f"foreign key on {t.name}({', '.join(p.columns)}) references "
                                            f"table {target_key}, which is not defined"
                                            f"{did_you_mean(target_key, drafts)}"))
        return None
    ref_columns = p.ref_columns
    if ref_columns is None:
        if target.primary_key is None:
            errors.append(_error(p.path, p.pos, f"table {target_key} has no primary key; "
                                                f"name the referenced columns"))
            return None
        ref_columns = list(target.primary_key.columns)
    referenced = {c.name: c for c in target.columns}
    for c in ref_columns:
        if c not in referenced:
            errors.append(_error(p.path, p.pos, f"foreign key references {target.name}.{c}, which is not "
                                                f"a column of {target.name}{did_you_mean(c, referenced)}"))
            return None
    if len(ref_columns) != len(p.columns):
        errors.append(_error(p.path, p.pos, f"foreign key has {len(p.columns)} column(s) but references "
                                            f"{len(ref_columns)}"))
        return None
    own = {c.name: c for c in t.columns}
    for mine, theirs in zip(p.columns, ref_columns, strict=True):
        if own[mine].type != referenced[theirs].type:  # a serial column's type is its integer type
            errors.append(_error(p.path, p.pos, f"foreign key column {t.name}.{mine} is {own[mine].declared_type} "
                                                f"but {target.name}.{theirs} is {referenced[theirs].declared_type}; "
                                                f"the types must match"))
            return None
    keys: list[set[str | None]] = [set(u.columns) for u in target.uniques]
    keys += [{x.column for x in i.parts} for i in target.indexes
             if i.unique and i.where is None and all(x.column for x in i.parts)]
    if target.primary_key:
        keys.append(set(target.primary_key.columns))
    if set(ref_columns) not in keys:
        errors.append(_error(p.path, p.pos, f"foreign key references {target.name}"
                                            f"({', '.join(ref_columns)}), which is neither its primary "
                                            f"key nor unique"))
        return None
    name = p.name or default_name(t.name, p.columns, "fkey")
    t.place(name, p.pos)
    return ForeignKey(name, tuple(p.columns), target.schema, target.name, tuple(ref_columns),
                      p.on_delete, p.on_update, p.deferrable, p.initially_deferred, p.match,
                      p.comment, p.online)


def _constraint_names_unique(t: TableDraft, fks: list[ForeignKey], errors: list[DefinitionError]) -> None:
    seen: dict[str, int] = {}
    pk = [t.primary_key] if t.primary_key else []
    constraints: list[Constraint] = [*pk, *t.uniques, *t.checks, *fks, *t.exclusions]
    for c in constraints:
        if c.name in seen:  # reported at the second (third...) one in the file, not the first
            errors.append(_error(t.path, t.position_of(c.name, seen[c.name]),
                                 f"two constraints of {t.name} are named {c.name}; "
                                 f"give one a 'name' of its own"))
        seen[c.name] = seen.get(c.name, 0) + 1


def _relation_names_unique(drafts: dict[str, TableDraft], enums: dict[str, Enum],
                           errors: list[DefinitionError]) -> None:
    """Tables, indexes and key indexes share one namespace per schema, as in pg_class; a table's
    row type and an enum share another, pg_type. An index and an enum may have one name."""
    types = {(e.schema, e.name): f"enum {e.name}" for e in enums.values()}
    owner: dict[tuple[str, str], str] = {}
    for t in drafts.values():
        if (t.schema, t.name) in types:
            errors.append(_error(t.path, t.pos, f"table {t.name} has the name of {types[(t.schema, t.name)]}, "
                                                f"and a table's row type is a type of that name"))
        owner[(t.schema, t.name)] = f"table {t.name}"
    for t in drafts.values():
        pk = [t.primary_key] if t.primary_key else []
        mine: dict[str, int] = {}  # objects of this table seen so far, by name
        objects: list[PrimaryKey | Unique | Index | Exclusion] = [*pk, *t.uniques, *t.indexes, *t.exclusions]
        for obj in objects:
            key = (t.schema, obj.name)
            nth = mine.get(obj.name, 0)
            mine[obj.name] = nth + 1
            if key in owner:
                errors.append(_error(t.path, t.position_of(obj.name, nth),
                                     f"name {obj.name} is already used by {owner[key]} in schema "
                                     f"{t.schema}; give this one a 'name' of its own"))
            owner[key] = f"{type(obj).__name__.lower()} {obj.name} of {t.name}"
