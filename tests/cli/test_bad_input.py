"""Bad definitions through the real command line: exit 2, `path:line:col: error: message`, nothing written.

Each case names the text an error must point at (`^` marks the column inside it; without `^` the
first character), so the expected line and column are read off the YAML in the case itself.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import generated_files as snapshot
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

SCHEMAC = str(Path(sys.executable).with_name("schemac"))  # the installed console script
ERROR_LINE = re.compile(r"(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.*)")


@dataclass(frozen=True)
class Expect:
    file: str  # relative to definitions/
    at: str  # unique text in that file; '^' marks the reported column
    message: str  # the whole message, or the part of it that matters


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]
    errors: tuple[Expect, ...]
    marks: tuple = field(default=())


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def position(text: str, at: str) -> tuple[int, int]:
    """1-based line and column of the '^' in `at` (else its start), `at` found once in `text`."""
    needle = at.replace("^", "", 1)
    assert text.count(needle) == 1, f"{needle!r} must occur exactly once in the case's YAML"
    i = text.index(needle) + (at.index("^") if "^" in at else 0)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def expected_lines(case: Case) -> list[tuple[str, int, int, str]]:
    out = []
    for e in case.errors:
        content = case.files[e.file]
        assert isinstance(content, str), "position markers need a text file"
        line, col = position(content, e.at)
        out.append((f"definitions/{e.file}", line, col, e.message))
    return sorted(out)


def reported(err: str) -> list[tuple[str, int, int, str]]:
    found = []
    for text in err.splitlines():
        m = ERROR_LINE.fullmatch(text)
        if m:
            found.append((m["path"], int(m["line"]), int(m["col"]), m["message"]))
    return found


def assert_reported(err: str, expected: list[tuple[str, int, int, str]]) -> None:
    """stderr holds exactly the expected errors, in order, and a closing count; no traceback."""
    assert "Traceback" not in err
    got = reported(err)
    assert [g[:3] for g in got] == [e[:3] for e in expected], err
    for (_, _, _, message), (_, _, _, part) in zip(got, expected, strict=True):
        assert part in message, f"{part!r} not in {message!r}"
    assert err.splitlines()[-1] == f"{len(expected)} error(s); nothing written."
    assert len(err.splitlines()) == len(expected) + 1, err


USERS = yaml("""
    table: users
    columns:
      - name: id
        type: bigint
        primary_key: true
      - name: email
        type: varchar(255)
        nullable: false
    """)

ORGS = yaml("""
    table: orgs
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: name, type: text}
    """)


def users_with(extra: str) -> str:
    """The users table with more lines appended; lines starting '-' continue its column list."""
    extra = yaml(extra)
    if extra.startswith("-"):
        extra = textwrap.indent(extra, "  ")
    return USERS + extra


CASES = [
    # -- YAML itself
    Case("yaml_unclosed_flow_list",
         {"users.yaml": "table: users\ncolumns: [\n  - name: id\n"},
         (Expect("users.yaml", "^- name: id", "invalid YAML: did not find expected node content"),)),
    Case("yaml_unclosed_quote",
         {"users.yaml": 'table: "users\ncolumns:\n  - {name: id, type: bigint}\n'},
         # the scanner only notices at the end of the file; the message names where the quote opened
         (Expect("users.yaml", "type: bigint}\n^", "found unexpected end of stream (while scanning a "
                                                 "quoted scalar that started at line 1, column 8)"),)),
    Case("yaml_tab_indent",
         {"users.yaml": "table: users\ncolumns:\n  - name: id\n\ttype: bigint\n"},
         (Expect("users.yaml", "\ttype", "invalid YAML: found a tab character that violates indentation"),)),
    Case("yaml_bad_indent",
         {"users.yaml": "table: users\ncolumns:\n  - name: id\n     type: bigint\n"},
         (Expect("users.yaml", "type^: bigint", "invalid YAML: mapping values are not allowed in this context"),)),
    Case("duplicate_key",
         {"users.yaml": yaml("""
             table: users
             columns:
               - name: id
                 type: bigint
                 type: text
             """)},
         (Expect("users.yaml", "type: text", "duplicate key 'type' (first at line 4)"),)),
    Case("non_utf8_file",
         {"users.yaml": b"table: users\ncomment: caf\xe9\n"},
         ()),  # position checked in its own test below
    # -- document shape
    Case("unknown_top_level_key",
         {"users.yaml": "table: users\ncolums:\n  - {name: id, type: bigint}\n"},
         (Expect("users.yaml", "colums", "unknown key 'colums' in a table (did you mean 'columns'?)"),
          Expect("users.yaml", "table", "table users needs 'columns'"))),
    Case("unknown_column_key",
         {"users.yaml": users_with("""
               - name: nick
                 type: text
                 nulable: true
             """)},
         (Expect("users.yaml", "nulable", "unknown key 'nulable' in a column (did you mean 'nullable'?)"),)),
    Case("not_a_definition",
         {"rules.yaml": "rule: active_users\n"},
         (Expect("rules.yaml", "rule", "a definition starts with 'table:', 'enum:', 'extension:', 'function:', "
                                       "'procedure:', 'trigger:', 'view:', 'materialized_view:', 'sequence:', "
                                       "'domain:' or 'schema:', not 'rule:'"),)),
    Case("misspelt_kind",
         {"users.yaml": "tabel: users\ncolumns:\n  - {name: id, type: bigint}\n"},
         (Expect("users.yaml", "tabel", "not 'tabel:' (did you mean 'table'?)"),)),
    Case("document_is_a_list",
         {"users.yaml": "- table: users\n"},
         (Expect("users.yaml", "- table", "a definition must be a mapping starting with its kind "
                                          "('table:', 'view:', 'function:', 'domain:', ...)"),)),
    Case("table_and_enum_in_one_document",
         {"users.yaml": "table: users\nenum: status\nvalues: [a]\n"},
         (Expect("users.yaml", "enum", "'table' and 'enum' cannot be together"),)),
    Case("nullable_is_a_string",
         {"users.yaml": users_with("""
               - name: nick
                 type: text
                 nullable: "false"
             """)},
         (Expect("users.yaml", '"false"', "'nullable' must be true or false, not 'false'"),)),
    Case("columns_not_a_list",
         {"users.yaml": "table: users\ncolumns:\n  name: id\n  type: bigint\n"},
         (Expect("users.yaml", "name: id", "'columns' must be a list, not a mapping"),)),
    Case("columns_null",
         {"users.yaml": "table: users\ncolumns: ~\n"},
         (Expect("users.yaml", "~", "table users needs 'columns' (write 'columns: []' for a table without columns)"),)),
    Case("column_without_type",
         {"users.yaml": "table: users\ncolumns:\n  - name: id\n    nullable: false\n"},
         (Expect("users.yaml", "name: id", "column id needs 'type'"),)),
    Case("comment_is_a_number",
         {"users.yaml": "table: users\ncomment: 5\ncolumns:\n  - {name: id, type: bigint}\n"},
         (Expect("users.yaml", "5", "'comment' must be a string, not the number 5"),)),
    # -- types
    Case("unknown_type_varchr",
         {"users.yaml": users_with("  - {name: nick, type: varchr(255)}\n")},
         (Expect("users.yaml", "varchr", "unknown type 'varchr(255)' (did you mean 'varchar'?)"),)),
    Case("unknown_type_intger",
         {"users.yaml": users_with("  - {name: age, type: intger}\n")},
         (Expect("users.yaml", "intger", "unknown type 'intger' (did you mean 'integer'?)"),)),
    Case("varchar_length_zero",
         {"users.yaml": users_with("  - {name: nick, type: varchar(0)}\n")},
         (Expect("users.yaml", "varchar(0)", "length for type varchar must be between 1 and 10485760, not 0"),)),
    Case("timestamp_precision_nine",
         {"users.yaml": users_with("  - {name: seen_at, type: timestamp(9)}\n")},
         (Expect("users.yaml", "timestamp(9)", "timestamp precision must be between 0 and 6, not 9"),)),
    Case("numeric_precision_too_big",
         {"users.yaml": users_with("  - {name: balance, type: numeric(2000)}\n")},
         (Expect("users.yaml", "numeric(2000)", "numeric precision 2000 must be between 1 and 1000"),)),
    Case("type_with_a_statement",
         {"users.yaml": users_with("  - {name: nick, type: 'text; drop table x'}\n")},
         (Expect("users.yaml", "'text;", "cannot read type 'text; drop table x'"),)),
    Case("enum_type_not_declared",
         {"users.yaml": users_with("  - {name: status, type: user_status}\n")},
         (Expect("users.yaml", "user_status", "unknown type 'user_status': not a PostgreSQL type, and no "
                                              "enum of that name is declared"),)),
    Case("extension_type_without_extension",
         {"users.yaml": users_with("  - {name: handle, type: citext}\n")},
         (Expect("users.yaml", "citext", "type citext comes from extension citext; declare it with "
                                         "'extension: citext'"),)),
    Case("identity_on_text",
         {"users.yaml": users_with("  - {name: code, type: text, identity: always}\n")},
         (Expect("users.yaml", "always", "an identity column must be smallint, integer or bigint, not text"),)),
    Case("serial_with_default",
         {"users.yaml": users_with("  - {name: n, type: serial, default: 1}\n")},
         (Expect("users.yaml", "serial", "column users.n is serial, which brings its own default"),)),
    Case("identity_and_default",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: always, default: 1}\n")},
         (Expect("users.yaml", "default: 1", "column users.n cannot have both 'identity' and 'default'"),)),
    # -- expressions
    Case("bare_word_default",
         {"users.yaml": users_with("  - {name: status, type: text, default: active}\n")},
         (Expect("users.yaml", "active", "is the bare word active; a default is a SQL expression, "
                                         "so write a string as \"'active'\""),)),
    Case("second_statement_in_default",
         {"users.yaml": users_with('  - {name: seen_at, type: timestamptz, default: "now(); drop table users"}\n')},
         (Expect("users.yaml", '"now()', "'default' of column users.seen_at: an expression must be a single "
                                        "SQL expression; ';' starts another statement"),)),
    Case("injection_in_default",
         {"users.yaml": users_with('  - {name: n, type: integer, default: "0); drop table users; --"}\n')},
         (Expect("users.yaml", '"0)', "'default' of column users.n: an expression must be a single SQL "
                                     "expression; ';' starts another statement"),)),
    Case("comment_in_expression",
         {"users.yaml": users_with('  - {name: n, type: integer, default: "1 -- one"}\n')},
         (Expect("users.yaml", '"1 --', "comments are not allowed in an expression"),)),
    Case("block_comment_in_check",
         {"users.yaml": users_with('  - {name: n, type: integer, check: "n > 0 /* positive */"}\n')},
         (Expect("users.yaml", '"n > 0', "comments are not allowed in an expression"),)),
    Case("subquery_in_check",
         {"users.yaml": users_with('  - {name: n, type: integer, check: "n > (select max(id) from users)"}\n')},
         (Expect("users.yaml", '"n > (', "an expression must not contain a statement or a subquery"),)),
    Case("unparseable_check_operator",
         {"users.yaml": users_with('  - {name: n, type: integer, check: "n > > 0"}\n')},
         (Expect("users.yaml", '"n > >', "'check' of column users.n: cannot parse expression: '> >'"),)),
    Case("unparseable_check_incomplete",
         {"users.yaml": users_with('  - {name: n, type: integer, check: "length(email) >"}\n')},
         (Expect("users.yaml", '"length', "cannot parse expression: the expression is incomplete"),)),
    Case("unparseable_check_two_words",
         {"users.yaml": users_with('  - {name: n, type: integer, check: "n positive"}\n')},
         (Expect("users.yaml", '"n positive', "cannot parse expression: unexpected word 'positive'"),)),
    Case("check_refers_to_missing_column",
         {"users.yaml": users_with("""
             checks:
               - {name: email_has_at, expression: "position('@' in emial) > 1"}
             """)},
         (Expect("users.yaml", '"position', "'expression' refers to emial, which is not a column of users "
                                           "(did you mean 'email'?)"),)),
    Case("default_refers_to_column",
         {"users.yaml": users_with("  - {name: n, type: bigint, default: id + 1}\n")},
         (Expect("users.yaml", "id + 1", "refers to column id; a default cannot use columns"),)),
    Case("generated_refers_to_itself",
         {"users.yaml": users_with("  - {name: n, type: bigint, generated: n + 1}\n")},
         (Expect("users.yaml", "n + 1", "generated column n cannot refer to itself"),)),
    # -- indexes, keys, constraints
    Case("index_column_misspelt",
         {"users.yaml": users_with("""
             indexes:
               - columns: [emial]
             """)},
         (Expect("users.yaml", "emial", "index column 'emial' is not a column of users (did you mean 'email'?)"),)),
    Case("index_column_misspelt_block_list",
         {"users.yaml": users_with("""
             indexes:
               - columns:
                   - id
                   - emial
             """)},
         (Expect("users.yaml", "emial", "index column 'emial' is not a column of users (did you mean 'email'?)"),)),
    Case("index_method_misspelt",
         {"users.yaml": users_with("""
             indexes:
               - {columns: [email], using: btre}
             """)},
         (Expect("users.yaml", "btre", "'using' must be one of btree, hash, gist, gin, brin, spgist, not 'btre' "
                                       "(did you mean 'btree'?)"),)),
    Case("unique_column_misspelt",
         {"users.yaml": users_with("""
             unique:
               - [id, emial]
             """)},
         (Expect("users.yaml", "emial", "unique column 'emial' is not a column of users (did you mean 'email'?)"),)),
    Case("primary_key_column_misspelt",
         {"t.yaml": "table: t\ncolumns:\n  - {name: code, type: text}\nprimary_key: [cde]\n"},
         (Expect("t.yaml", "cde", "primary key column 'cde' is not a column of t (did you mean 'code'?)"),)),
    Case("two_indexes_one_name",
         {"users.yaml": users_with("""
             indexes:
               - {name: users_lookup, columns: [id]}
               - {name: users_lookup, columns: [email]}
             """)},
         (Expect("users.yaml", "{name: ^users_lookup, columns: [email]}",
                 "name users_lookup is already used by index users_lookup of users in schema public"),)),
    Case("two_checks_one_name",
         {"users.yaml": users_with("""
             checks:
               - {name: sane, expression: id > 0}
               - {name: sane, expression: id < 1000}
             """)},
         (Expect("users.yaml", "id < 1000", "two constraints of users are named sane"),)),
    Case("primary_key_both_forms",
         {"users.yaml": users_with("primary_key: [id, email]\n")},
         (Expect("users.yaml", "primary_key: [", "table users has column-level primary_key on id; "
                                                 "use one form, not both"),)),
    Case("nullable_primary_key_column",
         {"t.yaml": "table: t\ncolumns:\n  - name: id\n    type: bigint\n    primary_key: true\n    nullable: true\n"},
         (Expect("t.yaml", "true\n    nullable: ^true", "column t.id is a primary key, so it cannot be nullable"),)),
    Case("nullable_column_in_table_primary_key",
         {"t.yaml": "table: t\ncolumns:\n  - {name: a, type: bigint, nullable: true}\nprimary_key: [a]\n"},
         (Expect("t.yaml", "nullable: ^true", "column t.a is in the primary key, so it cannot be nullable"),)),
    # -- foreign keys
    Case("on_delete_without_references",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, on_delete: cascade}\n")},
         (Expect("users.yaml", "on_delete", "'on_delete' needs 'references' on column users.org_id"),)),
    Case("on_delete_misspelt",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, references: orgs.id, on_delete: casade}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "casade", "'on_delete' must be one of no action, restrict, cascade, set null, "
                                         "set default, not 'casade' (did you mean 'cascade'?)"),)),
    Case("references_missing_table",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, references: orgz.id}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgz.id", "foreign key on users(org_id) references table public.orgz, which is "
                                          "not defined (did you mean 'public.orgs'?)"),)),
    Case("references_missing_column",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, references: orgs.idd}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.idd", "foreign key references orgs.idd, which is not a column of orgs "
                                           "(did you mean 'id'?)"),)),
    Case("references_type_mismatch",
         {"users.yaml": users_with("  - {name: org_id, type: uuid, references: orgs.id}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.id", "foreign key column users.org_id is uuid but orgs.id is bigint; "
                                          "the types must match"),)),
    Case("references_non_unique_column",
         {"users.yaml": users_with("  - {name: org_name, type: text, references: orgs.name}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "orgs.name", "foreign key references orgs(name), which is neither its primary key "
                                            "nor unique"),)),
    Case("references_not_dotted",
         {"users.yaml": users_with("  - {name: org_id, type: bigint, references: orgs}\n"),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "references: ^orgs", "'references' must be table.column or schema.table.column, "
                                                    "not 'orgs'"),)),
    Case("foreign_key_column_misspelt",
         {"users.yaml": users_with("""
             foreign_keys:
               - {columns: [emial], references: {table: orgs, columns: [name]}}
             """),
          "orgs.yaml": ORGS},
         (Expect("users.yaml", "emial", "foreign key column 'emial' is not a column of users "
                                        "(did you mean 'email'?)"),)),
    # -- names
    Case("duplicate_column",
         {"users.yaml": users_with("  - {name: email, type: text}\n")},
         (Expect("users.yaml", "{name: ^email", "column email appears twice in users (first at line 6)"),)),
    Case("table_in_two_files",
         {"a/users.yaml": USERS, "b/users.yaml": USERS},
         (Expect("b/users.yaml", "users", "table public.users is defined twice "
                                          "(first in definitions/a/users.yaml:1)"),)),
    Case("table_named_like_an_enum",
         {"types.yaml": "enum: users\nvalues: [a]\n", "users.yaml": USERS},
         (Expect("users.yaml", "users", "table users has the name of enum users"),)),
    Case("name_of_64_bytes",
         {"t.yaml": f"table: {'t' * 64}\ncolumns:\n  - {{name: id, type: bigint}}\n"},
         (Expect("t.yaml", "table: ^t", f"name '{'t' * 64}' is 64 bytes long; PostgreSQL keeps at most 63"),)),
    Case("name_of_32_characters_64_bytes",
         {"t.yaml": f"table: t\ncolumns:\n  - {{name: {'é' * 32}, type: bigint}}\n"},
         (Expect("t.yaml", "name: ^é", "is 64 bytes long; PostgreSQL keeps at most 63"),)),
    # -- enums and extensions
    Case("duplicate_enum_value",
         {"types.yaml": "enum: user_status\nvalues: [active, suspended, active]\n"},
         (Expect("types.yaml", "suspended, ^active", "enum value 'active' appears twice in user_status"),)),
    Case("enum_values_are_numbers",
         {"types.yaml": "enum: level\nvalues: [1, 2]\n"},
         (Expect("types.yaml", "1", "enum values must be strings; quote '1'"),
          Expect("types.yaml", "2", "enum values must be strings; quote '2'"))),
    Case("enum_value_yes_is_a_boolean",
         {"types.yaml": "enum: answer\nvalues:\n  - maybe\n  - yes\n"},
         (Expect("types.yaml", "yes", "enum values must be strings; quote 'true'"),)),
    Case("enum_declared_twice",
         {"a.yaml": "enum: status\nvalues: [a]\n", "b.yaml": "enum: status\nvalues: [b]\n"},
         (Expect("b.yaml", "status", "enum public.status is declared twice"),)),
    Case("extension_declared_twice",
         {"ext.yaml": "extension: citext\n---\nextension: pgcrypto\n---\nextension: citext\n"},
         (Expect("ext.yaml", "\nextension: ^citext", "extension citext is declared twice"),)),
    Case("extension_schema_not_a_name",
         {"ext.yaml": "extension: citext\nschema: [a, b]\n"},
         (Expect("ext.yaml", "[a, b]", "'schema' must be a string, not a list"),)),
    Case("extension_type_named_in_another_schema",
         {"ext.yaml": "extension: citext\nschema: extensions\n",
          "t.yaml": "table: t\ncolumns:\n  - {name: e, type: public.citext}\n"},
         (Expect("t.yaml", "public.citext", "type citext of extension citext is in schema extensions, not public: "
                                           "write 'citext' or 'extensions.citext'"),)),
    # -- triggers: values YAML would change, SQL where a name goes, a condition that is a number
    Case("trigger_argument_not_a_string",
         {"users.yaml": USERS + "---\ntrigger: users_x\ntable: users\ntiming: after\nevents: [insert]\n"
                                "function: pg_catalog.suppress_redundant_updates_trigger\narguments: [a, 0x1F]\n"},
         (Expect("users.yaml", "0x1F", "an argument of trigger users_x must be a string: YAML reads this unquoted "
                                      "value as 31"),)),
    Case("trigger_function_holding_sql",
         {"users.yaml": USERS + "---\ntrigger: users_x\ntable: users\ntiming: after\nevents: [insert]\n"
                                "function: 'public.f\"; drop table users; --'\n"},
         (Expect("users.yaml", "'public.f", "'function' of trigger users_x must name a function"),)),
    Case("trigger_when_a_number",
         {"users.yaml": USERS + "---\ntrigger: users_x\ntable: users\ntiming: after\nevents: [insert]\n"
                                "for_each: row\nwhen: NEW.id + 1\n"
                                "function: pg_catalog.suppress_redundant_updates_trigger\n"},
         (Expect("users.yaml", "NEW.id + 1", "'when' of trigger users_x is a number (for example: NEW.id + 1 > 0), not a "
                                            "condition"),)),
    # -- a NUL character, which no PostgreSQL text can hold, in any string of a definition
    Case("nul_in_any_text",
         {"users.yaml": USERS + 'comment: "users\\u0000"\n'
                                "policies:\n"
                                '  - {name: own, using: "email = \'a\\x00\'"}\n'
                                "---\nview: v\nquery: \"SELECT 'x\\0' AS a\"\n"
                                "---\nfunction: f\nreturns: int\nlanguage: sql\nbody: \"SELECT 1 -- \\u0000\"\n"
                                "---\ntrigger: users_x\ntable: users\ntiming: after\nevents: [insert]\n"
                                "function: pg_catalog.suppress_redundant_updates_trigger\n"
                                "arguments: [a, \"b\\u0000\"]\n",
          "parts.yaml": "table: p\ncolumns:\n  - {name: k, type: text, default: \"'d\\0'\"}\n"
                        "partition_by: {method: list, columns: [k]}\n"
                        "partitions:\n  - {name: p1, in: [\"a\\u0000\"]}\n"},
         (Expect("users.yaml", '"users', "text must not hold the NUL character"),
          Expect("users.yaml", '"email', "text must not hold the NUL character"),
          Expect("users.yaml", "\"SELECT 'x", "text must not hold the NUL character"),
          Expect("users.yaml", '"SELECT 1', "text must not hold the NUL character"),
          Expect("users.yaml", '"b', "text must not hold the NUL character"),
          Expect("parts.yaml", "\"'d", "text must not hold the NUL character"),
          Expect("parts.yaml", '"a', "text must not hold the NUL character"))),
    Case("nul_in_a_name_is_said_once",
         {"users.yaml": 'table: "us\\0ers"\ncolumns:\n  - {name: id, type: bigint}\n'},
         (Expect("users.yaml", '"us', "text must not hold the NUL character"),)),
]


@pytest.fixture(params=["fresh", "compiled_before"])
def project(request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project folder: empty, or with generated/ from a good earlier compile."""
    if request.param == "compiled_before":
        write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
        assert run(tmp_path, capsys, "compile")[0] == 0
    return tmp_path


