"""Test helpers: throwaway schemac projects written from YAML text."""
from __future__ import annotations

import signal
import textwrap
from pathlib import Path

from compiler.errors import DefinitionError
from compiler.model.schema import Schema


def write_definitions(root: Path, files: dict[str, str | bytes], exact: bool = False) -> Path:
    """Replace the project's definitions/ with `files` (relative path -> YAML).

    Text is dedented unless `exact` (tests of error positions need it as given); bytes are
    written as they are.
    """
    defs = root / "definitions"
    if defs.exists():
        for f in sorted(defs.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
    for rel, content in files.items():
        path = defs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if exact else textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    """`schemac -C root ARGS...` in process: (exit code, stdout, stderr)."""
    from compiler.cli import main

    capsys.readouterr()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = main(["-C", str(root), *args])
    finally:  # a command that finished defers signals to the end of its process: not this one's
        for s, handler in handlers.items():
            signal.signal(s, handler)
    out, err = capsys.readouterr()
    return code, out, err


def generated_files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under generated/ with its bytes and modification time."""
    gen = root / "generated"
    return {p.relative_to(gen).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(gen.rglob("*")) if p.is_file()}


def schema_of(yaml_text: str) -> Schema:
    """Build a Schema from one YAML text (documents separated by ---)."""
    from compiler.definitions.build import build_schema
    from compiler.definitions.load import load_text

    errors: list[DefinitionError] = []
    docs = load_text(textwrap.dedent(yaml_text).lstrip("\n"), "definitions/test.yaml", errors)
    return build_schema(docs, errors)
