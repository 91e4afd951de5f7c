"""Seed files as compile reads them: every bad value a positioned error (exit 2, nothing written),
generated/seeds.sql written beside the migrations and kept current by compile --check."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import generated_files, write_definitions
from tests.helpers import run_cli as run

SCHEMA = textwrap.dedent("""
    enum: mood
    values: [happy, sad]
    ---
    table: users
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: email, type: varchar(20), nullable: false, unique: true}
      - {name: mood, type: mood}
      - {name: score, type: "numeric(5,2)"}
      - {name: active, type: boolean, nullable: false, default: "true"}
      - {name: born, type: date}
      - {name: seen_at, type: timestamptz}
      - {name: token, type: uuid}
      - {name: prefs, type: jsonb}
      - {name: tags, type: "text[]"}
      - {name: rank, type: smallint}
      - {name: ratio, type: real}
      - {name: seen, type: timestamp}
      - {name: addr, type: inet}
      - {name: net, type: cidr}
      - {name: raw, type: bytea}
      - {name: span, type: interval}
      - {name: price, type: money}
      - {name: doc, type: xml}
      - {name: opens, type: timetz}
      - {name: grid, type: "integer[]"}
    ---
    table: posts
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: author_id, type: bigint, nullable: false, references: users.id}
      - {name: title, type: text, nullable: false}
      - {name: parent_id, type: bigint, references: posts.id}
    ---
    table: notes
    columns:
      - {name: id, type: bigserial, primary_key: true}
      - {name: body, type: text}
    """).lstrip()

GOOD_USERS = """\
table: users
rows:
  - {id: 1, email: a@x.io, mood: happy, score: 123.45, born: 2020-02-29, seen_at: "2024-01-31 12:00:00+00"}
  - {id: 2, email: b@x.io, token: 1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0, prefs: {theme: dark}, tags: [a, "b,c"]}
"""


def project(root: Path, *seed_files: tuple[str, str]) -> Path:
    write_definitions(root, {"all.yaml": SCHEMA}, exact=True)
    for name, text in seed_files:
        path = root / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def errors_of(root: Path, capsys: pytest.CaptureFixture[str], users: str) -> list[str]:
    """compile's errors for seeds/users.yaml holding `users` (after the good users file)."""
    project(root, ("users.yaml", users))
    code, out, err = run(root, capsys, "compile")
    assert code == 2, out + err
    assert not (root / "generated").exists() or generated_files(root) == {}
    return [line for line in err.splitlines() if ": error: " in line]


