"""`schemac json-schema`: prints the shipped JSON Schemas, from anywhere, for editors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli as run
from tests.helpers import write_definitions

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("args", "shipped"), [((), "schemac.schema.json"),
                                               (("--settings",), "schemac.settings.schema.json")])
def test_json_schema_prints_the_shipped_schema_outside_any_project(
        args: tuple[str, ...], shipped: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "schemac.yaml").write_text("no_such_setting: 1\n")  # not read: printing needs no project
    code, out, err = run(tmp_path, capsys, "json-schema", *args)
    assert (code, err) == (0, "")
    assert out == (REPO / shipped).read_text()
    assert json.loads(out)["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_a_project_set_up_as_the_readme_says_compiles_unchanged(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`schemac json-schema > schemac.schema.json`, and the modeline first in each document: the
    comment changes nothing compiled."""
    plain = {"users.yaml": "table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n",
             "types.yaml": "enum: mood\nvalues: [happy]\n---\nextension: citext\n"}
    write_definitions(tmp_path, plain, exact=True)
    assert run(tmp_path, capsys, "compile", "-m", "start")[0] == 0
    before = {p: p.read_bytes() for p in sorted((tmp_path / "generated").rglob("*")) if p.is_file()}
    code, out, _ = run(tmp_path, capsys, "json-schema")
    (tmp_path / "schemac.schema.json").write_text(out)
    line = "# yaml-language-server: $schema=../schemac.schema.json\n"
    write_definitions(tmp_path, {rel: "---\n".join(line + doc for doc in text.split("---\n"))
                                 for rel, text in plain.items()}, exact=True)
    code, out, _ = run(tmp_path, capsys, "compile", "--check")
    assert (code, out) == (0, "generated/ is up to date\n")
    assert run(tmp_path, capsys, "compile")[1].startswith("No changes")
    assert {p: p.read_bytes() for p in sorted((tmp_path / "generated").rglob("*")) if p.is_file()} == before
