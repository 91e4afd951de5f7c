"""A build given a way to read a file again releases its documents as it builds them; a rule
that fails reads its file again, and reports exactly what a build that kept them reports."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compiler.definitions import read
from compiler.definitions.build import build_schema
from compiler.definitions.load import Document, load_project, load_sources
from compiler.errors import DefinitionError, DefinitionErrors
from compiler.project import Project

FILES = {
    "definitions/a.yaml": """
        table: a
        columns:
          - {name: id, type: bigint, primary_key: true}
        """,
    "definitions/tables/b.yaml": """
        table: b
        comment: the rule errors are here
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: at, type: timestamptz, generated: "now()"}
        indexes:
          - {columns: [id], using: hash}
          - {expression: [random()]}
        """,
    "definitions/c.yaml": """
        enum: mood
        values: [ok]
        ---
        table: c
        columns:
          - {name: m, type: mood, default: "'ok'"}
        """,
}


def _project(root: Path) -> Project:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return Project(root)


def _kept(root: Path) -> list[str]:
    errors: list[DefinitionError] = []
    with pytest.raises(DefinitionErrors) as raised:
        build_schema(load_project(root, errors), errors)  # no reread: every document kept
    return [str(e) for e in raised.value.errors]


def test_a_failing_rule_reads_its_file_again_for_the_same_messages(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    read_again: list[list[str]] = []

    def counting(files: list[tuple[str, bytes]], errors: list[DefinitionError]) -> list[Document]:
        read_again.append([shown for shown, _ in files])
        return load_sources(files, errors)

    monkeypatch.setattr(read, "load_sources", counting)
    with pytest.raises(DefinitionErrors) as raised:
        read.read_definitions_and_folders(project)
    released = [str(e) for e in raised.value.errors]
    assert released == _kept(tmp_path)
    assert any(m.startswith("definitions/tables/b.yaml:5:") for m in released), released
    assert any(m.startswith("definitions/tables/b.yaml:8:") for m in released), released
    # the whole project once, then only the file with the rule errors
    assert read_again == [sorted(FILES), ["definitions/tables/b.yaml"]]


def test_a_clean_build_reads_each_file_once_and_releases_the_documents(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "definitions/tables/b.yaml").write_text("table: b\ncolumns:\n  - {name: id, type: bigint}\n")
    errors: list[DefinitionError] = []
    docs = load_project(tmp_path, errors)
    asked: list[str] = []

    def reread(path: str) -> list[Document]:
        asked.append(path)
        return []

    schema = build_schema(docs, errors, reread)
    assert docs == [] and asked == []  # taken over, and never read again
    assert sorted(schema.tables) == ["public.a", "public.b", "public.c"]
    assert schema == build_schema(load_project(tmp_path, []), [])
