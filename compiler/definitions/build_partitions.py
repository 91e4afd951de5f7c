"""`partition_by:` and `partitions:` of a table document, checked as PostgreSQL 15's CREATE TABLE
would check them, each problem at its own position."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import DefinitionError
from ..model.literal_input import comparable_constant, constant_problem
from ..model.names import identifier_problem
from ..model.partitions import (
    METHODS,
    UNBOUNDED,
    BoundValue,
    KeyPart,
    Partition,
    PartitionBound,
    PartitionKey,
    sorted_values,
)
from .load import Mapping, Pos, Sequence, YamlTimestamp

if TYPE_CHECKING:
    from .drafts import TableContext, TableDraft

PARTITION_BY_KEYS = frozenset({"method", "columns"})
KEY_PART_KEYS = frozenset({"column", "expression", "collation", "opclass"})
PARTITION_KEYS = frozenset({"name", "schema", "comment", "from", "to", "in", "modulus", "remainder", "default",
                            "partition_by", "partitions"})
_BOUND_KEYS = ("from", "to", "in", "modulus", "remainder", "default")
_INTEGER = re.compile(r"[-+]?\d+")
_INT4_MAX = 2**31 - 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T][\d:.]+)?")


def partitioning(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    """Read the table's key and partitions into the draft; check them and what they constrain."""
    r = cx.r
    if "partition_by" in body:
        t.partition_by = partition_key(cx, t, body, f"table {t.name}")
    if "partitions" in body:
        if body.get("partition_by") is None:
            r.error(body.key_pos["partitions"], f"table {t.name} has 'partitions' but no 'partition_by': "
                                                f"say how its rows are split (method and columns)")
            return
        if t.partition_by is not None:
            t.partitions = partitions(cx, t, body, t.partition_by, t.schema, t.name)
    if t.partition_by is not None:
        _keys_cover_partition_key(cx, t, t.partition_by)


def partition_key(cx: TableContext, t: TableDraft, m: Mapping, what: str) -> PartitionKey | None:
    """`partition_by: {method: range, columns: [a, "lower(b)", {column: c, collation: C}]}`."""
    r = cx.r
    spec = m.get("partition_by")
    pos = r.pos(m, "partition_by")
    if not isinstance(spec, Mapping):
        r.error(pos, f"'partition_by' of {what} must be a mapping with 'method' and 'columns'")
        return None
    r.keys(spec, PARTITION_BY_KEYS, "'partition_by'")
    if spec.get("method") is None:
        r.error(spec.pos, f"'partition_by' of {what} needs 'method' (one of {', '.join(METHODS)})")
    method = r.choice(spec, "method", METHODS, "'partition_by'")
    items = spec.get("columns")
    if isinstance(items, str):
        listed = Sequence(r.pos(spec, "columns"))
        listed.append(items)
        listed.item_pos.append(r.pos(spec, "columns"))
        items = listed
    if not isinstance(items, Sequence) or not items:
        r.error(r.pos(spec, "columns"), f"'partition_by' of {what} needs 'columns': a list of columns or "
                                        f"expressions")
        return None
    parts = [_key_part(cx, t, item, items.item_pos[i]) for i, item in enumerate(items)]
    if method is None or any(p is None for p in parts):
        return None
    if method == "list" and len(parts) > 1:
        r.error(r.pos(spec, "columns"), f"a list partition key has one column or expression, not {len(parts)} "
                                        f"(PostgreSQL: cannot use \"list\" partition strategy with more than one "
                                        f"column)")
        return None
    return PartitionKey(method, tuple(p for p in parts if p is not None))


def _key_part(cx: TableContext, t: TableDraft, item: object, pos: Pos) -> KeyPart | None:
    r = cx.r
    what = f"partition key of {t.name}"
    if isinstance(item, str):
        if item in cx.all_columns:
            return KeyPart(column=item)
        expression = cx.expression_text(item, pos, "columns", what, t)
        return KeyPart(expression=expression) if expression is not None else None
    if not isinstance(item, Mapping):
        r.error(pos, "each item of a partition key's 'columns' must be a column, an expression or a mapping")
        return None
    r.keys(item, KEY_PART_KEYS, "a partition key part")
    if (item.get("column") is None) == (item.get("expression") is None):
        r.error(pos, "a partition key part needs either 'column' or 'expression'")
        return None
    names: list[str | None] = []
    for key in ("collation", "opclass"):
        name = r.text(item, key, "a partition key part")
        if name is not None and (problem := _dotted_problem(name, key)):
            r.error(r.pos(item, key), problem)
            return None
        names.append(name)
    collation, opclass = names
    if item.get("column") is not None:
        column = r.name(item, "column", "a partition key part")
        if column is None or not cx.known_columns(t, [column], r.pos(item, "column"), "partition key"):
            return None
        return KeyPart(column=column, collation=collation, opclass=opclass)
    expression = cx.expression(item, "expression", what, t)
    return KeyPart(expression=expression, collation=collation, opclass=opclass) if expression is not None else None


