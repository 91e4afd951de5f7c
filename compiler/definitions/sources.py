"""Where each table, column, constraint and index of a built Schema is written: the side table
that lets checks on the model report `file:line:col` at the very key that is wrong.

Built from the table drafts (which record where each object was read) and the documents; the
per-document index of positions is made only when an error needs it, so a clean build pays
nothing for it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DefinitionError
from .load import Document, Mapping, Pos, Sequence

if TYPE_CHECKING:
    from .drafts import TableDraft


class SourceMap:
    """Positions of the objects of each table, by the table's key ('schema.name')."""

    def __init__(self, docs: list[Document], drafts: dict[str, TableDraft]) -> None:
        self._drafts = drafts
        self._docs = {(d.path, d.body.value_pos.get("table")): d for d in docs if "table" in d.body}
        self._owners: dict[int, dict[Pos, tuple[Mapping, str | None]]] = {}

    def knows(self, table: str) -> bool:
        """Whether the table was read from the definitions (and so has positions)."""
        return table in self._drafts

    def error(self, table: str, pos: Pos, message: str) -> DefinitionError:
        return DefinitionError(self._drafts[table].path, pos[0], pos[1], message)

    def table(self, table: str, key: str | None = None) -> Pos:
        """Where the table is named, or where its `key` holds a value."""
        draft = self._drafts[table]
        doc = self._doc(table)
        if key is not None and doc is not None and key in doc.body.value_pos:
            return doc.body.value_pos[key]
        return draft.pos

    def column(self, table: str, column: str, key: str | None = None) -> Pos:
        """Where a column is named, or where its `key` (default, type...) holds a value."""
        pos = self._drafts[table].column_pos.get(column, self._drafts[table].pos)
        return self._key_of(table, pos, key)

    def column_key(self, table: str, column: str, key: str) -> Pos | None:
        """Where the column's `key` holds a value; None when the column does not write it."""
        owner = self._owner(table, self._drafts[table].column_pos.get(column))
        if owner is None or key not in owner[0].value_pos:
            return None
        return owner[0].value_pos[key]

    def object(self, table: str, name: str, key: str | None = None) -> Pos:
        """Where a constraint or index is written, or where its `key` (using, where...) is."""
        return self._key_of(table, self._drafts[table].position_of(name), key)

    def object_item(self, table: str, name: str, key: str, index: int, fallback: str) -> Pos:
        """Where item `index` of the list under the object's `key` is (an index's expression part);
        else where its `fallback` key is."""
        pos = self._drafts[table].position_of(name)
        owner = self._owner(table, pos)
        if owner is not None:
            value = owner[0].get(key)
            if isinstance(value, Sequence) and index < len(value.item_pos):
                return value.item_pos[index]
        return self._key_of(table, pos, fallback)

    def mapping(self, table: str, pos: Pos | None = None) -> Mapping | None:
        """The mapping that holds the object written at `pos` (a column, an index, a constraint,
        or the column that declares a constraint itself); without `pos`, the table's own."""
        if pos is None:
            doc = self._doc(table)
            return doc.body if doc is not None else None
        owner = self._owner(table, pos)
        return owner[0] if owner is not None else None

    def _key_of(self, table: str, pos: Pos, key: str | None) -> Pos:
        owner = self._owner(table, pos)
        if key is None or owner is None:
            return pos
        return owner[0].value_pos.get(key, pos)

    def _doc(self, table: str) -> Document | None:
        draft = self._drafts[table]
        return self._docs.get((draft.path, draft.pos))

    def _owner(self, table: str, pos: Pos | None) -> tuple[Mapping, str | None] | None:
        """The mapping that starts at `pos`, or holds a plain value there (with its key)."""
        doc = self._doc(table)
        if doc is None or pos is None:
            return None
        owners = self._owners.get(id(doc))
        if owners is None:
            owners = self._owners[id(doc)] = {}
            _index(doc.body, owners)
        return owners.get(pos)


def _index(node: object, owners: dict[Pos, tuple[Mapping, str | None]]) -> None:
    if isinstance(node, Mapping):
        owners[node.pos] = (node, None)
        for key, value in node.items():
            if isinstance(value, Mapping | Sequence):
                _index(value, owners)
            owners.setdefault(node.value_pos[key], (node, key))
    elif isinstance(node, Sequence):
        for item in node:
            _index(item, owners)
