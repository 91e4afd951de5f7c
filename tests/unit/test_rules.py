"""The definition rules and what they read: expression facts, the catalog tables, the source map."""
from __future__ import annotations

import textwrap

import pytest

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_text
from compiler.definitions.rules import _Rules
from compiler.definitions.sources import SourceMap
from compiler.errors import DefinitionError, DefinitionErrors
from compiler.model.catalog_facts import type_base
from compiler.model.expression_facts import LabelUse, array_literal_items, expression_facts


def errors_of(yaml_text: str) -> list[str]:
    """The messages a build reports, as `line:col: message`."""
    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(yaml_text).lstrip("\n"), "definitions/t.yaml", errors)
    with pytest.raises(DefinitionErrors) as raised:
        build_schema(docs, errors)
    return [f"{e.line}:{e.col}: {e.message}" for e in raised.value.errors]


def builds(yaml_text: str) -> None:
    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(yaml_text).lstrip("\n"), "definitions/t.yaml", errors)
    build_schema(docs, errors)


# -- expression facts

def test_calls_are_read_as_written_not_as_sqlglot_renames_them() -> None:
    # sqlglot reads now() as CURRENT_TIMESTAMP and gen_random_uuid() as UUID(): the rules see the words
    facts = expression_facts("coalesce(pg_catalog.now(), clock_timestamp()) + interval '1 day' * random()")
    assert facts.calls == ("coalesce", "now", "clock_timestamp", "random")
    assert facts.not_immutable == ["now()", "clock_timestamp()", "random()"]


def test_value_functions_are_calls_without_parentheses() -> None:
    assert expression_facts("current_date - 1").not_immutable == ["current_date"]
    assert expression_facts("a::numeric(10,2) > 0").calls == ()  # a type's modifier is no call


def test_a_quoted_word_is_a_column_not_a_value_function() -> None:
    assert expression_facts('"current_date" > 0').not_immutable == []


def test_aggregates_windows_and_set_returning_functions() -> None:
    assert expression_facts("count(*) > 1").aggregates == ["count()"]
    assert expression_facts("rank() over (order by a) > 1").windows == ["rank()"]
    assert expression_facts("sum(a) over () > 1").windows == ["OVER"]
    assert expression_facts("unnest(a) > 1").set_returning == ["unnest()"]
    assert expression_facts("lower(a) <> ''").aggregates == []


def test_labels_compared_with_columns_and_casts() -> None:
    facts = expression_facts("s = 'a' and 'b' <> t and s IN ('c', 'd') and s BETWEEN 'e' AND 'f' "
                             "and u = ANY (ARRAY['g']) and coalesce(s, 'h') = 'i'")
    assert set(facts.labels) == set([
        LabelUse(("column", "s"), "a"), LabelUse(("column", "t"), "b"), LabelUse(("column", "s"), "c"),
        LabelUse(("column", "s"), "d"), LabelUse(("column", "s"), "e"), LabelUse(("column", "s"), "f"),
        LabelUse(("column", "s"), "h")])
    assert len(facts.labels) == 7  # once each
    assert facts.text_arrays == (("column", "u"),)  # ARRAY['g'] is text[]: no label, another error


def test_quantified_comparisons() -> None:
    assert [u.label for u in expression_facts("s = ANY ('{a,b}')").labels] == ["a", "b"]
    assert expression_facts("s <> ALL (ARRAY['a'])").text_arrays == (("column", "s"),)
    assert expression_facts("s = SOME (ARRAY['a'::mood])").text_arrays == ()


def test_casts_name_types_as_sql_folds_them() -> None:
    facts = expression_facts("""'x'::Mood = 'y'::"Mood" and 'z'::app.mood is not null""")
    assert facts.casts == ((None, "mood"), (None, "Mood"), ("app", "mood"))
    assert LabelUse(("type", (None, "mood")), "x") in facts.labels
    assert LabelUse(("type", (None, "Mood")), "y") in facts.labels


def test_array_casts_give_every_element() -> None:
    assert [u.label for u in expression_facts("'{a,\"b c\",NULL}'::mood[] is null").labels] == ["a", "b c"]
    assert [u.label for u in expression_facts("ARRAY['a', 'b']::mood[] is null").labels] == ["a", "b"]


def test_value_labels_are_what_the_expression_evaluates_to() -> None:
    assert expression_facts("'a'").value_labels == ("a",)
    assert expression_facts("CASE WHEN x THEN 'a' ELSE 'b' END").value_labels == ("a", "b")
    assert expression_facts("lower('a')").value_labels == ()


@pytest.mark.parametrize(("text", "items"), [
    ("{a,b}", ["a", "b"]), ('{"a,b",c}', ["a,b", "c"]), ("{}", []), ("{ a , b }", ["a", "b"]),
    ('{"NULL",NULL}', ["NULL"]), ('{"x\\"y"}', ['x"y']), ("{{a},{b}}", []), ("a,b", [])])
def test_array_literal_items(text: str, items: list[str]) -> None:
    assert array_literal_items(text) == items


def test_facts_are_read_once_per_text() -> None:
    assert expression_facts("a > 0 and now() > b") is expression_facts("a > 0 and now() > b")


# -- catalog facts

@pytest.mark.parametrize(("written", "base"), [
    ("numeric(10,2)", "numeric"), ("timestamp(3) with time zone", "timestamp with time zone"),
    ("character varying(20)", "character varying"), ("interval day to second(3)", "interval"), ("json", "json")])
def test_type_base_drops_the_modifier(written: str, base: str) -> None:
    assert type_base(written) == base


