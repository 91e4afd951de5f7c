"""verify: the migrations proven on throwaway databases before they ship.

1. Every migration from scratch (with the executor `apply` uses); the catalog must equal a
   fresh one-step build of the definitions, column order included where it can match.
2. The newest migration's rollback; the catalog must equal the state before it. Then the newest
   again; the catalog must equal step 1's.
3. The newest migration and its rollback once more, on the state before it holding a few
   generated rows per table; both catalogs checked again.

The history runs in one throwaway database, because a DROP DATABASE waits for a checkpoint. The
fresh build of the definitions is what PostgreSQL makes of them (scratch.canonical_against): a
table the migrations left exactly as the definitions hold it is what building it would give, so
only the tables that differ are built, on a second throwaway database (none when the migrations
are right). The state before the newest migration is read on the way (after the earlier
migrations, before the newest): one introspection, no second build. The rows go in after a
second rollback to that state (step 2 proved the rollback reaches it): no replay.

Each migration runs as `apply` runs it, in its own transactions; a scratch build commits every
hundred statements (scratch.build), so verify needs no more of the server's lock table than the
largest transaction of a migration does (see README, "verify and the lock table").
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import psycopg

from ..definitions.read import read_definitions
from ..errors import DatabaseError, StateError
from ..model.domains import Domain
from ..model.schema import Schema, Table
from ..model.standalone_sequences import Sequence
from ..pipeline import CompileResult, compile_project
from ..plan.changes import Change
from ..plan.column_order import compare_column_order
from ..plan.diff import diff
from ..plan.refusals import destructive_reasons
from ..project import Project, sha256
from ..sql.migration_file import segments
from ..sql.state import MigrationRecord, load_state
from .database import connect
from .drift import in_words, with_declared
from .introspect import introspect, query
from .roles import grants_to_owners, grants_to_owners_message, missing_roles, missing_roles_message, roles_of
from .run_migration import LockTableFull, PartlyApplied, run_migration
from .sample_rows import ROWS, fill
from .scratch import BuildFailed, canonical, canonical_against, failure_text, first_refused
from .signals import signals_as_exceptions
from .throwaway import DevServer, dev_server, install_extensions, throwaway_database

_Renamable = TypeVar("_Renamable", Sequence, Domain)


class NotProven(Exception):
    """The proof failed; the message says where, with PostgreSQL's words or the differences."""


@dataclass(frozen=True, slots=True)
class Migration:
    record: MigrationRecord
    up: str
    down: str

    @property
    def name(self) -> str:
        return self.record.file.removeprefix("migrations/")

    @property
    def rollback_name(self) -> str:
        return self.record.rollback.removeprefix("migrations/")


def verify(project: Project, dev_url: str | None, database_url: str | None, report: Callable[[str], None] = print,
           ) -> None:
    """Prove the migrations as they are after compiling what is pending (nothing is written)."""
    result = compile_project(project, allow_destructive=True, diagrams=False)
    if result.changes:
        assert result.record is not None
        destructive = " with --allow-destructive" if destructive_reasons(result.changes) else ""
        report(f"proving the pending migration {result.record.file.removeprefix('migrations/')} "
               f"(not written; 'schemac compile{destructive}' writes it)")
        history, wanted = pending_history(project, result)
    else:
        history, wanted = recorded_history(project, result.state.migrations), read_definitions(project)
    if not history:
        report("Nothing to verify: no migrations and no pending changes.")
        return
    with signals_as_exceptions():
        prove(history, wanted, dev_server(dev_url, database_url), report, read_definitions(project))


def prove_compiled(project: Project, result: CompileResult, dev_url: str | None, database_url: str | None,
                   report: Callable[[str], None] = print) -> None:
    """Prove a compile's files before they are written (compile --verify)."""
    history, wanted = pending_history(project, result)
    with signals_as_exceptions():
        prove(history, wanted, dev_server(dev_url, database_url), report, read_definitions(project))


def recorded_history(project: Project, records: tuple[MigrationRecord, ...]) -> list[Migration]:
    """The migration files state.json records, read and checked against their checksums."""
    out = []
    for m in records:
        texts = []
        for rel, digest in ((m.file, m.sha256), (m.rollback, m.rollback_sha256)):
            path = project.generated / rel
            if not path.is_file():
                raise StateError(f"generated/{rel} is missing; verify proves the files state.json records")
            data = path.read_bytes()
            if sha256(data) != digest:
                raise StateError(f"generated/{rel} differs from what state.json records (checksum); "
                                 "verify proves the files state.json records")
            texts.append(data.decode())
        out.append(Migration(m, *texts))
    return out


def pending_history(project: Project, result: CompileResult) -> tuple[list[Migration], Schema]:
    """The recorded migrations and the one a compile made in memory; the schema it leads to."""
    assert result.record is not None
    new = result.record
    history = recorded_history(project, result.state.migrations)
    history.append(Migration(new, result.files[new.file].decode(), result.files[new.rollback].decode()))
    return history, load_state(result.files["state.json"]).schema


