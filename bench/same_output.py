#!/usr/bin/env python3
"""Check that this checkout's compile writes the same bytes as another checkout's.

    python3 bench/same_output.py --reference ../ref [--tables 1000] [--out bench/out]

`--reference` is a checkout of schemac to compare against (for example made with
`git archive main | tar -x -C ../ref`). Both compile the base project of run_compile.py, then
the evolved definitions on top of the base's generated/ (--allow-destructive), and every file
in generated/ is compared. Then this checkout's `compile --check` must call the reference's
output up to date, and the other way round. Exits 1 on the first difference.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from run_compile import DEFAULT_GENERATOR, HERE, PROJECT, generate


def schemac(code: Path, project: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(code)}
    # `python -m` puts the working folder first on sys.path: run in the checkout itself
    done = subprocess.run([sys.executable, "-m", "compiler.cli", "-C", str(project), *args], env=env, cwd=code,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{code}: schemac {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def compare(label: str, mine: Path, theirs: Path) -> None:
    a, b = tree(mine), tree(theirs)
    if a.keys() != b.keys():
        sys.exit(f"{label}: different files: only here {sorted(a.keys() - b.keys())[:5]}, "
                 f"only in the reference {sorted(b.keys() - a.keys())[:5]}")
    differ = [rel for rel in a if a[rel] != b[rel]]
    if differ:
        sys.exit(f"{label}: {len(differ)} file(s) differ, first {differ[:5]}")
    print(f"{label}: {len(a)} files, {sum(map(len, a.values())):,} bytes, identical", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", type=Path, required=True)
    p.add_argument("--tables", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=HERE / "out")
    p.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    a = p.parse_args()
    out = a.out.resolve()
    base, evolved = generate(a.generator, out, a.tables, a.seed)
    ref = a.reference.resolve()
    work = out / "same"
    if work.exists():
        shutil.rmtree(work)
    for side, code in (("mine", PROJECT), ("theirs", ref)):
        said = subprocess.run([sys.executable, "-c", "import compiler, sys; print(compiler.__file__)"], cwd=code,
                              capture_output=True, text=True).stdout.strip()
        if not said.startswith(str(code)):
            sys.exit(f"{side}: {code} imports compiler from {said}")
    for side in ("mine", "theirs"):
        shutil.copytree(base / "definitions", work / side / "definitions")
    schemac(PROJECT, work / "mine", "compile")
    schemac(ref, work / "theirs", "compile")
    compare("base", work / "mine" / "generated", work / "theirs" / "generated")
    for side, code in (("mine", PROJECT), ("theirs", ref)):
        shutil.rmtree(work / side / "definitions")
        shutil.copytree(evolved / "definitions", work / side / "definitions")
        schemac(code, work / side, "compile", "--allow-destructive")
    compare("evolved", work / "mine" / "generated", work / "theirs" / "generated")
    for side, code in (("theirs", PROJECT), ("mine", ref)):
        said = schemac(code, work / side, "compile", "--check")
        if "up to date" not in said:
            sys.exit(f"compile --check of {code} on {side}: {said}")
    print("compile --check: up to date both ways", file=sys.stderr)


if __name__ == "__main__":
    main()
