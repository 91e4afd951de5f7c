"""Definitions PostgreSQL would refuse, found offline: exit 2, `path:line:col: error: message` at the
key that is wrong, every error at once, nothing written (see compiler/rules.py).

Each case here was first run as SQL on a real PostgreSQL 15 (tests/db/test_definition_rules_db.py
keeps that proof): PostgreSQL refuses it, or accepts it and then fails at run time.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_bad_input import ORGS, USERS, Case, Expect, assert_reported, expected_lines, users_with, yaml
from tests.helpers import generated_files as snapshot
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

STATUS = "enum: user_status\nvalues: [active, suspended, deleted]\n"
VALUES = "(its values: active, suspended, deleted)"


def with_status(extra: str) -> dict[str, str]:
    """users with a user_status column `status`, then `extra` (lines starting '-' are more columns),
    and the enum."""
    text = yaml(extra)
    more = "".join(("  " if text.startswith("-") else "") + line + "\n" for line in text.splitlines())
    return {"users.yaml": users_with("  - {name: status, type: user_status}\n") + more, "types.yaml": STATUS}


def wide(count: int) -> str:
    return "table: wide\ncolumns:\n" + "".join(f"  - {{name: c{i}, type: integer}}\n" for i in range(count))


CASES = [
    # -- enum labels, wherever PostgreSQL converts a constant to the enum
    Case("enum_label_in_default",
         {"users.yaml": users_with("""  - {name: state, type: user_status, default: "'archived'"}\n"""),
          "types.yaml": STATUS},
         (Expect("users.yaml", "\"'archived'\"", "'default' of column users.state uses 'archived', which is "
                                                 f"not a value of enum user_status {VALUES}"),)),
    Case("enum_label_in_check",
         with_status("""- {name: note, type: text, check: "status <> 'gone'"}"""),
         (Expect("users.yaml", "\"status <> 'gone'\"", "check users_status_check of users uses 'gone', which is not a "
                                                      "value of enum user_status"),)),
    Case("enum_label_in_index_predicate",
         with_status("""
             indexes:
               - {columns: [email], where: "status = 'x'"}
             """),
         (Expect("users.yaml", "\"status = 'x'\"", "'where' of index users_email_idx of users uses 'x', which is "
                                                  "not a value of enum user_status"),)),
    Case("enum_label_in_in_list",
         with_status("""
             checks:
               - {name: known, expression: "status IN ('active', 'banned')"}
             """),
         (Expect("users.yaml", "\"status IN", "check known of users uses 'banned', which is not a value"),)),
    Case("enum_label_in_any_array",
         with_status("""
             indexes:
               - {columns: [email], where: "status = ANY ('{active,gone}')"}
             """),
         (Expect("users.yaml", "\"status = ANY", "uses 'gone', which is not a value of enum user_status"),)),
    Case("enum_compared_with_text_array",
         with_status("""
             indexes:
               - {columns: [email], where: "status <> ALL (ARRAY['active', 'deleted'])"}
             """),
         (Expect("users.yaml", "\"status <> ALL", "'where' of index users_email_idx of users compares enum "
                                                  "user_status with an ARRAY of constants, which PostgreSQL reads "
                                                  "as text[] and has no operator for"),)),
    Case("enum_label_in_cast",
         {"users.yaml": users_with("""  - {name: note, type: text, default: "('gone'::user_status)::text"}\n"""),
          "types.yaml": STATUS},
         (Expect("users.yaml", "\"('gone'", "'default' of column users.note uses 'gone', which is not a value"),)),
    Case("enum_label_in_generated_column",
         with_status("""- {name: gone, type: boolean, generated: "status = 'gone'"}"""),
         (Expect("users.yaml", "\"status = 'gone'\"", "generated column users.gone uses 'gone', which is not a "
                                                     "value"),)),
    Case("enum_label_in_index_expression",
         with_status("""
             indexes:
               - {expression: "(status = 'gone')"}
             """),
         (Expect("users.yaml", "\"(status = 'gone')\"", "index users_expr_idx of users uses 'gone', which is "
                                                       "not a value"),)),
    Case("enum_label_in_array_default",
         {"users.yaml": users_with("""  - {name: history, type: "user_status[]", default: "'{active,gone}'"}\n"""),
          "types.yaml": STATUS},
         (Expect("users.yaml", "\"'{active", "'default' of column users.history uses 'gone', which is not a value"),)),
    Case("enum_cast_folds_to_lower_case",
         {"users.yaml": users_with("""  - {name: mood, type: Mood, check: "mood <> 'sad'::Mood"}\n"""),
          "types.yaml": "enum: Mood\nvalues: [happy, sad]\n"},
         (Expect("users.yaml", "\"mood <>", "casts to type mood, which is not declared: SQL folds an unquoted "
                                           "name to lower case, so write the enum Mood as \"Mood\""),)),
    # -- constants a built-in type cannot read, or that do not fit it
    Case("default_not_an_integer",
         {"users.yaml": users_with("""  - {name: n, type: integer, default: "'abc'"}\n""")},
         (Expect("users.yaml", "\"'abc'\"", "'default' of column users.n uses 'abc' for a value of type integer: "
                                            "invalid input syntax for type integer"),)),
    Case("check_constant_not_a_boolean",
         {"users.yaml": users_with("""  - {name: active, type: boolean, check: "active <> 'maybe'"}\n""")},
         (Expect("users.yaml", "\"active <>", "check users_active_check of users uses 'maybe' for a value of type "
                                               "boolean: invalid input syntax for type boolean"),)),
    Case("cast_constant_not_a_uuid",
         {"users.yaml": users_with("""
             checks:
               - {name: not_nil, expression: "id::text <> ('none'::uuid)::text"}
             """)},
         (Expect("users.yaml", "\"id::text", "check not_nil of users uses 'none' for a value of type uuid: invalid "
                                             "input syntax for type uuid"),)),
    Case("default_out_of_range",
         {"users.yaml": users_with("  - {name: n, type: smallint, default: 40000}\n")},
         (Expect("users.yaml", "40000", "'default' of column users.n is 40000, out of range for type smallint: "
                                        "PostgreSQL accepts the table, then fails every row that takes it"),)),
    Case("default_too_long",
         {"users.yaml": users_with("""  - {name: code, type: "varchar(2)", default: "'abc'"}\n""")},
         (Expect("users.yaml", "\"'abc'\"", "value too long for type character varying(2): PostgreSQL accepts "
                                            "the table, then fails every row that takes it"),)),
    # -- generated columns and immutability
    Case("generated_uses_generated",
         {"users.yaml": users_with("""
               - {name: double_id, type: bigint, generated: id * 2}
               - {name: quad_id, type: bigint, generated: double_id * 2}
             """)},
         (Expect("users.yaml", "double_id * 2", "generated column users.quad_id refers to generated column "
                                                "double_id"),)),
    Case("now_in_generated_column",
         {"users.yaml": users_with("  - {name: seen, type: timestamptz, generated: now()}\n")},
         (Expect("users.yaml", "now()", "generated column users.seen uses now(), which is not IMMUTABLE"),)),
    Case("concat_in_generated_column",
         {"users.yaml": users_with("  - {name: label, type: text, generated: \"concat(email, '!')\"}\n")},
         (Expect("users.yaml", "\"concat", "uses concat(), which is not IMMUTABLE"),)),
    Case("random_in_index_expression",
         {"users.yaml": users_with("""
             indexes:
               - {expression: [email, "random()"]}
             """)},
         (Expect("users.yaml", "\"random()\"", "index users_email_random_idx of users uses random(), which is "
                                               "not IMMUTABLE"),)),
    Case("current_timestamp_in_index_predicate",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [email], where: "id > 0 and current_timestamp > '2020-01-01'"}
             """)},
         (Expect("users.yaml", "\"id > 0", "uses current_timestamp, which is not IMMUTABLE"),)),
    # -- aggregates, window and set-returning functions
    Case("aggregate_in_check",
         {"users.yaml": users_with("  - {name: n, type: integer, check: count(*) > 0}\n")},
         (Expect("users.yaml", "count(*) > 0", "uses count(): aggregate functions are not allowed in check "
                                               "constraints"),)),
    Case("aggregate_in_default",
         {"users.yaml": users_with("  - {name: n, type: integer, default: sum(1)}\n")},
         (Expect("users.yaml", "sum(1)", "uses sum(): aggregate functions are not allowed in DEFAULT "
                                         "expressions"),)),
    Case("window_function_in_check",
         {"users.yaml": users_with("  - {name: n, type: bigint, check: row_number() over () > 0}\n")},
         (Expect("users.yaml", "row_number", "uses row_number(): window functions are not allowed in check "
                                             "constraints"),)),
    Case("set_returning_function_in_default",
         {"users.yaml": users_with("  - {name: n, type: integer, default: \"generate_series(1, 2)\"}\n")},
         (Expect("users.yaml", "\"generate_series", "uses generate_series(): set-returning functions are not "
                                                    "allowed in DEFAULT expressions"),)),
    Case("check_is_a_number",
         {"users.yaml": users_with("  - {name: n, type: integer, check: n + 1}\n")},
         (Expect("users.yaml", "n + 1", "check users_n_check of users is a number, not a condition"),)),
    Case("check_is_a_bare_column",
         {"users.yaml": users_with("  - {name: n, type: integer, check: n}\n")},
         (Expect("users.yaml", "check: ^n}", "check users_n_check of users is column n of type integer, not a "
                                            "condition; a check or 'where' must be true or false"),)),
    Case("check_is_a_column_of_a_domain_over_integer",
         {"users.yaml": users_with("  - {name: n, type: count, check: n}\n"),
          "types.yaml": "domain: count\ntype: integer\n"},
         (Expect("users.yaml", "check: ^n}", "check users_n_check of users is column n of type integer, not a "
                                            "condition"),)),
    Case("check_is_text",
         {"users.yaml": users_with("""
             checks:
               - {name: tagged, expression: "(email || 'x')"}
             """)},
         (Expect("users.yaml", "\"(email", "check tagged of users is text (a || concatenation), not a condition"),)),
    Case("predicate_is_a_cast",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [email], where: "id::text"}
             """)},
         (Expect("users.yaml", "\"id::text", "'where' of index users_email_idx of users is a cast to text, not a "
                                             "condition"),)),
    # -- indexes and keys
    Case("unique_hash_index",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [email], using: hash, unique: true}
             """)},
         (Expect("users.yaml", "hash", "index users_email_idx of users is unique, but access method hash does "
                                       "not support unique indexes; only btree does"),)),
    Case("hash_index_on_two_columns",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [id, email], using: hash}
             """)},
         (Expect("users.yaml", "hash", "has 2 columns, but access method hash does not support multicolumn "
                                       "indexes"),)),
    Case("unique_json_column",
         {"users.yaml": users_with("  - {name: doc, type: json, unique: true}\n")},
         (Expect("users.yaml", "unique: ^true", "unique users_doc_key of users uses column doc of type json, "
                                                "which has no default operator class for access method btree "
                                                "(use jsonb, which has one)"),)),
    Case("json_primary_key",
         {"t.yaml": "table: t\ncolumns:\n  - {name: doc, type: json}\nprimary_key: [doc]\n"},
         (Expect("t.yaml", "[doc]", "primary key t_pkey of t uses column doc of type json, which has no "
                                    "default operator class for access method btree"),)),
    Case("btree_index_on_point",
         {"users.yaml": users_with("""
               - {name: spot, type: point}
             indexes:
               - columns: [spot]
             """)},
         (Expect("users.yaml", "[spot]", "index users_spot_idx of users uses column spot of type point, which "
                                         "has no default operator class for access method btree"),)),
    Case("gin_index_on_integer",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [id], using: gin}
             """)},
         (Expect("users.yaml", "[id]", "uses column id of type bigint, which has no default operator class for "
                                       "access method gin"),)),
    Case("unique_array_of_json",
         {"users.yaml": users_with("""  - {name: docs, type: "json[]", unique: true}\n""")},
         (Expect("users.yaml", "unique: ^true", "uses column docs of type json[], whose elements PostgreSQL "
                                                "cannot compare"),)),
    Case("index_of_33_columns",
         {"wide.yaml": wide(33) + "indexes:\n  - {name: all_33, columns: [" + ", ".join(f"c{i}" for i in range(33))
          + "]}\n"},
         (Expect("wide.yaml", "all_33", "index all_33 of wide has 33 columns; PostgreSQL allows at most 32 in an "
                                        "index"),)),
    Case("table_of_1601_columns",
         {"wide.yaml": wide(1601)},
         (Expect("wide.yaml", "columns:\n  ^- {name: c0,", "table wide has 1601 columns; PostgreSQL allows at most 1600"),)),
    # -- columns
    Case("system_column_name",
         {"users.yaml": users_with("  - {name: xmin, type: integer}\n")},
         (Expect("users.yaml", "xmin", "column name xmin is the name of a system column"),)),
    Case("identity_declared_nullable",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: always, nullable: true}\n")},
         (Expect("users.yaml", "nullable: ^true", "column users.n is an identity column, which is always NOT "
                                                  "NULL; remove 'nullable: true'"),)),
    Case("serial_declared_nullable",
         {"users.yaml": users_with("  - {name: n, type: serial, nullable: true}\n")},
         (Expect("users.yaml", "nullable: ^true", "column users.n is a serial column, which is always NOT NULL"),)),
    # -- foreign keys
    Case("set_null_on_not_null_column",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, nullable: false, references: orgs.id, "
                                   "on_delete: set null}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.id", "foreign key users_org_id_fkey of users has on delete set null, but "
                                          "column org_id is NOT NULL: PostgreSQL accepts it, then fails every "
                                          "such delete of a referenced row"),)),
    Case("set_default_without_default",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, nullable: false, references: orgs.id, "
                                   "on_delete: set default}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.id", "has on delete set default, but column org_id is NOT NULL and has no "
                                          "default"),)),
    Case("foreign_key_updates_generated_column",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, generated: id, references: orgs.id, "
                                   "on_update: cascade}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.id", "has on update cascade, which would write generated column org_id"),)),
]


