"""Views in the diagrams: ChartDB tables with `isView` (and `isMaterializedView`) and the
dependencies of what they read, as ../shared/chartdb/FORMAT.md describes; Mermaid entities
labelled as views, which mermaid's grammar (and its own parser, where installed) accepts."""
from __future__ import annotations

import base64
import json

from compiler.diagrams.chartdb import diagram_document
from compiler.diagrams.chartdb_metadata import metadata_document
from compiler.diagrams.mermaid import schema_markdown
from compiler.jsontext import dump_json
from tests.change_cases import CHAIN, VIEWS
from tests.chartdb_format import diagram_problems, metadata_problems
from tests.helpers import schema_of
from tests.mermaid_grammar import er_problems, mermaid_blocks
from tests.unit.test_mermaid import mermaid_parse


def test_chartdb_diagram_draws_views_as_views_with_their_dependencies() -> None:
    doc = diagram_document(schema_of(VIEWS))
    assert diagram_problems(json.loads(dump_json(doc))) == []
    by_name = {t["name"]: t for t in doc["tables"]}
    assert [by_name[n]["isView"] for n in ("t", "named", "named_upper", "counts")] == [False, True, True, True]
    assert by_name["counts"]["isMaterializedView"] is True and "isMaterializedView" not in by_name["named"]
    assert by_name["named"]["color"] == "#b0b0b0" and by_name["counts"]["color"] == "#7d7d7d"
    assert [f["name"] for f in by_name["named"]["fields"]] == ["id", "label"]
    assert by_name["named"]["fields"][0]["type"]["name"] == "bigint"  # a column passed on keeps its type
    assert by_name["counts"]["indexes"][0]["name"] == "counts_name_idx"
    links = {(d["dependentTableId"], d["tableId"]) for d in doc["dependencies"]}
    assert links == {("t_public_named", "t_public_t"), ("t_public_counts", "t_public_t"),
                     ("t_reports_named_upper", "t_public_named")}


def test_chartdb_metadata_lists_views_in_tables_and_views() -> None:
    doc = metadata_document(schema_of(VIEWS), "db")
    assert metadata_problems(dump_json(doc).decode()) == []
    assert {(t["schema"], t["table"]) for t in doc["tables"]} >= {("public", "named"), ("public", "counts")}
    views = {v["view_name"]: base64.b64decode(v["view_definition"]).decode() for v in doc["views"]}
    assert "materialized" in views["counts"].lower() and "materialized" not in views["named"].lower()
    assert views["named"].startswith("SELECT id, name")


def test_mermaid_marks_views_and_draws_what_they_read() -> None:
    text = schema_markdown(schema_of(CHAIN))
    blocks = mermaid_blocks(text)
    assert [er_problems(b) for b in blocks] == [[]]
    assert '    v2["v2 (view)"] {' in blocks[0] and '    mv["mv (materialized view)"] {' in blocks[0]
    assert '    v1 }o..o{ v2 : "read by"' in blocks[0]
    assert "1 tables, 4 views, 0 enums" in text
    assert mermaid_parse(blocks) == [None]
