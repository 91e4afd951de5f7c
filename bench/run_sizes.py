#!/usr/bin/env python3
"""Compile at several sizes: time and peak memory per table, sizes x steps in one table.

    python3 bench/run_sizes.py [--sizes 100,1000,10000] [--runs 5] [--out bench/out/sizes] [--code DIR]

For each size N the generator writes the N-table project and its `--evolve 1` version (seed 7,
as run_compile.py), then each step runs in a fresh subprocess, `--runs` times:
  floor    yaml.load_all with yaml.CSafeLoader over every definitions file
  base     `schemac compile` into an empty generated/ (no cache: a fresh project)
  evolve   `schemac compile --allow-destructive` of the evolved definitions on the base's output
           (the base compile's cache is there, as it would be on the machine that ran it)
  check    `schemac compile --check` of the result with .schemac-cache/ removed (a fresh clone, CI)
  recheck  `schemac compile --check` again: nothing changed since the last check, all cached
Printed: median wall time (interpreter start included) and its ratio to the floor, median time
in the process after imports and per table, and peak RSS (the child's ru_maxrss) in total and
per table. Stdlib and the project only.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from run_compile import DEFAULT_GENERATOR, DRIVER, FLOOR, HERE, PROJECT, generate
from run_compile import timed as timed_in

STEPS = ("floor", "base", "evolve", "check", "recheck")


def measure(size: int, runs: int, out: Path, generator: Path, seed: int, code: Path
            ) -> dict[str, dict[str, float]]:
    base_defs, evolved_defs = generate(generator, out, size, seed)
    work, py = out / "project", sys.executable
    schemac = [py, "-c", DRIVER, "-"]

    def timed(cmd: list[str]) -> tuple[float, float | None, int, str]:
        return timed_in(cmd, cwd=code)  # `python -c` imports compiler from its working folder

    got: dict[str, dict[str, list[float]]] = {s: {"wall": [], "inner": [], "rss": []} for s in STEPS}
    for i in range(runs):
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        shutil.copytree(base_defs / "definitions", work / "definitions")
        m = {"floor": timed([py, "-c", FLOOR, str(base_defs)]),
             "base": timed(schemac + ["-C", str(work), "compile"])}
        shutil.rmtree(work / "definitions")
        shutil.copytree(evolved_defs / "definitions", work / "definitions")
        m["evolve"] = timed(schemac + ["-C", str(work), "compile", "--allow-destructive"])
        shutil.rmtree(work / ".schemac-cache", ignore_errors=True)
        for step in ("check", "recheck"):
            m[step] = timed(schemac + ["-C", str(work), "compile", "--check"])
            if "up to date" not in m[step][3]:
                sys.exit(f"{size} tables: compile --check did not say up to date:\n{m[step][3]}")
        for step, (wall, inner, rss, _) in m.items():
            got[step]["wall"].append(wall)
            got[step]["inner"].append(inner if inner is not None else float("nan"))
            got[step]["rss"].append(rss)
        print(f"{size} tables, run {i + 1}/{runs}: " + ", ".join(f"{s} {m[s][0]:.2f}s" for s in STEPS),
              file=sys.stderr)
    return {s: {k: statistics.median(v) for k, v in got[s].items()} for s in STEPS}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,10000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=HERE / "out" / "sizes")
    p.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    p.add_argument("--code", type=Path, default=PROJECT, help="the schemac checkout to run (default: this one)")
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    results = {n: measure(n, a.runs, a.out.resolve() / str(n), a.generator, a.seed, a.code.resolve()) for n in sizes}
    reference = 1000 if 1000 in results else sizes[0]
    print(f"\n{a.runs} runs, medians. wall: the whole command; x floor: wall over the floor's wall; "
          f"in-process: after imports; per table vs {reference:,}: in-process per table over that "
          f"of the same step at {reference:,} tables\n")
    print("| tables | step | wall (s) | x floor | in-process (s) | ms per table | per table vs "
          f"{reference:,} | peak RSS (MiB) | KB per table |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        med = results[n]
        for s in STEPS:
            m = med[s]
            per = m["inner"] / n * 1000
            ref = results[reference][s]["inner"] / reference * 1000
            print(f"| {n:,} | {s} | {m['wall']:.3f} | {m['wall'] / med['floor']['wall']:.2f}x | {m['inner']:.3f} "
                  f"| {per:.3f} | {per / ref:.2f}x | {m['rss'] / 1024:.0f} | {m['rss'] / n:.1f} |")


if __name__ == "__main__":
    main()
