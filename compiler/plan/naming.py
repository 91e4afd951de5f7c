"""A migration's name from what it does: `create_users`, `add_users_phone`, `initial_schema`..."""
from __future__ import annotations

from ..project import slug
from . import changes as ch
from . import routine_changes as rc


def _change_slug(c: ch.Change) -> str:
    if isinstance(c, ch.CreateTable | ch.DropTable):
        verb = "create" if isinstance(c, ch.CreateTable) else "drop"
        return f"{verb}_{c.table.name}"
    if isinstance(c, ch.RenameTable):
        return f"rename_{c.old_name}_to_{c.new_name}"
    if isinstance(c, ch.AddColumn | ch.DropColumn):
        verb = "add" if isinstance(c, ch.AddColumn) else "drop"
        return f"{verb}_{c.table.name}_{c.definition.name}"
    if isinstance(c, ch.RenameColumn):
        return f"rename_{c.table.name}_{c.column}"
    if isinstance(c, ch.CreatePartition | ch.DropPartition):
        return f"{'add' if isinstance(c, ch.CreatePartition) else 'drop'}_partition_{c.partition.name}"
    if isinstance(c, ch.DetachPartition | ch.AttachPartition):
        return f"rebound_{c.partition.name}"
    if isinstance(c, ch.CreateEnum | ch.DropEnum | ch.AddEnumValue | ch.RenameEnum):
        return f"alter_{c.enum.name}" if not isinstance(c, ch.CreateEnum) else f"create_{c.enum.name}"
    if isinstance(c, ch.CreateExtension | ch.SetExtensionSchema | ch.DropExtension):
        return f"extension_{c.name}"
    if isinstance(c, ch.CreateSchema | ch.DropSchema):
        return f"schema_{c.name}"
    if isinstance(c, ch.RenameView | ch.RenameMaterializedView):
        return f"rename_{c.view.name}_to_{c.new_name}"
    if isinstance(c, ch.ViewChange):
        verb = "create" if isinstance(c, ch.ViewCreation) and not isinstance(c, ch.ReplaceView) else (
            "drop" if isinstance(c, ch.ViewDrop) else "alter")
        return f"{verb}_{c.view.name}"
    if isinstance(c, rc.RoutineChange):
        verb = ("create" if isinstance(c, rc.CreateFunction | rc.CreateProcedure)
                else "drop" if isinstance(c, rc.DropFunction | rc.DropProcedure) else "alter")
        return f"{verb}_{c.routine.name}"
    if isinstance(c, rc.TriggerChange):
        created = isinstance(c, rc.CreateTrigger | rc.CreateViewTrigger)
        return f"create_{c.trigger.name}" if created else f"alter_{c.trigger.table}"
    return f"alter_{c.table.name}" if isinstance(c, ch.TableChange) else "alter_schema"


def auto_name(changes: list[ch.Change], first: bool) -> str:
    """A name from what the migration does: `create_users`, `add_users_phone`, `initial_schema`..."""
    created = [c.table.name for c in changes if isinstance(c, ch.CreateTable)]
    if first and not (len(created) == 1 and len(created) == len([c for c in changes if not isinstance(
            c, ch.CreateIndex | ch.AddForeignKey | ch.SetTableComment | ch.SetColumnComment)])):
        return "initial_schema"  # a whole schema at once; one table alone is named after it
    recreated = {c.enum.key for c in changes if isinstance(c, ch.RenameEnum)}
    rebuilt = {c.view.key for c in changes if isinstance(c, ch.ViewDrop) and c.recreated}
    others = any(not isinstance(c, ch.ViewDrop | ch.ViewCreation) or c.view.key not in rebuilt for c in changes)
    seen: dict[str, None] = {}
    for c in changes:
        if isinstance(c, ch.CreateEnum) and c.enum.key in recreated:
            continue  # part of altering that enum, already named
        if isinstance(c, ch.ViewDrop | ch.ViewCreation) and c.view.key in rebuilt:
            # dropped and created again: around another change, which names the migration; else rebuilt
            if not others:
                seen.setdefault(f"rebuild_{c.view.name}", None)
            continue
        if isinstance(c, ch.CreateIndex | ch.AddForeignKey | ch.SetTableComment | ch.SetColumnComment
                      | ch.CreatePartition) and any(
                isinstance(x, ch.CreateTable) and x.table.name == c.table.name for x in changes):
            continue  # part of creating that table
        seen.setdefault(_change_slug(c), None)
    names = [n for n in seen if not n.startswith("alter_")] or list(seen)  # specific names first
    text = names[0] if len(names) == 1 else f"{names[0]}_and_{names[1]}" if len(names) == 2 else f"{names[0]}_and_more"
    return slug(text)
