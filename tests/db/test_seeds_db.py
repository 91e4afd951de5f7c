"""schemac seed and apply --seed on a real PostgreSQL: loaded whole or not at all, twice is once,
a changed seed value is updated, a hostile value is stored as text."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from tests.helpers import write_definitions

SCHEMA = """
table: users
columns:
  - {name: id, type: uuid, primary_key: true, default: gen_random_uuid()}
  - {name: email, type: text, nullable: false, unique: true}
  - {name: name, type: text}
  - {name: tags, type: "text[]"}
checks:
  - {name: users_name_not_bad, expression: "name <> 'bad'"}
---
table: events
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: user_id, type: uuid, references: users.id}
  - {name: parent_id, type: bigint, references: events.id}
  - {name: payload, type: jsonb, nullable: false, default: "'{}'::jsonb"}
"""

HOSTILE = "x'); DROP TABLE users; --\\"

SEEDS = f"""\
table: events
rows:
  - {{id: 2, user_id: {{ref: users, email: b@x.io}}, parent_id: {{ref: events, id: 1}}, payload: {{n: 2}}}}
  - {{id: 1, user_id: {{ref: users, email: "{HOSTILE.replace(chr(92), chr(92) * 2)}"}}}}
---
table: users
rows:
  - {{email: "{HOSTILE.replace(chr(92), chr(92) * 2)}", name: Mallory, tags: ["a,b", "c\\\\d"]}}
  - {{email: b@x.io, name: Bob}}
"""


def schemac(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["-C", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def contents(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        users = conn.execute("SELECT id, email, name, tags, xmin::text FROM users ORDER BY email").fetchall()
        events = conn.execute("SELECT e.id, u.email, e.parent_id, e.payload FROM events e "
                              "LEFT JOIN users u ON u.id = e.user_id ORDER BY e.id").fetchall()
        return [*users, *events]


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_definitions(tmp_path, {"schema.yaml": SCHEMA})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "data.yaml").write_text(SEEDS)
    code, _, err = schemac(tmp_path, capsys, "compile")
    assert code == 0, err
    return tmp_path


def test_apply_seed_loads_every_row_and_a_second_seed_changes_nothing(
        project: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = schemac(project, capsys, "apply", "--seed", "--database-url", database_url)
    assert code == 0, err
    assert "loaded generated/seeds.sql (one transaction)" in out
    first = contents(database_url)
    assert [(r[1], r[2], r[3]) for r in first[:2]] == [("b@x.io", "Bob", None),
                                                       (HOSTILE, "Mallory", ["a,b", "c\\d"])]
    bob = first[0][0]
    assert first[2:] == [(1, HOSTILE, None, {}), (2, "b@x.io", 1, {"n": 2})]  # the self-reference set after

    code, _, err = schemac(project, capsys, "seed", "--database-url", database_url)
    assert code == 0, err
    again = contents(database_url)
    assert [r[:4] for r in again[:2]] == [r[:4] for r in first[:2]] and again[2:] == first[2:]

    (project / "seeds" / "data.yaml").write_text(SEEDS.replace("name: Bob", "name: Robert"))
    assert schemac(project, capsys, "seed", "--database-url", database_url)[0] == 1  # seeds.sql is stale
    assert schemac(project, capsys, "compile")[0] == 0
    assert schemac(project, capsys, "seed", "--database-url", database_url)[0] == 0
    changed = contents(database_url)
    assert changed[0][:3] == (bob, "b@x.io", "Robert")  # updated in place: same id, so refs still hold
    assert changed[2:] == first[2:]


def test_a_failing_row_leaves_nothing_loaded(project: Path, database_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert schemac(project, capsys, "apply", "--database-url", database_url)[0] == 0
    (project / "seeds" / "data.yaml").write_text(SEEDS.replace("name: Bob", "name: bad"))
    assert schemac(project, capsys, "compile")[0] == 0  # a check constraint is PostgreSQL's to judge
    code, _, err = schemac(project, capsys, "seed", "--database-url", database_url)
    assert code == 4
    assert "generated/seeds.sql failed and was rolled back" in err
    assert 'violates check constraint "users_name_not_bad"' in err
    assert contents(database_url) == []  # Mallory's row, inserted before, went with the rest


def test_seed_needs_a_seeds_folder(tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"schema.yaml": SCHEMA})
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    code, _, err = schemac(tmp_path, capsys, "seed", "--database-url", database_url)
    assert code == 1 and "no seeds/ folder" in err


def test_the_example_projects_seeds_load_twice_with_the_same_rows(
        schemac_project: Path, schemac_module_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """On the example's migrated database (the plugin's copy for this module: seed commits)."""
    url = schemac_module_database_url
    code, out, err = schemac(schemac_project, capsys, "seed", "--database-url", url)
    assert (code, out) == (0, "loaded generated/seeds.sql (one transaction)\n"), err
    query = ("SELECT e.id::text, e.event_type, u.email FROM analytics_events e LEFT JOIN users u ON u.id = e.user_id "
             "ORDER BY e.id")
    with psycopg.connect(url) as conn:
        first = conn.execute(query).fetchall()
        users = conn.execute("SELECT id, email, status::text FROM users ORDER BY email").fetchall()
    assert [r[1:] for r in first] == [("sign_up", "test@example.com"), ("page_view", "test@example.com"),
                                      ("sign_in", "admin@example.com"), ("page_view", None)]
    assert [u[1:] for u in users] == [("admin@example.com", "active"), ("suspended@example.com", "suspended"),
                                      ("test@example.com", "active")]
    assert schemac(schemac_project, capsys, "seed", "--database-url", url)[0] == 0
    with psycopg.connect(url) as conn:
        assert conn.execute(query).fetchall() == first
        assert conn.execute("SELECT id, email, status::text FROM users ORDER BY email").fetchall() == users


ACCOUNTS = """
table: accounts
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: text, nullable: false, unique: true}
  - {name: name, type: text}
  - {name: plan, type: text, nullable: false, default: "'free'"}
  - {name: created_at, type: timestamptz, nullable: false, default: now()}
  - {name: token, type: uuid, nullable: false, default: gen_random_uuid()}
