"""Scalars YAML reads as something other than what was meant in a row, marked by the loader so a
seed can refuse them (definitions read them as the plain str and int they are).

Kept apart from seed_values, which needs sqlglot: the loader imports this module, and loading
definitions must not import sqlglot (tests/unit/test_read_once.py).
"""
from __future__ import annotations


class YamlOctal(int):
    """An integer written with a leading zero (010), which YAML 1.1 reads as octal (8): `written`
    keeps the text. No one means octal in a row, so a seed refuses it."""

    def __new__(cls, value: int, written: str) -> YamlOctal:
        made = super().__new__(cls, value)
        made.written = written
        return made

    written: str


class YamlDate(str):
    """Text YAML reads as a date or time when it is written unquoted (2024-01-31): the loader's
    YamlTimestamp is one. Text for a date or timestamp column; for any other, a value to quote."""

    __slots__ = ()
