#!/usr/bin/env python3
"""Time introspection and apply against a real PostgreSQL.

    python3 bench/run_database.py [--runs 5] [--url postgresql://127.0.0.1:5432/postgres]

  introspect N   compiler.live.introspect.introspect() of a database holding the N-table generated
                 project (N = 100 and 1,000), in process, after one warm-up read
  psql floor     `psql -v ON_ERROR_STOP=1 -f 001_initial_schema.sql` of the 1,000-table project
                 into a fresh database: PostgreSQL's own time to load the DDL
  apply          `schemac apply` of the same migration into a fresh database (a subprocess, as
                 a user runs it: start-up, checksum checks, lock, one transaction, bookkeeping)

Medians of --runs runs. Databases are created and dropped on the server of --url.
"""
from __future__ import annotations

import argparse
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
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
GENERATOR_PLACES = [HERE.parent.parent / "shared" / "bench" / "gen_definitions.py",
                    Path("/work/shared/bench/gen_definitions.py")]

import run_compile  # noqa: E402

from compiler.live.introspect import introspect  # noqa: E402


def generator() -> Path:
    return next(p for p in GENERATOR_PLACES if p.is_file())


def compiled_project(tables: int, root: Path) -> Path:
    """The generated project, made loadable, and compiled.

    As run_compile.py does, a duplicate `status` column is renamed. The generator also puts a
    partial index `WHERE status <> 'closed'` on tables whose `status` is a plain word column
    (boolean, integer...), which PostgreSQL rightly refuses; those indexes are left out here.
    """
    import random

    gen = run_compile.load_generator(generator())
    schema = gen.make_schema(tables, random.Random(7))
    for t in schema["tables"].values():
        status = next((c for c in t["columns"] if c["name"] == "status"), None)
        if status is None or not status["type"].startswith("status_"):
            t["indexes"] = [i for i in t["indexes"] if "status" not in i.get("where", "")]
    gen.write(schema, root)
    subprocess.run(["schemac", "-C", str(root), "compile"], check=True, capture_output=True)
    return root


def fresh_database(url: str) -> str:
    name = f"schemac_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(url, dbname=name)


def drop_database(url: str, target: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--url", default="postgresql://127.0.0.1:5432/postgres")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="schemac-bench-db-"))
    rows: list[tuple[str, float, str]] = []
    try:
        for n in (100, 1000):
            project = compiled_project(n, work / f"p{n}")
            migration = next((project / "generated" / "migrations").glob("001_*.sql"))
            db = fresh_database(a.url)
            try:
                subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", str(migration)],
                               check=True, capture_output=True)
                with psycopg.connect(db) as conn:
                    introspect(conn)  # warm-up: catalog caches, plan caches
                    times = [timed(lambda conn=conn: introspect(conn)) for _ in range(a.runs)]
                    tables = len(introspect(conn).tables)
                rows.append((f"introspect {tables} tables", statistics.median(times), ""))
            finally:
                drop_database(a.url, db)
            if n != 1000:
                continue
            floor, apply = [], []
            for _ in range(a.runs):
                db = fresh_database(a.url)
                try:
                    floor.append(timed(lambda db=db, migration=migration, project=project: subprocess.run(
                        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", str(migration)],
                        check=True, capture_output=True)))
                finally:
                    drop_database(a.url, db)
                db = fresh_database(a.url)
                try:
                    apply.append(timed(lambda db=db, migration=migration, project=project: subprocess.run(
                        ["schemac", "-C", str(project), "apply", "--database-url", db], check=True,
                        capture_output=True)))
                finally:
                    drop_database(a.url, db)
            f = statistics.median(floor)
            rows.append(("psql -f initial migration, 1,000 tables (floor)", f, "1.00x"))
            rows.append(("schemac apply, same migration", statistics.median(apply),
                         f"{statistics.median(apply) / f:.2f}x"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| step | median of {a.runs} (s) | ratio to floor |")
    print("|---|---:|---:|")
    for name, seconds, ratio in rows:
        print(f"| {name} | {seconds:.3f} | {ratio} |")


if __name__ == "__main__":
    main()
