"""What PostgreSQL 15's own catalog says about built-in types and functions, as data.

The definition rules (`rules`) need these offline. Each table is kept honest by a database test
(tests/db/test_catalog_facts.py) that asks a real server.
"""
from __future__ import annotations

# Every access method an index may use, and the built-in types with a default operator class
# for it (pg_opclass.opcdefault), by format_type() name without a modifier. Types binary
# coercible to one that has a class (varchar -> text, cidr -> inet) are listed too, because
# PostgreSQL accepts them through it. Enums, ranges, multiranges and arrays are decided apart.
_SCALARS = frozenset({
    '"char"', "bigint", "bytea", "character", "date", "double precision", "inet", "cidr", "integer",
    "interval", "macaddr", "macaddr8", "name", "numeric", "oid", "regclass", "pg_lsn", "real",
    "smallint", "text", "character varying", "bpchar", "time with time zone",
    "time without time zone", "timestamp with time zone", "timestamp without time zone", "uuid"})
DEFAULT_OPCLASS_TYPES: dict[str, frozenset[str]] = {
    "btree": _SCALARS | {"bit", "bit varying", "boolean", "jsonb", "money", "tsquery", "tsvector"},
    "hash": _SCALARS | {"boolean", "jsonb"},
    "gin": frozenset({"jsonb", "tsvector"}),
    "gist": frozenset({"box", "circle", "point", "polygon", "tsquery", "tsvector"}),
    "spgist": frozenset({"box", "inet", "cidr", "point", "polygon", "text", "character varying"}),
    "brin": _SCALARS | {"bit", "bit varying", "box"},
}
# the polymorphic classes: which methods take any enum, range, multirange or array
ENUM_METHODS = frozenset({"btree", "hash"})
RANGE_METHODS = frozenset({"btree", "hash", "gist", "spgist", "brin"})
MULTIRANGE_METHODS = frozenset({"btree", "hash", "gist"})
# an array class compares the elements with the element type's class of this method
ARRAY_METHODS = {"btree": "btree", "hash": "hash", "gin": "btree"}

RANGE_TYPES = frozenset({"int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange"})
MULTIRANGE_TYPES = frozenset({"int4multirange", "int8multirange", "nummultirange", "tsmultirange",
                              "tstzmultirange", "datemultirange"})
# the built-in types schemac knows that no method indexes by default
UNINDEXABLE_TYPES = frozenset({"json", "xml", "line", "lseg", "path"})

# Functions of pg_catalog (and of uuid-ossp) a definition may plausibly call that have no
# IMMUTABLE variant, so PostgreSQL refuses them in a generated column, an index expression and
# an index predicate: time and randomness, sequences, settings, the session, and text formatting
# that depends on settings (to_char, concat and format render dates with DateStyle).
NOT_IMMUTABLE_FUNCTIONS = frozenset({
    "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
    "random", "setseed", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
    "uuid_generate_v4", "nextval", "currval", "lastval", "setval", "current_setting", "set_config",
    "current_database", "current_schema", "current_schemas", "current_query", "version",
    "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port",
    "concat", "concat_ws", "format", "to_char", "to_date", "to_number", "to_json", "to_jsonb",
    "array_to_json", "row_to_json", "json_build_array", "json_build_object", "jsonb_build_array",
    "jsonb_build_object", "array_to_string", "make_timestamptz", "to_regclass", "to_regtype",
    "enum_first", "enum_last", "enum_range", "obj_description", "col_description", "format_type",
})
# Of those, the VOLATILE ones: a default calling one is computed per row, so ADD COLUMN with it
# rewrites the table (a STABLE default such as now() is computed once and stored in the catalog).
VOLATILE_FUNCTIONS = frozenset({
    "clock_timestamp", "timeofday", "random", "setseed", "gen_random_uuid", "uuid_generate_v1",
    "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "setval", "set_config",
})
# SQL value functions: keywords without parentheses, all STABLE
VALUE_FUNCTIONS = frozenset({"current_timestamp", "current_date", "current_time", "localtime",
                             "localtimestamp", "current_user", "session_user", "current_catalog"})

AGGREGATE_FUNCTIONS = frozenset({
    "array_agg", "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "corr", "count",
    "covar_pop", "covar_samp", "every", "json_agg", "json_object_agg", "jsonb_agg",
    "jsonb_object_agg", "max", "min", "mode", "percentile_cont", "percentile_disc", "range_agg",
    "range_intersect_agg", "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2",
    "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "stddev", "stddev_pop", "stddev_samp",
    "string_agg", "sum", "var_pop", "var_samp", "variance", "xmlagg"})
WINDOW_FUNCTIONS = frozenset({"cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead",
                              "nth_value", "ntile", "percent_rank", "rank", "row_number"})
SET_RETURNING_FUNCTIONS = frozenset({
    "generate_series", "generate_subscripts", "json_array_elements", "json_array_elements_text",
    "json_each", "json_each_text", "json_object_keys", "json_populate_recordset",
    "json_to_recordset", "jsonb_array_elements", "jsonb_array_elements_text", "jsonb_each",
    "jsonb_each_text", "jsonb_object_keys", "jsonb_path_query", "jsonb_populate_recordset",
    "jsonb_to_recordset", "regexp_matches", "regexp_split_to_table", "string_to_table", "unnest"})

SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})
MAX_INDEX_COLUMNS = 32  # INDEX_MAX_KEYS
MAX_TABLE_COLUMNS = 1600  # MaxHeapAttributeNumber


def type_base(type_name: str) -> str:
    """A format_type() name without its modifier: `numeric(10,2)` -> `numeric`,
    `timestamp(3) with time zone` -> `timestamp with time zone`, `interval day` -> `interval`."""
    if type_name.startswith("interval"):
        return "interval"
    head, paren, rest = type_name.partition("(")
    if not paren:
        return type_name
    return (head + rest.partition(")")[2]).strip()
