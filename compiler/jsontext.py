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

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def dump_json(value: object, indent: int = 2) -> bytes:
    """`json.dumps(value, indent=indent, ensure_ascii=False)` plus a newline, as UTF-8 bytes."""
    if indent not in (1, 2):
        raise ValueError(f"indent {indent}: only 1 and 2 are written")
    try:
        data = orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer past 64 bits, a lone surrogate: json's own way, and its errors
        return (json.dumps(value, indent=indent, ensure_ascii=False) + "\n").encode()
    return data if indent == 2 else _halve_indentation(data, value)


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
