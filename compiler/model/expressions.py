"""SQL expressions read once, when a model is built: parsed, checked, and put in normal form.

Definitions, state.json and a live database make their Expressions here (`make_expression`);
each carries its normal form and the facts later stages need (the columns it reads, its string
constants, the casts DDL qualifies, how it stands after DEFAULT, its index name part), so diff,
render and export compare and print plain values and never parse again.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.errors import ParseError, TokenError

from . import expression_tokens, implicit_casts
from .catalog_facts import VOLATILE_FUNCTIONS
from .index_names import figure_index_label
from .names import QUOTED_KEYWORDS
from .qualify import may_name_a_schema, with_qualified_casts
from .schema import CastName, Expression
from .types import EXTENSION_TYPES, TypeProblem, canonical_type, user_types_key


class ExpressionProblem(ValueError):
    """An expression that is not one well-formed SQL expression."""


_STATEMENTS = (exp.Select, exp.Insert, exp.Update, exp.Delete, exp.Drop, exp.Create, exp.Alter,
               exp.Command, exp.Subquery, exp.Union, exp.Transaction, exp.Commit, exp.Rollback,
               exp.Alias)
VALUE_KEYWORDS = frozenset({"user"})  # bare words PostgreSQL reads as values, not columns


# Unreserved PostgreSQL keywords that sqlglot reads as the start of a statement. Inside an
# expression PostgreSQL can only mean a column by them (it prints `comment > 0` unquoted).
_STATEMENT_WORDS = frozenset({
    "alter", "begin", "cache", "call", "comment", "commit", "copy", "declare", "delete", "drop",
    "execute", "explain", "if", "insert", "load", "lock", "merge", "prepare", "refresh", "reindex",
    "release", "rename", "reset", "revoke", "rollback", "savepoint", "set", "show", "truncate",
    "update", "vacuum"})
_DIALECT = sqlglot.Dialect.get_or_raise("postgres")


# A cache of parse trees by text (defaults and checks recur across tables). The trees are shared:
# a caller that changes one copies it first.
@lru_cache(maxsize=65536)
def parse_expression(text: str) -> exp.Expression:
    """Parse one SQL expression, refusing several statements, subqueries and comments.

    Expressions holding what sqlglot cannot read faithfully (operators it does not know,
    `IS NORMALIZED`...) come back as a TokenExpression, read from PostgreSQL's tokens.
    """
    if not text.strip():
        raise ExpressionProblem("an expression must not be empty")
    try:
        pg_tokens = expression_tokens.tokens(text)
    except expression_tokens.TokenProblem:
        pg_tokens = []  # sqlglot's tokenizer says what is wrong, as it always did
    if pg_tokens and expression_tokens.needs_token_reading(pg_tokens):
        try:
            return expression_tokens.token_expression(pg_tokens)
        except expression_tokens.TokenProblem as e:
            raise ExpressionProblem(str(e)) from None
    # sqlglot takes the rest of the text as the argument of a command word (`call`, `vacuum`...)
    # when it opens a statement; inside brackets it is only a word
    wrapped = bool(pg_tokens) and pg_tokens[0].kind == "word" and pg_tokens[0].value in _STATEMENT_WORDS
    try:
        tokens = _DIALECT.tokenize(f"({text})")[1:-1] if wrapped else _DIALECT.tokenize(text)
    except (TokenError, ValueError) as e:
        raise ExpressionProblem(f"cannot read expression: {_first_line(e)}") from None
    for i, (token, after) in enumerate(zip(tokens, [*tokens[1:], None], strict=True)):
        if (after is not None and token.token_type in (TokenType.GT, TokenType.LT)
                and after.token_type == token.token_type and after.start > token.end + 1):
            # sqlglot joins '> >' into '>>'; PostgreSQL reads two operators, a syntax error
            raise ExpressionProblem(f"cannot parse expression: '{token.text} {after.text}'")
        if token.comments:
            raise ExpressionProblem("comments are not allowed in an expression")
        if token.token_type == TokenType.SEMICOLON:
            raise ExpressionProblem("an expression must be a single SQL expression; "
                                    "';' starts another statement")
        if (token.token_type != TokenType.IDENTIFIER and token.text.lower() in _STATEMENT_WORDS
                and (after is None or after.token_type != TokenType.L_PAREN)
                and (i == 0 or tokens[i - 1].token_type not in (TokenType.DOT, TokenType.DCOLON))):
            tokens[i] = Token(TokenType.IDENTIFIER, token.text.lower(), token.line, token.col, token.start,
                              token.end, token.comments)  # a column, as PostgreSQL folds it
    try:
        trees = [t for t in _DIALECT.parser().parse(tokens, text) if t is not None]
    except (ParseError, TokenError) as e:
        raise ExpressionProblem(f"cannot parse expression: {_first_line(e)}") from None
    if len(trees) != 1:
        raise ExpressionProblem("an expression must be a single SQL expression")
    tree = cast(exp.Expression, trees[0])  # sqlglot's parser makes Expression nodes; it declares Expr
    alias = next((node for node in tree.walk() if isinstance(node, exp.Alias)), None)
    if alias is not None:  # `a b`: sqlglot reads the second word as an alias, PostgreSQL refuses it
        raise ExpressionProblem(f"cannot parse expression: unexpected word '{alias.alias}'")
    if isinstance(tree, exp.Tuple) or any(isinstance(node, _STATEMENTS) for node in tree.walk()):
        raise ExpressionProblem("an expression must not contain a statement or a subquery")
    return tree


@lru_cache(maxsize=65536)  # a cache of shared trees, as parse_expression's
def read_expression(text: str) -> exp.Expression:
    """An expression already accepted once (from the catalog, state.json or checked YAML): as
    parse_expression, but what sqlglot cannot parse is read from its tokens instead of refused."""
    try:
        return parse_expression(text)
    except ExpressionProblem:
        try:
            return expression_tokens.token_expression(expression_tokens.tokens(text))
        except expression_tokens.TokenProblem as e:
            raise ExpressionProblem(str(e)) from None


def _first_line(e: Exception) -> str:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    if text.startswith("Required keyword:"):  # sqlglot's words for an operator or call left unfinished
        return "the expression is incomplete"
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _column_name(ident: exp.Expression) -> str | None:
    """The column an identifier in a column reference names; None for a bare USER (the function)."""
    if not isinstance(ident, exp.Identifier):
        return None
    name = ident.name if ident.quoted else ident.name.lower()
    return name if ident.quoted or name not in QUOTED_KEYWORDS else None


def referenced_columns(text: str) -> list[str]:
    """Column names an expression refers to, in order of first use (unquoted ones lower-cased)."""
    return list(_columns(read_expression(text)))


def _columns(tree: exp.Expression) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for col in tree.find_all(exp.Column, bfs=False):  # depth first: source order
        name = _column_name(col.this)
        if name is not None:
            seen.setdefault(name, None)
    return tuple(seen)


def _literals(tree: exp.Expression) -> frozenset[str]:
    return frozenset(lit.this for lit in tree.find_all(exp.Literal) if lit.is_string)


# ---------------------------------------------------------------- normal form

class _Normal:
    """A normal form being written: text, with the name of each column read as an item of its own."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.text: list[str] = []

    def add(self, piece: str) -> None:
        self.text.append(piece)

    def column(self, name: str) -> None:
        self.items += ["".join(self.text), name]
        self.text = []

    def done(self) -> tuple[str, ...]:
        return (*self.items, "".join(self.text))


