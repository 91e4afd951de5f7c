"""`grants:` on views, materialized views, standalone sequences, functions and procedures: what the
builder reads and refuses (at the position), how state.json keeps them, and what the diff makes."""
from __future__ import annotations

import json

import pytest

from compiler.errors import DefinitionErrors
from compiler.model.security import PUBLIC, Privilege, public_defaults
from compiler.plan import security_changes as sec
from compiler.plan.diff import diff
from compiler.sql.state import State, dump_state, load_state
from tests.helpers import schema_of

TABLE = """table: items
columns:
  - {name: id, type: bigint}
  - {name: price, type: integer}
---
"""
VIEW = TABLE + "view: cheap\nquery: SELECT id, price FROM items\n"
MATVIEW = TABLE + "materialized_view: totals\nquery: SELECT count(*) AS n FROM items\n"
SEQUENCE = "sequence: tickets\n"
FUNCTION = "function: one\nreturns: integer\nlanguage: sql\nbody: SELECT 1\n"
PROCEDURE = "procedure: nap\nlanguage: sql\nbody: SELECT 1\n"


def _errors(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as e:
        schema_of(text)
    return [f"{err.line}:{err.col}: {err.message}" for err in e.value.errors]


@pytest.mark.parametrize("doc, grant, error", [
    (VIEW, "{role: r, privileges: [execute]}",
     "9:28: 'execute' is not a privilege of a view; it takes select, insert, update, delete, truncate, "
     "references, trigger or all"),
    (MATVIEW, "{role: r, privileges: [usage]}", "9:28: 'usage' is not a privilege of a materialized view"),
    (SEQUENCE, "{role: r, privileges: [insert]}",
     "3:28: 'insert' is not a privilege of a sequence; it takes usage, select, update or all"),
    (SEQUENCE, "{role: r, privileges: [usage], columns: [a]}", "3:36: a sequence has no columns"),
    (FUNCTION, "{role: r, privileges: [select]}",
     "6:28: 'select' is not a privilege of a function; it takes execute or all"),
    (PROCEDURE, "{role: r, privileges: [usage]}",
     "5:28: 'usage' is not a privilege of a procedure; it takes execute or all"),
    (VIEW, "{role: r, privileges: [select], columns: [cost]}", "9:47: grant column 'cost' is not a column"),
])
def test_a_privilege_the_kind_does_not_have_is_an_error_where_it_is_written(doc: str, grant: str,
                                                                            error: str) -> None:
    found = _errors(doc + f"grants:\n  - {grant}\n")
    assert any(e.startswith(error) for e in found), found


def test_grants_are_read_for_each_kind_and_all_is_the_kinds_privileges() -> None:
    s = schema_of(VIEW + "grants:\n  - {role: r, privileges: [select], columns: [price]}\n---\n"
                  + SEQUENCE + "grants:\n  - {role: r, privileges: [all]}\n---\n"
                  + FUNCTION + "grants:\n  - {role: PUBLIC, privileges: [all]}\n---\n" + PROCEDURE)
    assert s.views["public.cheap"].grants == (Privilege("r", "select", "price"),)
    assert [p.privilege for p in s.sequences["public.tickets"].grants] == ["select", "update", "usage"]
    assert s.routines["public.one()"].grants == (Privilege(PUBLIC, "execute"),)
    assert s.routines["public.nap()"].grants == public_defaults("procedure")  # no `grants:`: PostgreSQL's default


def test_declared_routine_grants_are_its_whole_acl() -> None:
    """`grants:` on a function states all of its ACL: PUBLIC's default EXECUTE is revoked unless listed."""
    bare, listed = schema_of(FUNCTION), schema_of(FUNCTION + "grants:\n  - {role: app, privileges: [execute]}\n")
    assert listed.routines["public.one()"].grants == (Privilege("app", "execute"),)
    changes = diff(bare, listed)
    assert [type(c).__name__ for c in changes] == ["Revoke", "Grant"]
    assert changes[0].role == PUBLIC and changes[0].effects.breaks_code
    assert [type(c).__name__ for c in diff(schema_of(FUNCTION + "grants: []\n"), bare)] == ["Grant"]


def test_a_revoke_from_an_object_made_in_the_same_migration_breaks_no_code() -> None:
    changes = diff(schema_of(""), schema_of(FUNCTION + "grants: []\n"))
    revoke = next(c for c in changes if isinstance(c, sec.Revoke))
    assert revoke.made_here and not revoke.effects.breaks_code


def test_state_json_keeps_the_grants_of_each_kind() -> None:
    s = schema_of(VIEW + "grants:\n  - {role: r, privileges: [select], columns: [price], with_grant_option: true}\n"
                  "---\n" + SEQUENCE + "grants:\n  - {role: r, privileges: [usage]}\n---\n"
                  + FUNCTION + "grants: []\n---\n" + PROCEDURE)
    data = dump_state(State(s))
    assert load_state(data).schema == s
    routines = {r["name"]: r for r in json.loads(data)["schema"]["routines"]}
    assert routines["one"]["grants"] == [] and "grants" not in routines["nap"]  # the default is no key


def test_state_json_reads_grants_written_an_item_per_privilege() -> None:
    """The form state.json held a table's grants in before they were written as definitions write them."""
    s = schema_of(TABLE.removesuffix("---\n") + "grants:\n  - {role: r, privileges: [select, insert]}\n")
    doc = json.loads(dump_state(State(s)))
    table = doc["schema"]["tables"][0]
    assert table["grants"] == [{"role": "r", "privileges": ["select", "insert"]}]
    table["grants"] = [{"role": "r", "privilege": "insert"}, {"role": "r", "privilege": "select"}]
    assert load_state(json.dumps(doc).encode()).schema == s


def test_the_readme_example_of_grants_on_each_kind_compiles() -> None:
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Grants on views, sequences, functions and procedures\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    tables = ("table: users\ncolumns:\n  - {name: id, type: bigint}\n  - {name: email, type: text}\n"
              "  - {name: active, type: boolean}\n---\ntable: payments\ncolumns:\n  - {name: day, type: date}\n"
              "  - {name: amount, type: numeric}\n---\ntable: invoices\ncolumns:\n  - {name: id, type: bigint}\n"
              "  - {name: paid, type: boolean}\n---\ntable: drafts\ncolumns:\n  - {name: id, type: bigint}\n---\n")
    s = schema_of(tables + example)
    assert s.routines["public.pay(bigint)"].grants == (Privilege("billing", "execute"),)
    assert s.routines["public.close_day()"].grants == ()
    assert s.views["public.active_users"].grants == (Privilege("reporting", "select"),
                                                     Privilege("support", "select", "id"))
