"""The definitions' reader for `sequence:` and `domain:` documents: what it builds, and each mistake
said at its place (file:line:col), nothing built."""
from __future__ import annotations

import pytest

from compiler.errors import DefinitionErrors
from compiler.model.seed_values import seed_literal
from compiler.warehouse.files import warehouse_files
from tests.helpers import schema_of

TABLE = """
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: n, type: bigint}
"""


def errors(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        schema_of(text)
    return [str(e) for e in info.value.errors]


def test_a_sequence_keeps_only_the_options_that_differ_from_its_types_defaults() -> None:
    s = schema_of("sequence: s\ntype: int2\nincrement: -1\nmaxvalue: -1\nstart: -1\ncache: 4\ncycle: false\n"
                  "owned_by: t.n\n---\n" + TABLE)
    q = s.sequences["public.s"]
    assert (q.type, q.options, q.owned_by) == ("smallint", (("increment", -1), ("cache", 4)), "t.n")
    assert schema_of("sequence: s\nowned_by: none\n").sequences["public.s"].owned_by is None


@pytest.mark.parametrize(("text", "message"), [
    ("sequence: s\ntype: numeric\n", "2:7: error: the type of sequence s must be one of smallint, integer, bigint, "
                                     "not 'numeric'"),
    ("sequence: s\ntype: smallint\nmaxvalue: 40000\n", "1:11: error: sequence s: sequence option 'maxvalue' 40000 is "
                                                       "out of range for smallint"),
    ("sequence: s\nincrement: 0\n", "1:11: error: sequence s: sequence option 'increment' must not be zero"),
    ("sequence: s\nminvalue: 10\nmaxvalue: 5\n", "1:11: error: sequence s: sequence option 'minvalue' 10 must be less "
                                                 "than 'maxvalue' 5"),
    ("sequence: s\nstart: 0\n", "1:11: error: sequence s: sequence option 'start' 0 must be between 1 and"),
    ("sequence: s\ncache: 0\n", "1:11: error: sequence s: sequence option 'cache' must be at least 1"),
    ("sequence: s\nrestart: 5\n", "2:1: error: unknown key 'restart' in a sequence"),
    ("sequence: s\nowned_by: t\n", "2:11: error: 'owned_by' of sequence s is table.column"),
    ("sequence: s\nowned_by: u.n\n---\n" + TABLE, "2:11: error: sequence public.s is owned by u.n, but schema public "
                                                  "has no table u"),
    ("sequence: s\nowned_by: t.m\n---\n" + TABLE, "2:11: error: sequence public.s is owned by t.m, but table t has no "
                                                  "column m"),
    ("sequence: s\nschema: app\nowned_by: t.n\n---\n" + TABLE, "3:11: error: sequence app.s is owned by t.n, but "
                                                               "schema app has no table t"),
    ("sequence: s\nowned_by: t.n\n---\n" + TABLE.replace("type: bigint}", "type: bigint, default: \"nextval('s')\"}"),
     "2:11: error: sequence public.s is owned by t.n, whose default is its nextval: that is a serial column"),
    ("sequence: s\n---\nsequence: s\n", "3:11: error: sequence public.s is declared twice"),
    (TABLE.replace("type: bigint}", "type: bigint, default: \"nextval('orders_seq')\"}"),
     "4:38: error: 'default' of column t.n calls sequence orders_seq, which is not declared; declare it with a "
     "'sequence:' document"),
    ("sequence: order_seq\n---\n" + TABLE.replace("type: bigint}", "type: bigint, default: \"nextval('orders_seq')\"}"),
     "7:38: error: 'default' of column t.n calls sequence orders_seq, which is not declared (did you mean "
     "'order_seq'?)"),
    # an unqualified name is looked for in public, whatever the schema of the table
    ("sequence: s\nschema: app\n---\n" + TABLE.replace("table: t", "table: t\nschema: app").replace(
        "type: bigint}", "type: bigint, default: \"nextval('s')\"}"),
     "9:38: error: 'default' of column t.n calls sequence s, which is not declared in public, where a migration "
     "looks for an unqualified name; write 'app.s'"),
])
def test_sequence_mistakes_are_said_at_their_place(text: str, message: str) -> None:
    found = errors(text)
    assert len(found) == 1, found
    assert found[0].startswith(f"definitions/test.yaml:{message}"), found


def test_a_default_may_call_a_serial_or_identity_columns_own_sequence() -> None:
    text = TABLE.replace("{name: id, type: bigint, primary_key: true}", "{name: id, type: bigserial, primary_key: true}")
    schema = schema_of(text.replace("type: bigint}", "type: bigint, default: \"nextval('t_id_seq')\"}"))
    assert schema.sequences == {}


def test_a_domain_reads_its_type_default_collation_and_checks() -> None:
    s = schema_of("""
        enum: mood
        values: [a, b]
        ---
        domain: base
        type: integer
        default: 7
        ---
        domain: over
        type: base
        nullable: false
        checks:
          - expression: "VALUE > 0"
          - expression: "VALUE < 10"
          - {name: odd, expression: "VALUE % 2 = 1"}
        ---
        domain: code
        schema: app
        type: varchar(4)
        collation: C
        ---
        domain: moods
        type: "mood[]"
        ---
        table: t
        columns:
          - {name: a, type: over}
          - {name: b, type: app.code, collation: POSIX}
          - {name: c, type: "moods"}
        """)
    over = s.domains["public.over"]
    assert (over.type, over.not_null, [c.name for c in over.checks]) == ("base", True,
                                                                         ["odd", "over_check", "over_check1"])
    assert over.default is not None and over.default.text == "7"  # copied from base, as CREATE DOMAIN does
    assert s.domains["app.code"].type == "character varying(4)"
    assert [c.type for c in s.tables["public.t"].columns] == ["over", "app.code", "moods"]


@pytest.mark.parametrize(("text", "message"), [
    ("domain: d\n", "1:1: error: domain d needs 'type'"),
    ("domain: d\ntype: intger\n", "2:7: error: unknown type 'intger'"),
    ("domain: d\ntype: integer\nchecks:\n  - {expression: \"price > 0\"}\n",
     "4:18: error: a check of domain d reads VALUE, the value checked; 'price' is not a column a domain has"),
    ("domain: d\ntype: integer\nchecks:\n  - {name: c}\n", "4:5: error: a check of domain d needs 'expression'"),
    ("domain: d\ntype: integer\nchecks:\n  - {name: c, expression: \"VALUE > 0\"}\n  - {name: c, expression: "
     "\"VALUE > 1\"}\n", "5:12: error: check c appears twice in domain d"),
    ("domain: d\ntype: integer\ndefault: \"VALUE + 1\"\n", "3:10: error: 'default' of domain d refers to value"),
    ("domain: d\ntype: integer\ncollation: C\n", "3:12: error: domain d is over integer, which has no collation"),
    ("domain: d\ntype: e\n---\ndomain: e\ntype: d\n", "1:9: error: domain public.d is over itself through public.e"),
    ("domain: d\ntype: text\nnullable: maybe\n", "3:11: error: 'nullable' must be true or false"),
    ("domain: d\ntype: text\ncheck: \"VALUE <> ''\"\n", "3:1: error: unknown key 'check' in a domain (did you mean "
                                                        "'checks'?)"),
    ("domain: d\ntype: integer\n---\n" + TABLE.replace("type: bigint}", "type: d, collation: C}"),
     "8:35: error: column t.n is d, which has no collation"),
])
def test_domain_mistakes_are_said_at_their_place(text: str, message: str) -> None:
    found = errors(text)
    assert found and found[0].startswith(f"definitions/test.yaml:{message}"), found


def test_a_seed_value_of_a_domain_is_read_as_its_base_type_and_cast_to_the_domain() -> None:
    assert seed_literal("positive", 5, None, stored_as="integer") == "'5'::public.positive"


def test_the_warehouse_types_a_domain_column_as_its_base() -> None:
    s = schema_of("""
        domain: money_amount
        type: numeric(12,2)
        ---
        table: sales
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: amount, type: money_amount}
        warehouse: {bigquery: true}
        """)
    text = warehouse_files(s, "analytics")
    assert any(b"amount NUMERIC(12, 2)" in v for v in text.values()), text


def _acknowledged(text: str) -> tuple[object, dict]:
    from compiler.definitions.build import build_schema_and_acknowledged
    from compiler.definitions.load import load_text
    errors: list = []
    docs = load_text(text, "definitions/test.yaml", errors)
    return build_schema_and_acknowledged(docs, errors)


def test_allow_on_a_domain_or_a_sequence_acknowledges_its_changes_hazards() -> None:
    from compiler.plan.diff import plan
    from compiler.plan.lint import Acknowledgements, findings
    before = "domain: d\ntype: integer\n---\nsequence: s\nmaxvalue: 1000\n"
    after = ("domain: d\ntype: integer\nchecks: [{name: c, expression: VALUE > 0}]\nallow: [lock, fails_on_rows]\n"
             "---\nsequence: s\nmaxvalue: 10\nallow: [fails_on_rows]\n")
    old, _ = _acknowledged(before)
    new, ack = _acknowledged(after)
    found = findings(plan(old, new), Acknowledgements(ack))  # type: ignore[arg-type]
    assert sorted((f.kind, f.hazard, f.acknowledged) for f in found) == [
        ("AddDomainCheck", "fails_on_rows", True), ("AddDomainCheck", "lock", True),
        ("AlterSequence", "fails_on_rows", True)]
    found = findings(plan(old, new), Acknowledgements())  # type: ignore[arg-type]
    assert [f.acknowledged for f in found] == [False, False, False]


@pytest.mark.parametrize(("text", "message"), [
    ("enum: d\nvalues: [a]\n---\ndomain: d\ntype: text\n", "4:9: error: domain public.d has the name of enum public.d"),
    ("domain: t\ntype: text\n---\n" + TABLE, "1:9: error: domain public.t has the name of table public.t"),
])
def test_a_domain_cannot_take_the_name_of_another_type(text: str, message: str) -> None:
    assert errors(text)[0].startswith(f"definitions/test.yaml:{message}")


@pytest.mark.parametrize(("text", "message"), [
    ("sequence: t\n---\n" + TABLE, "1:11: error: sequence public.t has the name of table t"),
    ("sequence: t_pkey\n---\n" + TABLE, "1:11: error: sequence public.t_pkey has the name of primary key t_pkey of t"),
    ("sequence: t_id_seq\n---\n" + TABLE.replace("type: bigint, primary_key", "type: bigserial, primary_key"),
     "1:11: error: sequence public.t_id_seq has the name of the sequence of column t.id"),
])
def test_a_sequence_cannot_take_the_name_of_another_relation(text: str, message: str) -> None:
    assert errors(text)[0].startswith(f"definitions/test.yaml:{message}")


def test_a_sequence_follows_its_owners_renames_without_a_change_of_its_own() -> None:
    from compiler.plan.diff import diff
    old = schema_of("sequence: s\nowned_by: t.n\n---\n" + TABLE)
    new = schema_of("sequence: s\nowned_by: u.m\n---\n" + TABLE.replace("table: t", "table: u\nrenamed_from: t")
                    .replace("{name: n, type: bigint}", "{name: m, type: bigint, renamed_from: n}"))
    assert [c.kind for c in diff(old, new)] == ["RenameTable", "RenameColumn", "RenameConstraint"]  # its pkey
    assert [c.kind for c in diff(new, old)] == ["RenameTable", "RenameColumn", "RenameConstraint"]
