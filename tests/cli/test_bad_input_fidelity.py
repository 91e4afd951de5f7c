"""Bad values of the keys added for full fidelity (index options, nulls_not_distinct, ...):
exit 2, `path:line:col: error: message` at the value, nothing written."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_bad_input import Case, Expect, assert_reported, expected_lines, users_with
from tests.helpers import run_cli as run
from tests.helpers import write_definitions

CASES = [
    Case("index_order_unknown",
         {"users.yaml": users_with("indexes:\n  - columns: [{column: email, order: down}]\n")},
         (Expect("users.yaml", "down", "'order' must be one of asc, desc, not 'down'"),)),
    Case("index_nulls_unknown",
         {"users.yaml": users_with("indexes:\n  - columns: [{column: email, nulls: lats}]\n")},
         (Expect("users.yaml", "lats", "'nulls' must be one of first, last, not 'lats' (did you mean 'last'?)"),)),
    Case("index_part_column_misspelt",
         {"users.yaml": users_with("indexes:\n  - columns: [{column: emial, order: desc}]\n")},
         (Expect("users.yaml", "emial", "index column 'emial' is not a column of users (did you mean 'email'?)"),)),
    Case("index_part_without_column",
         {"users.yaml": users_with("indexes:\n  - columns: [{order: desc}]\n")},
         (Expect("users.yaml", "{order", "an index part needs either 'column' or 'expression'"),)),
    Case("index_part_unknown_key",
         {"users.yaml": users_with("indexes:\n  - columns: [{column: email, opclas: text_pattern_ops}]\n")},
         (Expect("users.yaml", "opclas", "unknown key 'opclas' in an index part (did you mean 'opclass'?)"),)),
    Case("index_opclass_not_a_string",
         {"users.yaml": users_with("indexes:\n  - columns: [{column: email, opclass: 3}]\n")},
         (Expect("users.yaml", "3}", "'opclass' must be a string, not the number 3"),)),
    Case("index_order_on_gin",
         {"users.yaml": users_with("indexes:\n  - {columns: [{column: email, order: desc}], using: gin}\n")},
         (Expect("users.yaml", "using: ^gin", "index method gin does not support 'order' or 'nulls'"),)),
    Case("index_include_unknown_column",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], include: [emial]}\n")},
         (Expect("users.yaml", "emial", "index include column 'emial' is not a column of users"),)),
    Case("index_include_on_hash",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], using: hash, include: [email]}\n")},
         (Expect("users.yaml", "include", "index method hash does not support 'include'; btree, gist, spgist do"),)),
    Case("index_storage_unknown",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], with: {filfactor: 70}}\n")},
         (Expect("users.yaml", "filfactor", "'filfactor' is not a storage parameter of btree indexes "
                                            "(did you mean 'fillfactor'?)"),)),
    Case("index_storage_out_of_range",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], with: {fillfactor: 5}}\n")},
         (Expect("users.yaml", "5}", "'fillfactor' must be a whole number from 10 to 100, not 5"),)),
    Case("index_storage_not_a_mapping",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], with: [fillfactor]}\n")},
         (Expect("users.yaml", "[fillfactor]", "'with' must be a mapping, not a list"),)),
    Case("index_storage_of_another_method",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], using: gin, with: {fillfactor: 70}}\n")},
         (Expect("users.yaml", "with: {^fillfactor", "'fillfactor' is not a storage parameter of gin indexes"),)),
    Case("nulls_not_distinct_without_unique",
         {"users.yaml": users_with("indexes:\n  - {columns: [id], nulls_not_distinct: true}\n")},
         (Expect("users.yaml", "nulls_not_distinct", "'nulls_not_distinct' needs 'unique: true'"),)),
    Case("unique_nulls_not_distinct_not_a_flag",
         {"users.yaml": users_with("unique:\n  - {columns: [email], nulls_not_distinct: yes please}\n")},
         (Expect("users.yaml", "yes please", "'nulls_not_distinct' must be true or false, not 'yes please'"),)),
    Case("foreign_key_match_partial",
         {"users.yaml": users_with("  - {name: boss, type: bigint, references: users.id, match: partial}\n")},
         (Expect("users.yaml", "partial", "MATCH PARTIAL is not implemented by PostgreSQL; use full or simple"),)),
    Case("foreign_key_match_unknown",
         {"users.yaml": users_with("foreign_keys:\n  - {columns: [id], references: {table: users}, match: fully}\n")},
         (Expect("users.yaml", "fully", "'match' must be one of simple, full, partial, not 'fully' "
                                        "(did you mean 'full'?)"),)),
    Case("foreign_key_deferred_but_not_deferrable",
         {"users.yaml": users_with("  - {name: boss, type: bigint, references: users.id, deferrable: false, "
                                   "initially_deferred: true}\n")},
         (Expect("users.yaml", "deferrable: ^false", "a key that is 'initially_deferred' must be 'deferrable'"),)),
    Case("foreign_key_deferrable_not_a_flag",
         {"users.yaml": users_with("  - {name: boss, type: bigint, references: users.id, deferrable: later}\n")},
         (Expect("users.yaml", "later", "'deferrable' must be true or false, not 'later'"),)),
    Case("deferrable_without_references",
         {"users.yaml": users_with("  - {name: boss, type: bigint, deferrable: true}\n")},
         (Expect("users.yaml", "deferrable", "'deferrable' needs 'references' on column users.boss"),)),
    Case("check_no_inherit_not_a_flag",
         {"users.yaml": users_with("checks:\n  - {expression: id > 0, no_inherit: 1}\n")},
         (Expect("users.yaml", "1}", "'no_inherit' must be true or false, not the number 1"),)),
    Case("collation_on_integer",
         {"users.yaml": users_with("  - {name: n, type: integer, collation: C}\n")},
         (Expect("users.yaml", "C}", "column users.n is integer, which has no collation; only text types"),)),
    Case("collation_not_a_string",
         {"users.yaml": users_with("  - {name: n, type: text, collation: [C]}\n")},
         (Expect("users.yaml", "[C]", "'collation' must be a string, not a list"),)),
    Case("collation_with_two_dots",
         {"users.yaml": users_with("  - {name: n, type: text, collation: a.b.c}\n")},
         (Expect("users.yaml", "a.b.c", "collation 'a.b.c' must be a name or schema.name"),)),
    Case("identity_mapping_without_kind",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: {start: 10}}\n")},
         (Expect("users.yaml", "{start: 10}", "an identity needs 'kind' (always or by default)"),)),
    Case("identity_mapping_unknown_key",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: {kind: always, begin: 10}}\n")},
         (Expect("users.yaml", "begin", "unknown key 'begin' in an identity"),)),
    Case("identity_kind_unknown",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: {kind: sometimes}}\n")},
         (Expect("users.yaml", "sometimes", "'kind' must be one of always, by default, not 'sometimes'"),)),
    Case("sequence_on_a_plain_integer",
         {"users.yaml": users_with("  - {name: n, type: integer, sequence: {start: 10}}\n")},
         (Expect("users.yaml", "sequence", "'sequence' options need a serial type, and column users.n is integer"),)),
    Case("sequence_on_an_identity",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: always, sequence: {start: 10}}\n")},
         (Expect("users.yaml", "sequence", "an identity column takes them in 'identity: {kind: ..., start: ...}'"),)),
    Case("sequence_increment_zero",
         {"users.yaml": users_with("  - {name: n, type: serial, sequence: {increment: 0}}\n")},
         (Expect("users.yaml", "{increment", "column users.n: sequence option 'increment' must not be zero"),)),
    Case("sequence_start_out_of_range",
         {"users.yaml": users_with("  - {name: n, type: smallserial, sequence: {start: 40000}}\n")},
         (Expect("users.yaml", "{start", "sequence option 'start' 40000 is out of range for smallint"),)),
    Case("sequence_min_above_max",
         {"users.yaml": users_with("  - {name: n, type: serial, sequence: {min: 10, max: 5}}\n")},
         (Expect("users.yaml", "{min", "sequence option 'min' 10 must be less than 'max' 5"),)),
    Case("sequence_start_below_min",
         {"users.yaml": users_with("  - {name: n, type: integer, identity: {kind: always, start: 1, min: 10}}\n")},
         (Expect("users.yaml", "{kind", "sequence option 'start' 1 must be between 10 and 2147483647"),)),
    Case("sequence_cache_not_a_number",
         {"users.yaml": users_with("  - {name: n, type: serial, sequence: {cache: lots}}\n")},
         (Expect("users.yaml", "lots", "'cache' must be a whole number, not 'lots'"),)),
    Case("exclusion_without_elements",
         {"users.yaml": users_with("exclusions:\n  - {name: x}\n")},
         (Expect("users.yaml", "{name: x}", "an exclusion needs 'elements'"),)),
    Case("exclusion_element_without_operator",
         {"users.yaml": users_with("exclusions:\n  - {elements: [{column: id}]}\n")},
         (Expect("users.yaml", "{column: id}", "an exclusion element needs 'with'"),)),
    Case("exclusion_operator_is_a_word",
         {"users.yaml": users_with("exclusions:\n  - {elements: [{column: id, with: overlaps}]}\n")},
         (Expect("users.yaml", "overlaps", "'with' must be an operator such as = or &&, not 'overlaps'"),)),
    Case("exclusion_element_column_misspelt",
         {"users.yaml": users_with("exclusions:\n  - {elements: [{column: emial, with: \"=\"}]}\n")},
         (Expect("users.yaml", "emial", "index column 'emial' is not a column of users (did you mean 'email'?)"),)),
    Case("exclusion_unknown_method",
         {"users.yaml": users_with("exclusions:\n  - {using: gin, elements: [{column: id, with: \"=\"}]}\n")},
         (Expect("users.yaml", "using: ^gin", "'using' must be one of gist, spgist, btree, hash, not 'gin'"),)),
    Case("exclusion_with_match",
         {"users.yaml": users_with("exclusions:\n  - {match: full, elements: [{column: id, with: \"=\"}]}\n")},
         (Expect("users.yaml", "match", "unknown key 'match' in an exclusion"),)),
    Case("index_named_like_a_table",
         {"users.yaml": users_with("indexes:\n  - {name: orgs, columns: [email]}\n"),
          "orgs.yaml": "table: orgs\ncolumns: []\n"},
         (Expect("users.yaml", "orgs", "name orgs is already used by table orgs in schema public"),)),
    Case("exclusion_named_like_an_index",
         {"users.yaml": users_with("indexes:\n  - {name: lookup, columns: [email]}\n"
                                   "exclusions:\n  - {name: lookup, using: btree, elements: [{column: id, with: \"=\"}]}\n")},
         (Expect("users.yaml", "name: ^lookup, using", "name lookup is already used by index lookup of users"),)),
    Case("check_and_foreign_key_of_one_name",
         {"users.yaml": users_with("  - {name: boss, type: bigint}\nforeign_keys:\n"
                                   "  - {name: rule, columns: [boss], references: {table: users}}\n"
                                   "checks:\n  - {name: rule, expression: boss > 0}\n")},
         (Expect("users.yaml", "boss > 0", "two constraints of users are named rule"),)),
    Case("constraint_comment_not_a_string",
         {"users.yaml": users_with("unique:\n  - {columns: [email], comment: [a]}\n")},
         (Expect("users.yaml", "[a]", "'comment' must be a string, not a list"),)),
    Case("enum_comment_not_a_string",
         {"types.yaml": "enum: mood\ncomment: {a: b}\nvalues: [happy]\n"},
         (Expect("types.yaml", "{a: b}", "'comment' must be a string, not a mapping"),)),
]


def _ids(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id) for c in cases]


@pytest.mark.parametrize("case", _ids(CASES))
def test_bad_value_is_reported_at_its_place(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, case.files, exact=True)
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 2, (out, err)
    assert_reported(err, expected_lines(case))
    assert not (tmp_path / "generated").exists()
