"""The one JSON writer gives exactly the bytes of json.dumps(indent=..., ensure_ascii=False)."""
from __future__ import annotations

import json

import pytest

from compiler.jsontext import Items, dump_json

EVERY_CHARACTER = "".join(chr(i) for i in range(0x3000) if not 0xD800 <= i < 0xE000) + "\u2028\u2029\U0001F600"
VALUES = [
    {"a": [1, True, None, "é\u2028\"", {"b": []}, {}], "c": -2, "d": {"e": "x"}},
    {"text": EVERY_CHARACTER, EVERY_CHARACTER: [EVERY_CHARACTER, (1, 2)]},
    {"deep": [[[[{"x": [[{"y": "z"}]]}]]]], "top": ""},
    {"two  spaces": "a  b", "nested": [{"comment": "  leading and trailing  "}, ["   "]]},
    {"big": 2 ** 63 - 1, "small": -(2 ** 63), "past 64 bits": 2 ** 70, "list": [2 ** 64]},
    [], {}, "text", 0, None,
]


@pytest.mark.parametrize("indent", [1, 2])
@pytest.mark.parametrize("value", VALUES)
def test_dump_json_is_json_dumps(value: object, indent: int) -> None:
    assert dump_json(value, indent) == (json.dumps(value, indent=indent, ensure_ascii=False) + "\n").encode()


def test_other_indents_are_refused() -> None:
    with pytest.raises(ValueError):
        dump_json({"a": [1]}, 4)


@pytest.mark.parametrize("value", [v for v in VALUES if isinstance(v, dict)] + [
    {"a": [], "b": [{"c": [1, {"d": "e  f"}]}, "g", [], {}], "h": {"i": [1]}, "j": "k"}])
def test_items_are_written_as_the_list_they_give(value: dict) -> None:
    lazy = {k: Items(iter(v)) if isinstance(v, list) else v for k, v in value.items()}
    assert dump_json(lazy) == dump_json(value)
    upper = {k: Items(iter(v)) if isinstance(v, list) else v for k, v in value.items()}
    assert dump_json(upper, pieces=bytes.upper) == dump_json(value).upper()


@pytest.mark.parametrize("run", [1, 40, 1 << 16])
def test_items_filtered_in_runs_give_what_the_whole_text_gives(run: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # runs of items go through the filter at once: ChartDB's paste-box filter must see the
    # same markers (DDL words, DBML brackets, line separators) as on the whole text, at any cut
    from compiler import jsontext
    from compiler.diagrams.diagramfacts import unsniffable

    def filtered(text: bytes) -> bytes:
        return unsniffable(text.decode()).encode()

    monkeypatch.setattr(jsontext, "_RUN", run)
    rows = [{"name": f"c{i}", "default": text} for i, text in enumerate(
        ["CREATE TABLE x (id int)", "drop", "TABLE y", "[pk]", "[ref: > a.b]", "a\u2028b", "alter", " table", "x"] * 30)]
    value = {"columns": rows, "tables": [{"comment": "DROP TABLE z"}], "version": ""}
    written = dump_json({"columns": Items(iter(rows)), "tables": value["tables"], "version": ""}, pieces=filtered)
    assert written == filtered(dump_json(value))
    assert b"CREATE\\u0020TABLE" in written and b"\\u005bpk]" in written
