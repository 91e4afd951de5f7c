"""The compiled history on disk: what state.json records, what an interrupted compile left behind.

`compile` never deletes, renames or rewrites a migration or rollback file that exists. Before
it writes, this module sorts what is in generated/ into the recorded history (which must be
intact), leftovers of a compile that was killed before its commit point (removed, because the
journal proves schemac wrote them and nothing recorded them), and everything else (an error
that names the files and the way back).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import Cache, content_key
from ..model.schema import Schema
from ..project import MIGRATION_FOLDERS, Project, sha256
from .state import MigrationRecord, State, WarehouseRecord, dump_state, load_state

REBUILD = "schemac rebuild-state"
WRITTEN_FOLDERS = ("migrations", "chartdb", "chartdb/schemas", "warehouse", "warehouse/bigquery",
                   "warehouse/bigquery/migrations")  # below generated/, which is checked itself
# a temporary file of write_atomically: `.<name>.<8 random characters>.tmp` (tempfile.mkstemp)
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


@dataclass(frozen=True, slots=True)
class HistoryProblem:
    """Something in generated/ that compile must not work around; `path` is relative to the project."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: error: {self.message}"

    @property
    def stale(self) -> str:
        """The problem as one line of `compile --check`."""
        return f"{self.path} {self.message}"


