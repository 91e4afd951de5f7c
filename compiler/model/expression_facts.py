"""What one SQL expression does, read once from its parse tree and tokens, for the definition rules.

Facts are about the text alone (no table), so they are cached by text: a large project repeats
the same defaults and checks on many tables, and every rule reads the same facts.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlglot import exp

from . import expression_tokens
from .catalog_facts import (
    AGGREGATE_FUNCTIONS,
    NOT_IMMUTABLE_FUNCTIONS,
    SET_RETURNING_FUNCTIONS,
    VALUE_FUNCTIONS,
    WINDOW_FUNCTIONS,
)
from .expressions import read_expression
from .types import KNOWN_TYPE_NAMES, canonical_type

TypeName = tuple[str | None, str]  # (schema or None, name) as SQL reads it: unquoted folded to lower case
# ("column", name), ("type", TypeName) of a user type, or ("builtin", type as format_type() prints it)
Target = tuple[Literal["column", "builtin"], str] | tuple[Literal["type"], TypeName]


@dataclass(frozen=True, slots=True)
class LabelUse:
    """A string constant PostgreSQL converts to the type of `target` (a column or a cast)."""

    target: Target
    label: str


@dataclass(frozen=True, slots=True)
class ExpressionFacts:
    calls: tuple[str, ...]  # functions called (and SQL value functions used), in order, once each
    over: bool  # an OVER clause: a window function
    labels: tuple[LabelUse, ...]  # constants converted to the type of a column or a cast
    value_labels: tuple[str, ...]  # constants that are the expression's own value (a default's 'x')
    casts: tuple[TypeName, ...]  # user types cast to, as SQL names them
    text_arrays: tuple[Target, ...]  # compared with ANY/ALL of an ARRAY of bare constants (text[])
    arithmetic: bool  # the whole expression is a number or arithmetic: never a boolean
    value_number: str | None = None  # the whole expression is this numeric constant (`-1`)
    not_boolean: str | None = None  # what the whole expression plainly is when never a boolean ("text (...)")
    bare_column: str | None = None  # the whole expression is this column, as SQL folds its name

    @property
    def not_immutable(self) -> list[str]:
        return [c if c in VALUE_FUNCTIONS else f"{c}()" for c in self.calls
                if c in NOT_IMMUTABLE_FUNCTIONS or c in VALUE_FUNCTIONS]

    @property
    def aggregates(self) -> list[str]:
        return [f"{c}()" for c in self.calls if c in AGGREGATE_FUNCTIONS]

    @property
    def windows(self) -> list[str]:
        named = [f"{c}()" for c in self.calls if c in WINDOW_FUNCTIONS]
        return named or (["OVER"] if self.over else [])

    @property
    def set_returning(self) -> list[str]:
        return [f"{c}()" for c in self.calls if c in SET_RETURNING_FUNCTIONS]


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


@lru_cache(maxsize=65536)  # a cache by text: see the module's docstring
def expression_facts(text: str) -> ExpressionFacts:
    """The facts of one expression; it must already have parsed (build checked it)."""
    tree = read_expression(text)
    calls, over = expression_tokens.function_calls(text)
    labels: list[LabelUse] = []
    casts: list[TypeName] = []
    text_arrays: list[Target] = []
    for node in tree.walk():
        if isinstance(node, exp.Cast):
            _cast(node, labels, casts)
        elif isinstance(node, _COMPARISONS):
            _compared(node.this, [node.expression], labels, text_arrays)
            _compared(node.expression, [node.this], labels)
        elif isinstance(node, exp.In):
            _compared(node.this, node.expressions, labels)
        elif isinstance(node, exp.Between):
            _compared(node.this, [node.args.get("low"), node.args.get("high")], labels)
        elif isinstance(node, exp.Case) and node.this is not None:
            _compared(node.this, [i.this for i in node.args.get("ifs") or []], labels)
        elif isinstance(node, exp.Coalesce | exp.Greatest | exp.Least | exp.Nullif):
            args = [node.this, *node.expressions, node.args.get("expression")]
            for arg in args:
                _compared(arg, [a for a in args if a is not arg], labels)
    top = _unparen(tree)
    arithmetic = isinstance(top, _ARITHMETIC) or (isinstance(top, exp.Literal) and not top.is_string)
    number = _unparen(top.this) if isinstance(top, exp.Neg) else top
    value_number = None
    if isinstance(number, exp.Literal) and not number.is_string:
        value_number = ("-" if isinstance(top, exp.Neg) else "") + number.this
    bare = top.this if isinstance(top, exp.Column) and not top.table else None
    return ExpressionFacts(tuple(calls), over, tuple(dict.fromkeys(labels)), tuple(_value_labels(top)),
                           tuple(dict.fromkeys(casts)), tuple(dict.fromkeys(text_arrays)), arithmetic,
                           value_number, _not_boolean_value(top, arithmetic),
                           None if bare is None else bare.name if bare.quoted else bare.name.lower())


def _not_boolean_value(top: exp.Expression | None, arithmetic: bool) -> str | None:
    if arithmetic or isinstance(top, exp.Neg):
        return "a number or arithmetic"
    if isinstance(top, exp.DPipe):
        return "text (a || concatenation)"
    if isinstance(top, exp.Cast) and not_boolean_type(written := top.to.sql("postgres").lower()):
        return f"a cast to {written}"
    return None


def not_a_condition(facts: ExpressionFacts, column_types: Mapping[str, str],
                    column: str = "column {name}") -> str | None:
    """What the whole expression is when PostgreSQL could never take it as a boolean (a policy's
    USING, a check), or None; `column_types`: the columns it may name, as SQL folds them, and their
    types; `column`: how a message names a bare column."""
    if facts.not_boolean is not None:
        return facts.not_boolean
    column_type = column_types.get(facts.bare_column) if facts.bare_column is not None else None
    if column_type is not None and not_boolean_type(column_type):
        return f"{column.format(name=facts.bare_column)} of type {column_type}"
    return None


def not_boolean_type(type_name: str) -> bool:
    """A built-in type other than boolean, or an array: a user type (a domain) may be over boolean."""
    base = re.split(r"[(\[]| with", type_name, maxsplit=1)[0].strip()
    return type_name.endswith("[]") or (base in KNOWN_TYPE_NAMES and base not in ("boolean", "bool"))


def _unparen(node: exp.Expression | None) -> exp.Expression | None:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _string(node: exp.Expression | None) -> str | None:
    node = _unparen(node)
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


def type_name(data_type: exp.DataType) -> TypeName | None:
    """The user type a DataType names (`mood`, `"Mood"`, `app.mood`), as SQL folds it."""
    if data_type.this != exp.DataType.Type.USERDEFINED:
        return None
    kind = data_type.args.get("kind")
    parts = []
    while isinstance(kind, exp.Dot):
        parts.append(kind.expression)
        kind = kind.this
    parts.append(kind)
    if not all(isinstance(p, exp.Identifier) for p in parts):
        return None
    names = [p.name if p.quoted else p.name.lower() for p in reversed(parts)]
    return (names[-2] if len(names) > 1 else None, names[-1])


def _cast_target(node: exp.Cast) -> tuple[TypeName | None, bool]:
    """The user type a cast converts to, and whether to an array of it."""
    to = node.to
    if to.this == exp.DataType.Type.ARRAY and to.expressions:
        element = to.expressions[0]
        return (type_name(element) if isinstance(element, exp.DataType) else None), True
    return type_name(to), False


def _builtin_type(data_type: exp.DataType) -> tuple[str | None, bool]:
    """The built-in type a cast converts to (as format_type() prints it), and whether an array."""
    array = data_type.this == exp.DataType.Type.ARRAY
    element = data_type.expressions[0] if array and data_type.expressions else data_type
    if not isinstance(element, exp.DataType) or element.this == exp.DataType.Type.USERDEFINED:
        return None, array
    try:
        return canonical_type(element.sql("postgres"), {}), array
    except (KeyError, ValueError):
        return None, array


def _cast(node: exp.Cast, labels: list[LabelUse], casts: list[TypeName]) -> None:
    target, array = _cast_target(node)
    where: Target
    if target is not None:
        casts.append(target)
        where = ("type", target)
    else:
        builtin, array = _builtin_type(node.to)
        if builtin is None:
            return
        where = ("builtin", builtin)  # 'abc'::integer is read when the table is created
    value = _unparen(node.this)
    if not array:
        if (label := _string(value)) is not None:
            labels.append(LabelUse(where, label))
        return
    if isinstance(value, exp.Array):
        items = [s for e in value.expressions if (s := _string(e)) is not None]
    else:
        text = _string(value)
        items = array_literal_items(text) if text is not None else []
    labels.extend(LabelUse(where, s) for s in items)


def _side(node: exp.Expression | None) -> Target | None:
    """What decides the type of a comparison's side: a column, or a cast to a user type."""
    node = _unparen(node)
    if isinstance(node, exp.Column) and not node.table:
        ident = node.this
        return ("column", ident.name if ident.quoted else ident.name.lower())
    if isinstance(node, exp.Cast):
        target, array = _cast_target(node)
        if target is not None and not array:
            return ("type", target)
    return None


