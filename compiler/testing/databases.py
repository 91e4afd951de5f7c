"""Migrated test databases on a server: made once, copied by template, always dropped.

Names start with throwaway.PREFIX and the creator holds throwaway.lock_key(name) for as long as
the database lives, so a run killed outright (SIGKILL, no teardown) leaves nothing for long: the
next schemac command or test session that makes a throwaway database drops it.
"""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ..definitions.settings import load_settings
from ..errors import DatabaseError
from ..live.apply import apply
from ..live.database import describe
from ..live.seed import load_seeds
from ..live.throwaway import PREFIX, drop_leftovers, lock_key
from ..pipeline import SEEDS_FILE, seeds_problem
from ..project import Project

URL_VARIABLES = ("TEST_DATABASE_URL", "DATABASE_URL")


def server_url() -> str:
    """$TEST_DATABASE_URL, else $DATABASE_URL: a database on the server the tests' databases go to."""
    for variable in URL_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    raise DatabaseError("no server for test databases: set TEST_DATABASE_URL (or DATABASE_URL)")


def database_name(url: str) -> str:
    """The name of the database at `url`."""
    return str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])


class TestServer:
    """Databases made on one server and dropped by `drop` or `close`. One maintenance connection
    holds each one's advisory lock until `close`."""

    __test__ = False  # not a test class, whatever pytest collects

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise DatabaseError(f"cannot connect to the test server: {describe(e, url)}") from None
        self._names: list[str] = []  # made and not dropped yet
        self._dropping: list[threading.Thread] = []
        self._failed: list[str] = []  # why a drop failed, per database
        drop_leftovers(self._conn)

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of database `template` when given, else empty); its URL."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        name = f"{PREFIX}pytest_{worker + '_' if worker else ''}{uuid.uuid4().hex[:10]}"
        self._conn.execute("SELECT pg_advisory_lock(%s, %s)", lock_key(name))
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template or "template0"))
        try:
            self._conn.execute(statement)
        except psycopg.Error as e:
            self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock_key(name))
            raise DatabaseError(f"cannot create test database {name}: {describe(e, self.url)}") from None
        self._names.append(name)
        return make_conninfo(self.url, dbname=name)

    def seal(self, url: str) -> None:
        """Let no one connect to the database at `url` again: it is the template of copies, and
        PostgreSQL copies a database only while no other session is connected to it."""
        name = database_name(url)
        self._conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)))

    def drop(self, url: str) -> None:
        """Drop the database at `url` (one this server made), ending its connections. In the
        background: DROP DATABASE waits for a checkpoint, and drops that wait together share one.
        `close` waits for every drop, and raises if one failed."""
        name = database_name(url)
        self._names.remove(name)
        thread = threading.Thread(target=self._drop, args=(name,), name=f"drop {name}")
        thread.start()
        self._dropping.append(thread)

    def _drop(self, name: str) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        except psycopg.Error as e:
            self._failed.append(f"{name}: {describe(e, self.url)}")

    def close(self) -> None:
        """Drop every database still here, all at once and each on its own (one that cannot be
        dropped keeps no other), wait for the drops, and disconnect; then raise if one failed."""
        try:
            for name in list(self._names):
                self.drop(make_conninfo(self.url, dbname=name))
            for thread in self._dropping:
                thread.join()
        finally:
            self._conn.close()  # releases the locks: a database left, the next session drops if it can
        if self._failed:
            raise DatabaseError("cannot drop test database " + "; ".join(self._failed))


def migrate(url: str, root: Path) -> int:
    """Apply every migration of the project at `root` to the database at `url`; how many."""
    project = Project(root)
    return len(apply(project, url, load_settings(root), report=lambda _line: None))


def seed(url: str, root: Path) -> None:
    """Load generated/seeds.sql of the project at `root` in one transaction, as `schemac seed`
    does: refused when it is missing or not what compile makes of seeds/."""
    project = Project(root)
    problem = seeds_problem(project)
    if problem:
        raise DatabaseError(f"schemac_seed is true, and {problem}")
    load_seeds(url, (project.generated / SEEDS_FILE).read_text(encoding="utf-8"))  # a failure names the seed row
