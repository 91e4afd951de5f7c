"""Schema -> generated/schema.md: Mermaid `erDiagram`s that GitHub renders in a pull request.

Entities list each column as `type name PK/FK/UK "comment"`; relationships use crow's feet:
the referenced table on the left (`||` when the referencing columns are NOT NULL, else `|o`),
the referencing one on the right (`o{` many, `o|` when its columns are unique), a solid line
when the key is part of the referencing table's primary key. Names are fitted to Mermaid's
lexer (shared with the grammar check in tests). Pure: no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ..model.schema import ForeignKey, Schema, Table
from .diagram_views import view_reads, view_tables
from .diagramfacts import TypeSplitter, is_unique, sorted_tables, unique_sets

# GitHub renders Mermaid with its default limits: past `maxTextSize` (50,000 characters) or
# `maxEdges` (500) it draws an error box instead of the diagram. Well before those, dagre's
# layout of more than a few dozen entities shrinks to unreadable text on a PR page. An entity
# costs about 40 characters per column, ~700 for a typical 15-column table, so 40 tables
# (~28,000 characters) stays clear of the text limit while still showing a whole subsystem;
# a schema past that gets one diagram per schema (or per folder of definitions/), each cut
# into parts of at most 40 tables and 45,000 characters, related tables kept together.
MAX_TABLES_PER_DIAGRAM = 40
MAX_DIAGRAM_CHARS = 45_000

# Words Mermaid's erDiagram lexer reads as keywords where an entity name is expected.
RESERVED_ENTITY = frozenset({"end", "style", "class", "classdef", "subgraph", "direction", "one", "many", "to",
                             "u", "o", "only", "zero", "optionally", "erdiagram", "title", "acctitle",
                             "accdescr"})
ATTRIBUTE_KEYS = frozenset({"pk", "fk", "uk"})  # lexed as key markers even as a type or a name
_NOT_ENTITY = re.compile(r"[^A-Za-z0-9_]")
_NOT_ATTRIBUTE = re.compile(r"[^A-Za-z0-9_\-\[\]().,*\u00c0-\uffff]")
_NOT_LABEL = re.compile(r"[\"%\\\x00-\x1f\x7f]")


@lru_cache(maxsize=1 << 16)  # the same few types and column names, on every table
def attribute_word(text: str) -> str:
    """A type or column name as Mermaid's ATTRIBUTE_WORD token accepts it."""
    word = _NOT_ATTRIBUTE.sub("_", text) or "_"
    if not re.match(r"[A-Za-z_*\u00c0-\uffff]", word):
        word = "_" + word
    return word + "_" if word.lower() in ATTRIBUTE_KEYS else word


def _code(text: str) -> str:
    """Markdown code inside a table cell."""
    return "`" + " ".join(text.replace("`", "'").replace("|", "\\|").split()) + "`"


def _quoted(text: str) -> str:
    return '"' + " ".join(text.replace('"', "'").split()) + '"'


def entity_names(tables: list[Table], kinds: Mapping[str, str] | None = None) -> dict[str, tuple[str, str | None]]:
    """Each table's entity id, and the label shown when the id is not its plain name; a view's
    label says what it is (`kinds`: its key -> `view` or `materialized view`)."""
    kinds = kinds or {}
    qualify = len({t.schema for t in tables}) > 1 or any(t.schema != "public" for t in tables)
    out: dict[str, tuple[str, str | None]] = {}
    used: set[str] = set()
    for t in tables:
        shown = f"{t.schema}.{t.name}" if qualify else t.name
        base = _NOT_ENTITY.sub("_", shown)
        if not re.match(r"[A-Za-z_]", base) or base.lower() in RESERVED_ENTITY:
            base = "t_" + base
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name.lower())
        if t.key in kinds:
            shown = f"{shown} ({kinds[t.key]})"
        out[t.key] = (name, None if name == shown else _NOT_LABEL.sub("_", shown))
    return out


def _relationship(fk: ForeignKey, t: Table, names: dict[str, tuple[str, str | None]]) -> str:
    cols = [t.column(c) for c in fk.columns]
    required = all(c is not None and not c.nullable for c in cols)
    left = "||" if required else "|o"
    right = "o|" if is_unique(t, fk.columns) else "o{"
    pk = set(t.primary_key.columns) if t.primary_key else set()
    line = "--" if set(fk.columns) <= pk else ".."
    return f"    {names[fk.ref_key][0]} {left}{line}{right} {names[t.key][0]} : {_quoted(fk.name)}"


def _entity(t: Table, names: dict[str, tuple[str, str | None]], types: TypeSplitter, detailed: bool) -> list[str]:
    name, label = names[t.key]
    head = f"    {name}" + (f'["{label}"]' if label else "")
    if not detailed:
        return [head]
    pk = set(t.primary_key.columns) if t.primary_key else set()
    fks = {c for fk in t.foreign_keys for c in fk.columns}
    singles = {next(iter(u)) for u in unique_sets(t) if len(u) == 1}
    lines = [head + " {"]
    for c in t.columns:
        keys = [k for k, on in (("PK", c.name in pk), ("FK", c.name in fks),
                                ("UK", c.name in singles and c.name not in pk)) if on]
        line = f"        {attribute_word(types[c.declared_type].display)} {attribute_word(c.name)}"
        if keys:
            line += " " + ", ".join(keys)
        if c.comment:
            line += " " + _quoted(c.comment)
        lines.append(line)
    lines.append("    }")
    return lines


