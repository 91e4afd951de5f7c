"""The schemac command line: parses arguments, calls the pipeline, maps outcomes to exit codes."""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .errors import DefinitionErrors, StateError
from .pipeline import check_project, compile_project, write_result
from .project import Project

EXIT_OK, EXIT_STALE, EXIT_BAD_INPUT, EXIT_REFUSED = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="schemac", description="Compile YAML schema definitions into "
                                                           "PostgreSQL migrations.")
    p.add_argument("-C", dest="directory", default=".", help="run in this project folder")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="write the next migration, its rollback and state")
    c.add_argument("-m", dest="name", help="name of the migration")
    c.add_argument("--allow-destructive", action="store_true", help="allow drops and narrowing")
    c.add_argument("--check", action="store_true", help="write nothing; exit 1 if generated/ is stale")
    pl = sub.add_parser("plan", help="print the SQL compile would write")
    pl.add_argument("-m", dest="name", help="name of the migration")
    return p


def _compile(project: Project, args: argparse.Namespace) -> int:
    if args.check:
        problems = check_project(project)
        for line in problems:
            print(f"stale: {line}")
        if not problems:
            print("generated/ is up to date")
        return EXIT_STALE if problems else EXIT_OK
    result = compile_project(project, args.name, args.allow_destructive)
    if not result.changes:
        print("No changes: the definitions match generated/state.json; nothing written.")
        return EXIT_OK
    if result.refused:
        print("Refusing destructive changes (run with --allow-destructive to apply them):", file=sys.stderr)
        for line in result.refused:
            print(f"  - {line}", file=sys.stderr)
        return EXIT_REFUSED
    write_result(project, result)
    assert result.record is not None
    print(f"wrote generated/{result.record.file} ({len(result.changes)} change(s))")
    print(f"wrote generated/{result.record.rollback}")
    print("wrote generated/state.json")
    return EXIT_OK


def _plan(project: Project, args: argparse.Namespace) -> int:
    result = compile_project(project, args.name, allow_destructive=True)
    if not result.changes:
        print("-- No changes: the definitions match generated/state.json.")
        return EXIT_OK
    sys.stdout.write(result.up_sql)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project = Project(Path(args.directory))
    # A command builds hundreds of thousands of small objects and keeps them to the end; the
    # cyclic collector would rescan them again and again (a fifth of the run on 1,000 tables).
    # Nothing here depends on collecting cycles early, so pause it for the command.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(project, args)
    finally:
        if collecting:
            gc.enable()


def _run(project: Project, args: argparse.Namespace) -> int:
    try:
        if args.command == "compile":
            return _compile(project, args)
        return _plan(project, args)
    except DefinitionErrors as e:
        for err in e.errors:
            print(err, file=sys.stderr)
        print(f"{len(e.errors)} error(s); nothing written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StateError as e:
        print(f"generated/state.json: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