class _Table:
    """The table an expression PostgreSQL printed belongs to, for the casts it adds itself
    (implicit_casts.py): its columns' types by name, and which of those types are enums."""

    def __init__(self, column_types: tuple[tuple[str, str], ...], enums: tuple[str, ...]) -> None:
        self.column_types = dict(column_types)
        self.enums = frozenset(enums)


def _write(value: exp.Expression | object, drop_cast_to: str | None, user_types: dict[str, str],
           out: _Normal, table: _Table | None = None) -> None:
    """A structural text of a parse tree: parentheses and spelling differences gone (and, given
    the `table`, the casts PostgreSQL adds to a comparison itself)."""
    if not isinstance(value, exp.Expression):
        out.add(repr(value))  # string contents (JSON keys, E'' and $$ strings) keep their case
        return
    node: exp.Expression = value
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast) and drop_cast_to is not None and isinstance(node.this, exp.Literal):
        if _cast_type_text(node.to, user_types) == drop_cast_to:
            _write(node.this, None, user_types, out)
            return
    if isinstance(node, exp.Identifier):
        if not node.quoted and node.name.lower() in QUOTED_KEYWORDS:
            out.add("kw:" + node.name.lower())  # USER, the function; "user" is a column
        else:
            out.add("id:" + (node.name if node.quoted else node.name.lower()))
        return
    if isinstance(node, exp.Literal):
        out.add(("s:" if node.is_string else "n:") + node.this)
        return
    if isinstance(node, exp.DataType):
        out.add("type:" + (_cast_type_text(node, user_types) or node.sql("postgres").lower()))
        return
    out.add(f"{type(node).__name__}(")
    bare: dict[str, exp.Expression] = {}
    if table is not None and isinstance(node, implicit_casts.COMPARISONS):
        bare = implicit_casts.bare_operands(node, table.column_types, user_types, table.enums)
    first = True
    for key, arg in sorted(node.args.items()):
        arg = bare.get(key, arg)
        if arg is None or arg is False or arg == []:
            continue
        if not first:
            out.add(",")
        first = False
        if isinstance(node, exp.Anonymous) and key == "this" and isinstance(arg, str):
            out.add(f"this={arg.lower()!r}")  # an unquoted function name folds to lower case
        elif isinstance(arg, list):
            out.add(f"{key}=[")
            for i, item in enumerate(arg):
                if i:
                    out.add(",")
                _write(item, None, user_types, out, table)
            out.add("]")
        elif isinstance(node, exp.Column) and key == "this" and (name := _column_name(arg)) is not None:
            out.add("this=id:")
            out.column(name)
        else:
            out.add(f"{key}=")
            _write(arg, None, user_types, out, table)
    out.add(")")


