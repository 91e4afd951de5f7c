"""Reading a table's keys, checks, indexes and foreign keys, column-level and table-level."""
from __future__ import annotations

from dataclasses import replace

from ..model.names import default_name, identifier_problem
from ..model.schema import Check, Expression, Index, IndexPart, PrimaryKey, Unique
from .acknowledgements import ALLOW
from .drafts import PendingForeignKey, TableContext, TableDraft
from .index_options import has_mapping, index_options, index_part
from .load import Document, Mapping, Pos, Sequence
from .reader import Reader

INDEX_KEYS = frozenset({"name", "columns", "expression", "unique", "using", "where", "include", "with",
                        "nulls_not_distinct", "comment", ALLOW})
FOREIGN_KEY_KEYS = frozenset({"name", "columns", "references", "on_delete", "on_update", "deferrable",
                              "initially_deferred", "match", "comment", ALLOW})
KEY_TIMING_KEYS = ("deferrable", "initially_deferred", "match")  # also on a column-level reference
MATCH_TYPES = ("simple", "full", "partial")
REFERENCE_KEYS = frozenset({"table", "schema", "columns"})
CHECK_KEYS = frozenset({"name", "expression", "no_inherit", "comment", ALLOW})
UNIQUE_KEYS = frozenset({"name", "columns", "comment", ALLOW})  # also a primary key's
UNIQUE_CONSTRAINT_KEYS = UNIQUE_KEYS | {"nulls_not_distinct"}
ACTIONS = ("no action", "restrict", "cascade", "set null", "set default")
INDEX_METHODS = ("btree", "hash", "gist", "gin", "brin", "spgist")


def primary_key(cx: TableContext, t: TableDraft, body: Mapping, pk_columns: list[str]) -> None:
    r = cx.r
    value = body.get("primary_key")
    name = comment = None
    if value is None:
        if pk_columns:
            t.primary_key = PrimaryKey(default_name(t.name, [], "pkey"), tuple(pk_columns))
            t.place(t.primary_key.name, t.column_pos[pk_columns[0]])
        return
    pos = body.value_pos["primary_key"]
    if pk_columns:
        r.error(body.key_pos["primary_key"], f"table {t.name} has column-level primary_key on "
                                             f"{', '.join(pk_columns)}; use one form, not both")
        return
    listed = value
    if isinstance(value, Mapping):
        r.keys(value, UNIQUE_KEYS, "a primary key")
        name = r.name(value, "name", "a primary key")
        comment = r.text(value, "comment", "a primary key") or None  # '' is no comment to PostgreSQL
        columns = r.names(value, "columns", "a primary key", required=True)
        listed = value.get("columns")
    else:
        columns = r.names(body, "primary_key", f"table {t.name}")
    if columns is None or not cx.known_columns(t, columns, pos, "primary key", listed):
        return
    t.primary_key = PrimaryKey(name or default_name(t.name, [], "pkey"), tuple(columns), comment)
    t.place(t.primary_key.name, pos)
    t.columns = [replace(c, nullable=False) if c.name in columns else c for c in t.columns]
    for c in columns:
        m = _column_mapping(cx.doc, c)
        if m is not None and m.get("nullable") is True:
            r.error(m.value_pos["nullable"], f"column {t.name}.{c} is in the primary key, "
                                             f"so it cannot be nullable")


def _column_mapping(doc: Document, name: str) -> Mapping | None:
    for m in doc.body.get("columns") or []:
        if isinstance(m, Mapping) and m.get("name") == name:
            return m
    return None


def add_unique(t: TableDraft, name: str | None, columns: list[str], pos: Pos,
               nulls_not_distinct: bool = False, comment: str | None = None) -> None:
    u = Unique(name or default_name(t.name, columns, "key"), tuple(columns), nulls_not_distinct, comment)
    t.uniques.append(u)
    t.place(u.name, pos)


def add_check(t: TableDraft, name: str | None, expression: Expression, pos: Pos,
              no_inherit: bool = False, comment: str | None = None) -> None:
    if name is None:
        # PostgreSQL names a check after its column when it uses exactly one
        cols = list(expression.columns)
        name = default_name(t.name, cols if len(cols) == 1 else [], "check")
    t.checks.append(Check(name, expression, no_inherit, comment))
    t.place(name, pos)


