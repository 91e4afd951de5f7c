"""The JSON Schema for editors (schemac.schema.json, schemac.settings.schema.json) against the reader:
the same keys, the same closed sets of values, valid draft-07 (what the Red Hat YAML extension reads).

Adding a key to the definitions: add it to the reader's key table (a `*_KEYS` frozenset in
compiler/definitions) and, with a description, to the object named for that table in KEY_TABLES
below, in schemac.schema.json; a new key table gets its own line in KEY_TABLES. A value from a
closed set (a choice the reader checks) gets its `enum` and a line in CLOSED_SETS.
"""
from __future__ import annotations

import ast
import importlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from compiler.definitions import (
    build,
    build_constraints,
    build_exclusions,
    build_routines,
    build_sequences,
    build_triggers,
    index_options,
    settings,
)
from compiler.definitions.json_schema import (
    DEFINITIONS_SCHEMA,
    SCHEMA_MODELINE,
    SETTINGS_SCHEMA,
    modeline,
    schema_path,
    schema_text,
)
from compiler.definitions.load import load_project, load_text
from compiler.model.catalog_facts import MAX_TABLE_COLUMNS, SYSTEM_COLUMNS
from compiler.model.hazard_names import HAZARDS
from compiler.model.partitions import METHODS
from compiler.model.security import COMMANDS
from compiler.model.types import KNOWN_TYPE_NAMES, canonical_type
from compiler.model.view import CHECK_OPTIONS
from compiler.model.warehouse import GRANULARITIES
from tests.definition_schema import SCHEMA, VALIDATOR, schema_errors

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "compiler" / "definitions"

# the reader's key table -> the object of schemac.schema.json that lists the same keys
KEY_TABLES = {
    "build.TABLE_KEYS": "table",
    "build.COLUMN_KEYS": "column",
    "build.ENUM_KEYS": "enum",
    "build.EXTENSION_KEYS": "extension",
    "build_constraints.INDEX_KEYS": "index",
    "build_constraints.FOREIGN_KEY_KEYS": "foreign_key",
    "build_constraints.REFERENCE_KEYS": "foreign_key/properties/references",
    "build_constraints.CHECK_KEYS": "check",
    "build_constraints.UNIQUE_KEYS": "primary_key",
    "build_constraints.UNIQUE_CONSTRAINT_KEYS": "unique",
    "build_exclusions.EXCLUSION_KEYS": "exclusion",
    "build_exclusions.ELEMENT_KEYS": "exclusion_element",
    "index_options.INDEX_PART_KEYS": "index_part",
    "build_sequences.IDENTITY_KEYS": "identity",
    "build_sequences.SEQUENCE_KEYS": "serial_sequence",
    "build_standalone_sequences.STANDALONE_SEQUENCE_KEYS": "sequence",
    "build_domains.DOMAIN_KEYS": "domain",
    "build_domains.DOMAIN_CHECK_KEYS": "domain_check",
    "build_warehouse.WAREHOUSE_KEYS": "warehouse",
    "build_warehouse.RANGE_KEYS": "warehouse/properties/range",
    "seeds.SEED_KEYS": "seed",
    "build_partitions.PARTITION_BY_KEYS": "partition_by",
    "build_partitions.KEY_PART_KEYS": "partition_key_part",
    "build_partitions.PARTITION_KEYS": "partition",
    "build_routines.FUNCTION_KEYS": "function",
    "build_routines.PROCEDURE_KEYS": "procedure",
    "build_routines.ARGUMENT_KEYS": "argument",
    "build_routines.RETURN_COLUMN_KEYS": "return_column",
    "build_triggers.TRIGGER_KEYS": "trigger",
    "build_triggers.REFERENCING_KEYS": "trigger/properties/referencing",
    "build_triggers.EVENT_KEYS": "update_of",
    "build_views.VIEW_KEYS": "view",
    "build_views.MATERIALIZED_VIEW_KEYS": "materialized_view",
    "build_views.VIEW_COLUMN_KEYS": "view_column",
    "build_views.VIEW_OPTION_KEYS": "view/properties/with",
    "build_views.MATERIALIZED_VIEW_STORAGE_KEYS": "materialized_view/properties/with",
    "build_security.RLS_KEYS": "row_security",
    "build_security.POLICY_KEYS": "policy",
    "build_security.GRANT_KEYS": "grant",
    "build_security.SCHEMA_KEYS": "schema",
}

