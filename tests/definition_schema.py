"""The JSON Schemas in the tests: a validator, where its errors point, and readers that hold every
definition the suite compiles (and every schemac.yaml it reads) to them.

`check_every_read()` (called once by conftest.py) replaces build_schema_and_acknowledged (which
build_schema calls), wherever it is bound, by
one that validates each document before building it and fails when the build succeeds but the
schema refused a document: whatever a test writes (files, `schema_of`, an import), if schemac
compiles it, the editors' schema must accept it. parse_settings likewise. A build that fails is bad
input, held to the schema by tests/cli/test_json_schema_bad_input.py instead.
"""
from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from jsonschema import Draft7Validator, ValidationError

from compiler.definitions import build, settings
from compiler.definitions.json_schema import SETTINGS_SCHEMA, schema_text
from compiler.definitions.load import Document, Mapping, Pos, Sequence, load_text
from compiler.definitions.settings import SETTINGS_FILE

SCHEMA: dict[str, Any] = json.loads(schema_text())
VALIDATOR = Draft7Validator(SCHEMA)
SETTINGS_VALIDATOR = Draft7Validator(json.loads(schema_text(SETTINGS_SCHEMA)))
Path = tuple[str | int, ...]


def schema_errors(body: object) -> list[ValidationError]:
    """The schema's complaints about one document, in the order of their paths."""
    return sorted(VALIDATOR.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])


def where(body: Mapping, path: Path) -> Pos:
    """Where the node at `path` starts in the source (a mapping entry's value)."""
    node: object = body
    pos = body.pos
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str) and step in node:
            pos = node.value_pos[step]
            node = node[step]
        elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node):
            pos = node.item_pos[step]
            node = node[step]
        else:
            break
    return pos


def path_at(body: Mapping, pos: Pos) -> Path:
    """The path of the deepest node whose key, value or item starts at `pos`; () when none does."""
    found: Path = ()

    def visit(node: object, path: Path) -> None:
        nonlocal found
        if isinstance(node, Mapping):
            if node.pos == pos and len(path) > len(found):
                found = path
            for key, value in node.items():
                if pos in (node.key_pos[key], node.value_pos[key]) and len(path) + 1 > len(found):
                    found = (*path, key)
                visit(value, (*path, key))
        elif isinstance(node, Sequence):
            if node.pos == pos and len(path) > len(found):
                found = path
            for i, item in enumerate(node):
                if node.item_pos[i] == pos and len(path) + 1 > len(found):
                    found = (*path, i)
                visit(item, (*path, i))

    visit(body, ())
    return found


class SchemaRefusedCompiledDefinition(AssertionError):
    """schemac compiled a definition its JSON Schema refuses: the schema is wrong (or too strict)."""


def _describe(doc: Document, error: ValidationError) -> str:
    line, col = where(doc.body, tuple(error.absolute_path))
    return f"{doc.path}:{line}:{col}: {error.message} (schema: {'/'.join(map(str, error.absolute_schema_path))})"


@functools.lru_cache(maxsize=1 << 16)
def _valid(text: str) -> bool:
    return VALIDATOR.is_valid(json.loads(text))


def is_valid(body: Mapping) -> bool:
    """schema_errors(body) == [], remembered by content: validating takes some ten times as long as
    building, and the suite compiles the same documents again and again (compile, --check, plan)."""
    return _valid(json.dumps(body))


def checked_build(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def build_schema(docs: list[Document], errors: list[Any] | None = None, **options: Any) -> Any:
        # validated first: building rewrites a few values in place (a name written `on` becomes text)
        refused = [_describe(doc, e) for doc in docs if not is_valid(doc.body) for e in schema_errors(doc.body)]
        schema = original(docs, errors, **options)
        if refused:
            raise SchemaRefusedCompiledDefinition(
                "schemac compiled definitions its JSON Schema (schemac.schema.json) refuses:\n  "
                + "\n  ".join(refused))
        return schema

    return build_schema


def checked_settings(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def parse_settings(text: str) -> Any:
        parsed = original(text)  # DefinitionErrors for bad settings: the schema is not asked then
        for doc in load_text(text, SETTINGS_FILE, []):
            refused = [f"{SETTINGS_FILE}:{':'.join(map(str, where(doc.body, tuple(e.absolute_path))))}: {e.message}"
                       for e in SETTINGS_VALIDATOR.iter_errors(doc.body)]
            if refused:
                raise SchemaRefusedCompiledDefinition(
                    "schemac read settings its JSON Schema (schemac.settings.schema.json) refuses:\n  "
                    + "\n  ".join(refused))
        return parsed

    return parse_settings


def _install(module: ModuleType, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace module.name, and the same function in every module that imported it already."""
    original = getattr(module, name)
    if getattr(original, "schema_checked", False):
        return
    replacement = make(original)
    replacement.schema_checked = True  # type: ignore[attr-defined]
    setattr(module, name, replacement)  # modules imported from now on bind this one
    for other in list(sys.modules.values()):
        if getattr(other, name, None) is original:
            setattr(other, name, replacement)


def check_every_read() -> None:
    """From now on, each successful build_schema and parse_settings also validates what it read."""
    _install(build, "build_schema_and_acknowledged", checked_build)  # build_schema calls it
    _install(settings, "parse_settings", checked_settings)
