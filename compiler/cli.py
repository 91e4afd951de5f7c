"""The schemac command line: parses arguments, calls the pipeline, maps outcomes to exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .definitions.settings import Settings, load_settings
from .diagrams.files import project_diagrams, write_diagrams
from .errors import DatabaseError, DefinitionErrors, StateError, TemplateProblem, did_you_mean
from .model.hazard_names import HAZARDS, MEANING
from .pipeline import (
    CompileResult,
    check_project,
    clear_leftovers,
    compile_project,
    refresh_diagrams,
    refresh_warehouse,
    review_project,
    seeds_problem,
    write_result,
    write_seeds,
)
from .plan.lint import Acknowledgements, Finding, unacknowledged
from .plan.order import Plan
from .plan.summary import ALLOWED, CLEAN, CREATED, DROPPED, HAZARD, Line, summarize, summary_lines
from .project import Project, one_writer, write_atomically
from .sql.history import HistoryErrors

# The database commands' modules (psycopg and all) are imported by those commands only:
# importing them took a tenth of a second off every compile.

EXIT_OK, EXIT_STALE, EXIT_BAD_INPUT, EXIT_REFUSED, EXIT_DATABASE, EXIT_NOT_PROVEN = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="schemac", description="Compile YAML schema definitions into "
                                                           "PostgreSQL migrations.")
    p.add_argument("-C", dest="directory", default=".", help="run in this project folder")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="write the next migration, its rollback and state")
    c.add_argument("-m", dest="name", help="name of the migration")
    c.add_argument("--allow-destructive", action="store_true", help="allow drops and narrowing")
    mode = c.add_mutually_exclusive_group()  # --check writes nothing and proves nothing: 'verify' does that
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if generated/ is stale")
    mode.add_argument("--verify", action="store_true", help="write nothing unless the migration is proven "
                                                            "on throwaway databases (see verify)")
    _with_dev_url(_with_url(c))
    pl = sub.add_parser("plan", help="print the SQL compile would write")
    pl.add_argument("-m", dest="name", help="name of the migration")
    li = _with_dev_url(_with_url(sub.add_parser(
        "lint", help="list the hazards of the pending changes (or of a compiled migration); exit 1 while "
                     "one is not acknowledged", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="hazards:\n" + "\n".join(f"  {h:<14}{MEANING[h]}" for h in HAZARDS))))
    which = li.add_mutually_exclusive_group()
    which.add_argument("--migration", metavar="N|NAME", help="a compiled migration instead (its number or name); "
                                                             "replayed on a throwaway database to recover its plan")
    which.add_argument("--base-state", type=Path, metavar="FILE",
                       help="everything since this state.json (a pull request's base branch's; an empty file: "
                            "none), compiled or not")
    which.add_argument("--since", metavar="REF",
                       help="everything since generated/state.json at this git commit (HEAD: what is not "
                            "committed yet, for a pre-commit hook), compiled or not")
    li.add_argument("--allow", nargs="+", action="extend", default=[], metavar="HAZARD", type=_hazard,
                    help=f"acknowledge these hazards everywhere, for this run ({', '.join(HAZARDS)})")
    rv = sub.add_parser("review", help="print Markdown for a pull request: its migrations' SQL, what is not "
                                       "compiled yet, the ER diagram of the tables changed")
    rv.add_argument("--base-state", type=Path, metavar="FILE",
                    help="the base branch's generated/state.json (an empty file: it has none); the migrations "
                         "newer than it are reviewed. Without it, only what is not compiled yet")
    cd = sub.add_parser("chartdb", help="write the ChartDB JSON and schema.md only")
    cd.add_argument("-o", dest="output", type=Path, metavar="FILE",
                    help="write the whole-diagram JSON (ChartDB's Import diagram) to FILE instead")
    a = _with_lock_timeout(_with_url(sub.add_parser("apply", help="apply pending migrations")))
    a.add_argument("--dev-url", help="with --baseline: a server where schemac may create throwaway databases "
                                     "(default: $SCHEMAC_DEV_DATABASE_URL, then the database URL's server)")
    a.add_argument("--dry-run", action="store_true", help="print what would run; change nothing")
    a.add_argument("--seed", action="store_true", help="then load generated/seeds.sql, as 'schemac seed' does")
    upto = a.add_mutually_exclusive_group()
    upto.add_argument("--to", type=_count, metavar="N", help="stop after migration N")
    upto.add_argument("--baseline", type=_count, metavar="N",
                      help="record migrations up to N as applied without running them, if the database "
                           "already has their schema")
    r = _with_lock_timeout(_with_url(sub.add_parser("rollback", help="run rollbacks, newest first")))
    how = r.add_mutually_exclusive_group()
    how.add_argument("--steps", type=_count, metavar="N", help="roll back the newest N migrations (default 1)")
    how.add_argument("--to", type=_count, metavar="N", help="roll back every migration after N")
    _with_url(sub.add_parser("seed", help="load generated/seeds.sql in one transaction (run it twice: "
                                          "nothing changes)"))
    _with_url(sub.add_parser("status", help="applied, pending, tampered"))
    _with_dev_url(_with_url(sub.add_parser("drift", help="compare the live database with generated/state.json")))
    _with_dev_url(_with_url(sub.add_parser("verify", help="prove the migrations on throwaway databases")))
    i = _with_url(sub.add_parser("import", help="write definitions/ from an existing database"))
    i.add_argument("--schema", action="append", dest="schemas", metavar="S", help="only this schema (repeatable)")
    i.add_argument("--force", action="store_true", help="replace YAML already in definitions/")
    d = sub.add_parser("diff", help="print the SQL that turns one database's schema into another's "
                                    "(no definitions, nothing written)")
    d.add_argument("--from", dest="from_url", required=True, metavar="URL", help="the database to migrate")
    d.add_argument("--to", dest="to_url", required=True, metavar="URL", help="the database whose schema it should get")
    rs = _with_dev_url(_with_url(sub.add_parser("rebuild-state", help="write a lost generated/state.json again "
                                                                      "from the migration files")))
    rs.add_argument("--force", action="store_true", help="replace a state.json that can still be read")
    js = sub.add_parser("json-schema", help="print the JSON Schema of definition files, for editors "
                                            "(schemac json-schema > schemac.schema.json)")
    js.add_argument("--settings", action="store_true", help="print the JSON Schema of schemac.yaml instead")
    for command in sub.choices.values():  # also after the command: tools such as pre-commit append their args
        command.add_argument("-C", dest="directory", default=argparse.SUPPRESS, help="run in this project folder")
    return p


def _count(text: str) -> int:
    """A whole number, zero or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _hazard(text: str) -> str:
    """A hazard name (argparse type)."""
    if text not in HAZARDS:
        raise argparse.ArgumentTypeError(f"unknown hazard '{text}'{did_you_mean(text, HAZARDS)}; "
                                         f"the hazards are {', '.join(HAZARDS)}")
    return text