def _cast_type_text(node: exp.DataType, user_types: dict[str, str]) -> str | None:
    try:
        return canonical_type(node.sql("postgres"), user_types)
    except (TypeProblem, KeyError):
        return None


# ---------------------------------------------------------------- facts for DDL

def _cast_targets(text: str) -> tuple[list[Token], list[int]]:
    """The tokens of `text`, and the index of the first name of each cast's type (`x::mood`,
    `CAST(x AS mood)`; the schema of `x::public.mood`). No tokens when it cannot be read, nor
    when it holds no cast (no `::` and no word `cast`: the common case, told without tokenizing)."""
    if "::" not in text and "cast" not in text.lower():
        return [], []
    try:
        tokens = _DIALECT.tokenize(text)
    except (TokenError, ValueError):
        return [], []  # not ours to repair: PostgreSQL reports it
    at: list[int] = []
    openers: list[str] = []  # the word before each open parenthesis: CAST( ... AS type)
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else None
        if token.token_type == TokenType.L_PAREN:
            openers.append(before.text.upper() if before is not None else "")
        elif token.token_type == TokenType.R_PAREN and openers:
            openers.pop()
        named = token.token_type in (TokenType.VAR, TokenType.IDENTIFIER) or token.text.lower() in EXTENSION_TYPES
        if not named or before is None:  # sqlglot has token types of its own for hstore, vector, cube...
            continue
        if before.token_type == TokenType.DCOLON or (
                before.token_type == TokenType.ALIAS and openers and openers[-1] == "CAST"):
            at.append(i)
    return tokens, at


