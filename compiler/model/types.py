"""Canonical forms: type names as format_type() prints them, expressions in one normal form."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.errors import ParseError, TokenError

from . import expression_tokens
from .names import QUOTED_KEYWORDS, quote_ident
from .schema import Expr, Extension

# alias -> canonical spelling, for types that take no modifier or keep it as written
_PLAIN_TYPES = {
    "int": "integer", "int4": "integer", "integer": "integer",
    "int2": "smallint", "smallint": "smallint",
    "int8": "bigint", "bigint": "bigint",
    "serial": "serial", "serial4": "serial",
    "bigserial": "bigserial", "serial8": "bigserial",
    "smallserial": "smallserial", "serial2": "smallserial",
    "float8": "double precision", "double precision": "double precision",
    "float4": "real", "real": "real",
    "bool": "boolean", "boolean": "boolean",
    "text": "text", "date": "date", "uuid": "uuid", "json": "json", "jsonb": "jsonb",
    "bytea": "bytea", "inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "macaddr8": "macaddr8",
    "money": "money", "xml": "xml", "tsvector": "tsvector", "tsquery": "tsquery", "oid": "oid",
    "point": "point", "line": "line", "lseg": "lseg", "box": "box", "path": "path",
    "polygon": "polygon", "circle": "circle", "int4range": "int4range", "int8range": "int8range",
    "numrange": "numrange", "tsrange": "tsrange", "tstzrange": "tstzrange",
    "daterange": "daterange", "int4multirange": "int4multirange",
    "int8multirange": "int8multirange", "nummultirange": "nummultirange",
    "tsmultirange": "tsmultirange", "tstzmultirange": "tstzmultirange",
    "datemultirange": "datemultirange", "pg_lsn": "pg_lsn", "regclass": "regclass",
    "name": "name", "bpchar": "bpchar",
}
# types that take a length: alias -> (canonical, spelling without a length)
_LENGTH_TYPES = {
    "varchar": "character varying", "character varying": "character varying",
    "char": "character", "character": "character",
    "char varying": "character varying", "nchar": "character", "national character": "character",
    "national char": "character", "national character varying": "character varying",
    "national char varying": "character varying", "nchar varying": "character varying",
    "bit": "bit", "varbit": "bit varying", "bit varying": "bit varying",
}
_INTERVAL_FIELDS = ("year", "month", "day", "hour", "minute", "second", "year to month", "day to hour",
                    "day to minute", "day to second", "hour to minute", "hour to second",
                    "minute to second")
_TIME_TYPES = {  # alias -> (base, with time zone)
    "timestamp": ("timestamp", False), "timestamptz": ("timestamp", True),
    "time": ("time", False), "timetz": ("time", True),
}
# types brought by extensions: type -> extension
EXTENSION_TYPES = {
    "citext": "citext", "hstore": "hstore", "ltree": "ltree", "lquery": "ltree",
    "vector": "vector", "halfvec": "vector", "cube": "cube",
    "geometry": "postgis", "geography": "postgis",
}


def extension_type_schemas(extensions: Iterable[Extension]) -> dict[str, str]:
    """Each type of the declared extensions -> the schema it lives in (its extension's)."""
    where = {x.name: x.schema for x in extensions}
    return {t: where[x] for t, x in sorted(EXTENSION_TYPES.items()) if x in where}


def extension_type_names(extensions: Iterable[Extension]) -> dict[str, str]:
    """`schema.type` -> `type` for each type of the declared extensions.

    The model spells an extension's type without its schema, wherever the extension lives:
    the extension says where, and DDL qualifies the name from there (see qualify.py).
    """
    return {f"{schema}.{t}": t for t, schema in extension_type_schemas(extensions).items()}


KNOWN_TYPE_NAMES = sorted(set(_PLAIN_TYPES) | set(_LENGTH_TYPES) | set(_TIME_TYPES)
                          | {"numeric", "decimal", "float", "interval"} | set(EXTENSION_TYPES))
SERIAL_TYPES = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}