@pytest.mark.parametrize(("row", "message"), [
    ("{id: 1, email: a@x.io, nope: 1}", "3:28: error: unknown column 'nope' of public.users"),
    ("{id: 1, email: a@x.io, mood: angry}", "3:34: error: column 'mood' (mood): 'angry' is not a label of enum mood"),
    ("{id: 1, email: a@x.io, rank: 40000}", "3:34: error: column 'rank' (smallint): 40000 is out of range for type smallint"),
    ("{id: 1, email: a@x.io, rank: one}", "3:34: error: column 'rank' (smallint): 'one' is not a whole number"),
    ("{id: 1, email: a@x.io, score: 1234.5}", "3:35: error: column 'score' (numeric(5,2)): 1234.5 does not fit numeric(5,2)"),
    ("{id: 1, email: a@x.io, score: 999.996}", "3:35: error: column 'score' (numeric(5,2)): 999.996 rounds to 1000.00 "
                                               "(numeric(5,2) keeps 2 decimal place(s)), which does not fit: at most 3 "
                                               "digit(s) before the decimal point"),
    ("{id: 1, email: a@x.io, score: 1e5}", "3:35: error: column 'score' (numeric(5,2)): 1e5 does not fit numeric(5,2)"),
    ("{id: 1, email: a@x.io, score: .inf}", "3:35: error: column 'score' (numeric(5,2)): numeric(5,2) cannot hold an "
                                            "infinite value"),
    ("{id: 1, email: a@x.io, ratio: 1e40}", "3:35: error: column 'ratio' (real): 1e40 is out of range for type real"),
    ("{id: 1, email: a@x.io, ratio: 1.0e-50}", "3:35: error: column 'ratio' (real): 1.0E-50 is out of range for type "
                                               "real"),
    ("{id: 1, email: a@x.io, rank: 010}", "3:34: error: column 'rank' (smallint): 010 has a leading zero, so YAML "
                                          "reads it as octal (8); write 8 if that is meant, 10 without the zero, or "
                                          "quote it as text"),
    ("{id: 1, email: a@x.io, grid: [1, 010]}", "3:34: error: column 'grid' (integer[]): 010 has a leading zero"),
    ("{id: 1, email: a@x.io, prefs: {codes: [1, 007]}}", "3:35: error: column 'prefs' (jsonb): 007 has a leading "
                                                         "zero"),
    ("{id: 1, email: 2024-01-01}", "3:20: error: column 'email' (character varying(20)): 2024-01-01 is a date to "
                                   "YAML, not text; quote it"),
    ("{id: 1, email: a@x.io, tags: [a, 2024-01-01]}", "3:34: error: column 'tags' (text[]): 2024-01-01 is a date to "
                                                      "YAML, not text; quote it"),
    ("{id: 1, email: a@x.io, seen: '2024-01-01 10:00:00+02'}", "3:34: error: column 'seen' (timestamp without time "
                                                               "zone): '2024-01-01 10:00:00+02' has a UTC offset, "
                                                               "which a timestamp without time zone column drops"),
    ("{id: 1, email: a@x.io, addr: 999.1.1.1}", "3:34: error: column 'addr' (inet): '999.1.1.1' is not an IP address"),
    ("{id: 1, email: a@x.io, net: 10.0.0.1/8}", "3:33: error: column 'net' (cidr): '10.0.0.1/8' has bits set to the "
                                                "right of the netmask"),
    ("{id: 1, email: a@x.io, raw: zz\\}", "3:33: error: column 'raw' (bytea): 'zz\\' is not bytea's escape format"),
    ("{id: 1, email: a@x.io, raw: '\\xzz'}", "3:33: error: column 'raw' (bytea): '\\xzz' is not bytea's hex format"),
    ("{id: 1, email: a@x.io, span: forever}", "3:34: error: column 'span' (interval): 'forever' is not an interval"),
    ("{id: 1, email: a@x.io, price: abc}", "3:35: error: column 'price' (money): 'abc' is not an amount of money"),
    ("{id: 1, email: a@x.io, doc: <a>}", "3:33: error: column 'doc' (xml): '<a>' is not well-formed XML"),
    ("{id: 1, email: a@x.io, opens: '25:00'}", "3:35: error: column 'opens' (time with time zone): '25:00' is out of "
                                               "range for a time of day"),
    ("{id: 1, email: a@x.io, opens: '12:00+16'}", "3:35: error: column 'opens' (time with time zone): '12:00+16' has a "
                                                  "UTC offset out of range"),
    ("{id: 1, email: a@x.io, grid: [[1, 2], [3]]}", "3:34: error: column 'grid' (integer[]): a multi-dimensional array "
                                                    "needs lists of the same length at each depth"),
    ("{id: 1, email: a@x.io, grid: [[1, 2], 3]}", "3:34: error: column 'grid' (integer[]): a multi-dimensional array "
                                                  "needs lists of the same length at each depth, with no value or null "
                                                  "beside a list"),
    ("{id: 1, email: a@x.io, active: maybe}", "3:36: error: column 'active' (boolean): 'maybe' is not true or false"),
    ("{id: 1, email: a@x.io, born: 2021-02-29}", "3:34: error: column 'born' (date): '2021-02-29' is not a date"),
    ("{id: 1, email: a@x.io, seen_at: yesterday}", "3:37: error: column 'seen_at' (timestamp with time zone): "
                                                   "'yesterday' is not a timestamp with time zone"),
    ("{id: 1, email: a@x.io, token: 1234}", "3:35: error: column 'token' (uuid): 1234 is not text"),
    ("{id: 1, email: a@x.io, token: not-a-uuid}", "3:35: error: column 'token' (uuid): invalid input syntax for type uuid"),
    ("{id: 1, email: a@x.io, prefs: '{bad'}", "3:35: error: column 'prefs' (jsonb): invalid input syntax for type jsonb"),
    ("{id: 1, email: a@x.io, tags: [a, [b]]}", "3:34: error: column 'tags' (text[]): a multi-dimensional array"),
    ("{id: 1, email: a@x.io, tags: a}", "3:34: error: column 'tags' (text[]): 'a' is not a list"),
    ("{id: 1, email: this-is-far-too-long@x.io}", "3:20: error: column 'email' (character varying(20)): value too long"),
    ("{id: 1, email: ~}", "3:20: error: column 'email' of public.users is NOT NULL"),
    ("{id: 1}", "3:5: error: no value for column 'email' of public.users, which is NOT NULL and has no default"),
])
def test_a_value_that_does_not_fit_its_column_is_an_error_at_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str) -> None:
    found = errors_of(tmp_path, capsys, f"table: users\nrows:\n  - {row}\n")
    assert len(found) == 1, found
    assert found[0].startswith(f"seeds/users.yaml:{message.split(': error: ')[0]}: error: ")
    assert message.split(": error: ")[1] in found[0]


