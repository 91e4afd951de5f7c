"""Shared fixtures: a real PostgreSQL, one fresh database per test."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings
from psycopg.conninfo import conninfo_to_dict, make_conninfo

REPO = Path(__file__).resolve().parent.parent

# CI runs every property test with a fixed seed, so a run is reproducible and never flaky
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _throwaway_server(tmp: Path) -> str:
    """Start a private PostgreSQL in `tmp` when none answers (binaries must be installed)."""
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
    subprocess.run([*as_user, initdb, "-D", str(data), *user, "-A", "trust"], check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1",
                    "-w", "start", "-l", str(tmp / "log")], check=True, capture_output=True)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def _uid_gid(name: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A URL of a database on a server where tests may create databases."""
    url = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/postgres")
    if _answers(url):
        yield url
        return
    tmp = Path(tempfile.mkdtemp(prefix="schemac-pg-"))
    yield _throwaway_server(tmp)


def create_database(admin_url: str) -> str:
    """A new, empty database; returns its URL."""
    name = f"schemac_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(**{**conninfo_to_dict(admin_url), "dbname": name})


def drop_database(admin_url: str, url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{conninfo_to_dict(url)["dbname"]}" WITH (FORCE)')


@pytest.fixture
def database_url(admin_url: str) -> Iterator[str]:
    """A new, empty database for this test; dropped afterwards."""
    url = create_database(admin_url)
    yield url
    drop_database(admin_url, url)


@pytest.fixture
def second_database_url(admin_url: str) -> Iterator[str]:
    """Another new, empty database for this test, to compare against."""
    url = create_database(admin_url)
    yield url
    drop_database(admin_url, url)
