"""The dataset the warehouse DDL is written for: schemac.yaml's `bigquery_dataset`, or the
environment's BIGQUERY_DATASET over it.

The environment is read, and its value judged, only for a project with warehouse tables (in the
definitions or in the last compiled state, whose tables a migration drops): a shell that exports
BIGQUERY_DATASET for other tools must not break the compile of a project that has no warehouse.
A bad value is then an error at the first warehouse table, saying where the value came from.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from ..definitions.settings import DATASET_VARIABLE, DEFAULT_BIGQUERY_DATASET, Settings, is_dataset_name
from ..errors import DefinitionError, DefinitionErrors
from ..model.schema import Schema

Places = Mapping[str, tuple[str, int, int]]  # table key -> (path, line, col) of its `warehouse:` key


def has_warehouse(*schemas: Schema) -> bool:
    return any(t.warehouse is not None for s in schemas for t in s.tables.values())


def warehouse_dataset(settings: Settings, environ: Mapping[str, str], new: Schema, old: Schema,
                      places: Callable[[], Places]) -> str:
    """The dataset; DefinitionErrors when BIGQUERY_DATASET is no dataset name and a table needs it."""
    value = environ.get(DATASET_VARIABLE)
    if not value or not has_warehouse(new, old):
        return settings.bigquery_dataset
    if is_dataset_name(value):
        return value
    over = ("the default dataset" if settings.bigquery_dataset == DEFAULT_BIGQUERY_DATASET
            else "schemac.yaml's bigquery_dataset")
    why = (f"dataset comes from the environment variable {DATASET_VARIABLE} (over {over} "
           f"'{settings.bigquery_dataset}'), and {value!r} is not a BigQuery dataset name (letters, digits and "
           f"underscores, up to 1,024)")
    known = places()
    marked = sorted((known[k], k) for k, t in new.tables.items() if t.warehouse is not None and k in known)
    if marked:
        (path, line, col), key = marked[0]
        raise DefinitionErrors([DefinitionError(path, line, col, f"table {key} is in the BigQuery warehouse, "
                                                                 f"whose {why}")])
    # only the last compile's warehouse tables: the migration that drops them names the dataset
    dropped = ", ".join(k for k, t in old.tables.items() if t.warehouse is not None)
    raise DefinitionErrors([DefinitionError("generated/state.json", 1, 1, (
        f"the BigQuery table(s) of {dropped} leave the warehouse in the next migration, whose {why}"))])


def dataset_as_given(settings: Settings, environ: Mapping[str, str]) -> str:
    """The dataset as the environment or the settings give it, not checked (see warehouse_dataset)."""
    return environ.get(DATASET_VARIABLE) or settings.bigquery_dataset
