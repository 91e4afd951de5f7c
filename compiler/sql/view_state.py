"""Views and materialized views in state.json: written and read as the tables are (state.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions.export_security import grants_key
from ..model.schema import Index
from ..model.view import Query, View, ViewColumn
from .state_security import read_grants


def view_state(v: View, index: Callable[[Index], dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": v.schema, "name": v.name}
    if v.materialized:
        out["materialized"] = True
    if v.comment is not None:
        out["comment"] = v.comment
    out["columns"] = [{"name": c.name} | ({"comment": c.comment} if c.comment is not None else {})
                      for c in v.columns]
    if v.named_columns:
        out["named_columns"] = True
    out["query"] = v.query.text
    if v.options:
        out["with"] = dict(v.options)
    if not v.with_data:
        out["with_data"] = False
    if v.indexes:
        out["indexes"] = [index(i) for i in v.indexes]
    return out | grants_key(_kind(v.materialized), v.grants)


def _kind(materialized: bool) -> str:
    return "materialized_view" if materialized else "view"


def read_view_state(d: dict[str, Any], get: Callable[..., Any], index: Callable[[dict[str, Any]], Index]) -> View:
    """A view of state.json; `get` checks each value's kind as state.py's reader does."""
    columns = tuple(ViewColumn(get(c, "name", "text"), get(c, "comment", "text?", None))
                    for c in get(d, "columns", "list"))
    return View(get(d, "schema", "text"), get(d, "name", "text"), Query.of(get(d, "query", "text")), columns,
                get(d, "materialized", "flag", False), tuple(sorted(get(d, "with", "words", {}).items())),
                get(d, "comment", "text?", None), tuple(index(i) for i in get(d, "indexes", "list", [])),
                get(d, "with_data", "flag", True), named_columns=get(d, "named_columns", "flag", False),
                grants=read_grants(d, get, _kind(get(d, "materialized", "flag", False))))
