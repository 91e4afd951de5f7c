"""Changes -> SQL text through Jinja templates, one template per change kind.

A project may override any built-in template by placing one of the same name in its own
`templates/` folder. Templates only format; what goes into which transaction is decided here.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import jinja2

from . import changes as ch
from .model import Expr
from .names import qualified, quote_ident, quote_literal
from .types import enum_type_spelling, string_literals


def comment_text(text: object) -> str:
    """Text safe inside a `--` comment: a line break in a name must not end the comment."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def builtin_templates() -> Path:
    """The shipped templates: inside the package when installed, beside it in a checkout."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


@lru_cache(maxsize=8)
def _environment(override: Path | None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(override))] if override is not None else []
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates())))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False,
                             keep_trailing_newline=False, auto_reload=False)  # compiled once, no stat per use
    env.filters["ident"] = quote_ident
    env.filters["qname"] = lambda name, schema: qualified(schema, name)
    env.filters["literal"] = quote_literal
    env.filters["idents"] = lambda names: ", ".join(quote_ident(n) for n in names)
    env.filters["comment"] = comment_text
    env.filters["dotted"] = lambda name: ".".join(quote_ident(p) for p in name.split("."))  # schema.name
    return env


@dataclass(frozen=True, slots=True)
class Block:
    """Statements run in one transaction."""

    statements: tuple[tuple[str, str], ...]  # (comment naming the change, SQL)
    note: str | None = None  # why this block is a transaction of its own


class Renderer:
    def __init__(self, project: Path | None = None) -> None:
        override = project / "templates" if project is not None else None
        self.env = _environment(override if override is not None and override.is_dir() else None)

    def statement(self, change: ch.Change) -> str:
        """The SQL of one change, ending in ';'."""
        return self.env.get_template(change.template).render(c=change).strip()

    def blocks(self, changes: list[ch.Change]) -> list[Block]:
        """Split changes into transactions: a new enum label must be committed before it is used."""
        rendered = [(f"{c.kind} {c.subject}", self.statement(c)) for c in changes]
        added = {c.value for c in changes if isinstance(c, ch.AddEnumValue)}
        grown = {enum_type_spelling(c.enum.schema, c.enum.name) for c in changes if isinstance(c, ch.AddEnumValue)}
        split = 0
        if added:
            last_add = max(i for i, c in enumerate(changes) if isinstance(c, ch.AddEnumValue))
            # a later change uses a new label: in an expression, or by casting a column to the type
            if any(added & _labels_used(c) or grown & _types_cast_to(c) for c in changes[last_add + 1:]):
                split = last_add + 1
        if not split:
            return [Block(tuple(rendered))]
        labels = ", ".join(sorted(added))
        return [Block(tuple(rendered[:split])),
                Block(tuple(rendered[split:]),
                      note=f"PostgreSQL cannot use a new enum value ({labels}) in the transaction "
                           f"that added it, so the values are committed first.")]

    def migration(self, title: str, changes: list[ch.Change], notes: list[str]) -> str:
        """A whole migration file: header, then BEGIN; ... COMMIT; per transaction."""
        text = self.env.get_template("migration.sql.j2").render(
            title=title, notes=notes, blocks=self.blocks(changes))
        return text.rstrip("\n") + "\n"


def _exprs(value: object):
    if isinstance(value, Expr):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _exprs(item)
    elif hasattr(value, "__dataclass_fields__"):
        for f in fields(value):  # type: ignore[arg-type]
            yield from _exprs(getattr(value, f.name))


def _types_cast_to(change: ch.Change) -> set[str]:
    """Types whose values a change converts existing rows to."""
    if isinstance(change, ch.AlterColumnType):
        return {change.new_type.removesuffix("[]")}
    return set()


def _labels_used(change: ch.Change) -> set[str]:
    """String constants the expressions of a change use (a new enum label shows up here)."""
    out: set[str] = set()
    for e in _exprs(change):
        out |= string_literals(e.text)
    return out
