"""A rollback that needs more locks than the server's lock table holds: PostgreSQL's HINT reaches the user.

The shared test server's lock table must not be exhausted (other sessions would fail too), so
this runs on a private server of its own, restarted with a small max_locks_per_transaction.
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
from tests.db.test_apply import rows, schemac
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

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
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
    assert err == ("error: migrations/rollback_001.sql failed and was rolled back: out of shared memory\n"
                   "HINT: You might need to increase max_locks_per_transaction.\n")
    assert [r[0] for r in rows(url)] == [1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == TABLES + 1