checks:
  - {name: accounts_name_not_bad, expression: "name <> 'bad'"}
"""
ACCOUNT_ROWS = """\
# the seeded accounts
table: accounts
rows:
  - {id: 1, email: a@x.io, name: Ann, plan: pro}
  - {id: 2, email: b@x.io, name: Bob}
"""


def accounts(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id, email, name, plan, created_at, token FROM accounts ORDER BY id").fetchall()


@pytest.fixture
def seeded_accounts(tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> Path:
    write_definitions(tmp_path, {"schema.yaml": ACCOUNTS})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "accounts.yaml").write_text(ACCOUNT_ROWS)
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    code, _, err = schemac(tmp_path, capsys, "apply", "--seed", "--database-url", database_url)
    assert code == 0, err
    return tmp_path


def test_a_value_dropped_from_a_seed_row_is_dropped_from_the_database(
        seeded_accounts: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = accounts(database_url)
    assert [r[:4] for r in first] == [(1, "a@x.io", "Ann", "pro"), (2, "b@x.io", "Bob", "free")]
    (seeded_accounts / "seeds" / "accounts.yaml").write_text(ACCOUNT_ROWS.replace(", name: Ann, plan: pro", ""))
    assert schemac(seeded_accounts, capsys, "compile")[0] == 0
    for _ in range(2):  # and again: twice is once
        code, _, err = schemac(seeded_accounts, capsys, "seed", "--database-url", database_url)
        assert code == 0, err
        now = accounts(database_url)
        # the row the seed describes: no name, the default plan; the row's own creation time and token kept
        assert now[0] == (1, "a@x.io", None, "free", first[0][4], first[0][5])
        assert now[1] == first[1]


def test_a_row_failing_a_check_names_the_constraint_and_the_row_of_the_seed_file(
        seeded_accounts: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = accounts(database_url)
    (seeded_accounts / "seeds" / "accounts.yaml").write_text(
        ACCOUNT_ROWS.replace("name: Ann", "name: Anne").replace("name: Bob", "name: bad"))
    assert schemac(seeded_accounts, capsys, "compile")[0] == 0  # a check is PostgreSQL's to judge
    assert "-- seeds/accounts.yaml:5\nINSERT INTO public.accounts" in (
        seeded_accounts / "generated" / "seeds.sql").read_text()
    code, _, err = schemac(seeded_accounts, capsys, "seed", "--database-url", database_url)
    assert code == 4
    assert ("generated/seeds.sql failed and was rolled back: the row at seeds/accounts.yaml:5: new row for "
            'relation "accounts" violates check constraint "accounts_name_not_bad"') in err
    assert accounts(database_url) == before  # Anne, loaded before the failing row, went with the rest
