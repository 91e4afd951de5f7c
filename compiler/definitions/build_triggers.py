"""`trigger:` documents -> Triggers, checked as PostgreSQL's CREATE TRIGGER checks them.

What CREATE TRIGGER refuses is an error here, at its key. A trigger is on a `table:` or a
`view:` (never a materialized view). INSTEAD OF is for views only and FOR EACH ROW only, with no
WHEN and no UPDATE OF columns; a view has no BEFORE or AFTER row triggers (so no constraint
triggers), no TRUNCATE triggers, no transition tables, and ALTER TABLE cannot enable or disable
its triggers. TRUNCATE fires per statement only, a statement-level WHEN cannot read OLD or NEW
(nor an INSERT's OLD or a DELETE's NEW), a WHEN is a condition (a number is not), transition
tables (REFERENCING) are for AFTER triggers of one event that are not constraint triggers and
name no columns, and a constraint trigger is AFTER ... FOR EACH ROW (its `from:` names the
referenced table). The function a trigger runs is one the definitions declare (returning
trigger, taking no arguments), or one of pg_catalog's or another schema's, named with its schema,
which PostgreSQL judges when the migration runs; a name holding quotes or other SQL is refused.
Arguments are strings: PostgreSQL keeps them as text, and YAML would turn an unquoted 1.50, 0x1F,
true or null into another text than the one written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from ..errors import DefinitionError, did_you_mean
from ..model.expression_facts import expression_facts
from ..model.expressions import ExpressionProblem, make_expression, read_expression
from ..model.names import identifier_problem
from ..model.routine_text import BodyProblem, body_tokens
from ..model.routines import ENABLED, EVENTS, LEVELS, TIMINGS, Routine, Trigger, routine_key
from ..model.schema import Expression, Table
from ..model.trigger_calls import calls_in
from ..model.view import View
from .load import Document, Mapping
from .reader import Reader

TRIGGER_KEYS = frozenset({"trigger", "schema", "table", "view", "timing", "events", "for_each", "when", "function",
                          "arguments", "referencing", "constraint", "from", "deferrable", "initially_deferred",
                          "enabled", "comment", "renamed_from"})
REFERENCING_KEYS = frozenset({"old_table", "new_table"})
EVENT_KEYS = frozenset({"update_of"})
# what a function name written in SQL never holds: quotes, statement ends, comments, brackets, spaces
_NOT_A_NAME = re.compile(r"[\"';()\s]|--|/\*")
# built-in types that are never true or false: a WHEN that is a column of one is no condition
_NOT_BOOLEAN = re.compile(r"(text|character|integer|bigint|smallint|numeric|real|double precision|date|time|"
                          r"timestamp|interval|uuid|jsonb?|bytea|inet|cidr|money)\b")


@dataclass(frozen=True, slots=True)
class _Target:
    """The table or view a trigger is on."""

    key: str
    columns: tuple[str, ...]
    on_view: bool
    types: dict[str, str] = field(default_factory=dict)  # a table's column types (a view's are not known)

    def column(self, name: str) -> bool:
        return name in self.columns


def read_triggers(docs: list[Document], errors: list[DefinitionError], tables: dict[str, Table],
                  routines: dict[str, Routine], views: dict[str, View] | None = None) -> dict[str, Trigger]:
    out: dict[str, Trigger] = {}
    for doc in docs:
        r = Reader(doc.path, errors)
        trigger = _trigger(doc.body, r, tables, views or {}, routines)
        if trigger is None:
            continue
        if trigger.key in out:
            r.error(doc.body.value_pos["trigger"], f"trigger {trigger.name} on {trigger.table_key} is defined twice")
            continue
        out[trigger.key] = trigger
    return dict(sorted(out.items()))


def _target(r: Reader, body: Mapping, what: str, schema: str, tables: dict[str, Table],
            views: dict[str, View]) -> _Target | None:
    if ("table" in body) == ("view" in body):
        r.error(max(body.key_pos["table"], body.key_pos["view"]) if "table" in body else body.pos,
                f"{what} is on a 'table:' or a 'view:', one of them")
        return None
    key = "view" if "view" in body else "table"
    name = r.name(body, key, what, required=True)
    if name is None:
        return None
    full = f"{schema}.{name}"
    if key == "table":
        table = tables.get(full)
        if table is None:
            also = " (it is a view: write 'view:')" if full in views else did_you_mean(full, list(tables))
            r.error(r.pos(body, key), f"{what} is on {full}, which is not a declared table{also}")
            return None
        return _Target(full, tuple(c.name for c in table.columns), False, {c.name: c.type for c in table.columns})
    view = views.get(full)
    if view is None or view.materialized:
        why = ("a materialized view, which cannot have triggers" if view is not None
               else f"not a declared view{did_you_mean(full, [k for k, v in views.items() if not v.materialized])}")
        r.error(r.pos(body, key), f"{what} is on {full}, {why}")
        return None
    return _Target(full, view.column_names, True)


def _events(r: Reader, body: Mapping, what: str, target: _Target) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(events in EVENTS order, UPDATE OF columns sorted by name); None after an error."""
    seq = r.sequence(body, "events", what, required=True)
    if seq is None:
        return None
    if isinstance(seq, str):
        seq = [seq]
    found: set[str] = set()
    columns: list[str] = []
    for i, item in enumerate(seq):
        pos = seq.item_pos[i]
        if isinstance(item, Mapping):
            r.keys(item, EVENT_KEYS, "an event (write {update_of: [columns]})")
            names = r.names(item, "update_of", "an event", required=True)
            if names is None:
                return None
            for c in names:
                if not target.column(c):
                    r.error(r.pos(item, "update_of"), f"'update_of' names {c}, which is not a column of "
                                                      f"{target.key}{did_you_mean(c, list(target.columns))}")
                    return None
            columns += names
            event = "update"
        elif isinstance(item, str) and " ".join(item.lower().split()) in EVENTS:
            event = " ".join(item.lower().split())
        else:
            r.error(pos, f"an event is one of {', '.join(EVENTS)} or {{update_of: [columns]}}, not {item!r}"
                         f"{did_you_mean(str(item).lower(), EVENTS)}")
            return None
        if event in found:
            r.error(pos, f"event {event} appears twice in {what}")
            return None
        found.add(event)
    if not found:
        r.error(r.pos(body, "events"), f"{what} needs at least one event")
        return None
    # UPDATE OF fires on any of its columns: their order means nothing, so they compare sorted
    return tuple(e for e in EVENTS if e in found), tuple(sorted(set(columns)))


