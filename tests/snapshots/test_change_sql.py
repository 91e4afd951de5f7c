"""The SQL of every kind of change, up and rollback, pinned as reviewable .sql files."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compiler.definitions.settings import MigrationTimeouts
from compiler.model.schema import Schema
from compiler.model.types import extension_schemas, extension_type_schemas
from compiler.plan import changes as ch
from compiler.plan.diff import diff, plan
from compiler.plan.diff_security import rollback_target
from compiler.sql.render import Renderer
from tests.change_cases import CASES
from tests.helpers import run_cli, schema_of, write_definitions


def _schema(text: str) -> Schema:
    return schema_of(textwrap.dedent(text)) if text.strip() else Schema()


def _sql(old: Schema, new: Schema) -> str:
    r, timeouts = Renderer(), MigrationTimeouts()  # the defaults, as compile writes them without schemac.yaml
    up = r.migration("up", plan(old, new), [], extension_type_schemas(new.extensions.values()), timeouts=timeouts,
                     extension_schemas=extension_schemas(new.extensions.values()))
    down = r.migration("rollback", plan(new, rollback_target(old, new)), [],  # as compile makes it
                       extension_type_schemas(old.extensions.values()), timeouts=timeouts,
                       extension_schemas=extension_schemas(old.extensions.values()))
    return up + "\n" + down


@pytest.mark.parametrize("case", sorted(CASES))
def test_change_sql(case: str, sql_snapshot) -> None:
    old, new = (_schema(t) for t in CASES[case])
    assert _sql(old, new) == sql_snapshot


def _one_of_each_kind() -> dict[type[ch.Change], ch.Change]:
    out: dict[type[ch.Change], ch.Change] = {}
    for case in sorted(CASES):
        old, new = (_schema(t) for t in CASES[case])
        for c in diff(old, new) + diff(new, old):
            out.setdefault(type(c), c)
    return out


def test_cases_cover_every_change_kind() -> None:
    assert [k.__name__ for k in ch.change_kinds() if k not in _one_of_each_kind()] == []


def test_every_change_kind_has_a_snapshot() -> None:
    """Each kind's SQL is pinned in a reviewed .sql file, named by its statement's comment."""
    text = "".join(p.read_text() for p in (Path(__file__).parent / "__snapshots__").rglob("*.sql"))
    assert [k.__name__ for k in ch.change_kinds() if f"-- schemac:statement {k.__name__} " not in text] == []


def test_every_change_says_what_it_touches_and_what_it_loses() -> None:
    for kind, c in _one_of_each_kind().items():
        assert c.subject and c.object_key, kind
        assert c.description == kind.DESCRIPTION.format(s=c.subject)
        assert c.destructive == (c.data_loss is not None), kind
        assert c.lost_data.endswith(c.subject)


MIDDLE_BEFORE = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: text}
  - {name: phone, type: text}
  - {name: note, type: text}
"""


def test_a_column_added_in_the_middle_is_said_to_go_at_the_end(tmp_path, capsys, sql_snapshot) -> None:
    """The header of the migration (and so `plan`) and of its rollback say where PostgreSQL puts it."""
    write_definitions(tmp_path, {"users.yaml": MIDDLE_BEFORE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    after = MIDDLE_BEFORE.replace("  - {name: phone, type: text}\n", "").replace(
        "  - {name: email, type: text}\n", "  - {name: email, type: text}\n  - {name: fax, type: text}\n")
    write_definitions(tmp_path, {"users.yaml": after})
    code, plan, _ = run_cli(tmp_path, capsys, "plan")
    assert code == 0
    assert "-- users.fax is added at the end of the table; PostgreSQL cannot insert a column in the middle" in plan
    code, out, _ = run_cli(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 0 and "note: users.fax is added at the end of the table" in out
    up = (tmp_path / "generated/migrations/002_drop_users_phone_and_add_users_fax.sql").read_text()
    down = (tmp_path / "generated/migrations/rollback_002.sql").read_text()
    # plan shows what compile writes; only its destructive note says the flag is still needed
    assert up == plan.replace("compile refuses it without --allow-destructive", "compiled with --allow-destructive")
    assert up + "\n" + down == sql_snapshot
