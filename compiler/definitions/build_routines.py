"""`function:` and `procedure:` documents -> Routines, every problem with its position.

Only `sql` and `plpgsql` bodies are managed: they are the languages every PostgreSQL has (plpgsql
is installed in every database); a routine in another language (plpython3u, C) needs its
extension and a build of its own, which schemac does not make. A routine is keyed as PostgreSQL
identifies it: schema.name(input argument types).
"""
from __future__ import annotations

import re

from ..errors import DefinitionError
from ..model.expression_facts import expression_facts
from ..model.expressions import ExpressionProblem, make_expression
from ..model.literal_input import constant_problem, number_problem
from ..model.names import identifier_problem
from ..model.routine_text import BodyProblem, make_body
from ..model.routines import (
    ARGUMENT_MODES,
    DEFAULT_COST,
    DEFAULT_SET_ROWS,
    LANGUAGES,
    LIST_SETTINGS,
    PARALLEL_SAFETY,
    SECURITIES,
    TABLE_COLUMN,
    VOLATILITIES,
    Argument,
    Routine,
    SettingValue,
)
from ..model.security import public_defaults
from ..model.types import TypeProblem, canonical_type
from .build_security import grants
from .load import Document, Mapping, Pos
from .reader import Reader

FUNCTION_KEYS = frozenset({"function", "schema", "arguments", "returns", "language", "body", "volatility",
                           "strict", "security", "parallel", "leakproof", "cost", "rows", "set", "comment",
                           "renamed_from", "grants"})
# CREATE PROCEDURE takes no return type, volatility, strictness, parallel safety, cost or rows
PROCEDURE_KEYS = frozenset({"procedure", "schema", "arguments", "language", "body", "security", "set", "comment",
                            "renamed_from", "grants"})
ARGUMENT_KEYS = frozenset({"name", "type", "mode", "default"})
RETURN_COLUMN_KEYS = frozenset({"name", "type"})
# types no column can have, which arguments and results can (CREATE FUNCTION's pseudo-types)
PSEUDO_TYPES = ("trigger", "void", "record", "anyelement", "anyarray", "anynonarray", "anyenum", "anyrange",
                "anymultirange", "anycompatible", "anycompatiblearray", "anycompatiblenonarray",
                "anycompatiblerange", "anycompatiblemultirange", "event_trigger", "internal", "cstring")
_MODIFIER = re.compile(r"\(\s*\d+(\s*,\s*-?\d+)?\s*\)")
_SETOF = re.compile(r"(?i)setof\s+")
_SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")


def routine_type(text: str, user_types: dict[str, str]) -> str:
    """A type as an argument or a result has it: format_type's spelling without a type modifier
    (PostgreSQL keeps none for them: varchar(10) is character varying). TypeProblem or KeyError."""
    spelled = " ".join(text.split())
    if spelled.lower() in PSEUDO_TYPES:
        return spelled.lower()
    return _MODIFIER.sub("", canonical_type(spelled, user_types))


