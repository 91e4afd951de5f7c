"""Faults that must not be caused on the shared test server, on a private server of the test's own.

A rollback that needs more locks than the server's lock table holds (restarted with a small
max_locks_per_transaction): PostgreSQL's HINT reaches the user. A server that stops dead in the
middle of a migration: one message, exit 4, and the migration is not half-applied.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import _uid_gid
from tests.db.test_apply import USERS, USERS_PHONE, compiled, rows, schemac
from tests.db.test_apply_faults import finish, sleeping_backend, slow_down, start
from tests.helpers import write_definitions

TABLES = 150


class PrivateServer:
    def __init__(self, tmp: Path) -> None:
        bindir = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
        initdb = shutil.which("initdb") or (str(bindir / "initdb") if bindir else None)
        assert initdb, "PostgreSQL's initdb is needed for this test"
        self.pg_ctl = str(Path(initdb).with_name("pg_ctl"))
        self.tmp, self.data = tmp, tmp / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            os.chown(tmp, *_uid_gid("postgres"))
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        subprocess.run([*self.as_user, initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust"], check=True,
                       capture_output=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, *settings: str) -> None:
        options = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 " + " ".join(
            f"-c {s}" for s in settings)
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "start",
                        "-l", str(self.tmp / "log")], check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
                       capture_output=True)


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    tmp = Path(tempfile.mkdtemp(prefix="schemac-pg-"))  # not under pytest's folder: the server's user must reach it
    try:
        server = PrivateServer(tmp)
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_out_of_shared_memory_in_a_rollback_shows_the_hint(tmp_path: Path, private_server: PrivateServer,
                                                            capsys) -> None:
    tables = "---\n".join(f"table: t{i}\ncolumns:\n  - {{name: id, type: serial, primary_key: true}}\n"
                          for i in range(TABLES))
    write_definitions(tmp_path, {"tables.yaml": tables})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    url = private_server.url
    code, _, err = schemac(tmp_path, "apply", "--database-url", url, capsys=capsys)
    assert code == 0, err
    private_server.stop()
    private_server.start("max_locks_per_transaction=10", "max_connections=5", "max_worker_processes=0",
                         "max_wal_senders=0", "autovacuum=off")
    code, _, err = schemac(tmp_path, "rollback", "--database-url", url, capsys=capsys)
    assert code == 4
    assert err.startswith("error: migrations/rollback_001.sql failed and was rolled back: out of shared memory\n"
                          "HINT: You might need to increase max_locks_per_transaction.\n"
                          "The server's lock table is full. "), err
    assert "(here 10 x (5 + 0) = 50)" in err  # the settings that size it, as the server has them
    assert "Raise max_locks_per_transaction in postgresql.conf (the server must be restarted" in err
    assert [r[0] for r in rows(url)] == [1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == TABLES + 1


def test_server_crash_during_apply(tmp_path: Path, private_server: PrivateServer, capsys) -> None:
    project = compiled(tmp_path, USERS, USERS_PHONE, capsys=capsys)
    slow_down(project, "migrations/002_add_users_phone.sql")
    url = private_server.url
    process = start(project, "apply", "--database-url", url)
    sleeping_backend(url, process)
    private_server.stop("immediate")  # as a crash: no shutdown checkpoint, every backend killed
    code, _, err = finish(process)
    assert code == 4
    assert err.startswith("error: migrations/002_add_users_phone.sql failed, the connection was lost: "), err
    assert err.endswith("\nthe database's migration could not be read\n"), err
    assert len(err.splitlines()) == 2
    private_server.start()
    assert [r[0] for r in rows(url)] == [1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass "
                            "AND attname = 'phone'").fetchone()[0] == 0


def test_a_scratch_build_commits_in_parts_that_fit_a_small_lock_table(private_server: PrivateServer,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The definitions' build on a throwaway database (verify's fresh build, drift's reference
    copy) ends its transaction every so many statements, so it fits where one transaction cannot;
    the schema it leaves is the same."""
    from compiler.live.database import connect
    from compiler.live.introspect import introspect
    from compiler.live.run_migration import LockTableFull, run_migration
    from compiler.live.scratch import build, build_sql
    from compiler.plan.diff import diff
    from tests.helpers import schema_of

    schema = schema_of("---\n".join(f"table: t{i}\ncolumns:\n  - {{name: id, type: serial, primary_key: true}}\n"
                                    f"  - {{name: note, type: text}}\n" for i in range(TABLES)))
    private_server.stop()
    private_server.start("max_locks_per_transaction=10", "max_connections=5", "max_worker_processes=0",
                         "max_wal_senders=0", "autovacuum=off")
    url = private_server.url
    with connect(url) as conn:
        with pytest.raises(LockTableFull, match="The server's lock table is full"):
            run_migration(conn, build_sql(schema), url)  # all of it in one transaction
        assert conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 't%' "
                            "AND relnamespace = 'public'::regnamespace").fetchone() == (0,)
        monkeypatch.setattr("compiler.live.scratch.STATEMENTS_PER_TRANSACTION", 5)
        build(conn, url, schema)
        assert diff(introspect(conn), schema) == []


def test_verify_on_a_server_whose_lock_table_cannot_hold_the_migration_says_so(
        tmp_path: Path, private_server: PrivateServer, capsys) -> None:
    """A migration runs in one transaction, as apply runs it: where the server cannot hold its
    locks, verify says which setting to raise (exit 4, a limit of the server, not a verdict)."""
    tables = "---\n".join(f"table: t{i}\ncolumns:\n  - {{name: id, type: serial, primary_key: true}}\n"
                          for i in range(TABLES))
    write_definitions(tmp_path, {"tables.yaml": tables})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    private_server.stop()
    private_server.start("max_locks_per_transaction=10", "max_connections=5", "max_worker_processes=0",
                         "max_wal_senders=0", "autovacuum=off")
    code, out, err = schemac(tmp_path, "verify", "--dev-url", private_server.url, capsys=capsys)
    assert code == 4, out + err
    assert "out of shared memory" in err and "The server's lock table is full." in err
    assert "Raise max_locks_per_transaction" in err and "Traceback" not in err
    with psycopg.connect(private_server.url) as conn:  # the throwaway database is gone
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'schemac_throwaway_%'"
                            ).fetchone() == (0,)
