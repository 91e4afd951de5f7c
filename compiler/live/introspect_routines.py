"""Functions, procedures and triggers read from pg_catalog (queries/routines.sql, triggers.sql).

Values are PostgreSQL's: types as format_type prints them, argument defaults and a trigger's
WHEN as it prints them (pg_get_function_arg_default, pg_get_triggerdef), a body as it stores
it (prosrc, which keeps what was written: its normal form makes re-indenting it no difference).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..model.routine_text import BodyProblem, make_body
from ..model.routines import LIST_SETTINGS, Argument, Routine, SettingValue, Trigger
from ..model.schema import Expression
from ..model.trigger_calls import calls_in

_MODES = {"i": "in", "o": "out", "b": "inout", "v": "variadic", "t": "table"}
_VOLATILITY = {"v": "volatile", "s": "stable", "i": "immutable"}
_PARALLEL = {"u": "unsafe", "r": "restricted", "s": "safe"}
_ENABLED = {"O": "origin", "D": "disabled", "R": "replica", "A": "always"}
_LIST_ITEM = re.compile(r'"((?:[^"]|"")*)"|([^,\s][^,]*)')

# tgtype bits (PostgreSQL's trigger.h)
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE, _INSTEAD = 1, 2, 4, 8, 16, 32, 64

Expr = Callable[..., Expression | None]  # introspect's _Reader.expr(text, what, column_type)
Unqualified = Callable[[str], str]  # a type as the model names it (an extension's without its schema)


def _setting(item: str) -> tuple[str, SettingValue]:
    name, _, value = item.partition("=")
    if name in LIST_SETTINGS:
        return name, tuple(m[1].replace('""', '"') if m[1] is not None else m[2].strip()
                           for m in _LIST_ITEM.finditer(value))
    return name, value


def read_routines(rows: Iterable[tuple[Any, ...]], expr: Expr, unqualified: Unqualified,
                  problems: list[str] | None) -> dict[str, Routine]:
    out: dict[str, Routine] = {}
    for (schema, name, kind, language, source, returns, setof, volatility, strict, definer, parallel, leakproof,
         cost, rows_, config, comment, types, modes, names, defaults) in rows:
        try:
            body = make_body(source)
        except BodyProblem as e:
            if problems is None:
                raise
            problems.append(f"{kind} {schema}.{name}: cannot read its body ({e}); skipped")
            continue
        arguments = []
        for i, type_ in enumerate(types):
            type_ = unqualified(type_)
            mode = _MODES[modes[i]] if modes else "in"
            default = defaults[i]
            arguments.append(Argument(names[i] or None if names else None, type_, mode,
                                      expr(default, f"{schema}.{name} argument {i + 1} default", type_)
                                      if default is not None else None))
        is_function = kind == "function"
        settings = tuple(sorted(_setting(item) for item in config or ()))
        r = Routine(schema, name, kind, tuple(arguments), language, body,
                    unqualified(returns) if is_function else None, setof and is_function,
                    _VOLATILITY[volatility] if is_function else "volatile", strict and is_function,
                    "definer" if definer else "invoker", _PARALLEL[parallel] if is_function else "unsafe",
                    leakproof and is_function, float(cost) if is_function else 100.0,
                    float(rows_) if is_function else 0.0, settings, comment)
        out[r.key] = r
    return out


def _when(definition: str) -> str | None:
    """The WHEN condition of a trigger as pg_get_triggerdef prints it, without its brackets."""
    m = re.search(r" FOR EACH (?:ROW|STATEMENT) WHEN \(", definition)
    if m is None:
        return None
    depth, i, quote = 1, m.end(), None
    while i < len(definition):
        c = definition[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return definition[m.end():i]
        i += 1
    return None


def read_triggers(rows: Iterable[tuple[Any, ...]], tables: dict[int, tuple[str, str]], expr: Expr,
                  views: dict[int, tuple[str, str]] | None = None) -> dict[str, Trigger]:
    """The triggers of `tables` and `views` (oid: (schema, name))."""
    out: dict[str, Trigger] = {}
    views = views or {}
    for (oid, name, tgtype, enabled, fschema, fname, nargs, args, columns, definition, old_table, new_table,
         constraint, deferrable, deferred, comment, from_schema, from_name) in rows:
        schema, table = tables[oid] if oid in tables else views[oid]
        timing = "instead of" if tgtype & _INSTEAD else "before" if tgtype & _BEFORE else "after"
        events = tuple(e for e, bit in (("insert", _INSERT), ("update", _UPDATE), ("delete", _DELETE),
                                        ("truncate", _TRUNCATE)) if tgtype & bit)  # EVENTS order
        when_text = _when(definition)
        when = expr(when_text, f"trigger {name} on {schema}.{table} when") if when_text is not None else None
        if when_text is not None and when is None:
            continue
        arguments = tuple(a.decode() for a in bytes(args).split(b"\x00")[:nargs]) if nargs else ()
        t = Trigger(schema, table, name, timing, events, fschema, fname, "row" if tgtype & _ROW else "statement",
                    tuple(sorted(columns)), when, arguments, old_table, new_table, constraint, deferrable, deferred,
                    _ENABLED[enabled], comment, None, calls_in(when_text), on_view=oid in views,
                    from_table=f"{from_schema}.{from_name}" if from_name is not None else None)
        out[t.key] = t
    return out
