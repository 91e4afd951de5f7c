"""The pytest plugin (compiler/testing/pytest_plugin.py), as a user's project meets it: a scratch
project with the example's definitions and migrations, a test file of the user's, and pytest run
on it in a subprocess against the real server. Each user test writes the name of the database it
saw to a file, so the test here can check that database is gone afterwards."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import psycopg
import pytest

from compiler.testing import assert_generated_current

REPO = Path(__file__).resolve().parents[2]
PLUGIN = "compiler.testing.pytest_plugin"
# the installed package's entry point may name another checkout's copy: this one is loaded by name
ARGS = ("-p", "no:schemac", "-p", PLUGIN, "-p", "no:cacheprovider")

# a user's helper: the database a fixture gave, written down for the test here to look for
RECORD = '''
import pathlib, psycopg

def record(url, tag):
    with psycopg.connect(url) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
    pathlib.Path(tag + ".seen").write_text(name)
    return name
'''


@pytest.fixture
def project(pytester: pytest.Pytester, admin_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project (the example's definitions and generated/ in db/), and the environment a
    user's run has: the server in TEST_DATABASE_URL, this checkout importable."""
    root = pytester.path / "db"
    shutil.copytree(REPO / "definitions", root / "definitions")
    shutil.copytree(REPO / "generated", root / "generated")
    shutil.copytree(REPO / "seeds", root / "seeds")
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\nschemac_project = "db"\n')
    pytester.makepyfile(record=RECORD)
    monkeypatch.setenv("TEST_DATABASE_URL", admin_url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(pytester.path), str(REPO)]))
    return root


def _seen(pytester: pytest.Pytester) -> dict[str, str]:
    return {p.stem: p.read_text() for p in pytester.path.glob("*.seen")}


def _exists(admin_url: str, name: str) -> bool:
    with psycopg.connect(admin_url) as conn:
        return conn.execute("SELECT EXISTS (SELECT FROM pg_database WHERE datname = %s)", (name,)).fetchone() == (True,)


def test_a_green_run_gets_the_migrated_database_and_drops_it(pytester: pytest.Pytester, project: Path,
                                                             admin_url: str) -> None:
    pytester.makepyfile(test_users='''
from record import record

def test_users_table_exists(schemac_connection, schemac_database_url):
    record(schemac_database_url, "session")
    tables = {name for (name,) in schemac_connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
    assert {"users", "analytics_events"} <= tables
    applied = schemac_connection.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert applied == 2  # the example's migrations: its schema, then its updated_at trigger
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)
    name = _seen(pytester)["session"]
    assert name.startswith("schemac_throwaway_pytest_")
    assert not _exists(admin_url, name)


def test_a_failing_test_still_drops_the_database(pytester: pytest.Pytester, project: Path, admin_url: str) -> None:
    pytester.makepyfile(test_fails='''
from record import record

def test_fails(schemac_database_url):
    record(schemac_database_url, "session")
    assert False, "a user's test fails"
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(failed=1)
    name = _seen(pytester)["session"]
    assert not _exists(admin_url, name)


def test_each_test_sees_none_of_the_others_writes(pytester: pytest.Pytester, project: Path) -> None:
    # either order: the one that runs second sees no row
    pytester.makepyfile(test_isolation='''
import pytest

@pytest.mark.parametrize("run", ["first", "second"])
def test_writes_then_counts(schemac_connection, run):
    assert schemac_connection.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    schemac_connection.execute("INSERT INTO users (email) VALUES ('ada@example.com')")
    assert schemac_connection.execute("SELECT count(*) FROM users").fetchone()[0] == 1
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=2)


def test_a_module_gets_its_own_copy_by_template(pytester: pytest.Pytester, project: Path, admin_url: str) -> None:
    module = '''
import psycopg
from record import record

def test_commits(schemac_module_database_url):
    record(schemac_module_database_url, "{tag}")
    with psycopg.connect(schemac_module_database_url) as conn:  # commits on leaving the block
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        conn.execute("INSERT INTO users (email) VALUES ('{tag}@example.com')")

def test_sees_its_module_commit(schemac_module_database_url):
    with psycopg.connect(schemac_module_database_url) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("{tag}@example.com",)]
'''
    pytester.makepyfile(test_a=module.format(tag="a"), test_b=module.format(tag="b"), test_z='''
from record import record

def test_session_database_untouched(schemac_connection, schemac_database_url):
    record(schemac_database_url, "session")
    assert schemac_connection.execute("SELECT count(*) FROM users").fetchone()[0] == 0
''')
    started = time.monotonic()
    result = pytester.runpytest_subprocess(*ARGS)
    elapsed = time.monotonic() - started
    result.assert_outcomes(passed=5)
    seen = _seen(pytester)
    assert len(set(seen.values())) == 3
    assert [name for name in seen.values() if _exists(admin_url, name)] == []
    assert elapsed < 60  # a copy is a file copy on the server, not the migrations again


def test_seeds_are_loaded_when_asked(pytester: pytest.Pytester, project: Path) -> None:
    (project / "generated" / "seeds.sql").write_text(
        "INSERT INTO users (email, display_name) VALUES ('test@example.com', 'Test User');\n"
        "INSERT INTO analytics_events (user_id, event_type) SELECT id, 'signup' FROM users;\n")
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\nschemac_project = "db"\nschemac_seed = true\n')
    pytester.makepyfile(test_seeded='''
def test_seeded(schemac_connection):
    assert schemac_connection.execute(
        "SELECT u.email, e.event_type FROM users u JOIN analytics_events e ON e.user_id = u.id").fetchall() == [
        ("test@example.com", "signup")]
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)


