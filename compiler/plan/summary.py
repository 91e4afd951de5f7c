"""A plan in a few lines for a person: tables created, altered and dropped, then its hazards.

The lines are plain text that reads the same in a terminal and in a CI job summary (Markdown:
each hazard is a list item). Each line carries a style name; the command line colours by it
on a terminal only.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import changes as ch
from .lint import Acknowledgements, Finding, findings
from .order import Plan
from .partition_changes import PartitionChange

# the styles a line may have
TITLE, CREATED, ALTERED, DROPPED, HAZARD, ALLOWED, CLEAN = (
    "title", "created", "altered", "dropped", "hazard", "allowed", "clean")

Line = tuple[str, str]  # (style, text)


@dataclass(frozen=True, slots=True)
class Summary:
    created: tuple[str, ...]
    altered: tuple[str, ...]
    dropped: tuple[str, ...]
    other: int  # changes to no table: schemas, extensions, enums, routines, triggers
    findings: tuple[Finding, ...]


def summarize(plan: Plan, acknowledged: Acknowledgements | None = None) -> Summary:
    created = {c.table.key for c in plan.changes if isinstance(c, ch.CreateTable)}
    dropped = {c.table.key for c in plan.changes if isinstance(c, ch.DropTable)}
    renamed = {c.table.key: f"{c.schema}.{c.new_name}" for c in plan.changes if isinstance(c, ch.RenameTable)}
    # a partition's changes alter its partitioned table (`root`)
    altered = {renamed.get(k, k) for c in plan.changes if isinstance(c, ch.TableChange)
               for k in [c.root if isinstance(c, PartitionChange) else c.table.key]}
    other = sum(1 for c in plan.changes if not isinstance(c, ch.TableChange))
    return Summary(tuple(sorted(created)), tuple(sorted(altered - created - dropped)), tuple(sorted(dropped)),
                   other, tuple(findings(plan, acknowledged)))


def _tables(count_word: str, names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:5]) + (f", and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} {count_word} ({shown})"


def summary_lines(summary: Summary) -> list[Line]:
    """The summary as styled lines: one for the tables, one headline for the hazards, one per hazard."""
    parts: list[Line] = []
    for style, word, names in ((CREATED, "created", summary.created), (ALTERED, "altered", summary.altered),
                               (DROPPED, "dropped", summary.dropped)):
        if names:
            parts.append((style, _tables(word, names)))
    tables = "; ".join(text for _, text in parts) or "none"
    other = (f"; {summary.other} other change(s) (schemas, extensions, enums, routines, triggers)"
             if summary.other else "")
    out: list[Line] = [(TITLE, f"Tables: {tables}{other}")]
    found = summary.findings
    if not found:
        return [*out, (CLEAN, "Hazards: none")]
    open_ = sum(1 for f in found if not f.acknowledged)
    state = f"{open_} not acknowledged" if open_ else "all acknowledged"
    out.append((HAZARD if open_ else ALLOWED, f"Hazards: {len(found)}, {state} (see 'schemac lint'):"))
    out += [(ALLOWED if f.acknowledged else HAZARD, f"  - {f.line}") for f in found]
    return out