class _Texts:
    """Entity and relationship lines of a schema, built once and shared by every part."""

    def __init__(self, schema: Schema, tables: list[Table]) -> None:
        self.schema = schema
        self.boxes = {t.key: t for t in tables}
        self.names = entity_names(tables, {k: v.kind for k, v in schema.views.items()})
        types = TypeSplitter(schema)
        self.entity = {t.key: "\n".join(_entity(t, self.names, types, True)) for t in tables}
        self.bare = {t.key: _entity(t, self.names, types, False)[0] for t in tables}
        self.touching: dict[str, list[tuple[str, str, str]]] = {t.key: [] for t in tables}
        for t in tables:
            for fk in t.foreign_keys:
                if fk.ref_key in schema.tables:
                    line = (t.key, fk.ref_key, _relationship(fk, t, self.names))
                    self.touching[t.key].append(line)
                    if fk.ref_key != t.key:
                        self.touching[fk.ref_key].append(line)
        for view, read in view_reads(schema):  # a dotted line from what a view reads to the view
            line = (view, read, f"    {self.names[read][0]} }}o..o{{ {self.names[view][0]} : {_quoted('read by')}")
            self.touching[view].append(line)
            self.touching[read].append(line)

    def diagram(self, tables: list[Table]) -> str:
        """One erDiagram of `tables`; tables they reference or are referenced by appear as bare boxes."""
        keys = [t.key for t in tables]
        inside = set(keys)
        rels = sorted({r for k in keys for r in self.touching[k]})
        outside = sorted({k for a, b, _ in rels for k in (a, b)} - inside)
        lines = ["erDiagram"] + [self.entity[k] for k in keys] + [self.bare[k] for k in outside]
        return "\n".join(lines + [line for _, _, line in rels]) + "\n"

    def cost(self, key: str) -> int:
        return len(self.entity[key]) + sum(len(line) + 1 for _, _, line in self.touching[key])


def _connected_order(boxes: Mapping[str, Table], tables: list[Table]) -> list[Table]:
    """Tables in an order that keeps those joined by foreign keys next to each other."""
    keys = {t.key for t in tables}
    near: dict[str, set[str]] = {t.key: set() for t in tables}
    for t in tables:
        for fk in t.foreign_keys:
            if fk.ref_key in keys and fk.ref_key != t.key:
                near[t.key].add(fk.ref_key)
                near[fk.ref_key].add(t.key)
    seen: set[str] = set()
    order: list[Table] = []
    for t in tables:
        queue = [t.key]
        while queue:
            k = queue.pop(0)
            if k in seen:
                continue
            seen.add(k)
            order.append(boxes[k])
            queue += sorted(near[k] - seen)
    return order


def _parts(texts: _Texts, tables: list[Table]) -> list[str]:
    """Diagrams of at most MAX_TABLES_PER_DIAGRAM tables and about MAX_DIAGRAM_CHARS characters each."""
    out: list[str] = []
    chunk: list[Table] = []
    size = 0
    for t in _connected_order(texts.boxes, tables):
        cost = texts.cost(t.key)
        if chunk and (len(chunk) >= MAX_TABLES_PER_DIAGRAM or size + cost > MAX_DIAGRAM_CHARS):
            out.append(texts.diagram(chunk))
            chunk, size = [], 0
        chunk.append(t)
        size += cost
    if chunk or not out:
        out.append(texts.diagram(chunk))
    return out


def tables_diagrams(schema: Schema, keys: set[str]) -> list[str]:
    """erDiagrams of the tables `keys` names (their neighbours by foreign key as bare boxes),
    cut into parts as schema.md's are."""
    tables = sorted_tables(schema) + view_tables(schema)
    chosen = [t for t in tables if t.key in keys]
    return _parts(_Texts(schema, tables), chosen) if chosen else []


def schema_markdown(schema: Schema, groups: dict[str, str] | None = None) -> str:
    """generated/schema.md: the ER diagram(s) of the whole schema (views as boxes marked so), and its enums."""
    tables = sorted_tables(schema) + view_tables(schema)
    texts = _Texts(schema, tables)
    fk_count = sum(len(t.foreign_keys) for t in tables)
    views = f"{len(schema.views)} views, " if schema.views else ""
    lines = ["# Schema", "",
             "<!-- Generated by schemac from definitions/; edits here are overwritten. -->", "",
             f"{len(schema.tables)} tables, {views}{len(schema.enums)} enums, {fk_count} foreign keys.", ""]
    if len(tables) <= MAX_TABLES_PER_DIAGRAM:
        sections = [("", _parts(texts, tables))]
    else:
        by_group: dict[str, list[Table]] = {}
        for t in tables:
            by_group.setdefault((groups or {}).get(t.key, t.schema), []).append(t)
        sections = [(g, _parts(texts, members)) for g, members in sorted(by_group.items())]
    for title, diagrams in sections:
        for i, text in enumerate(diagrams, start=1):
            if title:
                lines += [f"## {title}" + (f" (part {i} of {len(diagrams)})" if len(diagrams) > 1 else ""), ""]
            lines += ["```mermaid", text.rstrip("\n"), "```", ""]
    if schema.enums:
        lines += ["## Enums", "", "| enum | values |", "|---|---|"]
        for e in sorted(schema.enums.values(), key=lambda e: (e.schema, e.name)):
            values = ", ".join(_code(v) for v in e.values)
            lines.append(f"| {_code(f'{e.schema}.{e.name}')} | {values} |")
        lines.append("")
    return "\n".join(lines)
