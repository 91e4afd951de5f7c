"""state.json keeps every property added for full fidelity, and writes none of them when unset."""
from __future__ import annotations

import textwrap

import pytest

from compiler.model.schema import Schema
from compiler.plan.diff import diff
from compiler.sql.state import State, dump_state, load_state
from tests.change_cases import CASES, FIDELITY_CASES
from tests.helpers import schema_of

NEW_KEYS = ("\"order\"", "\"nulls\"", "\"opclass\"", "\"include\"", "\"with\"", "\"nulls_not_distinct\"",
            "\"deferrable\"", "\"initially_deferred\"", "\"match\"", "\"no_inherit\"", "\"comment\"")


def _schemas() -> list[Schema]:
    texts = [text for case in FIDELITY_CASES for text in CASES[case] if text.strip()]
    return [schema_of(textwrap.dedent(t)) for t in texts]


@pytest.mark.parametrize("index", range(len(_schemas())))
def test_every_new_property_round_trips(index: int) -> None:
    s = _schemas()[index]
    first = dump_state(State(s))
    loaded = load_state(first).schema
    assert loaded == s  # expression texts aside, the same model, options and all
    assert diff(s, loaded) == [] and diff(loaded, s) == []
    assert dump_state(State(loaded)) == first


def test_unset_properties_are_not_written() -> None:
    plain = schema_of("table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true, references: t.id}\n"
                      "indexes:\n  - columns: [id]\nchecks:\n  - {expression: id > 0}\n"
                      "---\nenum: e\nvalues: [a]\n")
    text = dump_state(State(plain)).decode()
    assert [k for k in NEW_KEYS if k in text] == []


def test_the_new_keys_are_written_when_set() -> None:
    text = "".join(dump_state(State(s)).decode() for s in _schemas())
    assert [k for k in NEW_KEYS if k not in text] == []
