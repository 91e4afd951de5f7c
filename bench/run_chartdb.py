#!/usr/bin/env python3
"""Time the diagram files (ChartDB JSON, per-table JSON, schema.md) of a 1,000-table project.

    python3 bench/run_chartdb.py [--runs 5] [--tables 1000] [--out bench/out]

Uses the project that bench/run_compile.py generates (OUT/base/definitions; it is generated
the same way when missing). Reports medians, in-process, the garbage collector running as in
the CLI:
  make     diagram_files(schema, folders): every document built and serialised, no I/O
  write    writing those files into an empty generated/ (atomic writes, one sync)
  compile  the whole `compile` of the project (migration, rollback, state and diagrams)
  without  the same compile with diagrams switched off, for the difference
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from compiler.definitions.read import read_definitions_and_folders  # noqa: E402
from compiler.diagrams.chartdb import diagram_files  # noqa: E402
from compiler.diagrams.files import write_diagrams  # noqa: E402
from compiler.pipeline import compile_project, write_result  # noqa: E402
from compiler.project import Project  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--out", type=Path, default=HERE / "out")
    a = p.parse_args()
    base = a.out / "base"
    if not (base / "definitions").is_dir():
        import run_compile

        run_compile.generate(run_compile.DEFAULT_GENERATOR, a.out, a.tables, 7)
    work = a.out / "chartdb_project"
    schema, folders = read_definitions_and_folders(Project(base))
    times: dict[str, list[float]] = {"make": [], "write": [], "compile": [], "without": []}
    for _ in range(a.runs):
        t0 = time.perf_counter()
        files = dict(diagram_files(schema, folders))  # every file made (they are made as read)
        times["make"].append(time.perf_counter() - t0)
        for diagrams in (True, False):
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            shutil.copytree(base / "definitions", work / "definitions")
            project = Project(work)
            os.sync()  # earlier runs' writes are not flushed on this run's clock
            t0 = time.perf_counter()
            write_result(project, compile_project(project, diagrams=diagrams))
            times["compile" if diagrams else "without"].append(time.perf_counter() - t0)
        shutil.rmtree(work / "generated" / "chartdb", ignore_errors=True)
        (work / "generated" / "schema.md").unlink(missing_ok=True)
        os.sync()
        t0 = time.perf_counter()
        write_diagrams(Project(work), files)
        times["write"].append(time.perf_counter() - t0)
    size = sum(len(b) for b in files.values())
    print(f"{len(schema.tables)} tables, {len(files)} diagram files, {size / 1e6:.1f} MB; "
          f"{a.runs} runs, medians (s)")
    print("| step | seconds |\n|---|---:|")
    for step, values in times.items():
        print(f"| {step} | {statistics.median(values):.3f} |")
    print(f"| compile - without | {statistics.median(times['compile']) - statistics.median(times['without']):.3f} |")


if __name__ == "__main__":
    main()
