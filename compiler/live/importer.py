"""import: definitions/ written from a live database, which always compile.

What the database holds that schemac does not manage is left out with a warning (unmanaged.py).
The definitions are compiled in memory before they are written: an object whose expression schemac
cannot check is left out alone; a table whose file still fails to compile is left out whole, with
the compiler's message, and so is a foreign key to it. Nothing is ever written that fails to compile.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import psycopg
import yaml

from ..definitions.build import build_schema
from ..definitions.build_constraints import INDEX_METHODS
from ..definitions.export import definition_files
from ..definitions.json_schema import DEFINITIONS_SCHEMA, schema_text
from ..definitions.load import definition_files as existing_definition_files
from ..definitions.load import load_text
from ..definitions.settings import Settings
from ..errors import DatabaseError, DefinitionError, DefinitionErrors, did_you_mean
from ..model.expressions import ExpressionProblem, parse_expression
from ..model.routines import standing_triggers
from ..model.schema import Expression, Schema, Table
from ..model.types import enum_type_spelling
from ..project import Project, write_atomically
from .database import connect, describe
from .fidelity import compare_with_build, table_catalog
from .import_seqdom import in_schemas as seqdom_in_schemas
from .import_seqdom import without_absent_owners
from .introspect import introspect
from .unmanaged import leave_out_unmanaged, read_unmanaged, without_dangling_foreign_keys


class ImportRefused(Exception):
    """definitions/ already holds YAML that an import would mix with or overwrite, or cannot be written."""


class NoSuchSchema(Exception):
    """A --schema names a schema the database does not have (an import of it would be empty)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    written: list[str]  # paths relative to the project
    warnings: list[str]  # one line each: what was left out or written differently, and why
    notes: list[str] = field(default_factory=list)  # what was written beyond what was asked, and why
    schema_file: str | None = None  # the editors' JSON Schema the files name, when this import wrote it


def import_definitions(project: Project, url: str, settings: Settings, schemas: list[str] | None = None,
                       force: bool = False) -> ImportResult:
    """Write one YAML file per table plus types.yaml, and say what was left out."""
    existing = existing_definition_files(project.root)
    if existing and not force:
        raise ImportRefused(f"{len(existing)} YAML file(s) already there; move them away or pass --force")
    problems: list[str] = []
    with connect(url) as conn:
        try:
            schema = introspect(conn, settings.migrations_table, problems)
            notes, uses, parts = read_unmanaged(conn)
            live = table_catalog(conn)
            present = {n for (n,) in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}
        except psycopg.Error as e:
            raise DatabaseError(f"cannot read the database: {describe(e, url)}") from None
    missing = sorted(set(schemas or ()) - present)
    if missing:
        raise NoSuchSchema("; ".join(f"--schema {name}: the database has no schema {name}"
                                     f"{did_you_mean(name, present)}" for name in missing) + "; nothing written")
    keep = set(schemas) if schemas else None
    brought: list[str] = []
    if keep is not None:
        schema, brought = _in_schemas(schema, keep)
        notes = [n for n in notes if n.schema is None or n.schema in keep]
        uses = [u for u in uses if u.schema in keep]
        parts = [p for p in parts if p.schema in keep]
    schema, left_out = leave_out_unmanaged(schema, notes, uses, parts)
    schema, ownerless = without_absent_owners(schema)
    left_out += ownerless
    schema, unchecked = _without_unreadable_parts(schema)
    schema, unsound = _without_invalid_parts(schema)
    files, built, not_compiling = compilable_files(schema)
    warnings = problems + [n.text for n in notes] + left_out + unchecked + unsound + not_compiling
    warnings += compare_with_build(live, built, url, warnings)
    written = []
    try:
        for old in existing:
            old.unlink()
        for rel, text in sorted(files.items()):
            write_atomically(project.root / "definitions" / rel, text.encode())
            written.append(f"definitions/{rel}")
        schema_file = _write_json_schema(project)
    except OSError as e:
        raise ImportRefused(f"cannot write {e.filename or 'definitions/'}: {e.strerror or e}") from None
    return ImportResult(written, warnings, brought, schema_file)


def _write_json_schema(project: Project) -> str | None:
    """schemac.schema.json at the project root, which each written file names on its first line, so
    an editor completes and checks them from the start; one already there is left as it is."""
    path = project.root / DEFINITIONS_SCHEMA
    if path.exists():
        return None
    write_atomically(path, schema_text().encode())
    return DEFINITIONS_SCHEMA


