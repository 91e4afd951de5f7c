"""Views and materialized views read from pg_catalog (introspect.py sends the queries).

The query is pg_get_viewdef's, every relation it reads named with its schema; options are the
catalog's reloptions with a boolean spelled one way (`on`, `yes`, `1` are `true`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.schema import Index, Table
from ..model.view import Query, View, ViewColumn
from ..model.view_query import read_views

_TRUE, _FALSE = frozenset({"on", "yes", "true", "1", "t", "y"}), frozenset({"off", "no", "false", "0", "f", "n"})


def _option(item: str) -> tuple[str, str]:
    key, _, value = item.partition("=")
    lowered = value.lower()
    if key == "check_option":
        return key, lowered
    return key, "true" if lowered in _TRUE else "false" if lowered in _FALSE else value


def views_from_catalog(rows: list[Any], column_rows: list[Any], indexes: Mapping[int, list[Index]],
                       tables: Mapping[str, Table]) -> dict[str, View]:
    """The views of the rows of queries/views.sql and view_columns.sql, with their readings."""
    columns: dict[int, list[ViewColumn]] = {}
    for oid, name, type_, comment in column_rows:
        columns.setdefault(oid, []).append(ViewColumn(name, comment, type_))
    out = {}
    for oid, schema, name, materialized, query, options, populated, comment in rows:
        out[f"{schema}.{name}"] = View(
            schema, name, Query.of(query), tuple(columns.get(oid, ())), materialized,
            tuple(sorted(_option(o) for o in options or ())), comment,
            tuple(sorted(indexes.get(oid, ()), key=lambda i: i.name)), bool(populated) or not materialized,
            named_columns=True)
    return read_views(out, tables)
