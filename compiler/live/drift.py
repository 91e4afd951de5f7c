"""drift: the live database against state.json, in words and as the SQL that would reconcile it."""
from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ..definitions.settings import Settings
from ..model.schema import Expression, Schema, Table
from ..model.types import extension_schemas, extension_type_schemas
from ..plan import changes as ch
from ..plan.diff import plan
from ..plan.diff_security import namespaces
from ..plan.refusals import destructive_reasons, rename_twins
from ..project import Project
from ..sql.render import Renderer
from ..sql.state import load_state
from .apply import unfinished_in
from .database import connect
from .drift_domains import remade_domain_words, remade_domains
from .introspect import introspect
from .migrations_table import check_table
from .scratch import BuildFailed, canonical_against, definitions_refused
from .throwaway import dev_server
from .unmanaged import managed_part


@dataclass(frozen=True, slots=True)
class Drift:
    differences: list[str]
    sql: str
    # files whose part after the transaction is not all done, with how many statements are not:
    # an online migration that failed midway, which `schemac apply` finishes (status: unfinished)
    unfinished: list[tuple[str, int]] = field(default_factory=list)


def in_words(change: ch.Change) -> str:
    """A difference, said as what is wrong in the database."""
    return change.description


def _rename_hint(kind: str, old: str, new: str) -> str:
    return f"; it may be {kind} {new} renamed by hand (renaming it back keeps the data)"


_TRAILING_CAST = re.compile(r"::[A-Za-z_][\w .\"]*(\(\d+(, ?\d+)?\))?(\[\])?$")


def _default_value(default: Expression | None) -> str | None:
    """A default without the cast to its column's type: "'new'::character varying" -> "'new'"."""
    return None if default is None else _TRAILING_CAST.sub("", default.text)


def _retyped_default(live: Schema, change: ch.AlterColumnType, wanted: Expression | None) -> str | None:
    """The words for a column's default around a type change, or None when it is the same value
    (taken off and put back only because the type changes)."""
    table = live.tables.get(change.table.key)
    column = table.column(change.column) if table is not None else None
    old = column.default if column is not None else None
    if _default_value(old) == _default_value(wanted):
        return None
    if wanted is None:
        return f"column {change.subject} has a default it should not have"
    if old is None:
        return f"column {change.subject} has no default but should have {wanted.text}"
    return f"column {change.subject} has the default {old.text} but should have {wanted.text}"


def differences(changes: list[ch.Change], live: Schema) -> list[str]:
    """One line per difference, one only per property: around a type change, a default taken off
    and put back is one difference of default, or none when it is the same value."""
    retyped = {c.subject: c for c in changes if isinstance(c, ch.AlterColumnType)}
    wanted = {c.subject: c.default for c in changes if isinstance(c, ch.SetDefault)}
    twins = rename_twins(changes)
    # the steps of an online form say nothing the change they serve does not (plan/online.py)
    built = {c.subject for c in changes if isinstance(c, ch.CreateIndex) and c.concurrently}
    # an INVALID index is dropped and built again: said once, as what is wrong with it
    invalid = {c.subject for c in changes if isinstance(c, ch.DropIndex) and not c.index.valid}
    unchecked = _not_valid_constraints(live)
    remade = remade_domains(changes)
    out = []
    said: set[str] = set()
    for c in changes:
        if remade and (line := remade_domain_words(c, remade)) is not None:
            out += [line] if line else []
            continue
        if isinstance(c, ch.ValidateConstraint) and (c.table.key, c.constraint) in unchecked:
            out.append(f"constraint {c.constraint} on {c.table.key} is NOT VALID: existing rows are not checked")
            continue
        if isinstance(c, ch.DropIndex) and c.subject in invalid:
            out.append(f"index {c.subject} is INVALID (a concurrent build that failed): it answers no query, "
                       f"costs every write and must be built again")
            continue
        if isinstance(c, ch.ValidateConstraint | ch.AddNotNullCheck) or (
                isinstance(c, ch.SetIndexComment) and c.subject in built) or (
                isinstance(c, ch.CreateIndex) and c.subject in invalid):
            continue
        if isinstance(c, ch.DropDefault | ch.SetDefault) and c.subject in retyped:
            if c.subject not in said:
                said.add(c.subject)
                line = _retyped_default(live, retyped[c.subject], wanted.get(c.subject))
                out += [line] if line else []
            continue
        line = in_words(c)
        if isinstance(c, ch.DropColumn | ch.DropTable) and c.destructive:
            line += " (its data would be dropped)"
        if c.subject in twins and isinstance(c, ch.DropColumn | ch.DropTable):
            kind, twin = twins[c.subject]
            line += _rename_hint(kind, c.subject, twin)
        out.append(line)
    return out