def _in_schemas(schema: Schema, keep: set[str]) -> tuple[Schema, list[str]]:
    """The tables and enums of the schemas `keep`, with the enums of other schemas their columns
    use (else those tables could not compile), and a note for each enum brought along."""
    tables = {k: t for k, t in schema.tables.items() if t.schema in keep}
    by_spelling = {enum_type_spelling(e.schema, e.name): k for k, e in schema.enums.items()}
    users: dict[str, list[str]] = {}
    for key, t in tables.items():
        for c in t.columns:
            enum = by_spelling.get(c.type.removesuffix("[]"))
            if enum is not None and schema.enums[enum].schema not in keep:
                users.setdefault(enum, []).append(f"{key}.{c.name}")
    enums = {k: e for k, e in schema.enums.items() if e.schema in keep or k in users}
    notes = [f"enum {k}: outside the schemas imported, written because {', '.join(users[k])} uses it"
             for k in sorted(users)]
    routines = {k: r for k, r in schema.routines.items() if r.schema in keep}
    views = {k: v for k, v in schema.views.items() if v.schema in keep}
    triggers = standing_triggers(schema.triggers, tables, views)
    namespaces = {k: n for k, n in schema.namespaces.items() if k in keep}
    domains, sequences, brought = seqdom_in_schemas(schema, tables, keep)
    return (Schema(tables, enums, schema.extensions, routines, triggers, views, namespaces, sequences=sequences,
                   domains=domains), notes + brought)


def _without_invalid_parts(schema: Schema) -> tuple[Schema, list[str]]:
    """An INVALID index (a concurrent build that failed) is left out, with a warning. A NOT VALID
    check or foreign key is written as a constraint that holds for every row; the comparison with
    a build (fidelity.py) says that difference, as it says every one the definitions cannot keep."""
    warnings: list[str] = []
    tables: dict[str, Table] = {}
    for key, t in schema.tables.items():
        for i in t.indexes:
            if not i.valid:
                warnings.append(f"{key} index {i.name}: INVALID in the database (a concurrent build that failed: "
                                f"it answers no query); left out")
        tables[key] = replace(t, indexes=tuple(i for i in t.indexes if i.valid),
                              checks=tuple(replace(k, valid=True) for k in t.checks),
                              foreign_keys=tuple(replace(k, valid=True) for k in t.foreign_keys))
    return replace(schema, tables=tables), warnings


def _without_unreadable_parts(schema: Schema) -> tuple[Schema, list[str]]:
    """Each check, index and default the definitions could not take is left out on its own."""
    warnings: list[str] = []
    tables: dict[str, Table] = {}
    for key, t in schema.tables.items():
        def readable(what: str, *exprs: Expression | None) -> bool:
            for e in exprs:
                if e is None:
                    continue
                try:
                    parse_expression(e.text)
                except ExpressionProblem as problem:
                    warnings.append(f"{what}: cannot read expression {e.text!r} ({problem}); skipped")
                    return False
            return True

        if not all(readable(f"table {key} (generated column {c.name})", c.generated) for c in t.columns):
            continue
        columns = tuple(c if readable(f"{key}.{c.name} default", c.default) else replace(c, default=None)
                        for c in t.columns)
        checks = tuple(c for c in t.checks if readable(f"{key} check {c.name}", c.expression))
        indexes = []
        for i in t.indexes:
            if i.using not in INDEX_METHODS:
                warnings.append(f"{key} index {i.name}: method {i.using} is not one schemac manages; skipped")
            elif readable(f"{key} index {i.name}", i.where, *(p.expression for p in i.parts)):
                indexes.append(i)
        tables[key] = replace(t, columns=columns, checks=checks, indexes=tuple(indexes))
    tables, dangling = without_dangling_foreign_keys(tables)
    return replace(schema, tables=tables), warnings + dangling


