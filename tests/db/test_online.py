"""The online forms on tables that hold rows: each ends in the catalog the plain form gives, its
rollback restores the catalog before it, the file runs under psql with the same result, and a
failure (rows the new constraint or unique index refuses) exits 4 in a state apply finishes once
the rows are fixed."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from compiler.cli import main
from tests.change_cases import ONLINE_CASES, PARENT, T
from tests.conftest import create_database, drop_database
from tests.db.catalog import catalog, run_sql_file
from tests.helpers import write_definitions

ONLINE_KEYS = (", concurrently: true", ", online: true")


def plain(text: str) -> str:
    """The same definitions without the online keys: the plain form."""
    for key in ONLINE_KEYS:
        text = text.replace(key, "")
    return text


def schemac(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def compile_to(project: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"t.yaml": text})
    code, _, err = schemac(project, capsys, "compile", "--allow-destructive")
    assert code == 0, err


def fill(url: str, duplicates: bool = False, nulls: bool = False, long_names: bool = False) -> None:
    """Rows in every table there is: 500 in t (names unique and short unless asked), 10 parents."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('public.t')").fetchone()[0] is None:
            return  # nothing yet: the table comes with the migration
        columns = {r[0] for r in conn.execute("SELECT attname FROM pg_attribute WHERE attrelid = 'public.t'::regclass "
                                              "AND attnum > 0 AND NOT attisdropped")}
        if conn.execute("SELECT to_regclass('public.parent')").fetchone()[0] is not None:
            conn.execute("INSERT INTO parent SELECT generate_series(1, 10)")
        conn.execute("INSERT INTO t (id, name) SELECT g, 'n' || g FROM generate_series(1, 500) g")
        if "parent_id" in columns:
            conn.execute("UPDATE t SET parent_id = id % 10 + 1")
        if duplicates:
            conn.execute("UPDATE t SET name = 'same' WHERE id <= 2")
        if nulls:
            conn.execute("UPDATE t SET name = NULL WHERE id = 7")
        if long_names:
            conn.execute("UPDATE t SET name = repeat('x', 50) WHERE id = 3")


