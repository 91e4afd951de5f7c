"""apply, rollback and status: compiled migrations against a live database, tracked in the migrations table."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from ..definitions.settings import Settings, TableName
from ..errors import DatabaseError
from ..project import Project, sha256
from ..sql.migration_file import Segment, segments
from ..sql.state import MigrationRecord, State, load_state
from .database import connect
from .migrations_table import Applied, applied_rows, current_version, ensure_table, exclusive, recorder, unrecorder
from .roles import grants_to_owners, grants_to_owners_message, missing_roles, missing_roles_message, roles_of
from .run_migration import PartlyApplied, TailFailed, finish_tail, run_migration, split_tail, undone

Files = dict[str, bytes | None]  # path under generated/ -> its bytes, None when missing


class Refused(Exception):
    """Nothing was run: applied files were changed, or the database knows migrations we do not."""


def at_migration(version: int | None) -> str:
    """Where the database stands, in words (None: it could not be read)."""
    return ("the database's migration could not be read" if version is None
            else f"the database is at migration {version}")


class Interrupted(Exception):
    """Ctrl-C: the running migration was rolled back; `version` is where the database stands (None: unknown)."""

    def __init__(self, version: int | None) -> None:
        super().__init__(f"interrupted; {at_migration(version)}")
        self.version = version


@dataclass
class Status:
    applied: list[tuple[MigrationRecord, Applied]] = field(default_factory=list)
    pending: list[MigrationRecord] = field(default_factory=list)
    tampered: list[tuple[MigrationRecord, str]] = field(default_factory=list)  # the migration file, why
    unknown: list[Applied] = field(default_factory=list)  # applied in the database, not in generated/
    rollbacks: list[tuple[MigrationRecord, str]] = field(default_factory=list)  # rollback file missing or edited
    unfinished: list[tuple[str, int]] = field(default_factory=list)  # file, statements after its transaction undone

    @property
    def clean(self) -> bool:
        # every problem but pending and unfinished is the history having been changed behind schemac's back
        return not (self.pending or self.tampered or self.unknown or self.rollbacks or self.unfinished)


def read_files(project: Project, state: State) -> Files:
    """Every migration and rollback file state.json records, read once: what is checked is what runs."""
    files: Files = {}
    for m in state.migrations:
        for rel in (m.file, m.rollback):
            path = project.generated / rel
            files[rel] = path.read_bytes() if path.is_file() else None
    return files


def file_problem(data: bytes | None, recorded: str) -> str | None:
    """What is wrong with a recorded file's bytes, or None when they are what was compiled."""
    if data is None:
        return "file is missing"
    return None if sha256(data) == recorded else "file differs from what was compiled"


def compare(state: State, applied: dict[int, Applied], files: Files) -> Status:
    """Where each migration stands: applied, pending, tampered, or applied but unknown here."""
    status = Status()
    known = {m.version for m in state.migrations}
    for m in state.migrations:
        row = applied.get(m.version)
        data = files[m.file]
        if row is None:
            why = file_problem(data, m.sha256)
            if why:
                status.tampered.append((m, why))
            else:
                status.pending.append(m)
        elif data is None or sha256(data) != row.checksum:
            status.tampered.append((m, "file changed since it was applied" if data is not None else "file is missing"))
        else:
            status.applied.append((m, row))
        why = file_problem(files[m.rollback], m.rollback_sha256)
        if why:
            status.rollbacks.append((m, why))
    status.unknown = [row for v, row in sorted(applied.items()) if v not in known]
    return status


def read_status(project: Project, url: str, settings: Settings) -> Status:
    state = load_state(project.read_state_bytes())
    with connect(url) as conn:
        rows, files = applied_rows(conn, settings.migrations_table), read_files(project, state)
        status = compare(state, rows, files)
        status.unfinished = unfinished_at(conn, state, rows, files)
        return status


def unfinished_at(conn: psycopg.Connection, state: State, rows: dict[int, Applied],
                  files: Files) -> list[tuple[str, int]]:
    """Each file whose part after its transaction the catalog says is not all done, with how many
    of its statements are not (what `status` lists as unfinished)."""
    return [(rel, n) for rel, tail in _tails_at(state, rows, files) if (n := undone(conn, tail))]


