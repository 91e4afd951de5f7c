"""compile, compile --check and plan: definitions and state in, the next migration out."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from .cache import Cache, definitions_key
from .definitions.acknowledgements import Acknowledged
from .definitions.called_functions import called_function_problems
from .definitions.load import read_sources
from .definitions.policy_views import removed_view_problems
from .definitions.read import read_definitions_and_folders, read_project_definitions
from .definitions.seeds import SEEDS_FOLDER, read_seeds
from .definitions.settings import is_dataset_name, load_settings
from .diagrams.chartdb import DiagramFiles, diagram_files
from .diagrams.files import changed_diagrams, extra_diagrams, stale_digests, write_diagrams
from .errors import DefinitionErrors, StateError
from .model.schema import Schema
from .model.types import extension_schemas, extension_type_schemas
from .plan import changes as ch
from .plan.diff import diff, plan
from .plan.diff_security import rollback_target
from .plan.diff_seqdom import domain_changes
from .plan.naming import auto_name
from .plan.order import Plan
from .plan.refusals import appended_column_notes, destructive_reasons
from .project import Project, migration_file, rollback_file, sha256, slug, write_atomically, write_set
from .sql.history import HistoryErrors, inspect_history, read_history, remember_state, remove_leftovers
from .sql.state import MigrationRecord, State, WarehouseRecord, dump_state, load_state
from .warehouse.dataset import dataset_as_given, warehouse_dataset
from .warehouse.files import stale_warehouse_files, warehouse_files, write_warehouse_files
from .warehouse.migration import (
    WarehouseMigration,
    warehouse_migration,
    warehouse_migration_file,
    warehouse_tables_changed,
    with_held,
)

SEEDS_FILE = "seeds.sql"  # in generated/


@dataclass
class CompileResult:
    """What a compile would write; empty `files` when nothing changed."""

    state: State
    changes: list[ch.Change]
    files: dict[str, bytes] = field(default_factory=dict)  # relative to generated/
    record: MigrationRecord | None = None
    up_sql: str = ""
    refused: list[str] = field(default_factory=list)
    diagrams: DiagramFiles | None = None  # chartdb/... and schema.md, from the definitions; made as read
    notes: list[str] = field(default_factory=list)  # what the migration's header tells a reviewer
    leftovers: list[str] = field(default_factory=list)  # of an interrupted compile, removed before writing
    definitions_key: str = ""  # of the definitions compiled (cache.definitions_key)
    plan: Plan | None = None  # the migration's, before it is SQL: lint and the summary read it
    acknowledged: Acknowledged = field(default_factory=dict)  # the definitions' `allow:` keys
    seeds: bytes | None = None  # generated/seeds.sql as it should be; None for a project without seeds/
    warehouse: dict[str, bytes] | None = None  # warehouse/bigquery/..., from the definitions; made with diagrams
    # a change to the warehouse keys alone: its BigQuery migration (in `files`) and how many statements it holds
    warehouse_record: WarehouseRecord | None = None
    warehouse_changes: int = 0
    new_state: State | None = None  # what files["state.json"] holds, when there is a migration to write

    @property
    def nothing_to_write(self) -> bool:
        """No migration of either kind, and nothing refused: only derived files may need a refresh."""
        return not self.files and not self.refused


def compile_project(project: Project, name: str | None = None, allow_destructive: bool = False,
                    diagrams: bool = True, planning: bool = False,
                    environ: Mapping[str, str] | None = None) -> CompileResult:
    """Diff the definitions against state.json and render the next migration and its rollback.

    With `diagrams`, the ChartDB files and schema.md of the same Schema are made too, and are
    part of `files` when there is a migration to write, and so are the warehouse files (in the
    dataset of `environ`'s BIGQUERY_DATASET or the settings). `planning` (plan) renders destructive
    changes too, noted as what compile refuses without --allow-destructive. A change to the
    warehouse keys alone is a BigQuery migration of its own (`files` without a PostgreSQL one).
    """
    history = read_history(project)
    sources = read_sources(project.root)
    found = read_project_definitions(project, sources)
    new, folders = found.schema, found.folders
    seeds = seeds_sql(project, new)  # checked before anything is written: a bad seed is a definition error
    state = history.state
    called = (called_function_problems(state.schema, new, found.call_places, domain_changes(state.schema, new)[1])
              + removed_view_problems(state.schema, new, found.policy_places))
    if called:
        raise DefinitionErrors(called)
    up_plan = plan(state.schema, new)
    changes = up_plan.changes
    result = CompileResult(state, changes, leftovers=history.leftovers, definitions_key=definitions_key(sources),
                           plan=up_plan, acknowledged=found.acknowledged, seeds=seeds)
    del sources
    settings = load_settings(project.root)
    dataset = warehouse_dataset(settings, os.environ if environ is None else environ, new, state.schema,
                                lambda: found.warehouse_places)
    bigquery = warehouse_migration(state.schema, new)
    new = with_held(new, bigquery.held)  # the warehouse files and state.json tell the table it leaves
    if diagrams:
        result.diagrams = diagram_files(new, folders)
        result.warehouse = warehouse_files(new, dataset)
    if not changes and not bigquery.statements:
        return result
    if not allow_destructive:
        result.refused = destructive_reasons(changes) + bigquery.destructive
        if result.refused:
            return result
    why = "compile refuses it without --allow-destructive" if planning else "compiled with --allow-destructive"
    if not changes:
        return _warehouse_alone(result, new, bigquery, name, why)
    version = state.next_version
    first = not state.migrations
    mname = slug(name) if name else auto_name(changes, first and not state.schema.tables)
    up_file, down_file = migration_file(version, mname), rollback_file(version)
    from .sql.render import Renderer  # Jinja: imported by the commands that render, not by --check

    renderer = Renderer(project.root)
    timeouts = settings.migration_timeouts  # SET LOCAL in each transaction, up and down
    notes = [f"destructive ({why}): {line}" for line in destructive_reasons(changes)]
    notes += appended_column_notes(changes, new)
    up = renderer.migration(f"{up_file.split('/')[-1][:-4]}: up", up_plan, notes,
                            extension_type_schemas(new.extensions.values()), timeouts=timeouts,
                            extension_schemas=extension_schemas(new.extensions.values()))
    back = plan(new, rollback_target(state.schema, new))
    down = renderer.migration(f"rollback_{version:03d}: restores the schema as before "
                              f"{up_file.split('/')[-1][:-4]}", back, appended_column_notes(back.changes, state.schema),
                              extension_type_schemas(state.schema.extensions.values()), timeouts=timeouts,
                              extension_schemas=extension_schemas(state.schema.extensions.values()))
    record = MigrationRecord(version, mname, up_file, sha256(up.encode()), down_file, sha256(down.encode()))
    result.files = {up_file: up.encode(), down_file: down.encode()}
    warehouse_records = state.warehouse_migrations
    if bigquery.statements:
        notes += [f"warehouse: {line}" for line in bigquery.notes]
        data = warehouse_migration_file(up_file.split("/")[-1][:-4], bigquery, why).encode()
        result.files[f"warehouse/bigquery/{up_file}"] = data
        warehouse_records += (WarehouseRecord(version, f"warehouse/bigquery/{up_file}", sha256(data)),)
    result.new_state = State(new, state.migrations + (record,), warehouse_records)
    result.files["state.json"] = dump_state(result.new_state)
    result.record, result.up_sql, result.notes = record, up, notes
    return result


def _warehouse_alone(result: CompileResult, new: Schema, bigquery: WarehouseMigration, name: str | None,
                     why: str) -> CompileResult:
    """A change to the warehouse keys alone: its BigQuery migration takes the next number of the one
    sequence, and state.json records it and the new keys; no PostgreSQL migration is written, since
    it would have nothing to do."""
    state = result.state
    version = state.next_version
    tables = warehouse_tables_changed(state.schema, new)
    mname = slug(name) if name else slug("warehouse_" + "_".join(new.tables[k].name if k in new.tables
                                                                  else k.split(".")[-1] for k in tables))
    rel = f"warehouse/bigquery/{migration_file(version, mname)}"
    data = warehouse_migration_file(rel.split("/")[-1][:-4], bigquery, why, alone=True).encode()
    record = WarehouseRecord(version, rel, sha256(data))
    result.new_state = State(new, state.migrations, state.warehouse_migrations + (record,))
    result.files = {rel: data, "state.json": dump_state(result.new_state)}
    result.warehouse_record = record
    result.warehouse_changes = len(bigquery.statements)
    result.notes = [f"warehouse: {line}" for line in bigquery.notes]
    result.up_sql = data.decode()
    return result


def seeds_sql(project: Project, schema: Schema) -> bytes | None:
    """generated/seeds.sql for the seeds of seeds/, checked against `schema` (DefinitionErrors);
    None when the project has no seeds/ folder, so projects without seeds write nothing new."""
    if not (project.root / SEEDS_FOLDER).is_dir():
        return None
    from .sql.render import Renderer

    return Renderer(project.root).seeds(read_seeds(project.root, schema)).encode()


def write_seeds(project: Project, result: CompileResult) -> str | None:
    """Bring generated/seeds.sql in line with seeds/ (written, or removed with the folder); the
    path written or removed, None when it was already right."""
    target = project.generated / SEEDS_FILE
    current = target.read_bytes() if target.is_file() else None
    if current == result.seeds:
        return None
    if result.seeds is None:
        target.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, result.seeds)
    return f"generated/{SEEDS_FILE}"


def write_result(project: Project, result: CompileResult) -> None:
    """Write the migration, its rollback, the diagram files and state.json (last: the commit point)."""
    clear_leftovers(project, result)
    noted: dict[str, str] = {}
    diagrams: Iterable[tuple[str, bytes]] = ()
    if result.diagrams:
        # A diagram file already as it should be is not rewritten (a small change to a large
        # schema touches a few of its thousand table files); table files of dropped tables go
        # before the new state is current. Each file is made as it is written.
        for rel in extra_diagrams(project, result.diagrams):
            (project.generated / rel).unlink()
        diagrams = changed_diagrams(project, result.diagrams, noted)
    if result.warehouse is not None:
        write_warehouse_files(project, result.warehouse)
    write_set(project, result.files, "state.json", diagrams)
    _remember(project, result, noted)


def refresh_warehouse(project: Project, result: CompileResult) -> list[str]:
    """With no migration to write, bring the warehouse files up to date; the paths written or removed."""
    if result.files or result.warehouse is None:
        return []
    return write_warehouse_files(project, result.warehouse)


def _remember(project: Project, result: CompileResult, diagram_digests: dict[str, str]) -> None:
    """Cache what the next compile --check would otherwise compute again (see cache.py)."""
    if diagram_digests and result.definitions_key:
        Cache(project.root).put("diagrams", result.definitions_key, diagram_digests)
    if result.new_state is not None:
        remember_state(project, result.files["state.json"], result.new_state)


def clear_leftovers(project: Project, result: CompileResult) -> list[str]:
    """Remove what an interrupted compile left behind (found by read_history); the paths removed."""
    removed = remove_leftovers(project, result.leftovers)
    result.leftovers = []
    return removed


def check_project(project: Project, environ: Mapping[str, str] | None = None) -> list[str]:
    """Why generated/ is not what compile would make; empty when it is up to date."""
    history = inspect_history(project)
    cache = Cache(project.root)
    sources = read_sources(project.root)
    key = definitions_key(sources)
    in_step = f"{key}.{history.state_digest}"
    read: tuple[Schema, dict[str, str]] | None = None  # the schema and folders, when they had to be built
    if cache.get("in-step", in_step) is True:
        pending = warehouse_pending = 0
    else:
        read = read_definitions_and_folders(project, sources)
        pending = len(diff(history.state.schema, read[0]))
        warehouse_pending = len(warehouse_migration(history.state.schema, read[0]).statements)
        if not pending and not warehouse_pending:
            cache.put("in-step", in_step, True)
    problems: list[str] = []
    if pending and not history.problems:  # else compile refuses, and the problems say what to do first
        problems.append(f"definitions have {pending} change(s) not compiled yet; run 'schemac compile'")
    elif warehouse_pending and not history.problems:
        problems.append(f"definitions have {warehouse_pending} warehouse change(s) not compiled yet "
                        "(no PostgreSQL change); run 'schemac compile'")
    problems += [p.stale for p in history.problems]
    problems += _stale_seeds(project, read[0] if read else None)
    problems += [f"generated/{rel} is a leftover of an interrupted compile; the next 'schemac compile' removes it"
                 for rel in history.leftovers]
    if history.migrations or pending:  # a project never compiled has no diagrams to be stale
        known = cache.get("diagrams", key)
        if isinstance(known, dict) and all(isinstance(v, str) for v in known.values()):
            stale, extra = stale_digests(project, known)
        else:
            noted: dict[str, str] = {}
            read = read or read_definitions_and_folders(project, sources)
            diagrams = diagram_files(*read)
            stale = [rel for rel, _ in changed_diagrams(project, diagrams, noted)]
            extra = extra_diagrams(project, noted)
            cache.put("diagrams", key, noted)
        remedy = "'schemac chartdb'" if history.problems else "'schemac compile' or 'schemac chartdb'"
        problems += [f"generated/{rel} is {'missing' if not (project.generated / rel).is_file() else 'out of date'}"
                     f"; run {remedy}" for rel in stale]
        problems += [f"generated/{rel} belongs to no table; run 'schemac chartdb'" for rel in extra]
    problems += _stale_warehouse(project, cache, in_step, read, sources, environ, lambda: history.state.schema)
    return problems


def seeds_problem(project: Project) -> str | None:
    """Why generated/seeds.sql cannot be loaded as it is (missing, or not what seeds/ says); None when it can."""
    if not (project.root / SEEDS_FOLDER).is_dir():
        return "the project has no seeds/ folder, so nothing to load"
    stale = _stale_seeds(project, None)
    return stale[0] if stale else None


def _stale_seeds(project: Project, schema: Schema | None) -> list[str]:
    target = project.generated / SEEDS_FILE
    if not (project.root / SEEDS_FOLDER).is_dir():
        orphan = target.is_file()
        return [f"generated/{SEEDS_FILE} belongs to no seeds/ folder; run 'schemac compile'"] if orphan else []
    expected = seeds_sql(project, schema or read_definitions_and_folders(project)[0])
    if target.is_file() and target.read_bytes() == expected:
        return []
    return [f"generated/{SEEDS_FILE} is {'out of date' if target.is_file() else 'missing'}; run 'schemac compile'"]


def _stale_warehouse(project: Project, cache: Cache, key: str, read: tuple[Schema, dict[str, str]] | None,
                     sources: list[tuple[str, bytes]], environ: Mapping[str, str] | None,
                     compiled: Callable[[], Schema]) -> list[str]:
    """The warehouse files compile would write differently (the tables the migrations since the
    `compiled` schema leave); their digests are cached by definitions, state and dataset, so an
    unchanged project is not read again (nor its state)."""
    settings, environ = load_settings(project.root), os.environ if environ is None else environ
    dataset = dataset_as_given(settings, environ)
    cache_key = f"{key}.{dataset}"
    known = cache.get("warehouse", cache_key)
    if known != {} and not is_dataset_name(dataset):
        # the environment's value is no dataset name: an error when a table is in the warehouse (raised
        # here, at its place), else nothing (and no warehouse file is wanted)
        found = read_project_definitions(project, sources)
        warehouse_dataset(settings, environ, found.schema, Schema(), lambda: found.warehouse_places)
        known = {}
    if isinstance(known, dict) and all(isinstance(v, str) for v in known.values()):
        stale = [rel for rel, digest in known.items() if not (project.generated / rel).is_file()
                 or sha256((project.generated / rel).read_bytes()) != digest]
        folder = project.generated / "warehouse" / "bigquery"
        extra = sorted(f"warehouse/bigquery/{p.name}" for p in folder.glob("*.sql")
                       if f"warehouse/bigquery/{p.name}" not in known) if folder.is_dir() else []
    else:
        schema = (read or read_definitions_and_folders(project, sources))[0]
        files = warehouse_files(with_held(schema, warehouse_migration(compiled(), schema).held), dataset)
        stale, extra = stale_warehouse_files(project, files)
        cache.put("warehouse", cache_key, {rel: sha256(data) for rel, data in files.items()})
    return ([f"generated/{rel} is {'missing' if not (project.generated / rel).is_file() else 'out of date'}; "
             f"run 'schemac compile'" for rel in stale]
            + [f"generated/{rel} belongs to no warehouse table; run 'schemac compile'" for rel in extra])


def refresh_diagrams(project: Project, result: CompileResult) -> list[str]:
    """With no migration to write, rewrite only stale diagram files (first run after an upgrade,
    a hand edit, a definitions change that is no schema change); the paths written or removed."""
    if result.changes or not result.state.migrations or not result.diagrams:
        return []
    return write_diagrams(project, result.diagrams)


def review_project(project: Project, base: State | None) -> str:
    """Markdown for a pull request's reviewer (diagrams/review.py): the migrations newer than
    `base`, the base branch's state (empty when it has none; None to review only what is pending),
    what the definitions hold that is not compiled yet, the ER diagram of the tables changed."""
    from .diagrams.review import ReviewedFile, review_markdown, tables_changed
    from .warehouse.hazards import newest, pending_warehouse, warehouse_after

    result = compile_project(project, allow_destructive=True, diagrams=False, planning=True)
    state = result.state
    new = load_state(result.files["state.json"]).schema if result.changes else state.schema
    newest_base = newest(base) if base is not None else state.next_version
    added = [m for m in state.migrations if m.version > newest_base]
    migrations = [ReviewedFile(m.file.removeprefix("migrations/"), (project.generated / m.file).read_text(),
                               m.rollback.removeprefix("migrations/"), (project.generated / m.rollback).read_text())
                  for m in added]
    before = base.schema if base is not None else state.schema
    warehouse = warehouse_after(state, newest_base, project.generated)
    pending = pending_warehouse(result.files) if result.record is not None else []  # alone: it is up_sql
    return review_markdown(migrations, result.up_sql, tables_changed(diff(before, new), new), new,
                           warehouse, pending)


__all__ = ["CompileResult", "DefinitionErrors", "HistoryErrors", "StateError", "check_project", "clear_leftovers",
           "compile_project", "refresh_diagrams", "refresh_warehouse", "review_project", "seeds_problem",
           "write_result", "write_seeds"]

