"""drift says every kind of difference in words: no change kind without them."""
from __future__ import annotations

import pytest

from compiler.plan import changes as ch


@pytest.mark.parametrize("kind", ch.change_kinds(), ids=lambda k: k.__name__)
def test_every_change_kind_has_words(kind: type[ch.Change]) -> None:
    assert "{s}" in kind.DESCRIPTION


def test_the_words_tell_the_kinds_apart() -> None:
    words = [k.DESCRIPTION for k in ch.change_kinds()]
    assert sorted(w for w in words if words.count(w) > 1) == []