def prove(history: list[Migration], wanted: Schema, server: DevServer, report: Callable[[str], None],
          hints: Schema | None = None) -> None:
    """Run the three proofs; NotProven at the first failure, one reported line per step proven.
    `hints`: the definitions, whose `renamed_from` tell a rename from a drop and a create."""
    newest, earlier = history[-1], history[:-1]
    span = newest.name if not earlier else f"{earlier[0].name} to {newest.name}"
    extensions = list(wanted.extensions.values())
    with throwaway_database(server, extensions) as url, connect(url) as conn:
        missing = missing_roles(conn, roles_of(wanted))
        if missing:
            raise NotProven(missing_roles_message(missing, "the server verify proves on"))
        owned = grants_to_owners(conn, wanted)
        if owned:
            raise NotProven(grants_to_owners_message(owned))
        try:
            for m in earlier:
                _run(conn, url, m.name, m.up, "from scratch")
            previous, before = introspect(conn), _table_oids(conn)
            _run(conn, url, newest.name, newest.up, "from scratch")
        except NotProven:
            _definitions_build(wanted, server)  # the definitions' own failure is said first, as it is the cause
            raise
        applied = introspect(conn)
        created = {key for oid, key in _table_oids(conn).items() if oid not in before}
        reference = _fresh_build(wanted, applied, server)
        _same(applied, reference, f"after {span} from scratch, the database differs from the definitions")
        order = compare_column_order(applied, reference, created)
        if order.failures:
            raise NotProven(f"after {span} from scratch, the column order differs from the definitions:\n"
                            + "\n".join(f"  - {line}" for line in order.failures))
        report(f"proven: {span} {'apply' if earlier else 'applies'} from scratch and "
               f"{'give' if earlier else 'gives'} the definitions")
        for line in order.notes:
            report(f"  note: {line}")

        _run(conn, url, newest.rollback_name, newest.down, "after the migrations")
        for extension in install_extensions(url, server, extensions):
            # the throwaway has it before any migration, as the live database has; CREATE EXTENSION
            # IF NOT EXISTS did nothing there, yet the rollback drops it: put back, and said
            report(f"  note: {newest.rollback_name} drops extension {extension}, which the live database "
                   f"already has; on it, the rollback would drop it too")
        _same(introspect(conn), previous, f"after {newest.rollback_name}, the database differs from "
                                          f"the state before {newest.name}")
        report(f"proven: {newest.rollback_name} restores the state before {newest.name}")
        _run(conn, url, newest.name, newest.up, f"again after {newest.rollback_name}")
        _same(introspect(conn), applied, f"after {newest.name} ran again, the database differs from its first run")
        report(f"proven: {newest.name} applies again after its rollback")
        if not previous.tables:
            report(f"no rows to prove on: no table exists before {newest.name}")
            return
        # back to the state before the newest migration (proven equal to it above), then rows
        _run(conn, url, newest.rollback_name, newest.down, f"after {newest.name} ran again")
        install_extensions(url, server, extensions)
        filled = fill(conn, previous, coming=applied)
        on_rows = "on the state before it holding generated rows"
        _run(conn, url, newest.name, newest.up, on_rows)
        _same(introspect(conn), applied, f"after {newest.name} {on_rows}, the database differs from the definitions")
        # data a migration drops (compiled with --allow-destructive) cannot come back: its rollback
        # re-adds a NOT NULL column empty, which fails on any row. Proven on the empty copy above only.
        lost = lost_data(diff(previous, with_rename_hints(applied, hints or wanted)))
        if not lost:
            _run(conn, url, newest.rollback_name, newest.down, f"after {newest.name} {on_rows}")
            install_extensions(url, server, extensions)
            _same(introspect(conn), previous, f"after {newest.rollback_name} on rows, the database differs from "
                                              f"the state before {newest.name}")
    proven = newest.name if lost else f"{newest.name} and {newest.rollback_name}"
    report(f"proven on rows: {proven} with up to {ROWS} generated rows in each of {len(filled.rows)} table(s)")
    if lost:
        report(f"{newest.rollback_name} proven on an empty copy only: {newest.name} drops data "
               f"({', '.join(lost)}) that no rollback can bring back")
    for key, why in sorted(filled.empty.items()):
        report(f"  {key}: proven empty: {why}")


def _fresh_build(wanted: Schema, applied: Schema, server: DevServer) -> Schema:
    """The definitions as a fresh build on `server` holds them, for comparing with `applied`
    (built only where a table differs from it: see scratch.canonical_against). Extensions are
    where the throwaway database has them: those the live database has, where it has them."""
    try:
        reference: Schema = canonical_against(wanted, applied, lambda: server)
    except BuildFailed as e:
        raise NotProven(_refused_definitions(e)) from None
    placed = server.live.extension_schemas if server.live else {}
    return replace(reference, extensions={n: replace(x, schema=placed.get(n, x.schema))
                                          for n, x in wanted.extensions.items()})