def _function(r: Reader, body: Mapping, what: str, routines: dict[str, Routine]) -> tuple[str, str] | None:
    text = r.text(body, "function", what, required=True)
    if text is None:
        return None
    fschema, _, fname = text.rpartition(".")
    fschema = fschema or "public"
    key = routine_key(fschema, fname, ())
    declared = routines.get(key)
    if declared is None and _NOT_A_NAME.search(text):
        r.error(r.pos(body, "function"), f"'function' of {what} must name a function (name or schema.name), "
                                         f"not hold SQL: {text!r}")
        return None
    if any(identifier_problem(p) for p in (fschema, fname)):
        r.error(r.pos(body, "function"), f"'function' of {what} must be name or schema.name, not {text!r}")
        return None
    if declared is None:
        if "." in text:
            return fschema, fname  # one the definitions do not declare, named with its schema: PostgreSQL judges
        others = [k for k in routines if k.startswith(f"{fschema}.{fname}(")]
        hint = f" (declared with arguments: {', '.join(others)}; a trigger function takes none)" if others else ""
        r.error(r.pos(body, "function"), f"{what} runs function {fname}(), which is not declared{hint}"
                                         f"{did_you_mean(key, list(routines)) if not hint else ''}; declare it, or "
                                         f"name a function the definitions do not manage with its schema "
                                         f"(pg_catalog.suppress_redundant_updates_trigger)")
        return None
    if declared.returns != "trigger" or declared.is_procedure:
        r.error(r.pos(body, "function"), f"{what} runs {key}, which returns "
                                         f"{declared.returns or 'nothing (a procedure)'}; a trigger function "
                                         f"returns trigger")
        return None
    return fschema, fname


def _when(r: Reader, body: Mapping, what: str, target: _Target, events: tuple[str, ...], row: bool
          ) -> Expression | None:
    value = body.get("when")
    if isinstance(value, bool | int | float):
        value = body.raw.get("when", str(value))
    if not isinstance(value, str):
        r.error(r.pos(body, "when"), f"'when' of {what} must be a SQL expression over OLD and NEW")
        return None
    pos = r.pos(body, "when")
    try:
        tokens = body_tokens(value)
        expression = make_expression(value)
    except (ExpressionProblem, BodyProblem) as e:
        r.error(pos, f"'when' of {what}: {e}")
        return None
    problem = _not_a_condition(expression, tokens, target)
    if problem is not None:
        r.error(pos, f"'when' of {what} is {problem}, not a condition; a trigger's WHEN must be true or false")
        return None
    uses = {t for i, t in enumerate(tokens[:-1]) if t in ("old", "new") and tokens[i + 1] == "."}
    if uses and not row:
        r.error(pos, f"the 'when' of a statement-level trigger cannot refer to {sorted(uses)[0].upper()} "
                     f"({what})")
        return None
    if "old" in uses and "insert" in events:
        r.error(pos, f"the 'when' of an insert trigger cannot refer to OLD ({what})")
        return None
    if "new" in uses and "delete" in events:
        r.error(pos, f"the 'when' of a delete trigger cannot refer to NEW ({what})")
        return None
    for c in expression.columns:
        if not target.column(c):
            r.error(pos, f"'when' refers to {c}, which is not a column of {target.key}"
                         f"{did_you_mean(c, list(target.columns))}")
            return None
    return expression


