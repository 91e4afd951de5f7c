"""Views and materialized views as definitions documents (for `schemac import`, export.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model.schema import Index, Table
from ..model.view import View
from .export_security import grants_key

_NUMBERS = frozenset({"fillfactor", "parallel_workers", "toast_tuple_target"})


def _option(key: str, value: str) -> object:
    if value in ("true", "false"):
        return value == "true"
    return int(value) if key in _NUMBERS and value.isdigit() else value


def view_document(v: View, index: Callable[[Table, Index], dict[str, Any]]) -> dict[str, Any]:
    """One view as a document: its query as the database prints it, `columns:` only to carry comments."""
    doc: dict[str, Any] = {"materialized_view" if v.materialized else "view": v.name}
    if v.schema != "public":
        doc["schema"] = v.schema
    if v.comment is not None:
        doc["comment"] = v.comment
    if v.options:
        doc["with"] = {k: _option(k, value) for k, value in v.options}
    if v.materialized and not v.with_data:
        doc["with_data"] = False
    if any(c.comment is not None for c in v.columns):
        doc["columns"] = [{"name": c.name} | ({"comment": c.comment} if c.comment is not None else {})
                          for c in v.columns]
    doc["query"] = v.query.text
    if v.indexes:
        relation = Table(v.schema, v.name, ())  # the index reader names indexes after their relation
        doc["indexes"] = [index(relation, i) for i in v.indexes]
    return doc | grants_key("materialized_view" if v.materialized else "view", v.grants)