_TYPE_RE = re.compile(
    r"(?P<base>[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*?)"
    r"(?:\s*\(\s*(?P<args>[^()]*?)\s*\))?"
    r"(?:\s+(?P<tz>with time zone|without time zone))?\Z")
_NAME = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_USER_TYPE_RE = re.compile(rf"{_NAME}(?:\.{_NAME})?\Z")
_NAME_PART = re.compile(_NAME)


def _unquote(part: str) -> str:
    return part[1:-1].replace('""', '"') if part.startswith('"') else part
_ARRAY_RE = re.compile(r"(?:\s*\[\s*\d*\s*\]|\s+array(?:\s*\[\s*\d*\s*\])?)\Z", re.IGNORECASE)


class TypeProblem(ValueError):
    """A type that PostgreSQL would not accept; the message says why."""


def _ints(args: str | None, type_name: str, count: tuple[int, int]) -> list[int]:
    if args is None:
        return []
    parts = [a.strip() for a in args.split(",")]
    if not (count[0] <= len(parts) <= count[1]) or not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise TypeProblem(f"bad modifier ({args}) for type {type_name}")
    return [int(p) for p in parts]


def _one_int(args: str | None, type_name: str) -> int | None:
    """The modifier of a type that takes at most one, or None without one."""
    mods = _ints(args, type_name, (1, 1))
    return mods[0] if mods else None


def _canonical_base(base: str, args: str | None, tz: str | None,
                    user_types: dict[str, str]) -> str:
    if base in user_types and args is None and tz is None:
        return user_types[base]
    lowered = base.lower()
    if tz is not None and lowered not in ("timestamp", "time"):
        raise TypeProblem(f"'{tz}' only goes with timestamp or time, not {base}")
    if lowered in _TIME_TYPES:
        root, with_tz = _TIME_TYPES[lowered]
        if tz is not None:
            if lowered.endswith("tz"):
                raise TypeProblem(f"{lowered} already says the time zone")
            with_tz = tz == "with time zone"
        p = _one_int(args, lowered)
        if p is not None and not 0 <= p <= 6:
            raise TypeProblem(f"{root} precision must be between 0 and 6, not {p}")
        prec = f"({p})" if p is not None else ""
        return f"{root}{prec} {'with' if with_tz else 'without'} time zone"
    if lowered == "bpchar" and args is not None:
        lowered = "character"  # bpchar(n) is character(n); a bare bpchar stays bpchar
    if lowered in _PLAIN_TYPES or lowered in EXTENSION_TYPES:
        if args is not None and lowered not in ("vector", "halfvec", "geometry", "geography"):
            raise TypeProblem(f"type {lowered} takes no modifier")
        name = _PLAIN_TYPES.get(lowered, lowered)
        return f"{name}({args.replace(' ', '')})" if args is not None else name
    if lowered in _LENGTH_TYPES:
        name = _LENGTH_TYPES[lowered]
        n = _one_int(args, lowered)
        longest = 83886080 if name.startswith("bit") else 10485760  # bits are counted, not characters
        if n is not None and not 1 <= n <= longest:
            raise TypeProblem(f"length for type {lowered} must be between 1 and {longest}, not {n}")
        if n is None and name in ("character", "bit"):
            n = 1  # char and bit mean char(1) and bit(1)
        return f"{name}({n})" if n is not None else name
    if lowered in ("numeric", "decimal"):
        mods = _ints(args, lowered, (1, 2))
        if not mods:
            return "numeric"
        p, s = mods[0], mods[1] if len(mods) > 1 else 0
        if not 1 <= p <= 1000:
            raise TypeProblem(f"numeric precision {p} must be between 1 and 1000")
        if not -1000 <= s <= 1000:
            raise TypeProblem(f"numeric scale {s} must be between -1000 and 1000")
        return f"numeric({p},{s})"
    if lowered == "float":
        (p,) = _ints(args, lowered, (1, 1)) or [53]
        if not 1 <= p <= 53:
            raise TypeProblem(f"precision for type float must be between 1 and 53, not {p}")
        return "real" if p <= 24 else "double precision"
    if lowered == "interval" or lowered.startswith("interval "):
        fields = lowered[len("interval "):]
        if fields and fields not in _INTERVAL_FIELDS:
            raise TypeProblem(f"interval fields must be one of {', '.join(_INTERVAL_FIELDS)}, not '{fields}'")
        p = _one_int(args, lowered)
        if p is not None and not 0 <= p <= 6:
            raise TypeProblem(f"interval precision must be between 0 and 6, not {p}")
        if p is not None and fields and not fields.endswith("second"):
            raise TypeProblem(f"interval {fields} takes no precision; only fields ending in second do")
        return "interval" + (f" {fields}" if fields else "") + (f"({p})" if p is not None else "")
    raise KeyError(base)


