"""Functions, procedures and triggers in generated/state.json: written and read back.

A key is written only where it differs from its default, and the lists only when there is a
routine or a trigger, so a state.json of a project without them dumps as before.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions.export_security import grants_key
from ..model.expressions import make_expression
from ..model.routine_text import make_body
from ..model.routines import DEFAULT_COST, DEFAULT_SET_ROWS, Argument, Routine, SettingValue, Trigger
from ..model.security import public_defaults
from ..model.trigger_calls import calls_in
from .state_security import read_grants

Get = Callable[..., Any]  # state.py's _get(d, key, kind, default)


def dump_routine(r: Routine) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": r.schema, "name": r.name, "kind": r.kind,
                           "arguments": [_argument(a) for a in r.arguments], "language": r.language,
                           "body": r.body.text}
    if r.returns is not None:
        out["returns"] = r.returns
    defaults: dict[str, Any] = {"setof": False, "volatility": "volatile", "strict": False, "security": "invoker",
                                "parallel": "unsafe", "leakproof": False, "cost": DEFAULT_COST,
                                "rows": DEFAULT_SET_ROWS if r.setof else 0.0, "comment": None}
    for key, default in defaults.items():
        value = getattr(r, key)
        if value != default:
            out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    if r.settings:
        out["set"] = {k: list(v) if isinstance(v, tuple) else v for k, v in r.settings}
    return out | grants_key(r.kind, r.grants, public_defaults(r.kind))


def _argument(a: Argument) -> dict[str, Any]:
    out: dict[str, Any] = {"name": a.name} if a.name is not None else {}
    out["type"] = a.type
    if a.mode != "in":
        out["mode"] = a.mode
    if a.default is not None:
        out["default"] = a.default.text
    return out


def dump_trigger(t: Trigger) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": t.schema, "table": t.table, "name": t.name, "timing": t.timing,
                           "events": list(t.events), "for_each": t.for_each,
                           "function": {"schema": t.function_schema, "name": t.function_name}}
    if t.update_columns:
        out["update_of"] = list(t.update_columns)
    if t.when is not None:
        out["when"] = t.when.text
    if t.arguments:
        out["arguments"] = list(t.arguments)
    for key in ("old_table", "new_table", "comment"):
        if getattr(t, key) is not None:
            out[key] = getattr(t, key)
    for key in ("constraint", "deferrable", "initially_deferred"):
        if getattr(t, key):
            out[key] = True
    if t.enabled != "origin":
        out["enabled"] = t.enabled
    if t.on_view:
        out["on_view"] = True
    if t.from_table is not None:
        out["from"] = t.from_table
    return out


def _number(get: Get, d: dict[str, Any], key: str, default: float) -> float:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key!r} is {value!r}, not a number")
    return float(value)


def read_routine(get: Get, d: dict[str, Any], user_types: dict[str, str]) -> Routine:
    arguments = []
    for a in get(d, "arguments", "list"):
        kind = get(a, "type", "text")
        default = get(a, "default", "text?", None)
        arguments.append(Argument(get(a, "name", "text?", None), kind, get(a, "mode", "text", "in"),
                                  make_expression(default, kind, user_types) if default is not None else None))
    settings: list[tuple[str, SettingValue]] = []
    for key, value in get(d, "set", "object", {}).items():
        if not isinstance(value, str | list):
            raise TypeError(f"setting {key!r} is {value!r}, not a string or a list")
        settings.append((key, tuple(value) if isinstance(value, list) else value))
    setof = get(d, "setof", "flag", False)
    return Routine(get(d, "schema", "text"), get(d, "name", "text"), get(d, "kind", "text"), tuple(arguments),
                   get(d, "language", "text"), make_body(get(d, "body", "text")), get(d, "returns", "text?", None),
                   setof, get(d, "volatility", "text", "volatile"), get(d, "strict", "flag", False),
                   get(d, "security", "text", "invoker"), get(d, "parallel", "text", "unsafe"),
                   get(d, "leakproof", "flag", False), _number(get, d, "cost", DEFAULT_COST),
                   _number(get, d, "rows", DEFAULT_SET_ROWS if setof else 0.0), tuple(sorted(settings)),
                   get(d, "comment", "text?", None),
                   grants=read_grants(d, get, get(d, "kind", "text"), public_defaults(get(d, "kind", "text"))))


def read_trigger(get: Get, d: dict[str, Any]) -> Trigger:
    function = get(d, "function", "object")
    when = get(d, "when", "text?", None)
    return Trigger(get(d, "schema", "text"), get(d, "table", "text"), get(d, "name", "text"), get(d, "timing", "text"),
                   tuple(get(d, "events", "names")), get(function, "schema", "text"), get(function, "name", "text"),
                   get(d, "for_each", "text"), tuple(get(d, "update_of", "names", [])),
                   make_expression(when, lenient=True) if when is not None else None,
                   tuple(get(d, "arguments", "names", [])), get(d, "old_table", "text?", None),
                   get(d, "new_table", "text?", None), get(d, "constraint", "flag", False),
                   get(d, "deferrable", "flag", False), get(d, "initially_deferred", "flag", False),
                   get(d, "enabled", "text", "origin"), get(d, "comment", "text?", None), None, calls_in(when),
                   on_view=get(d, "on_view", "flag", False), from_table=get(d, "from", "text?", None))
