"""The JSON Schemas of the definitions format and of schemac.yaml, for editors (`schemac json-schema`).

The schemas are files, not code: `schemac.schema.json` and `schemac.settings.schema.json` at the
repository root, shipped inside the package. The tests hold them to the reader's key tables.
"""
from __future__ import annotations

from pathlib import Path

DEFINITIONS_SCHEMA = "schemac.schema.json"
SETTINGS_SCHEMA = "schemac.settings.schema.json"
SCHEMA_MODELINE = "# yaml-language-server: $schema="  # the comment naming a file's schema, for editors


def schema_path(name: str) -> Path:
    """A shipped schema file: inside the package when installed, at the repository root in a checkout."""
    package = Path(__file__).parents[1]
    packaged = package / name
    return packaged if packaged.is_file() else package.parent / name


def schema_text(name: str = DEFINITIONS_SCHEMA) -> str:
    """The schema's JSON text, as shipped."""
    return schema_path(name).read_text(encoding="utf-8")


def modeline(depth: int) -> str:
    """The comment that names `schemac.schema.json` at the project root to an editor, for a file
    `depth` folders below it (definitions/x.yaml: 1)."""
    return f"{SCHEMA_MODELINE}{'../' * depth}{DEFINITIONS_SCHEMA}\n"