# a choice the reader checks -> the schema's `enum` for it, in the same order
CLOSED_SETS = {
    "action": build_constraints.ACTIONS,
    "match": tuple(m for m in build_constraints.MATCH_TYPES if m != "partial"),  # PostgreSQL implements none
    "index/properties/using": build_constraints.INDEX_METHODS,
    "exclusion/properties/using": build_exclusions.EXCLUSION_METHODS,
    "identity_kind": build_sequences.IDENTITY_KINDS,
    "index_part/properties/order": index_options.ORDERS,
    "index_part/properties/nulls": index_options.NULLS_PLACES,
    "hazard": HAZARDS,
    "warehouse/properties/granularity": GRANULARITIES,
    "partition_by/properties/method": METHODS,
    "language": build_routines.LANGUAGES,
    "security": build_routines.SECURITIES,
    "function/properties/volatility": build_routines.VOLATILITIES,
    "function/properties/parallel": build_routines.PARALLEL_SAFETY,
    "argument/properties/mode": build_routines.ARGUMENT_MODES,
    "trigger/properties/timing": build_triggers.TIMINGS,
    "trigger/properties/for_each": build_triggers.LEVELS,
    "trigger/properties/enabled": build_triggers.ENABLED,
    "trigger_event": build_triggers.EVENTS,
    "view/properties/with/properties/check_option": CHECK_OPTIONS,
    "policy/properties/command": COMMANDS,
}


def _node(pointer: str) -> dict[str, Any]:
    node: Any = SCHEMA["definitions"]
    for step in pointer.split("/"):
        node = node[step]
    return node


def _key_tables() -> dict[str, frozenset[str]]:
    """Every module-level `*_KEYS` frozenset defined (not imported) in compiler/definitions."""
    out = {}
    for path in sorted(DEFINITIONS.glob("*.py")):
        module = importlib.import_module(f"compiler.definitions.{path.stem}")
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id.endswith("_KEYS"):
                    value = getattr(module, target.id)
                    if isinstance(value, frozenset):
                        out[f"{path.stem}.{target.id}"] = value
    return out


def test_the_schemas_are_valid_draft_07() -> None:
    for name in (DEFINITIONS_SCHEMA, SETTINGS_SCHEMA):
        schema = json.loads(schema_text(name))
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"  # the Red Hat extension's draft
        Draft7Validator.check_schema(schema)


def test_every_key_table_of_the_reader_has_its_object_in_the_schema() -> None:
    found = _key_tables()
    unmapped = sorted(set(found) - set(KEY_TABLES))
    assert unmapped == [], (f"new key table(s) {unmapped} in compiler/definitions: give each its object in "
                            f"schemac.schema.json and a line in KEY_TABLES of {Path(__file__).name}")
    assert sorted(KEY_TABLES) == sorted(found), "KEY_TABLES names a key table the reader no longer has"


@pytest.mark.parametrize("table", sorted(KEY_TABLES))
def test_the_schema_lists_exactly_the_keys_the_reader_accepts(table: str) -> None:
    module, name = table.split(".")
    accepted = getattr(importlib.import_module(f"compiler.definitions.{module}"), name)
    listed = set(_node(KEY_TABLES[table])["properties"])
    where = f"definitions/{KEY_TABLES[table]}/properties of schemac.schema.json"
    assert not accepted - listed, (f"the reader accepts {sorted(accepted - listed)} ({table}) but {where} has no "
                                   f"entry for it: add one, with a description and the values it takes")
    assert not listed - accepted, f"{where} lists {sorted(listed - accepted)}, which the reader ({table}) refuses"
    assert _node(KEY_TABLES[table]).get("additionalProperties") is False, f"{where}: unknown keys must be flagged"


def test_every_reader_key_check_uses_a_key_table() -> None:
    """Reader.keys(m, allowed, ...) is given a named `*_KEYS` table (or passes one on as `keys`), so
    the test above sees every set of keys the definitions accept."""
    checks, loose = 0, []
    for path in sorted(DEFINITIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "keys"):
                continue
            reader = node.func.value  # a Reader is `r` (or `cx.r`) throughout the definitions package
            if (isinstance(reader, ast.Name) and reader.id == "r") or (
                    isinstance(reader, ast.Attribute) and reader.attr == "r"):
                checks += 1
                allowed = node.args[1]
                if not (isinstance(allowed, ast.Name) and (allowed.id.endswith("_KEYS") or allowed.id == "keys")):
                    loose.append(f"{path.name}:{node.lineno}")
    assert loose == []
    assert checks >= len(KEY_TABLES) - 2  # ELEMENT_KEYS and INDEX_PART_KEYS reach r.keys as `keys`


def test_the_kinds_of_document_are_the_readers() -> None:
    assert tuple(SCHEMA["properties"]) == build.KINDS
    assert [a["required"] for a in SCHEMA["anyOf"]] == [[k] for k in build.KINDS]
    assert [(b["if"]["required"], b["then"]["$ref"]) for b in SCHEMA["allOf"]] == [
        ([k], f"#/definitions/{k}") for k in build.KINDS]


