"""`view:` and `materialized_view:` documents -> View, their queries checked against the relations.

A view may read tables and other views: views are read in rounds, each taking those whose
relations all exist by then, so a view on a view needs no order among the files. What is still
missing at the end (a typo, or views reading each other) is reported by name.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import DefinitionError, did_you_mean
from ..model.schema import Index, Table
from ..model.security import Grants
from ..model.view import CHECK_OPTIONS, Query, QueryReading, View, ViewColumn
from ..model.view_query import Relations, read_query
from .build_constraints import indexes
from .build_security import grants
from .drafts import TableContext, TableDraft
from .load import Document, Mapping, Pos
from .reader import Reader

VIEW_KEYS = frozenset({"view", "schema", "query", "columns", "with", "comment", "renamed_from",
                       "grants"})
MATERIALIZED_VIEW_KEYS = frozenset({"materialized_view", "schema", "query", "columns", "with", "comment",
                                    "renamed_from", "indexes", "with_data", "grants"})
VIEW_COLUMN_KEYS = frozenset({"name", "comment"})
VIEW_OPTION_KEYS = frozenset({"check_option", "security_barrier", "security_invoker"})
# storage parameters a materialized view takes (a table's, but for its partitioning and TOAST's)
MATERIALIZED_VIEW_STORAGE_KEYS = frozenset({"fillfactor", "parallel_workers", "autovacuum_enabled",
                                            "toast_tuple_target"})
_NUMBER_OPTIONS = {"fillfactor": (10, 100), "parallel_workers": (0, 1024), "toast_tuple_target": (128, 8160)}


@dataclass
class _Pending:
    doc: Document
    r: Reader
    schema: str
    name: str
    materialized: bool
    text: str
    pos: Pos

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def kind_name(self) -> str:
        return "materialized view" if self.materialized else "view"


def build_views(view_docs: list[Document], materialized_docs: list[Document], tables: dict[str, Table],
                errors: list[DefinitionError], builder: Callable[[Document], Any]) -> dict[str, View]:
    """Every view and materialized view, checked; `builder(doc)` is a table builder of the document
    (build._TableBuilder), whose reader of `indexes:` reads a materialized view's."""
    pending: dict[str, _Pending] = {}
    taken = {k: "table" for k in tables}
    for doc, materialized in [(d, False) for d in view_docs] + [(d, True) for d in materialized_docs]:
        p = _head(doc, materialized, errors)
        if p is None:
            continue
        if p.key in taken or p.key in pending:
            first = "a table" if p.key in taken else f"{pending[p.key].doc.path}:{pending[p.key].pos[0]}"
            p.r.error(doc.body.value_pos[_kind_key(materialized)], f"{p.key} is defined twice (first: {first}); "
                                                                  f"tables, views and materialized views share names")
            continue
        pending[p.key] = p
    relations: dict[str, tuple[tuple[str, str], ...]] = {
        k: tuple((c.name, c.type) for c in t.columns) for k, t in tables.items()}
    out: dict[str, View] = {}
    while pending:
        ready = {}
        for key, p in pending.items():
            reading = read_query(p.text, p.schema, relations)
            if reading.missing and any(_could_be(m, p.schema, pending) for m in reading.missing):
                continue
            ready[key] = reading
        if not ready:  # what is left reads what is missing, or each other
            for key, p in pending.items():
                reading = read_query(p.text, p.schema, relations)
                names = [m for m in reading.missing if not _could_be(m, p.schema, {key: p})] or list(reading.missing)
                p.r.error(p.pos, f"the query of {p.kind_name()} {p.key} reads {names[0]}, which is neither a table "
                                 f"nor a view of the definitions (or views read each other)"
                          + did_you_mean(names[0].split(".")[-1], [k.split(".")[-1] for k in relations]))
            break
        for key, reading in ready.items():
            p = pending.pop(key)
            view = _view(p, reading, relations, errors, builder)
            if view is not None:
                out[key] = view
                relations[key] = tuple((c.name, c.type or "unknown") for c in view.columns)
    return dict(sorted(out.items()))


def _could_be(name: str, schema: str, pending: dict[str, _Pending]) -> bool:
    if "." in name:
        return name in pending
    return f"{schema}.{name}" in pending or f"public.{name}" in pending


def _kind_key(materialized: bool) -> str:
    return "materialized_view" if materialized else "view"


def _head(doc: Document, materialized: bool, errors: list[DefinitionError]) -> _Pending | None:
    r, body = Reader(doc.path, errors), doc.body
    kind = _kind_key(materialized)
    what = "a materialized view" if materialized else "a view"
    if materialized:
        r.keys(body, MATERIALIZED_VIEW_KEYS, what)
    else:
        r.keys(body, VIEW_KEYS, what)
    name = r.name(body, kind, what, required=True)
    schema = r.name(body, "schema", what) or "public"
    text = r.text(body, "query", f"{what} {name}", required=True)
    if name is None or text is None:
        return None
    if not text.strip():
        r.error(r.pos(body, "query"), f"the query of {what} {name} is empty")
        return None
    p = _Pending(doc, r, schema, name, materialized, text, r.pos(body, "query"))
    return p


