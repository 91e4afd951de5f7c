"""Shared fixtures: a real PostgreSQL, an empty database per test.

A test's database is new or as good as new. Making one (CREATE DATABASE copies a template) and
dropping one (DROP DATABASE waits for a checkpoint) would be most of the suite's time, so a
database a test is done with is emptied instead: its connections ended, every extension, schema
and object it gained dropped, its settings reset. It goes to the next test only if its catalogs
then hold the rows they held when it was new (as many, none written since: see
`_catalogs_query`); otherwise it is dropped and the next test gets a new one. The databases left are dropped together at the end of
the run (together: concurrent drops share their checkpoints).
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.definition_schema import check_every_read

REPO = Path(__file__).resolve().parent.parent

# pytester runs a user's test files against the pytest plugin (tests/db/test_pytest_plugin.py)
pytest_plugins = ["pytester"]

# CI runs every property test with a fixed seed, so a run is reproducible and never flaky
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

check_every_read()  # every definition the suite compiles must pass the editors' JSON Schema too


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


# -- the server: TEST_DATABASE_URL, else one the run starts itself

# Durability is of no use to a test database: without fsync, CREATE and DROP DATABASE and every
# commit stop waiting for the disk.
THROWAWAY_SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _throwaway_server(tmp: Path) -> str:
    """Start a private PostgreSQL in `tmp` (binaries must be installed); its URL."""
    bindir = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
    initdb = shutil.which("initdb") or (str(bindir / "initdb") if bindir else None)
    if not initdb:
        raise RuntimeError("no PostgreSQL answers at TEST_DATABASE_URL and initdb is not installed")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp / "data"
    user = ["-U", "postgres"]
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        os.chown(tmp, *(_uid_gid("postgres")))
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, initdb, "-D", str(data), *user, "-A", "trust", "--no-sync"], check=True,
                   capture_output=True)
    options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 " + " ".join(
        f"-c {s}" for s in THROWAWAY_SERVER_SETTINGS)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-w", "start", "-l", str(tmp / "log")],
                   check=True, capture_output=True)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def _stop_throwaway_server(tmp: Path) -> None:
    pg_ctl = str(Path(shutil.which("initdb") or next(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
                 .with_name("pg_ctl"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_user, pg_ctl, "-D", str(tmp / "data"), "-m", "immediate", "-w", "stop"],
                   capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)


def _uid_gid(name: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _run_dir(config: pytest.Config) -> Path:
    """A folder for the whole run, the same in every pytest-xdist worker; removed at its end."""
    workerinput = getattr(config, "workerinput", None)
    run_id = workerinput["testrunuid"] if workerinput is not None else config._schemac_run_id  # type: ignore[attr-defined]
    path = Path(tempfile.gettempdir()) / f"schemac-run-{run_id[:16]}"
    path.mkdir(exist_ok=True)
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "alone: no other test runs at the same time (in parallel runs)")
    # The schemac plugin (the example project's migrated database, below) comes through the
    # installed entry point; a checkout that is not installed registers it here.
    if not config.pluginmanager.has_plugin("schemac"):
        config.pluginmanager.register(importlib.import_module("compiler.testing.pytest_plugin"), "schemac")
    if not hasattr(config, "workerinput"):  # the workers get the same id from pytest-xdist
        run_id = getattr(config.option, "testrunuid", None) or uuid.uuid4().hex
        if hasattr(config.option, "testrunuid"):
            config.option.testrunuid = run_id
        config._schemac_run_id = run_id  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the workers are done
        shutil.rmtree(Path(tempfile.gettempdir()) / f"schemac-run-{config._schemac_run_id[:16]}",  # type: ignore[attr-defined]
                      ignore_errors=True)


# The longest tests, longest first (a quarter to a half minute each here). A parallel run starts
# them first, dealt out to the two halves of the collection the workers begin with, so that none
# of them starts last and keeps one worker busy alone at the end.
LONG_TESTS = (
    "tests/db/test_roundtrip_property.py::test_any_schema_pair_round_trips",
    "tests/db/test_verify_signals.py::test_a_signal_at_any_moment_ends_in_one_coherent_outcome[verify]",
    "tests/db/test_verify_signals.py::test_a_signal_at_any_moment_ends_in_one_coherent_outcome[compile]",
    "tests/db/test_import_keywords.py::test_every_keyword_as_a_column_round_trips",
    "tests/db/test_evolution.py::test_stepwise_equals_one_step_and_rollbacks_restore",
    "tests/db/test_import_hostile.py::test_a_hostile_database_round_trips",
    "tests/db/test_import.py::test_import_then_compile_recreates_the_database",
    "tests/db/test_migration_reader_property.py::test_reader_and_psql_agree",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {nodeid: i for i, nodeid in enumerate(LONG_TESTS)}
    long = sorted((item for item in items if item.nodeid in rank), key=lambda item: rank[item.nodeid])
    rest = [item for item in items if item.nodeid not in rank]
    half = len(items) // 2  # pytest-xdist's worksteal gives each of two workers one half to begin with
    first = long[0::2] + rest[: half - len(long[0::2])]
    items[:] = first + long[1::2] + rest[len(first) - len(long[0::2]):]


@pytest.fixture(autouse=True)
def _alone_or_together(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a parallel run, a test marked `alone` waits for the tests running to end, and the others
    wait for it (a readers-writer lock over files: one that waits to be alone goes next)."""
    if not hasattr(request.config, "workerinput"):
        yield
        return
    alone = request.node.get_closest_marker("alone") is not None
    shared = _run_dir(request.config)
    with open(shared / "turnstile", "a") as turnstile, open(shared / "tests", "a") as tests:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        if not alone:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        fcntl.flock(tests, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        yield  # the locks go with the files


@pytest.fixture(scope="session")
def admin_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of a database on a server where tests may create databases.

    TEST_DATABASE_URL when a server answers there; else a throwaway server, one for the whole run
    (the workers of a parallel run share it: the last one to finish stops it)."""
    url = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/postgres")
    if _answers(url):
        yield url
        _close_pool(url)
        return
    shared = _run_dir(request.config)
    with _locked(shared / "lock"):
        users = int((shared / "users").read_text()) if (shared / "users").exists() else 0
        if users == 0:
            tmp = Path(tempfile.mkdtemp(prefix="schemac-pg-"))  # the server's user must reach it
            (shared / "server").write_text(f"{tmp}\n{_throwaway_server(tmp)}")
        (shared / "users").write_text(str(users + 1))
        tmp_text, url = (shared / "server").read_text().split("\n")
    try:
        yield url
    finally:
        _close_pool(url)
        with _locked(shared / "lock"):
            users = int((shared / "users").read_text()) - 1
            (shared / "users").write_text(str(users))
            if users == 0:
                _stop_throwaway_server(Path(tmp_text))


@pytest.fixture(scope="session")
def schemac_server_url(admin_url: str) -> str:
    """The schemac plugin's databases (the example project migrated: schemac_database_url,
    schemac_connection, schemac_module_database_url) go to the suite's server."""
    return admin_url


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# -- empty databases, emptied again after use

