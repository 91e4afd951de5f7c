"""Expressions are read once, when a model is built: diff, render and the diagrams compare and
print the values the model holds, and never parse SQL again."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import sqlglot.parser
import sqlglot.tokens

from compiler.definitions.read import read_definitions_and_folders
from compiler.diagrams.chartdb import diagram_files
from compiler.model import expression_tokens
from compiler.model.expressions import make_expression
from compiler.model.schema import Column, Schema
from compiler.model.types import extension_type_schemas
from compiler.plan.diff import diff, plan
from compiler.project import Project
from compiler.sql.render import Renderer
from compiler.sql.state import State, dump_state, load_state
from tests.change_cases import CASES
from tests.helpers import schema_of

ROOT = Path(__file__).resolve().parents[2]
# the stages after the model: they take Schemas as they are and never read SQL text
LATER_STAGES = ("plan", "sql", "diagrams")
# modules that load no sqlglot at all, not even through the model
SQLGLOT_FREE = ("compiler.plan.diff", "compiler.plan.refusals", "compiler.sql.render", "compiler.diagrams.chartdb")


def _sqlglot_imports(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        if any(n == "sqlglot" or n.startswith("sqlglot.") for n in names):
            lines.append(node.lineno)
    return lines


def test_later_stages_do_not_import_sqlglot() -> None:
    found = {str(p.relative_to(ROOT)): lines for stage in LATER_STAGES
             for p in sorted((ROOT / "compiler" / stage).rglob("*.py")) if (lines := _sqlglot_imports(p))}
    assert found == {}


def test_an_import_of_sqlglot_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from sqlglot import exp\nimport os\ndef f():\n    import sqlglot.tokens\n")
    assert _sqlglot_imports(module) == [1, 4]


def test_diff_render_and_diagrams_load_no_sqlglot() -> None:
    code = f"import sys\nfor m in {SQLGLOT_FREE!r}:\n    __import__(m)\nprint('sqlglot' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("SQL text was read again after the model was built")


@contextmanager
def no_parsing() -> Iterator[None]:
    """sqlglot's tokenizer and parser and the expression lexer refuse to run; the caches that would
    hide a call are emptied first."""
    for name in list(sys.modules):
        if name.startswith("compiler."):
            for value in vars(importlib.import_module(name)).values():
                if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                    value.cache_clear()
    with (mock.patch.object(sqlglot.parser.Parser, "parse", _refuse),
          mock.patch.object(sqlglot.tokens.Tokenizer, "tokenize", _refuse),
          mock.patch.object(expression_tokens, "tokens", _refuse)):
        yield


def test_no_parsing_is_felt() -> None:
    with no_parsing():
        try:
            make_expression("a + 1 > 0")
        except AssertionError:
            return
    raise AssertionError("make_expression ran without parsing")


def _both_ways(old: Schema, new: Schema) -> list[str]:
    r = Renderer()
    return [r.migration("up", plan(old, new), [], extension_type_schemas(new.extensions.values())),
            r.migration("down", plan(new, old), [], extension_type_schemas(old.extensions.values()))]


def test_the_example_diffs_renders_and_draws_without_parsing() -> None:
    project = Project(ROOT)
    example, folders = read_definitions_and_folders(project)
    state = load_state(project.read_state_bytes()).schema
    expected = _both_ways(Schema(), example)
    with no_parsing():
        assert diff(state, example) == []
        assert _both_ways(Schema(), example) == expected
        diagram_files(example, folders)
        dump_state(State(example))


def test_every_change_case_diffs_and_renders_without_parsing() -> None:
    pairs = [tuple(schema_of(textwrap.dedent(t)) if t.strip() else Schema() for t in CASES[case])
             for case in sorted(CASES)]
    expected = [_both_ways(old, new) for old, new in pairs]
    with no_parsing():
        assert [_both_ways(old, new) for old, new in pairs] == expected


def test_a_rename_moves_the_columns_of_an_expression() -> None:
    e = make_expression("a > b AND lower(\"A\") <> 'a' AND a < 9")
    moved = e.with_columns_renamed({"a": "c", "A": "a", "x": "y"})
    assert moved.text == e.text and moved.columns == ("c", "b", "a")
    assert moved == make_expression("c > b AND lower(a) <> 'a' AND c < 9")
    assert e.with_columns_renamed({"x": "y"}) is e


def test_serial_is_an_integer_column_with_a_flag() -> None:
    t = schema_of("table: t\ncolumns:\n  - {name: a, type: serial4}\n  - {name: b, type: bigserial}\n"
                  "  - {name: c, type: smallint}\n").tables["public.t"]
    assert [(c.type, c.serial, c.declared_type) for c in t.columns] == [
        ("integer", True, "serial"), ("bigint", True, "bigserial"), ("smallint", False, "smallint")]
    assert Column("a", "integer", serial=True) != Column("a", "integer")


def test_state_json_spells_serial_as_it_always_did() -> None:
    state = load_state(b'{"format": 1, "migrations": [], "schema": {"extensions": [], "enums": [], "tables": '
                       b'[{"schema": "public", "name": "t", "columns": [{"name": "id", "type": "bigserial", '
                       b'"nullable": false}]}]}}')
    (column,) = state.schema.tables["public.t"].columns
    assert (column.type, column.serial) == ("bigint", True)
    assert b'"type": "bigserial"' in dump_state(state)
    assert load_state(dump_state(state)) == state
