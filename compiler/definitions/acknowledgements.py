"""`allow:` in the definitions: the hazards a team accepts for one object, read beside the model.

An acknowledgement is no property of the schema: it never reaches the Schema (so it changes no
diff, no state.json and no migration), only the side table `Acknowledged`, keyed as lint looks
changes up (plan/lint.py Scope). It may stand on a table, a column, an enum, a domain, a sequence, and on each index,
unique, primary key, check, foreign key and exclusion written as a mapping; a column's covers
the constraints it declares itself (`unique: true`, `references:`, `check:`).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..errors import DefinitionError, did_you_mean
from ..model.hazard_names import HAZARDS, Scope
from ..model.schema import Schema
from .load import Document, Mapping, Sequence
from .reader import Reader
from .sources import SourceMap

ALLOW = "allow"
# the lists of a table whose mapping items may carry `allow:`
ITEM_LISTS = ("columns", "indexes", "foreign_keys", "checks", "unique", "exclusions")

Acknowledged = dict[Scope, frozenset[str]]


def _places(doc: Document) -> Iterator[Mapping]:
    """Every mapping of a table or enum document that may hold `allow:`."""
    body = doc.body
    if not any(kind in body for kind in ("table", "enum", "domain", "sequence")):
        return
    yield body
    for key in ITEM_LISTS:
        items = body.get(key)
        if isinstance(items, Sequence):
            yield from (m for m in items if isinstance(m, Mapping))
    if isinstance(body.get("primary_key"), Mapping):
        yield body["primary_key"]


def hazard_names(r: Reader, m: Mapping) -> frozenset[str]:
    """The hazards `allow:` names in `m`; every wrong item reported at its own position."""
    value = m.get(ALLOW)
    if value is None:
        return frozenset()
    pos = r.pos(m, ALLOW)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        r.error(pos, f"'{ALLOW}' must be a list of hazard names ({', '.join(HAZARDS)})")
        return frozenset()
    out = set()
    for i, item in enumerate(items):
        where = items.item_pos[i] if isinstance(items, Sequence) else pos
        if not isinstance(item, str):
            r.error(where, f"'{ALLOW}' items must be hazard names ({', '.join(HAZARDS)}), not {item!r}")
        elif item not in HAZARDS:
            r.error(where, f"unknown hazard '{item}' in '{ALLOW}'{did_you_mean(item, HAZARDS)}; "
                           f"the hazards are {', '.join(HAZARDS)}")
        else:
            out.add(item)
    return frozenset(out)


def check_allow(docs: list[Document], errors: list[DefinitionError]) -> None:
    """Report every bad `allow:` value, wherever it is accepted."""
    for doc in docs:
        r = Reader(doc.path, errors)
        for m in _places(doc):
            hazard_names(r, m)


def acknowledged(docs: list[Document], schema: Schema, sources: SourceMap) -> Acknowledged:
    """Every `allow:` of a schema built without errors, keyed by the object it stands on."""
    quiet = Reader("", [])  # the values were checked by check_allow
    out: Acknowledged = {}

    def put(scope: Scope, m: Mapping | None) -> None:
        names = hazard_names(quiet, m) if m is not None else frozenset()
        if names:
            out[scope] = out.get(scope, frozenset()) | names

    for doc in docs:
        body = doc.body
        for kind in ("enum", "domain", "sequence"):
            if kind in body and isinstance(body.get(kind), str):
                schema_name = body.get("schema") if isinstance(body.get("schema"), str) else "public"
                put((kind, f"{schema_name}.{body[kind]}"), body)
    for key, table in schema.tables.items():
        if not sources.knows(key):
            continue
        put(("table", key), sources.mapping(key))
        for column in table.columns:
            put(("column", key, column.name), sources.mapping(key, sources.column(key, column.name)))
        for name in [*(c.name for c in table.constraints), *(f.name for f in table.foreign_keys),
                     *(i.name for i in table.indexes)]:
            put(("object", key, name), sources.mapping(key, sources.object(key, name)))
    return out
