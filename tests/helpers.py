"""Test helpers: throwaway schemac projects written from YAML text."""
from __future__ import annotations

import textwrap
from pathlib import Path

from compiler.errors import DefinitionError
from compiler.model import Schema


def write_definitions(root: Path, files: dict[str, str]) -> Path:
    """Replace the project's definitions/ with `files` (relative path -> YAML text)."""
    defs = root / "definitions"
    if defs.exists():
        for f in sorted(defs.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
    for rel, text in files.items():
        path = defs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def schema_of(yaml_text: str) -> Schema:
    """Build a Schema from one YAML text (documents separated by ---)."""
    from compiler.build import build_schema
    from compiler.load import load_text

    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(yaml_text).lstrip("\n"), "definitions/test.yaml", errors)
    return build_schema(docs, errors)
