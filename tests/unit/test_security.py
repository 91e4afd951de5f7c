"""rls, policies, grants and schema documents: what the builder reads, the errors it reports at their
positions, how privileges are canonicalised and diffed, and the SQL of Grant and Revoke for any kind."""
from __future__ import annotations

import textwrap

import pytest

from compiler.errors import DefinitionErrors
from compiler.model.schema import Schema
from compiler.model.security import PRIVILEGES, PUBLIC, Namespace, Policy, Privilege
from compiler.plan import security_changes as sec
from compiler.plan.diff import diff
from compiler.plan.diff_security import privilege_changes
from compiler.plan.order import Block, BlockKind, Plan
from compiler.sql.render import Renderer
from tests.helpers import schema_of

T = """
table: t
columns:
  - {name: id, type: bigint}
  - {name: owner, type: text}
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as e:
        schema_of(text)
    return [f"{err.line}:{err.col}: {err.message}" for err in e.value.errors]


def test_rls_policies_and_grants_are_read_canonically() -> None:
    t = schema_of(T + textwrap.dedent("""
        rls: {enabled: true, forced: true}
        policies:
          - {name: p, roles: [pg_monitor, app], using: "owner = current_user", permissive: false}
          - {name: q, command: insert, with_check: "id > 0"}
        grants:
          - {role: public, privileges: [SELECT]}
          - {role: app, privileges: [all], with_grant_option: true}
          - {role: app, privileges: [update], columns: [owner]}
        """)).tables["public.t"]
    assert (t.row_security, t.force_row_security) == (True, True)
    p, q = t.policies
    assert (p.roles, p.command, p.permissive, p.with_check) == (("app", "pg_monitor"), "all", False, None)
    assert (q.roles, q.command, q.using) == ((PUBLIC,), "insert", None)
    assert q.with_check is not None and q.with_check.columns == ("id",)
    assert [x for x in t.grants if x.role == "app" and x.column is None] == [
        Privilege("app", name, None, True) for name in sorted(PRIVILEGES["table"])]
    assert Privilege("app", "update", "owner") in t.grants and Privilege(PUBLIC, "select") in t.grants


def test_a_schema_document_is_told_by_its_first_key() -> None:
    s = schema_of("schema: analytics\ncomment: Reports.\ngrants:\n  - {role: app, privileges: [usage, create]}\n"
                  "---\n" + T.replace("table: t\n", "table: t\nschema: analytics\n"))
    assert s.namespaces == {"analytics": Namespace("analytics", "Reports.", (Privilege("app", "create"),
                                                                            Privilege("app", "usage")))}
    assert set(s.tables) == {"analytics.t"} and s.schema_names == {"analytics"}
    assert schema_of("schema: empty\n").schema_names == {"empty"}


@pytest.mark.parametrize("text, error", [
    (T + "rls: {enabled: yes please}\n", "5:16: 'enabled' must be true or false"),
    (T + "rls: {on: true}\n", "5:7: unknown key 'on' in 'rls' of table t"),
    (T + "rls: true\n", "5:6: 'rls' of table t must be a mapping such as {enabled: true, forced: false}"),
    (T + "policies:\n  - {name: p, command: insert, using: \"id > 0\"}\n",
     "6:32: policy p of t is for INSERT, which takes no USING expression; write 'with_check' instead"),
    (T + "policies:\n  - {name: p, command: select, with_check: \"id > 0\"}\n",
     "6:32: policy p of t is for SELECT, which takes no WITH CHECK expression; write 'using' instead"),
    (T + "policies:\n  - {name: p, command: delete, with_check: \"id > 0\"}\n",
     "6:32: policy p of t is for DELETE, which takes no WITH CHECK"),
    (T + "policies:\n  - {name: p, command: upsert}\n", "6:24: 'command' must be one of all, select, insert"),
    (T + "policies:\n  - {name: p, using: \"ownr = 'x'\"}\n",
     "6:22: 'using' refers to ownr, which is not a column of t (did you mean 'owner'?)"),
    (T + "policies:\n  - {name: p, roles: [PUBLIC, app]}\n", "6:22: 'roles' of policy p of t lists PUBLIC with"),
    (T + "policies:\n  - {name: p}\n  - {name: p}\n", "7:12: policy p appears twice in t (first at line 6)"),
    (T + "policies:\n  - {name: p, to: app}\n", "6:15: unknown key 'to' in a policy"),
    (T + "grants:\n  - {role: app, privileges: [select, usage]}\n",
     "6:38: 'usage' is not a privilege of a table; it takes select, insert, update, delete, truncate, "
     "references, trigger or all"),
    (T + "grants:\n  - {role: app, privileges: [delete], columns: [owner]}\n",
     "6:48: delete cannot be granted on columns; only select, insert, update, references can"),
    (T + "grants:\n  - {role: app, privileges: [select], columns: [ownr]}\n",
     "6:49: grant column 'ownr' is not a column (did you mean 'owner'?)"),
    (T + "grants:\n  - {role: PUBLIC, privileges: [select], with_grant_option: true}\n",
     "6:42: grant options cannot be granted to PUBLIC"),
    (T + "grants:\n  - {role: current_user, privileges: [select]}\n", "6:12: a grant names a role; current_user"),
    (T + "grants:\n  - {role: app}\n", "6:5: a grant needs 'privileges'"),
    ("schema: s\ngrants:\n  - {role: app, privileges: [select]}\n",
     "3:30: 'select' is not a privilege of a schema; it takes usage, create or all"),
    ("schema: s\ncolour: red\n", "2:1: unknown key 'colour' in a schema"),
    ("schema: s\n---\nschema: s\n", "3:9: schema s is declared twice"),
    ("schema: s\ngrants:\n  - {role: app, privileges: [usage], columns: [a]}\n",
     "3:38: a schema has no columns to grant privileges on"),
])
def test_errors_are_reported_where_they_are(text: str, error: str) -> None:
    found = _errors(text)
    assert any(e.startswith(error) for e in found), found


def test_privileges_diff_as_whole_acls() -> None:
    target = sec.GrantTarget("table", "public", "t")
    old = (Privilege("a", "select", None, True), Privilege("a", "update", "x"), Privilege("b", "insert"))
    new = (Privilege("a", "select"), Privilege("a", "update", "x"), Privilege("c", "insert", "x", True))
    changes = privilege_changes(target, old, new)
    assert changes == [sec.Revoke(target, "b", (("insert", ()),)),
                       sec.Revoke(target, "a", (("select", ()),), grant_option_only=True),
                       sec.Grant(target, "c", (("insert", ("x",)),), True)]
    # REVOKE on the whole table takes the column privilege with it: granted again
    kept = privilege_changes(target, (Privilege("a", "select"), Privilege("a", "select", "x")),
                             (Privilege("a", "select", "x"),))
    assert kept == [sec.Revoke(target, "a", (("select", ()),)), sec.Grant(target, "a", (("select", ("x",)),))]


def test_public_is_managed_only_when_declared() -> None:
    declared = Schema(namespaces={"public": Namespace("public", "standard public schema",
                                                      (Privilege(PUBLIC, "usage"), Privilege("app", "usage")))})
    assert [type(c).__name__ for c in diff(Schema(), declared)] == ["Grant"]  # compared with public as made
    assert diff(declared, Schema()) == []  # no longer declared: left as it is


def test_policy_rebuilt_form_leaves_out_what_alter_policy_changes() -> None:
    p = Policy("p", "select", ("a",), None, None, False, "c")
    assert p.rebuilt_form() == Policy("p", "select", permissive=False)


def _sql(change: object) -> str:
    return Renderer().migration("x", Plan((Block(BlockKind.TRANSACTION, (change,)),)), [])  # type: ignore[arg-type]


def test_grant_and_revoke_serve_every_kind_of_object() -> None:
    """Sequences and functions come from other families of kinds: their privileges take the same changes."""
    function = sec.GrantTarget("function", "public", "add", "integer, integer")
    assert "GRANT EXECUTE ON FUNCTION public.add(integer, integer) TO PUBLIC;" in _sql(
        sec.Grant(function, PUBLIC, (("execute", ()),)))
    sequence = sec.GrantTarget("sequence", "app", "Ids")
    assert 'REVOKE GRANT OPTION FOR USAGE, SELECT ON SEQUENCE app."Ids" FROM "Reader";' in _sql(
        sec.Revoke(sequence, "Reader", (("usage", ()), ("select", ())), grant_option_only=True))
    view = sec.GrantTarget("view", "public", "v")
    assert "GRANT SELECT (a, b) ON TABLE public.v TO app WITH GRANT OPTION;" in _sql(
        sec.Grant(view, "app", (("select", ("a", "b")),), True))


def test_compile_reports_a_policy_clause_its_command_refuses_and_writes_nothing(tmp_path, capsys) -> None:
    from tests.helpers import run_cli, write_definitions
    write_definitions(tmp_path, {"t.yaml": T.lstrip("\n") + "policies:\n  - {name: p, command: insert, using: \"id > 0\"}\n"},
                      exact=True)
    code, _, err = run_cli(tmp_path, capsys, "compile")
    assert code == 2
    assert "definitions/t.yaml:6:32: error: policy p of t is for INSERT, which takes no USING expression" in err
    assert not (tmp_path / "generated").exists()


def test_a_policy_may_hold_a_subquery_compared_by_its_tokens() -> None:
    members = "---\ntable: members\ncolumns:\n  - {name: t_id, type: bigint}\n"
    one = schema_of(T + "policies:\n  - {name: p, using: \"id IN (SELECT t_id FROM members)\"}\n" + members)
    two = schema_of(T + "policies:\n  - {name: p, using: \"id in (select  t_id\\n from MEMBERS)\"}\n" + members)
    assert diff(one, two) == []
    three = schema_of(T + "policies:\n  - {name: p, using: \"id IN (SELECT t_id FROM members WHERE true)\"}\n" + members)
    assert [type(c).__name__ for c in diff(one, three)] == ["AlterPolicy"]
    assert _errors(T + "policies:\n  - {name: p, using: \"id IN (SELECT 1); DROP TABLE t\"}\n") == [
        "6:22: 'using' of policy p of t: an expression must be a single SQL expression; ';' starts another statement"]


MEMBERS = "---\ntable: members\ncolumns:\n  - {name: t_id, type: bigint}\n  - {name: member, type: text}\n"


@pytest.mark.parametrize("clause, error", [
    ('using: "count(*) > 0"', "'using' of policy p of t uses count(): aggregate functions are not allowed in policy"),
    ('using: "row_number() over () > 1"', "'using' of policy p of t uses row_number(): window functions are not"),
    ('using: "generate_series(1, id) > 0"', "'using' of policy p of t uses generate_series(): set-returning"),
    ('using: "1"', "'using' of policy p of t is a number or arithmetic, not a condition: PostgreSQL takes only"),
    ('with_check: "id + 1"', "'with_check' of policy p of t is a number or arithmetic, not a condition"),
    ('using: "owner"', "'using' of policy p of t is column owner of type text, not a condition"),
    ('using: "owner || \'x\'"', "'using' of policy p of t is text (a || concatenation), not a condition"),
    ('using: "id::int"', "'using' of policy p of t is a cast to int, not a condition"),
    ('using: "count(*) > (SELECT 1 FROM members)"', "'using' of policy p of t uses count(): aggregate"),
    ('using: "(SELECT count(*) FROM members) + 1"', "'using' of policy p of t is a number or arithmetic"),
])
def test_a_policy_expression_postgresql_refuses_is_an_error_at_its_key(clause: str, error: str) -> None:
    found = _errors(T + f"policies:\n  - {{name: p, {clause}}}\n" + MEMBERS)
    at = f"6:{15 + len(clause.split(':')[0]) + 2}: "  # the value's column
    assert len(found) == 1 and found[0].startswith(at + error), found


def test_a_subquery_in_a_policy_may_aggregate_and_a_boolean_column_is_a_condition() -> None:
    t = schema_of(T.replace("  - {name: owner, type: text}\n", "  - {name: owner, type: text}\n  - {name: ok, type: boolean}\n")
                  + "policies:\n  - {name: p, using: \"id IN (SELECT count(*) FROM members)\"}\n"
                  + "  - {name: q, using: ok}\n" + MEMBERS).tables["public.t"]
    assert [p.name for p in t.policies] == ["p", "q"]


@pytest.mark.parametrize("word", ["CURRENT_USER", "session_user", "Current_Role"])
def test_a_policy_names_roles_not_the_words_postgresql_resolves_when_it_runs(word: str) -> None:
    assert _errors(T + f"policies:\n  - {{name: p, roles: [app, {word}], using: \"id > 0\"}}\n") == [
        f"6:28: 'roles' of policy p of t names {word}, which PostgreSQL resolves to the role that runs the "
        f"migration; write the role's name"]


def test_renames_under_a_policy_subquery_are_followed_and_its_reads_known() -> None:
    before = (T + "policies:\n  - {name: p, using: \"id IN (SELECT t_id FROM members WHERE member = owner)\","
              " with_check: \"owner <> ''\"}\n" + MEMBERS)
    p = schema_of(before).tables["public.t"].policies[0]
    assert p.reads is not None and p.reads.subquery
    assert p.reads.columns == {("public.t", "id"), ("public.t", "owner"), ("public.members", "t_id"),
                               ("public.members", "member")}
    after = (before.replace("table: members\n", "table: people\nrenamed_from: members\n")
             .replace("{name: member, type: text}", "{name: who, type: text, renamed_from: member}")
             .replace("{name: owner, type: text}", "{name: owned_by, type: text, renamed_from: owner}")
             .replace("FROM members WHERE member = owner", "FROM people WHERE who = owned_by")
             .replace("with_check: \"owner <> ''\"", "with_check: \"owned_by <> ''\""))
    assert sorted(type(c).__name__ for c in diff(schema_of(before), schema_of(after))) == [
        "RenameColumn", "RenameColumn", "RenameTable"]
