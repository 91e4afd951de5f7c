"""load: YAML text -> documents whose mappings and sequences know where they came from."""
from __future__ import annotations

import textwrap

import pytest

from compiler.definitions.load import Document, Mapping, Sequence, definition_files, load_project, load_text
from compiler.errors import DefinitionError
from compiler.model.yaml_values import YamlOctal
from tests.helpers import schema_of


def load(text: str) -> tuple[list[Document], list[DefinitionError]]:
    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(text).lstrip("\n"), "definitions/x.yaml", errors)
    return docs, errors


USERS = """
table: users
comment: People.
columns:
  - name: id
    type: uuid
  - {name: email, type: text}
  -   name: status
      type: text
"""


def test_positions_of_keys_and_values() -> None:
    (doc,), errors = load(USERS)
    assert errors == []
    body = doc.body
    assert isinstance(body, Mapping)
    assert body.pos == (1, 1)
    assert body.key_pos == {"table": (1, 1), "comment": (2, 1), "columns": (3, 1)}
    assert body.value_pos["table"] == (1, 8)
    assert body.value_pos["comment"] == (2, 10)
    assert body.value_pos["columns"] == (4, 3)  # a block sequence starts at its first '-'


def test_positions_of_sequence_items_and_nested_mappings() -> None:
    (doc,), _ = load(USERS)
    columns = doc.body["columns"]
    assert isinstance(columns, Sequence)
    assert columns.item_pos == [(4, 5), (6, 5), (7, 7)]
    first, flow, last = columns
    assert first.key_pos == {"name": (4, 5), "type": (5, 5)}
    assert first.value_pos == {"name": (4, 11), "type": (5, 11)}
    assert flow.pos == (6, 5)
    assert flow.key_pos == {"name": (6, 6), "type": (6, 19)}
    assert flow.value_pos == {"name": (6, 12), "type": (6, 25)}
    assert last.key_pos["type"] == (8, 7)


def test_flow_sequence_item_positions() -> None:
    (doc,), _ = load("enum: e\nvalues: [a, bb,  c]\n")
    assert doc.body["values"] == ["a", "bb", "c"]
    assert doc.body["values"].item_pos == [(2, 10), (2, 13), (2, 18)]


def test_values_keep_their_order_and_python_types() -> None:
    (doc,), _ = load("""
    table: t
    columns:
      - {name: a, type: int, nullable: false, default: 5, check: "a > 0"}
    """)
    col = doc.body["columns"][0]
    assert list(col) == ["name", "type", "nullable", "default", "check"]
    assert col["nullable"] is False
    assert col["default"] == 5 and not isinstance(col["default"], bool)


def test_duplicate_keys_are_errors_at_the_second_key() -> None:
    docs, errors = load("""
    table: a
    table: b
    columns:
      - {name: x, type: int, name: y}
    """)
    assert [(e.line, e.col) for e in errors] == [(2, 1), (4, 26)]
    assert "duplicate key 'table' (first at line 1)" in errors[0].message
    assert "duplicate key 'name'" in errors[1].message
    assert docs[0].body["table"] == "a"  # the first stays, so later checks see one value


@pytest.mark.parametrize("word, value", [
    ("on", True), ("off", False), ("yes", True), ("no", False), ("True", True), ("FALSE", False),
    ("~", None), ("null", None), ("", None),
])
def test_yaml_1_1_scalars(word: str, value: object) -> None:
    (doc,), errors = load(f"enum: e\nvalues: x\nflag: {word}\n")
    assert errors == []
    assert doc.body["flag"] is value


@pytest.mark.parametrize("word, value", [
    ("12", 12), ("0755", 0o755), ("0x1F", 31), ("1_000", 1000), ("-3", -3), ("1.5", 1.5), ("0b101", 5),
])
def test_yaml_1_1_numbers(word: str, value: object) -> None:
    (doc,), _ = load(f"enum: e\nflag: {word}\n")
    assert doc.body["flag"] == value
    # an octal is an int that keeps its text, for the seeds that refuse it (0755 is no row's value)
    assert type(doc.body["flag"]) is (YamlOctal if word == "0755" else type(value))


def test_plain_scalars_keep_their_source_text() -> None:
    (doc,), _ = load("table: on\ncolumns:\n  - {name: yes, type: int, default: 0755}\n  - name: 'on'\n")
    assert doc.body["table"] is True and doc.body.raw["table"] == "on"
    col = doc.body["columns"][0]
    assert col.raw == {"name": "yes", "default": "0755"}  # `int` is a string: its own text
    assert col.raw.get("type", col["type"]) == "int"
    assert doc.body["columns"][1].raw == {}  # quoted: a string already, no raw text needed