def _ids(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id) for c in cases]


@pytest.mark.parametrize("case", _ids(CASES))
def test_rule_is_reported_at_its_key_and_nothing_is_written(
        case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {**case.files}, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 2, (out, err)
    assert_reported(err, expected_lines(case))
    assert not (tmp_path / "generated").exists()


def test_every_rule_broken_at_once_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picked = [c for c in CASES if c.id in ("enum_label_in_default", "now_in_generated_column", "unique_hash_index")]
    users = USERS + "".join(c.files["users.yaml"][len(USERS):] for c in picked)
    files = {"users.yaml": users, "types.yaml": STATUS}
    errors = tuple(e for c in picked for e in c.errors)
    write_definitions(tmp_path, files, exact=True)
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert_reported(err, expected_lines(Case("all", files, errors)))


def test_a_label_removed_from_its_enum_is_an_error_where_it_is_still_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = users_with("""  - {name: status, type: user_status, nullable: false, default: "'archived'"}\n""")
    write_definitions(tmp_path, {"users.yaml": users,
                                 "types.yaml": "enum: user_status\nvalues: [active, archived]\n"}, exact=True)
    assert run(tmp_path, capsys, "compile")[0] == 0
    before = snapshot(tmp_path)
    case = Case("removed", {"users.yaml": users, "types.yaml": "enum: user_status\nvalues: [active]\n"},
                (Expect("users.yaml", "\"'archived'\"", "'default' of column users.status uses 'archived', which is "
                                                        "not a value of enum user_status (its values: active)"),))
    write_definitions(tmp_path, case.files, exact=True)
    code, _, err = run(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 2
    assert_reported(err, expected_lines(case))
    assert snapshot(tmp_path) == before


NEAR_MISSES = {"types.yaml": STATUS, "orgs.yaml": ORGS, "users.yaml": yaml("""
        table: users
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: status, type: user_status, nullable: false, default: "'active'::user_status"}
          - {name: history, type: "user_status[]", default: "'{active,deleted}'"}
          - {name: doc, type: jsonb, unique: true}
          - {name: tags, type: "text[]"}
          - {name: spot, type: point}
          - {name: period, type: tstzrange}
          - {name: email, type: "varchar(255)"}
          - {name: double_id, type: bigint, generated: id * 2}
          - {name: label, type: text, generated: "lower(email) || '!'"}
          - {name: n, type: integer, identity: always, nullable: false}
          - {name: org_id, type: bigint, references: orgs.id, on_delete: set null}
          - {name: note, type: text, check: "status <> 'deleted' or note is null"}
          - {name: flag, type: boolean, check: flag}
          - {name: strict, type: boolean, check: "(strict)"}
        indexes:
          - {columns: [status], where: "status IN ('active', 'suspended')"}
          - {columns: [doc], using: gin}
          - {columns: [tags], using: gin}
          - {columns: [spot], using: gist}
          - {columns: [period], using: gist}
          - {columns: [email], using: hash}
          - {columns: [id, email], using: brin}
          - {expression: "lower(email)", unique: true, where: "status = ANY (ARRAY['active'::user_status])"}
        """)}


def test_what_postgresql_accepts_passes_the_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Near misses of every rule: each is valid PostgreSQL (tests/db/test_definition_rules_db.py
    applies them), so none may be refused."""
    write_definitions(tmp_path, NEAR_MISSES, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    assert err == ""


def test_bit_strings_are_as_long_as_postgresql_allows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": users_with("  - {name: flags, type: bit(83886080)}\n")}, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 0, err
    assert "flags bit(83886080)" in out
    case = Case("bit_too_long", {"users.yaml": users_with("  - {name: flags, type: varbit(83886081)}\n")},
                (Expect("users.yaml", "varbit", "length for type varbit must be between 1 and 83886080, not "
                                                "83886081"),))
    write_definitions(tmp_path, case.files, exact=True)
    code, _, err = run(tmp_path, capsys, "plan")
    assert code == 2
    assert_reported(err, expected_lines(case))
