"""The BigQuery migrations a review or lint covers, and the data they lose.

A BigQuery migration says what it loses in its header (`-- destructive (why): BigQuery table q is
rebuilt ...`, written by warehouse_migration_file), so the compiled file is read, not the schema
diffed again: what a reviewer is told is what the file that runs holds.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..model.hazard_names import DATA_LOSS
from ..plan.lint import Acknowledgements, Finding
from ..sql.state import State

MIGRATIONS = "warehouse/bigquery/migrations/"
_DESTRUCTIVE = "-- destructive ("


def destructive_lines(sql: str) -> list[str]:
    """What a BigQuery migration's header says it loses, one line each."""
    return [line.partition("): ")[2] for line in sql.splitlines() if line.startswith(_DESTRUCTIVE)]


def warehouse_after(state: State, version: int, generated: Path) -> list[tuple[str, str]]:
    """(path under generated/, SQL) of the compiled BigQuery migrations numbered after `version`."""
    return [(w.file, (generated / w.file).read_text()) for w in state.warehouse_migrations if w.version > version]


def pending_warehouse(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(path under generated/, SQL) of the BigQuery migration a compile would write, if any."""
    return [(rel, data.decode()) for rel, data in sorted(files.items()) if rel.startswith(MIGRATIONS)]


def newest(state: State) -> int:
    """The newest number of either kind of migration (0 for none)."""
    return max([m.version for m in state.migrations] + [w.version for w in state.warehouse_migrations], default=0)


def warehouse_findings(files: Iterable[tuple[str, str]], acknowledged: Acknowledgements) -> list[Finding]:
    """A data_loss finding for each loss a BigQuery migration's header names ((path, SQL) of each):
    a table rebuilt or dropped, a column dropped. Acknowledged by `--allow data_loss` only, as it
    belongs to no object of definitions/ that an `allow:` key could be written on."""
    return [Finding(rel, DATA_LOSS, "BigQuery", None, line, acknowledged.accepts((), DATA_LOSS))
            for rel, sql in files for line in destructive_lines(sql)]
