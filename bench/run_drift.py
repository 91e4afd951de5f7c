#!/usr/bin/env python3
"""Time `schemac drift` (and once `schemac verify`) on the 1,000-table project.

    python3 bench/run_drift.py [--runs 5] [--url postgresql://127.0.0.1:5432/postgres]
                               [--compare-with CHECKOUT] [--verify] [--profile FILE]
                               [--verify-server private|URL] [--profile-verify FILE]

The base project of ../shared/bench/gen_definitions.py (1,000 tables, seed 7) is compiled and
applied (`schemac apply`) to a fresh database on the server of --url; then, each in a fresh
process, --runs times:

  clean     `schemac drift` right after apply: no drift (exit 0)
  drifted   the same after hand edits on five tables (a column dropped, one added, a default
            changed, an index dropped, a check added): drift found (exit 1)

With --compare-with, the same drift commands also run from another checkout of schemac (say,
main before this change) and their output must be byte-identical. --verify also times
`schemac verify` of the project (--runs times), its throwaway databases on the server of --url,
or with --verify-server on another one (`private`: a server of its own, started here as the
test suite starts one, with max_locks_per_transaction=256, the setting a 1,000-table
rollback needs; see README). --profile writes a cProfile dump of one drifted run,
--profile-verify of one verify run.
Wall time of the whole command, interpreter start-up included; medians. The database and the
throwaway databases drift makes are dropped at the end.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import run_compile  # noqa: E402
from run_race import drop, url_of  # noqa: E402

HAND_EDITS = """
ALTER TABLE public.account_0000 DROP COLUMN created_at;
ALTER TABLE public.order_0001 ADD COLUMN added_by_hand text;
ALTER TABLE public.invoice_0002 ALTER COLUMN id DROP IDENTITY IF EXISTS;
DROP INDEX IF EXISTS public.payment_0003_created_at_idx;
ALTER TABLE public.item_0004 ADD CONSTRAINT item_0004_by_hand CHECK (id > 0);
"""


def schemac(checkout: Path, *args: str, cpu: list[float] | None = None) -> tuple[float, int, str]:
    """Wall time, exit code and output of one command; its own CPU time (user + system, os.wait4:
    the machine's other load inflates it less than the wall time) appended to `cpu`."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        # run from the checkout: `python -m` puts the working directory first on sys.path
        proc = subprocess.Popen([sys.executable, "-m", "compiler.cli", *args], stdout=out, stderr=subprocess.STDOUT,
                                cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode()
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return seconds, os.waitstatus_to_exitcode(status), text


@contextmanager
def verify_server(choice: str | None) -> Iterator[str | None]:
    """The --dev-url for verify: none (the server of --url), a URL, or a private server of its own."""
    if choice != "private":
        yield choice
        return
    sys.path.insert(0, str(PROJECT))
    from tests.db.test_private_server import PrivateServer

    tmp = Path(tempfile.mkdtemp(prefix="schemac-pg-"))  # not under a folder the server's user cannot reach
    server = PrivateServer(tmp)
    server.start("max_locks_per_transaction=256")
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--url", default="postgresql://127.0.0.1:5432/postgres")
    p.add_argument("--generator", type=Path, default=run_compile.DEFAULT_GENERATOR)
    p.add_argument("--compare-with", type=lambda text: Path(text).resolve(),
                   help="another schemac checkout whose drift output must be identical")
    p.add_argument("--verify", action="store_true", help="also time `schemac verify` (and the other checkout's)")
    p.add_argument("--no-drift", action="store_true", help="time verify only")
    p.add_argument("--verify-server", help="'private' or the URL of a database on the server for verify's "
                                           "throwaway databases (--dev-url)")
    p.add_argument("--profile", type=Path, help="write a cProfile dump of one drifted run here")
    p.add_argument("--profile-verify", type=Path, help="write a cProfile dump of one verify run here")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="schemac-drift-"))
    name = f"drift_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(a.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = url_of(a.url, name)
    rows: list[tuple[str, list[float], list[float]]] = []
    try:
        base, _ = run_compile.generate(a.generator, work, a.tables, a.seed)
        for step in (("compile",), ("apply", "--database-url", db)):
            _, code, out = schemac(PROJECT, "-C", str(base), *step)
            if code != 0:
                sys.exit(f"{step[0]} failed:\n{out}")
        drift = ("-C", str(base), "drift", "--database-url", db)
        for label, expected, edits in () if a.no_drift else (("clean", 0, None), ("drifted", 1, HAND_EDITS)):
            if edits:
                with psycopg.connect(db, autocommit=True) as conn:
                    conn.execute(edits)
            times, other, cpu, other_cpu = [], [], [], []
            outputs, others = set(), set()
            for i in range(a.runs):  # the other checkout interleaved, so that the machine's load falls on both
                seconds, code, out = schemac(PROJECT, *drift, cpu=cpu)
                if code != expected:
                    sys.exit(f"drift ({label}) exited {code}, not {expected}:\n{out}")
                times.append(seconds)
                outputs.add(out)
                print(f"{label} run {i + 1}/{a.runs}: {seconds:.2f} s", file=sys.stderr)
                if a.compare_with:
                    seconds, code, out = schemac(a.compare_with, *drift, cpu=other_cpu)
                    other.append(seconds)
                    others.add((code, out))
                    print(f"{label} run {i + 1}/{a.runs}, {a.compare_with}: {seconds:.2f} s", file=sys.stderr)
            assert len(outputs) == 1, "drift gave different outputs from run to run"
            rows.append((f"drift, {label}", times, cpu))
            if a.compare_with:
                same = "identical" if others == {(expected, outputs.pop())} else "DIFFERENT"
                rows.append((f"drift, {label}, {a.compare_with.name} ({same} output)", other, other_cpu))
        if a.profile:
            done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(a.profile.resolve()), "-m",
                                   "compiler.cli", *drift], capture_output=True, cwd=PROJECT,
                                  env={**os.environ, "PYTHONPATH": str(PROJECT)})
            print(f"profile of a drifted run in {a.profile} (exit {done.returncode})", file=sys.stderr)
        if a.verify or a.profile_verify:
            with verify_server(a.verify_server) as dev:
                verify = ("-C", str(base), "verify", "--database-url", db, *(("--dev-url", dev) if dev else ()))
                times, cpu = [], []
                for i in range(a.runs if a.verify else 0):
                    seconds, code, out = schemac(PROJECT, *verify, cpu=cpu)
                    if code != 0:
                        sys.exit(f"verify failed ({code}):\n{out}")
                    times.append(seconds)
                    print(f"verify run {i + 1}/{a.runs}: {seconds:.2f} s", file=sys.stderr)
                where = " (private server)" if a.verify_server == "private" else ""
                if times:
                    rows.append((f"verify{where}", times, cpu))
                other, other_cpu = [], []
                for i in range(a.runs if a.verify and a.compare_with else 0):
                    seconds, code, out = schemac(a.compare_with, *verify, cpu=other_cpu)
                    if code != 0:
                        sys.exit(f"verify of {a.compare_with} failed ({code}):\n{out}")
                    other.append(seconds)
                    print(f"verify run {i + 1}/{a.runs}, {a.compare_with}: {seconds:.2f} s", file=sys.stderr)
                if other:
                    rows.append((f"verify{where}, {a.compare_with.name}", other, other_cpu))
                if a.profile_verify:
                    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(a.profile_verify.resolve()),
                                           "-m", "compiler.cli", *verify], capture_output=True, cwd=PROJECT,
                                          env={**os.environ, "PYTHONPATH": str(PROJECT)})
                    print(f"profile of a verify run in {a.profile_verify} (exit {done.returncode})", file=sys.stderr)
    finally:
        drop(a.url, name)
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"\n{a.tables} tables; {a.runs} runs, medians; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end\n")
    print("| step | wall (s) | CPU (s) | runs (wall) |")
    print("|---|---:|---:|---|")
    for label, times, cpu in rows:
        print(f"| {label} | {statistics.median(times):.2f} | {statistics.median(cpu):.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times)} |")


if __name__ == "__main__":
    main()
