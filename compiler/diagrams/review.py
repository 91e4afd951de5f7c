"""What a reviewer reads about a pull request's migrations, as Markdown for a CI job summary.

The migrations a branch adds (those newer than the base branch's state.json), each file's SQL
as compiled (its header carries the notes and hazards compile wrote), what is pending in the
definitions and not compiled yet, and a Mermaid ER diagram of the tables that changed. Which
tables changed is read from the two states, base and head, never from the SQL. Pure: no I/O.
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model.schema import Schema
from ..plan import changes as ch
from ..warehouse.hazards import destructive_lines
from .mermaid import tables_diagrams


def fenced(text: str, info: str) -> list[str]:
    """`text` as a fenced code block no line of it can close: the fence is longer than any run of
    backticks inside (a comment in the SQL may hold ``` and would otherwise end the block and let
    the rest render as Markdown or HTML in the job summary)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, text.rstrip("\n"), fence]


def code(text: str) -> str:
    """`text` as an inline code span that its own backticks cannot end."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


@dataclass(frozen=True, slots=True)
class ReviewedFile:
    name: str  # as under generated/migrations/
    sql: str
    rollback_name: str
    rollback_sql: str


@dataclass(frozen=True, slots=True)
class TablesChanged:
    created: tuple[str, ...]
    altered: tuple[str, ...]
    dropped: tuple[str, ...]

    def summary(self) -> str:
        parts = [f"{len(keys)} table(s) {what}: {', '.join(f'`{k}`' for k in keys)}"
                 for what, keys in (("created", self.created), ("altered", self.altered), ("dropped", self.dropped))
                 if keys]
        return "; ".join(parts) if parts else "no table changed"


def tables_changed(changes: list[ch.Change], new: Schema) -> TablesChanged:
    """The tables `changes` create, alter and drop (a renamed table is altered, under its new name)."""
    created = {c.table.key for c in changes if isinstance(c, ch.CreateTable)}
    dropped = {c.table.key for c in changes if isinstance(c, ch.DropTable)}
    renamed = {c.table.key: f"{c.table.schema}.{c.new_name}" for c in changes if isinstance(c, ch.RenameTable)}
    touched = {renamed.get(c.table.key, c.table.key) for c in changes if isinstance(c, ch.TableChange)}
    altered = {k for k in touched - created - dropped if k in new.tables} | set(renamed.values())
    return TablesChanged(tuple(sorted(created)), tuple(sorted(altered - created)), tuple(sorted(dropped)))


def review_markdown(migrations: list[ReviewedFile], pending_sql: str, changed: TablesChanged, new: Schema,
                    warehouse: Sequence[tuple[str, str]] = (),
                    pending_warehouse: Sequence[tuple[str, str]] = ()) -> str:
    """The review: a summary line, each migration's SQL (PostgreSQL's, then BigQuery's: `warehouse`,
    (path, SQL)), what is not compiled, the ER of the changed tables."""
    lines = ["## Schema changes", ""]
    if not migrations and not pending_sql and not warehouse:
        return "\n".join(lines + ["No migrations: the schema does not change.", ""])
    bigquery = f", {len(warehouse)} BigQuery migration(s)" if warehouse else ""
    lines += [f"{len(migrations)} migration(s){bigquery}; {changed.summary()}.", ""]
    for m in migrations:
        lines += [f"### {code(m.name)}", "", *fenced(m.sql, "sql"), "",
                  f"<details><summary><code>{html.escape(m.rollback_name)}</code></summary>", "",
                  *fenced(m.rollback_sql, "sql"), "", "</details>", ""]
    for name, sql in warehouse:
        lines += _bigquery(name, sql)
    if pending_sql:
        lines += ["### Not compiled yet", "",
                  "The definitions hold changes no migration has: run `schemac compile` and commit `generated/`.", "",
                  *fenced(pending_sql, "sql"), ""]
        for name, sql in pending_warehouse:
            lines += _bigquery(name, sql)
    diagrams = tables_diagrams(new, set(changed.created) | set(changed.altered))
    if diagrams:
        lines += ["### Tables changed", ""]
        for text in diagrams:
            lines += [*fenced(text, "mermaid"), ""]
    return "\n".join(lines)


def _bigquery(name: str, sql: str) -> list[str]:
    """A BigQuery migration: its data losses said first, in bold (BigQuery has no rollback file)."""
    lost = [f"**Destructive:** {html.escape(line)}" for line in destructive_lines(sql)]
    return [f"### BigQuery {code(name)}", "", *[x for line in lost for x in (line, "")], *fenced(sql, "sql"), ""]
