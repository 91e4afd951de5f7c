"""Canonical type names, as format_type() prints them (expressions: see expressions.py)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .builtin_type_names import PG_CATALOG_TYPES
from .names import quote_ident
from .schema import Extension

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


def extension_schemas(extensions: Iterable[Extension]) -> tuple[str, ...]:
    """The schemas the declared extensions live in, with or without types schemac knows: where
    a migration finds their functions and operators (migration_file.migration_search_path)."""
    return tuple(sorted({x.schema for x in extensions}))


def extension_type_names(extensions: Iterable[Extension]) -> dict[str, str]:
    """`schema.type` -> `type` for each type of the declared extensions.

    The model spells an extension's type without its schema, wherever the extension lives:
    the extension says where, and DDL qualifies the name from there (see qualify.py).
    """
    return {f"{schema}.{t}": t for t, schema in extension_type_schemas(extensions).items()}


# the words schemac reads as built-in types (aliases such as int and timestamptz included)
_BUILTIN_WORDS = frozenset(_PLAIN_TYPES) | frozenset(_LENGTH_TYPES) | frozenset(_TIME_TYPES) | {
    "numeric", "decimal", "dec", "float", "interval", "double precision"}
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
    return _canonical_type_cached(text, user_types_key(user_types))


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


user_types_key = _TypesKeyCache()


def enum_type_spelling(schema: str, name: str) -> str:
    """How format_type() prints a user's type (an enum, a domain): bare in public (on the search
    path), unless a type of pg_catalog has its name and hides it there; schema-qualified elsewhere."""
    if schema == "public" and name not in PG_CATALOG_TYPES:
        return quote_ident(name)
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def bare_name_usable(name: str) -> bool:
    """Whether definitions may name a type of public by its bare name: not when SQL or schemac read
    that name as a built-in type (`money`, `date`, `int`, `timestamptz`): `public.money` then."""
    return name not in PG_CATALOG_TYPES and name.lower() not in _BUILTIN_WORDS


def public_type_names(schema: str, name: str) -> dict[str, str]:
    """The names definitions may give a declared type -> its spelling: schema.name, and the bare
    name in public where it is usable."""
    spelling = enum_type_spelling(schema, name)
    out = {f"{schema}.{name}": spelling}
    if schema == "public" and bare_name_usable(name):
        out[name] = spelling
    return out
