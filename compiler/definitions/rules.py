"""Definition rules: what PostgreSQL 15 would refuse in a built Schema, found without a database.

Each rule was tried on a real server; the message says what PostgreSQL would say and how to fix
it, at the key that is wrong. Expressions are read once (`expression_facts`, cached by text).
A rule looks at what the model holds; an object built from a bad definition is simply absent.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from ..errors import DefinitionError
from ..model.catalog_facts import (
    ARRAY_METHODS,
    DEFAULT_OPCLASS_TYPES,
    ENUM_METHODS,
    MAX_INDEX_COLUMNS,
    MAX_TABLE_COLUMNS,
    MULTIRANGE_METHODS,
    MULTIRANGE_TYPES,
    RANGE_METHODS,
    RANGE_TYPES,
    SYSTEM_COLUMNS,
    UNINDEXABLE_TYPES,
    type_base,
)
from ..model.domains import base_type
from ..model.expression_facts import (
    ExpressionFacts,
    Target,
    TypeName,
    array_literal_items,
    expression_facts,
    not_a_condition,
)
from ..model.literal_input import constant_problem, number_problem
from ..model.schema import Enum, Expression, ForeignKey, Index, Schema, Table
from ..model.types import enum_type_spelling
from .load import Pos
from .sources import SourceMap

# Extensions that add no operator class to a built-in type; any other declared extension
# (btree_gin, btree_gist, pg_trgm, intarray...) may, so operator-class checks stand down.
_NEUTRAL_EXTENSIONS = frozenset({"pgcrypto", "uuid-ossp", "citext", "hstore", "ltree", "cube",
                                 "vector", "postgis", "pg_stat_statements", "unaccent", "plpgsql"})


# Where a finding is, worked out only when there is one: a clean build of 1,000 tables never
# indexes a document's positions.
Where = Callable[[], Pos]
Finding = tuple[str, Where]


@dataclass(frozen=True, slots=True)
class _Host:
    """An expression with where it is written and what PostgreSQL calls that place."""

    expr: Expression
    pos: Where
    what: str  # for messages: "'default' of column users.status"
    context: str  # PostgreSQL's word for the place: "DEFAULT expressions", "check constraints"...
    immutable: bool  # must be IMMUTABLE (generated columns, index expressions and predicates)
    value_type: str | None = None  # the column type the expression's value becomes (default, generated)


class _Rules:
    def __init__(self, schema: Schema, sources: SourceMap) -> None:
        self.schema, self.sources = schema, sources
        self.enums = {enum_type_spelling(e.schema, e.name): e for e in schema.enums.values()}
        self.enums_by_name = {(e.schema, e.name): e for e in schema.enums.values()}
        self.domains = {enum_type_spelling(d.schema, d.name): d for d in schema.domains.values()}
        self.opclasses_known = set(schema.extensions) <= _NEUTRAL_EXTENSIONS

    def check(self) -> Iterator[DefinitionError]:
        for key, table in self.schema.tables.items():
            if not self.sources.knows(key):
                continue
            for message, where in self.table(key, table):
                yield self.sources.error(key, where(), message)

    def table(self, key: str, t: Table) -> Iterator[Finding]:
        src = self.sources
        if len(t.columns) > MAX_TABLE_COLUMNS:
            yield (f"table {t.name} has {len(t.columns)} columns; PostgreSQL allows at most "
                   f"{MAX_TABLE_COLUMNS}", partial(src.table, key, "columns"))
        generated = {c.name for c in t.columns if c.generated is not None}
        for c in t.columns:
            yield from self.column(key, t, c.name, generated)
        for host in self.hosts(key, t):
            yield from self.expression(t, host)
        yield from self.keys(key, t)
        for index in t.indexes:
            yield from self.index(key, t, index)
        for fk in t.foreign_keys:
            yield from self.foreign_key(key, t, fk)

    # -- columns
    def column(self, key: str, t: Table, name: str, generated: set[str]) -> Iterator[Finding]:
        src, c = self.sources, t.column(name)
        assert c is not None
        if name in SYSTEM_COLUMNS:
            yield (f"column name {name} is the name of a system column; PostgreSQL refuses it",
                   partial(src.column, key, name))
        if c.generated is not None:
            others = [r for r in c.generated.columns if r in generated and r != name]
            if others:
                yield (f"generated column {t.name}.{name} refers to generated column {others[0]}; "
                       f"PostgreSQL does not allow a generated column to use another, so repeat "
                       f"that column's expression instead", partial(src.column, key, name, "generated"))

    def hosts(self, key: str, t: Table) -> Iterator[_Host]:
        """Every expression of a table, with its place."""
        src, name = self.sources, t.name
        for c in t.columns:
            if c.default is not None:
                yield _Host(c.default, partial(src.column, key, c.name, "default"),
                            f"'default' of column {name}.{c.name}",
                            "DEFAULT expressions", False, c.type)
            if c.generated is not None:
                yield _Host(c.generated, partial(src.column, key, c.name, "generated"),
                            f"generated column {name}.{c.name}", "column generation expressions", True, c.type)
        for check in t.checks:
            yield _Host(check.expression, partial(src.object, key, check.name), f"check {check.name} of {name}",
                        "check constraints", False)
        for index in t.indexes:
            for i, part in enumerate(index.parts):
                if part.expression is not None:
                    pos = partial(src.object_item, key, index.name, "expression", i, fallback="expression")
                    yield _Host(part.expression, pos, f"index {index.name} of {name}", "index expressions", True)
            if index.where is not None:
                yield _Host(index.where, partial(src.object, key, index.name, "where"),
                            f"'where' of index {index.name} of {name}", "index predicates", True)

    # -- expressions
    def expression(self, t: Table, host: _Host) -> Iterator[Finding]:
        facts = expression_facts(host.expr.text)
        for kind, found in (("aggregate functions", facts.aggregates), ("window functions", facts.windows),
                            ("set-returning functions", facts.set_returning)):
            if found:
                yield (f"{host.what} uses {found[0]}: {kind} are not allowed in {host.context}", host.pos)
        if host.immutable and facts.not_immutable:
            yield (f"{host.what} uses {facts.not_immutable[0]}, which is not IMMUTABLE (its result can "
                   f"change between calls); PostgreSQL allows only immutable functions in "
                   f"{host.context}", host.pos)
        if host.context in ("check constraints", "index predicates"):
            if facts.arithmetic:
                yield (f"{host.what} is a number, not a condition; a check or 'where' must be true or "
                       f"false (for example: {host.expr.text} > 0)", host.pos)
            elif ((facts.not_boolean or facts.bare_column)  # the column types only when they can matter
                  and (value := not_a_condition(facts, self.stored_types(t))) is not None):
                yield (f"{host.what} is {value}, not a condition; a check or 'where' must be true or "
                       f"false", host.pos)
        yield from self.labels(t, host, facts)

    def stored_types(self, t: Table) -> dict[str, str]:
        """Each column's type, a domain followed down to its base (a check sees the base's values)."""
        return {c.name: base_type(c.type, self.domains) for c in t.columns}

    def labels(self, t: Table, host: _Host, facts: ExpressionFacts) -> Iterator[Finding]:
        for cast in facts.casts:
            if self.enum_named(cast) is None and (near := self.enum_differing_in_case(cast)) is not None:
                written = f"{cast[0]}.{cast[1]}" if cast[0] else cast[1]
                yield (f"{host.what} casts to type {written}, which is not declared: SQL folds an "
                       f"unquoted name to lower case, so write the enum {near.name} as "
                       f"{enum_type_spelling(near.schema, near.name)} in an expression", host.pos)
        for target in facts.text_arrays:
            enum = self.target_enum(t, target)
            if enum is not None:
                spelling = enum_type_spelling(enum.schema, enum.name)
                yield (f"{host.what} compares enum {enum.name} with an ARRAY of constants, which PostgreSQL "
                       f"reads as text[] and has no operator for; write ARRAY[...]::{spelling}[] or use "
                       f"IN (...)", host.pos)
        seen: set[tuple[str, str]] = set()
        uses = [(u.label, self.target_type(t, u.target), False) for u in facts.labels]
        if host.value_type is not None:
            if host.value_type.endswith("[]"):
                element = host.value_type[:-2]
                uses += [(item, element, True) for label in facts.value_labels for item in array_literal_items(label)]
            else:
                uses += [(label, host.value_type, True) for label in facts.value_labels]
            problem = number_problem(host.value_type, facts.value_number) if facts.value_number else None
            if problem:
                yield (f"{host.what} is {facts.value_number}, {problem}: PostgreSQL accepts the table, "
                       f"then fails every row that takes it", host.pos)
        for label, type_name, stored in uses:
            if type_name is None or (type_name, label) in seen:
                continue
            seen.add((type_name, label))
            enum = self.enums.get(type_name)
            if enum is not None and label not in enum.values:
                yield (f"{host.what} uses '{label}', which is not a value of enum {enum.name} "
                       f"(its values: {', '.join(enum.values)})", host.pos)
            elif enum is None and (problem := constant_problem(type_name, label, stored)):
                yield f"{host.what} uses '{label}' for a value of type {type_name}: {problem}", host.pos

    def target_enum(self, t: Table, target: Target) -> Enum | None:
        type_name = self.target_type(t, target)
        return self.enums.get(type_name) if type_name is not None else None

    def target_type(self, t: Table, target: Target) -> str | None:
        """The type a constant is converted to: its column's, or a cast's."""
        if target[0] == "column":
            column = t.column(target[1])
            return column.type if column is not None else None
        if target[0] == "builtin":
            return target[1]
        enum = self.enum_named(target[1])
        return enum_type_spelling(enum.schema, enum.name) if enum is not None else None

    def enum_named(self, name: TypeName) -> Enum | None:
        return self.enums_by_name.get((name[0] or "public", name[1]))

    def enum_differing_in_case(self, name: TypeName) -> Enum | None:
        schema = name[0] or "public"
        return next((e for e in self.schema.enums.values()
                     if e.schema.lower() == schema.lower() and e.name.lower() == name[1].lower()), None)

    # -- keys and indexes
    def keys(self, key: str, t: Table) -> Iterator[Finding]:
        for constraint in ([t.primary_key] if t.primary_key else []) + list(t.uniques):
            what = f"{constraint.KIND} {constraint.name} of {t.name}"
            pos = partial(self.sources.object, key, constraint.name)
            if len(constraint.columns) > MAX_INDEX_COLUMNS:
                yield self.too_many(what, len(constraint.columns), pos)
            for column in constraint.columns:
                yield from self.operator_class(t, column, "btree", what, pos)

    def index(self, key: str, t: Table, index: Index) -> Iterator[Finding]:
        src, what = self.sources, f"index {index.name} of {t.name}"
        if index.unique and index.using != "btree":
            yield (f"{what} is unique, but access method {index.using} does not support unique "
                   f"indexes; only btree does", partial(src.object, key, index.name, "using"))
        if len(index.parts) > 1 and index.using in ("hash", "spgist"):
            yield (f"{what} has {len(index.parts)} columns, but access method {index.using} does not "
                   f"support multicolumn indexes", partial(src.object, key, index.name, "using"))
        if len(index.parts) > MAX_INDEX_COLUMNS:
            yield self.too_many(what, len(index.parts), partial(src.object, key, index.name))
        for i, part in enumerate(index.parts):
            # a part that names its own operator class is not decided by the default one
            if part.column is not None and not getattr(part, "opclass", None):
                pos = partial(src.object_item, key, index.name, "expression", i, fallback="columns")
                yield from self.operator_class(t, part.column, index.using, what, pos)

    @staticmethod
    def too_many(what: str, count: int, pos: Where) -> Finding:
        return (f"{what} has {count} columns; PostgreSQL allows at most {MAX_INDEX_COLUMNS} in an "
                f"index", pos)

    def operator_class(self, t: Table, column: str, method: str, what: str, pos: Where) -> Iterator[Finding]:
        c = t.column(column)
        if c is None or not self.opclasses_known:
            return
        problem = self.no_operator_class(c.type, method)
        if problem:
            yield f"{what} uses column {column} of type {c.declared_type}, {problem}", pos

    def no_operator_class(self, type_name: str, method: str) -> str | None:
        """Why PostgreSQL cannot index `type_name` with `method`; None when it can (or may)."""
        if type_name.endswith("[]"):
            element = type_name[:-2]
            by = ARRAY_METHODS.get(method)
            if by is None:
                return f"and an array has no default operator class for access method {method}"
            inner = self.no_operator_class(element, by)
            if inner:
                return (f"whose elements PostgreSQL cannot compare ({element} has no default operator "
                        f"class for {by}): the first two rows fail")
            return None
        base = type_base(type_name)
        if type_name in self.enums:
            ok = method in ENUM_METHODS
        elif base in RANGE_TYPES:
            ok = method in RANGE_METHODS
        elif base in MULTIRANGE_TYPES:
            ok = method in MULTIRANGE_METHODS
        elif base in DEFAULT_OPCLASS_TYPES[method] or any(base in v for v in DEFAULT_OPCLASS_TYPES.values()) \
                or base in UNINDEXABLE_TYPES:
            ok = base in DEFAULT_OPCLASS_TYPES[method]
        else:
            return None  # a type of an extension: its own classes are not known here
        if ok:
            return None
        hint = " (use jsonb, which has one)" if base == "json" and method in ("btree", "hash", "gin") else ""
        return f"which has no default operator class for access method {method}{hint}"

    def foreign_key(self, key: str, t: Table, fk: ForeignKey) -> Iterator[Finding]:
        pos = partial(self.sources.object, key, fk.name)
        columns = [c for name in fk.columns if (c := t.column(name)) is not None]
        if len(columns) != len(fk.columns):
            return
        for action, rule in (("on_delete", fk.on_delete), ("on_update", fk.on_update)):
            generated = [c.name for c in columns if c.generated is not None]
            refused = ("set null", "set default") + (("cascade",) if action == "on_update" else ())
            if generated and rule in refused:
                yield (f"foreign key {fk.name} of {t.name} has {action.replace('_', ' ')} {rule}, which "
                       f"would write generated column {generated[0]}; PostgreSQL refuses it", pos)
                continue
            if rule == "set null":
                stuck = [c.name for c in columns if not c.nullable]
                why = "is NOT NULL"
            elif rule == "set default":
                stuck = [c.name for c in columns if not c.nullable and c.default is None
                         and c.identity is None and not c.serial]
                why = "is NOT NULL and has no default, so its default is null"
            else:
                continue
            if stuck:
                yield (f"foreign key {fk.name} of {t.name} has {action.replace('_', ' ')} {rule}, but "
                       f"column {stuck[0]} {why}: PostgreSQL accepts it, then fails every such "
                       f"{action.removeprefix('on_')} of a referenced row; make the column nullable or "
                       f"choose another action", pos)


def check_rules(schema: Schema, sources: SourceMap) -> list[DefinitionError]:
    """Every rule broken by the schema, each at the key that breaks it."""
    return list(_Rules(schema, sources).check())