@pytest.mark.parametrize(("type_name", "method", "ok"), [
    ("json", "btree", False), ("jsonb", "btree", True), ("jsonb", "gin", True), ("integer", "gin", False),
    ("character varying(20)", "btree", True), ("character varying(20)", "spgist", True),
    ("timestamp(3) with time zone", "brin", True), ("boolean", "brin", False), ("point", "gist", True),
    ("integer[]", "gin", True), ("json[]", "btree", False), ("json[]", "gin", False), ("text[]", "brin", False),
    ("tstzrange", "gist", True), ("datemultirange", "spgist", False), ('"Mood"', "btree", True),
    ('"Mood"', "gist", False), ("bigint", "hash", True), ("money", "hash", False), ("citext", "gin", True),
])
def test_operator_classes(type_name: str, method: str, ok: bool) -> None:
    from compiler.model.schema import Enum, Schema
    rules = _Rules(Schema(enums={"public.Mood": Enum("public", "Mood", ("a",))}), SourceMap([], {}))
    assert (rules.no_operator_class(type_name, method) is None) is ok


# -- rules on whole definitions

def test_a_rule_reports_at_the_key_and_every_rule_at_once() -> None:
    assert errors_of("""
        enum: mood
        values: [happy]
        ---
        table: t
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: m, type: mood, default: "'sad'"}
          - {name: g, type: bigint, generated: id + 1}
          - {name: h, type: bigint, generated: g + 1}
        indexes:
          - {columns: [id], using: gist, unique: true}
        """) == [
        "7:36: 'default' of column t.m uses 'sad', which is not a value of enum mood (its values: happy)",
        "9:40: generated column t.h refers to generated column g; PostgreSQL does not allow a generated "
        "column to use another, so repeat that column's expression instead",
        "11:15: index t_id_idx of t uses column id of type bigint, which has no default operator class for "
        "access method gist",
        "11:28: index t_id_idx of t is unique, but access method gist does not support unique indexes; "
        "only btree does",
    ]


def test_an_extension_that_may_add_operator_classes_stands_the_check_down() -> None:
    text = """
        table: t
        columns:
          - {name: id, type: bigint}
        indexes:
          - {columns: [id], using: gin}
        """
    assert errors_of(text)[0].endswith("has no default operator class for access method gin")
    builds("extension: btree_gin\n---\n" + textwrap.dedent(text))


def test_labels_are_checked_against_the_enum_of_their_column_only() -> None:
    builds("""
        enum: mood
        values: [happy]
        ---
        table: t
        columns:
          - {name: m, type: mood}
          - {name: note, type: text, check: "note <> 'sad' and m = 'happy'"}
        """)


def test_a_cast_to_the_folded_name_of_an_enum_with_capitals() -> None:
    assert errors_of("""
        enum: Mood
        values: [happy]
        ---
        table: t
        columns:
          - {name: m, type: Mood, default: "'happy'::Mood"}
        """) == ["6:36: 'default' of column t.m casts to type mood, which is not declared: SQL folds an "
                 "unquoted name to lower case, so write the enum Mood as \"Mood\" in an expression"]


def test_set_default_on_a_not_null_column_with_a_default_is_fine() -> None:
    builds("""
        table: orgs
        columns:
          - {name: id, type: bigint, primary_key: true}
        ---
        table: t
        columns:
          - {name: org_id, type: bigint, nullable: false, default: 1, references: orgs.id, on_delete: set default}
          - {name: other, type: bigint, references: orgs.id, on_delete: set null}
        """)


# -- constants

@pytest.mark.parametrize(("type_name", "text", "stored", "problem"), [
    ("integer", " -12 ", True, None), ("integer", "1.5", True, "invalid input syntax for type integer"),
    ("bigint", "x", True, "invalid input syntax for type bigint"),
    ("smallint", "32768", False, "out of range for type smallint"),
    ("boolean", "o", True, "invalid input syntax for type boolean"), ("boolean", "of", True, None),
    ("jsonb", "NaN", True, "invalid input syntax for type jsonb"), ("uuid", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", True, None),
    ("character varying(2)", "abc", False, None),
    # a date: only what is surely none, so no spelling PostgreSQL reads is refused
    ("date", "someday", True, "invalid input syntax for type date"),
    ("date", "2024-02-30", True, "date/time field value out of range: '2024-02-30' is no day of the calendar"),
    ("date", "Jan 5 2024", True, None), ("date", "20240105", True, None), ("date", " 2024-1-5 ", True, None),
    ("timestamp with time zone", "today UTC", True, None), ("timestamp(3) without time zone", "epoch", True, None),
    ("timestamp with time zone", "2024-01-05T10:00:00+02", True, None),
])
def test_constant_problem(type_name: str, text: str, stored: bool, problem: str | None) -> None:
    from compiler.model.literal_input import constant_problem
    assert constant_problem(type_name, text, stored) == problem


def test_numeric_value_of_a_default() -> None:
    assert expression_facts("-40000").value_number == "-40000"
    assert expression_facts("(7)").value_number == "7"
    assert expression_facts("7 + 1").value_number is None


def test_constants_cast_to_built_in_types() -> None:
    facts = expression_facts("a > 'abc'::int and b = CAST('x' AS uuid) and c <> '{1,y}'::bigint[]")
    assert {u for u in facts.labels if u.target[0] == "builtin"} == {
        LabelUse(("builtin", "integer"), "abc"), LabelUse(("builtin", "uuid"), "x"),
        LabelUse(("builtin", "bigint"), "1"), LabelUse(("builtin", "bigint"), "y")}


def test_facts_of_an_expression_sqlglot_cannot_read() -> None:
    # `IS NFC NORMALIZED` and `<->` are read from PostgreSQL's tokens; the calls are still seen
    facts = expression_facts("s IS NFC NORMALIZED and p <-> point(0, 0) < now() - current_date")
    assert facts.calls == ("point", "now", "current_date")
    assert facts.not_immutable == ["now()", "current_date"]
