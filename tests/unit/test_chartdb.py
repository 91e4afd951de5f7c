"""Schema -> ChartDB JSON: every FORMAT.md rule, on the example and on generated schemas."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from compiler.definitions.build import build_schema
from compiler.definitions.load import load_project
from compiler.definitions.read import table_folders
from compiler.diagrams.chartdb import Ids, diagram_document, diagram_files
from compiler.diagrams.chartdb_metadata import metadata_document, table_file_name
from compiler.diagrams.diagramfacts import split_type, unsniffable
from compiler.jsontext import dump_json
from compiler.model.schema import Schema
from tests.chartdb_format import detect_import_method, diagram_problems, metadata_problems
from tests.diagram_schemas import schemas
from tests.helpers import schema_of

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "fixtures" / "chartdb"  # copies of shared/chartdb/examples


def example() -> tuple[Schema, dict[str, str]]:
    docs = load_project(REPO, [])
    return build_schema(docs, []), table_folders(docs)


def files_of(schema: Schema, folders: dict[str, str] | None = None) -> dict[str, bytes]:
    return diagram_files(schema, folders)


# ---------------------------------------------------------------- the validator itself

def test_validator_accepts_formats_examples() -> None:
    assert diagram_problems(json.loads((EXAMPLES / "diagram-valid.json").read_text())) == []
    assert diagram_problems(json.loads((EXAMPLES / "metadata-valid.as-diagram.json").read_text())) == []
    assert metadata_problems((EXAMPLES / "metadata-valid.json").read_text()) == []


def _diagram() -> dict:
    return json.loads(files_of(*example())["chartdb/diagram.json"])


BROKEN_DIAGRAMS = [
    ("databaseType postgres", lambda d: d.update(databaseType="postgres"), "databaseType"),
    ("missing unique", lambda d: d["tables"][0]["fields"][0].pop("unique"), "'unique' missing"),
    ("index type unique", lambda d: d["tables"][0]["indexes"][1].update(type="unique"), "is not one of"),
    ("index type null", lambda d: d["tables"][0]["indexes"][1].update(type=None), "null"),
    ("cardinality 1", lambda d: d["relationships"][0].update(sourceCardinality="1"), "is not one of"),
    ("dangling field", lambda d: d["relationships"][0].update(targetFieldId="nope"), "ChartDB drops it"),
    ("dangling table", lambda d: d["relationships"][0].update(sourceTableId="nope"), "resolves to no table"),
    ("index field of another table", lambda d: d["tables"][0]["indexes"][0]["fieldIds"].append(
        d["tables"][1]["fields"][0]["id"]), "not a field of this table"),
    ("length as number", lambda d: d["tables"][0]["fields"][1].update(characterMaximumLength=100), "must be string"),
    ("duplicate id", lambda d: d["tables"][1].update(id=d["tables"][0]["id"]), "also used by"),
    ("area order null", lambda d: d["areas"][0].update(order=None), "null"),
    ("custom type kind ENUM", lambda d: d["customTypes"][0].update(kind="ENUM"), "is not one of"),
    ("sized type", lambda d: d["tables"][0]["fields"][1]["type"].update(name="varchar(100)"), "size"),
    ("overlap", lambda d: d["tables"][1].update(x=d["tables"][0]["x"], y=d["tables"][0]["y"]), "overlap"),
    ("no pk index", lambda d: d["tables"][0].update(indexes=d["tables"][0]["indexes"][1:]), "primary-key index"),
]


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in BROKEN_DIAGRAMS],
                         ids=[name for name, _, _ in BROKEN_DIAGRAMS])
def test_validator_rejects_what_chartdb_rejects_or_drops(change, expected: str) -> None:
    doc = _diagram()
    assert diagram_problems(doc) == []
    broken = copy.deepcopy(doc)
    change(broken)
    problems = diagram_problems(broken)
    assert any(expected in p for p in problems), problems


BROKEN_METADATA = [
    ("table comment null", lambda m: m["tables"][0].update(comment=None), "null"),
    ("reference_schema null", lambda m: m["fk_info"][0].update(reference_schema=None), "null"),
    ("reference_schema missing", lambda m: m["fk_info"][0].pop("reference_schema"), "'reference_schema' missing"),
    ("length as number", lambda m: m["columns"][1].update(character_maximum_length=100), "must be string"),
    ("kind ENUM", lambda m: m["custom_types"][0].update(kind="ENUM"), "is not one of"),
    ("views missing", lambda m: m.pop("views"), "'views' missing"),
    ("index_type UNIQUE", lambda m: m["indexes"][0].update(index_type="UNIQUE"), "is not one of"),
    ("sized type", lambda m: m["columns"][1].update(type="varchar(100)"), "bare name"),
    ("view not base64", lambda m: (m["tables"].append({"schema": "public", "table": "v"}),
                                   m["views"].append({"schema": "public", "view_name": "v",
                                                      "view_definition": "SELECT * FROM t"})), "base64"),
    ("ddl in a comment", lambda m: m["tables"][0].update(comment="made by create table"), "'ddl'"),
    ("dbml in a default", lambda m: m["columns"][0].update(default="x [pk]"), "'dbml'"),
    ("fk to a missing column", lambda m: m["fk_info"][0].update(reference_column="nope"), "is not a column"),
]


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in BROKEN_METADATA],
                         ids=[name for name, _, _ in BROKEN_METADATA])
def test_metadata_validator_rejects_chartdb_quirks(change, expected: str) -> None:
    doc = json.loads(files_of(*example())["chartdb/metadata.json"])
    change(doc)
    problems = metadata_problems(json.dumps(doc, indent=2, ensure_ascii=False))
    assert any(expected in p for p in problems), problems


def test_detect_import_method_as_chartdb_does() -> None:
    assert detect_import_method('{"a": "x"}') == "query"
    assert detect_import_method('{"a": "create table x"}') == "ddl"
    assert detect_import_method('{"a": "id int [pk]"}') == "dbml"
    assert detect_import_method('{"a": "x\u2028Table t {"}') == "dbml"


# ---------------------------------------------------------------- the example

def test_example_files_follow_every_rule() -> None:
    files = files_of(*example())
    assert diagram_problems(json.loads(files["chartdb/diagram.json"])) == []
    assert metadata_problems(files["chartdb/metadata.json"].decode()) == []


def test_example_diagram_content() -> None:
    d = _diagram()
    assert d["databaseType"] == "postgresql"
    tables = {t["name"]: t for t in d["tables"]}
    users = tables["users"]
    assert users["id"] == "t_public_users" and users["comments"] == "People who can sign in."
    email = next(f for f in users["fields"] if f["name"] == "email")
    assert email == {"id": "f_public_users_email", "name": "email", "type": {"id": "varchar", "name": "varchar"},
                     "primaryKey": False, "unique": True, "nullable": False, "characterMaximumLength": "255",
                     "createdAt": 0}
    status = next(f for f in users["fields"] if f["name"] == "status")
    assert status["type"] == {"id": "user_status", "name": "user_status"} and status["default"] == "'active'"
    assert {c["name"] for c in d["customTypes"]} == {"user_status", "error_severity"}
    ids_table = tables["ids"]
    assert ids_table["fields"][0]["increment"] is True
    assert [i["name"] for i in ids_table["indexes"]] == ["", "ids_namespace_external_id_key"]
    log = tables["shq_master_error_log"]
    by_name = {i["name"]: i for i in log["indexes"]}
    assert by_name["shq_master_error_log_context_idx"]["type"] == "gin"
    assert by_name["shq_master_error_log_unresolved_idx"]["comments"] == "where: NOT resolved"
    assert log["checkConstraints"][0]["expression"] == "resolved OR resolved_at IS NULL"
    rel = next(r for r in d["relationships"] if r["name"] == "shq_master_error_log_user_id_fkey")
    assert (rel["sourceTableId"], rel["sourceFieldId"]) == ("t_public_users", "f_public_users_id")
    assert (rel["targetTableId"], rel["targetFieldId"]) == (log["id"], "f_public_shq_master_error_log_user_id")
    assert (rel["sourceCardinality"], rel["targetCardinality"]) == ("one", "many")


def test_example_areas_are_folders_with_their_own_colour() -> None:
    d = _diagram()
    assert [a["name"] for a in d["areas"]] == ["definitions", "platform"]
    assert len({a["color"] for a in d["areas"]}) == 2
    colour = {a["name"]: a["color"] for a in d["areas"]}
    tables = {t["name"]: t for t in d["tables"]}
    assert tables["ids"]["color"] == colour["platform"] and tables["users"]["color"] == colour["definitions"]


def test_referenced_tables_sit_left_of_their_dependents() -> None:
    d = _diagram()
    x = {t["id"]: t["x"] for t in d["tables"]}
    for r in d["relationships"]:
        assert x[r["sourceTableId"]] < x[r["targetTableId"]], r["name"]


# ---------------------------------------------------------------- rules on small schemas

COMPOSITE = """
table: orgs
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
---
table: members
columns:
  - {name: org_id, type: bigint, references: orgs.id}
  - {name: user_no, type: int}
  - {name: tags, type: "text[]"}
  - {name: score, type: "numeric(10,2)"}
  - {name: at, type: "timestamp(3) with time zone"}
