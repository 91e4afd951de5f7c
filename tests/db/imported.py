"""The proof of an import: its definitions compiled and applied to an empty database give the
catalog of the database imported, and drift finds nothing between them."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli import main
from tests.db.catalog import catalog


def assert_rebuilds_the_database(project: Path, imported_url: str, empty_url: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "compile"]) == 0
    assert main(["-C", str(project), "apply", "--database-url", empty_url]) == 0
    original, rebuilt = catalog(imported_url), catalog(empty_url)
    for part in original:
        assert [r for r in rebuilt[part] if "schema_migrations" not in r] == original[part], part
    capsys.readouterr()
    assert main(["-C", str(project), "drift", "--database-url", imported_url]) == 0
