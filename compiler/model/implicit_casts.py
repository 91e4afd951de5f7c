"""The casts PostgreSQL adds to a comparison itself, recognised where it prints them.

PostgreSQL stores `price >= 0` on a numeric column as `price >= 0::numeric`: no operator takes
numeric and integer, so it picks numeric >= numeric and converts the constant. The catalog
prints the conversion; the definitions do not write it. Read with its table's column types, an
expression PostgreSQL printed leaves such a cast out of its normal form, so that it compares
equal to the text it was made from, without a round trip through a database.

A cast is left out only in the forms below, each one exactly what PostgreSQL makes of the bare
form (tests/db/test_implicit_casts.py builds each on the server and reads it back):

- a numeric column against an integer constant: `n >= 0::numeric`, `n >= '-1'::integer::numeric`,
  `n > '3000000000'::bigint::numeric`
- a real or double precision column against a number: `r > 0::double precision`, `0.5::double precision`
- a smallint, integer or bigint column against a decimal constant: `i::numeric >= 0.5`
  (`'-0.5'::numeric` for a negative one)
- a varchar column against a string constant or another varchar or text column, compared as
  text: `v::text <> 'closed'::text`
- a column against a string constant of its own type (text, an enum, date, uuid, jsonb, ...):
  `mood <> 'sad'::mood`

The bare form means the same only where PostgreSQL resolves its operator as it does on a fresh
database: a comparison operator or an implicit cast defined by the user for these types could
make it pick another. Introspection looks for those and, when it finds one, reads every
expression as printed (see live/queries/operator_rules.sql).
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from .types import TypeProblem, canonical_type

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)

_INT4 = range(-(2**31), 2**31)
_INT8 = range(-(2**63), 2**63)
_INTEGERS = frozenset({"smallint", "integer", "bigint"})
_FLOATS = frozenset({"real", "double precision"})
_VARCHAR = "character varying"
# Types with comparison operators of their own: a string constant compared with such a column
# takes the column's type (PostgreSQL's rule for an `unknown` operand), and prints as `'x'::type`.
_OWN_OPERATORS = frozenset({
    "text", "boolean", "bytea", "date", "uuid", "jsonb", "inet", "interval", "numeric", "smallint", "integer",
    "bigint", "real", "double precision", "time without time zone", "timestamp without time zone",
    "timestamp with time zone"})


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _type_of(data_type: exp.DataType, user_types: dict[str, str]) -> str | None:
    try:
        return canonical_type(data_type.sql("postgres"), user_types)
    except (TypeProblem, KeyError):
        return None


def _column_type(node: exp.Expression, column_types: Mapping[str, str]) -> str | None:
    """The type of a bare column reference of the table, else None."""
    if not isinstance(node, exp.Column) or node.table:
        return None
    ident = node.this
    if not isinstance(ident, exp.Identifier):
        return None
    return column_types.get(ident.name if ident.quoted else ident.name.lower())


def _bare_number(text: str) -> exp.Expression:
    """A number as sqlglot reads it from the definitions: `-1` is a negation of 1."""
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def _integer_constant(node: exp.Expression, user_types: dict[str, str]) -> exp.Expression | None:
    """An integer constant as PostgreSQL prints it (`0`, `'-1'::integer`, `'3000000000'::bigint`),
    as the definitions write it; None for anything else. The printed type must be the one
    PostgreSQL gives that value: integer when it fits, else bigint."""
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return node if int(node.this) in _INT4 and node.this == str(int(node.this)) else None
    if not (isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string):
        return None
    text = node.this.this
    if not text.lstrip("-").isdigit() or text != str(int(text)):
        return None
    value, kind = int(text), _type_of(node.to, user_types)
    if kind == "integer" and value in _INT4 and value < 0 or kind == "bigint" and value in _INT8 and value not in _INT4:
        return _bare_number(text)
    return None


def _decimal_constant(node: exp.Expression) -> exp.Expression | None:
    """An unsigned decimal constant (`0.5`), as PostgreSQL prints a numeric one: bare."""
    if isinstance(node, exp.Literal) and not node.is_string and _decimal(node.this):
        return node
    return None


def _decimal(text: str) -> bool:
    whole, dot, fraction = text.partition(".")
    return bool(dot) and whole.isdigit() and fraction.isdigit()


def _number_cast_to(node: exp.Expression, target: str, user_types: dict[str, str],
                    decimals: bool) -> exp.Expression | None:
    """`node` bare when it is a number PostgreSQL converted to `target` itself."""
    if not isinstance(node, exp.Cast) or _type_of(node.to, user_types) != target:
        return None
    inner = node.this
    if decimals:
        if (bare := _decimal_constant(inner)) is not None:
            return bare
        if isinstance(inner, exp.Cast) and _type_of(inner.to, user_types) == "numeric":
            return _negative_decimal(inner.this)  # '-0.5'::numeric::double precision
    return _integer_constant(inner, user_types)


def _negative_decimal(node: exp.Expression) -> exp.Expression | None:
    """`'-0.5'` (how PostgreSQL prints a negative numeric constant, cast to numeric) as `-0.5`."""
    if isinstance(node, exp.Literal) and node.is_string and node.this.startswith("-") and _decimal(node.this[1:]):
        return _bare_number(node.this)
    return None


def _numeric_constant(node: exp.Expression, user_types: dict[str, str]) -> exp.Expression | None:
    """A decimal constant as PostgreSQL prints it where numeric is its own type: `0.5`, `'-0.5'::numeric`."""
    if (bare := _decimal_constant(node)) is not None:
        return bare
    if isinstance(node, exp.Cast) and _type_of(node.to, user_types) == "numeric":
        return _negative_decimal(node.this)
    return None


def _varchar_as_text(node: exp.Expression, column_types: Mapping[str, str],
                     user_types: dict[str, str]) -> exp.Expression | None:
    """A varchar column cast to text (`v::text`) as the bare column."""
    if isinstance(node, exp.Cast) and _type_of(node.to, user_types) == "text":
        kind = _column_type(node.this, column_types)
        if kind is not None and (kind == _VARCHAR or kind.startswith(_VARCHAR + "(")):
            column: exp.Expression = node.this
            return column
    return None


def _string_as(node: exp.Expression, target: str, user_types: dict[str, str]) -> exp.Expression | None:
    """A string constant cast to `target` (`'sad'::mood`) as the bare constant."""
    if (isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string
            and _type_of(node.to, user_types) == target):
        return node.this
    return None


def _own_operators(kind: str, enums: frozenset[str]) -> bool:
    base = kind.removesuffix("[]")
    return base in _OWN_OPERATORS or base in enums


def _against_column(kind: str, other: exp.Expression, column_types: Mapping[str, str],
                    user_types: dict[str, str], enums: frozenset[str]) -> exp.Expression | None:
    """The other side of a comparison with a bare column of type `kind`, without PostgreSQL's cast."""
    if kind == "numeric" or kind.startswith("numeric(") and not kind.endswith("[]"):
        kind = "numeric"  # operators take numeric without precision: a constant converts to that
        if (bare := _number_cast_to(other, "numeric", user_types, decimals=False)) is not None:
            return bare
    if kind in _FLOATS:
        if (bare := _number_cast_to(other, "double precision", user_types, decimals=True)) is not None:
            return bare
    if kind in _INTEGERS:
        return None  # integer constants meet them bare; decimals convert the column (below)
    if kind == "text":
        if (bare := _varchar_as_text(other, column_types, user_types)) is not None:
            return bare
    if _own_operators(kind, enums):
        return _string_as(other, kind, user_types)
    return None


