"""What depends on a function, and what a function depends on, through its changes on a real
PostgreSQL: triggers and views calling a function dropped and created again, routines renamed
and swapping names, functions over a table's row type, a composite, an enum or a domain.

Each migration is proved as test_routines.py proves them: apply it, read the catalog back, the
diff against PostgreSQL's own build of the definitions is empty; roll back, the same against the
old definitions. The cases of ROUTINE_CASES named here get that proof there (and their SQL is
pinned in tests/snapshots); here, what their plans must hold.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.plan.diff import diff
from tests.change_cases import CALLED, PAIR, ROUTINE_CASES, STAMPED, TYPED
from tests.db.migrate import migration
from tests.db.migrate import schema as _schema
from tests.db.test_apply import schemac
from tests.db.test_routines import IS_ACTIVE, _round_trip
from tests.helpers import write_definitions


def test_a_trigger_whose_when_calls_a_function_whose_argument_type_changes(database_url: str) -> None:
    """Another argument type is another function: the trigger calling it goes first, comes back after."""
    old = _schema(STAMPED + IS_ACTIVE)
    new = _schema(STAMPED + IS_ACTIVE.replace("{name: s, type: text}", "{name: s, type: varchar}"))
    assert [c.kind for c in diff(old, new)] == ["DropTrigger", "DropFunction", "CreateFunction", "CreateTrigger"]
    _round_trip(database_url, old, new)


def test_routines_swapping_names_go_through_a_free_name() -> None:
    old, new = (_schema(t) for t in ROUTINE_CASES["routines_swap_names"])
    steps = [(c.routine.name, c.new_name) for c in diff(old, new)  # type: ignore[attr-defined]
             if c.kind in ("RenameFunction", "RenameProcedure")]
    assert steps == [("second_of", "second_of__renaming"), ("first_of", "second_of"),
                     ("second_of__renaming", "first_of"),
                     ("poke", "poke__renaming"), ("nudge", "poke"), ("poke__renaming", "nudge")]


def test_a_routine_renamed_with_another_result_is_dropped_under_its_old_name(database_url: str) -> None:
    """PostgreSQL cannot rename and change the result at once: the old is dropped by the name it has."""
    old = _schema(STAMPED + PAIR)
    new = _schema(STAMPED + PAIR.replace("function: first_of\n", "function: head_of\nrenamed_from: first_of\n")
                  .replace("returns: integer\nlanguage: sql\nbody: SELECT a", "returns: bigint\nlanguage: sql\n"
                           "body: SELECT a::bigint"))
    changes = diff(old, new)
    assert [(c.kind, c.subject) for c in changes] == [("DropFunction", "public.first_of(integer, integer)"),
                                                      ("CreateFunction", "public.head_of(integer, integer)")]
    _round_trip(database_url, old, new)


def test_functions_over_a_row_type_an_enum_and_a_domain_come_after_them_and_go_before(database_url: str) -> None:
    _round_trip(database_url, _schema(STAMPED), _schema(STAMPED + TYPED))


def test_an_enum_value_removed_under_functions_recreates_them() -> None:
    """They are dropped once the enum is renamed away, so under its temporary name."""
    old, new = (_schema(t) for t in ROUTINE_CASES["functions_over_an_enum_losing_a_value"])
    changes = [(c.kind, c.subject) for c in diff(old, new)]
    assert changes.index(("RenameEnum", "public.mood")) < changes.index(
        ("DropFunction", "public.items_in(mood__old, positive)")) < changes.index(
        ("CreateFunction", "public.items_in(mood, positive)")) < changes.index(("DropEnum", "public.mood__old"))
    assert ("DropFunction", "public.first_item(items)") in changes


@pytest.mark.parametrize("renamed", [False, True])
def test_a_domain_over_another_type_under_a_function_recreates_it(renamed: bool, database_url: str) -> None:
    """Dropped under the domain's temporary name, the name it had renamed away, when renamed too."""
    old = _schema(STAMPED + TYPED)
    changed = TYPED.replace("type: integer\nchecks", "type: bigint\nchecks")
    if renamed:
        changed = changed.replace("domain: positive\n", "domain: pos\nrenamed_from: positive\n").replace(
            "type: positive", "type: pos")
    new = _schema(STAMPED + changed)
    assert ("DropFunction", "public.items_in(mood, positive__old)") in [(c.kind, c.subject) for c in diff(old, new)]
    _round_trip(database_url, old, new)


def test_views_calling_a_function_whose_argument_type_changes_are_built_again_around_it() -> None:
    old, new = (_schema(t) for t in ROUTINE_CASES["views_around_a_function_recreated"])
    for up in (migration(old, new), migration(new, old)):
        assert (up.index("DROP VIEW public.louder") < up.index("DROP VIEW public.loud;")
                < up.index("DROP FUNCTION public.shout(") < up.index("CREATE FUNCTION public.shout")
                < up.index("CREATE VIEW public.loud ") < up.index("CREATE VIEW public.louder"))
        assert up.index("DROP MATERIALIZED VIEW") < up.index("DROP FUNCTION") < up.index("CREATE UNIQUE INDEX")
        assert "COMMENT ON MATERIALIZED VIEW public.loud_counts" in up


def test_views_calling_a_function_show_no_drift_once_applied_and_import_back(
        tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    write_definitions(project, {"t.yaml": STAMPED + CALLED})
    assert schemac(project, "compile", capsys=capsys)[0] == 0
    code, _, err = schemac(project, "apply", "--database-url", database_url, capsys=capsys)
    assert code == 0, err
    code, out, err = schemac(project, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
    imported = tmp_path / "imported"
    imported.mkdir()
    code, _, err = schemac(imported, "import", "--database-url", database_url, capsys=capsys)
    assert code == 0 and "warning" not in err, err
    code, _, err = schemac(imported, "compile", capsys=capsys)
    assert code == 0, err
    written = "".join(f.read_text() for f in sorted((imported / "definitions").rglob("*.yaml")))
    assert all(f"view: {name}\n" in written for name in ("loud", "louder", "loud_counts")), written
    code, out, err = schemac(imported, "drift", "--database-url", database_url, capsys=capsys)
    assert code == 0, out + err
