"""The pull-request workflow (.github/workflows/schema.yml) is a valid workflow that does what the
README says: checked by actionlint (with shellcheck over its scripts) and read as YAML."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from compiler.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "schema.yml"


def _tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.is_file() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    shellcheck = Path(_tool("shellcheck")).parent  # actionlint checks run: scripts when shellcheck is on PATH
    return subprocess.run([_tool("actionlint"), "-no-color", "-shellcheck", str(shellcheck / "shellcheck"),
                           str(path)], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_actionlint_finds_nothing() -> None:
    done = actionlint(WORKFLOW)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_actionlint_catches_a_broken_copy(tmp_path: Path) -> None:
    """The check can fail: a script with an unquoted variable, and an unknown context."""
    broken = tmp_path / ".github" / "workflows" / "schema.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text().replace('"$RUNNER_TEMP/lint.txt"', "$RUNNER_TEMP/lint.txt", 1)
    broken.write_text(text.replace("${{ github.base_ref }}", "${{ github.base_branch }}"))
    done = actionlint(broken)
    assert done.returncode == 1
    assert "shellcheck reported issue" in done.stdout and "base_branch" in done.stdout


def _workflow() -> dict:
    text = yaml.safe_load(WORKFLOW.read_text())
    text["on"] = text.pop(True)  # YAML 1.1 reads the key `on` as true
    return text


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_pull_requests_are_compiled_linted_verified_and_reviewed() -> None:
    flow = _workflow()
    assert flow["on"]["pull_request"]["paths"] == ["definitions/**", "generated/**", "templates/**", "schemac.yaml"]
    review = flow["jobs"]["review"]
    assert review["if"] == "github.event_name == 'pull_request'"
    assert review["services"]["postgres"]["image"].startswith("postgres:")
    runs = _runs(review)
    order = [runs.index(command) for command in ("pip install", "schemac compile --check", "schemac lint",
                                                 "schemac verify", "schemac review --base-state")]
    assert order == sorted(order)
    assert "$GITHUB_STEP_SUMMARY" in runs
    assert flow["permissions"] == {"contents": "read"}  # no write token on pull requests


def test_the_chartdb_files_are_refreshed_on_main_weekly_and_by_hand() -> None:
    flow = _workflow()
    assert flow["on"]["push"] == {"branches": ["main"], "paths": ["definitions/**"]}
    assert len(flow["on"]["schedule"]) == 1 and "workflow_dispatch" in flow["on"]
    chartdb = flow["jobs"]["chartdb"]
    assert chartdb["if"] == "github.event_name != 'pull_request'"
    assert chartdb["permissions"] == {"contents": "write"}
    assert "schemac chartdb" in _runs(chartdb) and "git push" in _runs(chartdb)


def test_every_schemac_command_the_workflow_runs_exists() -> None:
    import re

    used = set(re.findall(r"\bschemac ([a-z-]+)", "\n".join(_runs(j) for j in _workflow()["jobs"].values())))
    assert {"compile", "verify", "review", "chartdb", "lint"} <= used
    assert used <= set(COMMANDS)
