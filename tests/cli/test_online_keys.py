"""The online keys in definitions: booleans only, reported at their place (exit 2, nothing written)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_bad_input import Case, Expect, assert_reported, expected_lines, yaml
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

TABLE = yaml("""
    table: parent
    columns:
      - {name: id, type: bigint, primary_key: true}
    ---
    table: t
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: parent_id, type: bigint, references: parent.id, online: sometimes}
      - {name: name, type: text, online: 1}
    indexes:
      - {columns: [name], concurrently: "yes please"}
    checks:
      - {name: short, expression: "length(name) < 9", online: [true]}
    foreign_keys:
      - {name: again, columns: [parent_id], references: {table: parent}, online: null, concurrently: true}
    """)

CASES = [
    Case("online_keys_take_true_or_false", {"t.yaml": TABLE}, (
        Expect("t.yaml", "sometimes", "'online' must be true or false, not"),
        Expect("t.yaml", "1}", "'online' must be true or false, not"),
        Expect("t.yaml", '"yes please"', "'concurrently' must be true or false, not"),
        Expect("t.yaml", "[true]", "'online' must be true or false, not a list"),
        Expect("t.yaml", "concurrently: true}", "unknown key 'concurrently' in a foreign key"),
    )),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_online_keys_are_checked_at_their_place(case: Case, tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, case.files, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 2, (out, err)
    assert_reported(err, expected_lines(case))
    assert not (tmp_path / "generated").exists()