def test_seeds_asked_for_and_missing_is_an_error(pytester: pytest.Pytester, project: Path) -> None:
    shutil.rmtree(project / "seeds")  # a project without seeds: compile writes no seeds.sql
    (project / "generated" / "seeds.sql").unlink()
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\nschemac_project = "db"\nschemac_seed = true\n')
    pytester.makepyfile(test_seeded='''
def test_seeded(schemac_connection):
    pass
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no generated/seeds.sql*run 'schemac compile'*"])


def test_each_xdist_worker_has_its_own_database(pytester: pytest.Pytester, project: Path, admin_url: str) -> None:
    pytester.makepyfile(test_workers='''
import os, time
from record import record

def test_one(schemac_connection, schemac_database_url):
    record(schemac_database_url, os.environ["PYTEST_XDIST_WORKER"])
    time.sleep(1)  # so the other worker takes the other test

def test_two(schemac_connection, schemac_database_url):
    record(schemac_database_url, os.environ["PYTEST_XDIST_WORKER"])
    time.sleep(1)
''')
    result = pytester.runpytest_subprocess(*ARGS, "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=4)
    seen = _seen(pytester)
    assert sorted(seen) == ["gw0", "gw1"] and seen["gw0"] != seen["gw1"]
    assert [name for name in seen.values() if _exists(admin_url, name)] == []


def test_an_interrupted_session_drops_its_database(pytester: pytest.Pytester, project: Path, admin_url: str) -> None:
    pytester.makepyfile(test_slow='''
import time
from record import record

def test_slow(schemac_database_url):
    record(schemac_database_url, "session")
    time.sleep(60)
''')
    env = {**os.environ}
    with subprocess.Popen([sys.executable, "-m", "pytest", *ARGS], cwd=pytester.path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as run:
        deadline = time.monotonic() + 60
        while not (pytester.path / "session.seen").exists():
            assert time.monotonic() < deadline and run.poll() is None
            time.sleep(0.1)
        name = (pytester.path / "session.seen").read_text()
        assert _exists(admin_url, name)
        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=60)[0].decode()
    assert run.returncode != 0, output
    assert not _exists(admin_url, name), output


def test_a_session_that_asks_for_no_fixture_never_connects(pytester: pytest.Pytester, project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://127.0.0.1:1/nowhere")  # nothing answers there
    pytester.makepyfile(test_plain="def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)


def test_generated_is_current_until_a_definition_changes(project: Path) -> None:
    assert_generated_current(project)
    users = project / "definitions" / "users.yaml"
    text = users.read_text()
    users.write_text(text.replace("columns:\n", "columns:\n  - {name: nickname, type: text}\n", 1))
    with pytest.raises(AssertionError, match=r"definitions have 1 change\(s\) not compiled yet"):
        assert_generated_current(project)


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    entry_points = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    assert entry_points == {"schemac": PLUGIN}


def _readme_example(language: str) -> str:
    """The `language` block of the README's pytest section."""
    section = (REPO / "README.md").read_text().split("## Testing your data layer with pytest", 1)[1].split("\n## ", 1)[0]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_passes_as_a_users_project(pytester: pytest.Pytester, project: Path) -> None:
    settings = _readme_example("toml").replace('schemac_project = "."', 'schemac_project = "db"')
    pytester.makefile(".toml", pyproject=settings)
    pytester.makepyfile(test_data_layer=_readme_example("python"))
    result = pytester.runpytest_subprocess(*ARGS, "-v")
    result.assert_outcomes(passed=4)
