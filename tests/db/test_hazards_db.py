"""The declared effects of every change kind, held to what PostgreSQL 15 does.

Each change of every case runs as a transaction of its own; before it commits, pg_locks says
which locks it holds on the relations that were there before it, and pg_class says whether a
table got a new relfilenode (a rewrite). The strongest lock must be the one the kind declares,
a table must be rewritten exactly when the change says it rewrites, and an index already there
rebuilt only by a change that says it reads the rows. Then, on tables holding rows that break
them, the changes said to fail on existing rows do fail, and the others pass.
"""
from __future__ import annotations

import psycopg
import pytest

from compiler.model.schema import Schema
from compiler.model.types import extension_schemas, extension_type_schemas
from compiler.plan import changes as ch
from compiler.plan.diff import plan
from compiler.plan.hazards import Lock
from compiler.sql.render import Renderer
from tests.change_cases import CASES
from tests.db.catalog import run_sql_file
from tests.db.migrate import migration
from tests.db.migrate import schema as _schema

# every table lock mode, weakest first (Lock names the ones changes take)
MODES = ("AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
         "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")

USER_RELATIONS = """
select c.oid, c.relkind, c.relfilenode from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
  and c.relkind in ('r', 'i', 'S', 'p', 'I', 'v', 'm')  -- partitioned tables and their indexes, views too
"""
HELD = "select relation, mode from pg_locks where pid = pg_backend_pid() and relation is not null"


def _strongest(conn: psycopg.Connection, before: set[int]) -> str | None:
    held = [mode for oid, mode in conn.execute(HELD).fetchall() if oid in before]
    return max(held, key=MODES.index) if held else None


def _observe(url: str, old: Schema, new: Schema, rows: str = "") -> list[tuple[ch.Change, str | None, bool, bool]]:
    """(change, strongest lock it held on a relation already there, whether a table was rewritten,
    whether an index already there was rebuilt), for each change of the migration from `old` to
    `new` and of its rollback, `rows` inserted after `old` is built."""
    if old.tables or old.enums or old.extensions or old.routines or old.sequences or old.domains:
        run_sql_file(url, migration(Schema(), old))
    if rows:
        run_sql_file(url, rows)
    renderer = Renderer()
    out = []
    with psycopg.connect(url) as conn:
        # each statement alone, without its migration's SET LOCAL search_path
        where = extension_schemas([*old.extensions.values(), *new.extensions.values()])
        conn.execute("SELECT set_config('search_path', %s, false)", [", ".join(("public", *where))])
        conn.commit()
        steps = [(c, new) for c in plan(old, new).changes] + [(c, old) for c in plan(new, old).changes]
        for change, target in steps:
            types = extension_type_schemas(target.extensions.values())
            if getattr(change, "concurrently", False):
                # CONCURRENTLY refuses a transaction, so its lock cannot be held still to be read
                # here: it runs on its own (tests/db/test_online.py proves it on rows)
                conn.autocommit = True
                conn.execute(renderer.statement(change, types))
                conn.autocommit = False
                continue
            relations = {oid: (kind, node) for oid, kind, node in conn.execute(USER_RELATIONS).fetchall()}
            conn.execute(renderer.statement(change, types))
            lock = _strongest(conn, set(relations))
            after = {oid: node for oid, kind, node in conn.execute(USER_RELATIONS).fetchall()}
            renewed = {kind for oid, (kind, node) in relations.items() if oid in after and after[oid] != node}
            conn.commit()
            out.append((change, lock, bool(renewed & {"r", "m"}), "i" in renewed))  # a materialized view's rows too
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_declared_lock_and_rewrite_are_what_postgresql_does(case: str, database_url: str) -> None:
    old, new = (_schema(t) for t in CASES[case])
    wrong = []
    for change, lock, rewritten, reindexed in _observe(database_url, old, new):
        effects = change.effects
        declared = effects.lock.value if effects.lock is not None else None
        # a kind that locks no table in use may still read one (ACCESS SHARE), nothing stronger
        new_parent = isinstance(change, ch.CreatePartition) and change.parent_is_new
        if declared is None and lock is not None and MODES.index(lock) > MODES.index(Lock.ROW_EXCLUSIVE.value) and (
                not new_parent):
            wrong.append(f"{change.kind} {change.subject}: declares no lock, holds {lock}")
        # (a new table, and a partition of a table new in the same migration, which runs here after
        # its parent's own commit: no one else can use the parent yet in a real migration)
        elif declared is not None and lock != declared and not isinstance(change, ch.CreateTable):
            wrong.append(f"{change.kind} {change.subject}: declares {declared}, holds {lock}")
        if effects.rewrites != rewritten:
            wrong.append(f"{change.kind} {change.subject}: declares rewrites={effects.rewrites}, "
                         f"rewritten={rewritten}")
        if reindexed and not (effects.scans or effects.rewrites):
            wrong.append(f"{change.kind} {change.subject}: rebuilds an index, but declares no scan")
    assert wrong == []