def _schema_follows(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT


@lru_cache(maxsize=65536)  # a cache of a pure function of the text
def cast_names(text: str) -> tuple[CastName, ...]:
    """The casts of `text` to a type named without its schema that DDL may qualify: a user type,
    or an extension's (whose schema is known only when rendering)."""
    tokens, targets = _cast_targets(text)
    out = []
    for i in targets:
        token = tokens[i]
        quoted = token.token_type == TokenType.IDENTIFIER
        if not _schema_follows(tokens, i) and may_name_a_schema(token.text, quoted):
            out.append(CastName(token.start, token.text, quoted))
    return tuple(out)


def qualified_casts(text: str, extension_types: Mapping[str, str] | None = None) -> str:
    """`text` with every cast (`x::mood`, `CAST(x AS mood)`) to an unqualified user type qualified."""
    return with_qualified_casts(text, cast_names(text), extension_types or {})


def bare_extension_casts(text: str, extension_types: Mapping[str, str]) -> str:
    """`text` with casts to an extension's type named without its schema (`'x'::extensions.citext`
    is `'x'::citext`), as the definitions name them: where the extension lives is its own key."""
    if not any(schema in text or '"' in schema for schema in set(extension_types.values())):
        return text  # no extension's schema named: nothing to cut (a quoted name is looked at whole)
    tokens, targets = _cast_targets(text)
    cut: list[tuple[int, int]] = []
    for i in targets:
        if not _schema_follows(tokens, i) or i + 2 >= len(tokens):
            continue
        schema, name = tokens[i], tokens[i + 2]
        if extension_types.get(name.text.lower()) == schema.text and name.token_type != TokenType.IDENTIFIER:
            cut.append((schema.start, name.start))
    for start, end in reversed(cut):
        text = text[:start] + text[end:]
    return text


def _bare_default(node: exp.Expression) -> bool:
    """Literals, function calls and casts of those: forms that stand after DEFAULT as they are.

    CREATE TABLE and ADD COLUMN take only PostgreSQL's restricted `b_expr` after DEFAULT, so
    `DEFAULT now() AT TIME ZONE 'utc'`, `DEFAULT NOT false` or `DEFAULT 1 IN (1, 2)` are syntax
    errors there; in brackets any expression is accepted.
    """
    if isinstance(node, exp.Literal | exp.Boolean | exp.Null | exp.Paren | exp.Interval | exp.Column):
        return True
    if isinstance(node, expression_tokens.TokenExpression):
        return _in_one_bracket(node.expressions)
    if isinstance(node, exp.Cast):
        return _bare_default(node.this)
    if isinstance(node, exp.Neg):
        return isinstance(node.this, exp.Literal)
    return isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Unary | exp.Predicate | exp.Connector)


def _in_one_bracket(items: list[exp.Expression]) -> bool:
    """Is a token reading wholly inside one pair of brackets (as PostgreSQL prints an operator)?"""
    depth = 0
    for i, item in enumerate(items):
        punct = item.this if isinstance(item, exp.Var) and item.this in ("(", ")") else None
        if punct is None:
            continue
        depth += 1 if punct == "(" else -1
        if depth == 0 and i != len(items) - 1:
            return False
    return len(items) > 2 and isinstance(items[0], exp.Var) and items[0].this == "(" and depth == 0


# ---------------------------------------------------------------- the model's Expression

@lru_cache(maxsize=65536)  # a cache: the same texts recur across tables; Expression is frozen
def _expression_cached(text: str, column_type: str | None, user_types: tuple[tuple[str, str], ...],
                       lenient: bool, column_types: tuple[tuple[str, str], ...] = (),
                       enums: tuple[str, ...] = ()) -> Expression:
    tree = read_expression(text) if lenient else parse_expression(text)
    normal = _Normal()
    _write(tree, column_type, dict(user_types), normal, _Table(column_types, enums) if column_types else None)
    calls = expression_tokens.function_calls(text)[0]
    return Expression(text, normal.done(), _columns(tree), _literals(tree), cast_names(text), _bare_default(tree),
                      figure_index_label(tree, text), volatile=not VOLATILE_FUNCTIONS.isdisjoint(calls),
                      calls=tuple(calls))


def make_expression(text: str, column_type: str | None = None,
                    user_types: dict[str, str] | None = None, lenient: bool = False,
                    column_types: Mapping[str, str] | None = None, enums: frozenset[str] = frozenset()) -> Expression:
    """The Expression of `text`: read, put in normal form, its facts taken; ExpressionProblem
    when it is not one well-formed expression.

    With `column_type` (a default), a string literal cast to that very type (a default such as
    `'active'::user_status` on a user_status column) compares equal to the bare literal.
    `user_types` names the declared types, as canonical_type takes them. `lenient` is for text
    already accepted once (see read_expression).

    `column_types` (the types of the table's columns by name, `enums` the enum types among
    them) is for an expression PostgreSQL printed: the casts it adds to a comparison itself
    (`price >= 0::numeric` on a numeric column) are left out of the normal form, which is then
    that of the text it stores so (`price >= 0`); see implicit_casts.py. Only the types of the
    columns the expression reads are part of the cache's key; only a text with `::` can hold one.
    """
    types_key = user_types_key(user_types) if user_types else ()
    if not column_types or "::" not in text:
        return _expression_cached(text, column_type, types_key, lenient)
    tree = read_expression(text) if lenient else parse_expression(text)
    read = tuple((c, column_types[c]) for c in _columns(tree) if c in column_types)
    if not read:
        return _expression_cached(text, column_type, types_key, lenient)
    kinds = {kind.removesuffix("[]") for _, kind in read}
    return _expression_cached(text, column_type, types_key, lenient, read, tuple(sorted(kinds & enums)))
