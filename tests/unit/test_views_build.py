"""view: and materialized_view: documents: what the builder accepts, and each mistake said at its place."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.errors import DefinitionErrors
from tests.helpers import schema_of

T = "table: t\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: name, type: text}\n---\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as e:
        schema_of(T + text)
    return [str(x) for x in e.value.errors]


@pytest.mark.parametrize(("text", "error"), [
    ("view: v\nquery: select * from missing\n",
     "definitions/test.yaml:7:8: error: the query of view public.v reads missing, which is neither a table nor a view "
     "of the definitions"),
    ("view: v\nquery: select id, nam from t\n",
     "definitions/test.yaml:7:8: error: the query of view public.v reads column nam, which none of public.t has "
     "(did you mean 'name'?)"),
    ("view: v\nquery: select id from t; select 1\n",
     "definitions/test.yaml:7:8: error: the query of view public.v: a view's query is one SELECT; this text holds "
     "2 statements"),
    ("view: v\nquery: delete from t\n",
     "definitions/test.yaml:7:8: error: the query of view public.v: a view's query must be a SELECT, not DELETE"),
    ("view: v\nquery: select id, id from t\n",
     "definitions/test.yaml:7:8: error: view public.v has two columns named id; give one an alias (AS) or name them "
     "in 'columns'"),
    ("view: v\ncolumns: [{name: a}]\nquery: select id, name from t\n",
     "definitions/test.yaml:7:10: error: 'columns' of view public.v lists 1 column(s); its query gives 2 (id, name): "
     "name each, in order"),
    ("view: t\nquery: select 1 as one\n",
     "definitions/test.yaml:6:7: error: public.t is defined twice (first: a table); tables, views and materialized "
     "views share names"),
    ("view: v\nindexes: []\nquery: select id from t\n",
     "definitions/test.yaml:7:1: error: unknown key 'indexes' in a view"),
    ("view: v\nwith: {check_option: everywhere}\nquery: select id from t\n",
     "definitions/test.yaml:7:22: error: 'check_option' must be one of local, cascaded, not 'everywhere'"),
    ("view: v\nwith: {fillfactor: 70}\nquery: select id from t\n",
     "definitions/test.yaml:7:8: error: unknown key 'fillfactor' in the 'with' of view public.v"),
    ("materialized_view: m\nwith: {fillfactor: 5}\nquery: select id from t\n",
     "definitions/test.yaml:7:20: error: 'fillfactor' of materialized view public.m must be between 10 and 100, not 5"),
    ("materialized_view: m\nquery: select id from t\nindexes:\n  - {columns: [name]}\n",
     "definitions/test.yaml:9:16: error: index column 'name' is not a column of m"),
    ("view: a\nquery: select * from b\n---\nview: b\nquery: select * from a\n",
     "definitions/test.yaml:7:8: error: the query of view public.a reads b, which is neither a table nor a view of the "
     "definitions (or views read each other)"),
    ("view: v\n", "definitions/test.yaml:6:1: error: a view v needs 'query'"),
])
def test_a_mistake_is_said_at_its_place(text: str, error: str) -> None:
    assert error in errors_of(text)


def test_a_view_reads_views_in_any_order_and_names_its_columns() -> None:
    s = schema_of(T + "view: b\nquery: select id, shout from app.a\n---\n"
                      "view: a\nschema: app\nquery: select id, upper(name) as shout, count(*) over () from t\n"
                      "---\nview: c\nschema: app\nquery: select * from a -- a view of the same schema first\n")
    assert [c.name for c in s.views["app.a"].columns] == ["id", "shout", "count"]
    assert s.views["app.c"].reading is not None and s.views["app.c"].reading.relations == ("app.a",)
    assert [c.type for c in s.views["public.b"].columns] == ["bigint", None]


def test_the_readme_example_compiles() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Views and materialized views\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    users = ("table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n  - {name: email, type: text}\n"
             "  - {name: last_seen_at, type: timestamptz}\n  - {name: created_at, type: timestamptz}\n---\n")
    s = schema_of(users + example)
    assert [c.name for c in s.views["reports.signups_per_day"].columns] == ["day", "signups"]
    assert s.views["public.active_users"].options == (("check_option", "local"), ("security_barrier", "true"))


def test_a_migration_is_named_for_the_views_it_changes() -> None:
    from compiler.plan.diff import diff
    from compiler.plan.naming import auto_name
    from tests.change_cases import VIEW_CASES

    def named(case: str) -> tuple[str, str]:
        old, new = (schema_of(t) for t in VIEW_CASES[case])
        return auto_name(diff(old, new), False), auto_name(diff(new, old), False)

    assert named("view_renamed") == ("rename_named_to_labelled", "rename_labelled_to_named")
    assert named("view_column_appended") == ("alter_named", "rebuild_named")
    assert named("view_chain_over_a_column_type_change") == ("alter_t", "alter_t")  # the views rebuilt go unnamed


def test_a_query_sqlglot_reads_otherwise_is_read_from_its_tokens() -> None:
    """PostgreSQL's own forms sqlglot does not read faithfully: every relation named counts as read whole."""
    s = schema_of(T + "view: v\nquery: select id from t where name is nfc normalized\n")
    reading = s.views["public.v"].reading
    assert reading is not None and reading.whole == frozenset({"public.t"})
    assert [c.name for c in s.views["public.v"].columns] == ["id"]


def test_a_view_created_again_takes_its_in_place_changes_with_it() -> None:
    """Column "group" of table "user" renamed "user": read from tokens, the old query's table name moves
    too, so the view is created again, and so is the view on it, with nothing else done to either."""
    a_text = ('table: user\ncolumns:\n  - {name: group, type: integer, primary_key: true}\n---\n'
              'view: summary\nquery: select "group" from "user"\n---\nview: Report View\nquery: select * from summary\n')
    b_text = a_text.replace("{name: group,", "{name: user, renamed_from: group,").replace('select "group"', 'select "user"')
    from compiler.plan.diff import diff

    a, b = schema_of(a_text), schema_of(b_text)
    for old, new in ((a, b), (b, a)):
        kinds = [(c.kind, c.subject) for c in diff(old, new)]
        dropped = {s for k, s in kinds if k == "DropView"}
        assert not [s for k, s in kinds if k == "RenameViewColumn" and s.rsplit(".", 1)[0] in dropped], kinds


def test_columns_qualified_by_a_quoted_table_name_are_read_as_pg_get_viewdef_prints_them() -> None:
    s = schema_of('table: Tbl\ncolumns:\n  - {name: ID, type: integer}\n  - {name: end, type: text}\n'
                  '  - {name: n, type: integer}\n---\n'
                  'view: Chk\nquery: \'SELECT "Tbl"."ID", "Tbl"."end", "Tbl".n FROM "Tbl"\'\n')
    reading = s.views["public.Chk"].reading
    assert reading is not None
    assert reading.reads == {("public.Tbl", "ID"), ("public.Tbl", "end"), ("public.Tbl", "n")}
    assert [c.name for c in s.views["public.Chk"].columns] == ["ID", "end", "n"]