def test_an_unknown_table_is_named_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = errors_of(tmp_path, capsys, "table: user\nrows: []\n")
    assert found == ["seeds/users.yaml:1:8: error: unknown table public.user (did you mean 'public.users'?)"]


def test_duplicate_keys_among_seeds_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = errors_of(tmp_path, capsys, "table: users\nrows:\n  - {id: 1, email: a@x.io}\n"
                                        "  - {id: 2, email: a@x.io}\n  - {id: 1, email: c@x.io}\n")
    assert found == [
        "seeds/users.yaml:4:5: error: duplicate key (email) of public.users: the same values as the seeded row at line 3",
        "seeds/users.yaml:5:5: error: duplicate key (id) of public.users: the same values as the seeded row at line 3",
    ]


def test_a_ref_must_match_exactly_one_seeded_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, ("users.yaml", GOOD_USERS + "  - {id: 3, email: c@x.io, mood: happy}\n"), ("posts.yaml", """\
table: posts
rows:
  - {id: 1, title: t, author_id: {ref: users, email: nobody@x.io}}
  - {id: 2, title: t, author_id: {ref: users, mood: happy}}
  - {id: 3, title: t, author_id: {ref: user, email: a@x.io}}
  - {id: 4, title: t, author_id: {ref: users, mail: a@x.io}}
"""))
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[:4] == [
        "seeds/posts.yaml:3:34: error: 'ref' matches no seeded row of public.users where "
        "email = 'nobody@x.io'::character varying(20)",
        "seeds/posts.yaml:4:34: error: 'ref' to public.users by (mood) must give its primary key or a unique key "
        "(id; email), so that it matches one row whatever else the table holds",
        "seeds/posts.yaml:5:40: error: 'ref' names public.user, an unknown table (did you mean 'public.users'?)",
        "seeds/posts.yaml:6:47: error: unknown column 'mail' of public.users (did you mean 'email'?)",
    ]
    assert not (tmp_path / "generated").exists()


def test_rows_need_a_key_to_be_loaded_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = errors_of(tmp_path, capsys, "table: notes\nrows:\n  - {body: t}\n")
    assert len(found) == 1 and found[0].startswith("seeds/users.yaml:1:1: error: every row of public.notes must give "
                                                   "the columns of its primary key or of a unique key (id)")


def test_a_declared_key_must_be_a_key_of_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = errors_of(tmp_path, capsys, "table: users\nkey: [mood]\nrows:\n  - {id: 1, email: a@x.io}\n")
    assert found == ["seeds/users.yaml:2:6: error: 'key' must be the primary key or a unique key of public.users "
                     "(id; email)"]


def test_a_ref_must_follow_the_columns_foreign_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, ("users.yaml", GOOD_USERS), ("posts.yaml", """\
table: posts
rows:
  - {id: 1, title: t, author_id: {ref: posts, id: 2}}
  - {id: 2, title: t, author_id: 1}
"""))
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == ("seeds/posts.yaml:3:34: error: column 'author_id' of public.posts is no foreign key "
                                   "to public.posts (its foreign key references public.users), so 'ref' cannot say "
                                   "which of its values to use; write the value itself")