def _not_a_condition(expression: Expression, tokens: list[str], target: _Target) -> str | None:
    """What the WHEN `expression` is when it is plainly no boolean (PostgreSQL: "argument of WHEN
    must be type boolean"), with an example of a condition; None when it may be one."""
    if expression_facts(expression.text).arithmetic:
        return f"a number (for example: {expression.text} > 0)"
    top = read_expression(expression.text)
    while isinstance(top, exp.Paren):
        top = top.this
    if isinstance(top, exp.Literal) and top.is_string:
        return f"a string (for example: {expression.text} = NEW.name)"
    core = [t for t in tokens if t not in ("(", ")")]
    if len(core) == 3 and core[0] in ("old", "new") and len(expression.columns) == 1:
        kind = target.types.get(expression.columns[0], "")
        if _NOT_BOOLEAN.match(kind):
            return f"a {kind} column (for example: {expression.text} IS NOT NULL)"
    return None


def _referencing(r: Reader, body: Mapping, what: str, timing: str, events: tuple[str, ...],
                 columns: tuple[str, ...], constraint: bool) -> tuple[str | None, str | None] | None:
    """REFERENCING's (old table, new table); None after an error."""
    ref = body["referencing"]
    pos = r.pos(body, "referencing")
    if not isinstance(ref, Mapping):
        r.error(pos, f"'referencing' of {what} must be a mapping: {{old_table: name, new_table: name}}")
        return None
    r.keys(ref, REFERENCING_KEYS, "'referencing'")
    old_table = r.name(ref, "old_table", what)
    new_table = r.name(ref, "new_table", what)
    problem = (
        "transition tables are for AFTER triggers" if timing != "after"
        else "a constraint trigger cannot have transition tables" if constraint
        else "transition tables cannot be given for a trigger of more than one event" if len(events) > 1
        else "a TRUNCATE trigger has no transition tables" if events == ("truncate",)
        else "transition tables cannot be given with 'update_of' columns" if columns
        else "an OLD TABLE is for update and delete triggers" if old_table and events == ("insert",)
        else "a NEW TABLE is for insert and update triggers" if new_table and events == ("delete",)
        else "'referencing' needs old_table or new_table" if not (old_table or new_table)
        else "the old and the new table need different names" if old_table == new_table
        else None)
    if problem:
        r.error(pos, f"{problem} ({what})")
        return None
    return old_table, new_table


def _from_table(r: Reader, body: Mapping, what: str, tables: dict[str, Table]) -> str | None:
    """A constraint trigger's FROM: the key of a declared table."""
    text = r.text(body, "from", what)
    if text is None:
        return None
    fschema, _, fname = text.rpartition(".")
    key = f"{fschema or 'public'}.{fname}"
    if key not in tables:
        r.error(r.pos(body, "from"), f"'from' of {what} names {key}, which is not a declared table"
                                     f"{did_you_mean(key, list(tables))}")
        return None
    return key


