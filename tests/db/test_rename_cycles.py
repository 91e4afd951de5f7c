"""Tables renamed in chains and cycles take their default-named keys, indexes and sequences along.

`a -> b` while `b -> c`, a swap `a <-> b`, a three-way cycle, each with column renames and foreign
keys between the renamed tables, on tables holding rows: up, compared with a fresh build, and back.
"""
from __future__ import annotations

import psycopg

from tests.db.migrate import rows_of, up_and_back


def table(name: str, renamed_from: str | None = None, references: str | None = None,
          columns: tuple[tuple[str, str | None], ...] = (("x", None), ("y", None))) -> str:
    """A table with a serial key, unique text columns, an index on the first and maybe a reference."""
    out = f"table: {name}\n" + (f"renamed_from: {renamed_from}\n" if renamed_from else "")
    out += "columns:\n  - {name: id, type: serial, primary_key: true}\n"
    for col, was in columns:
        out += f"  - {{name: {col}, type: text, unique: true" + (f", renamed_from: {was}" if was else "") + "}\n"
    if references:
        out += f"  - {{name: ref_id, type: integer, references: {references}.id}}\n"
    return out + f"indexes:\n  - columns: [{columns[0][0]}]\n"


def test_chain_renames_back_to_front(database_url: str, second_database_url: str) -> None:
    old = table("a") + "---\n" + table("b", references="a")
    new = table("b", "a") + "---\n" + table("c", "b", references="b")
    rows = """
        INSERT INTO a (x, y) VALUES ('a1', 'a2'), ('a3', 'a4');
        INSERT INTO b (x, y, ref_id) VALUES ('b1', 'b2', 2);
    """

    def after_up(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT id, x, ref_id FROM c") == [(1, "b1", 2)]
        assert rows_of(conn, "INSERT INTO b (x) VALUES ('new') RETURNING id") == [(3,)]  # a's sequence
        conn.rollback()

    def after_rollback(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT id, x, ref_id FROM b") == [(1, "b1", 2)]

    up, _ = up_and_back(database_url, second_database_url, old, new, rows, after_up, after_rollback)
    assert up.index("'c_id_seq'") < up.index("'b_id_seq'")
    assert up.index("b_pkey TO c_pkey") < up.index("a_pkey TO b_pkey")


def test_swap_with_a_column_swap(database_url: str, second_database_url: str) -> None:
    old = table("a", references="b") + "---\n" + table("b", references="a")
    new = (table("b", "a", references="a", columns=(("y", "x"), ("x", "y"))) + "---\n"
           + table("a", "b", references="b"))
    rows = """
        INSERT INTO a (x, y) VALUES ('a1', 'a2');
        INSERT INTO b (x, y, ref_id) VALUES ('b1', 'b2', 1);
        UPDATE a SET ref_id = 1;
    """

    def after_up(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT id, x, y, ref_id FROM a") == [(1, "b1", "b2", 1)]
        assert rows_of(conn, "SELECT id, x, y, ref_id FROM b") == [(1, "a2", "a1", 1)]

    def after_rollback(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT id, x, y, ref_id FROM a") == [(1, "a1", "a2", 1)]

    up, down = up_and_back(database_url, second_database_url, old, new, rows, after_up, after_rollback)
    assert "__renaming" in up and "__renaming" in down  # through a free name


def test_three_way_cycle(database_url: str, second_database_url: str) -> None:
    old = "---\n".join([table("a", references="b"), table("b", references="c"), table("c", references="a")])
    new = "---\n".join([table("b", "a", references="c"), table("c", "b", references="a"),
                        table("a", "c", references="b")])
    rows = """
        INSERT INTO a (x) VALUES ('a');
        INSERT INTO b (x) VALUES ('b');
        INSERT INTO c (x, ref_id) VALUES ('c', 1);
        UPDATE a SET ref_id = 1;
        UPDATE b SET ref_id = 1;
    """

    def after_up(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT (SELECT x FROM a), (SELECT x FROM b), (SELECT x FROM c)") == [("c", "a", "b")]

    def after_rollback(conn: psycopg.Connection) -> None:
        assert rows_of(conn, "SELECT (SELECT x FROM a), (SELECT x FROM b), (SELECT x FROM c)") == [("a", "b", "c")]

    up_and_back(database_url, second_database_url, old, new, rows, after_up, after_rollback)
