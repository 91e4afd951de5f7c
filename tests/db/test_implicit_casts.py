"""The casts PostgreSQL adds to a comparison itself (model/implicit_casts.py), proven on the server:
each form is built from the text the definitions write, read back, and must compare equal to
that text's Expression; what only looks like such a form, and every change made by hand, still
differs; drift finds no difference, and builds nothing, when nothing was changed by hand."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.live.database import connect
from compiler.live.introspect import introspect
from compiler.live.scratch import canonical_against
from compiler.live.unmanaged import managed_part
from compiler.model.expressions import make_expression
from compiler.model.schema import Expression
from compiler.plan.diff import diff
from compiler.project import Project
from compiler.sql.state import load_state
from tests.db.catalog import run_sql_file
from tests.db.test_drift_partial_copy import _no_server
from tests.helpers import run_cli, write_definitions

COLUMNS = """
    n numeric, n2 numeric(12,2), i integer, s smallint, b bigint, r real, d double precision,
    v varchar(20), w character varying, tx text, m mood, dt date, u uuid, j jsonb, ta text[]
"""

# (what the definitions write, what PostgreSQL prints for it): one per form equated
FORMS = [
    ("n >= 0", "n >= 0::numeric"),
    ("n2 >= 0", "n2 >= 0::numeric"),
    ("0 <= n2", "0::numeric <= n2"),
    ("n >= -1", "n >= '-1'::integer::numeric"),
    ("n2 > 3000000000", "n2 > '3000000000'::bigint::numeric"),
    ("n2 > -3000000000", "n2 > '-3000000000'::bigint::numeric"),
    ("r > 0", "r > 0::double precision"),
    ("d > 0", "d > 0::double precision"),
    ("r > 0.5", "r > 0.5::double precision"),
    ("d <> -1", "d <> '-1'::integer::double precision"),
    ("d > -0.5", "d > '-0.5'::numeric::double precision"),
    ("i >= 0.5", "i::numeric >= 0.5"),
    ("s > 1.5", "s::numeric > 1.5"),
    ("b < 2.5", "b::numeric < 2.5"),
    ("i > -0.5", "i::numeric > '-0.5'::numeric"),
    ("v <> 'closed'", "v::text <> 'closed'::text"),
    ("'closed' <> v", "'closed'::text <> v::text"),
    ("v = w", "v::text = w::text"),
    ("v = tx", "v::text = tx"),
    ("tx <> 'closed'", "tx <> 'closed'::text"),
    ("m <> 'sad'", "m <> 'sad'::mood"),
    ("dt > '2020-01-01'", "dt > '2020-01-01'::date"),
    ("u <> '00000000-0000-0000-0000-000000000000'", "u <> '00000000-0000-0000-0000-000000000000'::uuid"),
    ("j <> '{}'", "j <> '{}'::jsonb"),
    ("ta <> '{}'", "ta <> '{}'::text[]"),
    ("n2 >= 0 AND (n2 <= 100 OR n > 0)", "n2 >= 0::numeric AND (n2 <= 100::numeric OR n > 0::numeric)"),
]

# written with a cast, or a cast PostgreSQL does not add to the bare form: these must not read as bare
NOT_BARE = [
    ("i >= 0", "i::numeric >= 0::numeric"),  # written `i::numeric >= 0::numeric`
    ("n >= 0", "n >= 0.0"),
    ("dt > '2020-1-1'", "dt > '2020-01-01'::date"),  # the constant changed spelling: compared as printed
    ("r > 0", "r::double precision > 0::double precision"),
]


def _live_checks(url: str, checks: list[str]) -> list[Expression]:
    constraints = ",\n".join(f"CONSTRAINT c{i} CHECK ({c})" for i, c in enumerate(checks))
    run_sql_file(url, f"CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
                      f"CREATE TABLE t ({COLUMNS}, {constraints});")
    with connect(url) as conn:
        table = introspect(conn).tables["public.t"]
    by_name = {c.name: c.expression for c in table.checks}
    return [by_name[f"c{i}"] for i in range(len(checks))]


def test_each_form_postgresql_prints_compares_equal_to_the_bare_text(database_url: str) -> None:
    live = _live_checks(database_url, [written for written, _ in FORMS])
    for (written, printed), expression in zip(FORMS, live, strict=True):
        assert expression.text == printed, written  # the form is PostgreSQL's own
        assert expression == make_expression(written, user_types={"mood": "mood"}), written
        assert expression != make_expression(printed), written  # the cast made the difference


def test_what_postgresql_did_not_add_is_not_taken_off(database_url: str) -> None:
    live = _live_checks(database_url, [printed for _, printed in NOT_BARE])
    for (bare, printed), expression in zip(NOT_BARE, live, strict=True):
        assert expression != make_expression(bare, user_types={"mood": "mood"}), printed


def test_an_operator_defined_in_the_database_keeps_every_cast(database_url: str) -> None:
    """A user's `numeric >= integer` would take `n >= 0` as written: the bare text no longer means
    what the catalog holds, so nothing is taken off (queries/operator_rules.sql)."""
    run_sql_file(database_url, """
        CREATE FUNCTION num_ge_int(numeric, integer) RETURNS boolean LANGUAGE sql IMMUTABLE
            AS 'SELECT $1 >= $2::numeric';
        CREATE OPERATOR >= (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = num_ge_int);
        CREATE TABLE t (n numeric, CONSTRAINT c CHECK (n >= 0::numeric));
    """)
    with connect(database_url) as conn:
        check = introspect(conn).tables["public.t"].checks[0].expression
    assert check.text == "n >= 0::numeric"
    assert check != make_expression("n >= 0")
    assert check == make_expression("n >= 0::numeric")


DEFINITIONS = {"mood.yaml": "enum: mood\nvalues: [happy, sad]\n", "t.yaml": """
    table: t
    columns:
      - {name: id, type: integer, primary_key: true}
      - {name: price, type: "numeric(12,2)", nullable: false, default: 0}
      - {name: ratio, type: double precision}
      - {name: code, type: varchar(20)}
      - {name: mood, type: mood}
    checks:
      - {name: t_price_nonneg, expression: price >= 0}
      - {name: t_ratio_small, expression: ratio < 1}
      - {name: t_code_open, expression: "code <> 'closed'"}
      - {name: t_mood_sad, expression: "mood <> 'sad'"}
    indexes:
      - {name: t_open_idx, columns: [id], where: "price > 0 AND code <> 'x'"}
