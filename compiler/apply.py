"""apply, rollback and status: compiled migrations against a live database, tracked in schema_migrations."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from .database import DatabaseError, connect
from .migration_file import PartlyApplied, run_migration, segments
from .project import Project
from .state import MigrationRecord, State, load_state, sha256

LOCK_KEY = 0x73636865_6D6163  # "schemac": one advisory lock per database for apply and rollback
CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
)"""


class Refused(Exception):
    """Nothing was run: applied files were changed, or the database knows migrations we do not."""


@dataclass(frozen=True, slots=True)
class Applied:
    version: int
    name: str
    checksum: str
    applied_at: datetime


@dataclass
class Status:
    applied: list[tuple[MigrationRecord, Applied]] = field(default_factory=list)
    pending: list[MigrationRecord] = field(default_factory=list)
    tampered: list[tuple[MigrationRecord, Applied, str]] = field(default_factory=list)  # why
    missing: list[Applied] = field(default_factory=list)  # applied, not in generated/

    @property
    def clean(self) -> bool:
        return not (self.pending or self.tampered or self.missing)


def _applied_rows(conn: psycopg.Connection) -> dict[int, Applied]:
    exists = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute("SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY version")
    return {r[0]: Applied(*r) for r in rows.fetchall()}


def _file_checksum(project: Project, rel: str) -> str | None:
    path = project.generated / rel
    return sha256(path.read_bytes()) if path.is_file() else None


def compare(project: Project, state: State, applied: dict[int, Applied]) -> Status:
    """Where each migration stands: applied, pending, tampered, or applied but missing here."""
    status = Status()
    known = {m.version: m for m in state.migrations}
    for m in state.migrations:
        row = applied.get(m.version)
        local = _file_checksum(project, m.file)
        if row is None:
            if local != m.sha256:
                status.tampered.append((m, Applied(m.version, m.name, m.sha256, datetime.min),
                                        "file differs from what was compiled" if local else "file is missing"))
            else:
                status.pending.append(m)
        elif row.checksum != local:
            status.tampered.append((m, row, "file changed since it was applied" if local else "file is missing"))
        else:
            status.applied.append((m, row))
    status.missing = [row for v, row in sorted(applied.items()) if v not in known]
    return status


def read_status(project: Project, url: str) -> Status:
    state = load_state(project.read_state_bytes())
    with connect(url) as conn:
        return compare(project, state, _applied_rows(conn))


def _refuse_if_unsafe(status: Status) -> None:
    problems = [f"{m.file}: {why}" for m, _, why in status.tampered]
    problems += [f"version {row.version} ({row.name}) is applied but not in generated/" for row in status.missing]
    if problems:
        raise Refused("\n".join(problems))


def apply(project: Project, url: str, to: int | None = None, dry_run: bool = False,
          report=print) -> list[MigrationRecord]:
    """Apply pending migrations in order, each in one transaction with its schema_migrations row."""
    state = load_state(project.read_state_bytes())
    with connect(url) as conn:
        if not dry_run:
            # lock first: CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            conn.execute(CREATE_TABLE)
        try:
            status = compare(project, state, _applied_rows(conn))  # read again under the lock
            _refuse_if_unsafe(status)
            todo = [m for m in status.pending if to is None or m.version <= to]
            for m in todo:
                text = (project.generated / m.file).read_text()
                if dry_run:
                    report(f"-- would apply {m.file}")
                    report(text)
                    for s in segments(text):
                        if not s.transactional:
                            report("-- note: the statements above outside BEGIN/COMMIT run without a transaction")
                    continue
                report(f"applying {m.file}")

                def record(c: psycopg.Connection, m: MigrationRecord = m) -> None:
                    c.execute("INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                              (m.version, m.name, m.sha256))

                try:
                    run_migration(conn, text, url, finish=record)
                except PartlyApplied as e:
                    raise DatabaseError(
                        f"{m.file} failed; the failing transaction was rolled back, but its first {e.committed} "
                        f"part(s) (new enum values, committed on their own) stay; running apply again is "
                        f"safe: {e}") from None
                except DatabaseError as e:
                    raise DatabaseError(f"{m.file} failed and was rolled back: {e}") from None
            return todo
        finally:
            if not dry_run:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def rollback(project: Project, url: str, steps: int | None = None, to: int | None = None,
             report=print) -> list[MigrationRecord]:
    """Run rollback files newest first, each in one transaction with the removal of its row."""
    state = load_state(project.read_state_bytes())
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute(CREATE_TABLE)
            status = compare(project, state, _applied_rows(conn))
            _refuse_if_unsafe(status)
            applied = sorted((m for m, _ in status.applied), key=lambda m: m.version, reverse=True)
            if to is not None:
                todo = [m for m in applied if m.version > to]
            else:
                todo = applied[: 1 if steps is None else steps]
            for m in todo:
                report(f"rolling back {m.file} with {m.rollback}")
                path = project.generated / m.rollback
                if _file_checksum(project, m.rollback) != m.rollback_sha256:
                    raise Refused(f"{m.rollback} differs from what was compiled")

                def unrecord(c: psycopg.Connection, m: MigrationRecord = m) -> None:
                    c.execute("DELETE FROM public.schema_migrations WHERE version = %s", (m.version,))

                try:
                    run_migration(conn, path.read_text(), url, finish=unrecord)
                except DatabaseError as e:
                    raise DatabaseError(f"{m.rollback} failed and was rolled back: {e}") from None
            return todo
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
