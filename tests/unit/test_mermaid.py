"""Schema -> schema.md: Mermaid erDiagrams that parse, with keys and crow's-foot cardinalities.

Every diagram is checked by tests/mermaid_grammar.py (a grammar of the subset written, from
mermaid's own erDiagram lexer) and, where Node and tests/mermaid/node_modules are installed
(`npm ci --prefix tests/mermaid`, done by .ci/run), by mermaid's own parser too.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_project
from compiler.definitions.read import table_folders
from compiler.diagrams.chartdb import area_of
from compiler.diagrams.diagramfacts import sorted_tables
from compiler.diagrams.mermaid import MAX_TABLES_PER_DIAGRAM, attribute_word, entity_names, schema_markdown
from compiler.model.schema import Column, ForeignKey, PrimaryKey, Schema, Table
from tests.diagram_schemas import schemas
from tests.helpers import schema_of
from tests.mermaid_grammar import er_problems, mermaid_blocks

REPO = Path(__file__).resolve().parents[2]
PARSER = REPO / "tests" / "mermaid"


def mermaid_parse(texts: list[str]) -> list[str | None]:
    """mermaid's own parser on each text: None when it parses, else its message."""
    node = shutil.which("node")
    if node is None or not (PARSER / "node_modules" / "mermaid").is_dir():
        if os.environ.get("CI"):
            pytest.fail("mermaid's parser is not installed (npm ci --prefix tests/mermaid)")
        pytest.skip("mermaid's parser is not installed (npm ci --prefix tests/mermaid); the grammar check ran")
    out = subprocess.run([node, str(PARSER / "parse.mjs")], input=json.dumps(texts), capture_output=True,
                         text=True, cwd=PARSER, timeout=120, check=True)
    return json.loads(out.stdout)


def example_markdown() -> str:
    docs = load_project(REPO, [])
    schema = build_schema(docs, [])
    return schema_markdown(schema, area_of(sorted_tables(schema), table_folders(docs)))


def test_example_diagram() -> None:
    text = example_markdown()
    blocks = mermaid_blocks(text)
    assert len(blocks) == 1
    er = blocks[0]
    assert er_problems(er) == []
    assert "        varchar(255) email UK\n" in er
    assert "        uuid id PK\n" in er
    assert "        uuid user_id FK\n" in er
    assert '        varchar(100) source "Service or job that raised the error."\n' in er
    # nullable user_id: zero or one user, zero or more events; not part of the key: dashed
    assert '    users |o..o{ analytics_events : "analytics_events_user_id_fkey"\n' in er
    assert "| `public.user_status` | `active`, `suspended`, `deleted` |" in text


def test_cardinalities() -> None:
    s = schema_of("""
    table: orgs
    columns: [{name: id, type: int, primary_key: true}]
    ---
    table: teams
    columns:
      - {name: org_id, type: int, references: orgs.id, nullable: false}
      - {name: seq, type: int}
    primary_key: [org_id, seq]
    ---
    table: settings
    columns:
      - {name: org_id, type: int, references: orgs.id, unique: true}
    """)
    er = mermaid_blocks(schema_markdown(s))[0]
    assert er_problems(er) == []
    assert '    orgs ||--o{ teams : "teams_org_id_fkey"\n' in er  # required, identifying, many
    assert '    orgs |o..o| settings : "settings_org_id_fkey"\n' in er  # optional, one-to-one


def test_names_are_fitted_to_mermaid() -> None:
    tables = [Table("public", n, (Column("x", "integer"),)) for n in ("end", "a b", "a_b", "1st")]
    names = {k: v[0] for k, v in entity_names(tables).items()}
    assert names["public.end"] == "t_end"
    assert names["public.a b"] != names["public.a_b"]
    assert names["public.1st"] == "t_1st"
    assert attribute_word("pk") == "pk_" and attribute_word("2x") == "_2x"
    assert attribute_word("double precision") == "double_precision"


def _wide_schema(n: int, schema_name: str = "public") -> Schema:
    tables = {}
    for i in range(n):
        cols = (Column("id", "bigint", nullable=False), Column("parent_id", "bigint"))
        fks = (ForeignKey(f"t{i}_parent_id_fkey", ("parent_id",), schema_name, f"t{i - 1}", ("id",)),) if i else ()
        tables[f"{schema_name}.t{i}"] = Table(schema_name, f"t{i}", cols, PrimaryKey(f"t{i}_pkey", ("id",)),
                                              foreign_keys=fks)
    return Schema(tables=tables)


def test_large_schemas_are_split_into_readable_parts() -> None:
    small = schema_markdown(_wide_schema(MAX_TABLES_PER_DIAGRAM))
    assert len(mermaid_blocks(small)) == 1
    big = schema_markdown(_wide_schema(MAX_TABLES_PER_DIAGRAM * 2 + 5))
    blocks = mermaid_blocks(big)
    assert len(blocks) == 3
    assert "## public (part 1 of 3)" in big
    for er in blocks:
        assert er_problems(er) == []
        assert er.count(" {\n") <= MAX_TABLES_PER_DIAGRAM
        assert len(er) < 50_000  # mermaid's default maxTextSize, which GitHub keeps
    # a table referenced from the next part is drawn there as a bare box, with its relationship
    assert "\n    t39\n" in blocks[1] and '    t39 |o..o{ t40 : "t40_parent_id_fkey"' in blocks[1]


def test_grammar_check_rejects_what_mermaid_rejects() -> None:
    assert er_problems("erDiagram\n    end {\n        int x\n    }\n")
    assert er_problems("erDiagram\n    a {\n        int pk\n    }\n")
    assert er_problems('erDiagram\n    a {\n        int x "a "b""\n    }\n')
    assert er_problems("erDiagram\n    a\n    a }o--|| : x\n")
    assert er_problems('erDiagram\n    a\n    a ||--o{ b : "x"\n')  # b undeclared


def test_mermaid_itself_parses_the_example_and_rejects_broken_text() -> None:
    results = mermaid_parse(mermaid_blocks(example_markdown()) + ["erDiagram\n    end {\n        int x\n    }\n"])
    assert results[:-1] == [None]
    assert results[-1] is not None


def test_mermaid_itself_parses_awkward_names() -> None:
    s = schema_of('''
    table: "end"
    comment: x
    columns:
      - {name: pk, type: "numeric(12,2)", primary_key: true, comment: 'say "hi" 100%'}
      - {name: "a b", type: "text[]"}
    ---
    table: "Order Items"
    schema: "Sales Dept"
    columns:
      - {name: "end_id", type: "numeric(12,2)", references: public.end.pk}
    ''')
    blocks = mermaid_blocks(schema_markdown(s))
    assert all(er_problems(b) == [] for b in blocks)
    assert mermaid_parse(blocks) == [None] * len(blocks)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(schemas(max_tables=8))
def test_generated_schemas_pass_the_grammar(schema: Schema) -> None:
    blocks = mermaid_blocks(schema_markdown(schema))
    assert blocks
    for er in blocks:
        assert er_problems(er) == []


def test_generated_schemas_pass_mermaid_itself() -> None:
    # the blocks of many generated schemas, parsed by mermaid in one call (a node process per schema
    # would be slow); collected by a test that never fails, so no example is replayed against a
    # predicate whose answer depends on what was collected before
    texts: list[str] = []

    @settings(max_examples=80, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(schemas(max_tables=8))
    def collect(schema: Schema) -> None:
        texts.extend(mermaid_blocks(schema_markdown(schema)))

    collect()
    assert len(texts) >= 40
    assert all(er_problems(t) == [] for t in texts)
    assert mermaid_parse(texts) == [None] * len(texts)
