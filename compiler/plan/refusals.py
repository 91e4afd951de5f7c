"""What compile tells a reviewer about a plan in words: the destructive changes it refuses without
--allow-destructive, a drop that looks like an undeclared rename, a column PostgreSQL appends."""
from __future__ import annotations

from collections.abc import Callable

from ..model.schema import Schema
from . import changes as ch


def renamed_from_hint(kind: str, old: str, new: str) -> str:
    """compile's hint where a drop and an addition look like a rename the definitions did not declare."""
    was = "it" if kind == "table" else old
    return f"; if {was} was renamed to {new}, add 'renamed_from: {old}' to {kind} {new}"


def rename_twins(changes: list[ch.Change]) -> dict[str, tuple[str, str]]:
    """subject of a dropped column or table -> (kind, name) of one added beside it that may be the
    same thing renamed: a column of the same type in the same table, a table created in the schema."""
    # a column dropped and added under one name is recreated (a generated column's expression), no rename
    dropped = {c.subject for c in changes if isinstance(c, ch.DropColumn)}
    recreated = dropped & {c.subject for c in changes if isinstance(c, ch.AddColumn)}
    added = {(c.schema, c.table, c.definition.declared_type): c.definition.name for c in changes
             if isinstance(c, ch.AddColumn) and c.subject not in recreated}
    created = {c.table.schema: c.table.name for c in changes if isinstance(c, ch.CreateTable)}
    out = {}
    for c in changes:
        if isinstance(c, ch.DropColumn) and c.subject not in recreated and (
                column := added.get((c.schema, c.table, c.definition.declared_type))):
            out[c.subject] = ("column", column)
        elif isinstance(c, ch.DropTable) and (table := created.get(c.table.schema)):
            out[c.subject] = ("table", table)
    return out


def destructive_reasons(changes: list[ch.Change],
                        hint: Callable[[str, str, str], str] = renamed_from_hint) -> list[str]:
    """One line per destructive change, with a rename hint (`hint(kind, old, new)`) where a drop looks like one."""
    twins = rename_twins(changes)
    out = []
    for c in changes:
        if not c.destructive:
            continue
        twin = twins.get(c.subject)
        if isinstance(c, ch.DropColumn):
            line = f"drop column {c.subject} ({c.definition.declared_type}): its data is lost"
            if twin:
                line += hint("column", c.definition.name, twin[1])
        elif isinstance(c, ch.DropTable):
            line = f"drop table {c.subject}: its rows are lost"
            if twin:
                line += hint("table", c.table.name, twin[1])
        elif isinstance(c, ch.DropEnum):
            if c.replaced_by is not None and c.removed_values:
                name = c.replaced_by.name
                line = f"remove value(s) {', '.join(c.removed_values)} from enum {name}: rows using them fail"
            elif c.replaced_by is not None:
                line = (f"reorder the values of enum {c.replaced_by.name}: every column of the type is "
                        f"rewritten and sorts differently")
            else:
                line = f"drop enum {c.subject}"
        elif isinstance(c, ch.AlterColumnType):
            line = f"narrow column {c.subject} from {c.old_type} to {c.new_type}: values may be cut or refused"
        else:
            line = f"{c.kind} {c.subject}"
        out.append(line)
    return out


def appended_column_notes(changes: list[ch.Change], new: Schema) -> list[str]:
    """One line per column added to an existing table before columns it already has: PostgreSQL
    appends it, so the table's column order differs from the definitions' (and from a fresh build)."""
    added: dict[str, set[str]] = {}
    for c in changes:
        if isinstance(c, ch.AddColumn):
            added.setdefault(f"{c.schema}.{c.table}", set()).add(c.definition.name)
    out = []
    for key, names in added.items():
        table = new.tables[key]
        order = [col.name for col in table.columns]
        for i, name in enumerate(order):
            if name in names and any(later not in names for later in order[i + 1:]):
                label = table.name if table.schema == "public" else key
                out.append(f"{label}.{name} is added at the end of the table; "
                           f"PostgreSQL cannot insert a column in the middle")
    return out
