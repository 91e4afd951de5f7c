"""drift and apply --baseline compare the live database with the definitions built on a scratch
database: when PostgreSQL refuses that build, they say so and name the statement refused, exit 4."""
from __future__ import annotations

from pathlib import Path

from tests.db.test_apply import schemac
from tests.helpers import write_definitions

T = """
table: t
columns:
  - {name: id, type: integer, nullable: false}
  - {name: n, type: integer}
"""

F = """
function: f
arguments: [{name: a, type: integer}]
returns: integer
language: sql
volatility: immutable
body: SELECT a + 1
"""

V = """
view: v
query: SELECT id, n, f(n) AS fn FROM t
"""


def test_drift_names_the_statement_its_scratch_build_refused(tmp_path: Path, database_url: str, capsys) -> None:
    write_definitions(tmp_path, {"t.yaml": T, "f.yaml": F, "v.yaml": V})
    assert schemac(tmp_path, "compile", capsys=capsys)[0] == 0
    code, _, err = schemac(tmp_path, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    # n becomes bigint: the view's f(n) calls f(bigint), which no definition makes
    write_definitions(tmp_path, {"t.yaml": T.replace("n, type: integer", "n, type: bigint"), "f.yaml": F,
                                 "v.yaml": V})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 4, out + err
    assert "the definitions failed when built on a scratch database" in err
    assert "function f(bigint) does not exist" in err
    assert "in the statement:" in err and "CREATE VIEW" in err and "f(n)" in err


def test_a_baseline_names_the_statement_its_scratch_build_refused(tmp_path: Path, database_url: str,
                                                                 capsys) -> None:
    write_definitions(tmp_path, {"t.yaml": T.replace("n, type: integer", "n, type: bigint"), "f.yaml": F,
                                 "v.yaml": V})
    code, _, err = schemac(tmp_path, "compile", capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(tmp_path, "apply", "--baseline", "1", "--database-url", database_url, capsys=capsys)
    assert code == 4, out + err
    assert "the definitions failed when built on a scratch database (the baseline compares" in err
    assert "function f(bigint) does not exist" in err and "CREATE VIEW" in err