def _definitions_build(wanted: Schema, server: DevServer) -> None:
    """NotProven when PostgreSQL refuses the definitions themselves, built fresh: what the offline
    rules let through (an index on a function that is not immutable) is the definitions not
    proven, exit 5, not a database failure; and it is the cause of a migration failing so."""
    try:
        canonical(wanted, server)
    except BuildFailed as e:
        raise NotProven(_refused_definitions(e)) from None


def _refused_definitions(e: BuildFailed) -> str:
    return failure_text("the definitions themselves", "when built fresh on PostgreSQL", str(e), e.statement)


def lost_data(changes: list[Change]) -> list[str]:
    """The data the destructive changes among `changes` lose, one phrase each."""
    return [c.lost_data for c in changes if c.destructive]


def with_rename_hints(schema: Schema, hints: Schema) -> Schema:
    """`schema` (read from a database, so without hints) with the `renamed_from` of `hints` on its
    tables and columns, sequences and domains: a table or column renamed keeps its rows, a sequence
    renamed or moved its position, a domain its values; none is data lost."""
    def keep(t: Table, h: Table) -> Table:
        was = {c.name: c.renamed_from for c in h.columns}
        return replace(t, renamed_from=h.renamed_from,
                       columns=tuple(replace(c, renamed_from=was.get(c.name)) for c in t.columns))
    hinted = with_declared(schema, hints, keep)
    return replace(hinted, sequences=_renamed_from(hinted.sequences, hints.sequences),
                   domains=_renamed_from(hinted.domains, hints.domains))


def _renamed_from(read: dict[str, _Renamable], hints: dict[str, _Renamable]) -> dict[str, _Renamable]:
    return {k: replace(x, renamed_from=h.renamed_from) if (h := hints.get(k)) is not None else x
            for k, x in read.items()}


def _table_oids(conn: psycopg.Connection) -> dict[int, str]:
    return dict(conn.execute(query("table_oids")).fetchall())


def _same(actual: Schema, expected: Schema, headline: str) -> None:
    if (actual.tables, actual.enums, actual.extensions, actual.routines, actual.triggers, actual.views,
            actual.sequences, actual.domains) == (expected.tables, expected.enums, expected.extensions,
                                                  expected.routines, expected.triggers, expected.views,
                                                  expected.sequences, expected.domains):
        return  # equal, so diff has nothing to find: its walk of every table is skipped
    changes = diff(actual, expected)
    if changes:
        raise NotProven(headline + ":\n" + "\n".join(f"  - {in_words(c)}" for c in changes))


def _run(conn: psycopg.Connection, url: str, name: str, text: str, context: str) -> None:
    """run_migration, with a failure turned into NotProven naming the file and the statement."""
    try:
        run_migration(conn, text, url)
    except DatabaseError as e:
        if conn.broken or conn.closed or isinstance(e, LockTableFull):
            raise  # the connection is lost, or the server's lock table full: exit 4, not a verdict on the SQL
        committed = e.committed if isinstance(e, PartlyApplied) else 0
        statement = _failing_statement(conn, text, committed)
        lines = [failure_text(name, context, str(e), statement)]
        if _NULLS_FOUND in str(e) and "generated rows" in context:
            lines.append("  a generated row holds NULL in that column, as rows of a real database may: "
                         "fill it (an UPDATE, in a migration before this one) before making it NOT NULL")
        raise NotProven("\n".join(lines)) from None


# PostgreSQL's words when SET NOT NULL (or ADD COLUMN ... NOT NULL) meets a row without a value
_NULLS_FOUND = "contains null values"
# A statement's comment naming its change: `-- AddColumn public.users.phone`.
_CHANGE_COMMENT = re.compile(r"^-- [A-Z][A-Za-z]+ ")


def _failing_statement(conn: psycopg.Connection, text: str, committed: int) -> str | None:
    """The statement (with the comment naming its change) that fails in the transaction that did,
    found by running that transaction's statements one at a time and rolling them back."""
    parts = segments(text)
    if committed >= len(parts):
        return None
    part = parts[committed]
    if not part.transactional:
        return part.sql.strip()
    return first_refused(conn, part.statements or _change_chunks(part.sql))  # marked files say where


def _change_chunks(sql: str) -> list[str]:
    """The SQL of a transaction cut before each comment naming a change."""
    chunks: list[list[str]] = [[]]
    for line in sql.splitlines():
        if _CHANGE_COMMENT.match(line) and any(x.strip() and not x.lstrip().startswith("--") for x in chunks[-1]):
            chunks.append([])
        chunks[-1].append(line)
    texts = ["\n".join(c).strip() for c in chunks]
    return [t for t in texts if any(x.strip() and not x.lstrip().startswith("--") for x in t.splitlines())]