def _url_of(admin_url: str, name: str) -> str:
    return make_conninfo(**{**conninfo_to_dict(admin_url), "dbname": name})


_TEMP_SCHEMA = r"'^pg_(toast_)?temp_\d+$'"  # made on first use of a temporary table, kept: not the test's


def _catalogs_query(conn: psycopg.Connection) -> sql.Composable:
    """One query: per catalog of the database, how many rows it has and how many of them were
    written by a transaction after `%(since)s` (an xid: rows copied from the template are
    older). A DDL statement inserts, updates or deletes catalog rows, so a database whose
    catalogs have the same counts and no row newer than its creation holds the same rows.
    pg_statistic is left out (ANALYZE writes it); VACUUM and ANALYZE write pg_class in place
    (the xmin stays)."""
    parts = []
    for (table,) in conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r' "
            "AND NOT relisshared AND relname <> 'pg_statistic' ORDER BY 1").fetchall():
        where = sql.SQL(f"WHERE nspname !~ {_TEMP_SCHEMA}" if table == "pg_namespace" else "")
        parts.append(sql.SQL("SELECT {name}, count(*), count(*) FILTER (WHERE xmin::text::bigint > %(since)s) "
                             "FROM pg_catalog.{table} {where}").format(
            name=sql.Literal(table), table=sql.Identifier(table), where=where))
    return sql.SQL(" UNION ALL ").join(parts)


