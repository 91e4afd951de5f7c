"""Index options as written in definitions: per-part order, nulls and operator class, INCLUDE
columns, storage parameters (WITH) and NULLS NOT DISTINCT."""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..errors import did_you_mean
from ..model.names import identifier_problem
from ..model.schema import IndexPart
from .load import Mapping, Pos
from .reader import Reader

if TYPE_CHECKING:
    from .drafts import TableContext, TableDraft

INCLUDE_METHODS = ("btree", "gist", "spgist")  # the access methods with amcaninclude
# storage parameter -> (methods that take it, kind of value): PostgreSQL 15's index reloptions
INDEX_STORAGE: dict[str, tuple[tuple[str, ...], object]] = {
    "fillfactor": (("btree", "hash", "gist", "spgist"), (10, 100)),
    "deduplicate_items": (("btree",), bool),
    "buffering": (("gist",), ("on", "off", "auto")),
    "fastupdate": (("gin",), bool),
    "gin_pending_list_limit": (("gin",), (64, 2147483647)),
    "pages_per_range": (("brin",), (1, 131072)),
    "autosummarize": (("brin",), bool),
}
_TRUE_WORDS = ("true", "on", "yes", "1", "t", "y")
_FALSE_WORDS = ("false", "off", "no", "0", "f", "n")
INDEX_PART_KEYS = frozenset({"column", "expression", "order", "nulls", "opclass"})
ORDERS = ("asc", "desc")
NULLS_PLACES = ("first", "last")


# include, storage parameters, nulls_not_distinct, comment: Index's fields after `where`
IndexOptions = tuple[tuple[str, ...], tuple[tuple[str, str], ...], bool, str | None]


def has_mapping(value: object) -> bool:
    return isinstance(value, list) and any(isinstance(item, Mapping) for item in value)


def _opclass_problem(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 2:
        return f"operator class '{name}' must be a name or schema.name"
    return next((p for p in map(identifier_problem, parts) if p), None)


def storage_value(key: str, value: object) -> str | None:
    """A storage parameter's value as schemac keeps it (booleans as true/false, as PostgreSQL reads
    any of its spellings), or None when it is not of the parameter's kind."""
    kind = INDEX_STORAGE[key][1]
    if kind is bool:
        word = str(value).lower()
        return "true" if word in _TRUE_WORDS else "false" if word in _FALSE_WORDS else None
    if isinstance(kind, tuple) and isinstance(kind[0], str):
        word = ("on" if value else "off") if isinstance(value, bool) else str(value).lower()
        return word if word in kind else None
    low, high = cast(tuple[int, int], kind)  # what is left: a range
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return str(value)


def _storage_kind(kind: object) -> str:
    if kind is bool:
        return "true or false"
    if isinstance(kind, tuple) and isinstance(kind[0], str):
        return "one of " + ", ".join(kind)
    low, high = cast(tuple[int, int], kind)
    return f"a whole number from {low} to {high}"


def index_options(cx: TableContext, t: TableDraft, m: Mapping, using: str, unique: bool,
                  parts: list[IndexPart]) -> IndexOptions | None:
    """include, storage parameters, nulls_not_distinct and comment of an index, checked against its method."""
    r = cx.r
    ok = True
    include: list[str] = []
    if m.get("include") is not None:
        names = r.names(m, "include", "an index")
        if names is None or not cx.known_columns(t, names, r.pos(m, "include"), "index include",
                                                   m.get("include")):
            ok = False
        elif using not in INCLUDE_METHODS:
            r.error(m.key_pos["include"], f"index method {using} does not support 'include'; "
                                          f"{', '.join(INCLUDE_METHODS)} do")
            ok = False
        else:
            include = names
    storage = storage_parameters(r, m, using)
    nulls_not_distinct = bool(r.flag(m, "nulls_not_distinct", "an index"))
    if nulls_not_distinct and not unique:
        r.error(m.key_pos["nulls_not_distinct"], "'nulls_not_distinct' needs 'unique: true'")
        ok = False
    if using != "btree" and any(p.order != "asc" or p.nulls is not None for p in parts):
        r.error(m.value_pos.get("using", m.pos), f"index method {using} does not support 'order' or "
                                                 f"'nulls'; only btree indexes are ordered")
        ok = False
    comment = r.text(m, "comment", "an index") or None  # '' is no comment to PostgreSQL
    if storage is None or not ok:
        return None
    return tuple(include), storage, nulls_not_distinct, comment


def storage_parameters(r: Reader, m: Mapping, using: str) -> tuple[tuple[str, str], ...] | None:
    """`with: {fillfactor: 70}`: names known for the method, values of the right kind, sorted."""
    value = r.get(m, "with", Mapping, "an index")
    if value is None:
        return None if m.get("with") is not None else ()
    out: dict[str, str] = {}
    for key, item in value.items():
        pos = value.value_pos[key]
        known = INDEX_STORAGE.get(key)
        if known is None or using not in known[0]:
            choices = [k for k, v in INDEX_STORAGE.items() if using in v[0]]
            r.error(value.key_pos[key], f"'{key}' is not a storage parameter of {using} indexes"
                                        f"{did_you_mean(key, choices)}"
                                        + ("" if choices else f"; {using} indexes take none"))
            return None
        text = storage_value(key, item)
        if text is None:
            r.error(pos, f"'{key}' must be {_storage_kind(known[1])}, not {item!r}")
            return None
        out[key] = text
    return tuple(sorted(out.items()))


def index_part(cx: TableContext, t: TableDraft, m: Mapping, pos: Pos, keys: frozenset[str] = INDEX_PART_KEYS,
               what: str = "an index part") -> tuple[IndexPart, str] | None:
    """`{column: c, order: desc, nulls: last, opclass: text_pattern_ops}` (or `expression:`)."""
    r = cx.r
    r.keys(m, keys, what)
    if (m.get("column") is None) == (m.get("expression") is None):
        r.error(pos, f"{what} needs either 'column' or 'expression'")
        return None
    order = r.choice(m, "order", ORDERS, "an index part")
    nulls = r.choice(m, "nulls", NULLS_PLACES, "an index part")
    opclass = r.text(m, "opclass", "an index part")
    if opclass is not None and (problem := _opclass_problem(opclass)):
        r.error(r.pos(m, "opclass"), problem)
        return None
    if (m.get("order") is not None and order is None) or (m.get("nulls") is not None and nulls is None) or (
            m.get("opclass") is not None and opclass is None):
        return None
    order = order or "asc"
    if nulls == ("first" if order == "desc" else "last"):
        nulls = None  # the default for the order, which PostgreSQL does not keep
    if m.get("column") is not None:
        column = r.name(m, "column", "an index part")
        if column is None or not cx.known_columns(t, [column], r.pos(m, "column"), "index"):
            return None
        return IndexPart(column=column, order=order, nulls=nulls, opclass=opclass), column
    expression = cx.expression(m, "expression", f"index on {t.name}", t)
    if expression is None:
        return None
    return (IndexPart(expression=expression, order=order, nulls=nulls, opclass=opclass),
            expression.index_label)
