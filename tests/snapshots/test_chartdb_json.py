"""The example project's ChartDB files as reviewable .json snapshots.

A change to the diagram writer shows up here as a JSON diff; updating a snapshot is a reviewed
change (`pytest --snapshot-update`), never a reflex.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_project
from compiler.definitions.read import table_folders
from compiler.diagrams.chartdb import diagram_files
from tests.chartdb_format import diagram_problems, metadata_problems

REPO = Path(__file__).resolve().parents[2]


def example_files() -> dict[str, bytes]:
    docs = load_project(REPO, [])
    return diagram_files(build_schema(docs, []), table_folders(docs))


FILES = sorted(name for name in example_files() if name.endswith(".json"))


@pytest.mark.parametrize("name", FILES, ids=[n.removeprefix("chartdb/").replace("/", "-").removesuffix(".json")
                                           for n in FILES])
def test_chartdb_json(name: str, json_snapshot) -> None:
    text = example_files()[name].decode()
    json.loads(text)  # well-formed
    assert text == json_snapshot


def test_snapshotted_files_are_valid_chartdb() -> None:
    files = example_files()
    assert diagram_problems(json.loads(files["chartdb/diagram.json"])) == []
    assert metadata_problems(files["chartdb/metadata.json"].decode()) == []
    assert len(FILES) == 3 + 4  # diagram, metadata, index and one file per table
