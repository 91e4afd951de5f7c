#!/usr/bin/env python3
"""Database to database: `schemac diff` against pgmig 1.1 and migra 3.0, on the 1,000-table schemas.

    python3 bench/run_race.py [--runs 5] [--url postgresql://127.0.0.1:5432/postgres] [--peers DIR]

Two databases are built on the server of --url: the base project of ../shared/bench/gen_definitions.py
(1,000 tables, seed 7) and its `--evolve 1` version (1,039 tables), each compiled by schemac and
loaded with `psql -f`. Then each tool, in a fresh process, `--runs` times, reads both databases
and prints the SQL that turns the base into the evolved one:

  schemac   python3 -m compiler.cli diff --from BASE --to EVOLVED   (this checkout)
  pgmig     pgmig generate -s BASE -t EVOLVED
  migra     migra --unsafe BASE EVOLVED

pgmig and migra run from their own virtualenv (--peers, default /tmp/schemac-bench-peers; made
with `pip install pgmig==1.1.0 migra==3.0.1663481299 psycopg2-binary` when missing), never from
the project's dependencies. Each tool's SQL is then proven: run with `psql -v ON_ERROR_STOP=1`
on a copy of the base (CREATE DATABASE ... TEMPLATE), whose catalog (tests/db/catalog.py: every
table, column, constraint, index, enum, sequence and comment as PostgreSQL prints it) must equal
the evolved database's. Wall time is the whole command, interpreter start-up included; CPU is
the child's own user + system time (os.wait4), which the machine's other load does not inflate
as much. Medians. Every database made here is dropped at the end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

import run_compile  # noqa: E402

from tests.db.catalog import catalog  # noqa: E402

PEERS = ("pgmig==1.1.0", "migra==3.0.1663481299", "psycopg2-binary")


def peers_venv(where: Path) -> Path:
    """The virtualenv holding pgmig and migra, made when missing; its bin/."""
    bin_dir = where / "bin"
    if not (bin_dir / "pgmig").exists() or not (bin_dir / "migra").exists():
        print(f"installing {', '.join(PEERS)} into {where}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *PEERS], check=True)
    return bin_dir


def database(admin: str, prefix: str) -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of(admin: str, name: str) -> str:
    """The URL of database `name` on the server of `admin`, as a postgresql:// URL (migra takes no
    other form) when `admin` is one."""
    if admin.startswith(("postgresql://", "postgres://")):
        head, _, query = admin.partition("?")
        scheme, _, rest = head.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    return make_conninfo(admin, dbname=name)


def psql(url: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)],
                          capture_output=True, text=True)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str]:
    """Wall time, the child's CPU time, exit code, stdout, stderr. Run from this checkout: `python -m`
    puts the working directory first on sys.path."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=PROJECT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status),
                out.read().decode(), err.read().decode())


def proven(admin: str, base: str, target_url: str, sql: str, work: Path) -> str:
    """'yes', or what differs: the SQL run on a copy of the base must give the target's catalog."""
    path = work / "migration.sql"
    path.write_text(sql)
    copy = f"race_copy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{base}"')
    try:
        url = url_of(admin, copy)
        done = psql(url, path)
        if done.returncode != 0:
            return f"no: psql failed: {done.stderr.strip().splitlines()[-1]}"
        got, want = catalog(url), catalog(target_url)
        differing = [f"{part} ({len(set(want[part]) ^ set(got[part]))} rows)" for part in want
                     if got[part] != want[part]]
        return "yes" if not differing else "no: " + ", ".join(differing)
    finally:
        drop(admin, copy)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--url", default="postgresql://127.0.0.1:5432/postgres", help="a database on the server to use")
    p.add_argument("--peers", type=Path, default=Path(tempfile.gettempdir()) / "schemac-bench-peers",
                   help="virtualenv for pgmig and migra (made when missing)")
    p.add_argument("--generator", type=Path, default=run_compile.DEFAULT_GENERATOR)
    p.add_argument("--only", action="append", choices=("schemac", "pgmig", "migra"), help="run only these tools")
    a = p.parse_args()
    peers = peers_venv(a.peers)
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    work = Path(tempfile.mkdtemp(prefix="schemac-race-"))
    made: list[str] = []
    try:
        base_defs, evolved_defs = run_compile.generate(a.generator, work, a.tables, a.seed)
        urls = {}
        for label, project in (("base", base_defs), ("evolved", evolved_defs)):
            subprocess.run([sys.executable, "-m", "compiler.cli", "-C", str(project), "compile"], check=True,
                           capture_output=True, env=env, cwd=PROJECT)
            name = database(a.url, f"race_{label}")
            made.append(name)
            urls[label] = url_of(a.url, name)
            migration = next((project / "generated" / "migrations").glob("001_*.sql"))
            done = psql(urls[label], migration)
            if done.returncode != 0:
                sys.exit(f"loading the {label} schema failed:\n{done.stderr}")
        base, evolved = urls["base"], urls["evolved"]
        tools = {
            "schemac diff": [sys.executable, "-m", "compiler.cli", "diff", "--from", base, "--to", evolved],
            "pgmig 1.1": [str(peers / "pgmig"), "generate", "-s", base, "-t", evolved],
            "migra 3.0": [str(peers / "migra"), "--unsafe", base, evolved],
        }
        if a.only:
            tools = {k: v for k, v in tools.items() if k.split()[0] in a.only}
        wall: dict[str, list[float]] = {t: [] for t in tools}
        cpu: dict[str, list[float]] = {t: [] for t in tools}
        output: dict[str, str] = {}
        for i in range(a.runs):
            for tool, cmd in tools.items():  # interleaved, so that the machine's load falls on all alike
                seconds, used, code, out, err = run(cmd, env)
                if code not in (0, 2):  # migra exits 2 when it printed differences
                    sys.exit(f"{tool} failed ({code}):\n{err[-3000:]}")
                wall[tool].append(seconds)
                cpu[tool].append(used)
                output[tool] = out
                print(f"run {i + 1}/{a.runs}: {tool} {seconds:.2f} s wall, {used:.2f} s CPU", file=sys.stderr)
        correct = {tool: proven(a.url, made[0], evolved, output[tool], work) for tool in tools}
    finally:
        for name in made:
            drop(a.url, name)
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    ours = statistics.median(wall["schemac diff"]) if "schemac diff" in wall else None
    print(f"\n{a.tables} tables -> evolved; {a.runs} runs, medians; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end\n")
    print("| tool | wall (s) | CPU (s) | wall / schemac | SQL lines | migrated copy equals target |")
    print("|---|---:|---:|---:|---:|---|")
    for tool in tools:
        w = statistics.median(wall[tool])
        ratio = f"{w / ours:.1f}x" if ours else "-"
        print(f"| {tool} | {w:.2f} | {statistics.median(cpu[tool]):.2f} | {ratio} | "
              f"{output[tool].count(chr(10))} | {correct[tool]} |")


if __name__ == "__main__":
    main()
