"""What the diagram writers (ChartDB JSON, Mermaid) share: type parts, unique sets, paste-proof JSON text.

`character varying(255)[]` is ChartDB's `varchar` with length "255" and isArray; enums are
custom types known by their bare name. Pure: no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model.schema import Enum, Index, Schema, Table
from ..model.types import enum_type_spelling

# PostgreSQL's format_type() spellings -> the names ChartDB's PostgreSQL type list uses
# (the same synonym map its metadata import applies).
CHARTDB_NAMES = {
    "character varying": "varchar",
    "character": "char",
    "integer": "int",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
    "bit varying": "varbit",
    "decimal": "numeric",
}
_LENGTH_TYPES = frozenset({"character varying", "character", "bit", "bit varying"})
_PRECISION_TYPES = frozenset({"numeric", "decimal"})
_TIME_TYPES = frozenset({"timestamp with time zone", "timestamp without time zone", "time with time zone",
                         "time without time zone", "interval"})
_MODIFIED = re.compile(r"^(?P<base>[^()\"]+?)\((?P<mods>[^()\"]*)\)(?P<rest>[^()\"]*)$")
_NUMBERS = re.compile(r"^\d+(,\d+)?$")


@dataclass(frozen=True, slots=True)
class TypeParts:
    name: str  # ChartDB's bare name: 'varchar', 'timestamptz', 'numeric', an enum's name
    length: str | None = None  # characterMaximumLength, a string as ChartDB wants it
    precision: int | None = None
    scale: int | None = None
    is_array: bool = False
    enum: Enum | None = None
    # made once per type (a TypeSplitter keeps one TypeParts per type), read for every column
    id: str = field(init=False, compare=False)
    display: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.name.replace(" ", "_"))  # ChartDB's type id: 'double_precision'
        object.__setattr__(self, "display", self._display())

    def _display(self) -> str:
        """A compact one-word spelling for ER diagrams: 'varchar(255)', 'numeric(12,2)', 'text[]'."""
        if self.length is not None:
            text = f"{self.name}({self.length})"
        elif self.precision is not None and self.scale is not None:
            text = f"{self.name}({self.precision},{self.scale})"
        elif self.precision is not None:
            text = f"{self.name}({self.precision})"
        else:
            text = self.name
        return text.replace(" ", "_") + ("[]" if self.is_array else "")


def enum_spellings(schema: Schema) -> dict[str, Enum]:
    """How each declared enum is spelled in a canonical column type."""
    return {enum_type_spelling(e.schema, e.name): e for e in schema.enums.values()}


class TypeSplitter(dict[str, TypeParts]):
    """split_type for one schema's enums, remembering each type it has split."""

    def __init__(self, schema: Schema) -> None:
        super().__init__()
        self.enums = enum_spellings(schema)

    def __missing__(self, canonical: str) -> TypeParts:
        parts = self[canonical] = split_type(canonical, self.enums)
        return parts


def split_type(canonical: str, enums: dict[str, Enum]) -> TypeParts:
    """The parts of one canonical type; types it does not know keep their full text as name."""
    base = canonical
    is_array = False
    while base.endswith("[]"):
        base, is_array = base[:-2], True
    enum = enums.get(base)
    if enum is not None:
        return TypeParts(enum.name, is_array=is_array, enum=enum)
    m = _MODIFIED.match(base)
    if m is None or not _NUMBERS.match(m["mods"]):
        return TypeParts(CHARTDB_NAMES.get(base, base), is_array=is_array)
    name = (m["base"] + m["rest"]).strip()
    numbers = [int(n) for n in m["mods"].split(",")]
    chart_name = CHARTDB_NAMES.get(name, name)
    if name in _LENGTH_TYPES and len(numbers) == 1:
        return TypeParts(chart_name, length=str(numbers[0]), is_array=is_array)
    if name in _PRECISION_TYPES:
        scale = numbers[1] if len(numbers) == 2 else 0
        return TypeParts(chart_name, precision=numbers[0], scale=scale, is_array=is_array)
    if (name in _TIME_TYPES or name.startswith("interval")) and len(numbers) == 1:
        return TypeParts(chart_name, precision=numbers[0], is_array=is_array)
    return TypeParts(CHARTDB_NAMES.get(base, base), is_array=is_array)


# ---------------------------------------------------------------- shared facts of a table

def sorted_tables(schema: Schema) -> list[Table]:
    return sorted(schema.tables.values(), key=lambda t: (t.schema, t.name))


def _column_only(index: Index) -> bool:
    return all(p.column is not None for p in index.parts)


def unique_sets(table: Table) -> list[frozenset[str]]:
    """Column sets whose values are unique: the primary key, unique constraints, unique indexes."""
    sets = [frozenset(table.primary_key.columns)] if table.primary_key else []
    sets += [frozenset(u.columns) for u in table.uniques]
    sets += [frozenset(p.column for p in i.parts if p.column) for i in table.indexes
             if i.unique and i.where is None and _column_only(i)]
    return sets


def is_unique(table: Table, columns: Iterable[str]) -> bool:
    cols = frozenset(columns)
    return any(u <= cols for u in unique_sets(table))


# ChartDB's paste box upper-cases the text and switches to DDL mode on `CREATE TABLE`, `ALTER
# TABLE`, `DROP TABLE`, `CREATE INDEX`... and to DBML mode on `[pk]` or `[ref: >`. A JSON \u escape
# keeps each string's value and breaks the match. Raw line separators would start new lines for
# its multi-line DBML patterns, so they are escaped too.
_DDL_WORDS = ("CREATE", "ALTER", "DROP")
_SPACE_AFTER_LETTER = re.compile(r"(?<=[^\W\d_]) ")
_SNIFFED_DBML = re.compile(r"\[(?=pk\]|ref:\s*[<>-])")


def unsniffable(text: str) -> str:
    """JSON text in which ChartDB finds no DDL or DBML marker; it parses to the same value."""
    out = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    out = _SNIFFED_DBML.sub(r"\\u005b", out)
    upper = out.upper()
    if not any(f"{w} " in upper for w in _DDL_WORDS):
        return out

    def space(m: re.Match[str]) -> str:
        before = out[max(0, m.start() - 6):m.start()].upper()  # 6 letters make 'CREATE' or more
        return "\\u0020" if before.endswith(_DDL_WORDS) else " "

    return _SPACE_AFTER_LETTER.sub(space, out)
