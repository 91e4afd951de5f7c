"""The proof of the compiler: a dozen evolution steps over the example, against real PostgreSQL.

For each step the database migrated step by step must have the same catalog as one built in one
step from the same definitions, and each rollback must restore the previous catalog exactly.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compiler.pipeline import compile_project, write_result
from compiler.project import Project
from tests.conftest import REPO, create_database, drop_database
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import write_definitions

BASE = {p.relative_to(REPO / "definitions").as_posix(): p.read_text()
        for p in sorted((REPO / "definitions").rglob("*.yaml"))}


def _edit(files: dict[str, str], **changes: str | None) -> dict[str, str]:
    out = dict(files)
    for key, text in changes.items():
        path = key.replace("__", "/") + ".yaml"
        if text is None:
            out.pop(path)
        else:
            out[path] = textwrap.dedent(text).lstrip("\n")
    return out


def _replace(files: dict[str, str], path: str, old: str, new: str) -> dict[str, str]:
    assert old in files[path], f"{old!r} not in {path}"
    return {**files, path: files[path].replace(old, new)}


ORDERS = """
table: order
comment: Reserved words and capitals, quoted everywhere.
columns:
  - {name: id, type: bigint, identity: by default, primary_key: true}
  - {name: user, type: uuid, nullable: false, references: users.id, on_delete: cascade}
  - {name: select, type: "numeric(12,2)", nullable: false, default: 0, check: '"select" >= 0'}
  - {name: "Group Name", type: text}
  - {name: "quote\\"d", type: integer}
indexes:
  - columns: [user, select]
"""


def steps() -> list[tuple[str, dict[str, str]]]:
    s: list[tuple[str, dict[str, str]]] = [("initial", BASE)]
    f = _replace(BASE, "users.yaml", "  - name: updated_at", "  - name: phone\n    type: varchar(32)\n"
                 "    comment: E.164 number.\n  - name: updated_at")
    f = _edit(f, orders=ORDERS)
    s.append(("add column, reserved-word table", f))
    f = _replace(f, "users.yaml", "  - name: display_name\n", "  - name: full_name\n    renamed_from: display_name\n")
    f = _replace(f, "platform/ids.yaml", "table: ids\n", "table: id_registry\nrenamed_from: ids\n")
    s.append(("rename column and table", f))
    f = _replace(f, "users.yaml", "type: varchar(100)", "type: varchar(200)")
    f = _replace(f, "analytics_events.yaml", "type: varchar(100)", "type: text")
    f = _replace(f, "orders.yaml", '{name: "quote\\"d", type: integer}', '{name: "quote\\"d", type: text}')
    s.append(("type changes", f))
    f = _replace(f, "orders.yaml", '{name: "quote\\"d", type: text}', '{name: "quote\\"d", type: bigint}')
    f = _replace(f, "analytics_events.yaml", "  - columns: [created_at]\n",
                 "  - {columns: [created_at], where: \"event_type <> 'heartbeat'\"}\n"
                 "checks:\n  - {expression: \"length(event_type) > 0\"}\nunique:\n  - [user_id, created_at]\n")
    f = _replace(f, "platform/shq_master_error_log.yaml", "  - columns: [source]\n", "")
    s.append(("text to bigint, constraints and indexes", f))
    f = _replace(f, "types.yaml", "values: [active, suspended, deleted]", "values: [pending, active, suspended, deleted]")
    f = _replace(f, "users.yaml", "default: \"'active'\"", "default: \"'pending'\"")
    f = _replace(f, "users.yaml", "checks:\n", "checks:\n  - {name: users_not_pending_deleted, "
                 "expression: \"status <> 'pending' OR email IS NOT NULL\"}\n")
    s.append(("enum value added and used at once", f))
    f = _edit(f, teams="""
        table: teams
        columns:
          - {name: id, type: bigint, identity: always, primary_key: true}
          - {name: owner_id, type: uuid, references: users.id}
          - {name: parent_id, type: bigint, references: teams.id, on_delete: set null}
        """)
    f = _replace(f, "users.yaml", "  - name: created_at\n", "  - name: team_id\n    type: bigint\n"
                 "    references: teams.id\n  - name: created_at\n")
    s.append(("foreign key cycle and self-reference", f))
    f = _replace(f, "platform/ids.yaml", "identity: by default", "identity: always")
    f = _replace(f, "platform/ids.yaml", "    type: text\n    nullable: false\n", "    type: text\n")
    f = _replace(f, "users.yaml", "  - name: full_name\n    renamed_from: display_name\n    type: varchar(200)\n",
                 "  - name: full_name\n    renamed_from: display_name\n    type: varchar(200)\n"
                 "    nullable: false\n    default: \"''\"\n")
    f = _replace(f, "analytics_events.yaml", "    default: \"'{}'::jsonb\"\n", "")
    s.append(("identity, nullability and defaults", f))
    f = _replace(f, "types.yaml", "values: [debug, info, warning, error, critical]", "values: [info, warning, error, critical]")
    f = _replace(f, "platform/shq_master_error_log.yaml", "  - columns: [occurred_at]\n",
                 "  - {name: shq_master_error_log_critical_idx, columns: [occurred_at], where: \"severity = 'critical'\"}\n")
    s.append(("enum value removed (recreated)", f))
    f = _edit(f, audit__log="""
        table: AuditLog
        schema: audit
        comment: Mixed-case names in their own schema.
        columns:
          - {name: id, type: bigserial, primary_key: true}
          - {name: "Order Id", type: bigint, references: public.order.id}
          - {name: level, type: audit.level, nullable: false, default: "'low'"}
          - {name: tags, type: "text[]", nullable: false, default: "'{}'"}
          - {name: total_cents, type: bigint}
          - {name: total, type: "numeric(14,2)", generated: "total_cents / 100.0"}
        indexes:
          - {columns: [tags], using: gin}
          - {expression: "lower(\\"Order Id\\"::text)"}
        ---
        enum: level
        schema: audit
        values: [low, high]
        """)
    s.append(("new schema, mixed case, generated, serial", f))
    f = _replace(f, "audit/log.yaml", "  - {name: total, type: \"numeric(14,2)\", generated: \"total_cents / 100.0\"}\n",
                 "  - {name: total, type: \"numeric(14,2)\"}\n")
    f = _replace(f, "users.yaml", "comment: People who can sign in.\n", "")
    f = _replace(f, "users.yaml", "    comment: E.164 number.\n", "")
    s.append(("generation dropped, comments removed", f))
    f = _edit(f, orders=None)
    f = _replace(f, "audit/log.yaml", "  - {name: \"Order Id\", type: bigint, references: public.order.id}\n", "")
    f = _replace(f, "audit/log.yaml", "  - {expression: \"lower(\\\"Order Id\\\"::text)\"}\n", "")
    f = _replace(f, "users.yaml", "  - name: phone\n    type: varchar(32)\n", "")
    f = _edit(f, teams=None)
    f = _replace(f, "users.yaml", "  - name: team_id\n    type: bigint\n    references: teams.id\n", "")
    s.append(("drops", f))
    return s


def _compile(root: Path, files: dict[str, str]) -> tuple[str, str]:
    write_definitions(root, files)
    result = compile_project(Project(root), allow_destructive=True)
    assert result.changes, "the step changed nothing"
    write_result(Project(root), result)
    record = result.record
    assert record is not None
    return ((root / "generated" / record.file).read_text(), (root / "generated" / record.rollback).read_text())


def test_steps_are_many_and_distinct() -> None:
    all_steps = steps()
    assert len(all_steps) >= 10
    assert len({tuple(sorted(f.items())) for _, f in all_steps}) == len(all_steps)


def test_stepwise_equals_one_step_and_rollbacks_restore(tmp_path: Path, admin_url: str, database_url: str) -> None:
    previous = catalog(database_url)
    assert previous["tables"] == []
    for i, (title, files) in enumerate(steps(), start=1):
        up, down = _compile(tmp_path / "stepwise", files)
        run_sql_file(database_url, up)
        stepwise = catalog(database_url)
        assert stepwise != previous, f"step {i} ({title}) changed nothing in the database"

        one_step_url = create_database(admin_url)
        try:
            one_up, _ = _compile(tmp_path / f"one_step_{i}", files)
            run_sql_file(one_step_url, one_up)
            built = catalog(one_step_url)
        finally:
            drop_database(admin_url, one_step_url)
        for part in stepwise:
            assert stepwise[part] == built[part], f"step {i} ({title}): {part} differ"

        run_sql_file(database_url, down)
        restored = catalog(database_url)
        for part in previous:
            assert restored[part] == previous[part], f"rollback of step {i} ({title}): {part} differ"
        run_sql_file(database_url, up)
        assert catalog(database_url) == stepwise, f"step {i} ({title}) re-applied after its rollback differs"
        previous = stepwise


@pytest.mark.parametrize("index", range(len(steps())))
def test_each_step_compiles_to_nothing_more(tmp_path: Path, index: int) -> None:
    """After compiling a step, compiling the same definitions again finds no change."""
    for _, files in steps()[: index + 1]:
        _compile(tmp_path, files)
    write_definitions(tmp_path, steps()[index][1])
    assert compile_project(Project(tmp_path)).changes == []