def test_yaml_1_1_words_stay_names_in_the_schema() -> None:
    s = schema_of("""
    table: on
    columns:
      - {name: yes, type: int, default: 0755}
      - {name: off, type: bool, default: on}
    """)
    t = s.tables["public.on"]
    assert [c.name for c in t.columns] == ["yes", "off"]
    assert t.columns[0].default.text == "0755"
    assert t.columns[1].default.text == "true"


def test_multi_document_file() -> None:
    docs, errors = load("""
    extension: pgcrypto
    ---
    enum: user_status
    values: [active, deleted]
    ---
    # only a comment
    ---
    table: t
    columns: [{name: a, type: int}]
    ---
    """)
    assert errors == []
    assert [next(iter(d.body)) for d in docs] == ["extension", "enum", "table"]
    assert docs[1].body.pos == (3, 1)
    assert docs[2].body.key_pos["columns"] == (9, 1)  # lines count from the file, not the document
    assert all(d.path == "definitions/x.yaml" for d in docs)


def test_a_document_that_is_not_a_mapping_is_an_error() -> None:
    docs, errors = load("table: t\ncolumns: [{name: a, type: int}]\n---\n- a\n- b\n")
    assert len(docs) == 1
    assert [(e.line, e.col) for e in errors] == [(4, 1)]
    assert "must be a mapping" in errors[0].message


def test_malformed_yaml_is_one_positioned_error() -> None:
    docs, errors = load("table: t\ncolumns: [a, b\n")
    assert docs == []
    assert len(errors) == 1 and errors[0].message.startswith("invalid YAML:")
    assert errors[0].line >= 2


def test_tabs_are_reported_not_raised() -> None:
    _, errors = load("table: t\ncolumns:\n\t- a\n")
    assert len(errors) == 1 and errors[0].line == 3


def test_non_scalar_key_is_an_error() -> None:
    _, errors = load("? [a, b]\n: 1\ntable: t\n")
    assert [(e.line, e.col, e.message) for e in errors] == [(1, 3, "a key must be a plain word")]


def test_definition_files_are_read_in_path_order(tmp_path) -> None:
    defs = tmp_path / "definitions"
    (defs / "b").mkdir(parents=True)
    (defs / "b" / "z.yml").write_text("extension: z\n")
    (defs / "a.yaml").write_text("extension: a\n")
    (defs / "b.yaml").write_text("extension: b\n")
    (defs / "notes.txt").write_text("not yaml")
    assert [p.relative_to(defs).as_posix() for p in definition_files(tmp_path)] == ["a.yaml", "b.yaml", "b/z.yml"]
    errors: list[DefinitionError] = []
    docs = load_project(tmp_path, errors)
    assert errors == []
    assert [(d.path, d.body["extension"]) for d in docs] == [
        ("definitions/a.yaml", "a"), ("definitions/b.yaml", "b"), ("definitions/b/z.yml", "z")]


def test_a_file_that_is_not_utf8_is_an_error(tmp_path) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "bad.yaml").write_bytes(b"table: \xff\n")
    errors: list[DefinitionError] = []
    assert load_project(tmp_path, errors) == []
    assert [(e.path, e.line) for e in errors] == [("definitions/bad.yaml", 1)]


@pytest.mark.parametrize("escape", ["\\0", "\\x00", "\\u0000", "\\U00000000"])
def test_a_nul_anywhere_is_one_error_at_the_value_and_the_rest_is_read(escape: str) -> None:
    line = f'columns: ["c{escape}", {{"k{escape}": 1}}]'
    docs, errors = load(f'table: t\ncomment: "a{escape}b"\n{line}\n')
    assert [(e.line, e.col) for e in errors] == [(2, 10), (3, 11), (3, line.index('"k') + 1)]
    assert all(e.message.startswith("text must not hold the NUL character") for e in errors)
    body = docs[0].body
    assert body["comment"] == "ab" and body["columns"][0] == "c" and body["columns"][1] == {"k": 1}


def test_a_nul_in_a_seed_file_is_refused_where_it_is_read() -> None:
    errors: list[DefinitionError] = []
    load_text('table: t\nrows:\n  - {a: "x\\0"}\n', "seeds/t.yaml", errors, kind="seed files")
    assert [(e.path, e.line, e.col) for e in errors] == [("seeds/t.yaml", 3, 9)]
