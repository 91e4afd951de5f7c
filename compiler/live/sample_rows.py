"""A few generated rows per table, so a migration is proven on data and not only on empty tables.

Rows respect what the catalog says: keys are distinct per row, NOT NULL columns get a value,
one row holds NULL in each nullable column (as real data may), foreign keys point at rows that
exist (tables filled in dependency order; a nullable key that closes a cycle or points at its own
table is filled in by an UPDATE afterwards), enums take their labels, sized types values that fit.
Identity, serial and generated columns are left to PostgreSQL. Every value is text in the
column type's input form, passed as a parameter of unknown type, so PostgreSQL parses it for the
column (the way it parses a literal). A row a check, unique or unknown type rejects is left out;
a table left with no row is said to be proven empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

import psycopg
from psycopg import sql

from ..model.domains import base_type, refuses_null
from ..model.qualify import expression_sql
from ..model.schema import Column, ForeignKey, Schema, Table
from ..model.types import enum_type_spelling, extension_type_schemas
from ..plan.changes import AddConstraint, TableName
from ..sql.render import Renderer
from .database import one_row

ROWS = 3
# A check refuses a row: try it again with other values. 0: small numbers, text naming its column;
# 1: large numbers, short text; 2: text shaped like an e-mail address.
VARIANTS = (0, 1, 2)
NULLS = -1  # variant 0, with NULL in the nullable columns
CHECK_VIOLATION = "23514"


@dataclass
class Filled:
    rows: dict[str, int] = field(default_factory=dict)  # table key -> rows inserted
    empty: dict[str, str] = field(default_factory=dict)  # table key -> why it holds none


@dataclass
class _Pending:
    """Nullable foreign keys left NULL at insert, to be pointed at rows once their table has some."""

    table: Table
    ctids: list[str]
    keys: list[ForeignKey]


def fill(conn: psycopg.Connection, schema: Schema, rows: int = ROWS, coming: Schema | None = None) -> Filled:
    """Insert up to `rows` generated rows into every table of `schema` (autocommit connection).

    With `coming` (the schema a migration leads to), rows also satisfy the checks, exclusions and
    foreign keys it adds where they can: a constraint a user adds usually holds for the data there
    is, which values chosen without it would not show.
    """
    labels = {enum_type_spelling(e.schema, e.name): e.values for e in schema.enums.values()}
    schema = _as_stored(schema)
    out = Filled()
    pending: list[_Pending] = []
    borrowed = _borrow_checks(conn, schema, coming) if coming is not None else []
    keyed = _with_coming_keys(schema, coming) if coming is not None else schema
    try:
        _fill_tables(conn, keyed, rows, labels, out, pending)
    finally:
        for table, name in borrowed:
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table.schema, table.name), sql.Identifier(name)))
    return out


def _as_stored(schema: Schema) -> Schema:
    """`schema` with each column of a domain sampled as its base type, and NOT NULL when the domain is."""
    if not schema.domains:
        return schema
    domains = {enum_type_spelling(d.schema, d.name): d for d in schema.domains.values()}
    tables = {k: replace(t, columns=tuple(replace(c, type=base_type(c.type, domains),
                                                  nullable=c.nullable and not refuses_null(c.type, domains))
                                          for c in t.columns)) for k, t in schema.tables.items()}
    return replace(schema, tables=tables)


def _borrow_checks(conn: psycopg.Connection, schema: Schema, coming: Schema) -> list[tuple[Table, str]]:
    """Add the checks `coming` has and `schema` lacks, NOT VALID (they hold for new rows only),
    and its exclusion constraints, where they apply to the tables as they are; (table, name) of
    each added."""
    added = []
    types = extension_type_schemas(schema.extensions.values())
    for key, table in schema.tables.items():
        later = coming.tables.get(key)
        have = {c.name for c in (*table.constraints, *table.foreign_keys)} | {i.name for i in table.indexes}
        for check in later.checks if later is not None else ():
            if check.name in have:
                continue
            try:
                conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}) NOT VALID").format(
                    sql.Identifier(table.schema, table.name), sql.Identifier(check.name),
                    sql.SQL(expression_sql(check.expression, types))))
                added.append((table, check.name))
            except psycopg.Error:
                continue  # it names a column the migration adds or renames: no help here
        for exclusion in later.exclusions if later is not None else ():
            # no NOT VALID for these, but the table is still empty: rows it would refuse are left out
            if exclusion.name in have:
                continue
            try:
                add = AddConstraint(TableName(table.schema, table.name), replace(exclusion, comment=None))
                conn.execute(Renderer().statement(add, types))
                added.append((table, exclusion.name))
            except psycopg.Error:
                continue
    return added


def _with_coming_keys(schema: Schema, coming: Schema) -> Schema:
    """`schema` with the foreign keys `coming` adds between its tables and columns as they are, so
    that rows hold them as the data a user adds a key to does; nothing is added to the database."""
    tables = dict(schema.tables)
    for key, table in schema.tables.items():
        later = coming.tables.get(key)
        have = {fk.name for fk in table.foreign_keys}
        new = tuple(fk for fk in (later.foreign_keys if later is not None else ())
                    if fk.name not in have and all(table.column(c) is not None for c in fk.columns)
                    and (ref := schema.tables.get(fk.ref_key)) is not None
                    and all(ref.column(c) is not None for c in fk.ref_columns))
        if new:
            tables[key] = replace(table, foreign_keys=table.foreign_keys + new)
    return replace(schema, tables=tables)


def _fill_tables(conn: psycopg.Connection, schema: Schema, rows: int, labels: dict[str, tuple[str, ...]],
                 out: Filled, pending: list[_Pending]) -> None:
    for table in _in_dependency_order(schema):
        later = [fk for fk in table.foreign_keys if not _ready(fk, table, out) and _nullable(table, fk)]
        blocked = [fk for fk in table.foreign_keys if not _ready(fk, table, out) and fk not in later]
        if blocked:
            fk = blocked[0]
            why = ("is empty" if fk.ref_key in out.empty else "needs rows here first: a cycle of NOT NULL foreign keys"
                   if fk.ref_key != table.key else "is this table: a NOT NULL key to its own rows")
            out.empty[table.key] = f"its foreign key {fk.name} references {fk.ref_key}, which {why}"
            continue
        ctids, why = _insert(conn, table, rows, labels, out, set(later))
        if not ctids:
            out.empty[table.key] = why
            continue
        out.rows[table.key] = len(ctids)
        if later:
            pending.append(_Pending(table, ctids, later))
    for p in pending:
        _point_keys(conn, p, out)


def _ready(fk: ForeignKey, table: Table, filled: Filled) -> bool:
    return fk.ref_key != table.key and fk.ref_key in filled.rows


def _nullable(table: Table, fk: ForeignKey) -> bool:
    return all((c := table.column(name)) is not None and c.nullable for name in fk.columns)


def _in_dependency_order(schema: Schema) -> list[Table]:
    """Referenced tables first, along NOT NULL foreign keys (nullable ones are filled in later);
    tables in a cycle of NOT NULL keys come last, in name order."""
    tables = schema.tables
    needs = {k: {fk.ref_key for fk in t.foreign_keys if fk.ref_key != k and fk.ref_key in tables
                 and not _nullable(t, fk)} for k, t in tables.items()}
    order: list[str] = []
    done: set[str] = set()
    progress = True
    while progress:
        progress = False
        for key in sorted(tables):
            if key not in done and needs[key] <= done:
                order.append(key)
                done.add(key)
                progress = True
    order += sorted(set(tables) - done)
    return [tables[k] for k in order]


def _insert(conn: psycopg.Connection, table: Table, rows: int, labels: dict[str, tuple[str, ...]],
            filled: Filled, later: set[ForeignKey]) -> tuple[list[str], str]:
    """Insert the rows one by one; the ctids of those PostgreSQL took, and why the first was refused."""
    from_keys: dict[str, tuple[ForeignKey, int]] = {}  # column -> (key, position in it)
    references: dict[str, list[tuple[str, ...]]] = {}
    for fk in table.foreign_keys:
        if fk in later:
            continue
        references[fk.name] = _referenced_rows(conn, fk, rows)
        for i, name in enumerate(fk.columns):
            from_keys.setdefault(name, (fk, i))
    nulled = {name for fk in later for name in fk.columns}
    columns: list[Column] = []
    for col in table.columns:
        if col.generated is not None or col.identity is not None or col.serial:
            continue  # PostgreSQL makes these
        if col.name in nulled and col.name not in from_keys:
            continue  # NULL for now
        if col.name not in from_keys and sample_value(col.type, col.name, 0, labels) is None:
            if col.nullable or col.default is not None:
                continue  # NULL or its default
            return [], f"no sample value for column {col.name} of type {col.type}"
        columns.append(col)
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING ctid::text").format(
        sql.Identifier(table.schema, table.name), sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    if not columns:
        statement = sql.SQL("INSERT INTO {} DEFAULT VALUES RETURNING ctid::text").format(
            sql.Identifier(table.schema, table.name))
    ctids: list[str] = []
    why = ""
    for row in range(rows):
        # the last row holds NULL in every nullable column (but foreign keys): real data may, and a
        # SET NOT NULL without a backfill fails on it; a check that refuses NULL gets values instead
        nulls = row == rows - 1 and rows > 1
        for variant in (NULLS, *VARIANTS) if nulls else VARIANTS:
            values: list[str | None] = []
            for col in columns:
                if col.name in from_keys:
                    fk, i = from_keys[col.name]
                    targets = references[fk.name]
                    values.append(targets[row % len(targets)][i])
                elif variant == NULLS and col.nullable:
                    values.append(None)
                else:
                    values.append(sample_value(col.type, col.name, row, labels, max(variant, 0)))
            try:
                ctids.append(one_row(conn.execute(statement, values))[0])
                break
            except psycopg.Error as e:
                why = why or _refusal(e)
                if e.diag.sqlstate != CHECK_VIOLATION:
                    break  # other values would not help a key, NOT NULL or type error
    return ctids, why


def _refusal(error: psycopg.Error) -> str:
    diag = error.diag
    kinds = {"23514": "check", "23505": "unique constraint", "23503": "foreign key", "23P01": "exclusion constraint"}
    if diag.sqlstate in kinds and diag.constraint_name:
        return f"its {kinds[diag.sqlstate]} {diag.constraint_name} rejected the generated rows"
    return f"PostgreSQL rejected the generated rows: {(diag.message_primary or str(error)).strip()}"


def _referenced_rows(conn: psycopg.Connection, fk: ForeignKey, rows: int) -> list[tuple[str, ...]]:
    """Values of the referenced columns, as text, from rows that exist."""
    ref = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in fk.ref_columns)
    return conn.execute(sql.SQL("SELECT {} FROM {} ORDER BY ctid LIMIT {}").format(
        ref, sql.Identifier(fk.ref_schema, fk.ref_table), sql.Literal(rows))).fetchall()


def _point_keys(conn: psycopg.Connection, p: _Pending, filled: Filled) -> None:
    """Set the keys left NULL to rows of the tables they reference; a row refused stays NULL."""
    keys = [fk for fk in p.keys if fk.ref_key in filled.rows]
    if not keys:
        return
    targets = {fk.name: _referenced_rows(conn, fk, len(p.ctids)) for fk in keys}
    for row, ctid in enumerate(p.ctids):
        assignments = []
        values: list[str] = []
        for fk in keys:
            target = targets[fk.name][row % len(targets[fk.name])]
            for name, value in zip(fk.columns, target, strict=True):
                assignments.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
                values.append(value)
        statement = sql.SQL("UPDATE {} SET {} WHERE ctid = %s::tid").format(
            sql.Identifier(p.table.schema, p.table.name), sql.SQL(", ").join(assignments))
        try:
            conn.execute(statement, [*values, ctid])
        except psycopg.Error:
            continue


# -- values

_SIZED = re.compile(r"^(?P<base>[a-z ]+?)(?:\((?P<args>[0-9, ]+)\))?(?P<rest>(?: with(?:out)? time zone)?)$")


def sample_value(type_: str, column: str, row: int, labels: dict[str, tuple[str, ...]],
                 variant: int = 0) -> str | None:
    """Row `row`'s value for a column of `type_`, as text PostgreSQL reads for that type; None when
    the type is unknown. Values differ from row to row, so keys and uniques hold. `variant` picks
    another value of the same row (see VARIANTS)."""
    if type_.endswith("[]"):
        element = sample_value(type_[:-2], column, row, labels, variant)
        if element is None:
            return None
        return '{"' + element.replace("\\", "\\\\").replace('"', '\\"') + '"}'
    if type_ in labels:
        return labels[type_][row % len(labels[type_])]
    m = _SIZED.match(type_)
    if m is None:
        return None
    base = m.group("base") + m.group("rest")
    args = [int(a) for a in m.group("args").split(",")] if m.group("args") else []
    n = row + 1
    large = n * 1000 if variant == 1 else n
    if base in ("smallint", "integer", "bigint", "oid"):
        return str(large)
    if base == "numeric":
        precision, scale = (args + [0])[:2] if args else (0, 0)
        if not args or precision - scale >= len(str(large)):
            return str(large)
        if precision - scale >= 1:
            return str(n)
        return str(Decimal(n).scaleb(-scale))
    if base in ("real", "double precision"):
        return f"{large}.5"
    if base == "money":
        return f"{large}.00"
    if base in ("text", "character varying", "character", "name", "citext"):
        return _text(column, n, args[0] if args else None, variant)
    if base == "boolean":
        return ("true", "false")[row % 2]
    if base == "bit" or base == "bit varying":
        width = args[0] if args else 8
        return format(n, "b").zfill(width)[-width:]
    if base.startswith("interval"):  # interval, interval day to second...
        return f"{n} days"
    return _FIXED.get(base, lambda n: None)(n)


def _text(column: str, n: int, limit: int | None, variant: int = 0) -> str:
    suffix = str(n)
    if variant == 1:
        return suffix
    if variant == 2 and (limit is None or limit >= len(f"user{n}@example.com")):
        return f"user{n}@example.com"
    if limit is None:
        return f"{column}_{suffix}"
    return (column + "_")[:max(limit - len(suffix), 0)] + suffix


_FIXED = {
    "uuid": lambda n: f"00000000-0000-4000-8000-{n:012x}",
    "date": lambda n: f"2024-01-{n:02d}",  # ISO: read the same under every DateStyle
    "timestamp without time zone": lambda n: f"2024-01-{n:02d} 12:00:00",
    "timestamp with time zone": lambda n: f"2024-01-{n:02d} 12:00:00+00",
    "time without time zone": lambda n: f"12:00:{n:02d}",
    "time with time zone": lambda n: f"12:00:{n:02d}+00",
    "json": lambda n: f'{{"n": {n}}}',
    "jsonb": lambda n: f'{{"n": {n}}}',
    "bytea": lambda n: f"\\x{n:02x}",
    "inet": lambda n: f"10.0.0.{n}",
    "cidr": lambda n: f"10.0.{n}.0/24",
    "macaddr": lambda n: f"08:00:2b:00:00:{n:02x}",
    "macaddr8": lambda n: f"08:00:2b:00:00:00:00:{n:02x}",
    "xml": lambda n: f"<v>{n}</v>",
    "tsvector": lambda n: f"word{n}",
    "tsquery": lambda n: f"word{n}",
    "point": lambda n: f"({n},{n})",
    "int4range": lambda n: f"[{n},{n + 10})",
    "int8range": lambda n: f"[{n},{n + 10})",
    "numrange": lambda n: f"[{n},{n + 10})",
    "daterange": lambda n: f"[2024-01-{n:02d},2024-02-01)",
    "tsrange": lambda n: f"[2024-01-{n:02d} 00:00,2024-02-01 00:00)",
    "tstzrange": lambda n: f"[2024-01-{n:02d} 00:00+00,2024-02-01 00:00+00)",
}
