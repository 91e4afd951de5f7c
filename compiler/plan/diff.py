"""Schema x Schema -> list[Change]: pure, no I/O, no SQL.

Reads like a table of contents: renames are resolved first into maps that later steps look
names up in, then one step per object family; plan/order.py puts what they find in order.
`diff(new, old)` is the rollback of `diff(old, new)`: rename hints are honoured in both directions.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..model.casts import assignment_castable, lossy
from ..model.domains import Domain, base_type, has_constraints
from ..model.names import default_name
from ..model.schema import Column, Enum, Schema, Table, Unique
from ..model.sequences import TYPE_RANGES, SequenceOptions, all_options, resolved
from ..model.types import enum_type_spelling
from . import changes as ch
from .constraint_changes import constraint_changes
from .diff_called_functions import called_functions
from .diff_partitions import create_partitions, foreign_keys_around, partitions, rebuild_reason
from .diff_routines import routines, triggers, with_types_followed
from .diff_security import namespaces, object_grants, table_security
from .diff_seqdom import domain_changes, sequence_changes, stored_types, with_domains_renamed
from .diff_views import view_changes
from .order import Plan, order
from .renames import Renames, resolve_renames, temporary_name


@dataclass(frozen=True, slots=True)
class EnumTypes:
    """Enums as column types see them: those recreated in this migration, and every enum's spelling."""

    recreated: Mapping[str, Enum | Domain]  # recreated domains too: their columns are cast the same way
    spellings: frozenset[str]
    # the domains by spelling, before and after: what a column of one stores
    old_bases: Mapping[str, Domain] = field(default_factory=dict)
    new_bases: Mapping[str, Domain] = field(default_factory=dict)


def diff(old: Schema, new: Schema) -> list[ch.Change]:
    """The changes that turn `old` into `new`, in an order PostgreSQL accepts."""
    return plan(old, new).changes


def plan(old: Schema, new: Schema) -> Plan:
    """The changes that turn `old` into `new`, ordered and cut into blocks (plan/order.py)."""
    renames = resolve_renames(old, new)
    recreated: dict[str, Enum] = {}
    enum_types = frozenset(enum_type_spelling(e.schema, e.name) for e in (*old.enums.values(), *new.enums.values()))
    out: list[ch.Change] = []
    out += _schemas(old, new)
    out += _extensions(old, new)
    out += _enums(old, new, recreated)
    domains, remade, moved = domain_changes(old, new, recreated)
    out += domains
    out += sequence_changes(old, new, renames)
    types = EnumTypes({**recreated, **remade}, enum_types, stored_types(old), stored_types(new))
    rebuilt: set[str] = set()
    out += _tables(with_domains_renamed(old, moved), new, renames, types, rebuilt)
    out += _partitions(old, new, renames, rebuilt, out)
    # a routine over a domain renamed or moved follows it (one over a domain made anew does not)
    followed = {o: n for o, n in moved.items() if n not in remade}
    typed = with_types_followed(old, followed)
    routine_changes, recreated_routines = routines(typed, new, types.recreated)
    out += routine_changes
    out += view_changes(old, new, renames, out)
    out += triggers(typed, new, renames, recreated_routines, rebuilt, out)  # after views: a view's triggers follow it
    out += namespaces(old, new)
    out += table_security(old, new, renames, frozenset(recreated), out)
    out += object_grants(typed, new, out)
    out = called_functions(typed, new, renames, out, types.recreated, followed)
    return order(old, new, renames, out)


# -- renames

# -- schemas, extensions, enums

def _schemas(old: Schema, new: Schema) -> list[ch.Change]:
    return ([ch.CreateSchema(s) for s in sorted(new.schema_names - old.schema_names)]
            + [ch.DropSchema(s) for s in sorted(old.schema_names - new.schema_names)])


def _extensions(old: Schema, new: Schema) -> list[ch.Change]:
    return ([ch.CreateExtension(n, x.schema) for n, x in new.extensions.items() if n not in old.extensions]
            + [ch.SetExtensionSchema(n, x.schema) for n, x in new.extensions.items()
               if n in old.extensions and old.extensions[n].schema != x.schema]
            + [ch.DropExtension(n) for n in old.extensions if n not in new.extensions])


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(v in it for v in short)


