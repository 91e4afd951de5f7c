"""Standalone sequences (`sequence:` documents), apart from those behind identity and serial columns.

Options are kept as model/sequences.py keeps a column's: only those that differ from what CREATE
SEQUENCE AS `type` chooses, so a sequence read from the catalog compares equal to its definition.
The position (last_value) is data, not schema: no migration resets it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from .expressions import ExpressionProblem, read_expression
from .sequences import SequenceOptions, resolved

SEQUENCE_TYPES = ("smallint", "integer", "bigint")


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str
    name: str
    type: str = "bigint"  # CREATE SEQUENCE's default
    options: SequenceOptions = ()  # start, increment, min, max, cache, cycle: those not default
    owned_by: str | None = None  # 'table.column' of its own schema (PostgreSQL requires the same schema)
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def owner_table(self) -> str | None:
        """schema.table of its owning column, if any."""
        return f"{self.schema}.{self.owned_by.rsplit('.', 1)[0]}" if self.owned_by else None

    def bounds(self) -> tuple[int, int]:
        full = resolved(self.type, self.options)
        return int(full["min"]), int(full["max"])


_CALLS = frozenset({"nextval", "currval", "setval"})


def sequences_called(text: str) -> tuple[str, ...]:
    """The sequences an expression calls nextval, currval or setval of, each as a regclass reads its
    text: 'Orders' is orders, '"Orders"' is Orders, 'app.seq' is app.seq (schema.name, or a bare name)."""
    try:
        tree = read_expression(text)
    except ExpressionProblem:
        return ()
    out: list[str] = []
    for node in tree.walk():
        if not isinstance(node, exp.Anonymous) or str(node.this).lower() not in _CALLS or not node.expressions:
            continue
        arg = node.expressions[0]
        if isinstance(arg, exp.Cast):
            arg = arg.this
        if isinstance(arg, exp.Literal) and arg.is_string:
            name = _regclass_name(arg.this)
            if name is not None:
                out.append(name)
    return tuple(dict.fromkeys(out))


def _regclass_name(text: str) -> str | None:
    """'app."Seq"' -> 'app.Seq': unquoted parts fold to lower case, as regclass input does."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if rest.startswith('"'):
            end = 1
            while True:
                end = rest.find('"', end)
                if end < 0:
                    return None
                if rest[end + 1:end + 2] == '"':
                    end += 2
                    continue
                break
            parts.append(rest[1:end].replace('""', '"'))
            rest = rest[end + 1:]
        else:
            word, _, _ = rest.partition(".")
            parts.append(word.strip().lower())
            rest = rest[len(word):]
        if rest.startswith("."):
            rest = rest[1:]
        elif rest:
            return None
    return ".".join(parts) if 1 <= len(parts) <= 2 and all(parts) else None
