"""The hazards of a plan, one finding per change and hazard, and which of them are acknowledged.

A change to a table created in the same plan has none: nobody uses the table yet and it holds
no rows. What a user acknowledged is matched by the object it was written on (`allow:` on the
table, the column, the index or constraint, the enum) or given for one run (`--allow`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..model.hazard_names import ADVICE, DATA_LOSS, LOCK, REWRITE, Scope
from . import changes as ch
from .order import Plan
from .partition_changes import PartitionChange


@dataclass(frozen=True, slots=True)
class Acknowledgements:
    """What the definitions' `allow:` keys and the `--allow` flag accept."""

    by_object: Mapping[Scope, frozenset[str]] = field(default_factory=dict)
    everywhere: frozenset[str] = frozenset()  # --allow: every object, this run only

    def accepts(self, scopes: Iterable[Scope], hazard: str) -> bool:
        return hazard in self.everywhere or any(hazard in self.by_object.get(s, ()) for s in scopes)


@dataclass(frozen=True, slots=True)
class Finding:
    subject: str  # the object, as the change names it
    hazard: str
    kind: str  # the change kind, as the migration's statement comment names it
    lock: str | None  # the lock's label (ACCESS EXCLUSIVE), None when no table is locked
    advice: str
    acknowledged: bool = False

    @property
    def line(self) -> str:
        """object, hazard, what takes which lock, advice: one line of lint, compile and the header."""
        lock = f", {self.lock}" if self.lock else ""
        done = " (allowed)" if self.acknowledged else ""
        return f"{self.subject}  {self.hazard}{done}  {self.kind}{lock}: {self.advice}"


def _advice(change: ch.Change, hazard: str) -> str:
    online = change.effects.online
    if online and hazard in (LOCK, REWRITE):
        return online
    if hazard == DATA_LOSS and change.data_loss:
        return f"{change.data_loss}; {ADVICE[hazard]}"
    return ADVICE[hazard]


def _new_tables(plan: Plan) -> set[str]:
    return {c.table.key for c in plan.changes if isinstance(c, ch.CreateTable)}


def _renamed_tables(plan: Plan) -> dict[str, str]:
    """old key -> new key of the tables this plan renames (drops name tables as they were)."""
    return {c.table.key: f"{c.schema}.{c.new_name}" for c in plan.changes if isinstance(c, ch.RenameTable)}


def scopes(change: ch.Change, renamed: Mapping[str, str]) -> list[Scope]:
    """The objects whose `allow:` covers this change: its table (as it will be named), and the
    column, constraint or index it touches (by old and new name)."""
    if isinstance(change, ch.EnumChange):
        out: list[Scope] = [("enum", change.enum.key)]
        if isinstance(change, ch.DropEnum) and change.replaced_by is not None:
            out.append(("enum", change.replaced_by.key))
        return out
    if isinstance(change, ch.DomainChange):
        domains: list[Scope] = [("domain", change.domain.key)]
        if isinstance(change, ch.DropDomain) and change.replaced_by is not None:
            domains.append(("domain", change.replaced_by.key))
        return domains
    if isinstance(change, ch.SequenceChange):
        return [("sequence", change.sequence.key)]
    if isinstance(change, ch.RenameSequence):
        return [("sequence", f"{change.schema}.{change.old_name}"), ("sequence", f"{change.schema}.{change.new_name}")]
    if not isinstance(change, ch.TableChange):
        return []
    # a partition's changes are acknowledged on its partitioned table, the document that lists it
    table = change.root if isinstance(change, PartitionChange) else renamed.get(change.table.key, change.table.key)
    out = [("table", table)]
    names: list[str] = []
    if isinstance(change, ch.ColumnChange):
        names = [change.column, *([change.new_name] if isinstance(change, ch.RenameColumn) else [])]
        return out + [("column", table, n) for n in names]
    if isinstance(change, ch.ConstraintChange):
        names = [change.constraint_name, *([change.new_name] if isinstance(change, ch.RenameConstraint) else [])]
    elif isinstance(change, ch.IndexChange):
        names = [change.index_name, *([change.new_name] if isinstance(change, ch.RenameIndex) else [])]
    return out + [("object", table, n) for n in names]


def findings(plan: Plan, acknowledged: Acknowledgements | None = None) -> list[Finding]:
    """Every hazard of the plan's changes, in plan order, each marked acknowledged or not."""
    new, renamed = _new_tables(plan), _renamed_tables(plan)
    out = []
    for c in plan.changes:
        # a table created here is in use by no one; the drop of one created again (a new partition key) is
        # what loses its rows
        if isinstance(c, ch.TableChange) and not isinstance(c, ch.CreateTable | ch.DropTable) and c.table.key in new:
            continue
        effects = c.effects
        lock = effects.lock.label if effects.lock is not None else None
        for hazard in c.hazards:
            ok = acknowledged is not None and acknowledged.accepts(scopes(c, renamed), hazard)
            out.append(Finding(c.subject, hazard, c.kind, lock, _advice(c, hazard), ok))
    return out


def unacknowledged(found: list[Finding]) -> list[Finding]:
    return [f for f in found if not f.acknowledged]

