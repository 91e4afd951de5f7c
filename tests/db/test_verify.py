"""verify and compile --verify against a real PostgreSQL: what they prove, and what they catch."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import psycopg
import pytest

from tests.conftest import REPO
from tests.helpers import generated_files, run_cli, write_definitions

USERS = """
table: users
columns:
  - {name: id, type: bigint, identity: always, primary_key: true}
  - {name: email, type: text, nullable: false, unique: true}
  - {name: code, type: text}
"""
USERS_PHONE = USERS + "  - {name: phone, type: text}\n"
USERS_CODE_INTEGER = USERS.replace("{name: code, type: text}", "{name: code, type: integer}")
ORGS = """
---
table: orgs
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: owner_id, type: bigint, references: users.id}
  - {name: name, type: varchar(40), nullable: false, unique: true}
"""


@pytest.fixture(autouse=True)
def _no_dev_server_from_the_environment(monkeypatch) -> None:
    for name in ("SCHEMAC_DEV_DATABASE_URL", "DATABASE_URL", "NEON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def compiled(root: Path, capsys, *versions: str) -> Path:
    """A project compiled through each version of its definitions in turn."""
    for text in versions:
        write_definitions(root, {"schema.yaml": text})
        code, _, err = run_cli(root, capsys, "compile", "--allow-destructive")
        assert code == 0, err
    return root


def edit_generated(root: Path, rel: str, edit) -> None:
    """Change a generated migration file by hand and record its new checksum in state.json."""
    path = root / "generated" / rel
    text = edit(path.read_text())
    path.write_text(text)
    state = root / "generated" / "state.json"
    doc = json.loads(state.read_text())
    for m in doc["migrations"]:
        for key, digest in (("file", "sha256"), ("rollback", "rollback_sha256")):
            if m[key] == rel:
                m[digest] = hashlib.sha256(text.encode()).hexdigest()
    state.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def test_the_example_project_is_proven(tmp_path: Path, admin_url: str, capsys) -> None:
    for part in ("definitions", "generated"):
        shutil.copytree(REPO / part, tmp_path / part)
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, err
    # 003 keeps users.updated_at current with a trigger (002 is the warehouse's alone)
    assert ("proven: 001_initial_schema.sql to 003_keep_updated_at_current.sql apply from scratch and give the "
            "definitions") in out
    assert "proven: rollback_003.sql restores the state before 003_keep_updated_at_current.sql" in out
    assert "proven: 003_keep_updated_at_current.sql applies again after its rollback" in out
    assert "proven on rows: 003_keep_updated_at_current.sql and rollback_003.sql" in out


def test_a_type_change_that_only_rows_reject_is_not_proven(tmp_path: Path, admin_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS + ORGS)
    write_definitions(project, {"schema.yaml": USERS_CODE_INTEGER + ORGS})
    before = generated_files(project)
    code, out, _ = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5
    assert "proving the pending migration 002_alter_users.sql (not written; 'schemac compile " \
           "with --allow-destructive' writes it)" in out
    code, out, err = run_cli(project, capsys, "compile", "--verify", "--allow-destructive", "--dev-url", admin_url)
    assert code == 5, out + err
    # proven on empty tables, refused on rows: text such as 'code_1' is no integer
    assert "proven: rollback_002.sql restores the state before 002_alter_users.sql" in out
    assert "002_alter_users.sql failed on the state before it holding generated rows" in err
    assert 'invalid input syntax for type integer: "code_1"' in err
    assert "-- schemac:statement AlterColumnType public.users.code" in err
    assert "ALTER TABLE public.users ALTER COLUMN code TYPE integer USING code::integer;" in err
    assert "Traceback" not in err and "nothing written" in err
    assert generated_files(project) == before


def test_compile_verify_writes_everything_when_proven(tmp_path: Path, admin_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS + ORGS)
    write_definitions(project, {"schema.yaml": USERS_PHONE + ORGS})
    code, out, err = run_cli(project, capsys, "compile", "--verify", "--dev-url", admin_url)
    assert code == 0, err
    assert "proven on rows: 002_add_users_phone.sql and rollback_002.sql with up to 3 generated rows " \
           "in each of 2 table(s)" in out
    assert "wrote generated/state.json" in out
    assert (project / "generated" / "migrations" / "002_add_users_phone.sql").is_file()
    code, out, _ = run_cli(project, capsys, "compile", "--check")
    assert code == 0, out


def test_a_new_unique_on_repeating_rows_is_not_proven(tmp_path: Path, admin_url: str, capsys) -> None:
    flags = USERS + "  - {name: admin, type: boolean, nullable: false}\n"
    project = compiled(tmp_path, capsys, flags)
    write_definitions(project, {"schema.yaml": flags.replace("type: boolean, nullable: false",
                                                             "type: boolean, nullable: false, unique: true")})
    code, _, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5
    assert "could not create unique index" in err and "DETAIL: Key (admin)=(t) is duplicated." in err
    assert "-- schemac:statement AddConstraint public.users.users_admin_key" in err


def test_a_rollback_that_does_not_restore_is_not_proven(tmp_path: Path, admin_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS, USERS_PHONE)
    edit_generated(project, "migrations/rollback_002.sql",
                   lambda text: text.replace("ALTER TABLE public.users DROP COLUMN phone;", "SELECT 1;"))
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5, out + err
    assert "after rollback_002.sql, the database differs from the state before 002_add_users_phone.sql" in err
    assert "column public.users.phone is not in the definitions" in err


def test_a_hand_edited_migration_that_misses_the_definitions_is_not_proven(tmp_path: Path, admin_url: str,
                                                                           capsys) -> None:
    project = compiled(tmp_path, capsys, USERS, USERS_PHONE)
    edit_generated(project, "migrations/002_add_users_phone.sql",
                   lambda text: text.replace("ADD COLUMN phone text", "ADD COLUMN phone varchar(20)"))
    code, _, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5
    assert "after 001_create_users.sql to 002_add_users_phone.sql from scratch, the database differs from " \
           "the definitions" in err
    assert "column public.users.phone has another type" in err


def test_a_migration_postgresql_rejects_names_file_and_statement(tmp_path: Path, admin_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS, USERS_PHONE)
    edit_generated(project, "migrations/002_add_users_phone.sql",
                   lambda text: text.replace("ADD COLUMN phone text", "ADD COLUMN phone txet"))
    code, _, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5
    assert "002_add_users_phone.sql failed from scratch:" in err and 'type "txet" does not exist' in err
    assert "-- schemac:statement AddColumn public.users.phone\n    ALTER TABLE public.users ADD COLUMN phone txet;" in err


def test_column_order_is_compared_where_it_can_match(tmp_path: Path, admin_url: str, capsys) -> None:
    # a column added in the middle of the YAML is appended by PostgreSQL: said, not failed
    middle = USERS.replace("  - {name: code, type: text}\n", "  - {name: phone, type: text}\n  - {name: code, type: text}\n")
    project = compiled(tmp_path, capsys, USERS, middle)
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, err
    assert "note: public.users: ADD COLUMN appends, so phone is not where the definitions put it " \
           "(order in the database: id, email, code, phone)" in out
    # a table the newest migration creates must have the definitions' order
    fresh = compiled(tmp_path / "fresh", capsys, USERS)
    edit_generated(fresh, "migrations/001_create_users.sql", lambda text: text.replace(
        "    email text NOT NULL,\n    code text,", "    code text,\n    email text NOT NULL,"))
    code, _, err = run_cli(fresh, capsys, "verify", "--dev-url", admin_url)
    assert code == 5
    assert "table public.users has its columns in the order id, code, email; the definitions say id, email, code" \
           in err


def test_nothing_to_verify(tmp_path: Path, admin_url: str, capsys) -> None:
    (tmp_path / "definitions").mkdir()  # a project with no definitions yet (no folder at all is no project)
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, err
    assert "Nothing to verify: no migrations and no pending changes." in out


def test_a_role_that_may_not_create_databases_is_told_about_dev_url(tmp_path: Path, admin_url: str,
                                                                      database_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS)
    role = f"schemac_nocreate_{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN NOCREATEDB")
    try:
        url = psycopg.conninfo.make_conninfo(database_url, user=role)
        code, _, err = run_cli(project, capsys, "verify", "--database-url", url)
        assert code == 4
        assert f"role {role} may not create databases" in err and "--dev-url" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")


def test_no_server_at_all_is_exit_4(tmp_path: Path, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS)
    code, _, err = run_cli(project, capsys, "verify")
    assert code == 4 and "--dev-url" in err and "SCHEMAC_DEV_DATABASE_URL" in err


def test_a_changed_recorded_file_is_exit_2(tmp_path: Path, admin_url: str, capsys) -> None:
    project = compiled(tmp_path, capsys, USERS)
    path = project / "generated" / "migrations" / "rollback_001.sql"
    path.write_text(path.read_text() + "\n-- edited\n")
    code, _, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 2 and "generated/migrations/rollback_001.sql" in err and "differs" in err
    assert "Traceback" not in err


def test_a_new_check_is_proven_on_rows_that_can_hold_it(tmp_path: Path, admin_url: str, capsys) -> None:
    aged = USERS + "  - {name: age, type: integer}\n"
    project = compiled(tmp_path, capsys, aged)
    write_definitions(project, {"schema.yaml": aged + "checks:\n  - {name: adult, expression: age >= 18}\n"})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, err
    assert "proven on rows: 002_alter_users.sql and rollback_002.sql with up to 3 generated rows in each of " \
           "1 table(s)" in out and "proven empty" not in out
    # a check no generated value can hold leaves the table empty, and the output says so
    write_definitions(project, {"schema.yaml": aged + "checks:\n  - {name: unborn, expression: "
                                "age IS NOT NULL AND age < 0}\n"})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, err
    assert "  public.users: proven empty: its check unborn rejected the generated rows" in out


def test_dropping_a_not_null_column_is_proven_with_its_rollback_on_an_empty_copy_only(
        tmp_path: Path, admin_url: str, capsys) -> None:
    # the rollback re-adds the column NOT NULL and empty: no row can hold that, and no data comes back
    project = compiled(tmp_path, capsys, USERS)
    write_definitions(project, {"schema.yaml": USERS.replace("  - {name: email, type: text, nullable: false, "
                                                             "unique: true}\n", "")})
    code, out, err = run_cli(project, capsys, "compile", "--verify", "--allow-destructive", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven: rollback_002.sql restores the state before 002_drop_users_email.sql" in out
    assert "proven on rows: 002_drop_users_email.sql with up to 3 generated rows in each of 1 table(s)" in out
    assert "rollback_002.sql proven on an empty copy only: 002_drop_users_email.sql drops data " \
           "(column public.users.email) that no rollback can bring back" in out
    assert (project / "generated" / "migrations" / "rollback_002.sql").is_file()
    # anything else stays strict: a rollback that fails on rows is still not proven
    assert "proven on rows: 002_drop_users_email.sql and rollback_002.sql" not in out


def test_definitions_postgresql_refuses_are_not_proven_with_the_statement(tmp_path: Path, admin_url: str,
                                                                          capsys) -> None:
    project = compiled(tmp_path, capsys, USERS)
    write_definitions(project, {"schema.yaml": USERS + "  - {name: seen, type: timestamptz}\n"
                                "indexes:\n  - {expression: \"date_trunc('day', seen)\"}\n"})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5, out + err
    assert "not proven: the definitions themselves failed when built fresh on PostgreSQL:" in err
    assert "functions in index expression must be marked IMMUTABLE" in err
    assert "in the statement:" in err and "date_trunc('day'" in err and "Traceback" not in err


def test_an_extension_the_live_database_already_has_is_proven(tmp_path: Path, admin_url: str, database_url: str,
                                                             capsys) -> None:
    # adopting a live database that has pgcrypto (in its own schema): the throwaway has it before
    # 001 too, so 001's CREATE EXTENSION IF NOT EXISTS does nothing and its rollback drops it
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA extensions")
        conn.execute("CREATE EXTENSION pgcrypto WITH SCHEMA extensions")
    project = compiled(tmp_path, capsys, "extension: pgcrypto\n---\n" + USERS)
    code, out, err = run_cli(project, capsys, "verify", "--database-url", database_url, "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven: rollback_001.sql restores the state before 001_initial_schema.sql" in out
    assert "note: rollback_001.sql drops extension pgcrypto, which the live database already has" in out
    # without a live database nothing is created beforehand, and nothing is noted
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "note: rollback_001.sql drops extension" not in out


def test_set_not_null_on_a_column_rows_may_leave_null_is_not_proven(tmp_path: Path, admin_url: str,
                                                                    capsys) -> None:
    project = compiled(tmp_path, capsys, USERS)
    write_definitions(project, {"schema.yaml": USERS.replace("{name: code, type: text}",
                                                             "{name: code, type: text, nullable: false}")})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 5, out + err
    assert "002_alter_users.sql failed on the state before it holding generated rows:" in err
    assert 'column "code" of relation "users" contains null values' in err
    assert "ALTER TABLE public.users ALTER COLUMN code SET NOT NULL;" in err
    assert "a generated row holds NULL in that column, as rows of a real database may" in err
    # a check that refuses NULL makes the row take values: the table is not left empty
    checked = USERS + "checks:\n  - {name: has_code, expression: code IS NOT NULL}\n"
    project = compiled(tmp_path / "checked", capsys, checked)
    write_definitions(project, {"schema.yaml": checked.replace("{name: code, type: text}",
                                                               "{name: code, type: text, nullable: false}")})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "in each of 1 table(s)" in out and "proven empty" not in out


def test_a_new_foreign_key_on_text_columns_is_proven_on_rows_that_hold_it(tmp_path: Path, admin_url: str,
                                                                          capsys) -> None:
    tables = """
table: parents
columns:
  - {name: id, type: text, primary_key: true}
---
table: kids
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: pid, type: text, nullable: false}
"""
    project = compiled(tmp_path, capsys, tables)
    write_definitions(project, {"schema.yaml": tables.replace("{name: pid, type: text, nullable: false}",
                                                              "{name: pid, type: text, nullable: false, "
                                                              "references: parents.id}")})
    code, out, err = run_cli(project, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "proven on rows: 002_alter_kids.sql and rollback_002.sql with up to 3 generated rows in each of " \
           "2 table(s)" in out and "proven empty" not in out
