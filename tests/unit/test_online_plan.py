"""Where the online forms go (plan/online.py), the marks that say when each is done, and the
keys' place outside the model's equality; no database."""
from __future__ import annotations

import pytest

from compiler.errors import DatabaseError
from compiler.plan import changes as ch
from compiler.plan.diff import plan
from compiler.plan.order import BlockKind
from compiler.sql.migration_file import DoneWhen, segments
from compiler.sql.render import Renderer
from compiler.sql.state import State, dump_state, load_state
from tests.change_cases import ONLINE_CASES, PARENT, T
from tests.helpers import schema_of


def blocks(old: str, new: str) -> list[tuple[BlockKind, list[str]]]:
    return [(b.kind, [c.kind for c in b.changes]) for b in plan(schema_of(old), schema_of(new)).blocks]


def test_a_concurrent_build_and_drop_run_after_the_transaction_drops_first() -> None:
    old = T + "indexes:\n  - {name: a_idx, columns: [name], concurrently: true}\n"
    new = T + "  - {name: note, type: text}\nindexes:\n  - {name: b_idx, columns: [note], concurrently: true}\n"
    assert blocks(old, new) == [(BlockKind.TRANSACTION, ["AddColumn"]),
                                (BlockKind.OUTSIDE_TRANSACTION, ["DropIndex", "CreateIndex"])]


def test_a_concurrent_drop_stays_in_the_transaction_when_its_column_goes() -> None:
    old = T + "  - {name: note, type: text}\nindexes:\n  - {columns: [note], concurrently: true}\n"
    changes = plan(schema_of(old), schema_of(T)).blocks
    assert [b.kind for b in changes] == [BlockKind.TRANSACTION]
    drop = next(c for c in changes[0].changes if isinstance(c, ch.DropIndex))
    assert not drop.concurrently


def test_a_unique_index_a_new_foreign_key_leans_on_is_built_in_the_transaction() -> None:
    old = T + PARENT.replace("primary_key: true}", "}") + "  - {name: code, type: text}\n"
    new = (T + "  - {name: parent_code, type: text, references: parent.code}\n"
           + PARENT.replace("primary_key: true}", "}") + "  - {name: code, type: text}\n"
           + "indexes:\n  - {columns: [code], unique: true, concurrently: true}\n")
    assert blocks(old, new) == [(BlockKind.TRANSACTION, ["AddColumn", "CreateIndex", "AddForeignKey"])]


def test_online_keys_on_a_new_table_give_the_plain_form() -> None:
    new = T + "  - {name: parent_id, type: bigint, references: parent.id, online: true}\n" + PARENT
    found = plan(schema_of(PARENT.removeprefix("---\n")), schema_of(new))
    assert [b.kind for b in found.blocks] == [BlockKind.TRANSACTION]
    assert not any(getattr(c, "not_valid", False) for c in found.changes)


def test_an_online_not_null_of_a_column_becoming_identity_is_plain() -> None:
    """ADD GENERATED needs the column NOT NULL already, in the same transaction."""
    new = T + "  - {name: n, type: bigint, identity: always, online: true}\n"
    old = T + "  - {name: n, type: bigint}\n"
    assert blocks(old, new) == [(BlockKind.TRANSACTION, ["SetNotNull", "AddIdentity"])]


SETTINGS_MARKS = ("-- schemac:statement settings for the statements below",
                  "-- schemac:statement settings back to the session's own")


def test_the_rollback_of_each_online_case_is_planned_and_marked() -> None:
    for case, (old, new) in ONLINE_CASES.items():
        up = plan(schema_of(old), schema_of(new))
        assert up.changes, case
        text = Renderer().migration(case, up, [])
        tail = [s for s in segments(text) if s.follow_up or not s.transactional]
        # every statement after the row says when it is done (an index comment follows its build, the
        # settings are set before and reset after: each may run again)
        for part in tail:
            assert all(d is not None or "COMMENT ON INDEX" in s or s.splitlines()[0].startswith(SETTINGS_MARKS)
                       for s, d in zip(part.statements, part.done_when, strict=True)), case


def test_done_when_marks_are_read_back() -> None:
    text = Renderer().migration("x", plan(*(schema_of(t) for t in ONLINE_CASES["not_null_through_a_check"])), [])
    parts = segments(text)
    assert [(p.transactional, p.follow_up) for p in parts] == [(True, False), (True, True)]
    assert parts[1].done_when == (DoneWhen("not_null", ("public", "t", "name")),) * 2


def test_an_unreadable_done_when_mark_is_refused() -> None:
    text = Renderer().migration("x", plan(*(schema_of(t) for t in ONLINE_CASES["check_validated_apart"])), [])
    bad = text.replace('{"constraint_valid": ["public", "t", "name_short"]}', '{"constraint_valid": ["t"]}')
    assert bad != text
    with pytest.raises(DatabaseError, match="unreadable mark"):
        segments(bad)


def test_online_keys_take_no_part_in_equality_and_are_kept_in_state_only_when_set() -> None:
    plain = schema_of(T + "  - {name: p, type: bigint, references: parent.id}\nindexes:\n  - {columns: [name]}\n"
                      + PARENT)
    online = schema_of(T + "  - {name: p, type: bigint, references: parent.id, online: true}\n"
                       "indexes:\n  - {columns: [name], concurrently: true}\n" + PARENT)
    assert plan(plain, online).changes == [] and plain == online
    assert b"online" not in dump_state(State(plain, []))
    again = load_state(dump_state(State(online, []))).schema
    t = again.tables["public.t"]
    assert t.indexes[0].concurrently and t.foreign_keys[0].online and t.column("p").online
