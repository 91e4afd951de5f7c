"""A content-addressed cache of facts about a project's files, in `.schemac-cache/` (git-ignored).

Every fact is a pure function of file contents and of the schemac that computed it, and is
stored under a key made of their digests, so a fact is never stale: when a definitions file,
state.json or schemac itself changes, the key changes and the fact is simply not found. What is
cached (JSON, never code or pickles):

- `state/<sha256 of state.json>`: these exact bytes are what schemac writes for the state they
  hold (compile wrote them, or `compile --check` loaded and re-serialised them once).
- `diagrams/<definitions key>`: the sha256 of every diagram file the definitions give.
- `in-step/<definitions key>.<sha256 of state.json>`: the definitions have no change that
  state.json does not hold, PostgreSQL's or the warehouse's (a `compile --check` found none).

The schemac part of each key is its version, the versions of the libraries whose output it
depends on, and the size and modification time of each of its own source files, so a cache
copied from another machine or checkout, or left by an edited schemac, is never used. A missing,
unreadable or damaged cache is no error: the fact is computed again. Writing is best effort.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

import orjson

FOLDER = ".schemac-cache"
KEEP = 8  # entries of each kind kept; older ones are removed when one is added


@cache
def code_key() -> str:
    """Digest of this schemac installation: its sources (size, mtime), Python and its libraries."""
    import sqlglot
    import yaml

    package = Path(__file__).resolve().parent
    libraries = "|".join(str(getattr(module, "__version__", "")) for module in (yaml, sqlglot, orjson))
    h = hashlib.sha256(f"{sys.version}|{libraries}".encode())
    for folder, dirs, files in sorted(os.walk(package)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py") or name.endswith(".sql"):
                st = os.stat(os.path.join(folder, name))
                h.update(f"|{folder}/{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
    return h.hexdigest()


def content_key(*parts: str) -> str:
    """A key for a fact about contents named by `parts` (their digests), computed by this schemac."""
    return hashlib.sha256("|".join((code_key(), *parts)).encode()).hexdigest()


def definitions_key(sources: list[tuple[str, bytes]]) -> str:
    """One key for a set of definitions files (path as shown, contents) and this schemac."""
    h = hashlib.sha256(code_key().encode())
    for path, data in sources:
        h.update(f"|{path}|{len(data)}|".encode())
        h.update(data)
    return h.hexdigest()


class Cache:
    """The cache of one project; `Cache(None)` caches nothing."""

    def __init__(self, root: Path | None) -> None:
        self.folder = root / FOLDER if root is not None else None

    def get(self, kind: str, key: str) -> object | None:
        """The fact stored under kind/key; None when there is none or it cannot be read."""
        if self.folder is None:
            return None
        try:
            fact: object = orjson.loads((self.folder / kind / key).read_bytes())
        except (OSError, ValueError):
            return None
        return fact

    def put(self, kind: str, key: str, value: object) -> None:
        """Store a fact (best effort: a read-only or full disk only means no cache)."""
        if self.folder is None:
            return
        try:
            folder = self.folder / kind
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                ignore = self.folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# schemac's cache: facts about the files here, recomputed when missing\n*\n")
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(orjson.dumps(value))
            os.replace(tmp, folder / key)
            self._prune(folder)
        except OSError:
            return

    def _prune(self, folder: Path) -> None:
        entries = []
        for entry in os.scandir(folder):
            try:
                entries.append((entry.stat().st_mtime_ns, entry.path))
            except OSError:
                continue
        for _, path in sorted(entries, reverse=True)[KEEP:]:
            try:
                os.unlink(path)
            except OSError:
                pass
