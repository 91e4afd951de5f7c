"""The package's folders are the pipeline's stages, and imports only point back up the pipeline."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "compiler"

# earlier stages first; a module may import its own stage and earlier ones, never a later one
STAGES = ["errors", "jsontext", "project", "cache", "model", "definitions", "plan", "sql", "warehouse", "diagrams", "pipeline",
          "live", "testing", "cli"]


def _stage(module: str) -> str:
    """`compiler.plan.diff` -> `plan`; `compiler.cli` -> `cli`."""
    return module.split(".")[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    return _imports_of(_module_name(path), path.name == "__init__.py", path.read_text())


def _imports_of(module: str, is_package: bool, source: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import of this package, relative ones resolved."""
    me = module.split(".")
    package = me if is_package else me[:-1]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("compiler"):
                continue
            if target == "compiler" or target.count(".") == 1 and not node.module:
                # `from . import x`, `from .plan import changes`: each name is a module
                out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                out.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("compiler.")]
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_stage() -> None:
    loose = [_module_name(p) for p in MODULES
             if _module_name(p) != "compiler" and _stage(_module_name(p)) not in STAGES]
    assert loose == []


def _later(module: str, imports: list[tuple[int, str]]) -> list[str]:
    mine = STAGES.index(_stage(module))
    return [f"line {line}: {target}" for line, target in imports
            if target != "compiler" and STAGES.index(_stage(target)) > mine]


@pytest.mark.parametrize("path", [p for p in MODULES if _module_name(p) != "compiler"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_only_to_earlier_stages(path: Path) -> None:
    me = _module_name(path)
    assert _later(me, _imports(path)) == [], f"{me} imports a later stage"


@pytest.mark.parametrize("source", ["from ..live.database import resolve_url\n",
                                    "from ..live import signals\n",
                                    "def f():\n    from compiler.sql.render import Renderer\n",
                                    "import compiler.pipeline\n"])
def test_an_import_of_a_later_stage_is_caught(source: str) -> None:
    assert _later("compiler.plan.diff", _imports_of("compiler.plan.diff", False, source)) != []


def test_imports_of_earlier_stages_and_the_same_stage_pass() -> None:
    source = "from ..model.schema import Schema\nfrom . import changes as ch\nfrom ..project import slug\n"
    found = _imports_of("compiler.plan.diff", False, source)
    assert [t for _, t in found] == ["compiler.model.schema", "compiler.plan.changes", "compiler.project"]
    assert _later("compiler.plan.diff", found) == []
