"""Functions that tables and domains call, refused at compile where PostgreSQL would refuse the
migration: exit 2, `path:line:col: error: ...` at the call or the routine's key, nothing written."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import generated_files, run_cli, write_definitions

TWICE = """\
function: twice
arguments: [{name: x, type: integer}]
returns: integer
language: sql
volatility: immutable
body: SELECT x * 2
"""
TABLE = """\
table: items
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: n, type: integer, default: twice(2)}
  - {name: n2, type: integer, generated: twice(n)}
"""
PARTITIONED = """\
table: events
columns:
  - {name: n, type: integer, nullable: false}
partition_by: {method: range, columns: [{expression: twice(n)}]}
partitions:
  - {name: events_low, from: [0], to: [100]}
"""


def _compiled(root: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes]) -> None:
    write_definitions(root, files)
    code, _, err = run_cli(root, capsys, "compile")
    assert code == 0, err


def _refused(root: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes]) -> list[str]:
    before = generated_files(root)
    write_definitions(root, files)
    code, _, err = run_cli(root, capsys, "compile")
    assert code == 2, err
    assert generated_files(root) == before, "nothing is written"
    return [line for line in err.splitlines() if ": error: " in line]


def test_a_function_removed_while_a_default_still_calls_it_is_refused_at_the_call(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE, "items.yaml": TABLE})
    found = _refused(tmp_path, capsys, {"items.yaml": TABLE})
    assert found == [
        "definitions/items.yaml:4:39: error: the default of public.items.n calls twice(), a function removed from "
        "the definitions; PostgreSQL cannot drop a function that is still called: change the call first, "
        "or keep the function",
        "definitions/items.yaml:5:42: error: generated column public.items.n2 calls twice(), a function removed "
        "from the definitions; PostgreSQL cannot drop a function that is still called: change the call first, "
        "or keep the function"]


def test_a_new_signature_under_a_generated_column_is_refused_at_the_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE, "items.yaml": TABLE})
    wider = TWICE.replace("type: integer", "type: bigint")
    found = _refused(tmp_path, capsys, {"twice.yaml": wider, "items.yaml": TABLE})
    assert found == [
        "definitions/items.yaml:5:42: error: generated column public.items.n2 calls twice(), which is dropped and "
        "created again (was public.twice(integer); CREATE OR REPLACE cannot change it so); PostgreSQL cannot point "
        "a generated column at another function: keep public.twice(integer) as it was, or give the new function "
        "another name"]


def test_a_new_return_type_under_a_partition_key_is_refused_at_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE, "events.yaml": PARTITIONED})
    found = _refused(tmp_path, capsys, {"twice.yaml": TWICE.replace("returns: integer", "returns: bigint"),
                                        "events.yaml": PARTITIONED})
    assert len(found) == 1 and found[0].startswith(
        "definitions/events.yaml:4:15: error: the partition key of public.events calls twice(), which is dropped "
        "and created again")


def test_a_generated_column_whose_function_is_replaced_in_place_compiles(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Another body under the same signature is CREATE OR REPLACE: nothing to point elsewhere."""
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE, "items.yaml": TABLE})
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE.replace("x * 2", "x + x"), "items.yaml": TABLE})


@pytest.mark.parametrize(("text", "message"), [
    (TWICE.replace("SELECT x * 2", '"  "'),
     "definitions/f.yaml:6:7: error: 'body' of function twice is empty, but it returns integer: a sql function "
     "returns what its last SELECT (or RETURNING) gives"),
    (TWICE.replace("[{name: x, type: integer}]", "[{name: x, type: 'int[]', mode: variadic}, {name: y, type: int}]"),
     "definitions/f.yaml:2:44: error: the variadic argument of function twice must be its last input argument "
     "(out arguments may follow it)"),
    (TWICE.replace("type: integer}", "type: integer, default: \"'two'\"}"),
     "definitions/f.yaml:2:47: error: 'default' of an argument of function twice is 'two', which PostgreSQL "
     "cannot read as integer: invalid input syntax for type integer"),
])
def test_a_function_postgresql_would_refuse_at_apply_is_refused_at_compile(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    _compiled(tmp_path, capsys, {"items.yaml": TABLE.split("  - {name: n,")[0]})
    assert _refused(tmp_path, capsys, {"f.yaml": text, "items.yaml": TABLE.split("  - {name: n,")[0]}) == [message]


def test_a_function_removed_while_a_domain_calls_it_is_refused_at_the_domain(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    domain = "domain: evens\ntype: integer\ndefault: twice(1)\nchecks:\n  - {name: small, expression: twice(VALUE) < 9}\n"
    _compiled(tmp_path, capsys, {"twice.yaml": TWICE, "evens.yaml": domain})
    found = _refused(tmp_path, capsys, {"evens.yaml": domain})
    assert [line.split(": error: ")[0] for line in found] == ["definitions/evens.yaml:3:10",
                                                               "definitions/evens.yaml:5:31"]
    assert found[0].endswith("the default of public.evens calls twice(), a function removed from the definitions; "
                             "PostgreSQL cannot drop a function that is still called: change the call first, or keep "
                             "the function")
    assert "check small of domain public.evens calls twice()" in found[1]