def _trigger(body: Mapping, r: Reader, tables: dict[str, Table], views: dict[str, View],
             routines: dict[str, Routine]) -> Trigger | None:
    r.keys(body, TRIGGER_KEYS, "a trigger")
    name = r.name(body, "trigger", "a trigger", required=True)
    schema = r.name(body, "schema", "a trigger") or "public"
    what = f"trigger {name}"
    if name is None:
        return None
    target = _target(r, body, what, schema, tables, views)
    if target is None:
        return None
    timing = r.choice(body, "timing", TIMINGS, what) if "timing" in body else None
    if "timing" not in body:
        r.error(body.key_pos["trigger"], f"{what} needs 'timing' ({', '.join(TIMINGS)})")
    level = r.choice(body, "for_each", LEVELS, what) if "for_each" in body else "statement"
    read = _events(r, body, what, target)
    function = _function(r, body, what, routines)
    constraint = bool(r.flag(body, "constraint", what))
    deferrable = bool(r.flag(body, "deferrable", what))
    deferred = bool(r.flag(body, "initially_deferred", what))
    enabled = (r.choice(body, "enabled", ENABLED, what) if "enabled" in body else None) or "origin"
    comment = (r.text(body, "comment", what) or None) if "comment" in body else None
    renamed_from = r.name(body, "renamed_from", what) if "renamed_from" in body else None
    arguments = _arguments(r, body, what)
    from_table = _from_table(r, body, what, tables) if body.get("from") is not None else None
    if (timing is None or level is None or read is None or function is None or arguments is None
            or (body.get("from") is not None and from_table is None)):
        return None
    events, columns = read
    row = level == "row"
    when = _when(r, body, what, target, events, row) if body.get("when") is not None else None
    if body.get("when") is not None and when is None:
        return None
    old_table = new_table = None
    if body.get("referencing") is not None:
        if target.on_view:
            r.error(r.pos(body, "referencing"), f"triggers on views cannot have transition tables ({what})")
            return None
        ref = _referencing(r, body, what, timing, events, columns, constraint)
        if ref is None:
            return None
        old_table, new_table = ref
    if not _fits(r, body, what, target, timing, row, events, columns, when is not None,
                 (constraint, deferrable, deferred, enabled)):
        return None
    return Trigger(schema, target.key.split(".", 1)[1], name, timing, events, function[0], function[1], level,
                   columns, when, arguments, old_table, new_table, constraint, deferrable, deferred, enabled,
                   comment, renamed_from, calls_in(when.text if when is not None else None),
                   on_view=target.on_view, from_table=from_table)


def _fits(r: Reader, body: Mapping, what: str, target: _Target, timing: str, row: bool, events: tuple[str, ...],
          columns: tuple[str, ...], has_when: bool, flags: tuple[bool, bool, bool, str]) -> bool:
    """CREATE TRIGGER's rules of timing, level and target: the first broken one is an error at its key."""
    constraint, deferrable, deferred, enabled = flags
    view, instead = target.on_view, timing == "instead of"
    rules = (
        (instead and not view, "timing", f"INSTEAD OF triggers are for views; {target.key} is a table"),
        (instead and not row, "for_each", "INSTEAD OF triggers must be FOR EACH ROW"),
        (instead and has_when, "when", "INSTEAD OF triggers cannot have a WHEN condition"),
        (instead and bool(columns), "events", "INSTEAD OF triggers cannot have 'update_of' columns"),
        (view and row and not instead, "for_each", f"{target.key} is a view: views cannot have row-level BEFORE "
                                                   f"or AFTER triggers (use INSTEAD OF, or for_each: statement)"),
        (view and "truncate" in events, "events", f"{target.key} is a view: views cannot have TRUNCATE triggers"),
        (row and "truncate" in events, "for_each", "a TRUNCATE trigger fires FOR EACH STATEMENT only"),
        (constraint and (timing != "after" or not row), "constraint", "a constraint trigger is AFTER ... FOR EACH ROW"),
        ("from" in body and not constraint, "from", "only a constraint trigger has 'from'"),
        (deferrable and not constraint, "deferrable", "only a constraint trigger can be deferrable"),
        (deferred and not deferrable, "initially_deferred", "'initially_deferred' needs 'deferrable: true'"),
        (view and enabled != "origin", "enabled", f"{target.key} is a view: ALTER TABLE cannot enable or disable "
                                                  f"a view's triggers"),
    )
    for broken, key, problem in rules:
        if broken:
            r.error(r.pos(body, key), f"{problem} ({what})")
            return False
    return True


def _arguments(r: Reader, body: Mapping, what: str) -> tuple[str, ...] | None:
    """Arguments given to the function as TG_ARGV: strings, as PostgreSQL keeps them."""
    seq = r.sequence(body, "arguments", what) if "arguments" in body else None
    if seq is None:
        return () if body.get("arguments") is None else None
    out: list[str] = []
    for i, item in enumerate(seq):
        if isinstance(item, Mapping | list):
            r.error(seq.item_pos[i], f"an argument of {what} is a string, not a list or mapping")
            return None
        if not isinstance(item, str):
            read = "null" if item is None else str(item).lower() if isinstance(item, bool) else repr(item)
            r.error(seq.item_pos[i], f"an argument of {what} must be a string: YAML reads this unquoted value as "
                                     f"{read}, which may not be the text written; quote it (\"1.50\", \"0x1F\", "
                                     f"\"true\")")
            return None
        out.append(item)
    return tuple(out)