def test_the_settings_schema_lists_exactly_the_settings() -> None:
    listed = json.loads(schema_text(SETTINGS_SCHEMA))
    assert set(listed["properties"]) == set(settings._KEYS), (
        "schemac.settings.schema.json must list every key of settings._KEYS (compiler/definitions/settings.py)")
    assert listed["additionalProperties"] is False


@pytest.mark.parametrize("pointer", sorted(CLOSED_SETS))
def test_closed_sets_are_the_readers(pointer: str) -> None:
    assert tuple(_node(pointer)["enum"]) == CLOSED_SETS[pointer]


def test_the_catalog_facts_are_postgresqls() -> None:
    assert _node("column_name")["not"]["enum"] == sorted(SYSTEM_COLUMNS)
    assert _node("table/properties/columns")["maxItems"] == MAX_TABLE_COLUMNS


@pytest.mark.parametrize("method", build_constraints.INDEX_METHODS)
def test_unique_and_multicolumn_indexes_are_for_the_methods_that_have_them(method: str) -> None:
    assert VALIDATOR.is_valid(_index(method, unique=True)) == (method == "btree")
    two = _index(method)
    two["columns"].append({"name": "b", "type": "text"})
    two["indexes"][0]["columns"] = ["a", "b"]
    assert VALIDATOR.is_valid(two) == (method not in ("hash", "spgist"))


def test_the_type_completions_are_the_known_type_names() -> None:
    examples = _node("column/properties/type")["examples"]
    assert examples == KNOWN_TYPE_NAMES
    for name in examples:
        canonical_type(name, {})  # each one a type schemac reads


def _index(using: str | None = None, **options: object) -> dict[str, Any]:
    index = {"columns": ["a"], **options} | ({"using": using} if using else {})
    return {"table": "t", "columns": [{"name": "a", "type": "text"}], "indexes": [index]}


def _sample(kind: object) -> object:
    """A value of the storage parameter's kind: true, a choice, or a range's lower bound."""
    return True if kind is bool else kind[0]  # type: ignore[index]


@pytest.mark.parametrize("method", build_constraints.INDEX_METHODS)
def test_storage_parameters_are_those_of_the_method(method: str) -> None:
    assert set(_node("index/properties/with")["properties"]) == set(index_options.INDEX_STORAGE)
    for key, (methods, kind) in index_options.INDEX_STORAGE.items():
        valid = VALIDATOR.is_valid(_index(method, **{"with": {key: _sample(kind)}}))
        assert valid == (method in methods), (method, key)
        if method == "btree":  # the default when 'using' is left out
            assert VALIDATOR.is_valid(_index(**{"with": {key: _sample(kind)}})) == valid


def test_storage_parameter_values_are_the_readers() -> None:
    properties = _node("index/properties/with")["properties"]
    for key, (_, kind) in index_options.INDEX_STORAGE.items():
        schema = properties[key]
        if kind is bool:
            assert schema["type"] == "boolean", key
        elif isinstance(kind[0], str):  # type: ignore[index]
            assert set(kind) <= set(schema["enum"]), key  # type: ignore[arg-type]
        else:
            assert (schema["minimum"], schema["maximum"]) == kind, key


@pytest.mark.parametrize("method", build_constraints.INDEX_METHODS)
def test_include_and_order_are_for_the_methods_that_have_them(method: str) -> None:
    assert VALIDATOR.is_valid(_index(method, include=["a"])) == (method in index_options.INCLUDE_METHODS)
    for part, ordered in (({"column": "a", "order": "desc"}, True), ({"column": "a", "nulls": "first"}, True),
                          ({"column": "a", "order": "asc", "nulls": "last"}, False)):
        doc = _index(method)
        doc["indexes"][0]["columns"] = [part]
        assert VALIDATOR.is_valid(doc) == (method == "btree" or not ordered), part
        doc["indexes"][0]["columns"] = "a"  # one name alone: in btree's order
        assert VALIDATOR.is_valid(doc)


@pytest.mark.parametrize("operator", ["=", "&&", "<->", "@>", "-|-", "~=", "<<|", "==="])
def test_exclusion_operators_are_what_the_reader_takes(operator: str) -> None:
    doc = {"table": "t", "columns": [{"name": "a", "type": "text"}],
           "exclusions": [{"elements": [{"column": "a", "with": operator}]}]}
    assert VALIDATOR.is_valid(doc) == bool(build_exclusions._OPERATOR.match(operator))
    doc["exclusions"][0]["elements"][0]["with"] = "overlaps"
    assert not VALIDATOR.is_valid(doc)


