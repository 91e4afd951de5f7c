"""squawk (PyPI squawk-cli) passes the SQL schemac writes, for the rules in .squawk.toml.

Over every snapshot migration and rollback (tests/snapshots), the example's migrations as
committed, and the example compiled afresh (what compile writes today). The rules not followed
are excluded in .squawk.toml, each with its reason, and the README lists the same ones.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / ".squawk.toml"
SNAPSHOTS = REPO / "tests" / "snapshots" / "__snapshots__"
TIMEOUT_RULES = ("require-lock-timeout", "require-statement-timeout")


def squawk_command() -> str:
    """The squawk binary squawk-cli installs beside this Python (or on PATH)."""
    here = Path(sys.executable).parent / "squawk"
    found = str(here) if here.is_file() else shutil.which("squawk")
    assert found, "squawk is not installed: pip install -e '.[test]' (squawk-cli)"
    return found


def squawk(files: list[Path], tmp_path: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    """squawk's findings over `files`, one line each (path:line: rule: message); none when it passes.

    The files are copied under plain names first: squawk reads its arguments as glob patterns, and
    a snapshot's name holds brackets (`test_change_sql[indexes].sql`)."""
    folder = tmp_path / "squawk"
    folder.mkdir()
    names = {}
    for i, f in enumerate(files):
        copy = folder / f"{i:04d}.sql"
        copy.write_bytes(f.read_bytes())
        names[copy.name] = f.relative_to(REPO) if f.is_relative_to(REPO) else f
    args = [squawk_command(), "--config", str(CONFIG), "--reporter", "json", "--no-assume-in-transaction"]
    if exclude:  # --exclude replaces the config's list: both are given
        excluded = tomllib.loads(CONFIG.read_text())["excluded_rules"]
        args.append("--exclude=" + ",".join([*excluded, *exclude]))
    done = subprocess.run([*args, *sorted(str(p) for p in folder.iterdir())], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode in (0, 1) and done.stdout.strip(), done.stderr
    return [f"{names[Path(v['file']).name]}:{v['line']}: {v['rule_name']}: {v['message']}"
            for v in json.loads(done.stdout)]


def snapshot_files() -> list[Path]:
    # the warehouse's snapshots are BigQuery DDL, which squawk (PostgreSQL's linter) cannot read
    files = sorted(f for f in SNAPSHOTS.rglob("*.sql") if not f.parent.name.startswith("test_warehouse"))
    assert len(files) > 60  # every change kind, up and rollback
    return files


def test_every_snapshot_migration_and_rollback_passes(tmp_path: Path) -> None:
    assert squawk(snapshot_files(), tmp_path) == []


def test_the_example_compiled_now_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPO / "definitions", tmp_path / "example" / "definitions")
    assert run_cli(tmp_path / "example", capsys, "compile")[0] == 0
    files = sorted((tmp_path / "example" / "generated" / "migrations").glob("*.sql"))
    assert [f.name for f in files] == ["001_initial_schema.sql", "rollback_001.sql"]
    assert all("SET LOCAL lock_timeout" in f.read_text() for f in files)
    assert squawk(files, tmp_path) == []


def test_the_example_migrations_as_committed_pass(tmp_path: Path) -> None:
    """Files compiled before migrations set their timeouts keep their bytes (compile never rewrites
    a migration): they are checked without the two timeout rules, every other rule applies."""
    files = sorted((REPO / "generated" / "migrations").glob("*.sql"))
    assert files
    assert squawk(files, tmp_path, exclude=TIMEOUT_RULES) == []


def test_the_timeout_rules_catch_a_file_without_timeouts(tmp_path: Path) -> None:
    """The check can fail: the same SQL without its SET LOCAL lines is refused."""
    snapshot = SNAPSHOTS / "test_change_sql" / "test_change_sql[widen_type].sql"
    bare = tmp_path / "bare.sql"
    bare.write_text(re.sub(r"^SET LOCAL .*\n", "", snapshot.read_text(), flags=re.M))
    rules = {line.split(": ")[1] for line in squawk([bare], tmp_path)}
    assert rules == set(TIMEOUT_RULES)


def test_the_readme_lists_every_rule_not_followed() -> None:
    config = tomllib.loads(CONFIG.read_text())
    readme = (REPO / "README.md").read_text()
    section = readme.split("### squawk", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^- `([a-z-]+)`", section, flags=re.M))
    assert listed == set(config["excluded_rules"])