def _enums(old: Schema, new: Schema, recreated: dict[str, Enum]) -> list[ch.Change]:
    out: list[ch.Change] = []
    for key, b in new.enums.items():
        a = old.enums.get(key)
        if a is not None and a.comment != b.comment and _is_subsequence(a.values, b.values):
            out.append(ch.SetEnumComment(b))  # a recreated enum gets its comment when created
        if a is None:
            out.append(ch.CreateEnum(b))
        elif a.values != b.values and _is_subsequence(a.values, b.values):
            present = set(a.values)
            for i, value in enumerate(b.values):
                if value in present:
                    continue
                if i:  # after the value before it, which exists by now
                    out.append(ch.AddEnumValue(b, value, after=b.values[i - 1]))
                else:  # first: before the first value that already exists
                    out.append(ch.AddEnumValue(b, value, before=next(v for v in b.values if v in present)))
                present.add(value)
        elif a.values != b.values:
            # values removed or reordered: PostgreSQL cannot, so rename, recreate, cast, drop
            temp = temporary_name(a.name)
            out += [ch.RenameEnum(a, temp), ch.CreateEnum(b),
                    ch.DropEnum(Enum(a.schema, temp, a.values), replaced_by=b)]
            recreated[enum_type_spelling(a.schema, a.name)] = b
    out += [ch.DropEnum(a) for key, a in old.enums.items() if key not in new.enums]
    return out


# -- partitions

def _partitions(old: Schema, new: Schema, renames: Renames, rebuilt: set[str], found: list[ch.Change]
                ) -> list[ch.Change]:
    """Partitions of tables partitioned on both sides; around a table built again, the foreign keys
    of other tables that lean on it (those the steps before did not already drop or add)."""
    done = {(type(c), c.table, c.foreign_key.name) for c in found if isinstance(c, ch.ForeignKeyChange)}
    was = {k for k in old.tables if renames.table(k) in rebuilt}
    around = [c for c in foreign_keys_around(old, new, was, rebuilt)
              if isinstance(c, ch.ForeignKeyChange) and (type(c), c.table, c.foreign_key.name) not in done]
    return around + partitions(old, new, renames, rebuilt)


# -- tables

def _tables(old: Schema, new: Schema, renames: Renames, enums: EnumTypes, rebuilt: set[str]) -> list[ch.Change]:
    out: list[ch.Change] = []
    matched = {renames.table(k): a for k, a in old.tables.items() if renames.table(k) in new.tables}
    for key, b in new.tables.items():
        a = matched.get(key)
        if a is None:
            out += _create_table(b)
        elif (reason := rebuild_reason(a, b, renames, enums.recreated)) is not None:
            # PostgreSQL changes no partitioning in place: the table goes, and comes again (into `rebuilt`)
            out += [ch.DropTable(a, rebuilt_for=reason), *_create_table(b)]
            rebuilt.add(key)
        else:
            out += _alter_table(a, b, renames, enums)
    for key, a in old.tables.items():
        if renames.table(key) not in new.tables:
            out += [ch.DropForeignKey(ch.TableName(a.schema, a.name), fk) for fk in a.foreign_keys]
            out.append(ch.DropTable(a))
    return out


def _create_table(t: Table) -> list[ch.Change]:
    # CREATE TABLE merges a unique constraint that repeats the primary key or an earlier unique
    # one (same columns in the same order, same NULLS treatment) into it: add such a one after
    inline: list[Unique] = []
    repeats: list[Unique] = []
    keys = {(t.primary_key.columns, False)} if t.primary_key else set()
    for u in t.uniques:
        (repeats if (u.columns, u.nulls_not_distinct) in keys else inline).append(u)
        keys.add((u.columns, u.nulls_not_distinct))
    out: list[ch.Change] = [ch.CreateTable(replace(t, uniques=tuple(inline)) if repeats else t)]
    name = ch.TableName(t.schema, t.name)
    out += [ch.AddConstraint(name, u) for u in repeats]
    out += [ch.CreateIndex(name, i) for i in t.indexes]
    out += [ch.AddForeignKey(name, fk) for fk in t.foreign_keys]
    if t.comment is not None:
        out.append(ch.SetTableComment(name, t.comment))
    out += [ch.SetColumnComment(name, c.name, c.comment) for c in t.columns if c.comment is not None]
    return out + create_partitions(t)


def _alter_table(a: Table, b: Table, renames: Renames, enums: EnumTypes) -> list[ch.Change]:
    out: list[ch.Change] = []
    if a.name != b.name:
        out.append(ch.RenameTable(ch.TableName(a.schema, a.name), b.name))
    colmap = renames.columns.get(b.key, {})
    old_cols, new_cols = _by_name(a), _by_name(b)
    retyped = {c.name for c in b.columns if c.type.removesuffix("[]") in enums.recreated}
    # a check or index expression over a column whose type changes is rebuilt by PostgreSQL from
    # its text, casts and all ('id >= 0' on numeric, then on integer: 'id::numeric >= 0::numeric'):
    # drop it and add it again as written
    for old_name, new_name in colmap.items():
        before, after = old_cols.get(old_name), new_cols.get(new_name)
        if before and after and before.type != after.type:
            retyped |= {old_name, new_name}
    # a generated column rebuilt (drop + add) takes its constraints and indexes with it
    rebuilt = _generated_to_rebuild(old_cols, b, colmap, retyped)
    out += _columns(a, b, old_cols, new_cols, colmap, enums, rebuilt)
    out += constraint_changes(a, b, colmap, renames, retyped, rebuilt)
    if a.comment != b.comment:
        out.append(ch.SetTableComment(ch.TableName(b.schema, b.name), b.comment))
    return out