_VALIDATION = {"type", "enum", "const", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems",
               "items", "properties", "required", "additionalProperties", "anyOf", "oneOf", "allOf", "not", "if",
               "then", "dependencies", "contains", "uniqueItems", "propertyNames"}


def _subschemas(node: object, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default", "required"):
                out += _subschemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _subschemas(value, f"{path}/{i}")
    return out


def test_no_check_sits_beside_a_ref() -> None:
    """Draft-07 ignores what sits beside $ref (jsonschema does), while VS Code applies it: only
    annotations (description, default) may, so editors and the tests check the same thing."""
    beside = [(path, sorted(set(node) & _VALIDATION)) for path, node in _subschemas(SCHEMA)
              if "$ref" in node and set(node) & _VALIDATION]
    assert beside == []


@pytest.mark.parametrize("pointer", sorted({"", *KEY_TABLES.values()}))
def test_every_key_has_a_description(pointer: str) -> None:
    """Hover text in the editor: on the key, or on the definition it refers to."""
    def described(schema: dict[str, Any]) -> bool:
        ref = schema.get("$ref")
        return "description" in schema or (ref is not None and described(_node(ref.removeprefix("#/definitions/"))))

    properties = _node(pointer)["properties"] if pointer else SCHEMA["properties"]
    assert [key for key, value in properties.items() if not described(value)] == []


def test_the_package_ships_the_schemas_it_prints() -> None:
    """The wheel puts each schema file beside the package's modules, where schema_path looks first."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for name in (DEFINITIONS_SCHEMA, SETTINGS_SCHEMA):
        assert included[name] == f"compiler/{name}"
        assert schema_path(name) == REPO / name  # a checkout: the file at the root, the example's too


# -- the example definitions

EXAMPLES = sorted((REPO / "definitions").rglob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.relative_to(REPO).as_posix() for p in EXAMPLES])
def test_each_example_document_names_the_schema_at_the_project_root(path: Path) -> None:
    """The Red Hat YAML extension reads a modeline in the document holding it, relative to the file."""
    depth = len(path.relative_to(REPO).parts) - 1
    documents = path.read_text().split("\n---\n")
    assert all(doc.startswith(modeline(depth)) for doc in documents)
    named = modeline(depth).removeprefix(SCHEMA_MODELINE).strip()
    assert (path.parent / named).resolve() == REPO / DEFINITIONS_SCHEMA


def test_every_example_document_is_valid() -> None:
    errors: list[Any] = []
    docs = load_project(REPO, errors)
    assert errors == [] and len(docs) >= 5
    assert [(d.path, e.message) for d in docs for e in schema_errors(d.body)] == []
    # and as an editor reads it (YAML 1.2, through its own parser): the same verdict here
    for path in EXAMPLES:
        for body in yaml.safe_load_all(path.read_text()):
            assert VALIDATOR.is_valid(body), path


@pytest.mark.parametrize("value", ["5s", "500ms", "15min", "1h", " 2 d ", "1.5s", 0, 2.5, "5 sec", "s", -1, "0.0001ms",
                                   True, "3 weeks"])
def test_settings_durations_are_what_the_reader_takes(value: object) -> None:
    validator = Draft7Validator(json.loads(schema_text(SETTINGS_SCHEMA)))
    for key in ("migration_lock_timeout", "migration_statement_timeout"):
        reads = not isinstance(settings._KEYS[key](value), str)  # a string is the reader's complaint
        precise = value != "0.0001ms"  # a fraction of a millisecond: the reader refuses, the schema cannot tell
        assert validator.is_valid({key: value}) == (reads or not precise), (key, value)


def test_allow_takes_one_hazard_name_or_a_list_as_the_reader_does() -> None:
    base = {"table": "t", "columns": [{"name": "id", "type": "bigint"}]}
    assert schema_errors({**base, "allow": "lock"}) == []
    assert schema_errors({**base, "allow": ["lock", "rewrite"]}) == []
    assert schema_errors({**base, "allow": "locks"}) != []
    assert schema_errors({**base, "allow": ["locks"]}) != []


def test_a_nul_in_a_string_is_for_the_reader_alone() -> None:
    """No PostgreSQL text holds a NUL, and the reader refuses one in any string; the schema would need
    a pattern on every string it describes to say so, and leaves it to the reader."""
    errors: list = []
    docs = load_text('table: t\ncomment: "a\\0"\ncolumns: [{name: id, type: bigint}]\n', "definitions/t.yaml", errors)
    assert [e.message.split(" (")[0] for e in errors] == ["text must not hold the NUL character"]
    assert schema_errors({"table": "t", "comment": "a\x00", "columns": [{"name": "id", "type": "bigint"}]}) == []
    assert docs
