"""Seeds that PostgreSQL can load are compiled so they load, on the real server: casts found
whatever the search_path, foreign-key cycles and self-references in an order that holds, times
the same instant whatever the TimeZone, and the values PostgreSQL accepts (infinity, BC dates,
exponents, NaN, multi-dimensional arrays). The offline checks of inet, cidr, bytea, interval,
money, xml and times agree with the server's input functions."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from compiler.model.seed_values import SeedValueError, seed_literal
from tests.helpers import write_definitions


def schemac(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["-C", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: str, seeds: str, url: str) -> Path:
    """A project with these definitions and seeds/s.yaml, compiled, applied and seeded at `url`."""
    write_definitions(tmp_path, {"schema.yaml": schema})
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "s.yaml").write_text(seeds)
    code, _, err = schemac(tmp_path, capsys, "compile")
    assert code == 0, err
    code, _, err = schemac(tmp_path, capsys, "apply", "--seed", "--database-url", url)
    assert code == 0, err
    return tmp_path


def rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


ENUMS = """
enum: mood
values: [happy, "it's"]
---
enum: kind
schema: app
values: [root, leaf]
---
table: feelings
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: mood, type: mood, nullable: false}
  - {name: moods, type: "mood[]"}
  - {name: kind, type: app.kind}
  - {name: kinds, type: "app.kind[]"}
"""


def test_enum_casts_load_on_a_database_whose_search_path_names_no_schema(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {conn.info.dbname} SET search_path = nowhere")
    project = seeded(tmp_path, capsys, ENUMS, """\
table: feelings
rows:
  - {id: 1, mood: "it's", moods: [happy, "it's"], kind: leaf, kinds: [root, leaf]}
""", database_url)
    assert "'{\"happy\",\"it''s\"}'::public.mood[]" in (project / "generated" / "seeds.sql").read_text()
    assert rows(database_url, "SELECT mood::text, moods::text[], kind::text, kinds::text[] FROM public.feelings") == [
        ("it's", ["happy", "it's"], "leaf", ["root", "leaf"])]


CYCLE = """
table: teams
schema: app
columns:
  - {name: id, type: bigserial, primary_key: true}
  - {name: name, type: text, nullable: false, unique: true}
  - {name: captain_id, type: bigint, references: app.people.id, deferrable: true, initially_deferred: true}
---
table: people
schema: app
columns:
  - {name: id, type: bigserial, primary_key: true}
  - {name: email, type: text, nullable: false, unique: true}
  - {name: team_id, type: bigint, nullable: false, references: app.teams.id}
---
table: nodes
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: code, type: text, nullable: false, unique: true}
  - {name: parent_id, type: bigint, nullable: false, references: nodes.id}
"""
CYCLE_SEEDS = """\
table: people
schema: app
rows:
  - {email: a@x.io, team_id: {ref: app.teams, name: Red}}
  - {email: b@x.io, team_id: {ref: app.teams, name: Blue}}
---
table: teams
schema: app
rows:
  - {name: Red, captain_id: {ref: app.people, email: a@x.io}}
  - {name: Blue}
---
table: nodes
rows:
  - {id: 3, code: leaf, parent_id: {ref: nodes, code: branch}}
  - {id: 2, code: branch, parent_id: {ref: nodes, code: root}}
  - {id: 1, code: root, parent_id: 1}
"""


def test_a_cycle_is_broken_at_its_nullable_column_and_self_references_load_in_order(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    project = seeded(tmp_path, capsys, CYCLE, CYCLE_SEEDS, database_url)
    sql = (project / "generated" / "seeds.sql").read_text()
    assert sql.index("INSERT INTO app.teams") < sql.index("INSERT INTO app.people") < sql.index("UPDATE app.teams")
    assert sql.index("'root'::text") < sql.index("'branch'::text") < sql.index("'leaf'::text")
    query = ("SELECT t.name, c.email, (SELECT array_agg(p.email ORDER BY p.email) FROM app.people p "
             "WHERE p.team_id = t.id) FROM app.teams t LEFT JOIN app.people c ON c.id = t.captain_id ORDER BY t.name")
    nodes = "SELECT n.code, p.code FROM nodes n JOIN nodes p ON p.id = n.parent_id ORDER BY n.id"
    expected = [("Blue", None, ["b@x.io"]), ("Red", "a@x.io", ["a@x.io"])]
    assert rows(database_url, query) == expected
    assert rows(database_url, nodes) == [("root", "root"), ("branch", "root"), ("leaf", "branch")]
    assert schemac(project, capsys, "seed", "--database-url", database_url)[0] == 0  # twice is once
    assert rows(database_url, query) == expected


def test_a_deferred_key_takes_a_written_value_where_both_columns_are_not_null(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    schema = (CYCLE.replace("captain_id, type: bigint,", "captain_id, type: bigint, nullable: false,")
              .replace("type: bigserial", "type: bigint"))
    seeds = """\