def _compared(side: exp.Expression | None, others: list[exp.Expression | None], labels: list[LabelUse],
              text_arrays: list[Target] | None = None) -> None:
    target = _side(side)
    if target is None:
        return
    for other in others:
        other = _unparen(other)
        quantified = _quantified(other)
        if quantified is not None:
            other = quantified
            if (text := _string(other)) is not None:  # x = ANY ('{a,b}'): the constant becomes x's array type
                labels.extend(LabelUse(target, item) for item in array_literal_items(text))
                continue
            values = other.expressions if isinstance(other, exp.Array) else []
            if values and text_arrays is not None and all(_string(v) is not None for v in values):
                # x = ANY (ARRAY['a', 'b']): an array of constants alone is text[], whatever x is
                text_arrays.append(target)
                continue
        else:
            values = [other]
        labels.extend(LabelUse(target, s) for v in values if (s := _string(v)) is not None)


def _quantified(node: exp.Expression | None) -> exp.Expression | None:
    """The array of `ANY (...)`, `SOME (...)` or `ALL (...)` (sqlglot reads ALL and SOME as calls)."""
    if isinstance(node, exp.Any | exp.All):
        return _unparen(node.this)
    if isinstance(node, exp.Anonymous) and node.name.upper() in ("ALL", "SOME", "ANY") and len(node.expressions) == 1:
        return _unparen(node.expressions[0])
    return None


def _value_labels(top: exp.Expression | None) -> list[str]:
    """The constants an expression's value can be: itself, a CASE's branches, COALESCE's args."""
    if (s := _string(top)) is not None:
        return [s]
    if isinstance(top, exp.Case):
        branches = [i.args.get("true") for i in top.args.get("ifs") or []] + [top.args.get("default")]
        return [s for b in branches if (s := _string(b)) is not None]
    if isinstance(top, exp.Coalesce):
        return [s for a in [top.this, *top.expressions] if (s := _string(a)) is not None]
    return []


def array_literal_items(text: str) -> list[str]:
    """The elements of a one-dimensional array constant such as '{a,"b c"}'; [] if it is not one."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return []
    items, current, quoted, escaped, was_quoted = [], "", False, False, False
    for ch in text[1:-1]:
        if escaped:
            current += ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, was_quoted = not quoted, True
        elif ch == "," and not quoted:
            items.append((current, was_quoted))
            current, was_quoted = "", False
        elif ch in "{}" and not quoted:
            return []  # nested: not read here
        else:
            current += ch
    if current or was_quoted or items:
        items.append((current, was_quoted))
    return [v if q else v.strip() for v, q in items if q or v.strip().upper() != "NULL"]
