"""apply --baseline: adopt an existing database by recording migrations as applied without running them.

Only after the live catalog is shown to equal the schema those migrations produce, compared the
way drift compares: both sides as PostgreSQL itself spells them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..definitions.settings import Settings
from ..model.schema import Schema
from ..plan.diff import diff
from ..project import Project
from ..sql.state import MigrationRecord, State, load_state
from .apply import Files, Refused, check_version, file_problem, interruptible, read_files
from .database import connect
from .drift import differences
from .introspect import introspect
from .migrations_table import Applied, applied_rows, ensure_table, exclusive, recorder
from .run_migration import run_migration
from .scratch import BuildFailed, canonical, definitions_refused
from .throwaway import DevServer, dev_server, throwaway_database
from .unmanaged import managed_part


@dataclass(frozen=True, slots=True)
class Baseline:
    recorded: list[MigrationRecord]  # newly recorded as applied
    differences: list[str]  # the live catalog against the schema at the baseline; nothing recorded if any


def _conflicts(state: State, version: int, rows: dict[int, Applied], files: Files) -> list[str]:
    """Why recording migrations up to `version` would misstate the history."""
    known = {m.version: m for m in state.migrations}
    problems = [f"{m.file}: {why}" for m in state.migrations if m.version <= version
                for why in [file_problem(files[m.file], m.sha256)] if why]
    for v, row in sorted(rows.items()):
        m = known.get(v)
        if m is None:
            problems.append(f"version {v} ({row.name}) is applied but not in generated/")
        elif v > version:
            problems.append(f"version {v} ({row.name}) is already applied, after the baseline {version}")
        elif row.checksum != m.sha256:
            problems.append(f"version {v} ({row.name}) was applied from a file with another checksum")
    return problems


def schema_at(state: State, version: int, files: Files, server: DevServer) -> Schema:
    """The schema migrations 1..version produce, as PostgreSQL spells it (built on `server`)."""
    if version == max(m.version for m in state.migrations):
        try:
            return canonical(state.schema, server)
        except BuildFailed as e:
            raise definitions_refused(e, "the baseline compares the database with that build") from None
    with throwaway_database(server) as scratch_url, connect(scratch_url) as conn:
        for m in state.migrations:
            if m.version <= version:
                run_migration(conn, (files[m.file] or b"").decode(), scratch_url)
        return introspect(conn)


def baseline(project: Project, url: str, settings: Settings, version: int,
             report: Callable[[str], None] = print, dev_url: str | None = None) -> Baseline:
    """Record migrations up to `version` as applied, if the live catalog equals the schema they produce
    (built in a throwaway database on `dev_url`'s server, else as throwaway.dev_server picks)."""
    state = load_state(project.read_state_bytes())
    check_version(state, version, "", report)
    table = settings.migrations_table
    with interruptible(url, table), connect(url) as conn, exclusive(conn, settings.lock_timeout, report):
        files = read_files(project, state)
        rows = applied_rows(conn, table)
        problems = _conflicts(state, version, rows, files)
        if problems:
            raise Refused("\n".join(problems))
        todo = [m for m in state.migrations if m.version <= version and m.version not in rows]
        if not todo:
            return Baseline([], [])
        live = managed_part(conn, introspect(conn, table))
        changes = diff(live, schema_at(state, version, files, dev_server(dev_url, url)))
        if changes:
            return Baseline([], differences(changes, live))
        ensure_table(conn, table)
        with conn.transaction():
            for m in todo:
                recorder(table, m.version, m.name, m.sha256)(conn)
        return Baseline(todo, [])
