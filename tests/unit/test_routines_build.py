"""function:, procedure: and trigger: documents: what they build, and each refusal at file:line:col."""
from __future__ import annotations

import textwrap

import pytest

from compiler.errors import DefinitionError, DefinitionErrors
from compiler.model.routine_text import body_tokens, dollar_tag, make_body
from compiler.model.routines import Routine, replaceable
from compiler.model.schema import Schema
from compiler.plan.diff import diff
from tests.helpers import schema_of

TABLE = """
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: name, type: text}
  - {name: updated_at, type: timestamptz}
---
function: touch
returns: trigger
language: plpgsql
body: BEGIN NEW.updated_at := now(); RETURN NEW; END
"""


def errors(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as e:
        schema_of(textwrap.dedent(text))
    return [str(x) for x in e.value.errors]


def one_error(text: str) -> str:
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def trigger(extra: str, timing: str = "before", events: str = "[update]", for_each: str = "row",
            function: str = "touch") -> str:
    return TABLE + (f"---\ntrigger: t_x\ntable: t\ntiming: {timing}\nevents: {events}\nfor_each: {for_each}\n"
                    f"function: {function}\n{extra}")


def test_a_function_is_keyed_by_its_input_types_and_overloads_are_distinct() -> None:
    s = schema_of(TABLE + textwrap.dedent("""
        ---
        function: add
        arguments: [{name: a, type: int}, {name: b, type: int4, default: 1}, {name: c, type: int, mode: out}]
        language: sql
        body: SELECT a + b
        ---
        function: add
        arguments: [{name: a, type: "varchar(10)"}, {name: b, type: "numeric(8, 2)"}]
        returns: setof text
        language: sql
        body: SELECT a || b
        """))
    assert sorted(s.routines) == ["public.add(character varying, numeric)", "public.add(integer, integer)",
                                  "public.touch()"]
    add = s.routines["public.add(integer, integer)"]
    assert (add.returns, add.setof, add.rows, add.cost) == ("integer", False, 0.0, 100.0)  # its one out argument
    assert s.routines["public.add(character varying, numeric)"].rows == 1000.0  # a set's default estimate


def test_a_body_compares_without_whitespace_comments_and_keyword_case() -> None:
    a = make_body("BEGIN\n  RETURN 'a  b'; -- note\nEND")
    b = make_body("begin return 'a  b';  /* other /* nested */ note */ end")
    assert a == b
    assert make_body("BEGIN RETURN 'a b'; END") != a  # whitespace inside a string is data
    assert make_body("SELECT $x$ a  b $x$") != make_body("SELECT $x$ a b $x$")  # and inside dollar quotes
    assert make_body('SELECT "A"') != make_body('SELECT "a"') and make_body("SELECT A") == make_body("SELECT a")
    assert body_tokens("x := E'\\'' || $1") == ["x", ":", "=", "E'\\''", "||", "$1"]
    assert dollar_tag("SELECT '$body$'") == "$body1$" and dollar_tag("ends in $body") == "$body1$"


def test_a_reindented_body_is_no_change() -> None:
    old = schema_of(TABLE)
    new = schema_of(TABLE.replace("BEGIN NEW.updated_at := now(); RETURN NEW; END",
                                  "|\n  BEGIN\n    NEW.updated_at := now();  -- stamp\n    RETURN NEW;\n  END"))
    assert diff(old, new) == []


def _fn(text: str) -> Routine:
    return next(r for r in schema_of(TABLE + "---\n" + textwrap.dedent(text)).routines.values() if r.name == "f")


def test_or_replace_is_used_exactly_where_postgresql_allows_it() -> None:
    base = "function: f\narguments: [{name: a, type: int}, {type: int, default: 2}]\nreturns: int\nlanguage: sql\n" \
           "body: SELECT 1\n"
    a = _fn(base)
    assert replaceable(a, _fn(base.replace("SELECT 1", "SELECT 2")))
    assert replaceable(a, _fn(base.replace("{type: int, default: 2}", "{name: b, type: int, default: 3}")))  # a name added
    assert not replaceable(a, _fn(base.replace("name: a", "name: z")))  # a name changed
    assert not replaceable(a, _fn(base.replace(", default: 2", "")))  # a default removed
    assert not replaceable(a, _fn(base.replace("returns: int", "returns: bigint")))
    assert not replaceable(a, _fn(base.replace("returns: int", "returns: setof int")))


@pytest.mark.parametrize(("extra", "where", "message"), [
    ("arguments: [{name: a, type: int, mood: in}]\nreturns: int\nlanguage: sql\nbody: SELECT 1\n", "13:34",
     "unknown key 'mood' in an argument of function f (did you mean 'mode'?)"),
    ("returns: int\nlanguage: plpython3u\nbody: return 1\n", "14:11",
     "'language' must be one of sql, plpgsql, not 'plpython3u'"),
    ("returns: int\nbody: SELECT 1\n", "12:1", "function f needs 'language' (one of sql, plpgsql; other languages are "
                                              "not managed by schemac)"),
    ("language: sql\nbody: SELECT 1\n", "12:1", "function f needs 'returns' (a type, 'setof type', a list of columns "
                                               "for a table, trigger or void), or out arguments"),
    ("returns: intgr\nlanguage: sql\nbody: SELECT 1\n", "13:10", "unknown type 'intgr': not a PostgreSQL type, and no enum of that name is "
                                                     "declared"),
    ("returns: trigger\nlanguage: sql\nbody: SELECT 1\n", "14:11", "function f returns trigger, which a sql function "
                                                                  "cannot; write it in plpgsql"),
    ("arguments: [{name: a, type: int}]\nreturns: trigger\nlanguage: plpgsql\nbody: BEGIN END\n", "13:12",
     "function f returns trigger, so it takes no arguments (a trigger passes its own as TG_ARGV)"),
    ("arguments: [{name: a, type: int, default: 1}, {name: b, type: int}]\nreturns: int\nlanguage: sql\n"
     "body: SELECT 1\n", "13:47", "an argument after one with a default needs a default too (function f)"),
    ("arguments: [{name: a, type: int, mode: variadic}]\nreturns: int\nlanguage: sql\nbody: SELECT 1\n", "13:29",
     "a variadic argument must be an array (for instance integer[])"),
    ("arguments: [{name: a, type: int, mode: out}]\nreturns: text\nlanguage: sql\nbody: SELECT 1\n", "14:10",
     "function f has out arguments, so it returns integer, not text (leave 'returns' out)"),
    ("returns: int\nlanguage: sql\nbody: SELECT 1\nrows: 5\n", "16:7",
     "'rows' is for a function returning a set (setof or a table); function f returns one value"),
    ("returns: int\nlanguage: sql\nbody: SELECT 'unclosed\n", "15:7", "'body' of function f: a string constant is "
                                                                      "not closed"),
    ("returns: int\nlanguage: sql\nbody: SELECT 1\nset: {search_path: \"a\\nb\"}\n", "16:20",
     "a name must not contain line breaks, tabs or other control characters"),
    ("returns: int\nlanguage: sql\nbody: SELECT 1\nvolatility: pure\n", "16:13",
     "'volatility' must be one of volatile, stable, immutable, not 'pure'"),
])
def test_function_errors_say_where(extra: str, where: str, message: str) -> None:
    assert one_error(TABLE + "---\nfunction: f\n" + extra) == f"definitions/test.yaml:{where}: error: {message}"


def test_procedure_keys_are_those_of_create_procedure() -> None:
    assert one_error(TABLE + "---\nprocedure: p\nlanguage: sql\nreturns: int\nbody: SELECT 1\n") == (
        "definitions/test.yaml:14:1: error: unknown key 'returns' in a procedure")


def test_a_routine_defined_twice_is_one_error_at_the_second() -> None:
    assert one_error(TABLE + "---\nfunction: touch\nreturns: trigger\nlanguage: plpgsql\nbody: BEGIN END\n") == (
        "definitions/test.yaml:12:11: error: function public.touch() is defined twice "
        "(first in definitions/test.yaml:7)")


VIEW = """---
view: v
query: SELECT id, name FROM t
"""


def on_view(extra: str, timing: str = "instead of", events: str = "[insert]", for_each: str = "row") -> str:
    return TABLE + VIEW + (f"---\ntrigger: v_x\nview: v\ntiming: {timing}\nevents: {events}\nfor_each: {for_each}\n"
                           f"function: touch\n{extra}")


@pytest.mark.parametrize(("text", "where", "message"), [
    (on_view("", for_each="statement"), "19:11", "INSTEAD OF triggers must be FOR EACH ROW (trigger v_x)"),
    (on_view("when: NEW.name <> ''\n"), "21:7", "INSTEAD OF triggers cannot have a WHEN condition (trigger v_x)"),
    (on_view("", events="[{update_of: [name]}]"), "18:9",
     "INSTEAD OF triggers cannot have 'update_of' columns (trigger v_x)"),
    (on_view("", timing="before"), "19:11", "public.v is a view: views cannot have row-level BEFORE or AFTER "
                                            "triggers (use INSTEAD OF, or for_each: statement) (trigger v_x)"),
    (on_view("", timing="after", events="[truncate]", for_each="statement"), "18:9",
     "public.v is a view: views cannot have TRUNCATE triggers (trigger v_x)"),
    (on_view("referencing: {new_table: n}\n", timing="after", for_each="statement"), "21:14",
     "triggers on views cannot have transition tables (trigger v_x)"),
    (on_view("constraint: true\n", timing="after"), "19:11",
     "public.v is a view: views cannot have row-level BEFORE or AFTER triggers (use INSTEAD OF, or for_each: "
     "statement) (trigger v_x)"),
    (on_view("enabled: disabled\n"), "21:10", "public.v is a view: ALTER TABLE cannot enable or disable a view's "
                                              "triggers (trigger v_x)"),
    (on_view("").replace("view: v\ntiming", "view: w\ntiming"), "16:7",
     "trigger v_x is on public.w, not a declared view (did you mean 'public.v'?)"),
    (on_view("").replace("---\nview: v\n", "---\nmaterialized_view: v\n"), "16:7",
     "trigger v_x is on public.v, a materialized view, which cannot have triggers"),
    (on_view("").replace("view: v\ntiming", "table: v\ntiming"), "16:8",
     "trigger v_x is on public.v, which is not a declared table (it is a view: write 'view:')"),
    (on_view("table: t\n"), "21:1", "trigger v_x is on a 'table:' or a 'view:', one of them"),
    (trigger("from: t\n", timing="after"), "18:7", "only a constraint trigger has 'from' (trigger t_x)"),
    (trigger("constraint: true\nfrom: u\n", timing="after"), "19:7",
     "'from' of trigger t_x names public.u, which is not a declared table (did you mean 'public.t'?)"),
    (trigger("when: 1\n"), "18:7", "'when' of trigger t_x is a number (for example: 1 > 0), not a condition; a "
                                   "trigger's WHEN must be true or false"),
    (trigger("when: NEW.id + 1\n"), "18:7", "'when' of trigger t_x is a number (for example: NEW.id + 1 > 0), not a "
                                            "condition; a trigger's WHEN must be true or false"),
    (trigger("when: \"'yes'\"\n"), "18:7", "'when' of trigger t_x is a string (for example: 'yes' = NEW.name), "
                                            "not a condition; a trigger's WHEN must be true or false"),
    (trigger("when: (NEW.name)\n"), "18:7", "'when' of trigger t_x is a text column (for example: (NEW.name) IS NOT "
                                            "NULL), not a condition; a trigger's WHEN must be true or false"),
    (trigger("", function="'f\"; drop table x; --'"), "17:11",
     "'function' of trigger t_x must name a function (name or schema.name), not hold SQL: 'f\"; drop table x; --'"),
    (trigger("", function="'public.f\"; drop table x; --'"), "17:11",
     "'function' of trigger t_x must name a function (name or schema.name), not hold SQL: "
     "'public.f\"; drop table x; --'"),
    *[(trigger(f"arguments: [ok, {value}]\n"), "18:17",
       f"an argument of trigger t_x must be a string: YAML reads this unquoted value as {read}, which may not be the "
       f"text written; quote it (\"1.50\", \"0x1F\", \"true\")")
      for value, read in (("null", "null"), ("1.50", "1.5"), ("0x1F", "31"), ("true", "true"), ("2", "2"))],
])
def test_view_trigger_and_value_errors_follow_create_trigger(text: str, where: str, message: str) -> None:
    assert one_error(text) == f"definitions/test.yaml:{where}: error: {message}"


def test_view_and_constraint_triggers_build() -> None:
    s = schema_of(on_view("") + "---\ntrigger: v_s\nview: v\ntiming: after\nevents: [update]\n"
                                "function: touch\nwhen: \"true\"\n"
                                "---\ntrigger: t_c\ntable: t\ntiming: after\nevents: [delete]\nfor_each: row\n"
                                "constraint: true\nfrom: public.t\nfunction: touch\n")
    assert (s.triggers["public.v.v_x"].on_view, s.triggers["public.v.v_x"].timing) == (True, "instead of")
    assert (s.triggers["public.v.v_s"].on_view, s.triggers["public.v.v_s"].for_each) == (True, "statement")
    assert s.triggers["public.t.t_c"].from_table == "public.t"


@pytest.mark.parametrize(("text", "where", "message"), [
    (trigger("", timing="instead of"), "14:9", "INSTEAD OF triggers are for views; public.t is a table (trigger t_x)"),
    (trigger("", events="[truncate]"), "16:11", "a TRUNCATE trigger fires FOR EACH STATEMENT only (trigger t_x)"),
    (trigger("when: NEW.name <> ''\n", for_each="statement"), "18:7",
     "the 'when' of a statement-level trigger cannot refer to NEW (trigger t_x)"),
    (trigger("when: OLD.name <> ''\n", events="[insert, update]"), "18:7",
     "the 'when' of an insert trigger cannot refer to OLD (trigger t_x)"),
    (trigger("when: NEW.name <> ''\n", events="[delete]"), "18:7",
     "the 'when' of a delete trigger cannot refer to NEW (trigger t_x)"),
    (trigger("when: NEW.nmae <> ''\n"), "18:7", "'when' refers to nmae, which is not a column of public.t "
                                                "(did you mean 'name'?)"),
    (trigger("referencing: {new_table: added}\n"), "18:14", "transition tables are for AFTER triggers (trigger t_x)"),
    (trigger("referencing: {new_table: added}\n", timing="after", events="[insert, update]"), "18:14",
     "transition tables cannot be given for a trigger of more than one event (trigger t_x)"),
    (trigger("referencing: {old_table: gone}\n", timing="after", events="[insert]"), "18:14",
     "an OLD TABLE is for update and delete triggers (trigger t_x)"),
    (trigger("referencing: {new_table: n}\n", timing="after", events="[{update_of: [name]}]"), "18:14",
     "transition tables cannot be given with 'update_of' columns (trigger t_x)"),
    (trigger("constraint: true\n"), "18:13", "a constraint trigger is AFTER ... FOR EACH ROW (trigger t_x)"),
    (trigger("deferrable: true\n", timing="after"), "18:13", "only a constraint trigger can be deferrable "
                                                             "(trigger t_x)"),
    (trigger("", events="[{update_of: [nmae]}]"), "15:22", "'update_of' names nmae, which is not a column of "
                                                           "public.t (did you mean 'name'?)"),
    (trigger("", events="[upsert]"), "15:10", "an event is one of insert, update, delete, truncate or "
                                              "{update_of: [columns]}, not 'upsert' (did you mean 'insert'?)"),
    (trigger("", events="[update, update]"), "15:18", "event update appears twice in trigger t_x"),
    (trigger("whn: x\n"), "18:1", "unknown key 'whn' in a trigger (did you mean 'when'?)"),
    (TABLE + "---\ntrigger: t_x\ntable: u\ntiming: before\nevents: [insert]\nfunction: touch\n", "13:8",
     "trigger t_x is on public.u, which is not a declared table (did you mean 'public.t'?)"),
    (trigger("", function="tuoch"), "17:11",
     "trigger t_x runs function tuoch(), which is not declared (did you mean 'public.touch()'?); declare it, or "
     "name a function the definitions do not manage with its schema (pg_catalog.suppress_redundant_updates_trigger)"),
    (trigger("", function="add") + "---\nfunction: add\nreturns: int\nlanguage: sql\n"
                                                               "body: SELECT 1\n", "17:11",
     "trigger t_x runs public.add(), which returns integer; a trigger function returns trigger"),
])
def test_trigger_errors_follow_create_trigger(text: str, where: str, message: str) -> None:
    assert one_error(text) == f"definitions/test.yaml:{where}: error: {message}"


def test_a_trigger_builds_with_its_events_in_order_and_columns_sorted() -> None:
    s = schema_of(trigger("arguments: [a, \"2\", \"true\"]\nenabled: replica\n",
                          events="[{update_of: [updated_at, name]}, insert]"))
    t = s.triggers["public.t.t_x"]
    assert (t.events, t.update_columns, t.arguments, t.enabled) == (
        ("insert", "update"), ("name", "updated_at"), ("a", "2", "true"), "replica")
    assert (t.function_schema, t.function_name, t.function_key) == ("public", "touch", "public.touch()")


def test_an_undeclared_function_named_with_its_schema_is_postgresqls_to_judge() -> None:
    s = schema_of(trigger("", function="pg_catalog.suppress_redundant_updates_trigger"))
    assert s.triggers["public.t.t_x"].function_key == "pg_catalog.suppress_redundant_updates_trigger()"


def test_errors_are_definition_errors() -> None:
    assert all(isinstance(e, str) for e in errors(trigger("", timing="instead of")))
    assert DefinitionError("definitions/a.yaml", 1, 2, "m").__str__() == "definitions/a.yaml:1:2: error: m"


def test_a_table_calling_a_function_of_the_definitions_has_it_created_first() -> None:
    """A default, check or index may call a function of the definitions: it is created before the
    tables (and dropped after them)."""
    table = TABLE.replace("{name: name, type: text}", "{name: name, type: text, check: \"twice(id) > 0\"}")
    table = table.replace("---\nfunction: touch", "indexes:\n  - {expression: twice(id)}\n---\nfunction: touch", 1)
    s = schema_of(table + "---\nfunction: twice\narguments: [{name: x, type: bigint}]\n"
                          "returns: bigint\nlanguage: sql\nvolatility: immutable\nbody: SELECT x * 2\n")
    kinds = [c.kind for c in diff(Schema(), s)]
    assert kinds.index("CreateCalledFunction") < kinds.index("CreateTable") < kinds.index("CreateFunction")
    assert [c.kind for c in diff(s, Schema())][-1] == "DropCalledFunction"
