"""names: identifiers quoted as quote_ident() does, default names as makeObjectName() makes them."""
from __future__ import annotations

import pytest

from compiler.model.names import (
    MAX_IDENTIFIER_BYTES,
    default_name,
    identifier_problem,
    qualified,
    quote_ident,
    quote_literal,
)


@pytest.mark.parametrize("name, quoted", [
    ("users", "users"),
    ("_private", "_private"),
    ("col_1", "col_1"),
    ("user", '"user"'),
    ("order", '"order"'),
    ("select", '"select"'),
    ("table", '"table"'),
    ("int", '"int"'),  # a column-name keyword is quoted too
    ("name", "name"),  # unreserved keywords are not
    ("type", "type"),
    ("Users", '"Users"'),
    ("USER", '"USER"'),
    ("first name", '"first name"'),
    ('say "hi"', '"say ""hi"""'),
    ('"', '""""'),
    ("1st", '"1st"'),
    ("a-b", '"a-b"'),
    ("a.b", '"a.b"'),
    ("a$b", '"a$b"'),
    ("café", '"café"'),
    ("", '""'),
])
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_qualified_quotes_each_part() -> None:
    assert qualified("public", "users") == "public.users"
    assert qualified("Sales", "order") == '"Sales"."order"'


def test_quote_literal_doubles_quotes_and_keeps_backslashes() -> None:
    assert quote_literal("it's") == "'it''s'"
    assert quote_literal("a\\b") == "'a\\b'"
    assert quote_literal("") == "''"


@pytest.mark.parametrize("table, columns, label, name", [
    ("users", [], "pkey", "users_pkey"),
    ("users", ["email"], "key", "users_email_key"),
    ("users", ["org_id"], "fkey", "users_org_id_fkey"),
    ("users", ["status", "created_at"], "idx", "users_status_created_at_idx"),
    ("users", ["lower"], "idx", "users_lower_idx"),
    ("t", ["col"], "check", "t_col_check"),
    ("t", [], "check", "t_check"),
    ("Users", ["Email"], "key", "Users_Email_key"),  # names keep their case; quoting is elsewhere
])
def test_default_name(table: str, columns: list[str], label: str, name: str) -> None:
    assert default_name(table, columns, label) == name


def test_long_table_name_is_truncated_to_63_bytes() -> None:
    table = "t" * 63
    name = default_name(table, [], "pkey")
    assert name == "t" * 58 + "_pkey"
    assert len(name.encode()) == MAX_IDENTIFIER_BYTES


def test_longer_part_is_shortened_first() -> None:
    # makeObjectName: 63 - len("_key") - 1 = 58 bytes for table + column, taken off the longer one
    assert default_name("t" * 10, ["c" * 60], "key") == "t" * 10 + "_" + "c" * 48 + "_key"
    assert default_name("t" * 60, ["c" * 10], "key") == "t" * 48 + "_" + "c" * 10 + "_key"
    both = default_name("t" * 40, ["c" * 40], "key")
    assert both == "t" * 29 + "_" + "c" * 29 + "_key"
    assert len(both.encode()) == 63


def test_ties_shorten_the_column_part() -> None:
    # equal lengths: name2 loses a byte first (`if name1chars > name2chars` is false on a tie)
    # 63 - len("_fkey") - 1 = 57 bytes: 30/30 -> 30/29 -> 29/29 -> 29/28
    assert default_name("t" * 30, ["c" * 30], "fkey") == "t" * 29 + "_" + "c" * 28 + "_fkey"


def test_multi_column_parts_are_joined_before_truncation() -> None:
    name = default_name("orders", ["customer_identifier_long", "created_at_timestamp_value", "status"], "idx")
    # 58 bytes for both parts: the column part is cut to 52, keeping the '_' before 'status'
    assert name == "orders_customer_identifier_long_created_at_timestamp_value__idx"
    assert len(name.encode()) == 63


def test_truncation_never_splits_a_character() -> None:
    name = default_name("ü" * 31, ["ö" * 31], "key")  # 62 + 62 bytes, 58 allowed
    assert name == "ü" * 14 + "_" + "ö" * 14 + "_key"
    assert len(name.encode()) <= MAX_IDENTIFIER_BYTES
    name.encode().decode()  # valid UTF-8


def test_short_names_are_not_touched() -> None:
    assert default_name("a" * 20, ["b" * 20], "fkey") == "a" * 20 + "_" + "b" * 20 + "_fkey"


@pytest.mark.parametrize("name, problem", [
    ("ok", None),
    ("x" * 63, None),
    ("é" * 31, None),  # 62 bytes
    ("", "empty"),
    ("x" * 64, "64 bytes"),
    ("é" * 32, "64 bytes"),  # 32 characters, but 64 bytes
    ("a\x00b", "control characters"),
    ("a\nb", "control characters"),
])
def test_identifier_problem(name: str, problem: str | None) -> None:
    found = identifier_problem(name)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