def _database_row_query(conn: psycopg.Connection) -> sql.Composable:
    """The database's own row (but its name and counters), its settings and comment."""
    columns = [c for (c,) in conn.execute(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = 'pg_database'::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum").fetchall()
        if c not in ("oid", "datname", "datfrozenxid", "datminmxid")]
    return sql.SQL(
        "SELECT ROW({})::text, (SELECT array_agg(ROW(setrole, setconfig)::text) FROM pg_db_role_setting "
        "WHERE setdatabase = d.oid), (SELECT array_agg(description) FROM pg_shdescription WHERE objoid = d.oid), "
        "(SELECT array_agg(label) FROM pg_shseclabel WHERE objoid = d.oid) FROM pg_database d WHERE datname = %s"
    ).format(sql.SQL(", ").join(sql.SQL("d.{}").format(sql.Identifier(c)) for c in columns))


# What a test may leave in the public schema, and how it is dropped (pg_identify_object's type).
_DROP_AS = {"composite type": "TYPE", "statistics object": "STATISTICS"}


def _empty(conn: psycopg.Connection) -> None:
    """Drop what the database gained: extensions, schemas, and the objects in public (which stays,
    as it was made: its owner, privileges and initial privileges)."""
    with conn.transaction():
        conn.execute("SELECT lo_unlink(oid) FROM pg_largeobject_metadata")
        for (name,) in conn.execute("SELECT evtname FROM pg_event_trigger").fetchall():
            conn.execute(sql.SQL("DROP EVENT TRIGGER {} CASCADE").format(sql.Identifier(name)))
        for (name,) in conn.execute("SELECT pubname FROM pg_publication").fetchall():
            conn.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(name)))
        extensions = [e for (e,) in conn.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")]
        if extensions:
            conn.execute(sql.SQL("DROP EXTENSION {} CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, extensions))))
        schemas = [s for (s,) in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', "
            f"'pg_toast', 'public') AND nspname !~ {_TEMP_SCHEMA}")]
        if schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.SQL(", ").join(map(sql.Identifier, schemas))))
        for _ in range(10):  # what one drop takes with it is gone from the next round
            found = conn.execute(
                "SELECT DISTINCT o.type, o.identity FROM pg_depend d, pg_identify_object(d.classid, d.objid, 0) o "
                "WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = 'public'::regnamespace "
                "AND d.deptype = 'n' ORDER BY 1, 2").fetchall()
            if not found:
                break
            for kind, identity in found:
                try:
                    with conn.transaction():  # one that goes with another may refuse to go first
                        conn.execute(sql.SQL("DROP {} IF EXISTS {} CASCADE").format(
                            sql.SQL(_DROP_AS.get(kind, kind.upper())), sql.SQL(identity)))
                except psycopg.errors.DependentObjectsStillExist:
                    pass


