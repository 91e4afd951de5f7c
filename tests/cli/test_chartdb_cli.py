"""compile writes the diagrams with every migration, --check finds stale ones, `schemac chartdb`."""
from __future__ import annotations

import difflib
import json
import shutil
import time
from pathlib import Path

import pytest

from compiler.cli import main
from compiler.testing import assert_generated_current
from tests.chartdb_format import diagram_problems
from tests.helpers import write_definitions

REPO = Path(__file__).resolve().parents[2]
USERS = """
table: users
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
  - {name: email, type: varchar(255), nullable: false, unique: true}
"""
ORDERS = """
table: orders
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: user_id, type: bigint, references: users.id}
"""
DIAGRAMS = ["chartdb/diagram.json", "chartdb/metadata.json", "chartdb/schema_index.json", "schema.md"]


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["-C", str(root), *args])
    return code, capsys.readouterr().out


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_definitions(tmp_path, {"users.yaml": USERS, "shop/orders.yaml": ORDERS})
    assert run(tmp_path, capsys, "compile")[0] == 0
    return tmp_path


def test_compile_writes_the_diagrams_with_the_migration(project: Path) -> None:
    gen = project / "generated"
    for rel in DIAGRAMS + ["chartdb/schemas/public.users.json", "chartdb/schemas/public.orders.json"]:
        assert (gen / rel).is_file(), rel
    doc = json.loads((gen / "chartdb/diagram.json").read_text())
    assert diagram_problems(doc) == []
    assert [a["name"] for a in doc["areas"]] == ["definitions", "shop"]
    assert "erDiagram" in (gen / "schema.md").read_text()
    index = json.loads((gen / "chartdb/schema_index.json").read_text())
    assert index["tables"] == [
        {"schema": "public", "table": "orders", "file": "schemas/public.orders.json", "columns": 2},
        {"schema": "public", "table": "users", "file": "schemas/public.users.json", "columns": 2}]
    users = json.loads((gen / "chartdb/schemas/public.users.json").read_text())
    assert users["table_name"] == "users"
    assert users["columns"][1] == {"name": "email", "type": "character varying(255)", "primary_key": False,
                                   "unique": True, "nullable": False, "default": None, "references": None,
                                   "comment": None}


def test_unchanged_definitions_write_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen = project / "generated"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in gen.rglob("*") if p.is_file()}
    time.sleep(0.01)
    code, out = run(project, capsys, "compile")
    assert code == 0 and "nothing written" in out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in gen.rglob("*") if p.is_file()} == before


def test_a_small_change_is_a_small_diagram_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "generated/chartdb/diagram.json").read_text().splitlines()
    write_definitions(project, {"users.yaml": USERS + "  - {name: nick, type: text}\n", "shop/orders.yaml": ORDERS})
    assert run(project, capsys, "compile")[0] == 0
    after = (project / "generated/chartdb/diagram.json").read_text().splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    # the new field (12 lines) and the area and table heights that grow with it
    assert 12 <= len(changed) <= 24, changed


@pytest.mark.parametrize("damage", ["delete", "edit", "extra"])
def test_check_reports_stale_diagrams_and_compile_repairs_them(project: Path, capsys: pytest.CaptureFixture[str],
                                                                damage: str) -> None:
    gen = project / "generated"
    target = gen / "chartdb/diagram.json"
    if damage == "delete":
        target.unlink()
    elif damage == "edit":
        target.write_text(target.read_text().replace('"x": ', '"x": 1'))
    else:
        target = gen / "chartdb/schemas/public.gone.json"
        target.write_text("{}\n")
    code, out = run(project, capsys, "compile", "--check")
    assert code == 1 and target.relative_to(project).as_posix() in out
    code, out = run(project, capsys, "compile")
    assert code == 0 and "stale diagram file" in out
    assert run(project, capsys, "compile", "--check") == (0, "generated/ is up to date\n")
    assert len(list((gen / "migrations").iterdir())) == 2  # no migration for a diagram


def test_dropping_a_table_removes_its_table_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": USERS})
    assert run(project, capsys, "compile", "--allow-destructive")[0] == 0
    assert not (project / "generated/chartdb/schemas/public.orders.json").exists()
    assert run(project, capsys, "compile", "--check")[0] == 0


def test_chartdb_command(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen = project / "generated"
    shutil.rmtree(gen / "chartdb")
    (gen / "schema.md").unlink()
    code, out = run(project, capsys, "chartdb")
    assert code == 0 and "wrote" in out
    assert run(project, capsys, "compile", "--check")[0] == 0
    code, out = run(project, capsys, "chartdb")
    assert code == 0 and "nothing written" in out
    target = tmp_path / "out" / "my.json"
    assert run(project, capsys, "chartdb", "-o", str(target))[0] == 0
    assert target.read_bytes() == (gen / "chartdb/diagram.json").read_bytes()


def test_chartdb_command_reports_bad_definitions(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": "table: users\ncolumns:\n  - {name: id, type: intger}\n"})
    assert main(["-C", str(project), "chartdb"]) == 2


def test_the_example_is_compiled_with_its_diagrams(schemac_project: Path) -> None:
    """generated/ of this repository holds the example's diagrams, up to date."""
    assert_generated_current(schemac_project)
    for rel in DIAGRAMS:
        assert (schemac_project / "generated" / rel).is_file()