def _ids(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id, marks=c.marks) for c in cases if c.errors]


@pytest.mark.parametrize("case", _ids(CASES))
def test_bad_input_is_reported_at_its_place_and_nothing_is_written(
        case: Case, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project) if (project / "generated").exists() else None
    write_definitions(project, case.files, exact=True)
    code, out, err = run(project, capsys, "compile")
    assert code == 2, (out, err)
    assert_reported(err, expected_lines(case))
    if before is None:
        assert not (project / "generated").exists()
    else:
        assert snapshot(project) == before


def test_there_are_at_least_thirty_kinds_of_bad_input() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    assert len([c for c in CASES if c.errors]) >= 30


@pytest.mark.parametrize("case", _ids([c for c in CASES if c.id in (
    "unknown_type_varchr", "index_column_misspelt", "references_missing_table", "yaml_tab_indent")]))
def test_plan_refuses_bad_input_too(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, case.files, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 2
    assert out == ""
    assert_reported(err, expected_lines(case))
    assert not (tmp_path / "generated").exists()


def test_check_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": USERS}, exact=True)
    assert run(tmp_path, capsys, "compile")[0] == 0
    before = snapshot(tmp_path)
    case = next(c for c in CASES if c.id == "unknown_column_key")
    write_definitions(tmp_path, case.files, exact=True)
    code, _, err = run(tmp_path, capsys, "compile", "--check")
    assert code == 2
    assert_reported(err, expected_lines(case))
    assert snapshot(tmp_path) == before


def test_spec_example_line_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The SPEC's example, counted by hand: the item 'emial' is on line 12, column 9."""
    write_definitions(tmp_path, {"users.yaml": yaml("""
        table: users
        columns:
          - name: id
            type: uuid
            primary_key: true
          - name: email
            type: varchar(255)
            unique: true
        indexes:
          - columns:
              - id
              - emial
        """)}, exact=True)
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    assert err == ("definitions/users.yaml:12:9: error: index column 'emial' is not a column of users "
                   "(did you mean 'email'?)\n1 error(s); nothing written.\n")


def test_file_that_is_not_utf8(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project) if (project / "generated").exists() else None
    case = next(c for c in CASES if c.id == "non_utf8_file")
    write_definitions(project, case.files, exact=True)
    code, _, err = run(project, capsys, "compile")
    assert code == 2
    assert reported(err) == [("definitions/users.yaml", 2, 13,
                              "file is not UTF-8 text (invalid continuation byte)")]
    assert "Traceback" not in err
    if before is None:
        assert not (project / "generated").exists()
    else:
        assert snapshot(project) == before


def test_every_error_in_every_file_at_once_sorted_by_file_then_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files: dict[str, str | bytes] = {
        # resolve-time errors (foreign keys) are found after build-time ones, yet come out in place
        "zoo/animals.yaml": yaml("""
            table: animals
            columns:
              - {name: id, type: bigint, primary_key: true}
              - {name: keeper_id, type: uuid, references: keepers.id}
              - {name: species, type: txet}
            indexes:
              - columns: [specis]
            """),
        "zoo/keepers.yaml": yaml("""
            table: keepers
            columns:
              - {name: id, type: bigint, primary_key: true}
              - {name: name, type: text, nulable: false}
            """),
        "a_types.yaml": yaml("""
            enum: mood
            values: [happy, 2]
            ---
            extension: pgcrypto
            ---
            table: moods
            colums: []
            """),
        "users.yaml": users_with("  - {name: status, type: text, default: active}\n"),
    }
    case = Case("many", files, (
        Expect("zoo/animals.yaml", "uuid, references: ^keepers.id",
               "foreign key column animals.keeper_id is uuid but keepers.id is bigint"),
        Expect("zoo/animals.yaml", "txet", "unknown type 'txet' (did you mean 'text'?)"),
        Expect("zoo/animals.yaml", "specis", "index column 'specis' is not a column of animals "
                                             "(did you mean 'species'?)"),
        Expect("zoo/keepers.yaml", "nulable", "unknown key 'nulable' in a column (did you mean 'nullable'?)"),
        Expect("a_types.yaml", "2", "enum values must be strings; quote '2'"),
        Expect("a_types.yaml", "table", "table moods needs 'columns'"),
        Expect("a_types.yaml", "colums", "unknown key 'colums' in a table (did you mean 'columns'?)"),
        Expect("users.yaml", "active", "write a string as \"'active'\""),
    ))
    write_definitions(tmp_path, files, exact=True)
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 2
    expected = expected_lines(case)
    assert [e[0] for e in expected] == ["definitions/a_types.yaml"] * 3 + ["definitions/users.yaml"] \
        + ["definitions/zoo/animals.yaml"] * 3 + ["definitions/zoo/keepers.yaml"]
    assert_reported(err, expected)
    assert not (tmp_path / "generated").exists()


def test_injection_in_a_name_is_accepted_and_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": yaml("""
        table: "users; drop table x"
        columns:
          - {name: "id\\"; drop table y; --", type: bigint, primary_key: true}
        """)}, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 0, err
    assert 'CREATE TABLE public."users; drop table x" (' in out
    assert '"id""; drop table y; --" bigint NOT NULL' in out
    assert not (tmp_path / "generated").exists()
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    state = (tmp_path / "generated" / "state.json").read_text()
    assert '"users; drop table x"' in state


def test_newline_in_a_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": 'table: "users\\ndrop table x;"\ncolumns:\n  - {name: id, type: bigint}\n'}, exact=True)
    code, out, err = run(tmp_path, capsys, "plan")
    assert code == 2
    assert "definitions/users.yaml:1:8: error: a name must not contain line breaks" in err
    assert "drop table x" not in out


def test_trailing_document_separator_is_not_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": "---\n" + USERS + "---\n", "empty.yaml": "# nothing yet\n"}, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    assert err == ""


@pytest.mark.parametrize("case", _ids([c for c in CASES if c.id in (
    "yaml_unclosed_quote", "duplicate_key", "references_type_mismatch", "enum_values_are_numbers")]))
def test_console_script_prints_no_traceback(case: Case, tmp_path: Path) -> None:
    write_definitions(tmp_path, case.files, exact=True)
    proc = subprocess.run([SCHEMAC, "-C", str(tmp_path), "compile"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert_reported(proc.stderr, expected_lines(case))
    assert proc.stdout == ""
    assert not (tmp_path / "generated").exists()
