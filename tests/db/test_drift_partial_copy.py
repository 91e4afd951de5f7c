"""drift's reference copy holds only the tables that differ from the live ones: what it finds, and
the SQL it prints, are what a reference copy of the whole state.json gives."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.live.database import connect
from compiler.live.introspect import introspect
from compiler.live.scratch import canonical, canonical_against
from compiler.live.throwaway import dev_server
from compiler.live.unmanaged import managed_part
from compiler.plan.diff import diff, plan
from compiler.project import Project
from compiler.sql.render import Renderer
from compiler.sql.state import load_state
from tests.db.catalog import run_sql_file
from tests.db.test_drift_properties import BATCHES, DEFINITIONS
from tests.helpers import run_cli, write_definitions

# PostgreSQL stores BETWEEN as two comparisons: a form the model keeps apart from what the catalog
# prints, so this table is built on the throwaway database while the others are taken as they are
SPELLED_APART = {"ranges.yaml": """
    table: ranges
    columns:
      - {name: id, type: integer, primary_key: true}
      - {name: share, type: numeric, check: share BETWEEN 0 AND 1}
"""}


def _no_server():  # type: ignore[no-untyped-def]
    raise AssertionError("a throwaway database was asked for")


def test_the_partial_copy_finds_what_the_whole_one_finds(tmp_path: Path, database_url: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, DEFINITIONS | SPELLED_APART)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    state = load_state(Project(tmp_path).read_state_bytes())
    server = dev_server(None, database_url)

    def live_schema():  # type: ignore[no-untyped-def]
        with connect(database_url) as conn:
            return managed_part(conn, introspect(conn))

    live = live_schema()
    equal = {k for k, t in state.schema.tables.items() if live.tables[k] == t}
    assert equal and equal != state.schema.tables.keys()  # some tables are built, some taken as they are
    assert diff(live, canonical_against(state.schema, live, lambda: server)) == []
    for batch, edits in BATCHES.items():
        run_sql_file(database_url, ";\n".join(sql for sql, _ in edits) + ";")
        live = live_schema()
        partial, whole = canonical_against(state.schema, live, lambda: server), canonical(state.schema, server)
        assert len(partial.tables) == len(whole.tables)
        found, expected = diff(live, partial), diff(live, whole)
        assert found == expected, batch
        assert found, batch
        render = Renderer().migration
        assert render("drift", plan(live, partial), []) == render("drift", plan(live, whole), []), batch
        code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
        assert code == 1, out + err
        run_sql_file(database_url, out.split("SQL that would reconcile the database:\n", 1)[1])  # clean again
        assert run_cli(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0, batch


def test_no_throwaway_database_when_every_table_is_equal(tmp_path: Path, database_url: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": """
        enum: mood
        values: [happy, sad]
        ---
        table: t
        columns:
          - {name: id, type: bigint, identity: by default, primary_key: true}
          - {name: name, type: varchar(64), nullable: false, unique: true}
          - {name: mood, type: mood, nullable: false, default: "'happy'"}
          - {name: at, type: timestamptz, default: now()}
        indexes:
          - {columns: [name, id]}
    """})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    state = load_state(Project(tmp_path).read_state_bytes())
    with connect(database_url) as conn:
        live = managed_part(conn, introspect(conn))
    assert diff(live, canonical_against(state.schema, live, _no_server)) == []
