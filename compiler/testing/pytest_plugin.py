"""The `schemac` pytest plugin (entry point `pytest11`): a project's migrated database for its tests.

Opt-in: it adds ini options and fixtures, all named `schemac_...`, and no hook that runs on its
own; a session that requests none of the fixtures never connects to a database.

- `schemac_project`: the project folder, from the `schemac_project` ini option (relative to the
  rootdir), else $SCHEMAC_PROJECT, else the rootdir.
- `schemac_server_url` (session): a database on the server where the test databases are made:
  $TEST_DATABASE_URL, else $DATABASE_URL. A conftest.py that picks its server otherwise overrides it.
- `schemac_template_database` (session): the name of a database with every migration applied, and
  generated/seeds.sql loaded (as `schemac seed` loads it) when the `schemac_seed` ini option is
  true. No one may connect to it: it is only copied, and PostgreSQL copies a database only while
  no other session is connected to it.
- `schemac_database_url` (session): a copy of it for the session's tests; its URL. Under
  pytest-xdist each worker has its own.
- `schemac_connection`: a psycopg connection to it, inside a transaction rolled back after the
  test, so no test sees another's writes (a test that commits defeats this).
- `schemac_module_database_url` (module): another copy (CREATE DATABASE ... TEMPLATE, no migration
  run again), for tests that must commit or need a database to themselves; what the session's
  tests committed is not in it.

Every database is dropped, failed tests or not: a module's copy after the module, the others at
the end of the session, where the session waits for every drop (concurrent drops share the
checkpoint each waits for: TestServer.drop).
"""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import pytest

# pytest imports this module in every session where schemac is installed: the compiler and the
# driver are imported by the fixtures that need them, so a project that uses none pays nothing.
if TYPE_CHECKING:
    import psycopg

    from .databases import TestServer

PROJECT_VARIABLE = "SCHEMAC_PROJECT"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("schemac_project", "schemac: the project folder (definitions/, generated/), relative to "
                  "the rootdir; default $SCHEMAC_PROJECT, else the rootdir")
    parser.addini("schemac_seed", "schemac: load generated/seeds.sql into the test database", type="bool",
                  default=False)


@pytest.fixture(scope="session")
def schemac_project(pytestconfig: pytest.Config) -> Path:
    """The folder of the project whose migrations the test database gets."""
    given = pytestconfig.getini("schemac_project") or os.environ.get(PROJECT_VARIABLE)
    root = (pytestconfig.rootpath / given) if given else pytestconfig.rootpath
    if not (root / "generated" / "state.json").is_file():
        raise pytest.UsageError(f"schemac: {root} has no generated/state.json; set the schemac_project ini "
                                f"option or ${PROJECT_VARIABLE} to the project folder, and run 'schemac compile'")
    return root


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # pytest tears fixtures down on KeyboardInterrupt


@contextmanager
def _told_plainly() -> Iterator[None]:
    """A failure of the plugin's own (no server URL, a server that does not answer, a migration that
    fails) as pytest's error with schemac's message alone: the plugin's internals are no part of it."""
    from ..errors import DatabaseError, StateError

    try:
        yield
    except (DatabaseError, StateError) as e:
        pytest.fail(f"schemac: {e}", pytrace=False)


@pytest.fixture(scope="session")
def schemac_server_url() -> str:
    """A database on the server where the session's databases are made."""
    from .databases import server_url

    with _told_plainly():
        return server_url()
    raise AssertionError("unreachable: pytest.fail raises")


@pytest.fixture(scope="session")
def schemac_test_server(schemac_server_url: str) -> Iterator[TestServer]:
    """Where the session's databases are made; every one left is dropped when the session ends.
    While it lives, SIGTERM (if nothing else handles it) ends the session as Ctrl-C does, so the
    databases are dropped then too."""
    from .databases import TestServer

    with _told_plainly():
        server = TestServer(schemac_server_url)
    takes_sigterm = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    try:
        if takes_sigterm:
            signal.signal(signal.SIGTERM, _terminate)
        yield server
    finally:
        try:
            server.close()
        finally:
            if takes_sigterm:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="session")
def schemac_template_database(pytestconfig: pytest.Config, schemac_project: Path,
                              schemac_test_server: TestServer) -> str:
    """The name of a database with every migration of the project applied (and its seeds, when
    asked), sealed against connections: the template of the others."""
    from .databases import database_name, migrate, seed

    with _told_plainly():
        url = schemac_test_server.create()
        migrate(url, schemac_project)
        if pytestconfig.getini("schemac_seed"):
            seed(url, schemac_project)
        schemac_test_server.seal(url)
    return database_name(url)


@pytest.fixture(scope="session")
def schemac_database_url(schemac_template_database: str, schemac_test_server: TestServer) -> str:
    """A migrated database for the session's tests; its URL."""
    return schemac_test_server.create(template=schemac_template_database)


@pytest.fixture
def schemac_connection(schemac_database_url: str) -> Iterator[psycopg.Connection]:
    """A connection to the migrated database in a transaction that is rolled back after the test."""
    import psycopg

    conn = psycopg.connect(schemac_database_url, autocommit=False)
    try:
        yield conn
    finally:
        if not conn.closed:  # a test that closed it left nothing to roll back (closing rolls back)
            conn.rollback()
            conn.close()


@pytest.fixture(scope="module")
def schemac_module_database_url(schemac_template_database: str, schemac_test_server: TestServer) -> Iterator[str]:
    """A migrated database for this module alone, dropped after it; its URL."""
    url = schemac_test_server.create(template=schemac_template_database)
    try:
        yield url
    finally:
        schemac_test_server.drop(url)
