"""A desired schema as PostgreSQL itself would store it: built in a throwaway database, read back.

PostgreSQL is the authority on the spelling of what it stores ('new' comes back as 'new'::text,
price >= 0 as price >= 0::numeric), so live comparisons are made against this, not the YAML.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TypeVar

import psycopg

from ..errors import DatabaseError
from ..model.names import quote_ident
from ..model.routine_uses import called_routines
from ..model.schema import Enum, Extension, Schema, Table
from ..model.types import extension_schemas, extension_type_schemas
from ..model.view import View
from ..plan.diff import plan
from ..sql.migration_file import PINNED_SETTINGS, migration_search_path, segments
from ..sql.render import Renderer
from .database import connect, describe
from .introspect import introspect, query
from .run_migration import lock_table_full
from .scratch_policies import policy_reach
from .scratch_roles import with_roles, without_roles
from .throwaway import DevServer, dev_server, throwaway_database

T = TypeVar("T")

# A scratch build commits after this many statements. In one transaction a schema of 1,000
# tables of 20 columns holds locks on about 11,000 objects until it commits (every table, index,
# sequence, TOAST table and type it creates), more than a server's lock table holds with the
# default max_locks_per_transaction (64 x (max_connections + max_prepared_transactions) slots,
# shared by all sessions). A hundred of its statements hold at most about 800.
STATEMENTS_PER_TRANSACTION = 100


class BuildFailed(DatabaseError):
    """A statement of a scratch build that PostgreSQL refused (`statement`, when it was found)."""

    def __init__(self, message: str, statement: str | None) -> None:
        super().__init__(message)
        self.statement = statement


def failure_text(name: str, context: str, error: str, statement: str | None) -> str:
    """What failed and where, PostgreSQL's words, and the statement it refused (when it was found)."""
    lines = [f"{name} failed {context}:", *(f"  {line}" for line in error.splitlines())]
    if statement:
        lines += ["  in the statement:", *(f"    {line}" for line in statement.splitlines())]
    return "\n".join(lines)


def definitions_refused(e: BuildFailed, why: str) -> DatabaseError:
    """A scratch build of the definitions PostgreSQL refused, said as theirs (`why` it was built)
    with the statement refused, not as a failure of the live database; exit 4 still."""
    return DatabaseError(failure_text("the definitions", f"when built on a scratch database ({why})", str(e),
                                      e.statement))


def build_sql(schema: Schema) -> str:
    """The one-step migration that builds `schema` in an empty database."""
    return Renderer().migration("scratch", plan(Schema(), schema), [],
                                extension_type_schemas(schema.extensions.values()),
                                extension_schemas=extension_schemas(schema.extensions.values()))


def canonical(schema: Schema, server: DevServer | str) -> Schema:
    """`schema` after a round trip through PostgreSQL, in a throwaway database on `server`
    (given a live database's URL: the server the rules of throwaway.dev_server pick for it)."""
    if not (schema.tables or schema.enums or schema.extensions or schema.routines or schema.views
            or schema.sequences or schema.domains):
        return schema
    if isinstance(server, str):
        server = dev_server(None, server)
    with throwaway_database(server, schema.extensions.values()) as url, connect(url) as conn:
        return canonical_in(conn, url, schema)


def _itself(schema: Schema) -> Schema:
    return schema


def canonical_against(schema: Schema, live: Schema, server: Callable[[], DevServer],
                      then: Callable[[Schema], T] = _itself) -> T:  # type: ignore[assignment]
    """then(canonical(schema)), for comparing with `live`, built in PostgreSQL only where it must be.

    `live` was read from PostgreSQL, so it is spelled as PostgreSQL spells it: a table of
    `schema` that already equals its live counterpart (as diff compares them) is what the round
    trip would give, and diff finds nothing in it either way. Only the other tables are built on
    the throwaway database, with every enum and extension, and without their foreign keys: a
    foreign key holds names and keywords only, which PostgreSQL prints as the model holds them,
    so the model's own are put back (in the order introspection reads them, by name). Every view
    is built, with the tables it reads (its query compares as pg_get_viewdef prints it). Nothing
    is built when every table is equal and there is no view (and `server`, which picks the throwaway server, is then
    not even called). Tables and enums come in the order introspection reads them. `then` runs
    while the throwaway database is dropped (a DROP DATABASE waits for a checkpoint)."""
    differing = {k for k, t in schema.tables.items() if live.tables.get(k) != t}
    # a routine or trigger that differs is built with every table: a sql body reads tables when it
    # is created, and a trigger needs its own; else those of `schema` are already PostgreSQL's
    routines_differ = (any(live.routines.get(k) != r for k, r in schema.routines.items())
                       or any(live.triggers.get(k) != t for k, t in schema.triggers.items()))
    # a view's query is compared as pg_get_viewdef prints it: every view is built, with what it reads,
    # and with the routines (it may call one) and so every table
    with_routines = routines_differ or bool(schema.views and schema.routines)
    if with_routines:
        differing = set(schema.tables)
    elif schema.views:
        differing |= tables_under_views(schema)
    # a policy is made once what it reads and calls is there
    read_by_policies, policies_call = policy_reach(schema, differing)
    differing |= read_by_policies
    if policies_call and not with_routines:
        with_routines, differing = True, set(schema.tables)
    seqdom_differ = schema.sequences != live.sequences or schema.domains != live.domains
    if not differing and not routines_differ and not schema.views and not seqdom_differ:
        return then(replace(_in_catalog_order(schema.tables, schema.enums, schema.extensions, schema),
                            sequences=schema.sequences, domains=schema.domains))
    # sequences are built without owners: the owning table may not be built; an owner is names only
    part = replace(schema, tables={k: replace(t, foreign_keys=()) for k, t in schema.tables.items() if k in differing},
                   sequences={k: replace(q, owned_by=None) for k, q in schema.sequences.items()})
    if not with_routines:  # but the functions the tables and domains built call
        part = replace(part, routines=called_routines(part), triggers={})

    def merged(built: Schema) -> Schema:
        tables = {k: t for k, t in schema.tables.items() if k not in differing}
        for k in differing & built.tables.keys():
            tables[k] = replace(built.tables[k], foreign_keys=tuple(sorted(schema.tables[k].foreign_keys,
                                                                           key=lambda f: f.name)))
        sequences = {k: replace(q, owned_by=schema.sequences[k].owned_by) if k in schema.sequences else q
                     for k, q in built.sequences.items()}
        return replace(_in_catalog_order(tables, built.enums, built.extensions, built if routines_differ else schema,
                                         built.views), sequences=sequences, domains=built.domains)

    with ThreadPoolExecutor(1) as pool:
        with throwaway_database(server(), part.extensions.values()) as url, connect(url) as conn:
            built = canonical_in(conn, url, part)
            later = pool.submit(lambda: then(merged(built)))
        return later.result()