class RoutineReader:
    """Reads the routines of the definitions, given the declared types (enums) by every name they go by."""

    def __init__(self, errors: list[DefinitionError], user_types: dict[str, str]) -> None:
        self.errors, self.user_types = errors, user_types

    def read_all(self, docs: list[tuple[str, Document]]) -> dict[str, Routine]:
        out: dict[str, Routine] = {}
        where: dict[str, str] = {}
        for kind, doc in docs:
            r = Reader(doc.path, self.errors)
            routine = self.read(kind, doc, r)
            if routine is None:
                continue
            pos = doc.body.value_pos[kind]
            if routine.key in out:
                r.error(pos, f"{kind} {routine.key} is defined twice (first in {where[routine.key]})")
                continue
            out[routine.key] = routine
            where[routine.key] = f"{doc.path}:{pos[0]}"
        return dict(sorted(out.items()))

    def read(self, kind: str, doc: Document, r: Reader) -> Routine | None:
        body = doc.body
        keys = FUNCTION_KEYS if kind == "function" else PROCEDURE_KEYS
        r.keys(body, keys, f"a {kind}")
        name = r.name(body, kind, f"a {kind}", required=True)
        schema = r.name(body, "schema", f"a {kind}") or "public"
        what = f"{kind} {name}"
        arguments = self.arguments(r, body, what)
        language = r.choice(body, "language", LANGUAGES, what) if "language" in body else None
        if "language" not in body:
            r.error(body.key_pos.get(kind, body.pos), f"{what} needs 'language' (one of {', '.join(LANGUAGES)}; "
                                                      f"other languages are not managed by schemac)")
        text = r.text(body, "body", what, required=True)
        source = None
        if text is not None:
            try:
                source = make_body(text)
            except BodyProblem as e:
                r.error(r.pos(body, "body"), f"'body' of {what}: {e}")
        returns, setof, table = (None, False, ()) if kind == "procedure" else self.returns(r, body, what, arguments)
        settings = self.settings(r, body, what)
        comment = (r.text(body, "comment", what) or None) if "comment" in body else None
        renamed_from = r.name(body, "renamed_from", what) if "renamed_from" in body else None
        security = r.choice(body, "security", SECURITIES, what) or "invoker"
        if name is None or arguments is None or language is None or source is None or (
                kind == "function" and returns is None):
            return None
        granted = grants(r, body, kind, what) if "grants" in body else public_defaults(kind)
        common = dict(security=security, settings=settings, comment=comment, renamed_from=renamed_from,
                      grants=granted)
        if kind == "procedure":
            return Routine(schema, name, kind, arguments, language, source, **common)  # type: ignore[arg-type]
        if returns == "trigger" and any(a.is_input for a in arguments):
            r.error(r.pos(body, "arguments"), f"{what} returns trigger, so it takes no arguments "
                                              f"(a trigger passes its own as TG_ARGV)")
            return None
        if returns == "trigger" and language == "sql":
            r.error(r.pos(body, "language"), f"{what} returns trigger, which a sql function cannot; "
                                             f"write it in plpgsql")
            return None
        cost = self.number(r, body, "cost", what)
        rows = self.number(r, body, "rows", what)
        if language == "sql" and returns != "void" and not source.normal.strip():
            # a sql function's result is its last statement's: PostgreSQL refuses an empty body then
            r.error(r.pos(body, "body"), f"'body' of {what} is empty, but it returns {'setof ' if setof else ''}"
                                         f"{returns}: a sql function returns what its last SELECT (or "
                                         f"RETURNING) gives")
            return None
        if rows is not None and not setof:
            r.error(r.pos(body, "rows"), f"'rows' is for a function returning a set (setof or a table); "
                                         f"{what} returns one value")
        return Routine(schema, name, kind, arguments + table, language, source, returns, setof,
                       r.choice(body, "volatility", VOLATILITIES, what) or "volatile",
                       bool(r.flag(body, "strict", what)), parallel=r.choice(body, "parallel", PARALLEL_SAFETY, what)
                       or "unsafe", leakproof=bool(r.flag(body, "leakproof", what)),
                       cost=DEFAULT_COST if cost is None else cost,
                       rows=(DEFAULT_SET_ROWS if setof else 0.0) if rows is None else rows,
                       **common)  # type: ignore[arg-type]

    def type(self, r: Reader, text: str, pos: Pos) -> str | None:
        try:
            return routine_type(text, self.user_types)
        except TypeProblem as e:
            r.error(pos, str(e))
        except KeyError:
            r.error(pos, f"unknown type '{text}': not a PostgreSQL type, and no enum of that name is declared")
        return None

    def arguments(self, r: Reader, body: Mapping, what: str) -> tuple[Argument, ...] | None:
        out: list[Argument] = []
        ok = True
        defaults_started = False
        variadic_pos: Pos | None = None
        for m, pos in r.mappings(body, "arguments", what):
            r.keys(m, ARGUMENT_KEYS, f"an argument of {what}")
            name = r.name(m, "name", f"an argument of {what}") if "name" in m else None
            text = r.text(m, "type", f"an argument of {what}", required=True)
            mode = r.choice(m, "mode", ARGUMENT_MODES, f"an argument of {what}") or "in"
            kind = self.type(r, text, r.pos(m, "type")) if text is not None else None
            if kind is None:
                ok = False
                continue
            if name is not None and name in {a.name for a in out}:
                r.error(r.pos(m, "name"), f"argument {name} appears twice in {what}")
                ok = False
            if mode == "variadic" and not kind.endswith("[]"):
                r.error(r.pos(m, "type"), f"a variadic argument must be an array (for instance {kind}[])")
                ok = False
            default = None
            if "default" in m and m.get("default") is not None:
                if mode == "out":
                    r.error(r.pos(m, "default"), "an out argument cannot have a default")
                    ok = False
                value = m.get("default")
                raw = m.raw.get("default", str(value))
                expression_text = ("true" if value else "false") if isinstance(value, bool) else (
                    value if isinstance(value, str) else raw)
                try:
                    default = make_expression(expression_text, kind, self.user_types)
                except ExpressionProblem as e:
                    r.error(r.pos(m, "default"), f"'default' of an argument of {what}: {e}")
                    ok = False
                if default is not None and (problem := _unreadable_default(kind, default.text)):
                    r.error(r.pos(m, "default"), f"'default' of an argument of {what} is {problem}")
                    ok = False
                defaults_started = True
            elif mode in ("in", "inout", "variadic") and defaults_started:
                # PostgreSQL: input parameters after one with a default value must also have defaults
                r.error(pos, f"an argument after one with a default needs a default too ({what})")
                ok = False
            out.append(Argument(name, kind, mode, default))
            if mode == "variadic":
                variadic_pos = r.pos(m, "mode")
            elif mode in ("in", "inout") and variadic_pos is not None:
                # PostgreSQL: VARIADIC parameter must be the last input parameter
                r.error(variadic_pos, f"the variadic argument of {what} must be its last input argument "
                                      f"(out arguments may follow it)")
                ok, variadic_pos = False, None
        return tuple(out) if ok else None

    def returns(self, r: Reader, body: Mapping, what: str, arguments: tuple[Argument, ...] | None
                ) -> tuple[str | None, bool, tuple[Argument, ...]]:
        """(the return type, whether a set, RETURNS TABLE's columns); the type None after an error.
        Without `returns:` the output arguments say it: their type, or record for several."""
        outputs = [a for a in arguments or () if a.is_output]
        value = body.get("returns")
        pos = r.pos(body, "returns")
        if value is None:
            if "returns" in body or not outputs:
                r.error(pos if "returns" in body else body.key_pos["function"],
                        f"{what} needs 'returns' (a type, 'setof type', a list of columns for a table, "
                        f"trigger or void), or out arguments")
                return None, False, ()
            return (outputs[0].type if len(outputs) == 1 else "record"), False, ()
        if isinstance(value, list):
            if outputs:
                r.error(pos, f"{what} returns a table, so it cannot have out or inout arguments too")
                return None, False, ()
            columns: list[Argument] = []
            for m, mpos in r.mappings(body, "returns", what):
                r.keys(m, RETURN_COLUMN_KEYS, f"a column {what} returns")
                name = r.name(m, "name", f"a column {what} returns", required=True)
                text = r.text(m, "type", f"a column {what} returns", required=True)
                kind = self.type(r, text, r.pos(m, "type")) if text is not None else None
                if name is None or kind is None:
                    return None, False, ()
                if name in {c.name for c in columns}:
                    r.error(mpos, f"column {name} appears twice in what {what} returns")
                    return None, False, ()
                columns.append(Argument(name, kind, TABLE_COLUMN))
            if not columns:
                r.error(pos, f"{what} returns a table of no columns; list at least one")
                return None, False, ()
            return (columns[0].type if len(columns) == 1 else "record"), True, tuple(columns)
        text = r.text(body, "returns", what)
        if text is None:
            return None, False, ()
        setof = bool(_SETOF.match(text.strip()))
        kind = self.type(r, _SETOF.sub("", text.strip(), count=1), pos)
        if kind is None:
            return None, False, ()
        if setof and kind in ("trigger", "void"):
            r.error(pos, f"a function cannot return setof {kind}")
            return None, False, ()
        if outputs:
            expected = outputs[0].type if len(outputs) == 1 else "record"
            if kind != expected:
                r.error(pos, f"{what} has out arguments, so it returns {expected}, not {kind} "
                             f"(leave 'returns' out)")
                return None, False, ()
        return kind, setof, ()

    def number(self, r: Reader, body: Mapping, key: str, what: str) -> float | None:
        value = body.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            r.error(r.pos(body, key), f"'{key}' of {what} must be a positive number")
            return None
        return float(value)

    def settings(self, r: Reader, body: Mapping, what: str) -> tuple[tuple[str, SettingValue], ...]:
        """`set: {search_path: "public, pg_temp", work_mem: 64MB}`: SET clauses, by lower-case name."""
        value = body.get("set")
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            r.error(r.pos(body, "set"), f"'set' of {what} must be a mapping of setting names to values")
            return ()
        out: dict[str, SettingValue] = {}
        for key, item in value.items():
            kpos = value.key_pos[key]
            if not _SETTING_NAME.match(str(key)):
                r.error(kpos, f"'{key}' is not a setting name")
                continue
            if isinstance(item, bool):
                text = "on" if item else "off"
            elif isinstance(item, int | float | str):
                text = value.raw.get(key, str(item)) if not isinstance(item, str) else item
            else:
                r.error(value.value_pos.get(key, kpos), f"setting {key} of {what} must be a single value")
                continue
            name = str(key).lower()
            if name in LIST_SETTINGS:
                names = tuple(p.strip().strip('"') for p in text.split(","))
                problem = next((p for p in map(identifier_problem, names) if p), None)
                if problem:
                    r.error(value.value_pos.get(key, kpos), problem)
                    continue
                out[name] = names
            else:
                out[name] = text
        return tuple(sorted(out.items()))


def _unreadable_default(type_name: str, text: str) -> str | None:
    """Why PostgreSQL cannot read an argument's default constant as the argument's type (`'abc'`
    for an integer), in words that follow "is"; None when it reads it or cannot be judged offline."""
    if type_name.endswith("[]"):
        return None
    facts = expression_facts(text)
    if facts.value_number is not None and (problem := number_problem(type_name, facts.value_number)):
        return f"{facts.value_number}, {problem}"
    for label in facts.value_labels:
        if problem := constant_problem(type_name, label, True):
            return f"'{label}', which PostgreSQL cannot read as {type_name}: {problem}"
    return None
