"""User-defined types named with their schema wherever generated SQL names them.

format_type() prints an enum of `public` without its schema, and the model keeps that spelling
(state.json and the diff stay as they were). In DDL such a name would be looked up through the
search_path, and a database whose search_path puts another schema with a type of the same name
first would get that type. So the SQL names `public.mood`: in column types, USING casts, and
casts inside defaults, checks and index expressions.

Types brought by extensions are named with the schema of their extension (`extensions.citext`):
the model spells them bare, and `extension_types` (type -> schema, from the Schema being
rendered: see types.extension_type_schemas) says where each one lives.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import sqlglot
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from .names import quote_ident
from .schema import Expr
from .types import EXTENSION_TYPES, KNOWN_TYPE_NAMES

# pg_type names in pg_catalog (PostgreSQL 15; no array or row types), and the SQL spellings of them
CATALOG_TYPES = frozenset("""
aclitem any anyarray anycompatible anycompatiblearray anycompatiblemultirange anycompatiblenonarray
anycompatiblerange anyelement anyenum anymultirange anynonarray anyrange bit bool box bpchar bytea char
cid cidr circle cstring date datemultirange daterange event_trigger fdw_handler float4 float8 gtsvector
index_am_handler inet int2 int2vector int4 int4multirange int4range int8 int8multirange int8range
internal interval json jsonb jsonpath language_handler line lseg macaddr macaddr8 money name numeric
nummultirange numrange oid oidvector path pg_brin_bloom_summary pg_brin_minmax_multi_summary
pg_ddl_command pg_dependencies pg_lsn pg_mcv_list pg_ndistinct pg_node_tree pg_snapshot point polygon
record refcursor regclass regcollation regconfig regdictionary regnamespace regoper regoperator
regproc regprocedure regrole regtype table_am_handler text tid time timestamp timestamptz timetz
trigger tsm_handler tsmultirange tsquery tsrange tstzmultirange tstzrange tsvector txid_snapshot
unknown uuid varbit varchar void xid xid8 xml
""".split())
_BUILTIN_WORDS = (CATALOG_TYPES | {n.split()[0] for n in KNOWN_TYPE_NAMES}
                  | {"double", "national", "dec", "setof"}) - set(EXTENSION_TYPES)
_LEADING_NAME = re.compile(r'"(?:[^"]|"")*"|[^\s."(\[]+')


def _type_schema(name: str, quoted: bool, extension_types: Mapping[str, str]) -> str | None:
    """The schema to name an unqualified type with: its extension's, public for an enum, or none
    for a built-in type (and for an extension's type whose extension is not declared)."""
    word = name if quoted else name.lower()
    if word in EXTENSION_TYPES:
        return extension_types.get(word)
    return None if word in _BUILTIN_WORDS else "public"


def sql_type(spelling: str, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """A canonical column type as DDL names it: an unqualified user type gets its schema."""
    m = _LEADING_NAME.match(spelling)
    if m is None or spelling[m.end():].startswith("."):
        return spelling  # already qualified
    name, quoted = m.group(0), m.group(0).startswith('"')
    if quoted:
        name = name[1:-1].replace('""', '"')
    schema = _type_schema(name, quoted, extension_types)
    return f"{quote_ident(schema)}.{spelling}" if schema is not None else spelling


@lru_cache(maxsize=8192)
def _cast_targets(text: str) -> tuple[tuple[Token, ...], tuple[int, ...]]:
    """The tokens of `text`, and the index of the first name of each cast's type (`x::mood`,
    `CAST(x AS mood)`; the schema of `x::public.mood`). No tokens when it cannot be read, nor
    when it holds no cast (no `::` and no word `cast`: the common case, told without tokenizing)."""
    if "::" not in text and "cast" not in text.lower():
        return (), ()
    try:
        tokens = sqlglot.Dialect.get_or_raise("postgres").tokenize(text)
    except (TokenError, ValueError):
        return (), ()  # not ours to repair: PostgreSQL reports it
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
    return tuple(tokens), tuple(at)


def _schema_follows(tokens: tuple[Token, ...], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT


def qualified_casts(text: str, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """`text` with every cast (`x::mood`, `CAST(x AS mood)`) to an unqualified user type qualified."""
    tokens, targets = _cast_targets(text)
    at: list[tuple[int, str]] = []
    for i in targets:
        token = tokens[i]
        schema = _type_schema(token.text, token.token_type == TokenType.IDENTIFIER, extension_types)
        if not _schema_follows(tokens, i) and schema is not None:
            at.append((token.start, schema))
    for start, schema in reversed(at):
        text = f"{text[:start]}{quote_ident(schema)}.{text[start:]}"
    return text


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


def expression_sql(expr: Expr, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """An expression as DDL writes it: as written, casts to user types qualified."""
    return qualified_casts(expr.text, extension_types)


def column_default_sql(expr: Expr, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """A default as a column definition writes it: in brackets unless it is a simple form.

    CREATE TABLE and ADD COLUMN take only PostgreSQL's restricted `b_expr` after DEFAULT, so
    `DEFAULT now() AT TIME ZONE 'utc'`, `DEFAULT NOT false` or `DEFAULT 1 IN (1, 2)` are syntax
    errors there; in brackets any expression is accepted.
    """
    text = expression_sql(expr, extension_types)
    return text if _bare_default(expr.text) else f"({text})"


@lru_cache(maxsize=4096)
def _bare_default(text: str) -> bool:
    try:
        node = sqlglot.parse_one(text, read="postgres")
    except (sqlglot.errors.ParseError, TokenError):
        return False
    return _simple(node)


def _simple(node: sqlglot.exp.Expression) -> bool:
    """Literals, function calls and casts of those: forms that stand after DEFAULT as they are."""
    exp = sqlglot.exp
    if isinstance(node, exp.Literal | exp.Boolean | exp.Null | exp.Paren | exp.Interval | exp.Column):
        return True
    if isinstance(node, exp.Cast):
        return _simple(node.this)
    if isinstance(node, exp.Neg):
        return isinstance(node.this, exp.Literal)
    return isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Unary | exp.Predicate | exp.Connector)