def _by_name(t: Table) -> dict[str, Column]:
    """The table's columns by name (Table.column() searches; a diff looks up every column)."""
    return {c.name: c for c in t.columns}


def _generated_to_rebuild(old_cols: dict[str, Column], b: Table, colmap: dict[str, str],
                          retyped: set[str]) -> set[str]:
    """Generated columns to drop and add again: PostgreSQL 15 cannot change a generation
    expression in place, nor the type of a column a generation expression reads."""
    back = {new: old for old, new in colmap.items()}
    out = set()
    for col in b.columns:
        if col.generated is None:
            continue
        prev = old_cols.get(back.get(col.name, ""))
        if prev is None:
            continue
        changed = prev.generated is None or prev.generated.with_columns_renamed(colmap) != col.generated
        if changed or retyped.intersection(col.generated.columns):
            out.add(col.name)
    return out


def _owned_sequence_renames(a: Table, b: Table, old_cols: dict[str, Column], new_cols: dict[str, Column],
                            colmap: dict[str, str]) -> list[ch.Change]:
    out: list[ch.Change] = []
    for old_name, new_name in colmap.items():
        col = new_cols.get(new_name)
        old_col = old_cols.get(old_name)
        owns_sequence = col and old_col and (col.serial and old_col.serial or col.identity and old_col.identity)
        if owns_sequence and (a.name, old_name) != (b.name, new_name):
            old_seq, new_seq = default_name(a.name, [old_name], "seq"), default_name(b.name, [new_name], "seq")
            if old_seq != new_seq:
                out.append(ch.RenameColumnSequence(ch.TableName(b.schema, b.name), new_name, old_seq, new_seq))
    return out


def _columns(a: Table, b: Table, old_cols: dict[str, Column], new_cols: dict[str, Column], colmap: dict[str, str],
             enums: EnumTypes, rebuild: set[str]) -> list[ch.Change]:
    out: list[ch.Change] = _owned_sequence_renames(a, b, old_cols, new_cols, colmap)
    back = {new: old for old, new in colmap.items()}
    tn, was = ch.TableName(b.schema, b.name), ch.TableName(b.schema, a.name)  # drops: the old name
    for col in b.columns:
        old_name = back.get(col.name)
        prev = old_cols.get(old_name) if old_name else None
        if prev is None:
            out.append(ch.AddColumn(tn, col))
            if col.comment is not None:
                out.append(ch.SetColumnComment(tn, col.name, col.comment))
            continue
        if col.name in rebuild:
            out += [ch.DropColumn(was, prev), ch.AddColumn(tn, col)]
            if col.comment is not None:
                out.append(ch.SetColumnComment(tn, col.name, col.comment))
            continue
        if prev.name != col.name:
            out.append(ch.RenameColumn(tn, prev.name, col.name))  # order.py frees each name first
        out += _alter_column(tn, prev, col, enums, colmap)
    for col in a.columns:
        if col.name not in colmap:
            out.append(ch.DropColumn(was, col))  # runs before renames
    return out