def bare_operands(node: exp.Expression, column_types: Mapping[str, str], user_types: dict[str, str],
                  enums: frozenset[str]) -> dict[str, exp.Expression]:
    """The operands of comparison `node` (by argument name, `this` and `expression`) that are
    PostgreSQL's own casts of the bare form, bare; {} when it holds none. `column_types`: the
    table's columns by name; `user_types` as canonical_type takes them; `enums`: the enum types
    among them, as columns' types name them."""
    left, right = _unparen(node.this), _unparen(node.expression)
    out: dict[str, exp.Expression] = {}
    for (key, side), (other_key, other) in ((("this", left), ("expression", right)),
                                            (("expression", right), ("this", left))):
        kind = _column_type(side, column_types)
        if kind is not None:
            if (bare := _against_column(kind, other, column_types, user_types, enums)) is not None:
                out[other_key] = bare
            continue
        if (isinstance(side, exp.Cast) and _type_of(side.to, user_types) == "numeric"
                and _column_type(side.this, column_types) in _INTEGERS
                and (bare := _numeric_constant(other, user_types)) is not None):
            out[key], out[other_key] = side.this, bare  # i::numeric >= 0.5
            return out
        if (varchar := _varchar_as_text(side, column_types, user_types)) is not None:
            partner = _varchar_as_text(other, column_types, user_types)
            if partner is None:
                partner = _string_as(other, "text", user_types)
            if partner is None and _column_type(other, column_types) == "text":
                partner = other
            if partner is not None:
                out[key], out[other_key] = varchar, partner  # v::text <> 'closed'::text
                return out
    return out
