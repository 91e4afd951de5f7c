#!/usr/bin/env python3
"""Time `schemac compile` on a 1,000-table project against the floor of just reading its YAML.

    python3 bench/run_compile.py [--runs 5] [--tables 1000] [--out bench/out] [--profile]

Steps, each run in a fresh subprocess, `--runs` times:
  floor    yaml.load_all with yaml.CSafeLoader over every definitions file (read + parse only)
  base     `schemac compile` of the base project into an empty generated/
  evolve   `schemac compile --allow-destructive` of the `--evolve 1` definitions on top of
           a fresh copy of the base's generated/
  check    `schemac compile --check` on the evolved result

Reports the median wall time of the whole command (interpreter start-up included: the ratio
to the floor uses this), the median time inside the process (imports excluded, measured by a
small driver that calls compiler.cli.main), and peak RSS (ru_maxrss of the child).
Stdlib and the project only. --profile writes a cProfile dump per step to OUT/profiles/.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
# shared/ sits beside the project checkout
DEFAULT_GENERATOR = next((p for p in (PROJECT.parent / "shared" / "bench" / "gen_definitions.py",
                                      Path("/work/shared/bench/gen_definitions.py")) if p.is_file()),
                         PROJECT.parent / "shared" / "bench" / "gen_definitions.py")

# The floor: what PyYAML's C loader needs to read the same files, nothing more.
FLOOR = r"""
import sys, time
from pathlib import Path
import yaml
t0 = time.perf_counter()
root = Path(sys.argv[1]) / "definitions"
for p in sorted(root.rglob("*")):
    if p.suffix in (".yaml", ".yml") and p.is_file():
        list(yaml.load_all(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
print(time.perf_counter() - t0, file=sys.stderr)
"""

# Runs the real CLI entry point, timing from after the imports to the end of main().
DRIVER = r"""
import sys, time
t0 = time.perf_counter()
from compiler.cli import main
t1 = time.perf_counter()
profile = sys.argv[1]
args = sys.argv[2:]
if profile != "-":
    import cProfile
    prof = cProfile.Profile()
    prof.enable()
    rc = main(args)
    prof.disable()
    prof.dump_stats(profile)
else:
    rc = main(args)
t2 = time.perf_counter()
print(t2 - t1, file=sys.stderr)
sys.exit(rc)
"""


def load_generator(path: Path):
    spec = importlib.util.spec_from_file_location("gen_definitions", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generate(gen_path: Path, out: Path, tables: int, seed: int) -> tuple[Path, Path]:
    """Write OUT/base/definitions and OUT/evolved/definitions the way gen_definitions.py does."""
    gen = load_generator(gen_path)
    rng = random.Random(seed)
    schema = gen.make_schema(tables, rng)
    base, evolved = out / "base", out / "evolved"
    gen.write(schema, base)
    gen.evolve(schema, rng)
    gen.write(schema, evolved)
    cols = sum(len(t["columns"]) for t in schema["tables"].values())
    print(f"generated {tables} tables (evolved: {len(schema['tables'])} tables, {cols} columns)", file=sys.stderr)
    return base, evolved


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float | None, int, str]:
    """Run `cmd` and measure its wall time and its own peak RSS (via wait4)."""
    with tempfile.TemporaryFile() as err_file:  # a file, so a long stderr cannot block the child
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=err_file)
        # read stdout to its end, then reap with wait4 for this child's own rusage
        out_b = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        err_file.seek(0)
        err_b = err_file.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = out_b.decode(), err_b.decode()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}\n{err}")
    inner = None
    lines = err.strip().splitlines()
    if lines:
        try:
            inner = float(lines[-1])
        except ValueError:
            inner = None
    return wall, inner, usage.ru_maxrss, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=HERE / "out")
    p.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    p.add_argument("--profile", action="store_true", help="also write cProfile dumps per step")
    p.add_argument("--json", type=Path, help="write the figures as JSON here too")
    a = p.parse_args()

    out = a.out.resolve()
    base_defs, evolved_defs = generate(a.generator, out, a.tables, a.seed)
    work = out / "project"
    py = sys.executable
    schemac = [py, "-c", DRIVER]

    def fresh_base() -> None:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        shutil.copytree(base_defs / "definitions", work / "definitions")

    def to_evolved(base_generated: Path) -> None:
        shutil.rmtree(work / "definitions")
        shutil.copytree(evolved_defs / "definitions", work / "definitions")
        if (work / "generated").exists():
            shutil.rmtree(work / "generated")
        shutil.copytree(base_generated, work / "generated")

    steps = ("floor", "base", "evolve", "check")
    results: dict[str, dict[str, list]] = {s: {"wall": [], "inner": [], "rss": []} for s in steps}
    base_generated = out / "base_generated"
    prof_dir = out / "profiles"
    if a.profile:
        prof_dir.mkdir(parents=True, exist_ok=True)

    def record(step: str, m: tuple[float, float | None, int, str]) -> None:
        results[step]["wall"].append(m[0])
        results[step]["inner"].append(m[1])
        results[step]["rss"].append(m[2])

    def one_run(label: str, profile: bool) -> dict[str, tuple[float, float | None, int, str]]:
        def prof(step: str) -> str:
            return str(prof_dir / f"{step}.prof") if profile else "-"
        got = {"floor": timed([py, "-c", FLOOR, str(base_defs)])}
        fresh_base()
        got["base"] = timed(schemac + [prof("base"), "-C", str(work), "compile"])
        if not base_generated.exists():
            shutil.copytree(work / "generated", base_generated)
        to_evolved(base_generated)
        got["evolve"] = timed(schemac + [prof("evolve"), "-C", str(work), "compile", "--allow-destructive"])
        got["check"] = timed(schemac + [prof("check"), "-C", str(work), "compile", "--check"])
        if "up to date" not in got["check"][3]:
            sys.exit(f"compile --check did not report up to date:\n{got['check'][3]}")
        print(f"{label}: " + ", ".join(f"{s} {got[s][0]:.2f}s" for s in steps), file=sys.stderr)
        return got

    if base_generated.exists():
        shutil.rmtree(base_generated)
    if a.profile:
        one_run(f"profile pass (dumps in {prof_dir})", True)
    for i in range(a.runs):
        for step, m in one_run(f"run {i + 1}/{a.runs}", False).items():
            record(step, m)

    med = {s: {k: statistics.median(v) for k, v in results[s].items() if None not in v} for s in steps}
    floor = med["floor"]["wall"]
    floor_inner = med["floor"]["inner"]
    print(f"\n{a.runs} runs, medians; ratio = whole command / floor whole command ({floor:.3f}s)\n")
    print("| step | wall (s) | ratio to floor | in-process (s) | in-process ratio | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for s in steps:
        m = med[s]
        print(f"| {s} | {m['wall']:.3f} | {m['wall'] / floor:.2f}x | {m['inner']:.3f} | "
              f"{m['inner'] / floor_inner:.2f}x | {m['rss'] / 1024:.0f} |")
    if a.json:
        a.json.write_text(json.dumps({"runs": a.runs, "results": results, "medians": med}, indent=1))


if __name__ == "__main__":
    main()