def _view(p: _Pending, reading: QueryReading, relations: Relations, errors: list[DefinitionError],
          builder: Callable[[Document], Any]) -> View | None:
    r, body = p.r, p.doc.body
    what = f"{'materialized view' if p.materialized else 'view'} {p.key}"
    if reading.problem is not None:
        r.error(p.pos, f"the query of {what}: {reading.problem}")
        return None
    if reading.missing:
        r.error(p.pos, f"the query of {what} reads {reading.missing[0]}, which is neither a table nor a view of "
                       f"the definitions" + did_you_mean(reading.missing[0].split(".")[-1],
                                                         [k.split(".")[-1] for k in relations]))
        return None
    if reading.unknown_column is not None:
        known = {c for k in reading.relations for c, _ in relations[k]}
        r.error(p.pos, f"the query of {what} reads column {reading.unknown_column}, which none of "
                       f"{', '.join(reading.relations) or 'the relations it reads'} has"
                       + did_you_mean(reading.unknown_column, known))
        return None
    names = [c.name for c in reading.columns]
    types = [c.type for c in reading.columns]
    columns = _columns(r, body, what, names, types)
    if columns is None:
        return None
    seen: set[str] = set()
    for c in columns:
        if c.name in seen:
            r.error(p.pos, f"{what} has two columns named {c.name}; give one an alias (AS) or name them in 'columns'")
            return None
        seen.add(c.name)
    comment = (r.text(body, "comment", what) or None) if "comment" in body else None
    renamed_from = r.name(body, "renamed_from", what)
    options = _options(r, body, what, p.materialized)
    with_data = True
    index_list: tuple[Index, ...] = ()
    if p.materialized:
        with_data = r.flag(body, "with_data", what) is not False
        if "indexes" in body:
            index_list = _indexes(p, columns, builder)
    return View(p.schema, p.name, Query.of(p.text), tuple(columns), p.materialized, options, comment,
                index_list, with_data, named_columns="columns" in body or not reading.whole, renamed_from=renamed_from,
                reading=reading, grants=_grants(r, body, p.materialized, what, {c.name for c in columns}))


def _grants(r: Reader, body: Mapping, materialized: bool, what: str, columns: set[str]) -> Grants:
    if "grants" not in body:
        return ()
    return grants(r, body, "materialized_view" if materialized else "view", what, columns)


def _columns(r: Reader, body: Mapping, what: str, names: list[str],
             types: list[str | None]) -> list[ViewColumn] | None:
    """The columns: as the query names them, or as `columns:` renames them, with their comments."""
    if "columns" not in body:
        return [ViewColumn(n, None, t) for n, t in zip(names, types, strict=True)]
    listed = r.mappings(body, "columns", what)
    if names and len(listed) != len(names):
        r.error(r.pos(body, "columns"), f"'columns' of {what} lists {len(listed)} column(s); its query gives "
                                        f"{len(names)} ({', '.join(names)}): name each, in order")
        return None
    out = []
    for i, (m, _pos) in enumerate(listed):
        r.keys(m, VIEW_COLUMN_KEYS, "a view column")
        name = r.name(m, "name", "a view column", required=True)
        if name is None:
            return None
        comment = (r.text(m, "comment", f"column {name} of {what}") or None) if "comment" in m else None
        out.append(ViewColumn(name, comment, types[i] if i < len(types) else None))
    return out


def _options(r: Reader, body: Mapping, what: str, materialized: bool) -> tuple[tuple[str, str], ...]:
    m = r.get(body, "with", Mapping, what)
    if m is None:
        return ()
    out: dict[str, str] = {}
    if not materialized:
        r.keys(m, VIEW_OPTION_KEYS, f"the 'with' of {what}")
        for key in ("security_barrier", "security_invoker"):
            if key in m and (flag := r.flag(m, key, what)) is not None:
                out[key] = "true" if flag else "false"
        if "check_option" in m and (choice := r.choice(m, "check_option", CHECK_OPTIONS, what)) is not None:
            out["check_option"] = choice
        return tuple(sorted(out.items()))
    r.keys(m, MATERIALIZED_VIEW_STORAGE_KEYS, f"the 'with' of {what}")
    for key in sorted(m):
        if key == "autovacuum_enabled":
            if (flag := r.flag(m, key, what)) is not None:
                out[key] = "true" if flag else "false"
        elif key in _NUMBER_OPTIONS and (number := r.get(m, key, int, what)) is not None:
            low, high = _NUMBER_OPTIONS[key]
            if not low <= number <= high:
                r.error(r.pos(m, key), f"'{key}' of {what} must be between {low} and {high}, not {number}")
            else:
                out[key] = str(number)
    return tuple(sorted(out.items()))


def _indexes(p: _Pending, columns: list[ViewColumn], builder: Callable[[Document], Any]) -> tuple[Index, ...]:
    """A materialized view's indexes, read by the table builder's own reader of `indexes:`."""
    b = builder(p.doc)
    b.all_columns = {c.name for c in columns}
    draft = TableDraft(p.schema, p.name, p.doc.path, p.pos)
    draft.column_pos = {c.name: p.pos for c in columns}
    cx = TableContext(p.r, p.doc, b.all_columns, b.expression, b.expression_text)
    indexes(cx, draft, p.doc.body)
    return tuple(sorted(draft.indexes, key=lambda i: i.name))
