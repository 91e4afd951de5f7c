"""`trigger:` documents -> Triggers, checked as PostgreSQL's CREATE TRIGGER checks them.

What CREATE TRIGGER refuses is an error here, at its key: INSTEAD OF is for views (schemac's
tables are tables), TRUNCATE fires per statement only, a statement-level WHEN cannot read OLD or
NEW (nor an INSERT's OLD or a DELETE's NEW), transition tables (REFERENCING) are for AFTER
triggers of one event that are not constraint triggers and name no columns, and a constraint
trigger is AFTER ... FOR EACH ROW. The function a trigger runs is one the definitions declare
(returning trigger, taking no arguments), or one of pg_catalog's or another schema's, named with
its schema, which PostgreSQL judges when the migration runs.
"""
from __future__ import annotations

from ..errors import DefinitionError, did_you_mean
from ..model.expressions import ExpressionProblem, make_expression
from ..model.names import identifier_problem
from ..model.routine_text import BodyProblem, body_tokens
from ..model.routines import ENABLED, EVENTS, LEVELS, TIMINGS, Routine, Trigger, routine_key
from ..model.schema import Expression, Table
from ..model.trigger_calls import calls_in
from .load import Document, Mapping
from .reader import Reader

TRIGGER_KEYS = frozenset({"trigger", "schema", "table", "timing", "events", "for_each", "when", "function",
                          "arguments", "referencing", "constraint", "deferrable", "initially_deferred", "enabled",
                          "comment", "renamed_from"})
REFERENCING_KEYS = frozenset({"old_table", "new_table"})
EVENT_KEYS = frozenset({"update_of"})


def read_triggers(docs: list[Document], errors: list[DefinitionError], tables: dict[str, Table],
                  routines: dict[str, Routine]) -> dict[str, Trigger]:
    out: dict[str, Trigger] = {}
    for doc in docs:
        r = Reader(doc.path, errors)
        trigger = _trigger(doc.body, r, tables, routines)
        if trigger is None:
            continue
        if trigger.key in out:
            r.error(doc.body.value_pos["trigger"], f"trigger {trigger.name} on {trigger.table_key} is defined twice")
            continue
        out[trigger.key] = trigger
    return dict(sorted(out.items()))


def _events(r: Reader, body: Mapping, what: str, table: Table) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
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
                if table.column(c) is None:
                    r.error(r.pos(item, "update_of"), f"'update_of' names {c}, which is not a column of "
                                                      f"{table.key}{did_you_mean(c, [x.name for x in table.columns])}")
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
    if any(identifier_problem(p) for p in (fschema, fname)):
        r.error(r.pos(body, "function"), f"'function' of {what} must be name or schema.name, not {text!r}")
        return None
    key = routine_key(fschema, fname, ())
    declared = routines.get(key)
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


def _when(r: Reader, body: Mapping, what: str, table: Table, events: tuple[str, ...], row: bool
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
        if table.column(c) is None:
            r.error(pos, f"'when' refers to {c}, which is not a column of {table.key}"
                         f"{did_you_mean(c, [x.name for x in table.columns])}")
            return None
    return expression


def _trigger(body: Mapping, r: Reader, tables: dict[str, Table], routines: dict[str, Routine]) -> Trigger | None:
    r.keys(body, TRIGGER_KEYS, "a trigger")
    name = r.name(body, "trigger", "a trigger", required=True)
    schema = r.name(body, "schema", "a trigger") or "public"
    what = f"trigger {name}"
    table_name = r.name(body, "table", what, required=True)
    if name is None or table_name is None:
        return None
    table = tables.get(f"{schema}.{table_name}")
    if table is None:
        r.error(r.pos(body, "table"), f"{what} is on {schema}.{table_name}, which is not a declared table"
                                      f"{did_you_mean(f'{schema}.{table_name}', list(tables))}")
        return None
    timing = r.choice(body, "timing", TIMINGS, what) if "timing" in body else None
    if "timing" not in body:
        r.error(body.key_pos["trigger"], f"{what} needs 'timing' ({', '.join(TIMINGS)})")
    level = r.choice(body, "for_each", LEVELS, what) if "for_each" in body else "statement"
    read = _events(r, body, what, table)
    function = _function(r, body, what, routines)
    constraint = bool(r.flag(body, "constraint", what))
    deferrable = bool(r.flag(body, "deferrable", what))
    deferred = bool(r.flag(body, "initially_deferred", what))
    enabled = (r.choice(body, "enabled", ENABLED, what) if "enabled" in body else None) or "origin"
    comment = (r.text(body, "comment", what) or None) if "comment" in body else None
    renamed_from = r.name(body, "renamed_from", what) if "renamed_from" in body else None
    arguments = _arguments(r, body, what)
    if timing is None or level is None or read is None or function is None or arguments is None:
        return None
    events, columns = read
    row = level == "row"
    when = _when(r, body, what, table, events, row) if body.get("when") is not None else None
    if body.get("when") is not None and when is None:
        return None
    old_table = new_table = None
    if body.get("referencing") is not None:
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
    rules = (
        (timing == "instead of", "timing", f"INSTEAD OF triggers are for views; {table.key} is a table"),
        (row and "truncate" in events, "for_each", "a TRUNCATE trigger fires FOR EACH STATEMENT only"),
        (constraint and (timing != "after" or not row), "constraint", "a constraint trigger is AFTER ... FOR EACH ROW"),
        (deferrable and not constraint, "deferrable", "only a constraint trigger can be deferrable"),
        (deferred and not deferrable, "initially_deferred", "'initially_deferred' needs 'deferrable: true'"),
    )
    for broken, key, problem in rules:
        if broken:
            r.error(r.pos(body, key), f"{problem} ({what})")
            return None
    return Trigger(schema, table_name, name, timing, events, function[0], function[1], level, columns, when,
                   arguments, old_table, new_table, constraint, deferrable, deferred, enabled, comment, renamed_from,
                   calls_in(when.text if when is not None else None))


def _arguments(r: Reader, body: Mapping, what: str) -> tuple[str, ...] | None:
    """Arguments given to the function as TG_ARGV: strings (a number or flag as written)."""
    seq = r.sequence(body, "arguments", what) if "arguments" in body else None
    if seq is None:
        return () if body.get("arguments") is None else None
    out: list[str] = []
    for i, item in enumerate(seq):
        if isinstance(item, Mapping | list):
            r.error(seq.item_pos[i], f"an argument of {what} is a string, not a list or mapping")
            return None
        out.append(item if isinstance(item, str) else (str(item).lower() if isinstance(item, bool) else str(item)))
    return tuple(out)