def compilable_files(schema: Schema) -> tuple[dict[str, str], Schema, list[str]]:
    """definitions/ for `schema`, compiled in memory, and the schema they compile to; tables whose
    file does not compile are left out."""
    warnings: list[str] = []
    while True:
        files = definition_files(schema)
        built, errors = _compiled(files)
        if built is not None:
            return files, built, warnings
        failing: set[str] = set()
        types: set[tuple[str, str]] = set()
        views: set[str] = set()
        routines: set[str] = set()
        for e in errors:
            text = files[e.path.removeprefix("definitions/")]
            key = _table_of(text)
            if key in schema.tables:
                failing.add(key)
                warnings.append(f"table {key}: the definitions would not compile ({e.message}); table skipped")
            elif key in schema.views and key not in views:
                views.add(key)  # a view reading what is left out, or a query schemac cannot read
                warnings.append(f"{schema.views[key].kind} {key}: the definitions would not compile ({e.message}); "
                                f"skipped")
            elif key is None and (routine := _routine_at(text, e.line, schema)) is not None:
                routines.add(routine)
                warnings.append(f"{schema.routines[routine].kind} {routine}: the definitions would not compile "
                                f"({e.message}); skipped")
            elif key is None and (kind := _type_at(text, e.line)) is not None:
                types.add(kind)
                warnings.append(f"{kind[0]} {kind[1]}: the definitions would not compile ({e.message}); skipped"
                                + ("; so are the tables that use it" if kind[0] in ("enum", "domain") else ""))
        if not failing and not types and not routines and not views:
            raise ImportFailed(errors)  # nothing left to leave out
        tables = {k: t for k, t in schema.tables.items() if k not in failing}
        tables, dangling = without_dangling_foreign_keys(tables)
        schema = replace(schema, tables=tables,
                         enums={k: e for k, e in schema.enums.items() if ("enum", k) not in types},
                         extensions={k: x for k, x in schema.extensions.items() if ("extension", k) not in types},
                         routines={k: r for k, r in schema.routines.items() if k not in routines},
                         triggers={k: t for k, t in standing_triggers(schema.triggers, tables, schema.views.keys()
                                                                      - views).items()
                                   if t.function_key not in routines},
                         views={k: v for k, v in schema.views.items() if k not in views},
                         domains={k: d for k, d in schema.domains.items() if ("domain", k) not in types},
                         sequences={k: q for k, q in schema.sequences.items() if ("sequence", k) not in types})
        warnings += [f"trigger {t.name} on {t.table_key}: runs {t.function_key}, which is skipped; skipped"
                     for t in schema.triggers.values() if t.function_key in routines]
        warnings += dangling


class ImportFailed(Exception):
    """The enums or extensions of the database could not be written as definitions that compile."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))


def _compiled(files: dict[str, str]) -> tuple[Schema | None, list[DefinitionError]]:
    errors: list[DefinitionError] = []
    docs = [d for rel, text in sorted(files.items()) for d in load_text(text, f"definitions/{rel}", errors)]
    try:
        built = build_schema(docs, errors)
    except DefinitionErrors as e:
        return None, e.errors
    return (None, errors) if errors else (built, [])


def _type_at(text: str, line: int) -> tuple[str, str] | None:
    """("enum", schema.name) or ("extension", name) of the types.yaml document holding `line`."""
    start = 1
    for doc_text in text.split("---\n"):
        end = start + doc_text.count("\n")
        if start <= line < end or line == start:
            doc = yaml.safe_load(doc_text)
            if isinstance(doc, dict) and "enum" in doc:
                return "enum", f"{doc.get('schema', 'public')}.{doc['enum']}"
            if isinstance(doc, dict) and "extension" in doc:
                return "extension", str(doc["extension"])
            for kind in ("domain", "sequence"):
                if isinstance(doc, dict) and kind in doc:
                    return kind, f"{doc.get('schema', 'public')}.{doc[kind]}"
            return None
        start = end + 1
    return None


def _routine_at(text: str, line: int, schema: Schema) -> str | None:
    """The key of the routine whose document in a routines.yaml holds `line` (the routines of one
    schema, written in key order, one document each)."""
    docs = text.split("---\n")
    first = yaml.safe_load(docs[0]) if docs else None
    if not isinstance(first, dict) or not ("function" in first or "procedure" in first):
        return None
    folder = first.get("schema", "public")
    keys = [k for k, r in schema.routines.items() if r.schema == folder]
    start = 1
    for i, doc_text in enumerate(docs):
        end = start + doc_text.count("\n")
        if start <= line < end and i < len(keys):
            return keys[i]
        start = end + 1
    return None


def _table_of(text: str) -> str | None:
    """schema.name of the table or view a written file defines; None for types.yaml."""
    doc = next(iter(yaml.safe_load_all(text)), None)
    if not isinstance(doc, dict):
        return None
    kind = next((k for k in ("table", "view", "materialized_view") if k in doc), None)
    if kind is None:
        return None
    return f"{doc.get('schema', 'public')}.{doc[kind]}"
