"""Routines and triggers as definitions documents (import): what build_routines and build_triggers read.

Every key is written only where it differs from its default. A body is written as a YAML block
(`body: |2`, its lines as they are) when it reads back so, else as a quoted string.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from ..model.routines import DEFAULT_COST, DEFAULT_SET_ROWS, TABLE_COLUMN, Routine, Trigger
from ..model.security import public_defaults
from .export_security import grants_key

TypeName = Callable[[str], str]  # a canonical type as a definition writes it (an alias, an enum's name)


class Block(str):
    """A text written as a YAML literal block (export.py's _document writes it so)."""

    __slots__ = ()


def block_or_text(text: str) -> str:
    """`text` as a Block when a literal block reads back as the same text (but for its last line
    break, which a body does not depend on), else as it is (a quoted string)."""
    if not text.strip() or any(not (c.isprintable() or c in "\t\n") for c in text) or " \n" in text:
        return text
    block = "body: |2\n" + "".join(f"  {line}\n" if line else "\n" for line in text.rstrip("\n").split("\n"))
    try:
        read = yaml.safe_load(block)
    except yaml.YAMLError:
        return text
    if not isinstance(read, dict) or read.get("body", "").rstrip("\n") != text.rstrip("\n"):
        return text
    return Block(text.rstrip("\n"))


def routine_document(r: Routine, type_name: TypeName) -> dict[str, Any]:
    doc: dict[str, Any] = {r.kind: r.name}
    if r.schema != "public":
        doc["schema"] = r.schema
    arguments = []
    for a in r.parameters:
        item: dict[str, Any] = {"name": a.name} if a.name is not None else {}
        item["type"] = type_name(a.type)
        if a.mode != "in":
            item["mode"] = a.mode
        if a.default is not None:
            item["default"] = a.default.text
        arguments.append(item)
    if arguments:
        doc["arguments"] = arguments
    if not r.is_procedure:
        outputs = [a for a in r.arguments if a.is_output and a.mode != TABLE_COLUMN]
        if r.table_columns:
            doc["returns"] = [{"name": a.name, "type": type_name(a.type)} for a in r.table_columns]
        elif not outputs or r.setof:
            doc["returns"] = ("setof " if r.setof else "") + type_name(r.returns or "void")
    doc["language"] = r.language
    if not r.is_procedure:
        for key, default in (("volatility", "volatile"), ("strict", False), ("parallel", "unsafe"),
                             ("leakproof", False)):
            if getattr(r, key) != default:
                doc[key] = getattr(r, key)
        if r.cost != DEFAULT_COST:
            doc["cost"] = int(r.cost) if r.cost.is_integer() else r.cost
        if r.setof and r.rows != DEFAULT_SET_ROWS:
            doc["rows"] = int(r.rows) if r.rows.is_integer() else r.rows
    if r.security != "invoker":
        doc["security"] = r.security
    if r.settings:
        doc["set"] = {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in r.settings}
    if r.comment is not None:
        doc["comment"] = r.comment
    doc["body"] = block_or_text(r.body.text)
    return doc | grants_key(r.kind, r.grants, public_defaults(r.kind))


def trigger_document(t: Trigger, declared: set[str]) -> dict[str, Any]:
    """`declared`: the keys of the routines written beside it; any other function is named with its schema."""
    doc: dict[str, Any] = {"trigger": t.name}
    if t.schema != "public":
        doc["schema"] = t.schema
    doc[t.relation] = t.table
    doc["timing"] = t.timing
    doc["events"] = [{"update_of": list(t.update_columns)} if e == "update" and t.update_columns else e
                     for e in t.events]
    doc["for_each"] = t.for_each
    if t.when is not None:
        doc["when"] = t.when.text
    bare = t.function_schema == "public" and t.function_key in declared
    doc["function"] = t.function_name if bare else f"{t.function_schema}.{t.function_name}"
    if t.arguments:
        doc["arguments"] = list(t.arguments)
    if t.old_table is not None or t.new_table is not None:
        doc["referencing"] = {k: v for k, v in (("old_table", t.old_table), ("new_table", t.new_table))
                              if v is not None}
    if t.constraint:
        doc["constraint"] = True
    if t.from_table is not None:
        fschema, _, fname = t.from_table.partition(".")
        doc["from"] = fname if fschema == "public" else t.from_table
    for key in ("deferrable", "initially_deferred"):
        if getattr(t, key):
            doc[key] = True
    if t.enabled != "origin":
        doc["enabled"] = t.enabled
    if t.comment is not None:
        doc["comment"] = t.comment
    return doc