def uniques(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    r = cx.r
    items = r.sequence(body, "unique", f"table {t.name}")
    if items is None:
        return
    for i, item in enumerate(items):
        pos = items.item_pos[i]
        name = comment = None
        nulls_not_distinct = False
        if isinstance(item, Mapping):
            r.keys(item, UNIQUE_CONSTRAINT_KEYS, "a unique constraint")
            name = r.name(item, "name", "a unique constraint")
            columns = r.names(item, "columns", "a unique constraint", required=True)
            nulls_not_distinct = bool(r.flag(item, "nulls_not_distinct", "a unique constraint"))
            comment = r.text(item, "comment", "a unique constraint") or None
        elif isinstance(item, list):
            columns = r.name_list(item, pos, "unique")
        else:
            r.error(pos, "each item of 'unique' must be a list of columns or {name, columns}")
            continue
        listed = item.get("columns") if isinstance(item, Mapping) else item
        if columns is not None and cx.known_columns(t, columns, pos, "unique", listed):
            add_unique(t, name, columns, pos, nulls_not_distinct, comment)


def checks(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    for m, pos in cx.r.mappings(body, "checks", f"table {t.name}"):
        cx.r.keys(m, CHECK_KEYS, "a check")
        name = cx.r.name(m, "name", "a check")
        no_inherit = bool(cx.r.flag(m, "no_inherit", "a check"))
        comment = cx.r.text(m, "comment", "a check") or None
        if m.get("expression") is None:
            cx.r.error(pos, "a check needs 'expression'")
            continue
        expression = cx.expression(m, "expression", f"check of {t.name}", t)
        if expression is not None:
            add_check(t, name, expression, cx.r.pos(m, "expression"), no_inherit, comment)


def indexes(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    r = cx.r
    for m, pos in r.mappings(body, "indexes", f"table {t.name}"):
        r.keys(m, INDEX_KEYS, "an index")
        name = r.name(m, "name", "an index")
        has_cols, has_expr = m.get("columns") is not None, m.get("expression") is not None
        if has_cols == has_expr:
            r.error(pos, "an index needs either 'columns' or 'expression'")
            continue
        parts: list[IndexPart] = []
        label: list[str] = []
        using = r.choice(m, "using", INDEX_METHODS, "an index") or "btree"
        if has_cols and has_mapping(m["columns"]):
            parts, label = index_parts(cx, t, m["columns"], "columns")
            if not parts:
                continue
        elif has_cols:
            columns = r.names(m, "columns", "an index", distinct=False)  # PostgreSQL allows (a, a)
            if columns is None or not cx.known_columns(t, columns, r.pos(m, "columns"), "index",
                                                         m.get("columns")):
                continue
            parts = [IndexPart(column=c) for c in columns]
            label = columns
        elif isinstance(m.get("expression"), list):
            # several parts, each a column or an expression: [a, "lower(email)"]
            parts, label = index_parts(cx, t, m["expression"], "expression")
            if not parts:
                continue
        else:
            expression = cx.expression(m, "expression", f"index on {t.name}", t)
            if expression is None:
                continue
            parts = [IndexPart(expression=expression)]
            label = [expression.index_label]
        unique = bool(r.flag(m, "unique", "an index"))
        where = cx.expression(m, "where", f"index on {t.name}", t)
        if m.get("where") is not None and where is None:
            continue
        options = index_options(cx, t, m, using, unique, parts)
        if options is None:
            continue
        index = Index(name or default_name(t.name, label, "idx"), tuple(parts), unique, using, where, *options)
        t.indexes.append(index)
        t.place(index.name, r.pos(m, "name") if name else pos)


def index_parts(cx: TableContext, t: TableDraft, items: Sequence, key: str) -> tuple[list[IndexPart], list[str]]:
    parts: list[IndexPart] = []
    label: list[str] = []
    if not items:
        cx.r.error(items.pos, f"an index '{key}' list must not be empty")
        return [], []
    for i, item in enumerate(items):
        pos = items.item_pos[i]
        if isinstance(item, Mapping):
            found = index_part(cx, t, item, pos)
            if found is None:
                return [], []
            parts.append(found[0])
            label.append(found[1])
            continue
        if isinstance(item, str) and item in cx.all_columns:
            parts.append(IndexPart(column=item))
            label.append(item)
            continue
        if key == "columns":
            cx.known_columns(t, [str(item)], pos, "index")
            return [], []
        if not isinstance(item, str):
            cx.r.error(pos, "each part of an index 'expression' list must be a column or an expression")
            return [], []
        expression = cx.expression_text(item, pos, "expression", f"index on {t.name}", t)
        if expression is None:
            return [], []
        parts.append(IndexPart(expression=expression))
        label.append(expression.index_label)
    return parts, label


def foreign_keys(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    r = cx.r
    for m, pos in r.mappings(body, "foreign_keys", f"table {t.name}"):
        r.keys(m, FOREIGN_KEY_KEYS, "a foreign key")
        name = r.name(m, "name", "a foreign key")
        columns = r.names(m, "columns", "a foreign key", required=True)
        ref = r.get(m, "references", Mapping, "a foreign key", required=True)
        on_delete = r.choice(m, "on_delete", ACTIONS, "a foreign key") or "no action"
        on_update = r.choice(m, "on_update", ACTIONS, "a foreign key") or "no action"
        timing = key_timing(r, m, "a foreign key")
        comment = r.text(m, "comment", "a foreign key") or None
        if columns is None or ref is None or timing is None:
            continue
        if not cx.known_columns(t, columns, pos, "foreign key", m.get("columns")):
            continue
        r.keys(ref, REFERENCE_KEYS, "a foreign key's references")
        table = r.text(ref, "table", "a foreign key's references", required=True)
        schema = r.name(ref, "schema", "a foreign key's references")
        ref_columns = r.names(ref, "columns", "a foreign key's references")
        if table is None:
            continue
        if schema is None and "." in table:
            schema, table = table.split(".", 1)
        t.foreign_keys.append(PendingForeignKey(name, columns, schema or t.schema, table, ref_columns,
                                                on_delete, on_update, pos, t.path, *timing, comment))


def key_timing(r: Reader, m: Mapping, what: str, allow_match: bool = True) -> tuple[bool, bool, str] | None:
    """deferrable, initially_deferred and match of a foreign key (or the first two of another
    constraint); None after an error."""
    deferrable = r.flag(m, "deferrable", what)
    deferred = r.flag(m, "initially_deferred", what)
    match = r.choice(m, "match", MATCH_TYPES, what) if allow_match else None
    if any(m.get(k) is not None and v is None for k, v in zip(KEY_TIMING_KEYS, (deferrable, deferred, match),
                                                               strict=True)):
        return None
    if match == "partial":
        r.error(r.pos(m, "match"), "MATCH PARTIAL is not implemented by PostgreSQL; use full or simple")
        return None
    if deferred and deferrable is False:
        r.error(r.pos(m, "deferrable"), "a key that is 'initially_deferred' must be 'deferrable'")
        return None
    # INITIALLY DEFERRED implies DEFERRABLE, as PostgreSQL stores it
    return bool(deferrable or deferred), bool(deferred), match or "simple"


def column_reference(cx: TableContext, t: TableDraft, m: Mapping, name: str, what: str) -> None:
    r = cx.r
    target = r.text(m, "references", what)
    on_delete = r.choice(m, "on_delete", ACTIONS, what) or "no action"
    on_update = r.choice(m, "on_update", ACTIONS, what) or "no action"
    timing = key_timing(r, m, what)
    if target is None or timing is None:
        return
    parts = target.split(".")
    pos = r.pos(m, "references")
    if len(parts) not in (2, 3) or any(identifier_problem(p) for p in parts):
        r.error(pos, f"'references' must be table.column or schema.table.column, not '{target}'")
        return
    schema = parts[0] if len(parts) == 3 else t.schema
    t.foreign_keys.append(PendingForeignKey(None, [name], schema, parts[-2], [parts[-1]],
                                            on_delete, on_update, pos, t.path, *timing))

# PostgreSQL's grammar names of types, used when a cast names an index column (FigureColname)