def _alter_column(tn: ch.TableName, a: Column, b: Column, enums: EnumTypes,
                  colmap: dict[str, str]) -> list[ch.Change]:
    if a == b and b.type.removesuffix("[]") not in enums.recreated:
        return []  # most columns of a table that changes: nothing below would find a difference
    name = b.name
    out: list[ch.Change] = []
    if a.generated is not None and b.generated is None:
        out.append(ch.DropGeneration(tn, name, a.generated))
    # serial is an integer type plus an owned sequence as its default: change the two apart
    # a sequence that becomes another kind of sequence hands its position on: no id is given twice
    # (sequence options on either side take the general way: a new sequence with its options)
    plain = not a.sequence and not b.sequence
    serial_to_identity = plain and a.serial and b.identity is not None and a.identity is None
    identity_to_serial = plain and a.identity is not None and b.serial and b.identity is None
    # serial to bigserial or smallserial and back: the same owned sequence, of another integer type
    reserial = a.serial and b.serial and a.type != b.type
    if plain and reserial:
        out.append(ch.SetSequenceType(tn, name, b.type))
    elif serial_to_identity:
        out.append(ch.SerialToIdentity(tn, name, b.identity))  # type: ignore[arg-type]
    elif identity_to_serial:
        out.append(ch.IdentityToSerial(tn, name, default_name(tn.name, [name], "seq"), b.type))
    else:
        if a.serial and (not b.serial or reserial):
            out.append(ch.DropSerial(tn, name))
        if b.serial and (not a.serial or reserial):
            out.append(ch.AddSerial(tn, name, default_name(tn.name, [name], "seq"), b.type, b.sequence,
                                    _first_number(b.type, b.sequence)))
    base = b.type.removesuffix("[]")
    recast = a.type == b.type and base in enums.recreated
    if a.type != b.type or recast:
        change = replace(_alter_type(tn, name, a.type, b.type, recast, enums), collation=b.collation)
        # a default of the old type may not cast by itself: take it off and put it back
        reset = change.using
        if a.default is not None and (reset or b.default is None):
            out.append(ch.DropDefault(tn, name, a.default))
        out.append(change)
        if b.default is not None:
            # set even when unchanged: a kept default keeps its old type ('x'::character varying
            # on what is now a text column), unlike the same default written for the new type
            out.append(ch.SetDefault(tn, name, b.default))
    elif a.default != b.default:
        out.append(ch.SetDefault(tn, name, b.default) if b.default is not None
                   else ch.DropDefault(tn, name, a.default))  # type: ignore[arg-type]
    if a.type == b.type and not recast and a.collation != b.collation:
        out.append(ch.SetCollation(tn, name, b.type, b.collation))  # a type change above carries it
    if a.identity != b.identity and not (serial_to_identity or identity_to_serial):
        if a.identity is None:
            out.append(ch.AddIdentity(tn, name, b.identity, b.sequence,  # type: ignore[arg-type]
                                      _first_number(b.type, b.sequence)))
        elif b.identity is None:
            out.append(ch.DropIdentity(tn, name, a.identity))
        else:
            out.append(ch.SetIdentity(tn, name, b.identity))
    out += _sequence_options(tn, a, b, b.type)
    if a.nullable != b.nullable:
        out.append(ch.DropNotNull(tn, name) if b.nullable else ch.SetNotNull(tn, name))
    if a.comment != b.comment:
        out.append(ch.SetColumnComment(tn, name, b.comment))
    return out


def _first_number(integer_type: str, options: SequenceOptions) -> int | None:
    """With sequence options, the number a new sequence starts at when the column holds no row yet."""
    return int(resolved(integer_type, options)["start"]) if options else None


def _sequence_options(tn: ch.TableName, a: Column, b: Column, integer_type: str) -> list[ch.Change]:
    """ALTER the options of a sequence the column keeps (one added above already has its own)."""
    kept_identity = a.identity is not None and b.identity is not None
    kept_serial = a.serial and b.serial and a.type == b.type
    if a.sequence == b.sequence or not (kept_identity or kept_serial) or integer_type not in TYPE_RANGES:
        return []
    return [ch.SetSequenceOptions(tn, b.name, all_options(integer_type, b.sequence))]


def _recreated_domain_via(old: str, new: str, enums: EnumTypes) -> str | None:
    """What a column of a domain made anew goes through: the base type the old domain stores (boolean
    to a domain over integer casts as true::boolean::integer, while 'true'::text::integer fails);
    None when an enum is on either side, which casts to and from text only."""
    stored, target = base_type(old, enums.old_bases), base_type(new, enums.new_bases)
    if stored.removesuffix("[]") in enums.spellings or target.removesuffix("[]") in enums.spellings:
        return None
    return stored


def _alter_type(tn: ch.TableName, name: str, old: str, new: str, recast: bool,
                enums: EnumTypes) -> ch.AlterColumnType:
    # PostgreSQL casts an enum to nothing but text: go through text to another enum or type
    from_enum = old.removesuffix("[]") in enums.spellings and not assignment_castable(old, new)
    via = ("text[]" if new.endswith("[]") else "text") if recast or from_enum else None
    if recast and old.removesuffix("[]") not in enums.spellings:
        via = _recreated_domain_via(old, new, enums) or via
    using = via is not None or not assignment_castable(old, new)
    # a domain on either side: what is stored decides the rewrite and the loss (integer to a domain
    # over integer keeps every value where it is, and only checks it)
    stored = (base_type(old, enums.old_bases), base_type(new, enums.new_bases))
    domain = stored != (old, new) and via is None
    return ch.AlterColumnType(tn, name, old, new, using, via, False if recast else lossy(*stored),
                              stored=stored if domain else None, checked=has_constraints(new, enums.new_bases))