def unfinished_in(project: Project, url: str, settings: Settings, state: State) -> list[tuple[str, int]]:
    """unfinished_at for the database at `url`."""
    with connect(url) as conn:
        rows = applied_rows(conn, settings.migrations_table)
        return unfinished_at(conn, state, rows, read_files(project, state)) if rows else []


def _refuse_if_unsafe(status: Status) -> None:
    problems = [f"{m.file}: {why}" for m, why in status.tampered]
    problems += [f"version {row.version} ({row.name}) is applied but not in generated/" for row in status.unknown]
    if problems:
        raise Refused("\n".join(problems))


@contextmanager
def interruptible(url: str, table: TableName) -> Iterator[None]:
    """Ctrl-C becomes Interrupted, with the version read once the connection (and its transaction) is gone."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(current_version(url, table)) from None


def _run(conn: psycopg.Connection, url: str, table: TableName, rel: str, data: bytes,
         finish: Callable[[psycopg.Connection], None], retry: str = "schemac apply") -> None:
    """Run one file's bytes; a failure says what happened to its transaction."""
    try:
        run_migration(conn, data.decode(), url, finish=finish)
    except TailFailed as e:
        raise DatabaseError(
            f"{rel} is committed and recorded, but a statement after its transaction (a validation or "
            f"a concurrent index change) failed: {e}\n{_left(e)}{at_migration(current_version(url, table))}; "
            f"fix the cause (the rows the constraint or unique index refuses, or the lock it waited "
            f"for) and run '{retry}': it finishes what is left before anything else"
        ) from None
    except PartlyApplied as e:
        raise DatabaseError(
            f"{rel} failed; the failing transaction was rolled back, but its first {e.committed} "
            f"part(s) (new enum values, committed on their own) stay; running apply again is "
            f"safe: {e}") from None
    except DatabaseError as e:
        if conn.broken:  # the server went away: whether a COMMIT got through is read back, not guessed
            where = at_migration(current_version(url, table))
            raise DatabaseError(f"{rel} failed, the connection was lost: {e}\n{where}") from None
        raise DatabaseError(f"{rel} failed and was rolled back: {e}") from None


def _left(e: TailFailed) -> str:
    """How many statements after the transaction remain, as a line of its own (when known)."""
    return "" if e.left is None else f"{e.left} statement(s) after its transaction remain; "


def _tails_at(state: State, applied: dict[int, Applied], files: Files,
              newest: bool = True) -> Iterator[tuple[str, list[Segment]]]:
    """The parts after the transaction (validations, concurrent index changes) that a failure may
    have left undone at the version the database stands at: of the newest applied migration
    (unless `newest` is False: a rollback undoes it instead), and of the rollback of the one after
    it. Tails run after the row is written (or removed) and apply stops at a failure, so these two
    are the only ones that can be unfinished. Files that are missing or edited give none: they are
    reported elsewhere, and unverified SQL never runs."""
    version = max(applied, default=0)
    candidates = [(m.file, m.sha256) for m in state.migrations if m.version == version and newest]
    after = min((m.version for m in state.migrations if m.version > version), default=None)  # numbers may skip
    candidates += [(m.rollback, m.rollback_sha256) for m in state.migrations if m.version == after]
    for rel, checksum in candidates:
        data = files.get(rel)
        if data is None or file_problem(data, checksum) is not None:
            continue
        _, tail = split_tail(segments(data.decode()))
        if any(d is not None for part in tail for d in part.done_when):  # a file without marks says nothing
            yield rel, tail


def finish_leftovers(conn: psycopg.Connection, url: str, state: State, applied: dict[int, Applied],
                     files: Files, report: Callable[[str], None], newest: bool = True) -> None:
    """Finish what a failure left undone at the version the database stands at (`_tails_at`);
    each statement is skipped when the catalog says it is done."""
    for rel, tail in _tails_at(state, applied, files, newest):
        try:
            ran = finish_tail(conn, tail, url)
        except TailFailed as e:
            raise DatabaseError(f"{rel}: what was left after its transaction still fails: {e}\n"
                                f"{_left(e)}{at_migration(max(applied, default=0))}; fix the cause and run "
                                f"'schemac apply' again") from None
        if ran:
            report(f"finished {ran} statement(s) left undone by {rel}")