def test_not_null_self_references_no_insert_order_satisfies_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": """
        table: nodes
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: next_id, type: bigint, nullable: false, references: nodes.id}
        """})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "nodes.yaml").write_text(
        "table: nodes\nrows:\n  - {id: 1, next_id: {ref: nodes, id: 2}}\n  - {id: 2, next_id: 1}\n")
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == (
        "seeds/nodes.yaml:3:22: error: column 'next_id' of public.nodes needs its value when the row is inserted, and "
        "it points at the row at line 4, which needs this row inserted before it; no insert order loads these rows: "
        "make the column nullable, or write the referenced value in the seed and make the foreign key DEFERRABLE "
        "INITIALLY DEFERRED")


def test_seeds_sql_is_written_and_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, ("users.yaml", GOOD_USERS))
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    assert "wrote generated/seeds.sql" in out
    assert run(tmp_path, capsys, "compile", "--check")[0] == 0
    (tmp_path / "seeds" / "users.yaml").write_text(GOOD_USERS.replace("123.45", "99.5"))
    code, out, _ = run(tmp_path, capsys, "compile", "--check")
    assert code == 1 and "stale: generated/seeds.sql is out of date; run 'schemac compile'" in out
    code, out, _ = run(tmp_path, capsys, "compile")
    assert code == 0 and out.startswith("No schema changes; wrote generated/seeds.sql.")
    assert "'99.5'::numeric(5,2)" in (tmp_path / "generated/seeds.sql").read_text()
    assert run(tmp_path, capsys, "compile", "--check")[0] == 0
    (tmp_path / "seeds" / "users.yaml").unlink()
    (tmp_path / "seeds").rmdir()
    code, out, _ = run(tmp_path, capsys, "compile", "--check")
    assert code == 1 and "generated/seeds.sql belongs to no seeds/ folder" in out
    code, out, _ = run(tmp_path, capsys, "compile")
    assert code == 0 and "removed generated/seeds.sql" in out and not (tmp_path / "generated/seeds.sql").exists()


def test_a_bad_seed_fails_compile_check_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, ("users.yaml", GOOD_USERS))
    assert run(tmp_path, capsys, "compile")[0] == 0
    (tmp_path / "seeds" / "users.yaml").write_text(GOOD_USERS.replace("mood: happy", "mood: glad"))
    code, _, err = run(tmp_path, capsys, "compile", "--check")
    assert code == 2 and "seeds/users.yaml:3:34: error: column 'mood' (mood): 'glad' is not a label" in err


def test_a_project_without_seeds_compiles_byte_for_byte_as_before(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    without, with_empty = tmp_path / "a", tmp_path / "b"
    project(without)
    project(with_empty, ("users.yaml", "table: users\nrows: []\n"))
    assert run(without, capsys, "compile")[0] == 0
    assert run(with_empty, capsys, "compile")[0] == 0
    plain = {k: v[0] for k, v in generated_files(without).items()}
    seeded = {k: v[0] for k, v in generated_files(with_empty).items()}
    assert "seeds.sql" not in plain
    assert {k: v for k, v in seeded.items() if k != "seeds.sql"} == plain


def test_a_ref_on_a_column_that_is_no_foreign_key_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, ("users.yaml", GOOD_USERS), ("posts.yaml", """\
table: posts
rows:
  - {id: 1, title: {ref: users, id: 1}, author_id: 1}
  - {id: 2, title: t, author_id: 1, parent_id: {ref: posts, id: ~}}
"""))
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[:2] == [
        "seeds/posts.yaml:3:20: error: column 'title' of public.posts is no foreign key to public.users (it is no "
        "foreign key at all), so 'ref' cannot say which of its values to use; write the value itself",
        "seeds/posts.yaml:4:65: error: 'ref' to public.posts gives no value for 'id': a null matches no row",
    ]


def test_anchors_in_seed_files_are_refused_as_seed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = errors_of(tmp_path, capsys, "table: users\nrows:\n  - &a {id: 1, email: a@x.io}\n")
    assert found == ["seeds/users.yaml:3:5: error: YAML anchors and aliases (&name, *name) are not allowed in seed "
                     "files; write the value out"]


def test_a_literal_key_orders_tables_as_a_ref_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """posts sorts before users, and its author_id 1 is a seeded user's id: users go first."""
    project(tmp_path, ("users.yaml", GOOD_USERS), ("posts.yaml", "table: posts\nrows:\n  - {id: 1, title: t, author_id: 1}\n"))
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    sql = (tmp_path / "generated" / "seeds.sql").read_text()
    assert sql.index("INSERT INTO public.users") < sql.index("INSERT INTO public.posts")


def test_a_not_null_ref_to_its_own_row_needs_a_written_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"t.yaml": """
        table: nodes
        columns:
          - {name: id, type: bigserial, primary_key: true}
          - {name: code, type: text, nullable: false, unique: true}
          - {name: root_id, type: bigint, nullable: false, references: nodes.id}
        """})
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "nodes.yaml").write_text(
        "table: nodes\nrows:\n  - {code: a, root_id: {ref: nodes, code: a}}\n")
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err.splitlines()[0] == (
        "seeds/nodes.yaml:3:24: error: column 'root_id' of public.nodes needs its value when the row is inserted, "
        "and it points at the row itself, whose value PostgreSQL makes only when it is inserted; write that value "
        "in the seed, or make the column nullable")
    (tmp_path / "seeds" / "nodes.yaml").write_text(
        "table: nodes\nrows:\n  - {id: 7, code: a, root_id: {ref: nodes, code: a}}\n")
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 0, err  # the row's own id is written: it takes it directly, checked once it is in
    assert "VALUES ('7'::bigint, 'a'::text, '7'::bigint)" in (tmp_path / "generated" / "seeds.sql").read_text()