primary_key: [org_id, user_no]
---
table: profiles
columns:
  - {name: org_id, type: bigint, nullable: false}
  - {name: user_no, type: int, nullable: false}
unique: [[org_id, user_no]]
foreign_keys:
  - {columns: [org_id, user_no], references: {table: members, columns: [org_id, user_no]}}
"""


def test_composite_keys_arrays_sizes_and_one_to_one() -> None:
    d = diagram_document(schema_of(COMPOSITE))
    assert diagram_problems(d) == []
    members = next(t for t in d["tables"] if t["name"] == "members")
    pk = next(i for i in members["indexes"] if i.get("isPrimaryKey"))
    assert pk["fieldIds"] == ["f_public_members_org_id", "f_public_members_user_no"]
    fields = {f["name"]: f for f in members["fields"]}
    assert fields["org_id"]["primaryKey"] and not fields["org_id"]["unique"]
    assert fields["tags"]["type"]["name"] == "text" and fields["tags"]["isArray"] is True
    assert (fields["score"]["precision"], fields["score"]["scale"]) == (10, 2)
    assert fields["at"]["type"]["name"] == "timestamptz" and fields["at"]["precision"] == 3
    rels = [r for r in d["relationships"] if r["name"] == "profiles_org_id_user_no_fkey"]
    assert [(r["sourceFieldId"], r["targetFieldId"]) for r in rels] == [
        ("f_public_members_org_id", "f_public_profiles_org_id"),
        ("f_public_members_user_no", "f_public_profiles_user_no")]
    assert {(r["sourceCardinality"], r["targetCardinality"]) for r in rels} == {("one", "one")}
    to_orgs = next(r for r in d["relationships"] if r["name"] == "members_org_id_fkey")
    assert to_orgs["targetCardinality"] == "many"  # part of a composite key is not unique alone


def test_metadata_of_composite_keys() -> None:
    m = metadata_document(schema_of(COMPOSITE), "x")
    assert [(p["table"], p["column"]) for p in m["pk_info"]] == [("members", "org_id"), ("members", "user_no"),
                                                                 ("orgs", "id")]
    cols = {(c["table"], c["name"]): c for c in m["columns"]}
    assert cols["members", "score"]["precision"] == {"precision": 10, "scale": 2}
    assert cols["members", "tags"]["type"] == "text" and cols["members", "tags"]["is_array"] is True
    assert cols["orgs", "id"]["is_identity"] is True
    assert all(f["reference_schema"] == "public" for f in m["fk_info"])


@pytest.mark.parametrize("canonical,name,length,precision,scale,array", [
    ("character varying(255)", "varchar", "255", None, None, False),
    ("character varying", "varchar", None, None, None, False),
    ("character(1)", "char", "1", None, None, False),
    ("numeric(12,2)", "numeric", None, 12, 2, False),
    ("numeric", "numeric", None, None, None, False),
    ("timestamp with time zone", "timestamptz", None, None, None, False),
    ("time(6) without time zone", "time", None, 6, None, False),
    ("bit varying(5)", "varbit", "5", None, None, False),
    ("integer[][]", "int", None, None, None, True),
    ("double precision", "double precision", None, None, None, False),
])
def test_split_type(canonical, name, length, precision, scale, array) -> None:
    parts = split_type(canonical, {})
    assert (parts.name, parts.length, parts.precision, parts.scale, parts.is_array) == (
        name, length, precision, scale, array)


def test_ids_are_readable_and_a_clash_gets_a_suffix() -> None:
    ids = Ids([(("t", "a_b", "c"), "t_a_b_c"), (("t", "a", "b_c"), "t_a_b_c"), (("t", "x", "y"), "t_x_y")])
    assert ids["t", "x", "y"] == "t_x_y"
    assert ids["t", "a_b", "c"] != ids["t", "a", "b_c"]
    assert ids["t", "a_b", "c"].startswith("t_a_b_c_")


def test_many_schemas_make_one_area_each() -> None:
    s = schema_of("""
    table: a
    schema: billing
    columns: [{name: id, type: int, primary_key: true}]
    ---
    table: b
    columns: [{name: a_id, type: int, references: billing.a.id}]
    """)
    d = diagram_document(s, {"billing.a": "x", "public.b": "x"})
    assert [a["name"] for a in d["areas"]] == ["billing", "public"]
    assert diagram_problems(d) == []


def test_unsniffable_keeps_values_and_hides_markers() -> None:
    value = {"c": "Made by CREATE TABLE, Alter table, drop Table; [pk] [ref: > x]\u2028Table t {"}
    text = unsniffable(json.dumps(value, indent=2, ensure_ascii=False))
    assert json.loads(text) == value
    assert detect_import_method(text) == "query"


def test_table_file_names_are_safe() -> None:
    s = schema_of('table: "a/b c"\ncolumns: [{name: x, type: int}]\n')
    assert table_file_name(s.tables["public.a/b c"]) == "public.a%2Fb%20c.json"


# ---------------------------------------------------------------- generated schemas

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(schemas())
def test_generated_schemas_follow_every_rule(schema: Schema) -> None:
    files = files_of(schema)
    doc = json.loads(files["chartdb/diagram.json"])
    assert diagram_problems(doc) == []
    assert metadata_problems(files["chartdb/metadata.json"].decode()) == []
    assert files == files_of(schema)  # deterministic
    index = json.loads(files["chartdb/schema_index.json"])
    assert len(index["tables"]) == len(schema.tables)
    for entry in index["tables"]:
        table = json.loads(files[f"chartdb/{entry['file']}"])
        assert len(table["columns"]) == entry["columns"]
        assert {"table_name", "columns"} <= set(table)
        for col in table["columns"]:
            assert {"name", "type", "primary_key", "unique", "nullable", "default", "references", "comment"} <= set(col)
    fk_pairs = sum(len(fk.columns) for t in schema.tables.values() for fk in t.foreign_keys)
    assert len(doc["relationships"]) == fk_pairs
    assert sum(len(t["fields"]) for t in doc["tables"]) == sum(len(t.columns) for t in schema.tables.values())


def test_lazy_documents_give_the_bytes_of_whole_ones() -> None:
    schema, folders = example()
    files = diagram_files(schema, folders)
    assert files["chartdb/diagram.json"] == dump_json(diagram_document(schema, folders))
    whole = unsniffable(dump_json(metadata_document(schema, "schemac")).decode()).encode()
    assert files["chartdb/metadata.json"] == whole