# a cache of a pure function: a project spells the same few types on thousands of columns
@lru_cache(maxsize=4096)
def _canonical_type_cached(text: str, user_types: tuple[tuple[str, str], ...]) -> str:
    spelled = " ".join(text.split())
    array = ""
    while m := _ARRAY_RE.search(spelled):
        array = "[]"  # format_type prints one [] whatever the dimensions
        spelled = spelled[: m.start()].rstrip()
    if spelled == '"char"':
        return spelled + array  # PostgreSQL's one-byte type, found in pg_catalog before any enum
    users = dict(user_types)
    if spelled in users:
        return users[spelled] + array
    if '"' in spelled and _USER_TYPE_RE.match(spelled):
        # an enum named as SQL quotes it: `"Mood"`, `app."Mood"` (quotes around the exact name)
        unquoted = ".".join(_unquote(p) for p in _NAME_PART.findall(spelled))
        if unquoted in users:
            return users[unquoted] + array
    m = _TYPE_RE.match(spelled.lower())
    if not m and _USER_TYPE_RE.match(spelled):
        raise KeyError(text)  # a name (schema-qualified or quoted) of a type nobody declared
    if not m:
        raise TypeProblem(f"cannot read type '{text}'")
    base = m["base"]
    if array and base in ("serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"):
        raise TypeProblem("a serial type cannot be an array")
    return _canonical_base(base, m["args"], m["tz"], users) + array


def canonical_type(text: str, user_types: dict[str, str]) -> str:
    """The spelling format_type() prints for `text`.

    `user_types` maps each name a definition may use for a declared type (enum) to its
    canonical spelling. Raises TypeProblem for a malformed type and KeyError for an unknown one.
    """
    return _canonical_type_cached(text, _types_key(user_types))


class _TypesKeyCache:
    """An explicit cache of one entry: `user_types` as a hashable key, remembered for the dict
    last seen. One dict serves a whole build (tens of thousands of calls); sorting it each time
    showed up in profiles. The copy catches a dict changed in place since."""

    __slots__ = ("seen", "copy", "key")

    def __init__(self) -> None:
        self.seen: dict[str, str] | None = None
        self.copy: dict[str, str] = {}
        self.key: tuple[tuple[str, str], ...] = ()

    def __call__(self, user_types: dict[str, str]) -> tuple[tuple[str, str], ...]:
        if user_types is not self.seen or user_types != self.copy:
            self.seen, self.copy, self.key = user_types, dict(user_types), tuple(sorted(user_types.items()))
        return self.key


_types_key = _TypesKeyCache()


def enum_type_spelling(schema: str, name: str) -> str:
    """How format_type() prints an enum type when its schema is public (on the search path)."""
    return quote_ident(name) if schema == "public" else f"{quote_ident(schema)}.{quote_ident(name)}"


# ---------------------------------------------------------------- expressions

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
# a caller that changes one copies it first (with_columns_renamed does).
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


