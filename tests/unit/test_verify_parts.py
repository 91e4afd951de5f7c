"""The pieces of verify that need no database: column order, startup options, statement chunks, signals."""
from __future__ import annotations

import os
import signal

import pytest

from compiler.live.signals import Interrupted, signals_as_exceptions, signals_held
from compiler.live.throwaway import _options
from compiler.live.verify import _change_chunks
from compiler.plan.column_order import compare_column_order
from tests.helpers import schema_of


def _table(*columns: str) -> str:
    return "table: t\ncolumns:\n" + "".join(f"  - {{name: {c}, type: text}}\n" for c in columns)


def test_appended_columns_are_noted_and_named() -> None:
    built, wanted = schema_of(_table("a", "b", "c", "x", "y")), schema_of(_table("a", "x", "b", "y", "c"))
    check = compare_column_order(built, wanted, created=set())
    assert check.failures == []
    assert check.notes == ["public.t: ADD COLUMN appends, so x, y are not where the definitions put them "
                           "(order in the database: a, b, c, x, y)"]


def test_a_table_created_now_must_match() -> None:
    built, wanted = schema_of(_table("a", "c", "b")), schema_of(_table("a", "b", "c"))
    check = compare_column_order(built, wanted, created={"public.t"})
    assert check.failures == ["table public.t has its columns in the order a, c, b; the definitions say a, b, c"]
    assert compare_column_order(wanted, wanted, created={"public.t"}).failures == []


def test_settings_travel_as_escaped_startup_options() -> None:
    assert _options([("search_path", '"my schema", public'), ("TimeZone", "UTC")]) == \
        '-c search_path="my\\ schema",\\ public -c TimeZone=UTC'


def test_a_transaction_is_cut_before_each_change_comment() -> None:
    sql = ("-- AddColumn public.t.a\nALTER TABLE t ADD COLUMN a text;\n\n"
           "-- SetNotNull public.t.a\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n")
    assert _change_chunks(sql) == ["-- AddColumn public.t.a\nALTER TABLE t ADD COLUMN a text;",
                                   "-- SetNotNull public.t.a\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"]


def test_signals_become_interrupted_and_wait_while_held() -> None:
    before = signal.getsignal(signal.SIGTERM)
    steps = []
    with pytest.raises(Interrupted) as caught, signals_as_exceptions():
        with signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            steps.append("cleanup ran to its end")
        steps.append("not reached")
    assert steps == ["cleanup ran to its end"]
    assert caught.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is before