def with_declared(schema: Schema, declared: Schema, keep: Callable[[Table, Table], Table]) -> Schema:
    """`schema` (read from a database) with each table that `declared` also holds given what only
    definitions say, by `keep(read, declared)`: keys the catalog has no place for."""
    tables = {key: t if (d := declared.tables.get(key)) is None else keep(t, d) for key, t in schema.tables.items()}
    return replace(schema, tables=tables)


def with_online_keys(schema: Schema, declared: Schema) -> Schema:
    """`schema` (read from a database) with the online keys `declared` gives its indexes, checks
    and foreign keys by name (`concurrently`, `online`: keys of the definitions, not of the catalog)."""
    def keep(t: Table, d: Table) -> Table:
        concurrent = {i.name for i in d.indexes if i.concurrently}
        online = {k.name for k in d.checks if k.online} | {k.name for k in d.foreign_keys if k.online}
        return replace(
            t, indexes=tuple(replace(i, concurrently=i.name in concurrent) for i in t.indexes),
            checks=tuple(replace(k, online=k.name in online) for k in t.checks),
            foreign_keys=tuple(replace(k, online=k.name in online) for k in t.foreign_keys))
    return with_declared(schema, declared, keep)


def _same_schemas(live: Schema, wanted: Schema) -> bool:
    """No schema to create or drop, and none whose comment or privileges differ: a schema made,
    commented on or granted by hand is drift even when every object in it matches."""
    return live.schema_names == wanted.schema_names and not namespaces(live, wanted)


def _not_valid_constraints(live: Schema) -> set[tuple[str, str]]:
    """(table, name) of every check and foreign key the database holds NOT VALID."""
    return {(key, k.name) for key, t in live.tables.items() for k in t.checks if not k.valid} | {
        (key, k.name) for key, t in live.tables.items() for k in t.foreign_keys if not k.valid}


def _live_schema(url: str, settings: Settings) -> Schema:
    with connect(url) as conn:
        check_table(conn, settings.migrations_table)  # left out below only when it is schemac's
        return managed_part(conn, introspect(conn, settings.migrations_table))


def find_drift(project: Project, url: str, settings: Settings, dev_url: str | None = None) -> Drift:
    """Compare the live schema with state.json (both as PostgreSQL spells them); the reference
    copy is built on a throwaway database (see throwaway.dev_server for which server)."""
    with ThreadPoolExecutor(1) as pool:  # the catalog is read while state.json is
        reading = pool.submit(_live_schema, url, settings)
        state = load_state(project.read_state_bytes())  # a bad state.json is said first, as before
        live = reading.result()
    unfinished = unfinished_in(project, url, settings, state)

    def compared(reference: Schema) -> Drift:
        # the schemas extensions are declared in, not where a reference copy made like the live one has them;
        # the online keys of the definitions, so that the SQL builds and validates as a migration would
        wanted = with_online_keys(replace(reference, extensions=state.schema.extensions), state.schema)
        if (live.tables, live.enums, live.extensions, live.routines, live.triggers, live.views, live.sequences,
                live.domains) == (wanted.tables, wanted.enums, wanted.extensions, wanted.routines, wanted.triggers,
                                  wanted.views, wanted.sequences, wanted.domains) and _same_schemas(live, wanted):
            return Drift([], "", unfinished)  # equal, so diff has nothing to find: a clean run skips its walk
        planned = plan(live, wanted)
        changes = planned.changes
        if not changes:
            return Drift([], "", unfinished)
        notes = [f"DESTRUCTIVE, review before running: {line}"
                 for line in destructive_reasons(changes, _rename_hint)]
        sql = Renderer(project.root).migration("reconcile the database with generated/state.json", planned, notes,
                                               extension_type_schemas(wanted.extensions.values()),
                                               timeouts=settings.migration_timeouts,
                                               extension_schemas=extension_schemas(wanted.extensions.values()))
        return Drift(differences(changes, live), sql, unfinished)

    try:
        return canonical_against(state.schema, live, lambda: dev_server(dev_url, url), compared)
    except BuildFailed as e:
        raise definitions_refused(e, "drift compares the database with that build") from None
