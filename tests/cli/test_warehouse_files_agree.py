"""The full-table files describe the BigQuery table the migrations made: each step's migrations are
run, statement by statement, against a small model of BigQuery's tables (columns in order, each
with its type and mode, as sqlglot's BigQuery dialect parses them), and the table of
`<dataset>.<table>.sql` must be that table: a NOT NULL column added later is NULLABLE there, a
column made NOT NULL stays NULLABLE, added columns come last, and a rebuild starts afresh."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from tests.cli.test_warehouse_cli import _no_dataset_variable as _no_dataset_variable  # autouse, here too
from tests.helpers import run_cli, write_definitions

MIGRATIONS = "warehouse/bigquery/migrations"
Columns = list[tuple[str, str, str]]  # name, type, mode (NULLABLE, REQUIRED, REPEATED)

STEPS = [
    # 1: created; every mode PostgreSQL's
    """
    - {name: id, type: bigint, primary_key: true}
    - {name: n, type: integer}
    - {name: tags, type: 'text[]', nullable: false}
    - {name: created_at, type: timestamptz, nullable: false}
    """,
    # 2: a NOT NULL column added in the middle (BigQuery appends it, NULLABLE); n made NOT NULL (stays NULLABLE)
    """
    - {name: id, type: bigint, primary_key: true}
    - {name: n, type: integer, nullable: false}
    - {name: email, type: text, nullable: false, default: "''"}
    - {name: tags, type: 'text[]', nullable: false}
    - {name: created_at, type: timestamptz, nullable: false}
    """,
    # 3: n renamed (still NULLABLE in BigQuery under its new name); email NULL again (nothing to do in
    # BigQuery); created_at NULL (DROP NOT NULL); a column dropped
    """
    - {name: id, type: bigint, primary_key: true}
    - {name: count, type: integer, nullable: false, renamed_from: n}
    - {name: email, type: text}
    - {name: created_at, type: timestamptz}
    """,
    # 4: a wider type in place, and another NOT NULL column
    """
    - {name: id, type: 'numeric(20,0)', primary_key: true}
    - {name: count, type: integer, nullable: false, renamed_from: n}
    - {name: email, type: text}
    - {name: created_at, type: timestamptz}
    - {name: kind, type: 'varchar(10)', nullable: false, default: "'a'"}
    """,
]


def _table(columns: str, granularity: str = "day") -> str:
    return (f"table: events\ncolumns:\n{columns.strip()}\n"
            f"warehouse: {{bigquery: true, partition_by: created_at, granularity: {granularity}}}\n").replace(
        "\n    - ", "\n  - ").replace("\n-", "\n  -")


def _mode(c: exp.ColumnDef) -> str:
    kind = c.args["kind"]
    if kind.is_type(exp.DataType.Type.ARRAY):
        return "REPEATED"
    required = any(isinstance(k.args.get("kind"), exp.NotNullColumnConstraint) for k in c.args.get("constraints") or ())
    return "REQUIRED" if required else "NULLABLE"


def _columns(create: exp.Create) -> Columns:
    return [(c.name, c.args["kind"].sql(dialect="bigquery"), _mode(c)) for c in create.this.expressions]


def _run(tables: dict[str, Columns], script: str) -> None:
    """What BigQuery does with the statements a migration holds, to the columns of each table."""
    for statement in sqlglot.parse(script, read="bigquery"):
        if isinstance(statement, exp.Create):
            tables[statement.this.this.name] = _columns(statement)
        elif isinstance(statement, exp.Drop):
            del tables[statement.args["tables"][0].name]
        elif isinstance(statement, exp.Alter):
            columns = tables[statement.this.name]
            for action in statement.args["actions"]:
                names = [c[0] for c in columns]
                if isinstance(action, exp.ColumnDef):
                    columns.append((action.name, action.args["kind"].sql(dialect="bigquery"), _mode(action)))
                elif isinstance(action, exp.Drop):
                    del columns[names.index(action.args["tables"][0].name)]
                elif isinstance(action, exp.RenameColumn):
                    i = names.index(action.this.name)
                    columns[i] = (action.args["to"].name, *columns[i][1:])
                elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
                    i = names.index(action.this.name)
                    columns[i] = (columns[i][0], action.args["dtype"].sql(dialect="bigquery"), columns[i][2])
                elif isinstance(action, exp.AlterColumn) and action.args.get("allow_null"):
                    i = names.index(action.this.name)
                    assert columns[i][2] == "REQUIRED", f"DROP NOT NULL of a NULLABLE column {columns[i]}"
                    columns[i] = (*columns[i][:2], "NULLABLE")
        # SET OPTIONS (sqlglot reads ALTER COLUMN ... SET OPTIONS as a command): no column changes


def _file_table(root: Path) -> Columns:
    text = (root / "generated" / "warehouse" / "bigquery" / "warehouse.events.sql").read_text()
    create = sqlglot.parse_one(text, read="bigquery")
    assert isinstance(create, exp.Create)
    return _columns(create)


def test_the_files_show_the_table_the_migrations_made(tmp_path: Path, capsys) -> None:
    tables: dict[str, Columns] = {}
    done: set[str] = set()

    def compile_and_run(text: str, *flags: str) -> None:
        write_definitions(tmp_path, {"events.yaml": text})
        code, _, err = run_cli(tmp_path, capsys, "compile", *flags)
        assert code == 0, err
        for path in sorted((tmp_path / "generated" / MIGRATIONS).iterdir()):
            if path.name not in done:
                done.add(path.name)
                _run(tables, path.read_text())
        assert run_cli(tmp_path, capsys, "compile", "--check")[:2] == (0, "generated/ is up to date\n")
        assert _file_table(tmp_path) == tables["events"]

    compile_and_run(_table(STEPS[0]))
    assert tables["events"] == [("id", "INT64", "REQUIRED"), ("n", "INT64", "NULLABLE"),
                                ("tags", "ARRAY<STRING>", "REPEATED"), ("created_at", "TIMESTAMP", "REQUIRED")]
    compile_and_run(_table(STEPS[1]))
    assert tables["events"][-1] == ("email", "STRING", "NULLABLE") and tables["events"][1][2] == "NULLABLE"
    compile_and_run(_table(STEPS[2]), "--allow-destructive")
    assert tables["events"] == [("id", "INT64", "REQUIRED"), ("count", "INT64", "NULLABLE"),
                                ("created_at", "TIMESTAMP", "NULLABLE"), ("email", "STRING", "NULLABLE")]
    compile_and_run(_table(STEPS[3]))
    assert tables["events"][0] == ("id", "NUMERIC(20, 0)", "REQUIRED")
    assert tables["events"][-1] == ("kind", "STRING(10)", "NULLABLE")
    # a rebuild makes the table of the definitions afresh: their order, PostgreSQL's modes
    compile_and_run(_table(STEPS[3], granularity="month"), "--allow-destructive")
    assert tables["events"] == [("id", "NUMERIC(20, 0)", "REQUIRED"), ("count", "INT64", "REQUIRED"),
                                ("email", "STRING", "NULLABLE"), ("created_at", "TIMESTAMP", "NULLABLE"),
                                ("kind", "STRING(10)", "REQUIRED")]
    state = (tmp_path / "generated" / "state.json").read_text()
    assert "bigquery_columns" not in state


@pytest.mark.parametrize("step", [1, 2])
def test_the_table_bigquery_holds_differently_is_kept_in_state_json(tmp_path: Path, capsys, step: int) -> None:
    write_definitions(tmp_path, {"events.yaml": _table(STEPS[0])})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"events.yaml": _table(STEPS[step])})
    assert run_cli(tmp_path, capsys, "compile", "--allow-destructive")[0] == 0
    state = (tmp_path / "generated" / "state.json").read_text()
    assert '"bigquery_columns"' in state and '"bigquery_nullable"' in state
    # the next compile with nothing to do writes the same files (the held table is read back)
    before = _file_table(tmp_path)
    assert run_cli(tmp_path, capsys, "compile")[1].startswith("No changes")
    assert _file_table(tmp_path) == before