def referenced_columns(text: str) -> list[str]:
    """Column names an expression refers to, in order of first use (unquoted ones lower-cased)."""
    seen: dict[str, None] = {}
    for col in read_expression(text).find_all(exp.Column, bfs=False):  # depth first: source order
        ident = col.this
        quoted = getattr(ident, "quoted", False)
        name = ident.name if quoted else ident.name.lower()
        if quoted or name not in QUOTED_KEYWORDS:  # a bare USER is the function, never a column
            seen.setdefault(name, None)
    return list(seen)


def string_literals(text: str) -> set[str]:
    """Every string constant an expression contains."""
    return {lit.this for lit in read_expression(text).find_all(exp.Literal) if lit.is_string}


def _structure(node: exp.Expression | object, drop_cast_to: str | None,
               user_types: dict[str, str]) -> str:
    """A structural text of a parse tree: parentheses and spelling differences gone."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Expression):
        return repr(node)  # string contents (JSON keys, E'' and $$ strings) keep their case
    if isinstance(node, exp.Cast) and drop_cast_to is not None and isinstance(node.this, exp.Literal):
        if _cast_type(node, user_types) == drop_cast_to:
            return _structure(node.this, None, user_types)
    if isinstance(node, exp.Identifier):
        if not node.quoted and node.name.lower() in QUOTED_KEYWORDS:
            return "kw:" + node.name.lower()  # USER, the function; "user" is a column
        return "id:" + (node.name if node.quoted else node.name.lower())
    if isinstance(node, exp.Literal):
        literal: str = node.this
        return ("s:" if node.is_string else "n:") + literal
    if isinstance(node, exp.DataType):
        return "type:" + (_cast_type_text(node, user_types) or node.sql("postgres").lower())
    parts = []
    for key, value in sorted(node.args.items()):
        if value is None or value is False or value == []:
            continue
        if isinstance(node, exp.Anonymous) and key == "this" and isinstance(value, str):
            parts.append(f"this={value.lower()!r}")  # an unquoted function name folds to lower case
            continue
        if isinstance(value, list):
            parts.append(f"{key}=[" + ",".join(_structure(v, None, user_types) for v in value) + "]")
        else:
            parts.append(f"{key}=" + _structure(value, None, user_types))
    return f"{type(node).__name__}(" + ",".join(parts) + ")"


def _cast_type_text(node: exp.DataType, user_types: dict[str, str]) -> str | None:
    try:
        return canonical_type(node.sql("postgres"), user_types)
    except (TypeProblem, KeyError):
        return None


def _cast_type(node: exp.Cast, user_types: dict[str, str]) -> str | None:
    return _cast_type_text(node.to, user_types)


@lru_cache(maxsize=65536)  # a cache of a pure function: diff compares the same texts again and again
def _normal_cached(text: str, drop_cast_to: str | None, user_types: tuple[tuple[str, str], ...],
                   lenient: bool) -> str:
    return _structure(read_expression(text) if lenient else parse_expression(text), drop_cast_to, dict(user_types))


def make_expr(text: str, column_type: str | None = None,
              user_types: dict[str, str] | None = None, lenient: bool = False) -> Expr:
    """An Expr for `text`, compared in normal form.

    With `column_type`, a string literal cast to that very type (a default such as
    `'active'::user_status` on a user_status column) compares equal to the bare literal.
    `lenient` is for text already accepted once (see read_expression).
    """
    key = _types_key(user_types) if user_types else ()
    return Expr(text, _normal_cached(text, column_type, key, lenient))


def with_columns_renamed(expr: Expr, renames: dict[str, str]) -> Expr:
    """`expr` as PostgreSQL holds it after its columns were renamed (RENAME COLUMN rewrites stored
    expressions): the written text is kept, the normal form follows the new names."""
    moved = {old: new for old, new in renames.items() if old != new}
    if not moved or not set(referenced_columns(expr.text)) & set(moved):
        return expr
    tree = read_expression(expr.text).copy()
    for col in tree.find_all(exp.Column):
        ident = col.this
        name = ident.name if ident.quoted else ident.name.lower()
        if name in moved:
            col.set("this", exp.to_identifier(moved[name], quoted=True))
    return Expr(expr.text, _structure(tree, None, {}))
