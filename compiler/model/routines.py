"""Functions, procedures and triggers: canonical values only, as the other kinds of the model.

A routine is identified as PostgreSQL identifies it: its schema, its name and the types of its
input arguments (`public.add(integer, integer)`), so overloads are distinct objects. A trigger
belongs to a table and is identified by it and its name (`public.users.users_touch`).

Bodies and `when` expressions keep the text as written for DDL; what compares is a normal form
(routine_text.py for bodies, expressions.py for `when`), so re-indenting a body is no difference.
"""
from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field, replace

from .schema import Expression
from .security import Grants, public_defaults

# argument modes as PostgreSQL names them (pg_proc.proargmodes: i, o, b, v, t)
ARGUMENT_MODES = ("in", "out", "inout", "variadic")
TABLE_COLUMN = "table"  # an output column of RETURNS TABLE (...), held as PostgreSQL holds it
VOLATILITIES = ("volatile", "stable", "immutable")
SECURITIES = ("invoker", "definer")
PARALLEL_SAFETY = ("unsafe", "restricted", "safe")
LANGUAGES = ("sql", "plpgsql")
DEFAULT_COST = 100.0  # of a function in sql or plpgsql (CREATE FUNCTION's COST default)
DEFAULT_SET_ROWS = 1000.0  # rows a set-returning function is estimated to return
# settings whose value is a list of names (GUC_LIST_QUOTE): written as identifiers, not a string
LIST_SETTINGS = frozenset({"search_path", "temp_tablespaces", "local_preload_libraries",
                           "session_preload_libraries", "shared_preload_libraries"})

SettingValue = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Body:
    """A routine's source: `text` as written (the DDL), `normal` what compares (routine_text.py)."""

    text: str = field(compare=False)
    normal: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Argument:
    name: str | None
    type: str  # as format_type() prints it, without a type modifier (PostgreSQL keeps none)
    mode: str = "in"  # ARGUMENT_MODES, or TABLE_COLUMN
    default: Expression | None = None

    @property
    def is_input(self) -> bool:
        return self.mode in ("in", "inout", "variadic")

    @property
    def is_output(self) -> bool:
        return self.mode in ("out", "inout", TABLE_COLUMN)


@dataclass(frozen=True, slots=True)
class Routine:
    """A function or a procedure (`kind`); a procedure has no return type nor volatility."""

    schema: str
    name: str
    kind: str  # 'function' | 'procedure'
    arguments: tuple[Argument, ...]
    language: str
    body: Body
    returns: str | None = None  # a function's return type (record for several outputs); None for a procedure
    setof: bool = False  # returns a set (SETOF type, RETURNS TABLE)
    volatility: str = "volatile"
    strict: bool = False
    security: str = "invoker"
    parallel: str = "unsafe"
    leakproof: bool = False
    cost: float = DEFAULT_COST
    rows: float = 0.0  # planner's estimate of rows returned (DEFAULT_SET_ROWS for a set)
    settings: tuple[tuple[str, SettingValue], ...] = ()  # SET name = value, sorted by name
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    # its ACL but the owner's: without `grants:`, PostgreSQL's default (EXECUTE for PUBLIC, a NULL
    # ACL); with `grants:`, exactly those, PUBLIC's EXECUTE revoked unless listed
    grants: Grants = public_defaults("function")

    @property
    def input_types(self) -> tuple[str, ...]:
        return tuple(a.type for a in self.arguments if a.is_input)

    @property
    def signature(self) -> str:
        """`name(type, ...)`: what names the routine in ALTER, DROP and COMMENT."""
        return f"{self.name}({', '.join(self.input_types)})"

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.signature}"

    @property
    def parameters(self) -> tuple[Argument, ...]:
        """The arguments written between the brackets (RETURNS TABLE's columns are written after)."""
        return tuple(a for a in self.arguments if a.mode != TABLE_COLUMN)

    @property
    def table_columns(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.mode == TABLE_COLUMN)

    @property
    def is_procedure(self) -> bool:
        return self.kind == "procedure"

    @property
    def types_used(self) -> frozenset[str]:
        """The types its arguments and result are of, arrays as their element type: PostgreSQL
        refuses to drop one of them (a table's row type too) while the routine is there."""
        types = [a.type for a in self.arguments] + ([self.returns] if self.returns is not None else [])
        return frozenset(t.removesuffix("[]") for t in types)