"""}


def test_drift_builds_nothing_when_nothing_changed_and_still_finds_a_changed_check(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, DEFINITIONS)
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    state = load_state(Project(tmp_path).read_state_bytes())

    def live():  # type: ignore[no-untyped-def]
        with connect(database_url) as conn:
            return managed_part(conn, introspect(conn))

    assert live().tables == state.schema.tables  # every table equal: no copy is built
    assert diff(live(), canonical_against(state.schema, live(), _no_server)) == []
    assert run_cli(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    # the same checks, each changed by hand to one with another meaning
    run_sql_file(database_url, """
        ALTER TABLE t DROP CONSTRAINT t_price_nonneg, ADD CONSTRAINT t_price_nonneg CHECK (price >= 1);
        ALTER TABLE t DROP CONSTRAINT t_code_open, ADD CONSTRAINT t_code_open CHECK (code::text <> 'open');
        ALTER TABLE t DROP CONSTRAINT t_ratio_small, ADD CONSTRAINT t_ratio_small CHECK (ratio < 1.5);
    """)
    code, out, err = run_cli(tmp_path, capsys, "drift", "--database-url", database_url)
    assert code == 1, out + err
    for name in ("t_price_nonneg", "t_code_open", "t_ratio_small"):
        assert name in out
    assert "t_mood_sad" not in out
