"""The hooks of .pre-commit-hooks.yaml, run the way a user runs them: `pre-commit try-repo` of
this repository on a scratch project (offline: `language: system` builds no virtualenv).

`schemac` on the hooks' PATH is this checkout's code (a small launcher), whatever else is installed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compiler.cli import COMMANDS
from tests.helpers import write_definitions

REPO = Path(__file__).resolve().parents[2]
USERS = "table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"


def _pre_commit() -> str:
    here = Path(sys.executable).parent / "pre-commit"
    found = str(here) if here.is_file() else shutil.which("pre-commit")
    assert found, "pre-commit is not installed: pip install -e '.[test]'"
    return found


@pytest.fixture
def scratch(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding a schemac project, and the environment the hooks run in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "schemac"
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m compiler.cli "$@"\n')
    launcher.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("PYTHONPATH", None)
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True, env=env)
    write_definitions(project, {"users.yaml": USERS})
    subprocess.run([str(launcher), "compile"], cwd=project, check=True, env=env, capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    return project, env


def try_repo(project: Path, env: dict[str, str], hook: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_pre_commit(), "try-repo", str(REPO), hook, "--all-files"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def test_compile_check_passes_when_generated_is_up_to_date_and_fails_when_stale(scratch) -> None:
    project, env = scratch
    done = try_repo(project, env, "schemac-compile-check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "schemac compile --check" in done.stdout and "Passed" in done.stdout
    write_definitions(project, {"users.yaml": USERS + "  - {name: email, type: text}\n"})  # not compiled
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    done = try_repo(project, env, "schemac-compile-check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "stale: definitions have 1 change(s) not compiled yet; run 'schemac compile'" in done.stdout


def test_the_hooks_run_schemac_commands() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    entries = {h["id"]: h["entry"] for h in hooks}
    assert entries == {"schemac-compile-check": "schemac compile --check", "schemac-lint": "schemac lint --since HEAD"}
    assert all(h["language"] == "system" and h["pass_filenames"] is False for h in hooks)
    assert {e.split()[1] for e in entries.values()} <= set(COMMANDS)


def test_the_lint_hook_fails_on_an_unacknowledged_hazard_compiled_or_not(scratch) -> None:
    """The hook lints everything since the last commit: a column's type changed (a rewrite under
    ACCESS EXCLUSIVE that can fail on rows) fails it whether or not it has been compiled yet, and
    an `allow:` on the column lets it pass."""
    project, env = scratch
    done = try_repo(project, env, "schemac-lint")  # no commit yet: everything is new, creating has no hazard
    assert done.returncode == 0, done.stdout + done.stderr
    subprocess.run(["git", "commit", "-q", "-m", "users"], cwd=project, check=True, env=env)
    done = try_repo(project, env, "schemac-lint")
    assert done.returncode == 0, done.stdout + done.stderr
    write_definitions(project, {"users.yaml": USERS.replace("type: bigint", "type: text")})
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    done = try_repo(project, env, "schemac-lint")
    assert done.returncode == 1 and "Failed" in done.stdout, done.stdout + done.stderr
    assert "rewrite" in done.stdout
    subprocess.run(["schemac", "compile"], cwd=project, check=True, env=env, capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    done = try_repo(project, env, "schemac-lint")
    assert done.returncode == 1 and "rewrite" in done.stdout, done.stdout + done.stderr
    write_definitions(project, {"users.yaml": USERS.replace("type: bigint, primary_key: true}",
                                                            "type: text, primary_key: true, allow: [rewrite, lock, "
                                                            "fails_on_rows, breaks_code]}")})
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    done = try_repo(project, env, "schemac-lint")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_project_in_a_sub_folder_through_the_hooks_args(tmp_path: Path) -> None:
    """pre-commit appends `args` after the entry, so `-C db` comes after the command."""
    project = tmp_path / "repo"
    (project / "db").mkdir(parents=True)
    write_definitions(project / "db", {"users.yaml": USERS})
    run = [sys.executable, "-m", "compiler.cli"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([*run, "compile", "-C", "db"], cwd=project, env=env, capture_output=True).returncode == 0
    done = subprocess.run([*run, "compile", "--check", "-C", "db"], cwd=project, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "up to date" in done.stdout, done.stderr
    assert (project / "db/generated/state.json").is_file() and not (project / "generated").exists()