table: people
schema: app
rows:
  - {id: 10, email: a@x.io, team_id: {ref: app.teams, name: Red}}
---
table: teams
schema: app
rows:
  - {id: 1, name: Red, captain_id: {ref: app.people, email: a@x.io}}
"""
    project = seeded(tmp_path, capsys, schema, seeds, database_url)
    assert "VALUES ('1'::bigint, 'Red'::text, '10'::bigint)" in (project / "generated" / "seeds.sql").read_text()
    assert rows(database_url, "SELECT t.id, t.captain_id, p.team_id FROM app.teams t, app.people p") == [(1, 10, 1)]


def test_a_cycle_of_not_null_columns_is_refused_naming_the_chain(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = CYCLE.replace("captain_id, type: bigint,", "captain_id, type: bigint, nullable: false,")
    write_definitions(tmp_path, {"schema.yaml": schema})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "s.yaml").write_text(
        CYCLE_SEEDS.replace("  - {name: Blue}\n", "").replace("  - {email: b@x.io, team_id: {ref: app.teams, name: Blue}}\n", ""))
    code, _, err = schemac(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == (
        "seeds/s.yaml:4:30: error: the seeded rows of app.people and app.teams point at each other through columns "
        "that need their value when the row is inserted (app.people.team_id -> app.teams, app.teams.captain_id -> "
        "app.people), so no insert order loads them; make one of these columns nullable, or its foreign key "
        "DEFERRABLE INITIALLY DEFERRED with the referenced value written in the seed")


ZONES = """
table: moments
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: at, type: timestamptz}
  - {name: opens, type: timetz}
  - {name: span, type: interval}
"""


def test_a_time_without_an_offset_is_the_same_instant_whatever_the_databases_time_zone(
        tmp_path: Path, database_url: str, second_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Two databases whose TimeZone and IntervalStyle differ store the same values."""
    for url, zone, style in ((database_url, "Pacific/Kiritimati", "sql_standard"),
                             (second_database_url, "America/Los_Angeles", "iso_8601")):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"ALTER DATABASE {conn.info.dbname} SET TimeZone = '{zone}'")
            conn.execute(f"ALTER DATABASE {conn.info.dbname} SET IntervalStyle = '{style}'")
    seeds = "table: moments\nrows:\n  - {id: 1, at: '2024-01-01 00:00:00', opens: '09:00', span: -1 day 2 hours}\n"
    project = seeded(tmp_path / "a", capsys, ZONES, seeds, database_url)
    assert schemac(project, capsys, "apply", "--seed", "--database-url", second_database_url)[0] == 0
    query = "SELECT extract(epoch FROM at), opens::text, extract(epoch FROM span) FROM moments"
    utc = dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp()
    assert rows(database_url, query) == rows(second_database_url, query) == [
        (Decimal(int(utc)), "09:00:00+00", Decimal("-79200.000000"))]


SPECIALS = """
table: specials
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: day, type: date}
  - {name: at, type: timestamp}
  - {name: at_tz, type: timestamptz}
  - {name: amount, type: "numeric(5,2)"}
  - {name: any_amount, type: numeric}
  - {name: ratio, type: real}
  - {name: big, type: double precision}
  - {name: grid, type: "integer[]"}
  - {name: words, type: "text[]"}
"""