class DatabasePool:
    """Empty databases on one server, for the tests of this process."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.free: list[str] = []  # names, emptied and checked
        self.made: dict[str, tuple[int, tuple]] = {}  # name -> xid when made, state then  # name -> its row and catalogs when new
        self.to_drop: list[str] = []
        self._admin: psycopg.Connection | None = None
        self._queries: tuple[sql.Composable, sql.Composable] | None = None
        self.reused = self.replaced = 0

    def admin(self) -> psycopg.Connection:
        if self._admin is None or self._admin.closed or self._admin.broken:
            self._admin = psycopg.connect(self.admin_url, autocommit=True)
        return self._admin

    def take(self) -> str:
        """The URL of an empty database."""
        if self.free:
            return _url_of(self.admin_url, self.free.pop())
        name = f"schemac_test_{uuid.uuid4().hex[:12]}"
        admin = self.admin()
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # xmin is 32 bits: a wraparound during the run would hide rows from the check, not add any
        since = admin.execute("SELECT txid_current() % 4294967296").fetchone()[0]
        url = _url_of(self.admin_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            self.made[name] = (since, self._state(conn, name, since))
        return url

    def give_back(self, url: str) -> None:
        """Done with it: emptied for the next test, or dropped at the end."""
        name = conninfo_to_dict(url)["dbname"]
        since, new = self.made[name]
        try:
            self._disconnect(name)
            self.admin().execute(sql.SQL("ALTER DATABASE {} RESET ALL").format(sql.Identifier(name)))
            with psycopg.connect(url, autocommit=True) as conn:
                _empty(conn)
                state = self._state(conn, name, since)
        except psycopg.Error as e:
            state = e
        if state == new:
            self.reused += 1
            self.free.append(name)
        else:  # something emptying does not undo: a new database for the next test
            self.replaced += 1
            self.to_drop.append(name)
            if os.environ.get("SCHEMAC_TEST_POOL_REPORT"):
                why = state if isinstance(state, Exception) else [
                    "the database's row" if state[0] != new[0] else "",
                    *(a for a, b in zip(state[1], new[1], strict=True) if a != b)]
                with open(os.environ["SCHEMAC_TEST_POOL_REPORT"], "a") as f:
                    f.write(f"{os.environ.get('PYTEST_CURRENT_TEST')}: not as new: {why}\n")

    def _disconnect(self, name: str) -> None:
        """End every session on database `name` (as DROP DATABASE ... WITH (FORCE) would)."""
        deadline = time.monotonic() + 10
        while self.admin().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchall():
            if time.monotonic() > deadline:
                raise psycopg.OperationalError(f"sessions on {name} do not end")
            time.sleep(0.01)

    def _state(self, conn: psycopg.Connection, name: str, since: int) -> tuple[tuple, list[tuple]]:
        """The database's own row, and its catalogs' row counts and rows written after `since`."""
        if self._queries is None:
            self._queries = (_catalogs_query(conn), _database_row_query(conn))
        catalogs = sorted(tuple(r) for r in conn.execute(self._queries[0], {"since": since}).fetchall())
        return tuple(self.admin().execute(self._queries[1], (name,)).fetchone()), catalogs

    def close(self) -> None:
        """Drop every database made, all at once."""
        names = self.free + self.to_drop
        self.free, self.to_drop = [], []
        self.made = {}

        def drop(name: str) -> None:
            with contextlib.suppress(psycopg.Error), psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

        threads = [threading.Thread(target=drop, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self._admin is not None:
            self._admin.close()


_POOLS: dict[str, DatabasePool] = {}


def _close_pool(admin_url: str) -> None:
    pool = _POOLS.pop(admin_url, None)
    if pool is None:
        return
    if os.environ.get("SCHEMAC_TEST_POOL_REPORT"):
        with open(os.environ["SCHEMAC_TEST_POOL_REPORT"], "a") as f:
            f.write(f"databases: {len(pool.made)} made, {pool.reused} emptied and reused, "
                    f"{pool.replaced} dropped after use\n")
    pool.close()


def _pool(admin_url: str) -> DatabasePool:
    if admin_url not in _POOLS:
        _POOLS[admin_url] = pool = DatabasePool(admin_url)
        atexit.register(pool.close)
    return _POOLS[admin_url]


def create_database(admin_url: str) -> str:
    """An empty database, as new; its URL. Give it back with drop_database."""
    return _pool(admin_url).take()


def drop_database(admin_url: str, url: str) -> None:
    """Done with a database of create_database (it is emptied for another test, or dropped)."""
    _pool(admin_url).give_back(url)


@pytest.fixture
def database_url(admin_url: str) -> Iterator[str]:
    """An empty database for this test."""
    url = create_database(admin_url)
    yield url
    drop_database(admin_url, url)


@pytest.fixture
def second_database_url(admin_url: str) -> Iterator[str]:
    """Another empty database for this test, to compare against."""
    url = create_database(admin_url)
    yield url
    drop_database(admin_url, url)
