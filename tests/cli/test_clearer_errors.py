"""Input that used to give a puzzling error, or none, or crash: each now one clear line at its place."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli.test_bad_input import USERS, Case, Expect, assert_reported, expected_lines, users_with
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

CASES = [
    Case("flow_type_with_a_comma",
         {"users.yaml": users_with("  - {name: balance, type: numeric(10,2), nullable: false}\n")},
         (Expect("users.yaml", "numeric(10", "type 'numeric(10,2)' was cut at its comma: inside {...} YAML reads "
                                             "a comma as the end of a value; quote it: type: 'numeric(10,2)'"),)),
    Case("flow_type_with_brackets",
         {"users.yaml": users_with("  - {name: tags, type: text[]}\n")},
         (Expect("users.yaml", "text^[]", "inside {...} a type with brackets must be quoted: type: 'text[]'"),)),
    Case("qualified_enum_not_declared",
         {"users.yaml": users_with("  - {name: mood, type: other.mood}\n")},
         (Expect("users.yaml", "other.mood", "unknown type 'other.mood': not a PostgreSQL type, and no enum of "
                                             "that name is declared"),)),
    Case("quoted_enum_not_declared",
         {"users.yaml": users_with("""  - {name: mood, type: '"Mood"'}\n"""),
          "types.yaml": "enum: mood\nvalues: [a]\n"},
         (Expect("users.yaml", """'"Mood"'""", """unknown type '"Mood"'"""),)),
    Case("name_is_null",
         {"users.yaml": users_with("  - {name: ~, type: text}\n")},
         (Expect("users.yaml", "~", "a column needs 'name', but its value is missing ('~', 'null' and nothing "
                                    "are YAML's empty value)"),)),
    Case("table_name_is_empty",
         {"users.yaml": "table:\ncolumns:\n  - {name: id, type: bigint}\n"},
         (Expect("users.yaml", "table:^", "a table needs 'table', but its value is missing"),)),
    Case("alias_bomb",
         {"users.yaml": USERS + "comment: x\nbomb:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
          + "".join(f"  {c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n"
                    for p, c in zip("abcdefgh", "bcdefghi", strict=True))},
         (Expect("users.yaml", "&a [lol", "YAML anchors and aliases (&name, *name) are not allowed in "
                                          "definitions; write the value out"),)),
    Case("merge_key_alias",
         {"users.yaml": "base: &base {type: bigint}\ntable: users\ncolumns:\n  - {name: id, <<: *base}\n"},
         (Expect("users.yaml", "&base", "YAML anchors and aliases (&name, *name) are not allowed"),)),
    Case("nested_100000_deep",
         {"users.yaml": USERS + "comment: " + "[" * 100_000 + "]" * 100_000 + "\n"},
         (Expect("users.yaml", "comment: " + "[" * 50 + "^[", "lists and mappings are nested more than 50 deep "
                                                             "here; no definition needs that"),)),
    Case("nested_block_lists_100000_deep",
         {"users.yaml": USERS + "comment:\n" + "- " * 100_000 + "x\n"},
         (Expect("users.yaml", "comment:\n" + "- " * 51 + "^- ", "lists and mappings are nested more than 50"),)),
    Case("nested_60_deep",  # few enough brackets to skip the scan: the reader refuses it itself
         {"users.yaml": USERS + "comment: " + "[" * 60 + "]" * 60 + "\n"},
         (Expect("users.yaml", "comment: ^[", "'comment' must be a string, not a list"),
          Expect("users.yaml", "comment: " + "[" * 50 + "^[", "lists and mappings are nested more than 50"))),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_clear_error_at_its_place(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, case.files, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 2, (out, err)
    assert_reported(err, expected_lines(case))
    assert not (tmp_path / "generated").exists()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if c.id in (
    "alias_bomb", "nested_100000_deep", "nested_block_lists_100000_deep")])
def test_hostile_yaml_is_refused_in_well_under_a_second(
        case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    assert run(tmp_path, capsys, "plan")[0] == 0  # imports and caches warm, as in a second run
    write_definitions(tmp_path, case.files, exact=True)
    started = time.perf_counter()
    code, _, err = run(tmp_path, capsys, "plan")
    elapsed = time.perf_counter() - started
    assert code == 2, err
    assert elapsed < 0.5, f"took {elapsed:.2f}s"  # expanded, the bomb's 9**9 items would take minutes


@pytest.mark.parametrize("spelling", ["Mood", '\'"Mood"\'', "public.Mood", '\'public."Mood"\'', '\'"Mood"[]\''])
def test_an_enum_with_capitals_is_one_type_however_it_is_written(
        spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {
        "types.yaml": "enum: Mood\nvalues: [happy, sad]\n",
        "users.yaml": users_with(f"""  - {{name: mood, type: {spelling}, check: "mood <> 'sad'::\\"Mood\\""}}\n"""
                                 if not spelling.endswith("[]'") else f"  - {{name: mood, type: {spelling}}}\n"),
    }, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 0, err
    expected = '"Mood"[]' if spelling.endswith("[]'") else '"Mood"'
    assert f"    mood public.{expected}" in out  # DDL names the schema: the search_path cannot pick another