def routine_key(schema: str, name: str, input_types: tuple[str, ...] | list[str]) -> str:
    return f"{schema}.{name}({', '.join(input_types)})"


def replaceable(old: Routine, new: Routine) -> bool:
    """Can CREATE OR REPLACE turn `old` into `new` (same key)? PostgreSQL's CREATE FUNCTION refuses
    to change the kind, the return type (SETOF and the row type of output arguments included),
    the name of an input argument that had one, and to remove argument defaults."""
    if old.kind != new.kind or old.returns != new.returns or old.setof != new.setof:
        return False
    if [(a.name, a.type) for a in old.arguments if a.is_output] != [(a.name, a.type) for a in new.arguments
                                                                      if a.is_output]:
        return False
    ins_old = [a for a in old.arguments if a.is_input]
    ins_new = [a for a in new.arguments if a.is_input]
    if any(a.name is not None and a.name != b.name for a, b in zip(ins_old, ins_new, strict=True)):
        return False
    defaults_old = sum(a.default is not None for a in ins_old)
    defaults_new = sum(a.default is not None for a in ins_new)
    # the trailing defaults of the new arguments must cover the old ones
    return defaults_new >= defaults_old


# -- triggers

TIMINGS = ("before", "after", "instead of")
EVENTS = ("insert", "update", "delete", "truncate")  # the order pg_get_triggerdef prints them
LEVELS = ("row", "statement")
ENABLED = ("origin", "always", "replica", "disabled")


@dataclass(frozen=True, slots=True)
class Trigger:
    schema: str  # its table's
    table: str
    name: str
    timing: str
    events: tuple[str, ...]  # in EVENTS order
    function_schema: str  # of the function it runs: one taking no arguments, returning trigger
    function_name: str
    for_each: str = "statement"
    update_columns: tuple[str, ...] = ()  # UPDATE OF, sorted by name
    when: Expression | None = None
    arguments: tuple[str, ...] = ()
    old_table: str | None = None  # REFERENCING OLD TABLE AS
    new_table: str | None = None  # REFERENCING NEW TABLE AS
    constraint: bool = False  # CREATE CONSTRAINT TRIGGER
    deferrable: bool = False
    initially_deferred: bool = False
    enabled: str = "origin"
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    calls: tuple[str, ...] = field(default=(), compare=False)  # the functions `when` calls, by name
    on_view: bool = False  # `table` names a view (INSTEAD OF row triggers, statement triggers)
    from_table: str | None = None  # a constraint trigger's FROM: the referenced table, schema.name

    @property
    def table_key(self) -> str:
        """schema.name of the table, or of the view when `on_view`."""
        return f"{self.schema}.{self.table}"

    @property
    def relation(self) -> str:
        return "view" if self.on_view else "table"

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"

    @property
    def function_key(self) -> str:
        return routine_key(self.function_schema, self.function_name, ())

    def rebuilt_form(self) -> Trigger:
        """The trigger without what ALTER TRIGGER RENAME, ENABLE / DISABLE and COMMENT change in place."""
        return replace(self, name="", enabled="origin", comment=None, renamed_from=None, calls=())


def standing_triggers(triggers: Mapping[str, Trigger], tables: Container[str], views: Container[str]
                      ) -> dict[str, Trigger]:
    """The triggers whose table is among `tables` (or view among `views`) and whose FROM table, if
    any, is among `tables`: those that can be created with them."""
    return {k: t for k, t in triggers.items()
            if t.table_key in (views if t.on_view else tables) and (t.from_table is None or t.from_table in tables)}