def test_values_postgresql_accepts_are_loaded(tmp_path: Path, database_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    seeded(tmp_path, capsys, SPECIALS, """\
table: specials
rows:
  - {id: 1, day: infinity, at: -infinity, at_tz: Infinity, amount: 1e2, any_amount: NaN, ratio: .nan, big: -.inf,
     grid: [[1, 2], [3, 4]], words: [[[a]], [["b,c"]]]}
  - {id: 2, day: 0044-03-15 BC, at: "0001-01-01 12:00:00 BC", amount: "-1.5e1", any_amount: Infinity, ratio: 1e-3,
     big: 1e308, grid: []}
""", database_url)
    found = rows(database_url, "SELECT day::text, at::text, at_tz::text, amount, any_amount::text, ratio, big, grid, "
                               "words FROM specials ORDER BY id")
    assert found[0][:5] == ("infinity", "-infinity", "infinity", Decimal("100.00"), "NaN")
    assert math.isnan(found[0][5]) and found[0][6] == -math.inf
    assert found[0][7:] == ([[1, 2], [3, 4]], [[["a"]], [["b,c"]]])
    assert found[1][:5] == ("0044-03-15 BC", "0001-01-01 12:00:00 BC", None, Decimal("-15.00"), "Infinity")
    assert found[1][5:] == (pytest.approx(0.001), 1e308, [], None)


# (type, text, what PostgreSQL does with it): the offline checks must agree with the server
ACCEPTED = [
    ("inet", "192.168.1.5/24"), ("inet", "::1"), ("cidr", "10/8"), ("cidr", "128.1"), ("cidr", "2001:db8::/32"),
    ("bytea", "\\x0a 0B"), ("bytea", "ab\\\\c\\001"), ("bytea", "plain"),
    ("interval", "1 day 2 hours"), ("interval", "1-2"), ("interval", "P1Y2M"), ("interval", "@ 1 minute ago"),
    ("interval", "1.5 weeks"), ("interval", "1day"), ("interval", "-1 02:03"), ("interval", "P0001-02-03T04:05:06"),
    ("interval", "3 mons -2 days 04:05:06.5"), ("interval", "P1W"), ("interval", "1.5"),
    ("time with time zone", "12:00:00-0530"),
    ("money", "12.50"), ("money", "$1,234.56"), ("money", "-$1.00"), ("money", "(1.00)"), ("money", "$-1.00"), ("money", "1,234"),
    ("xml", "abc"), ("xml", "<a/><b x='1'>t</b>"), ("xml", "<?xml version=\"1.0\"?><a/>"),
    ("xml", "<!DOCTYPE a><a/>"),
    ("time with time zone", "24:00:00+02"), ("time with time zone", "12:00 +15:59"), ("time with time zone", "09:30Z"),
    ("time without time zone", "23:59:59.5"),
]
REFUSED = [
    ("inet", "999.1.1.1"), ("inet", "10.1"), ("inet", "fe80::1%eth0"), ("cidr", "10.0.0.1/8"), ("bytea", "zz\\"), ("bytea", "\\xzz"),
    ("bytea", "\\400"), ("interval", "forever"), ("money", "abc"), ("money", "1e2"), ("xml", "<a>"),
    ("xml", "<a></b>"), ("time with time zone", "25:00"), ("time with time zone", "12:00+16"),
    ("time with time zone", "12:00 bogus"), ("time without time zone", "24:00:01"),
]


@pytest.mark.parametrize(("type_name", "text"), ACCEPTED + REFUSED)
def test_the_offline_checks_agree_with_the_server(database_url: str, type_name: str, text: str) -> None:
    try:
        literal: str | None = seed_literal(type_name, text)
    except SeedValueError:
        literal = None
    assert (literal is not None) == ((type_name, text) in ACCEPTED)
    quoted = seed_literal("text", text).removesuffix("::text")
    with psycopg.connect(database_url) as conn:
        try:
            conn.execute(f"SELECT {quoted}::{type_name}".encode())
            server_reads = True
        except psycopg.errors.DataError:
            server_reads = False
    assert server_reads == ((type_name, text) in ACCEPTED)


def test_seeded_ids_move_the_identity_and_serial_sequences_past_them(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows seeded with explicit ids leave the application's next insert a free id, and a reload
    (or a sequence already further on) never moves a sequence back."""
    schema = """
table: t3
columns:
  - {name: id, type: integer, identity: by default, primary_key: true}
  - {name: v, type: text}
---
table: s3
columns:
  - {name: id, type: serial, primary_key: true}
  - {name: v, type: text}
"""
    seeds = """
table: t3
rows:
  - {id: 1, v: a}
  - {id: 2, v: b}
---
table: s3
rows:
  - {id: 7, v: a}
"""
    project = seeded(tmp_path, capsys, schema, seeds, database_url)
    assert rows(database_url, "INSERT INTO t3 (v) VALUES ('app') RETURNING id") == [(3,)]
    assert rows(database_url, "INSERT INTO s3 (v) VALUES ('app') RETURNING id") == [(8,)]
    assert schemac(project, capsys, "seed", "--database-url", database_url)[0] == 0
    assert rows(database_url, "INSERT INTO t3 (v) VALUES ('again') RETURNING id") == [(4,)]
    assert rows(database_url, "INSERT INTO s3 (v) VALUES ('again') RETURNING id") == [(9,)]


SPELLINGS = """
table: uparent
columns:
  - {name: id, type: uuid, primary_key: true}
---
table: tparent
columns:
  - {name: at, type: timestamptz, primary_key: true}
---
table: child
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: u_id, type: uuid, references: uparent.id}
  - {name: t_id, type: timestamptz, references: tparent.at}
"""


def test_keys_are_matched_as_postgresql_reads_them_not_as_written(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An upper-case uuid and a time with another offset point at the seeded parent row they equal,
    so the parents are inserted first; a ref by such a spelling finds its row."""
    seeds = """
table: child
rows:
  - {id: 1, u_id: 0B6C9D4E-8F51-4B8E-9A0E-6A1F3C2D5E01, t_id: "2024-01-01 02:00:00+02"}
  - {id: 2, u_id: {ref: uparent, id: "{0B6C9D4E8F514B8E9A0E6A1F3C2D5E01}"}}
---
table: uparent
rows:
  - {id: 0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e01}
---
table: tparent
rows:
  - {at: "2024-01-01 00:00:00Z"}
"""
    seeded(tmp_path, capsys, SPELLINGS, seeds, database_url)
    assert rows(database_url, "SELECT id, u_id::text, t_id = '2024-01-01 00:00:00Z' FROM child ORDER BY id") == [
        (1, "0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e01", True), (2, "0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e01", None)]


def test_two_spellings_of_one_key_are_a_duplicate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"schema.yaml": SPELLINGS})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "s.yaml").write_text("""table: uparent
rows:
  - {id: 0B6C9D4E-8F51-4B8E-9A0E-6A1F3C2D5E01}
  - {id: 0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e01}
---
table: tparent
rows:
  - {at: "2024-01-01 02:00:00+02"}
  - {at: "2024-01-01 00:00:00"}
""")
    code, _, err = schemac(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[:2] == [
        "seeds/s.yaml:4:5: error: duplicate key (id) of public.uparent: the same values as the seeded row at line 3",
        "seeds/s.yaml:9:5: error: duplicate key (at) of public.tparent: the same values as the seeded row at line 8",
    ]


def test_a_deferred_key_failing_at_commit_names_its_row(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A deferred key is checked at COMMIT, after every statement ran: the row is found all the same,
    and a row pointing at a row seeded after it is not blamed."""
    schema = """
table: parent
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: up, type: integer, references: parent.id, deferrable: true, initially_deferred: true}
---
table: child
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: p, type: integer, references: parent.id, deferrable: true, initially_deferred: true}
"""
    seeds = """table: parent
rows:
  - {id: 1, up: 2}
  - {id: 2}
---
table: child
rows:
  - {id: 1, p: 1}
  - {id: 2, p: 99}
"""
    write_definitions(tmp_path, {"schema.yaml": schema})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "s.yaml").write_text(seeds)
    assert schemac(tmp_path, capsys, "compile")[0] == 0
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    code, _, err = schemac(tmp_path, capsys, "seed", "--database-url", database_url)
    assert code == 4
    assert "the row at seeds/s.yaml:9: " in err and 'violates foreign key constraint' in err
    assert rows(database_url, "SELECT count(*) FROM child") == [(0,)]