def check_version(state: State, version: int, zero: str, report: Callable[[str], None] = print) -> None:
    """Refused when `version` (of --to or --baseline) names no migration: a typo must not read as
    'nothing to do'. `zero` says what 0 means where it is allowed, else is empty. A BigQuery-only
    migration's number is a place in the history like any other: said so, and taken."""
    versions = [m.version for m in state.migrations]
    if version in versions or (zero and version == 0):
        return
    if any(w.version == version for w in state.warehouse_migrations):
        report(f"note: migration {version} is a BigQuery-only migration (nothing in it for PostgreSQL); "
               f"taking the PostgreSQL migrations up to it")
        return
    newest = f"the newest is {max(versions)}" if versions else "there are none"
    raise Refused(f"there is no migration {version} in generated/state.json ({newest}{'; ' + zero if zero else ''})")


def apply(project: Project, url: str, settings: Settings, to: int | None = None, dry_run: bool = False,
          report: Callable[[str], None] = print) -> list[MigrationRecord]:
    """Apply pending migrations in order, each in one transaction with its row in the migrations table."""
    state = load_state(project.read_state_bytes())
    if to is not None:
        check_version(state, to, "", report)
    table = settings.migrations_table
    with interruptible(url, table), connect(url) as conn:
        if dry_run:
            files = read_files(project, state)
            status = compare(state, applied_rows(conn, table), files)
            _refuse_if_unsafe(status)
            todo = [m for m in status.pending if to is None or m.version <= to]
            for m in todo:
                _show(m, files[m.file] or b"", report)
            return todo
        with exclusive(conn, settings.lock_timeout, report):
            ensure_table(conn, table)  # under the lock: CREATE TABLE is not safe against a concurrent twin
            files = read_files(project, state)
            rows = applied_rows(conn, table)
            status = compare(state, rows, files)  # read again under the lock
            _refuse_if_unsafe(status)
            finish_leftovers(conn, url, state, rows, files, report)
            todo = [m for m in status.pending if to is None or m.version <= to]
            if todo and (missing := missing_roles(conn, roles_of(state.schema))):
                raise DatabaseError(missing_roles_message(missing, "the database's server") + "; nothing applied")
            if todo and (owned := grants_to_owners(conn, state.schema)):
                raise DatabaseError(grants_to_owners_message(owned) + "; nothing applied")
            for m in todo:
                data = files[m.file]
                assert data is not None  # pending means present with the compiled checksum
                report(f"applying {m.file}")
                _run(conn, url, table, m.file, data, recorder(table, m.version, m.name, sha256(data)))
            return todo


def _show(m: MigrationRecord, data: bytes, report: Callable[[str], None]) -> None:
    text = data.decode()
    report(f"-- would apply {m.file}")
    report(text)
    if any(not s.transactional for s in segments(text)):
        report("-- note: the statements above outside BEGIN/COMMIT run without a transaction")


def rollback(project: Project, url: str, settings: Settings, steps: int | None = None, to: int | None = None,
             report: Callable[[str], None] = print) -> list[MigrationRecord]:
    """Run rollback files newest first, each in one transaction with the removal of its row.

    Every rollback file it needs is checked before the first one runs.
    """
    state = load_state(project.read_state_bytes())
    if to is not None:
        check_version(state, to, "--to 0 rolls back every migration", report)
    table = settings.migrations_table
    with interruptible(url, table), connect(url) as conn, exclusive(conn, settings.lock_timeout, report):
        files = read_files(project, state)
        rows = applied_rows(conn, table)
        status = compare(state, rows, files)
        _refuse_if_unsafe(status)
        applied = sorted((m for m, _ in status.applied), key=lambda m: m.version, reverse=True)
        todo = [m for m in applied if m.version > to] if to is not None else applied[: 1 if steps is None else steps]
        problems = [f"{m.rollback}: {why}" for m, why in status.rollbacks if m in todo]
        if problems:
            raise Refused("\n".join(problems))
        finish_leftovers(conn, url, state, rows, files, report, newest=False)
        for m in todo:
            data = files[m.rollback]
            assert data is not None  # checked above
            report(f"rolling back {m.file} with {m.rollback}")
            # the migration before it (numbers of BigQuery-only migrations are skipped: no such PostgreSQL one)
            before = max((x.version for x in state.migrations if x.version < m.version), default=0)
            _run(conn, url, table, m.rollback, data, unrecorder(table, m.version),
                 f"schemac apply --to {before}" if before else "schemac rollback")
        return todo
