"""verify and compile --verify stopped by SIGINT or SIGTERM at random moments: always one coherent
outcome (interrupted, 130 or 143, one line; or done, exit 0) and no throwaway database left."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from compiler.live.throwaway import lock_key
from tests.conftest import REPO
from tests.helpers import write_definitions

TABLES = 12


def _definitions(extra: bool) -> str:
    docs = []
    for i in range(TABLES):
        columns = ["  - {name: id, type: bigint, primary_key: true}",
                   "  - {name: name, type: text, nullable: false, unique: true}",
                   "  - {name: note, type: varchar(40)}"]
        if i:
            columns.append(f"  - {{name: t{i - 1}_id, type: bigint, references: t{i - 1}.id}}")
        if extra:
            columns.append("  - {name: added, type: integer}")
        docs.append(f"table: t{i}\ncolumns:\n" + "\n".join(columns) + "\n")
    return "---\n".join(docs)


def _run(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        env.pop(name, None)
    return subprocess.Popen([sys.executable, "-m", "compiler.cli", "-C", str(root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _copy(base: Path, to: Path) -> Path:
    shutil.copytree(base, to)
    return to


def _orphans(admin_url: str, before: set[str]) -> set[str]:
    """Throwaway databases that appeared since `before` and whose creator is gone (lock free)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        names = {n for (n,) in conn.execute(
            r"SELECT datname FROM pg_database WHERE datname LIKE 'schemac\_throwaway\_%'").fetchall()}
        return {n for n in names - before if not conn.execute(
            "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
            "AND objsubid = 2)", lock_key(n)).fetchone()[0]}


def _throwaways(admin_url: str) -> set[str]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return {n for (n,) in conn.execute(
            r"SELECT datname FROM pg_database WHERE datname LIKE 'schemac\_throwaway\_%'").fetchall()}


class _Locks:
    """Who holds the lock of each throwaway database, looked at while the test's run goes on: one
    held by a session of another application_name is another run's (say another test's, at the
    same time on the same server), never this test's to count."""

    def __init__(self, admin_url: str, application_name: str) -> None:
        self.conn = psycopg.connect(admin_url, autocommit=True)
        self.application_name = application_name
        self.others: set[str] = set()

    def ours(self) -> set[str]:
        """The throwaway databases the test's run holds now."""
        holders = {(classid, objid): name for classid, objid, name in self.conn.execute(
            "SELECT l.classid, l.objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted").fetchall()}
        ours = set()
        for (name,) in self.conn.execute(
                r"SELECT datname FROM pg_database WHERE datname LIKE 'schemac\_throwaway\_%'").fetchall():
            holder = holders.get(lock_key(name))
            if holder == self.application_name:
                ours.add(name)
            elif holder is not None:
                self.others.add(name)
        return ours

    def watch(self, proc: subprocess.Popen, seconds: float) -> None:
        """Look on for `seconds`, or until `proc` ends."""
        deadline = time.monotonic() + seconds
        while proc.poll() is None and time.monotonic() < deadline:
            self.ours()
            time.sleep(0.02)


@pytest.mark.parametrize("command", ["verify", "compile"])
def test_a_signal_at_any_moment_ends_in_one_coherent_outcome(tmp_path: Path, admin_url: str, command: str) -> None:
    base = tmp_path / "base"
    write_definitions(base, {"schema.yaml": _definitions(extra=False)})
    assert _run(base, "compile").wait(60) == 0
    write_definitions(base, {"schema.yaml": _definitions(extra=True)})
    tag = f"signals_{uuid.uuid4().hex[:8]}"  # this test's runs, told apart from any other on the server
    dev_url = make_conninfo(admin_url, application_name=tag)
    args = ["verify", "--dev-url", dev_url] if command == "verify" else \
        ["compile", "--verify", "--dev-url", dev_url]
    started = time.monotonic()
    whole = _run(_copy(base, tmp_path / "whole"), *args)
    out, err = whole.communicate(timeout=120)
    assert whole.returncode == 0, err
    took = time.monotonic() - started
    rng = random.Random(f"{command}-signals")
    locks = _Locks(admin_url, tag)
    outcomes = []
    for attempt in range(6):
        project = _copy(base, tmp_path / f"try{attempt}")  # compile --verify writes: each try from the start
        before = _throwaways(admin_url)
        sig = (signal.SIGINT, signal.SIGTERM)[attempt % 2]
        proc = _run(project, *args)
        # not before the run has begun (a signal during Python's start is Python's own
        # KeyboardInterrupt): its first throwaway database shows it is under way; then anywhere in it
        begun = time.monotonic()
        while proc.poll() is None and not locks.ours() and time.monotonic() - begun < 60:
            time.sleep(0.02)
        locks.watch(proc, rng.random() * max(0.8 * (took - (time.monotonic() - begun)), 0.1))
        proc.send_signal(sig)
        locks.watch(proc, 120)  # its output is a few lines: the pipes do not fill meanwhile
        out, err = proc.communicate(timeout=120)
        lines = [line for line in err.splitlines() if line.strip()]
        if proc.returncode == 0:
            assert "Traceback" not in err and not any(line.startswith("error") for line in lines), err
            assert "proven" in out, out
            assert all(line.startswith("note: ") for line in lines), err
        else:
            assert proc.returncode == 128 + sig, (proc.returncode, out, err)
            # one line: the full one once the proof has begun, a bare one before (nothing started)
            assert lines in ([f"interrupted ({sig.name}); throwaway databases were dropped; nothing written."],
                             ["interrupted"]), err
        assert not _orphans(admin_url, before) - locks.others, (proc.returncode, out, err)
        outcomes.append(proc.returncode)
    locks.conn.close()
    assert any(code != 0 for code in outcomes), outcomes  # the signals did land during the proofs


def test_after_the_work_is_done_a_signal_changes_nothing() -> None:
    script = ("import os, signal\nfrom compiler.live.signals import defer_to_exit\ndefer_to_exit()\n"
              "for s in (signal.SIGINT, signal.SIGTERM):\n    os.kill(os.getpid(), s)\nprint('done')\n")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")
