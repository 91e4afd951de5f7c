"""The column part of the name PostgreSQL gives an unnamed expression index (FigureIndexColname)."""
from __future__ import annotations

import re

from sqlglot import exp

_GRAMMAR_TYPE_NAMES = {"integer": "int4", "int": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
                       "real": "float4", "double precision": "float8", "character varying": "varchar",
                       "character": "bpchar", "char": "bpchar", "decimal": "numeric", "dec": "numeric"}
_FUNCTION_HEAD = re.compile(r'\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*\(')


def figure_index_label(tree: exp.Expression, text: str) -> str:
    """The column part of PostgreSQL's default index name for an expression (FigureIndexColname),
    from its parse tree and its text."""
    name, _ = _figure_colname(tree, text.strip())
    return name or "expr"


def _figure_colname(node: exp.Expression, text: str) -> tuple[str | None, int]:
    """(name, strength) as PostgreSQL's FigureColnameInternal: 2 for columns and calls, 1 for casts."""
    while isinstance(node, exp.Paren):
        node, text = node.this, text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text
    if isinstance(node, exp.Column):
        ident = node.this
        return (ident.name if ident.quoted else ident.name.lower()), 2
    if isinstance(node, exp.Cast):
        inner_text = text.split("::")[0].strip() if "::" in text else text
        name, strength = _figure_colname(node.this, inner_text)
        if strength <= 1:
            type_text = node.to.sql("postgres").lower().split("(")[0].strip().removesuffix("[]")
            return _GRAMMAR_TYPE_NAMES.get(type_text, type_text.split(".")[-1]), 1
        return name, strength
    if isinstance(node, exp.Case):
        return "case", 1
    if isinstance(node, exp.Array):
        return "array", 2
    if isinstance(node, exp.Binary | exp.Unary | exp.Not | exp.Between | exp.In | exp.Is):
        return None, 0
    if isinstance(node, exp.Func) and (m := _FUNCTION_HEAD.match(text)):
        return (m[1].replace('""', '"') if m[1] else m[2].lower()), 2
    if isinstance(node, exp.Func) and not node.args.get("expressions") and not node.args.get("this"):
        return node.sql("postgres").lower().rstrip("()"), 2  # current_date and friends
    return None, 0
