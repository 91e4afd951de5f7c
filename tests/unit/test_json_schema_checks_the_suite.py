"""Every definition the suite compiles is checked against the JSON Schema (tests/definition_schema.py),
and the few spellings the compiler takes but the schema flags are chosen, listed here with the reason."""
from __future__ import annotations

import textwrap
from typing import Any

import pytest
from jsonschema import Draft7Validator

from compiler.definitions import build, read, settings
from compiler.definitions.load import load_text
from compiler.live import importer
from tests import definition_schema, helpers
from tests.definition_schema import VALIDATOR, SchemaRefusedCompiledDefinition


def test_every_reader_of_definitions_is_the_checked_one() -> None:
    for module in (build, read):
        assert getattr(module.build_schema_and_acknowledged, "schema_checked", False), module.__name__
    assert importer.build_schema is build.build_schema  # which calls the checked one
    assert getattr(settings.parse_settings, "schema_checked", False)


def test_a_definition_that_compiles_but_fails_the_schema_fails_its_test() -> None:
    with pytest.raises(SchemaRefusedCompiledDefinition, match=r"definitions/test\.yaml:3:41: 'CASCADE' is not one of"):
        helpers.schema_of("""
            table: t
            columns:
              - {name: id, type: bigint, on_delete: CASCADE, references: t.id, primary_key: true}
            """)


def test_settings_that_load_but_fail_the_schema_fail_their_test(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "migrations_table: ops.history\napply_lock_timeout: 5\n"
    assert settings.parse_settings(text).lock_timeout == 5.0  # the shipped schema takes it
    stricter = Draft7Validator({"properties": {"apply_lock_timeout": {"maximum": 1}}})
    monkeypatch.setattr(definition_schema, "SETTINGS_VALIDATOR", stricter)
    with pytest.raises(SchemaRefusedCompiledDefinition, match=r"schemac\.yaml:2:21: 5 is greater than the maximum"):
        settings.parse_settings(text)


# (YAML as schemac reads it, or the value as an editor reads it) -> why the schema flags what compiles
STRICTER = {
    "choices_in_capitals": (
        "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
        "  - {name: p, type: bigint, references: t.id, on_delete: SET NULL}\n"
        "indexes:\n  - {columns: [p], using: BTREE}\n",
        "the reader folds a choice to lower case; the schema lists the lower-case words, as the "
        "README and import write them, so completion offers one spelling"),
    "empty_value_of_an_optional_key": (
        "table: t\ncolumns:\n  - {name: id, type: bigint, nullable: ~}\n",
        "YAML's empty value reads as the key left out; in an editor an empty value is most often a "
        "line not finished, so the schema flags it (except on comment, where it means no comment)"),
    "storage_flag_as_a_word": (
        "table: t\ncolumns:\n  - {name: tags, type: 'text[]'}\nindexes:\n  - {columns: [tags], using: gin, "
        "with: {fastupdate: 'off'}}\n",
        "PostgreSQL reads on/off/yes/no/1/0 for a boolean storage parameter, and so does the reader; "
        "the schema asks for true or false"),
}

# documents as an editor reads them (YAML 1.2): values YAML 1.1, which schemac reads, takes otherwise
STRICTER_IN_EDITORS: dict[str, tuple[str, dict[str, Any], str]] = {
    "yes_for_true": (
        "table: t\ncolumns:\n  - {name: id, type: bigint, nullable: yes}\n",
        {"table": "t", "columns": [{"name": "id", "type": "bigint", "nullable": "yes"}]},
        "YAML 1.1 reads yes, no, on and off as booleans, YAML 1.2 (the editor's) as strings: the "
        "editor flags them where a boolean is due, and asks for true or false"),
}


@pytest.mark.parametrize("case", sorted(STRICTER))
def test_spellings_the_compiler_takes_and_the_schema_flags(case: str) -> None:
    text, _ = STRICTER[case]
    errors: list[Any] = []
    docs = load_text(text, "definitions/t.yaml", errors)
    assert [VALIDATOR.is_valid(d.body) for d in docs] == [False]
    build.build_schema_and_acknowledged.__wrapped__(docs, errors)  # type: ignore[attr-defined]  # unchecked


@pytest.mark.parametrize("case", sorted(STRICTER_IN_EDITORS))
def test_spellings_an_editor_reads_otherwise(case: str) -> None:
    text, as_editors_read_it, _ = STRICTER_IN_EDITORS[case]
    errors: list[Any] = []
    docs = load_text(textwrap.dedent(text), "definitions/t.yaml", errors)
    build.build_schema(docs, errors)  # compiles, and schemac's reading passes the schema
    assert not VALIDATOR.is_valid(as_editors_read_it)