def without_migrations_table(found: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {kind: [r for r in rows if len(r) < 2 or r[1] != "schema_migrations"] for kind, rows in found.items()}


def migration(project: Path, number: str) -> str:
    return next((project / "generated" / "migrations").glob(f"{number}_*.sql")).read_text()


def migrated(project: Path, url: str, old: str, new: str, capsys: pytest.CaptureFixture[str]) -> dict:
    """`old` compiled and applied, rows added, `new` compiled and applied: the catalog before `new`."""
    compile_to(project, old, capsys)
    assert schemac(project, capsys, "apply", "--database-url", url)[0] == 0
    fill(url)
    before = catalog(url)
    compile_to(project, new, capsys)
    code, _, err = schemac(project, capsys, "apply", "--database-url", url)
    assert code == 0, err
    return before


@pytest.mark.parametrize("case", sorted(ONLINE_CASES))
def test_each_online_form_ends_as_the_plain_form_and_rolls_back(case: str, tmp_path: Path, admin_url: str,
                                                               capsys) -> None:
    old, new = ONLINE_CASES[case]
    urls = [create_database(admin_url) for _ in range(3)]
    try:
        online_url, plain_url, psql_url = urls
        before = migrated(tmp_path / "online", online_url, old, new, capsys)
        migrated(tmp_path / "plain", plain_url, plain(old), plain(new), capsys)
        after = catalog(online_url)
        assert after == catalog(plain_url)
        assert after != before
        up = migration(tmp_path / "online", "002")
        if case != "index_concurrently_on_a_new_table":
            assert up != migration(tmp_path / "plain", "002")  # the online form was used
        assert schemac(tmp_path / "online", capsys, "drift", "--database-url", online_url)[0] == 0

        # the same file by hand
        run_sql_file(psql_url, migration(tmp_path / "online", "001"))
        fill(psql_url)
        run_sql_file(psql_url, up)
        assert catalog(psql_url) == without_migrations_table(after)

        code, _, err = schemac(tmp_path / "online", capsys, "rollback", "--database-url", online_url)
        assert code == 0, err
        assert catalog(online_url) == before
    finally:
        for url in urls:
            drop_database(admin_url, url)


UNIQUE_NAME = ONLINE_CASES["index_built_concurrently"][1]


def index_state(url: str, name: str) -> bool | None:
    """The index's indisvalid, None when there is no such index."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT x.indisvalid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                           "WHERE i.relname = %s", (name,)).fetchone()
    return None if row is None else row[0]


def sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def test_a_concurrent_unique_build_over_duplicates_exits_4_and_apply_finishes_it(tmp_path: Path,
                                                                                 database_url: str,
                                                                                 capsys) -> None:
    compile_to(tmp_path, T, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    fill(database_url, duplicates=True)
    compile_to(tmp_path, UNIQUE_NAME, capsys)
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 4
    assert "is duplicated" in err and "INVALID index public.t_name_idx it left was dropped" in err
    assert "run 'schemac apply'" in err
    assert index_state(database_url, "t_name_idx") is None  # no INVALID index left behind
    code, out, _ = schemac(tmp_path, capsys, "status", "--database-url", database_url)
    assert out.count("applied  ") == 2  # recorded with its transaction
    assert code == 1 and "unfinished  002_alter_t.sql  (1 statement(s) after its transaction not done" in out

    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 4 and "still fails" in err  # not fixed yet: still refused, still nothing left over
    assert index_state(database_url, "t_name_idx") is None

    sql(database_url, "UPDATE t SET name = 'other' WHERE id = 2")
    code, out, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    assert "finished 1 statement(s) left undone by migrations/002_" in out  # the build (and its comment)
    assert index_state(database_url, "t_name_idx") is True
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    code, out, _ = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0 and "finished" not in out  # nothing left: nothing run again
    code, out, _ = schemac(tmp_path, capsys, "status", "--database-url", database_url)
    assert code == 0 and "unfinished" not in out


def test_an_invalid_index_left_by_a_cut_off_build_is_dropped_before_the_retry(tmp_path: Path, database_url: str,
                                                                           capsys) -> None:
    compile_to(tmp_path, T, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    fill(database_url, duplicates=True)
    compile_to(tmp_path, UNIQUE_NAME, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 4
    # what a build cut off midway (a lost connection, a killed process) leaves: an INVALID index
    with pytest.raises(psycopg.errors.UniqueViolation):
        sql(database_url, "CREATE UNIQUE INDEX CONCURRENTLY t_name_idx ON t (name)")
    assert index_state(database_url, "t_name_idx") is False
    sql(database_url, "UPDATE t SET name = 'other' WHERE id = 2")
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    assert index_state(database_url, "t_name_idx") is True
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0


@pytest.mark.parametrize("case, bad, fix, statements", [
    ("check_validated_apart", {"long_names": True}, "UPDATE t SET name = 'short' WHERE id = 3", 1),
    ("not_null_through_a_check", {"nulls": True}, "UPDATE t SET name = 'seven' WHERE id = 7", 2),
])
def test_a_validation_refused_by_rows_exits_4_and_apply_finishes_it(case: str, bad: dict, fix: str, statements: int,
                                                                     tmp_path: Path, database_url: str,
                                                                     capsys) -> None:
    old, new = ONLINE_CASES[case]
    compile_to(tmp_path, old, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    fill(database_url, **bad)
    compile_to(tmp_path, new, capsys)
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 4 and "is violated by some row" in err and "committed and recorded" in err
    sql(database_url, fix)
    code, out, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    assert f"finished {statements} statement(s)" in out  # the follow-up transaction (VALIDATE, SET NOT NULL)
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    with psycopg.connect(database_url) as conn:  # every constraint validated, no helper check left
        assert conn.execute("SELECT conname FROM pg_constraint WHERE NOT convalidated "
                            "OR conname LIKE '%not_null'").fetchall() == []


@pytest.mark.parametrize("case, bad", [
    ("foreign_key_validated_apart", "UPDATE t SET parent_id = 99 WHERE id = 1"),  # no such parent
    ("check_validated_apart", "UPDATE t SET name = repeat('x', 50) WHERE id = 3"),
    ("not_null_through_a_check", "UPDATE t SET name = NULL WHERE id = 7"),
    ("index_built_concurrently", "UPDATE t SET name = 'same' WHERE id <= 2"),
])
def test_a_migration_whose_tail_failed_rolls_back_to_the_state_before(case: str, bad: str, tmp_path: Path,
                                                                     database_url: str, capsys) -> None:
    """Rollback does not try to finish what it undoes: a helper check or a half-built index goes too."""
    old, new = ONLINE_CASES[case]
    compile_to(tmp_path, old, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    fill(database_url)
    sql(database_url, bad)
    before = catalog(database_url)
    compile_to(tmp_path, new, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 4
    code, _, err = schemac(tmp_path, capsys, "rollback", "--database-url", database_url)
    assert code == 0, err
    assert catalog(database_url) == before


def test_a_rollback_whose_concurrent_build_fails_is_finished_by_apply_to(tmp_path: Path, database_url: str,
                                                                        capsys) -> None:
    """The rollback of a concurrent drop builds the index again after its transaction: when rows
    refuse it, `apply --to` the version the rollback went to finishes it once they are fixed."""
    compile_to(tmp_path, UNIQUE_NAME, capsys)
    compile_to(tmp_path, T, capsys)  # the index dropped, concurrently
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.t_name_idx;" in migration(tmp_path, "002")
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url, "--to", "1")[0] == 0
    fill(database_url)
    before = catalog(database_url)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    sql(database_url, "UPDATE t SET name = 'same' WHERE id <= 2")
    code, _, err = schemac(tmp_path, capsys, "rollback", "--database-url", database_url)
    assert code == 4 and "schemac apply --to 1" in err
    assert index_state(database_url, "t_name_idx") is None
    code, out, _ = schemac(tmp_path, capsys, "status", "--database-url", database_url)
    assert code == 1 and "unfinished  rollback_002.sql" in out
    assert "'schemac apply --to 1' finishes them (a plain 'schemac apply' would then apply migration 002 again)" in out
    sql(database_url, "UPDATE t SET name = 'n2' WHERE id = 2")
    code, out, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url, "--to", "1")
    assert code == 0, err
    assert "left undone by migrations/rollback_002.sql" in out
    assert catalog(database_url) == before


def test_the_online_keys_change_nothing_in_the_database_and_are_not_drift(tmp_path: Path, database_url: str,
                                                                          capsys) -> None:
    """How-to-build keys are no catalog property: switching them on compiles to nothing."""
    text = T + "  - {name: parent_id, type: bigint, references: parent.id}\nindexes:\n  - {columns: [name]}\n"
    compile_to(tmp_path, text + PARENT, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    online = text.replace("references: parent.id", "references: parent.id, online: true").replace(
        "{columns: [name]}", "{columns: [name], concurrently: true}") + PARENT
    write_definitions(tmp_path, {"t.yaml": online})
    code, out, _ = schemac(tmp_path, capsys, "compile")
    assert code == 0 and out.startswith("No changes")
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0


def test_helper_checks_whose_names_are_cut_to_the_same_63_bytes_get_a_counter(tmp_path: Path, database_url: str,
                                                                             capsys) -> None:
    """Two long column names cut to one helper check name: the second takes `not_null1`; apply,
    drift and rollback work on a table with rows."""
    a, b = "c" * 60, "c" * 60 + "x"
    old = f"table: tbl_with_long_name\ncolumns:\n  - {{name: id, type: bigint, primary_key: true}}\n" \
          f"  - {{name: {a}, type: text}}\n  - {{name: {b}, type: text}}\n"
    new = old.replace("type: text}", "type: text, nullable: false, online: true}")
    compile_to(tmp_path, old, capsys)
    assert schemac(tmp_path, capsys, "apply", "--database-url", database_url)[0] == 0
    sql(database_url, "INSERT INTO tbl_with_long_name SELECT g, 'a', 'b' FROM generate_series(1, 100) g")
    before = catalog(database_url)
    compile_to(tmp_path, new, capsys)
    up = migration(tmp_path, "002")
    first = "tbl_with_long_name_ccccccccccccccccccccccccccccccccccc_not_null"
    second = "tbl_with_long_name_cccccccccccccccccccccccccccccccccc_not_null1"
    assert f"ADD CONSTRAINT {first} " in up and f"ADD CONSTRAINT {second} " in up
    code, _, err = schemac(tmp_path, capsys, "apply", "--database-url", database_url)
    assert code == 0, err
    assert schemac(tmp_path, capsys, "drift", "--database-url", database_url)[0] == 0
    code, _, err = schemac(tmp_path, capsys, "rollback", "--database-url", database_url)
    assert code == 0, err
    assert catalog(database_url) == before