def _dotted_problem(name: str, key: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 2:
        return f"'{key}' '{name}' must be a name or schema.name"
    return next((p for p in map(identifier_problem, parts) if p), None)


def partitions(cx: TableContext, t: TableDraft, m: Mapping, key: PartitionKey, schema: str,
               parent: str) -> list[Partition]:
    """The partitions listed under `m`'s 'partitions' for a parent with partition key `key`."""
    r = cx.r
    out: list[Partition] = []
    places: list[Pos] = []
    for pm, pos in r.mappings(m, "partitions", f"table {parent}"):
        p = _partition(cx, t, pm, pos, key, schema, parent)
        if p is not None:
            out.append(p)
            places.append(pos)
    _bounds_disjoint(cx, key, out, places, parent, _key_types(t, key)[0])
    return sorted(out, key=lambda p: (p.schema, p.name))  # as introspection reads them


def _partition(cx: TableContext, t: TableDraft, m: Mapping, pos: Pos, key: PartitionKey, parent_schema: str,
               parent: str) -> Partition | None:
    r = cx.r
    r.keys(m, PARTITION_KEYS, "a partition")
    name = r.name(m, "name", "a partition", required=True)
    schema = r.name(m, "schema", "a partition") or parent_schema
    if name is None:
        return None
    what = f"partition {name}"
    comment = r.text(m, "comment", what) or None
    bound = _bound(cx, m, pos, key, what, _key_types(t, key))
    sub_key = partition_key(cx, t, m, what) if "partition_by" in m else None
    subs: list[Partition] = []
    if "partitions" in m:
        if m.get("partition_by") is None:
            r.error(m.key_pos["partitions"], f"{what} has 'partitions' but no 'partition_by'")
        elif sub_key is not None:
            subs = partitions(cx, t, m, sub_key, schema, name)
    if sub_key is not None:
        _keys_cover_partition_key(cx, t, sub_key)
    if bound is None:
        return None
    part = Partition(schema, name, bound, comment, sub_key, tuple(subs))
    t.partition_pos[part.key] = r.pos(m, "name")
    return part


def _key_types(t: TableDraft, key: PartitionKey) -> list[str | None]:
    """The type of each part of a partition key: its column's; None for an expression."""
    types = {c.name: c.type for c in t.columns}
    return [types.get(p.column) if p.column is not None else None for p in key.parts]


def _range_word(cx: TableContext, m: Mapping, what: str, values: list[BoundValue], type_: str | None) -> bool:
    """Say a list value written MINVALUE or MAXVALUE that the key's type does not read as a value:
    those words end a range; in a list PostgreSQL reads them as a column and refuses. (On a text
    key 'MINVALUE' is a word like any other, as PostgreSQL stores it.)"""
    for value, pos in zip(values, _value_positions(cx, m, "in"), strict=True):
        if value is None or value.upper() not in UNBOUNDED:
            continue
        if type_ is None or constant_problem(type_, value, stored=True) is not None:
            cx.r.error(pos, f"'in' of {what}: {value.upper()} bounds a range partition only; a list partition "
                            f"lists values of its key (PostgreSQL: cannot use column reference in partition "
                            f"bound expression)")
            return True
    return False


def _unreadable(cx: TableContext, m: Mapping, key: str, what: str, values: list[BoundValue],
                types: list[str | None]) -> bool:
    """Say each value of `key` PostgreSQL could not read as its key column's type (`from: abc` on an
    integer key, a date that is no day); True when one was said. A list bound's values are all of
    its one column; MINVALUE and MAXVALUE end a range."""
    said = False
    for i, (value, pos) in enumerate(zip(values, _value_positions(cx, m, key), strict=True)):
        type_ = types[0] if len(types) == 1 else types[i]
        if value is None or (key != "in" and value in UNBOUNDED) or type_ is None:
            continue
        problem = constant_problem(type_, value, stored=True)
        if problem is not None:
            cx.r.error(pos, f"'{key}' of {what}: {_shown(value)} is no value of the key's type {type_} "
                            f"(PostgreSQL: {problem})")
            said = True
    return said


def _value_positions(cx: TableContext, m: Mapping, key: str) -> list[Pos]:
    raw = m.get(key)
    return list(raw.item_pos) if isinstance(raw, Sequence) else [cx.r.pos(m, key)] * (
        len(raw) if isinstance(raw, list) else 1)


def _same_value(v: BoundValue, type_: str | None) -> object:
    """A list value as its key column's type reads it: `"02"` and `2` are one integer."""
    return v if v is None or type_ is None else comparable_constant(type_, v)


def _bound(cx: TableContext, m: Mapping, pos: Pos, key: PartitionKey, what: str,
           types: list[str | None]) -> PartitionBound | None:
    """FOR VALUES of one partition: the keys written must be the method's, each value one the key's
    type reads."""
    r = cx.r
    written = [k for k in _BOUND_KEYS if k in m]
    shapes = {"range": "'from' and 'to'", "list": "'in'", "hash": "'modulus' and 'remainder'"}
    expected = {"range": {"from", "to"}, "list": {"in"}, "hash": {"modulus", "remainder"}}[key.method]
    if "default" in m:
        flag = r.flag(m, "default", what)
        if flag is not True:
            if flag is False:
                r.error(r.pos(m, "default"), f"'default' of {what} can only be true; leave it out otherwise")
            return None
        if key.method == "hash":
            r.error(m.key_pos["default"], f"{what}: a hash-partitioned table cannot have a default partition")
            return None
        if len(written) > 1:
            other = next(k for k in written if k != "default")
            r.error(m.key_pos[other], f"{what} is the default partition: it takes no '{other}'")
            return None
        return PartitionBound(default=True)
    wrong = [k for k in written if k not in expected]
    if wrong:
        r.error(m.key_pos[wrong[0]], f"'{wrong[0]}' does not bound a partition of a {key.method}-partitioned "
                                     f"table; write {shapes[key.method]} (or 'default: true')")
        return None
    missing = sorted(expected - set(written))
    if missing:
        r.error(pos, f"{what} needs {shapes[key.method]} (or 'default: true' for the rows no other partition "
                     f"takes)" if key.method != "hash" else f"{what} needs {shapes[key.method]}")
        return None
    if key.method == "hash":
        return _hash_bound(cx, m, what)
    if key.method == "list":
        values = _values(cx, m, "in", what, allow_null=True)
        if values is None or _range_word(cx, m, what, values, types[0]) or _unreadable(cx, m, "in", what, values,
                                                                                          types):
            return None
        seen: dict[object, BoundValue] = {}
        for v, place in zip(values, _value_positions(cx, m, "in"), strict=True):
            same = _same_value(v, types[0])
            if same in seen:
                also = "" if seen[same] == v else f" (as {types[0]}, {_shown(seen[same])} is the same value)"
                r.error(place, f"value {_shown(v)} appears twice in 'in' of {what}{also}")
                return None
            seen[same] = v
        return PartitionBound(values=sorted_values(values))
    lower = _range_values(cx, m, "from", key, what)
    upper = _range_values(cx, m, "to", key, what)
    if lower is None or upper is None:
        return None
    if _unreadable(cx, m, "from", what, list(lower), types) | _unreadable(cx, m, "to", what, list(upper), types):
        return None
    if _compare(lower, upper) not in (None, -1):
        r.error(r.pos(m, "to"), f"{what}: the range is empty: 'to' ({', '.join(upper)}) must be above 'from' "
                                f"({', '.join(lower)})")
        return None
    return PartitionBound(lower=lower, upper=upper)


def _hash_bound(cx: TableContext, m: Mapping, what: str) -> PartitionBound | None:
    r = cx.r
    modulus = r.get(m, "modulus", int, what)
    remainder = r.get(m, "remainder", int, what)
    if modulus is None or remainder is None:
        return None
    if modulus < 1:
        r.error(r.pos(m, "modulus"), f"'modulus' of {what} must be a positive whole number, not {modulus}")
        return None
    if modulus > _INT4_MAX:
        r.error(r.pos(m, "modulus"), f"'modulus' of {what} must be at most {_INT4_MAX}, not {modulus} (PostgreSQL "
                                     f"reads MODULUS as an integer)")
        return None
    if not 0 <= remainder < modulus:
        r.error(r.pos(m, "remainder"), f"'remainder' of {what} must be from 0 to {modulus - 1} (below the "
                                       f"modulus), not {remainder}")
        return None
    return PartitionBound(modulus=modulus, remainder=remainder)


def _scalar(value: object) -> BoundValue | object:
    """A YAML scalar as a bound value's text; the value itself back when it is no scalar."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, YamlTimestamp):
        return str(value)
    if isinstance(value, int | float | str):
        return str(value)
    return value


def _values(cx: TableContext, m: Mapping, key: str, what: str, allow_null: bool) -> list[BoundValue] | None:
    r = cx.r
    raw = m.get(key)
    items: list[object] = list(raw) if isinstance(raw, list) else [raw]
    positions = raw.item_pos if isinstance(raw, Sequence) else [r.pos(m, key)] * len(items)
    if not items:
        r.error(r.pos(m, key), f"'{key}' of {what} must not be empty")
        return None
    out: list[BoundValue] = []
    for item, pos in zip(items, positions, strict=True):
        value = _scalar(item)
        if value is not None and not isinstance(value, str):
            r.error(pos, f"each value of '{key}' of {what} must be a number, a string, true/false"
                         f"{' or null' if allow_null else ''}, not a list or mapping")
            return None
        if value is None and not allow_null:
            r.error(pos, f"'{key}' of {what} cannot hold null: a range bound is a value, MINVALUE or MAXVALUE")
            return None
        out.append(value)
    return out


def _range_values(cx: TableContext, m: Mapping, key: str, pk: PartitionKey, what: str) -> tuple[str, ...] | None:
    r = cx.r
    values = _values(cx, m, key, what, allow_null=False)
    if values is None:
        return None
    words = tuple(v.upper() if v is not None and v.upper() in UNBOUNDED else v or "" for v in values)
    if len(words) != len(pk.parts):
        r.error(r.pos(m, key), f"'{key}' of {what} has {len(words)} value(s) but the partition key has "
                               f"{len(pk.parts)} column(s)")
        return None
    for i, word in enumerate(words[:-1]):
        if word in UNBOUNDED and words[i + 1] != word:
            r.error(r.pos(m, key), f"'{key}' of {what}: every value after {word} must be {word} too "
                                   f"(PostgreSQL: every bound following {word} must also be {word})")
            return None
    return words


def _shown(v: BoundValue) -> str:
    return "null" if v is None else repr(v)


# -- what can be checked without the key's types: integers and ISO dates compare as PostgreSQL would

def _sort_key(values: tuple[str, ...], kinds: list[str | None]) -> tuple[tuple[int, object], ...] | None:
    out: list[tuple[int, object]] = []
    for v, kind in zip(values, kinds, strict=True):
        if v == "MINVALUE":
            out.append((-1, 0))
        elif v == "MAXVALUE":
            out.append((1, 0))
        elif kind is None:
            return None
        else:
            out.append((0, int(v) if kind == "int" else v))
    return tuple(out)


def _kinds(columns: list[list[str]]) -> list[str | None]:
    """Per key column: 'int' or 'date' when every value written for it is one, else None."""
    out: list[str | None] = []
    for values in columns:
        finite = [v for v in values if v not in UNBOUNDED]
        out.append("int" if all(_INTEGER.fullmatch(v) for v in finite) else
                   "date" if all(_DATE.fullmatch(v) for v in finite) else None)
    return out


def _compare(a: tuple[str, ...], b: tuple[str, ...]) -> int | None:
    kinds = _kinds([[x, y] for x, y in zip(a, b, strict=True)])
    ka, kb = _sort_key(a, kinds), _sort_key(b, kinds)
    if ka is None or kb is None:
        return None
    return (ka > kb) - (ka < kb)


def _bounds_disjoint(cx: TableContext, key: PartitionKey, parts: list[Partition], places: list[Pos],
                     parent: str, first_type: str | None) -> None:
    """At most one default partition; no value in two list partitions; ranges that do not overlap
    (where their values are integers or dates); hash moduli that divide each other, no two
    partitions for one remainder."""
    r = cx.r
    default = [i for i, p in enumerate(parts) if p.bound.default]
    if len(default) > 1:
        r.error(places[default[1]], f"table {parent} has two default partitions ({parts[default[0]].name} and "
                                    f"{parts[default[1]].name}); it can have one")
    owner: dict[object, str] = {}  # a list value as the key's type reads it -> its partition
    for p, pos in zip(parts, places, strict=True):
        for v in p.bound.values:
            same = _same_value(v, first_type)
            if same in owner:
                r.error(pos, f"partition {p.name}: value {_shown(v)} is already in partition {owner[same]}")
            owner.setdefault(same, p.name)
    ranges = [(p, pos) for p, pos in zip(parts, places, strict=True) if p.bound.lower]
    if ranges:
        kinds = _kinds([[v for p, _ in ranges for v in (p.bound.lower[i], p.bound.upper[i])]
                        for i in range(len(key.parts))])
        keyed: list[tuple[tuple[tuple[int, object], ...], tuple[tuple[int, object], ...], Partition, Pos]] = []
        for p, pos in ranges:
            lo, hi = _sort_key(p.bound.lower, kinds), _sort_key(p.bound.upper, kinds)
            if lo is None or hi is None:
                keyed = []
                break
            keyed.append((lo, hi, p, pos))
        keyed.sort(key=lambda k: k[0])
        for (_, hi, a, _), (lo, _, b, pos) in zip(keyed, keyed[1:], strict=False):
            if lo < hi:
                r.error(pos, f"partition {b.name} overlaps partition {a.name}: its range starts below where "
                             f"{a.name}'s ends")
    hashes = [(p, pos) for p, pos in zip(parts, places, strict=True) if p.bound.modulus is not None]
    for i, (b, pos) in enumerate(hashes):
        for a, _ in hashes[:i]:
            small, large = sorted((a.bound, b.bound), key=lambda x: x.modulus or 0)
            assert small.modulus is not None and large.modulus is not None and large.remainder is not None
            if large.modulus % small.modulus:
                r.error(pos, f"partition {b.name}: modulus {b.bound.modulus} and {a.name}'s {a.bound.modulus} "
                             f"must divide one another (PostgreSQL: every modulus must be a factor of the next "
                             f"larger modulus)")
                break
            if large.remainder % small.modulus == small.remainder:
                r.error(pos, f"partition {b.name} overlaps partition {a.name}: both take the rows of remainder "
                             f"{large.remainder} modulo {large.modulus}")
                break


def _keys_cover_partition_key(cx: TableContext, t: TableDraft, key: PartitionKey) -> None:
    """PostgreSQL's rules for a partitioned table's keys and indexes: a primary key or unique
    constraint (or unique index) includes every column of the partition key, which then has no
    expression; no exclusion constraint. (An index with `concurrently` is built partition by
    partition: plan/online_partitions.py.)"""
    r = cx.r
    uniques: list[tuple[str, str, tuple[str | None, ...]]] = []
    if t.primary_key is not None:
        uniques.append(("primary key", t.primary_key.name, t.primary_key.columns))
    uniques += [("unique constraint", u.name, u.columns) for u in t.uniques]
    uniques += [("unique index", i.name, tuple(p.column for p in i.parts)) for i in t.indexes if i.unique]
    for kind, name, columns in uniques:
        if key.has_expressions:
            r.error(t.position_of(name), f"{kind} {name} cannot be declared on partitioned table {t.name}: "
                                         f"its partition key has an expression (PostgreSQL allows keys and "
                                         f"unique indexes only over a key of plain columns)")
            continue
        lacking = [c for c in key.columns if c not in columns]
        if lacking:
            r.error(t.position_of(name), f"{kind} {name} of partitioned table {t.name} lacks partition key "
                                         f"column {lacking[0]}: a key or unique index of a partitioned table "
                                         f"must include every column of the partition key")
    for x in t.exclusions:
        r.error(t.position_of(x.name), f"exclusion constraint {x.name}: PostgreSQL 15 does not support "
                                       f"exclusion constraints on partitioned tables")
    for fk in t.foreign_keys:
        if fk.online:
            r.error(fk.pos, f"foreign key of partitioned table {t.name} cannot be added online: PostgreSQL 15 "
                            f"cannot add a NOT VALID foreign key on a partitioned table; remove 'online: true'")


def partition_names_unique(drafts: dict[str, TableDraft], errors: list[DefinitionError]) -> None:
    """A partition is a table: its schema.name is no other table's or partition's."""
    owner = {key: f"table {t.name}" for key, t in drafts.items()}
    for t in drafts.values():
        for key, pos in t.partition_pos.items():
            if key in owner:
                errors.append(DefinitionError(t.path, pos[0], pos[1], f"partition {key} has the name of "
                                                                      f"{owner[key]}"))
            else:
                owner[key] = f"partition {key} of {t.name}"