class HistoryErrors(Exception):
    """Raised once, carrying every problem found; nothing was written."""

    def __init__(self, problems: list[HistoryProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in generated/")
        self.problems = problems


@dataclass
class History:
    """generated/ as compile finds it."""

    raw: bytes | None  # state.json
    migrations: tuple[MigrationRecord, ...]
    warehouse: tuple[WarehouseRecord, ...] = ()  # the BigQuery migrations state.json records
    problems: list[HistoryProblem] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # relative to generated/, safe to remove
    loaded: State | None = None

    @property
    def state(self) -> State:
        """The state state.json holds, read when first asked for (a cached check may never need it)."""
        if self.loaded is None:
            self.loaded = load_state(self.raw)
        return self.loaded

    @property
    def state_digest(self) -> str:
        return sha256(self.raw) if self.raw is not None else "none"


def canonical_state(project: Project, raw: bytes | None) -> tuple[State | None, State, bool]:
    """The state in `raw` (None when the cache vouches for the bytes and it was not needed), the
    migrations it records (a State whose schema is empty when the state was not read), and whether
    `raw` is exactly what schemac writes for that state.

    Telling a hand edit means serialising the state again; the cache remembers the digests of
    bytes found (or written) canonical, with their migrations, so that is done once per content.
    """
    if raw is None:
        state = load_state(raw)
        return state, state, True
    cache, key = Cache(project.root), content_key("state", sha256(raw))
    known = cache.get("state", key)
    if isinstance(known, dict):
        try:
            return None, State(Schema(), tuple(MigrationRecord(*m) for m in known["migrations"]),
                               tuple(WarehouseRecord(*w) for w in known["warehouse"])), True
        except (TypeError, KeyError):
            pass  # not what remember_state writes: computed again
    state = load_state(raw)
    canonical = raw == dump_state(state)
    if canonical:
        remember_state(project, raw, state)
    return state, state, canonical


def remember_state(project: Project, raw: bytes, state: State) -> None:
    """Note in the cache that `raw` is what schemac writes for `state`, with its migrations."""
    records = [[m.version, m.name, m.file, m.sha256, m.rollback, m.rollback_sha256] for m in state.migrations]
    warehouse = [[w.version, w.file, w.sha256] for w in state.warehouse_migrations]
    Cache(project.root).put("state", content_key("state", sha256(raw)), {"migrations": records,
                                                                          "warehouse": warehouse})


def links_outside(project: Project) -> list[HistoryProblem]:
    """Symbolic links in generated/ (the folder itself included) that lead out of the project.

    Links are looked at, never followed into: compile writes only inside the project.
    """
    root = project.root.resolve()
    problems = []
    candidates = [project.generated, *(Path(e.path) for e in _entries(project.generated) if e.is_symlink())]
    for path in candidates:
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            rel = path.relative_to(project.root).as_posix()
            problems.append(HistoryProblem(rel, f"is a symbolic link to {os.readlink(path)}, outside the project; "
                                                "schemac writes only inside the project and never follows it: "
                                                "replace the link with a real folder or file"))
    if not problems:  # a link inside the project may lead to one that does not stay there
        for folder in WRITTEN_FOLDERS:
            path = project.generated / folder
            if path.exists() and not path.resolve().is_relative_to(root):
                problems.append(HistoryProblem(path.relative_to(project.root).as_posix(), (
                    f"leads through symbolic links to {path.resolve()}, outside the project; schemac writes "
                    "only inside the project: replace the links with real folders")))
    return problems


def inspect_history(project: Project) -> History:
    """Sort generated/ into the recorded history, leftovers and problems; reads, never writes.

    Raises HistoryErrors at once for links that lead outside the project (nothing is read
    through them) and StateError for a state.json that cannot be read.
    """
    outside = links_outside(project)
    if outside:
        raise HistoryErrors(outside)
    raw = project.read_state_bytes()
    state, recorded_state, canonical = canonical_state(project, raw)
    migrations = recorded_state.migrations
    history = History(raw, migrations, recorded_state.warehouse_migrations, loaded=state)
    if not canonical:
        # Valid JSON that schemac would not have written: its schema may no longer be what the
        # migration files build, and compiling on top of it would write a wrong migration.
        history.problems.append(HistoryProblem(
            "generated/state.json", f"was edited by hand or by another schemac version; compile builds on it "
            f"only as schemac wrote it: restore it with 'git checkout generated/state.json', or rebuild it "
            f"from the migration files with '{REBUILD} --force'"))
    recorded: set[str] = set()
    files = [pair for m in migrations for pair in ((m.file, m.sha256), (m.rollback, m.rollback_sha256))]
    for rel, digest in files + [(w.file, w.sha256) for w in history.warehouse]:  # BigQuery's: recorded alike
        recorded.add(rel)
        path = project.generated / rel
        if not path.is_file():
            history.problems.append(HistoryProblem(
                f"generated/{rel}", f"is missing (state.json records it); restore it with "
                f"'git checkout generated/{rel}', or run '{REBUILD} --force' to rebuild "
                "the history from the migration files there are"))
        elif sha256(path.read_bytes()) != digest:
            history.problems.append(HistoryProblem(
                f"generated/{rel}", f"differs from what was compiled (checksum mismatch); compile never "
                f"rewrites a migration: restore it with 'git checkout generated/{rel}', or run "
                f"'{REBUILD} --force' to record the migration files as they are now"))
    journal = _read_journal(project, history)
    unrecorded = []
    for rel in _migration_files(project):
        if rel in recorded:
            continue
        if rel in journal and journal[rel] == sha256((project.generated / rel).read_bytes()):
            history.leftovers.append(rel)  # written by a compile killed before state.json named it
        else:
            unrecorded.append(rel)
    if unrecorded and raw is None:
        only_postgresql = all(rel.startswith(MIGRATION_FOLDERS[0]) for rel in unrecorded)
        names = ", ".join(rel.removeprefix(MIGRATION_FOLDERS[0]) if only_postgresql else rel for rel in unrecorded)
        history.problems.append(HistoryProblem(
            "generated/state.json", f"is missing, but generated/{MIGRATION_FOLDERS[0] if only_postgresql else ''} "
            f"holds {names}; restore it with "
            f"'git checkout generated/state.json', or rebuild it from the migrations with '{REBUILD}'"))
    else:
        history.problems += [HistoryProblem(
            f"generated/{rel}", "is not recorded in state.json; compile never deletes a migration file: "
            "restore generated/ with 'git checkout generated/', move the file away if it is yours, or run "
            f"'{REBUILD} --force' to record every migration file there is") for rel in unrecorded]
    history.leftovers += _temporary_files(project)
    if project.journal.is_file():
        history.leftovers.append(project.journal.name)
    return history


def read_history(project: Project) -> History:
    """The history compile builds on; HistoryErrors when it is not intact."""
    history = inspect_history(project)
    if history.problems:
        raise HistoryErrors(history.problems)
    return history


def remove_leftovers(project: Project, leftovers: list[str]) -> list[str]:
    """Remove what an interrupted compile left (its files, then its journal); the paths removed."""
    for rel in leftovers:
        (project.generated / rel).unlink(missing_ok=True)  # the journal is listed last
    return [f"generated/{rel}" for rel in leftovers]


def _migration_files(project: Project) -> list[str]:
    """Every .sql file in the folders of migrations (MIGRATION_FOLDERS), relative to generated/."""
    out: list[str] = []
    for folder in MIGRATION_FOLDERS:
        path = project.generated / folder
        if path.is_dir():
            out += sorted(f"{folder}{f.name}" for f in path.iterdir() if f.suffix == ".sql" and f.is_file())
    return out


def _temporary_files(project: Project) -> list[str]:
    """Temporary files of writes that were killed before their rename (write_atomically)."""
    return sorted(Path(e.path).relative_to(project.generated).as_posix() for e in _entries(project.generated)
                  if _TEMPORARY.fullmatch(e.name) and e.is_file(follow_symlinks=False))


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    """Everything below `folder`, not descending into linked folders below it (scandir: no stat per file)."""
    if not folder.is_dir():
        return
    with os.scandir(folder) as it:
        for entry in it:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                yield from _entries(Path(entry.path))


def _read_journal(project: Project, history: History) -> dict[str, str]:
    """The files the last compile was about to write, with their sha256; {} when it finished."""
    try:
        doc = json.loads(project.journal.read_bytes())
        files = doc["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise TypeError("'files' is not a mapping of paths to checksums")
        return files
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError) as e:
        history.problems.append(HistoryProblem(
            f"generated/{project.journal.name}", f"cannot be read ({type(e).__name__}: {e}); it lists the files "
            "an interrupted compile was writing: check generated/migrations/ with 'git status generated/', "
            "remove the files you do not want, then remove the journal"))
        return {}