# old type, new type, a value of the old type, whether PostgreSQL 15 rewrites, whether values may be cut
TYPE_CHANGES = {
    "varchar array longer": ("varchar(10)[]", "varchar(20)[]", "'{ab}'", True, False),
    "varchar array unbounded": ("varchar(10)[]", "varchar[]", "'{ab}'", False, False),
    "numeric array wider": ("numeric(5,2)[]", "numeric(8,2)[]", "'{1.5}'", True, False),
    "bit varying longer": ("bit varying(5)", "bit varying(10)", "B'101'", False, False),
    "bit varying shorter": ("bit varying(10)", "bit varying(5)", "B'101'", True, True),
    "interval finer": ("interval(3)", "interval(6)", "'1.5 seconds'", False, False),
    "interval coarser": ("interval(6)", "interval(3)", "'1.5 seconds'", True, True),
    "timestamp finer": ("timestamp(3)", "timestamp(6)", "'2020-01-01 10:00:00.5'", False, False),
    "timestamp full precision": ("timestamp", "timestamp(6)", "'2020-01-01 10:00:00.5'", False, False),
    "timestamp coarser": ("timestamp", "timestamp(3)", "'2020-01-01 10:00:00.5'", True, True),
    "timestamptz finer": ("timestamptz(3)", "timestamptz(6)", "'2020-01-01 10:00:00.5+00'", False, False),
    "time finer": ("time(3)", "time(6)", "'10:00:00.5'", False, False),
    "time coarser": ("time(6)", "time(3)", "'10:00:00.5'", True, True),
}


@pytest.mark.parametrize("case", sorted(TYPE_CHANGES))
def test_a_type_change_rewrites_and_narrows_as_postgresql_does(case: str, database_url: str) -> None:
    """On a table holding rows: the declared rewrite matches relfilenode, in both directions, and
    a change that keeps every value is not called narrowing (compile would refuse it)."""
    old_type, new_type, value, rewrites, narrows = TYPE_CHANGES[case]
    table = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: v, type: '%s'}\n"
    old, new = _schema(table % old_type), _schema(table % new_type)
    rows = f"INSERT INTO t SELECT g, {value} FROM generate_series(1, 100) g;"
    observed = _observe(database_url, old, new, rows)
    assert [type(c) for c, *_ in observed] == [ch.AlterColumnType, ch.AlterColumnType]
    (up, _, up_rewritten, _), (down, _, down_rewritten, _) = observed
    assert (up.effects.rewrites, up_rewritten) == (rewrites, rewrites)
    assert down.effects.rewrites == down_rewritten
    assert up.effects.lock == Lock.ACCESS_EXCLUSIVE
    assert ("data_loss" in up.hazards, "fails_on_rows" in up.hazards) == (narrows, narrows)


ROWS_TABLE = """
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: name, type: text}
  - {name: code, type: varchar(20)}
"""
# a NULL name, two equal names, a code longer than 5 and no number
BAD_ROWS = "INSERT INTO t VALUES (1, NULL, 'abcdefgh'), (2, 'x', 'y'), (3, 'x', 'z');"
GROWN = {
    "set not null": ROWS_TABLE.replace("type: text}", "type: text, nullable: false}"),
    "unique": ROWS_TABLE.replace("type: text}", "type: text, unique: true}"),
    "unique index": ROWS_TABLE + "indexes:\n  - {columns: [name], unique: true}\n",
    "check": ROWS_TABLE + "checks:\n  - {name: named, expression: name IS NOT NULL}\n",
    "not null column": ROWS_TABLE + "  - {name: n, type: integer, nullable: false}\n",
    "narrowing": ROWS_TABLE.replace("varchar(20)", "varchar(5)"),
    "text to integer": ROWS_TABLE.replace("varchar(20)", "integer"),
    "nullable column": ROWS_TABLE + "  - {name: n, type: integer}\n",
    "not null column with a default": ROWS_TABLE + "  - {name: n, type: integer, nullable: false, default: 0}\n",
    "index": ROWS_TABLE + "indexes:\n  - {columns: [name]}\n",
    "widening": ROWS_TABLE.replace("varchar(20)", "varchar(40)"),
}


@pytest.mark.parametrize("case", sorted(GROWN))
def test_a_change_fails_on_existing_rows_exactly_when_it_says_so(case: str, database_url: str) -> None:
    old, new = _schema(ROWS_TABLE), _schema(GROWN[case])
    run_sql_file(database_url, migration(Schema(), old))
    run_sql_file(database_url, BAD_ROWS)
    changes = plan(old, new).changes
    says = any("fails_on_rows" in c.hazards for c in changes)
    renderer = Renderer()
    with psycopg.connect(database_url) as conn:
        try:
            for c in changes:
                conn.execute(renderer.statement(c))
            failed = False
        except psycopg.Error:
            failed = True
        conn.rollback()
    assert says == failed
    assert says is (case not in ("nullable column", "not null column with a default", "index", "widening"))
