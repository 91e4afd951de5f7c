"""The one JSON writer of generated/ files: state.json (indent 1) and the ChartDB files (indent 2).

`dump_json(value, indent)` gives exactly the bytes of `json.dumps(value, indent=indent,
ensure_ascii=False) + "\\n"` encoded as UTF-8, for documents of strings, integers, booleans,
None, lists, tuples and dicts with string keys (the only values generated/ holds; floats would
be spelled the shortest way, `1e16` where json writes `1e+16`). orjson writes it: the standard
library falls back to its pure-Python encoder whenever `indent` is set, about 20 times slower
on a large schema. orjson indents by two; indent 1 halves each line's leading spaces.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import cast

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
_RUN = 1 << 16  # bytes of items filtered at once: bounded, so a long list is still never held whole


class Items:
    """A list in a document's top-level mapping, written item by item: each item is made,
    written and dropped, so a long list of large items (a diagram's tables) is never held whole.
    The text is that of the list of the same items."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[object]) -> None:
        self.items = items


def dump_json(value: object, indent: int = 2, pieces: Callable[[bytes], bytes] | None = None) -> bytes:
    """`json.dumps(value, indent=indent, ensure_ascii=False)` plus a newline, as UTF-8 bytes.

    A top-level mapping may hold Items (with indent 2); `pieces`, if given, is applied to the
    text of each of its keys and values, and of runs of items joined by ",\n" (complete JSON
    values, so a filter that changes only the inside of strings gives what it would give on the
    whole text).
    """
    if indent not in (1, 2):
        raise ValueError(f"indent {indent}: only 1 and 2 are written")
    if isinstance(value, dict) and any(isinstance(v, Items) for v in value.values()):
        if indent != 2:
            raise ValueError("Items are written with indent 2 only")
        return _dump_items(value, pieces or _same)
    if pieces is not None:
        return pieces(dump_json(value, indent))
    try:
        data = orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer past 64 bits, a lone surrogate: json's own way, and its errors
        return (json.dumps(value, indent=indent, ensure_ascii=False) + "\n").encode()
    return data if indent == 2 else _halve_indentation(data, value)


def _same(text: bytes) -> bytes:
    return text


def _dump_items(value: dict[str, object], pieces: Callable[[bytes], bytes]) -> bytes:
    """A top-level mapping holding Items: each key, value and item dumped on its own and its
    lines moved to the depth it has in the whole (a line break in JSON text is never in a string)."""
    out = bytearray(b"{")
    sep = b"\n  "
    for key, item in value.items():
        out += sep
        out += pieces(_indented(key))
        out += b": "
        if isinstance(item, Items):
            # items go through `pieces` in runs of about _RUN bytes (the run's items joined by
            # ",\n", which holds no text a filter of strings' insides looks at): one call per
            # item was most of the time of a filtered file of small items
            head, run, size = b"[\n    ", [], 0
            for element in item.items:
                text = _indented(element)
                run.append(text)
                size += len(text)
                if size >= _RUN:
                    out += head
                    out += pieces(b",\n".join(run)).replace(b"\n", b"\n    ")
                    head, run, size = b",\n    ", [], 0
            if run:
                out += head
                out += pieces(b",\n".join(run)).replace(b"\n", b"\n    ")
                head = b",\n    "
            out += b"[]" if head == b"[\n    " else b"\n  ]"
        else:
            out += pieces(_indented(item)).replace(b"\n", b"\n  ")
        sep = b",\n  "
    out += b"\n}\n"
    # The bytearray itself: it does all bytes do for the callers (write, compare, hash, decode),
    # and a copy to bytes would double the peak of a large file.
    return cast(bytes, out)


def _indented(value: object) -> bytes:
    """The text of a value with indent 2, no newline after it."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return json.dumps(value, indent=2, ensure_ascii=False).encode()


def _halve_indentation(data: bytes, value: object) -> bytes:
    """Two spaces of indentation per level -> one.

    A string in JSON text never holds a raw line break, so every run of spaces after one is
    indentation. When no string holds two spaces in a row (told by the compact text), every
    pair of spaces is indentation, and one replace halves them all; else each level is
    replaced from the deepest up, through a marker byte JSON text cannot hold raw.
    """
    if b"  " not in orjson.dumps(value):
        return data.replace(b"  ", b" ")
    depth = 1
    while b"\n" + b"  " * depth in data:
        depth += 1
    for level in range(depth - 1, 0, -1):
        data = data.replace(b"\n" + b"  " * level, b"\n" + b"\0" * level)
    return data.replace(b"\0", b" ")
