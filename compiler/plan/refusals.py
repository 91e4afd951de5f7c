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
    added = {(c.table, c.definition.declared_type): c.definition.name for c in changes
             if isinstance(c, ch.AddColumn) and c.subject not in recreated}
    created = {c.table.schema: c.table.name for c in changes if isinstance(c, ch.CreateTable)}
    out = {}
    for c in changes:
        if isinstance(c, ch.DropColumn) and c.subject not in recreated and (
                column := added.get((c.table, c.definition.declared_type))):
            out[c.subject] = ("column", column)
        elif isinstance(c, ch.DropTable) and c.rebuilt_for is None and (table := created.get(c.table.schema)):
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
        line = c.data_loss or ""
        twin = twins.get(c.subject)
        if twin and isinstance(c, ch.DropColumn | ch.DropTable):
            line += hint(twin[0], c.column if isinstance(c, ch.DropColumn) else c.table.name, twin[1])
        out.append(line)
    return out


def appended_column_notes(changes: list[ch.Change], new: Schema) -> list[str]:
    """One line per column added to an existing table before columns it already has: PostgreSQL
    appends it, so the table's column order differs from the definitions' (and from a fresh build)."""
    added: dict[str, set[str]] = {}
    for c in changes:
        if isinstance(c, ch.AddColumn):
            added.setdefault(c.table.key, set()).add(c.definition.name)
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
