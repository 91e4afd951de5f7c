"""A schemac project on disk: where things live, how migrations are numbered, atomic writes."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def sha256(data: bytes) -> str:
    """The hex digest migrations and state are checked by."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Project:
    root: Path

    @property
    def generated(self) -> Path:
        return self.root / "generated"

    @property
    def migrations(self) -> Path:
        return self.generated / "migrations"

    @property
    def state_file(self) -> Path:
        return self.generated / "state.json"

    @property
    def journal(self) -> Path:
        """The migration files a compile is about to write; present only while it writes."""
        return self.generated / ".compile-journal.json"

    def read_state_bytes(self) -> bytes | None:
        try:
            return self.state_file.read_bytes()
        except FileNotFoundError:
            return None


# below generated/: the folders of migration files, PostgreSQL's and BigQuery's, that state.json records
MIGRATION_FOLDERS = ("migrations/", "warehouse/bigquery/migrations/")


def migration_file(version: int, name: str) -> str:
    """`migrations/001_name.sql`: three digits at least, growing past 999."""
    return f"migrations/{version:03d}_{name}.sql"


def rollback_file(version: int) -> str:
    return f"migrations/rollback_{version:03d}.sql"


def slug(text: str) -> str:
    """A file-name-safe form of a migration name."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:60].rstrip("_") or "migration"


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part.

    The file gets the mode it had, or a new file's mode under the user's umask (mkstemp alone
    would leave it readable by its owner only). `durable=False` leaves flushing to disk to the
    caller (one sync for a whole set of files).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_set(project: Project, files: dict[str, bytes], commit_file: str,
              more: Iterable[tuple[str, bytes]] = ()) -> None:
    """Write a set of generated files; `commit_file` (state.json) goes last and makes the set current.

    `more` are further files (path, bytes), written after `files` and before the commit point;
    they may be made as they are written, so that they need not all be held at once.

    The migration files go into a journal first, with their checksums, so that if the process
    dies before the commit point the next compile can tell exactly these files from anyone
    else's and remove them (history.inspect_history); the journal goes once the set is current.
    """
    listed = {rel: sha256(data) for rel, data in files.items() if rel.startswith(MIGRATION_FOLDERS)}
    write_atomically(project.journal, json.dumps({"files": listed}, indent=1, sort_keys=True).encode() + b"\n")
    _sync_folder(project.generated)  # the journal's name is on disk before any file it lists
    for rel, data in files.items():
        if rel != commit_file:
            write_atomically(project.generated / rel, data, durable=False)
    for rel, data in more:
        write_atomically(project.generated / rel, data, durable=False)
    # One flush for the whole set (a thousand diagram files would otherwise cost a thousand
    # fsyncs), and it happens before the commit point: state.json never names a file that
    # could be lost.
    os.sync()
    write_atomically(project.generated / commit_file, files[commit_file])
    _sync_folder(project.generated)
    project.journal.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the names in `folder` durable (a rename is only on disk once its folder is)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def one_writer(project: Project) -> Iterator[None]:
    """Hold the project for one writing command at a time; a second one waits for the first.

    Without it a second compile would take the first one's files, listed in its journal and not
    recorded yet, for the leftovers of a killed compile. The lock is on the project folder
    itself (no lock file to commit) and goes with the process, also when it is killed.
    """
    try:
        fd = os.open(project.root, os.O_RDONLY)
    except OSError:
        fd = None  # no such folder: the command reports that itself
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("waiting for another schemac command writing this project...", file=sys.stderr)
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)
