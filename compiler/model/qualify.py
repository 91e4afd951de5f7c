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
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from .names import quote_ident
from .schema import CastName, Expression
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


def may_name_a_schema(name: str, quoted: bool) -> bool:
    """Could DDL name the type `name` (as a cast writes it, unqualified) with a schema: an enum,
    or an extension's type? Built-in types never."""
    word = name if quoted else name.lower()
    return word in EXTENSION_TYPES or word not in _BUILTIN_WORDS


def with_qualified_casts(text: str, casts: Iterable[CastName], extension_types: Mapping[str, str]) -> str:
    """`text` with the type of each of `casts` (found in it when it was read) named with its schema."""
    at = [(c.start, schema) for c in casts
          if (schema := _type_schema(c.name, c.quoted, extension_types)) is not None]
    for start, schema in reversed(at):
        text = f"{text[:start]}{quote_ident(schema)}.{text[start:]}"
    return text


def expression_sql(expr: Expression, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """An expression as DDL writes it: as written, casts to user types qualified."""
    return with_qualified_casts(expr.text, expr.casts, extension_types)


def column_default_sql(expr: Expression, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
    """A default as a column definition writes it: in brackets unless it is a simple form
    (see expressions._bare_default)."""
    text = expression_sql(expr, extension_types)
    return text if expr.bare_default else f"({text})"