def _in_catalog_order(tables: dict[str, Table], enums: dict[str, Enum], extensions: dict[str, Extension],
                      routines_of: Schema, views: dict[str, View] | None = None) -> Schema:
    """A schema with its tables, enums and views ordered as introspect reads them (ORDER BY schema,
    name; PostgreSQL's `name` type sorts bytewise, as Python sorts str), the routines and triggers
    of `routines_of`, and its declared schemas (names only: nothing PostgreSQL spells its own way)."""
    views = views if views is not None else routines_of.views
    return Schema(tables={k: tables[k] for k in sorted(tables, key=lambda k: (tables[k].schema, tables[k].name))},
                  enums={k: enums[k] for k in sorted(enums, key=lambda k: (enums[k].schema, enums[k].name))},
                  extensions=extensions, routines=routines_of.routines, triggers=routines_of.triggers,
                  views={k: views[k] for k in sorted(views, key=lambda k: (views[k].schema, views[k].name))},
                  namespaces=routines_of.namespaces)


def tables_under_views(schema: Schema) -> set[str]:
    """The tables the views read, through other views too: built with them in a scratch database."""
    out: set[str] = set()
    for v in schema.views.values():
        relations = v.reading.relations if v.reading is not None else tuple(schema.tables)
        out |= {r for r in relations if r in schema.tables}
    return out


def canonical_in(conn: psycopg.Connection, url: str, schema: Schema) -> Schema:
    """`schema` built in the empty database `conn` is connected to, and read back.

    Extensions already installed there (throwaway.py installs one declared in public where the
    live database has it) are built on where they are, as the live database would be."""
    placed: dict[str, str] = dict(conn.execute(query("extensions")).fetchall())
    conn.rollback()
    extensions = {n: replace(x, schema=placed.get(n, x.schema)) for n, x in schema.extensions.items()}
    build(conn, url, replace(without_roles(schema), extensions=extensions))
    user = conn.execute("SELECT current_user").fetchone()[0]  # type: ignore[index]
    conn.rollback()
    return with_roles(introspect(conn), schema, user)


def build(conn: psycopg.Connection, url: str, schema: Schema) -> None:
    """Build `schema` in the empty database `conn` is connected to: build_sql's statements, in
    order, committed STATEMENTS_PER_TRANSACTION at a time. What a scratch build leaves does not
    depend on where its transactions end, and no other session looks at it before it is done;
    only its lock count does. BuildFailed names the statement PostgreSQL refused."""
    path = ", ".join(quote_ident(s) for s in migration_search_path(extension_schemas(schema.extensions.values())))
    for part in segments(build_sql(schema)):
        statements = part.statements or (part.sql,)
        if not part.transactional:
            for statement in statements:
                _run(conn, url, [statement], transaction=False, path=path)
            continue
        for start in range(0, len(statements), STATEMENTS_PER_TRANSACTION):
            _run(conn, url, list(statements[start:start + STATEMENTS_PER_TRANSACTION]), transaction=True,
                 path=path)


def _run(conn: psycopg.Connection, url: str, statements: list[str], transaction: bool, path: str) -> None:
    try:
        if transaction:
            with conn.transaction():
                _pin(conn, path)  # as the migration's transaction starts; a batch is not one of its statements
                conn.execute("\n\n".join(statements).encode())
        else:
            conn.execute(statements[0].encode())
    except psycopg.Error as e:
        if conn.broken or conn.closed:
            raise DatabaseError(describe(e, url)) from None
        if (full := lock_table_full(conn, e, url)) is not None:
            raise full from None
        raise BuildFailed(describe(e, url),
                          first_refused(conn, statements, path) if transaction else statements[0]) from None


def _pin(conn: psycopg.Connection, path: str) -> None:
    for name, value in (("search_path", path), *PINNED_SETTINGS):
        conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def first_refused(conn: psycopg.Connection, statements: Sequence[str], path: str | None = None) -> str | None:
    """The first of `statements` that fails, found by running them one at a time, rolled back."""
    found: str | None = None
    try:
        with conn.transaction():
            if path is not None:  # a scratch build's batch; a migration file's part sets its own
                _pin(conn, path)
            for statement in statements:
                try:
                    conn.execute(statement.encode())
                except psycopg.Error:
                    found = statement
                    raise
            raise psycopg.Rollback()
    except psycopg.Error:
        pass
    return found