def _seconds(text: str) -> float:
    """A number of seconds, zero or more (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text} is not 0 or more")
    return value


def _with_url(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL, then $NEON_DATABASE_URL)")
    return p


def _with_dev_url(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--dev-url", help="a server where schemac may create throwaway databases "
                                     "(default: $SCHEMAC_DEV_DATABASE_URL, then the database URL's server)")
    return p


def _with_lock_timeout(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--lock-timeout", type=_seconds, metavar="SECONDS",
                   help="how long to wait for another apply or rollback on the database "
                        "(default: apply_lock_timeout in schemac.yaml, else 60)")
    return p


def _settings(project: Project, args: argparse.Namespace) -> Settings:
    """schemac.yaml, with --lock-timeout over its apply_lock_timeout."""
    settings = load_settings(project.root)
    timeout = getattr(args, "lock_timeout", None)
    return settings if timeout is None else replace(settings, lock_timeout=timeout)


def _apply(project: Project, args: argparse.Namespace) -> int:
    from .live.apply import apply
    from .live.database import resolve_url

    if args.baseline is not None:
        return _baseline(project, args)
    if args.dev_url is not None:  # only a baseline builds anything on a throwaway database
        print("error: --dev-url is for --baseline; apply runs migrations on the database only", file=sys.stderr)
        return EXIT_BAD_INPUT
    url = resolve_url(args.database_url)
    seeds = _seeds_to_load(project) if args.seed else None  # a stale seeds.sql stops apply before it starts
    if isinstance(seeds, int):
        return seeds
    done = apply(project, url, _settings(project, args), to=args.to, dry_run=args.dry_run)
    if not done:
        print("Nothing to apply: the database is up to date.")
    elif not args.dry_run:
        print(f"applied {len(done)} migration(s)")
    if seeds is not None:
        if args.dry_run:
            print("would load generated/seeds.sql")
            return EXIT_OK
        return _load_seeds(url, seeds)
    return EXIT_OK


def _seed(project: Project, args: argparse.Namespace) -> int:
    from .live.database import resolve_url

    seeds = _seeds_to_load(project)
    return seeds if isinstance(seeds, int) else _load_seeds(resolve_url(args.database_url), seeds)


def _seeds_to_load(project: Project) -> str | int:
    """generated/seeds.sql when it is what compile makes of seeds/, else the exit code, said why."""
    problem = seeds_problem(project)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_STALE
    return (project.generated / "seeds.sql").read_text(encoding="utf-8")


def _load_seeds(url: str, seeds: str) -> int:
    from .live.seed import load_seeds

    load_seeds(url, seeds)
    print("loaded generated/seeds.sql (one transaction)")
    return EXIT_OK


def _baseline(project: Project, args: argparse.Namespace) -> int:
    from .live.baseline import baseline
    from .live.database import resolve_url

    if args.dry_run:
        print("error: --baseline records without running anything; it takes no --dry-run", file=sys.stderr)
        return EXIT_BAD_INPUT
    found = baseline(project, resolve_url(args.database_url), _settings(project, args), args.baseline,
                     dev_url=args.dev_url)
    if found.differences:
        print(f"The database differs from the schema of migrations up to {args.baseline}; nothing recorded:")
        for line in found.differences:
            print(f"  - {line}")
        return EXIT_STALE
    for m in found.recorded:
        print(f"recorded {m.file.removeprefix('migrations/')} as applied (not run)")
    print(f"baseline: the database is at migration {args.baseline}" if found.recorded
          else f"Nothing to record: migrations up to {args.baseline} are already applied.")
    return EXIT_OK


def _rollback(project: Project, args: argparse.Namespace) -> int:
    from .live.apply import rollback
    from .live.database import resolve_url

    url = resolve_url(args.database_url)
    done = rollback(project, url, _settings(project, args), steps=args.steps, to=args.to)
    print(f"rolled back {len(done)} migration(s)" if done else "Nothing to roll back.")
    return EXIT_OK


def _status(project: Project, args: argparse.Namespace) -> int:
    from .live.apply import read_status
    from .live.database import resolve_url

    status = read_status(project, resolve_url(args.database_url), _settings(project, args))
    for m, row in status.applied:
        print(f"applied   {m.file.removeprefix('migrations/')}  {row.applied_at:%Y-%m-%d %H:%M:%S%z}")
    for m in status.pending:
        print(f"pending   {m.file.removeprefix('migrations/')}")
    for m, why in status.tampered:
        print(f"tampered  {m.file.removeprefix('migrations/')}  ({why})")
    applied = {m.version for m, _ in status.applied}
    for m, why in status.rollbacks:
        name = m.file.removeprefix("migrations/")
        consequence = (f"{name} is applied, but rolling it back would be refused" if m.version in applied
                       else f"once {name} is applied, rolling it back would be refused")
        print(f"tampered  {m.rollback.removeprefix('migrations/')}  ({why}; {consequence})")
    for row in status.unknown:
        print(f"tampered  version {row.version} ({row.name}) is applied in the database but not in generated/")
    at = max(applied, default=0)
    for rel, count in status.unfinished:
        # a rollback's leftovers are finished by an apply that stops where the rollback left the
        # database; a plain apply would finish them and then apply the rolled-back migration again
        undone = rel.removeprefix("migrations/rollback_").removesuffix(".sql")
        how = (f"'schemac apply --to {at}' finishes them (a plain 'schemac apply' would then apply "
               f"migration {undone} again)" if rel.startswith("migrations/rollback_")
               else "'schemac apply' finishes them")
        print(f"unfinished  {rel.removeprefix('migrations/')}  ({count} statement(s) after its transaction "
              f"not done; {how})")
    if not (status.applied or status.pending or status.tampered or status.unknown):
        print("no migrations")
    elif status.clean:
        print(f"Up to date: the database is at migration {max(m.version for m, _ in status.applied)}.")
    else:
        damaged = len(status.tampered) + len(status.rollbacks) + len(status.unknown)
        unfinished = f", {len(status.unfinished)} unfinished" if status.unfinished else ""
        print(f"Not up to date: {len(status.pending)} to apply, {damaged} tampered{unfinished}.")
    return EXIT_OK if status.clean else EXIT_STALE


def _drift(project: Project, args: argparse.Namespace) -> int:
    from .live.database import resolve_url
    from .live.drift import find_drift

    found = find_drift(project, resolve_url(args.database_url), _settings(project, args), args.dev_url)
    for rel, count in found.unfinished:
        print(f"unfinished: {rel} is applied but {count} statement(s) after its transaction are not done; "
              f"'schemac apply' finishes it (what follows is what is left until then)")
    if not found.differences:
        print("No drift: the database matches generated/state.json.")
        return EXIT_OK
    print(f"{len(found.differences)} difference(s) between the database and generated/state.json:")
    for line in found.differences:
        print(f"  - {line}")
    print("\nSQL that would reconcile the database:\n")
    sys.stdout.write(found.sql)
    return EXIT_STALE


def _import(project: Project, args: argparse.Namespace) -> int:
    from .live.database import resolve_url
    from .live.importer import import_definitions

    result = import_definitions(project, resolve_url(args.database_url), _settings(project, args),
                                args.schemas, args.force)
    for line in result.notes:
        print(f"note: {line}", file=sys.stderr)
    for line in result.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(f"wrote {len(result.written)} file(s) to definitions/")
    if result.schema_file:
        print(f"wrote {result.schema_file}: the JSON Schema each definitions file names for editors")
    if result.warnings:
        print(f"{len(result.warnings)} warning(s): what schemac does not manage or cannot read was left out "
              "or written differently, as listed above", file=sys.stderr)
    return EXIT_OK




def _diff(project: Project, args: argparse.Namespace) -> int:
    from .live.dbdiff import diff_databases

    settings = _settings(project, args)
    found = diff_databases(args.from_url, args.to_url, settings.migrations_table,
                           timeouts=settings.migration_timeouts)
    for line in found.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if not found.changes:
        print("-- No differences: the two databases have the same schema (as schemac manages it).")
        return EXIT_OK
    sys.stdout.write(found.sql)
    return EXIT_OK


def _rebuild_state(project: Project, args: argparse.Namespace) -> int:
    from .live.rebuild import rebuild_state
    from .live.throwaway import dev_server

    with one_writer(project):
        rebuilt = rebuild_state(project, dev_server(args.dev_url, args.database_url), args.force)
    if rebuilt is None:
        print("generated/migrations/ holds no migrations; nothing to rebuild, nothing written.")
        return EXIT_OK
    for note in rebuilt.notes:
        print(f"note: {note}")
    versions = [m.file.removeprefix("migrations/") for m in rebuilt.state.migrations]
    print(f"wrote generated/state.json from {len(versions)} migration(s): {', '.join(versions)}")
    return EXIT_OK


def _compile(project: Project, args: argparse.Namespace) -> int:
    if args.check:
        problems = check_project(project)
        for line in problems:
            print(f"stale: {line}")
        if not problems:
            print("generated/ is up to date")
        return EXIT_STALE if problems else EXIT_OK
    with one_writer(project):
        if not args.verify:
            return _compile_and_write(project, args)
        from .live.signals import signals_as_exceptions

        with signals_as_exceptions():  # a proof's throwaway database is dropped on SIGTERM too
            return _compile_and_write(project, args)


def _compile_and_write(project: Project, args: argparse.Namespace) -> int:
    result = compile_project(project, args.name, args.allow_destructive)
    if result.nothing_to_write:
        _clear_leftovers(project, result)
        refreshed = refresh_diagrams(project, result)
        seeds = write_seeds(project, result)
        warehouse = refresh_warehouse(project, result)
        if seeds:
            print(f"No schema changes; {'wrote' if result.seeds is not None else 'removed'} {seeds}.")
        if refreshed:
            print(f"No schema changes; brought {len(refreshed)} stale diagram file(s) up to date "
                  "(generated/chartdb/, generated/schema.md).")
        if warehouse:
            print(f"No schema changes; brought {len(warehouse)} warehouse file(s) up to date "
                  "(generated/warehouse/bigquery/).")
        if not refreshed and not warehouse and not seeds:
            print("No changes: the definitions match generated/state.json; nothing written.")
        return EXIT_OK
    if result.refused:
        print("Refusing destructive changes (run with --allow-destructive to apply them):", file=sys.stderr)
        for line in result.refused:
            print(f"  - {line}", file=sys.stderr)
        return EXIT_REFUSED
    if args.verify and result.record is not None:  # a BigQuery migration alone has nothing to prove on PostgreSQL
        from .live.signals import defer_to_exit
        from .live.verify import prove_compiled

        prove_compiled(project, result, args.dev_url, args.database_url)
        defer_to_exit()  # proven: the files are written, and exit 0, whatever signal comes now
    _clear_leftovers(project, result)
    write_result(project, result)
    if result.warehouse_record is not None:
        print(f"wrote generated/{result.warehouse_record.file} ({result.warehouse_changes} BigQuery change(s); "
              "no PostgreSQL change)")
    else:
        assert result.record is not None
        print(f"wrote generated/{result.record.file} ({len(result.changes)} change(s))")
        print(f"wrote generated/{result.record.rollback}")
    print("wrote generated/chartdb/ and generated/schema.md")
    if result.warehouse:
        print("wrote generated/warehouse/bigquery/")
    print("wrote generated/state.json")
    seeds = write_seeds(project, result)
    if seeds:
        print(f"{'wrote' if result.seeds is not None else 'removed'} {seeds}")
    for line in result.notes:
        print(f"note: {line}")
    if result.record is not None:  # the summary is of the PostgreSQL migration
        _print_summary(result.plan, Acknowledgements(result.acknowledged))
    return EXIT_OK


def _clear_leftovers(project: Project, result: CompileResult) -> None:
    for path in clear_leftovers(project, result):
        print(f"removed {path}: a leftover of an interrupted compile")


def _chartdb(project: Project, args: argparse.Namespace) -> int:
    diagrams = project_diagrams(project)
    if args.output is not None:
        write_atomically(args.output, diagrams["chartdb/diagram.json"])
        print(f"wrote {args.output}")
        return EXIT_OK
    changed = write_diagrams(project, diagrams)
    print(f"wrote {len(changed)} file(s) in generated/chartdb/ and generated/schema.md" if changed
          else "generated/chartdb/ and generated/schema.md are up to date; nothing written.")
    return EXIT_OK


def _plan(project: Project, args: argparse.Namespace) -> int:
    result = compile_project(project, args.name, allow_destructive=True, diagrams=False, planning=True)
    if result.warehouse_record is not None:  # the warehouse keys alone changed: the BigQuery file compile writes
        print(f"-- No PostgreSQL changes; compile writes generated/{result.warehouse_record.file}:")
        sys.stdout.write(result.up_sql)
        return EXIT_OK
    if not result.changes:
        print("-- No changes: the definitions match generated/state.json.")
        return EXIT_OK
    sys.stdout.write(result.up_sql)  # exactly the file compile writes; the summary beside it, on stderr
    _print_summary(result.plan, Acknowledgements(result.acknowledged), sys.stderr)
    return EXIT_OK


def _lint(project: Project, args: argparse.Namespace) -> int:
    from .warehouse.hazards import newest, pending_warehouse, warehouse_after, warehouse_findings

    warehouse: list[Finding] = []
    result = compile_project(project, allow_destructive=True, diagrams=False, planning=args.migration is None)
    acknowledged = Acknowledgements(result.acknowledged, frozenset(args.allow))
    if args.migration is not None:
        from .live.database import resolve_url
        from .live.migration_plan import find_migration, migration_plan
        from .live.throwaway import dev_server

        target = find_migration(result.state.migrations, args.migration)
        if target is None:
            known = ", ".join(m.file.removeprefix("migrations/") for m in result.state.migrations) or "none"
            print(f"error: no compiled migration '{args.migration}' (compiled: {known})", file=sys.stderr)
            return EXIT_BAD_INPUT
        url = args.database_url if args.dev_url else resolve_url(args.database_url)
        from .definitions.read import read_definitions

        plan: Plan | None = migration_plan(project, result.state.migrations, target, dev_server(args.dev_url, url),
                                           read_definitions(project))
        what = f"migration {target.file.removeprefix('migrations/')}"
    elif args.base_state is not None or args.since is not None:
        from .definitions.read import read_definitions
        from .plan.diff import plan as plan_of
        from .sql.state import load_state

        source = args.base_state if args.since is None else f"{args.since}:generated/state.json"
        try:  # named in its own errors: a bad base is not a bad generated/state.json
            base_bytes = args.base_state.read_bytes() if args.since is None else _state_at(project, args.since)
            base = load_state(base_bytes or None)
        except (OSError, StateError) as e:
            print(f"{source}: error: {e.strerror if isinstance(e, OSError) else e}", file=sys.stderr)
            return EXIT_BAD_INPUT
        plan, what = plan_of(base.schema, read_definitions(project)), \
            "the changes since the base state" if args.since is None else f"the changes since {args.since}"
        warehouse = warehouse_findings(warehouse_after(result.state, newest(base), project.generated)
                                       + pending_warehouse(result.files), acknowledged)
    else:
        plan, what = result.plan, "the pending changes"
        warehouse = warehouse_findings(pending_warehouse(result.files), acknowledged)
        if not result.changes and not result.files:
            print("No pending changes: the definitions match generated/state.json; nothing to lint.")
            return EXIT_OK
    found = [*(summarize(plan, acknowledged).findings if plan is not None else ()), *warehouse]
    if not found:
        print(f"No hazards in {what}.")
        return EXIT_OK
    paint = _painter(sys.stdout)
    for f in found:
        print(paint(ALLOWED if f.acknowledged else HAZARD, f.line))
    left = unacknowledged(list(found))
    if left:
        names = ", ".join(sorted({f.hazard for f in left}, key=HAZARDS.index))
        print(f"{len(left)} of {len(found)} hazard(s) in {what} not acknowledged: add 'allow: [{names}]' to "
              f"the objects in definitions/, or run with --allow for this run only.")
        return EXIT_STALE
    print(f"{len(found)} hazard(s) in {what}, all acknowledged.")
    return EXIT_OK


# ANSI colours by summary style; none where the output is no terminal, or NO_COLOR is set
_COLOURS = {CREATED: "32", DROPPED: "31", HAZARD: "33", ALLOWED: "2", CLEAN: "32"}


def _state_at(project: Project, ref: str) -> bytes:
    """generated/state.json as committed at git `ref` (b"" when it did not exist there yet)."""
    import subprocess

    try:
        found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=project.root,
                               capture_output=True, text=True)
    except FileNotFoundError as e:
        raise OSError(e.errno, "git is not installed; --since reads the state from git") from e
    if found.returncode != 0:
        commits = subprocess.run(["git", "rev-list", "-n", "1", "--all"], cwd=project.root, capture_output=True)
        if ref == "HEAD" and commits.returncode == 0 and not commits.stdout.strip():
            return b""  # the first commit of a new repository: everything is new
        raise OSError(0, f"'{ref}' is not a commit of a git repository at {project.root}")
    shown = subprocess.run(["git", "show", f"{found.stdout.strip()}:./generated/state.json"], cwd=project.root,
                           capture_output=True)
    return shown.stdout if shown.returncode == 0 else b""


def _painter(stream: TextIO) -> Callable[[str, str], str]:
    if not stream.isatty() or os.environ.get("NO_COLOR"):
        return lambda style, text: text
    return lambda style, text: f"\033[{_COLOURS[style]}m{text}\033[0m" if style in _COLOURS else text


def _print_summary(plan: Plan | None, acknowledged: Acknowledgements, stream: TextIO | None = None) -> None:
    """compile's and plan's closing lines: tables created, altered, dropped; the hazards."""
    if plan is None:
        return
    stream = stream or sys.stdout
    paint = _painter(stream)
    lines: list[Line] = summary_lines(summarize(plan, acknowledged))
    for style, text in lines:
        print(paint(style, text), file=stream)


def _review(project: Project, args: argparse.Namespace) -> int:
    from .sql.state import State, load_state

    base: State | None = None
    if args.base_state is not None:  # named in its own errors: a bad base is not a bad generated/state.json
        try:
            base = load_state(args.base_state.read_bytes() or None)
        except OSError as e:
            print(f"{args.base_state}: error: {e.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except StateError as e:
            print(f"{args.base_state}: error: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    sys.stdout.write(review_project(project, base))
    return EXIT_OK


def _verify(project: Project, args: argparse.Namespace) -> int:
    from .live.signals import defer_to_exit, signals_as_exceptions
    from .live.verify import verify

    with signals_as_exceptions():  # from the start: a SIGTERM never ends it without a word
        verify(project, args.dev_url, args.database_url)
        defer_to_exit()  # all said: a signal now changes nothing
    return EXIT_OK


COMMANDS = {"compile": _compile, "plan": _plan, "apply": _apply, "rollback": _rollback, "status": _status,
            "seed": _seed, "drift": _drift, "import": _import, "chartdb": _chartdb, "verify": _verify,
            "rebuild-state": _rebuild_state, "diff": _diff, "review": _review, "lint": _lint}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "json-schema":  # what schemac ships: no project, no settings read
            return _json_schema(args)
        code = _run(Project(Path(args.directory)), args)
        sys.stdout.flush()  # here, not at exit, where a closed reader could no longer be answered quietly
        return code
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """`schemac drift | head -1`: the reader of stdout left; end as a tool killed by SIGPIPE does,
    with no traceback and nothing more written to the closed pipe (not even at exit)."""
    import os
    import signal

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def _json_schema(args: argparse.Namespace) -> int:
    from .definitions.json_schema import DEFINITIONS_SCHEMA, SETTINGS_SCHEMA, schema_text

    sys.stdout.write(schema_text(SETTINGS_SCHEMA if args.settings else DEFINITIONS_SCHEMA))
    return EXIT_OK


def _run(project: Project, args: argparse.Namespace) -> int:
    from .live import signals  # its Interrupted: SIGTERM or SIGINT during a proof (apply has its own)

    signals.forget()
    problem = _not_a_project(project, args.command)
    if problem:
        print(f"{project.root}: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        load_settings(project.root)  # every command refuses a bad schemac.yaml, so CI's compile --check finds it
        return COMMANDS[args.command](project, args)
    except signals.Interrupted as e:
        return _interrupted(e.signum)
    except DefinitionErrors as e:
        for err in e.errors:
            print(err, file=sys.stderr)
        print(f"{len(e.errors)} error(s); nothing written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StateError as e:
        print(f"generated/state.json: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except HistoryErrors as e:
        for history_problem in e.problems:
            print(history_problem, file=sys.stderr)
        print(f"{len(e.problems)} error(s) in generated/; nothing written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except TemplateProblem as e:
        print(f"{e}; nothing written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # the reader of stdout left: main ends quietly
    except Exception as e:
        if signals.received:  # the error is the signal's doing (a connection left mid-query)
            return _interrupted(signals.received[0])
        return _database_command_error(e)


def _interrupted(signum: int) -> int:
    import signal

    print(f"interrupted ({signal.Signals(signum).name}); throwaway databases were dropped; nothing written.",
          file=sys.stderr)
    return 128 + signum


def _not_a_project(project: Project, command: str) -> str | None:
    """Why the folder is no project to run `command` in; None when it is one. A mistyped -C must
    not read as an empty project that is up to date (or whose applied migrations all look tampered)."""
    if not project.root.is_dir():
        return "not a folder" if project.root.exists() else "no such folder"
    if command in ("import", "diff"):  # import starts a project; diff needs none (only schemac.yaml, if any)
        return None
    if not (project.root / "definitions").is_dir() and not project.generated.is_dir():
        return ("not a schemac project: it has neither definitions/ nor generated/ (pass the project folder "
                "with -C, or start one with 'schemac import' or by writing definitions/)")
    return None


def _database_command_error(e: Exception) -> int:
    """The exit code for a database command's expected failure; anything else is re-raised."""
    from .live.apply import Interrupted, Refused
    from .live.importer import ImportFailed, ImportRefused, NoSuchSchema
    from .live.verify import NotProven

    if isinstance(e, NotProven):
        print(f"not proven: {e}", file=sys.stderr)
        print("nothing written.", file=sys.stderr)
        return EXIT_NOT_PROVEN
    if isinstance(e, Interrupted):
        print(e, file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(e, ImportRefused):
        print(f"definitions/: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(e, NoSuchSchema):
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(e, ImportFailed):
        print(f"error: the database's types cannot be written as definitions that compile, nothing "
              f"written: {e}", file=sys.stderr)
        return EXIT_DATABASE
    if isinstance(e, Refused):
        print(f"refused, nothing was run:\n{e}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(e, DatabaseError):
        print(f"error: {e}", file=sys.stderr)
        return EXIT_DATABASE
    raise e


if __name__ == "__main__":
    sys.exit(main())
