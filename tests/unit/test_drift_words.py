"""drift says every kind of difference in words: no change kind without them (a KeyError would be a traceback)."""
from __future__ import annotations

from compiler.live.drift import _WORDS
from compiler.plan import changes as ch


def test_every_change_kind_has_words() -> None:
    assert [k.__name__ for k in ch.CHANGE_KINDS if k not in _WORDS] == []
    assert all("{s}" in words for words in _WORDS.values())
