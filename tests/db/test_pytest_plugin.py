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

from compiler.cli import main
from compiler.errors import DatabaseError
from compiler.testing import assert_generated_current
from compiler.testing.databases import seed

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


def _example_copy(root: Path) -> Path:
    for folder in ("definitions", "generated", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture
def project(pytester: pytest.Pytester, admin_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project (the example's definitions and generated/ in db/), and the environment a
    user's run has: the server in TEST_DATABASE_URL, this checkout importable."""
    root = _example_copy(pytester.path / "db")
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

def test_closes_the_connection_itself(schemac_connection):  # nothing left to roll back: no error
    schemac_connection.execute("INSERT INTO users (email) VALUES ('bob@example.com')")
    schemac_connection.close()
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=3)


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


def test_a_module_copy_is_made_while_the_session_database_is_in_use(pytester: pytest.Pytester, project: Path,
                                                                   admin_url: str) -> None:
    """PostgreSQL refuses CREATE DATABASE ... TEMPLATE while any session is connected to the
    template, and copies whatever was committed to it: a session fixture of the user's that holds
    a connection to the session's database, and commits to it, must change neither."""
    pytester.makeconftest('''
import psycopg, pytest

@pytest.fixture(scope="session")
def shared(schemac_database_url):
    with psycopg.connect(schemac_database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('committed@example.com')")
        yield conn
''')
    pytester.makepyfile(test_a='''
def test_holds_the_session_database(shared):
    assert shared.execute("SELECT count(*) FROM users").fetchone()[0] == 1
''', test_b='''
import pathlib, psycopg
from record import record

def test_copy(shared, schemac_module_database_url, schemac_template_database):
    pathlib.Path("template.seen").write_text(schemac_template_database)
    record(schemac_module_database_url, "module")
    with psycopg.connect(schemac_module_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
''')
    started = time.monotonic()
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=2)
    assert time.monotonic() - started < 30
    seen = _seen(pytester)
    assert len(set(seen.values())) == 2
    assert [name for name in seen.values() if _exists(admin_url, name)] == []  # the sealed template too


SEEDED = '''
import psycopg

def test_seeded(schemac_connection):
    assert schemac_connection.execute(
        "SELECT u.email, e.event_type FROM users u JOIN analytics_events e ON e.user_id = u.id "
        "ORDER BY e.created_at").fetchall() == [
        ("test@example.com", "sign_up"), ("test@example.com", "page_view"), ("admin@example.com", "sign_in")]

def test_copies_are_seeded_too(schemac_module_database_url):
    with psycopg.connect(schemac_module_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3
'''


def _ask_for_seeds(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\nschemac_project = "db"\nschemac_seed = true\n')
    pytester.makepyfile(test_seeded=SEEDED)


def test_a_database_that_cannot_be_dropped_leaves_none_of_the_others(pytester: pytest.Pytester, project: Path,
                                                                      admin_url: str) -> None:
    """Each database is dropped on its own: one that refuses (here a test made it a template, which
    DROP DATABASE refuses) is reported, and the session's others are dropped all the same."""
    pytester.makepyfile(test_a='''
import pathlib, psycopg
from record import record

def test_makes_its_copy_undroppable(schemac_module_database_url, schemac_template_database):
    pathlib.Path("template.seen").write_text(schemac_template_database)
    name = record(schemac_module_database_url, "module")
    with psycopg.connect(schemac_module_database_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {name} IS_TEMPLATE true")
''', test_b='''
from record import record

def test_session(schemac_database_url):
    record(schemac_database_url, "session")
''')
    result = pytester.runpytest_subprocess(*ARGS)
    seen = _seen(pytester)
    try:
        result.assert_outcomes(passed=2, errors=1)
        result.stdout.fnmatch_lines(["*cannot drop a template database*"])
        assert [tag for tag, name in seen.items() if _exists(admin_url, name)] == ["module"]
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            name = psycopg.sql.Identifier(seen["module"])
            conn.execute(psycopg.sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(name))
            conn.execute(psycopg.sql.SQL("DROP DATABASE {}").format(name))


def test_seeds_are_loaded_when_asked(pytester: pytest.Pytester, project: Path) -> None:
    _ask_for_seeds(pytester)
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(("damage", "message"), [
    ("stale", "generated/seeds.sql is out of date; run 'schemac compile'"),
    ("missing", "generated/seeds.sql is missing; run 'schemac compile'"),
    ("no seeds", "the project has no seeds/ folder, so nothing to load"),
])
def test_seeds_that_schemac_seed_refuses_are_refused_with_its_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str, message: str) -> None:
    project = _example_copy(tmp_path)
    seeds_sql = project / "generated" / "seeds.sql"
    if damage == "stale":  # a hand edit (or a seeds/ change not compiled): not what compile makes
        seeds_sql.write_text(seeds_sql.read_text().replace("Test User", "Someone Else"))
    else:
        seeds_sql.unlink()
    if damage == "no seeds":
        shutil.rmtree(project / "seeds")
    nowhere = "postgresql://127.0.0.1:1/unused"  # refused before any connection
    with pytest.raises(DatabaseError) as refused:
        seed(nowhere, project)  # what schemac_template_database calls when schemac_seed is true
    assert str(refused.value) == f"schemac_seed is true, and {message}"
    capsys.readouterr()
    assert main(["-C", str(project), "seed", "--database-url", nowhere]) == 1
    assert capsys.readouterr().err == f"error: {message}\n"


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


def test_loading_the_plugin_costs_a_project_that_does_not_use_it_nothing() -> None:
    """pytest imports the plugin in every session of every project where schemac is installed:
    the compiler and the database driver wait until a fixture asks for them."""
    code = (f"import sys, {PLUGIN}, compiler.testing\n"
            "print(sorted(m for m in ('psycopg', 'sqlglot', 'yaml', 'compiler.pipeline', 'compiler.live.apply') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout == "[]\n", done.stderr


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
    settings = _readme_example("toml")
    assert 'schemac_project = "."' in settings and "schemac_seed = true" in settings
    settings = settings.replace('schemac_project = "."', 'schemac_project = "db"')  # the scratch project's folder
    pytester.makefile(".toml", pyproject=settings)
    pytester.makepyfile(test_data_layer=_readme_example("python"))
    result = pytester.runpytest_subprocess(*ARGS, "-v")
    result.assert_outcomes(passed=_readme_example("python").count("\ndef test_"))


def test_this_suite_runs_this_checkouts_plugin_on_its_own_server(
        pytestconfig: pytest.Config, schemac_database_url: str, schemac_template_database: str, admin_url: str) -> None:
    """tests/db/test_apply.py and others use the plugin's fixtures: on the server of tests/conftest.py,
    with the example project (schemac_project in pyproject.toml), this checkout's code."""
    plugin = pytestconfig.pluginmanager.get_plugin("schemac")
    assert plugin is not None and Path(plugin.__file__).resolve().is_relative_to(REPO)
    name = psycopg.conninfo.conninfo_to_dict(schemac_database_url)["dbname"]
    with psycopg.connect(admin_url) as conn:
        found = dict(conn.execute("SELECT datname, datallowconn FROM pg_database WHERE datname IN (%s, %s)",
                                  (name, schemac_template_database)).fetchall())
    assert found == {name: True, schemac_template_database: False}


@pytest.mark.parametrize("url", [None, "postgresql://127.0.0.1:1/nowhere"], ids=["no URL", "dead server"])
def test_no_server_is_a_plain_error_without_the_plugins_traceback(
        pytester: pytest.Pytester, project: Path, monkeypatch: pytest.MonkeyPatch, url: str | None) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    if url is None:
        monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("TEST_DATABASE_URL", url)
    pytester.makepyfile(test_db="def test_db(schemac_database_url):\n    assert schemac_database_url\n")
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    told = ("schemac: no server for test databases: set TEST_DATABASE_URL (or DATABASE_URL)" if url is None
            else "schemac: cannot connect to the test server")
    assert told in output
    assert "pytest_plugin.py" not in output and "databases.py" not in output, output
