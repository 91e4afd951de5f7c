"""Hazards as data: every change kind declares its effects; the fields that decide them are read."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from compiler.model.hazard_names import ADVICE, HAZARDS, MEANING
from compiler.model.schema import Schema
from compiler.plan import changes as ch
from compiler.plan import online
from compiler.plan.diff import diff, plan
from compiler.plan.hazards import Effects, Lock, rewrites_for_type
from compiler.plan.lint import Acknowledgements, findings, unacknowledged
from tests.helpers import schema_of

T = """
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: name, type: text}
"""


def undeclared(kinds: tuple[type[ch.Change], ...]) -> list[str]:
    return [k.__name__ for k in kinds if k.EFFECTS is None]


def test_every_change_kind_declares_its_effects() -> None:
    assert len(ch.change_kinds()) > 40
    assert undeclared(ch.change_kinds()) == []


def test_a_kind_without_effects_is_caught() -> None:
    @dataclass(frozen=True)
    class Undeclared(ch.TableChange):  # no slots: change_kinds() does not count it
        pass

    assert undeclared((ch.CreateTable, Undeclared)) == ["Undeclared"]
    with pytest.raises(NotImplementedError):
        _ = Undeclared(ch.TableName("public", "t")).hazards


def test_every_hazard_is_named_once_and_explained() -> None:
    assert len(set(HAZARDS)) == len(HAZARDS)
    assert set(MEANING) == set(ADVICE) == set(HAZARDS)


def test_lock_labels_are_postgresql_words() -> None:
    assert Lock.SHARE_ROW_EXCLUSIVE.label == "SHARE ROW EXCLUSIVE"
    assert Lock.ACCESS_EXCLUSIVE.blocks == "reads and writes"
    assert not Lock.SHARE_UPDATE_EXCLUSIVE.blocks_writes


@pytest.mark.parametrize(("old", "new", "rewrites"), [
    ("character varying(10)", "character varying(20)", False),
    ("character varying(10)", "text", False),
    ("character varying(10)", "character varying", False),
    ("text", "character varying", False),
    ("numeric(10,2)", "numeric(12,2)", False),
    ("numeric(10,2)", "numeric", False),
    ("text", "citext", False),
    ("character varying(20)", "character varying(10)", True),
    ("text", "character varying(10)", True),
    ("numeric(10,2)", "numeric(10,3)", True),
    ("numeric", "numeric(10,2)", True),
    ("integer", "bigint", True),
    ("character varying(10)[]", "text[]", True),
    ("timestamp without time zone", "timestamp with time zone", True),
    ("timestamp with time zone", "timestamp without time zone", True),  # in place only under a UTC session
    ("character varying(10)[]", "character varying(20)[]", True),
    ("character varying(10)[]", "character varying[]", False),
    ("bit varying(5)", "bit varying(10)", False),
    ("bit varying", "bit varying(10)", True),
    ("interval(3)", "interval(6)", False),
    ("interval", "interval(3)", True),
    ("timestamp(3) without time zone", "timestamp(6) without time zone", False),
    ("timestamp without time zone", "timestamp(6) without time zone", False),
    ("timestamp(6) without time zone", "timestamp(3) without time zone", True),
    ("time(3) with time zone", "time(6) with time zone", False),
])
def test_type_changes_postgresql_makes_in_place(old: str, new: str, rewrites: bool) -> None:
    assert rewrites_for_type(old, new) is rewrites


def _changes(old: str, new: str) -> list[ch.Change]:
    return diff(schema_of(old) if old else Schema(), schema_of(new))


def test_a_new_column_rewrites_only_with_a_default_computed_per_row() -> None:
    def added(column: str) -> ch.Change:
        (c,) = _changes(T, T + f"  - {column}\n")
        return c

    assert added("{name: u, type: uuid, default: gen_random_uuid()}").hazards == ("rewrite",)
    assert added("{name: at, type: timestamptz, default: now()}").hazards == ()
    assert added("{name: n, type: integer, identity: always}").hazards == ("rewrite",)
    assert added("{name: n, type: integer, nullable: false}").hazards == ("fails_on_rows",)
    assert added("{name: n, type: integer, nullable: false, default: 0}").hazards == ()


def test_an_index_read_for_concurrently_takes_the_weaker_lock() -> None:
    """The online form (a `concurrently` field on index changes) is read wherever it is present."""
    (create,) = _changes(T, T + "indexes:\n  - columns: [name]\n")
    assert isinstance(create, ch.CreateIndex)
    assert create.effects.lock is Lock.SHARE and create.hazards == ("lock",)

    @dataclass(frozen=True)
    class Concurrent(ch.CreateIndex):
        concurrently: bool = True

    @dataclass(frozen=True)
    class ConcurrentDrop(ch.DropIndex):
        concurrently: bool = True

    online = Concurrent(create.table, create.index)
    assert online.effects.lock is Lock.SHARE_UPDATE_EXCLUSIVE and online.hazards == ()
    assert ConcurrentDrop(create.table, create.index).effects.lock is Lock.SHARE_UPDATE_EXCLUSIVE
    assert ch.DropIndex(create.table, create.index).effects.lock is Lock.ACCESS_EXCLUSIVE


def test_a_rewrite_is_named_alone_and_a_weak_lock_is_no_hazard() -> None:
    assert Effects(Lock.ACCESS_EXCLUSIVE, scans=True, rewrites=True).hazards(False) == ("rewrite",)
    assert Effects(Lock.SHARE_UPDATE_EXCLUSIVE, scans=True).hazards(False) == ()
    assert Effects(Lock.SHARE, scans=True).hazards(True) == ("lock", "data_loss")


def test_a_table_created_in_the_same_migration_has_no_hazards() -> None:
    new = T + "indexes:\n  - columns: [name]\nchecks:\n  - {name: short, expression: \"length(name) < 9\"}\n"
    assert findings(plan(Schema(), schema_of(new))) == []
    assert {f.hazard for f in findings(plan(schema_of(T), schema_of(new)))} == {"lock", "fails_on_rows"}


def test_a_rollback_that_narrows_or_drops_says_so() -> None:
    old, new = T.replace("type: text", "type: varchar(20)"), T + "  - {name: extra, type: text}\n"
    assert findings(plan(schema_of(old), schema_of(new))) == []  # varchar(20) -> text: in place
    back = findings(plan(schema_of(new), schema_of(old)))
    assert [(f.subject, f.hazard) for f in back] == [
        ("public.t.extra", "data_loss"), ("public.t.extra", "breaks_code"),
        ("public.t.name", "rewrite"), ("public.t.name", "data_loss"), ("public.t.name", "fails_on_rows")]


def test_acknowledgements_match_the_object_by_its_new_name() -> None:
    old = T + "  - {name: gone, type: text}\n"
    new = T.replace("table: t", "table: u\nrenamed_from: t").replace("{name: name, type: text}",
                                                                    "{name: label, type: text, renamed_from: name}")
    the_plan = plan(schema_of(old), schema_of(new))
    assert {(f.subject, f.hazard) for f in findings(the_plan)} == {
        ("public.t", "breaks_code"), ("public.t.gone", "data_loss"), ("public.t.gone", "breaks_code"),
        ("public.u.name", "breaks_code")}
    on_column = Acknowledgements({("column", "public.u", "label"): frozenset({"breaks_code"})})
    assert {f.subject for f in unacknowledged(findings(the_plan, on_column))} == {"public.t", "public.t.gone"}
    on_table = Acknowledgements({("table", "public.u"): frozenset({"breaks_code", "data_loss"})})
    assert unacknowledged(findings(the_plan, on_table)) == []
    everywhere = Acknowledgements(everywhere=frozenset({"breaks_code"}))
    assert [f.hazard for f in unacknowledged(findings(the_plan, everywhere))] == ["data_loss"]


def test_allow_is_no_part_of_the_schema() -> None:
    allowed = T.replace("table: t\n", "table: t\nallow: [rewrite]\n").replace(
        "type: text}", "type: text, allow: [lock, breaks_code]}")
    assert schema_of(allowed) == schema_of(T)
    assert diff(schema_of(T), schema_of(allowed)) == []


def _advice(old: str, new: str, kind: type[ch.Change]) -> list[str]:
    return [f.advice for f in findings(plan(schema_of(old), schema_of(new)))
            if f.kind == kind.__name__ and f.hazard == "lock"]


def test_an_index_built_plainly_for_a_new_key_says_why_instead_of_asking_for_concurrently() -> None:
    child = "---\ntable: c\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: ref, type: text}\n"
    old = T + child
    new = (T + "indexes:\n  - {columns: [name], unique: true, concurrently: true}\n"
           + child.replace("type: text}", "type: text, references: t.name}"))
    assert _advice(old, new, ch.CreateIndex) == [online.KEY_NEEDS_INDEX]
    assert "foreign key" in online.KEY_NEEDS_INDEX and "concurrently: true" in online.KEY_NEEDS_INDEX
    # without the key it is built CONCURRENTLY: no hazard to advise on
    assert _advice(T, T + "indexes:\n  - {columns: [name], unique: true, concurrently: true}\n",
                   ch.CreateIndex) == []
    # without the key's need, an index that does not ask is told to
    assert _advice(T, T + "indexes:\n  - {columns: [name], unique: true}\n", ch.CreateIndex) == [
        ch.CONCURRENTLY]


def test_a_new_key_is_advised_with_what_schemac_offers() -> None:
    unique = _advice(T, T.replace("type: text}", "type: text, unique: true}"), ch.AddConstraint)
    no_key = T.replace(", primary_key: true", "")
    primary = _advice(no_key, T, ch.AddConstraint)
    for advice in unique + primary:
        assert "USING INDEX" not in advice and "allow: [lock]" in advice
    assert all("unique index with `concurrently: true`" in a for a in unique) and unique
    assert all("primary key" in a for a in primary) and primary
