"""The SQL of every kind of change, up and rollback, pinned as reviewable .sql files."""
from __future__ import annotations

import textwrap

import pytest

from compiler import changes as ch
from compiler.diff import diff
from compiler.model import Schema
from compiler.render import Renderer
from tests.change_cases import CASES
from tests.helpers import schema_of


def _schema(text: str) -> Schema:
    return schema_of(textwrap.dedent(text)) if text.strip() else Schema()


def _sql(old: Schema, new: Schema) -> str:
    r = Renderer()
    up = r.migration("up", diff(old, new), [])
    down = r.migration("rollback", diff(new, old), [])
    return up + "\n" + down


@pytest.mark.parametrize("case", sorted(CASES))
def test_change_sql(case: str, sql_snapshot) -> None:
    old, new = (_schema(t) for t in CASES[case])
    assert _sql(old, new) == sql_snapshot


def test_cases_cover_every_change_kind() -> None:
    seen = set()
    for old_text, new_text in CASES.values():
        old, new = _schema(old_text), _schema(new_text)
        seen |= {type(c) for c in diff(old, new) + diff(new, old)}
    assert set(ch.CHANGE_KINDS) - seen == set()
