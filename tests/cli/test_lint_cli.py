"""schemac lint: exit codes, acknowledgements in YAML and by flag; compile's and plan's summary."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers import generated_files, run_cli, write_definitions

BEFORE = """
table: users
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: email, type: text}
  - {name: note, type: text}
"""
# SET NOT NULL (lock, fails_on_rows), an index (lock), a dropped column (data_loss, breaks_code)
AFTER = """
table: users{table_allow}
columns:
  - {{name: id, type: bigint, primary_key: true}}
  - {{name: email, type: text, nullable: false{column_allow}}}
indexes:
  - {{columns: [email]{index_allow}}}
"""


def after(table_allow: str = "", column_allow: str = "", index_allow: str = "") -> str:
    return AFTER.format(table_allow=table_allow, column_allow=column_allow, index_allow=index_allow)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_definitions(tmp_path, {"users.yaml": BEFORE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    return tmp_path


def test_nothing_pending_is_nothing_to_lint(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(project, capsys, "lint") == (
        0, "No pending changes: the definitions match generated/state.json; nothing to lint.\n", "")


def test_hazards_not_acknowledged_exit_1_one_line_each(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after()})
    code, out, _ = run_cli(project, capsys, "lint")
    assert code == 1
    lines = out.splitlines()
    assert [line.split("  ")[:2] for line in lines[:-1]] == [
        ["public.users.note", "data_loss"], ["public.users.note", "breaks_code"],
        ["public.users.email", "lock"], ["public.users.email", "fails_on_rows"],
        ["public.users_email_idx", "lock"]]
    assert "add `concurrently: true`" in lines[4] and "SHARE:" in lines[4]
    assert "NOT VALID" in lines[2]
    assert lines[-1].startswith("5 of 5 hazard(s) in the pending changes not acknowledged: add "
                                "'allow: [lock, data_loss, fails_on_rows, breaks_code]'")


def test_acknowledged_in_yaml_exit_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after("\nallow: [data_loss, breaks_code]",
                                                    ", allow: [lock, fails_on_rows]", ", allow: [lock]")})
    code, out, _ = run_cli(project, capsys, "lint")
    assert code == 0
    assert out.count("(allowed)") == 5 and out.endswith("5 hazard(s) in the pending changes, all acknowledged.\n")


def test_an_acknowledgement_covers_its_own_object_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after(column_allow=", allow: [lock, fails_on_rows]")})
    code, out, _ = run_cli(project, capsys, "lint")
    assert code == 1
    assert [line.split("  ")[:2] for line in out.splitlines() if "(allowed)" not in line][:3] == [
        ["public.users.note", "data_loss"], ["public.users.note", "breaks_code"], ["public.users_email_idx", "lock"]]


def test_acknowledged_for_one_run_with_the_flag(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after()})
    assert run_cli(project, capsys, "lint", "--allow", "lock", "fails_on_rows")[0] == 1
    assert run_cli(project, capsys, "lint", "--allow", "lock", "fails_on_rows",
                   "--allow", "data_loss", "breaks_code")[0] == 0


def test_a_bad_flag_is_bad_input(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after()})
    with pytest.raises(SystemExit) as e:
        run_cli(project, capsys, "lint", "--allow", "rewrites")
    assert e.value.code == 2
    assert "unknown hazard 'rewrites' (did you mean 'rewrite'?)" in capsys.readouterr().err


def test_an_unknown_migration_is_bad_input(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(project, capsys, "lint", "--migration", "7")
    assert code == 2
    assert err == "error: no compiled migration '7' (compiled: 001_create_users.sql)\n"


BAD_ALLOW = """\
table: users
allow: [data_los]
columns:
  - {name: id, type: bigint, primary_key: true, allow: {lock: true}}
  - {name: email, type: text, allow: [lock, 3, breaks_cod]}
indexes:
  - {columns: [email], allow: rewrit}
checks:
  - {name: has_at, expression: "position('@' in email) > 1", allow: [fails_on_rows, Lock]}
"""
BAD_ALLOW_ENUM = "enum: mood\nvalues: [ok]\nallow: [nope]\n"


@pytest.mark.parametrize("command", ["lint", "compile", "plan"])
def test_bad_allow_is_reported_where_it_is_written(project: Path, capsys: pytest.CaptureFixture[str],
                                                   command: str) -> None:
    write_definitions(project, {"users.yaml": BAD_ALLOW, "mood.yaml": BAD_ALLOW_ENUM}, exact=True)
    before = generated_files(project)
    code, out, err = run_cli(project, capsys, command)
    assert code == 2 and generated_files(project) == before
    hazards = "the hazards are lock, rewrite, data_loss, fails_on_rows, breaks_code"
    names = "(lock, rewrite, data_loss, fails_on_rows, breaks_code)"
    assert err.splitlines() == [
        f"definitions/mood.yaml:3:9: error: unknown hazard 'nope' in 'allow'; {hazards}",
        f"definitions/users.yaml:2:9: error: unknown hazard 'data_los' in 'allow' (did you mean 'data_loss'?); "
        f"{hazards}",
        f"definitions/users.yaml:4:56: error: 'allow' must be a list of hazard names {names}",
        f"definitions/users.yaml:5:45: error: 'allow' items must be hazard names {names}, not 3",
        f"definitions/users.yaml:5:48: error: unknown hazard 'breaks_cod' in 'allow' (did you mean 'breaks_code'?); "
        f"{hazards}",
        f"definitions/users.yaml:7:31: error: unknown hazard 'rewrit' in 'allow' (did you mean 'rewrite'?); "
        f"{hazards}",
        f"definitions/users.yaml:9:85: error: unknown hazard 'Lock' in 'allow' (did you mean 'lock'?); {hazards}",
        "7 error(s); nothing written."]


def test_allow_changes_no_output_of_compile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two projects, one acknowledging everything: state.json and the migrations are the same bytes."""
    plain, allowed = tmp_path / "plain", tmp_path / "allowed"
    for root, text in ((plain, after()), (allowed, after("\nallow: [data_loss, breaks_code, rewrite]",
                                                         ", allow: [lock, fails_on_rows]", ", allow: [lock]"))):
        root.mkdir()
        write_definitions(root, {"users.yaml": BEFORE})
        assert run_cli(root, capsys, "compile")[0] == 0
        write_definitions(root, {"users.yaml": text})
        assert run_cli(root, capsys, "compile", "--allow-destructive")[0] == 0
        assert run_cli(root, capsys, "compile", "--check")[0] == 0
    assert {k: v[0] for k, v in generated_files(plain).items()} == {k: v[0] for k, v in generated_files(allowed).items()}
    # adding or removing an acknowledgement is no schema change
    write_definitions(allowed, {"users.yaml": after()})
    assert run_cli(allowed, capsys, "compile", "--check") == (0, "generated/ is up to date\n", "")


def test_compile_prints_the_summary_and_writes_the_hazards_in_the_header(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(project, {"users.yaml": after(column_allow=", allow: [lock, fails_on_rows]")})
    code, out, _ = run_cli(project, capsys, "compile", "--allow-destructive")
    assert code == 0
    summary = out[out.index("Tables:"):].splitlines()
    assert summary[:2] == ["Tables: 1 altered (public.users)",
                           "Hazards: 5, 3 not acknowledged (see 'schemac lint'):"]
    assert summary[2].startswith("  - public.users.note  data_loss  DropColumn, ACCESS EXCLUSIVE: ")
    assert summary[4].startswith("  - public.users.email  lock (allowed)  SetNotNull, ACCESS EXCLUSIVE: ")
    (up_file,) = (project / "generated/migrations").glob("002_*.sql")
    up = up_file.read_text()
    header = up[:up.index("\n\n")].splitlines()
    assert header[3] == "-- hazards (5; 'schemac lint' lists them, README explains each):"
    assert header[4].startswith("--   public.users.note  data_loss  DropColumn, ACCESS EXCLUSIVE: drop column")
    assert "(allowed)" not in up  # the file states facts; acknowledgements are lint's
    down = (project / "generated/migrations/rollback_002.sql").read_text()
    assert "-- hazards: none\n" in down  # the column comes back, the key and index go: nothing to fear


def test_the_first_migration_has_no_hazards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"users.yaml": after()})
    code, out, _ = run_cli(tmp_path, capsys, "compile")
    assert code == 0 and out.endswith("Tables: 1 created (public.users)\nHazards: none\n")
    up = (tmp_path / "generated/migrations/001_create_users.sql").read_text()
    assert "-- hazards: none\n" in up
    assert "-- hazards (2;" in (tmp_path / "generated/migrations/rollback_001.sql").read_text()


def test_plan_prints_the_summary_beside_the_sql(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Standard output stays the file compile writes; the summary goes to standard error."""
    write_definitions(project, {"users.yaml": after()})
    code, out, err = run_cli(project, capsys, "plan")
    assert code == 0 and out.rstrip().endswith("COMMIT;")
    lines = err.splitlines()
    assert lines[:2] == ["Tables: 1 altered (public.users)", "Hazards: 5, 5 not acknowledged (see 'schemac lint'):"]
    assert all(line.startswith("  - public.") for line in lines[2:]) and len(lines) == 7


@pytest.mark.parametrize(("tty", "no_color", "coloured"), [(True, "", True), (True, "1", False), (False, "", False)])
def test_colour_only_on_a_terminal_without_no_color(project: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str,
                                                    coloured: bool) -> None:
    write_definitions(project, {"users.yaml": after()})
    monkeypatch.setenv("NO_COLOR", no_color)
    for command, stream in (("lint", 1), ("plan", 2)):
        monkeypatch.setattr(sys.stdout if stream == 1 else sys.stderr, "isatty", lambda: tty)
        text = run_cli(project, capsys, command)[stream]
        assert ("\033[33m" in text) is coloured, command
        assert ("\033[" in text) is coloured, command


def test_everything_since_a_base_state_compiled_or_not(project: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """What a pull request's CI lints: its migrations are compiled, so nothing is pending."""
    base = tmp_path / "base-state.json"
    base.write_bytes((project / "generated/state.json").read_bytes())
    write_definitions(project, {"users.yaml": after()})
    assert run_cli(project, capsys, "compile", "--allow-destructive")[0] == 0
    assert run_cli(project, capsys, "lint")[0] == 0  # nothing pending
    code, out, _ = run_cli(project, capsys, "lint", "--base-state", str(base))
    assert code == 1
    assert out.splitlines()[-1].startswith("5 of 5 hazard(s) in the changes since the base state not acknowledged")
    write_definitions(project, {"users.yaml": after("\nallow: [data_loss, breaks_code, lock, fails_on_rows]")})
    assert run_cli(project, capsys, "lint", "--base-state", str(base))[0] == 0
    empty = tmp_path / "none.json"
    empty.write_bytes(b"")  # the base branch has no state yet: every table is new
    assert run_cli(project, capsys, "lint", "--base-state", str(empty)) == (
        0, "No hazards in the changes since the base state.\n", "")


def test_a_bad_base_state_is_bad_input(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, _, err = run_cli(project, capsys, "lint", "--base-state", str(bad))
    assert code == 2 and err.startswith(f"{bad}: error: ")
    code, _, err = run_cli(project, capsys, "lint", "--base-state", str(tmp_path / "missing.json"))
    assert (code, err) == (2, f"{tmp_path / 'missing.json'}: error: No such file or directory\n")


def test_since_a_git_commit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--since REF reads generated/state.json as committed at REF: what the pre-commit hook lints."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=project,
                       check=True, capture_output=True)

    code, _, err = run_cli(project, capsys, "lint", "--since", "HEAD")
    assert code == 2 and "'HEAD' is not a commit of a git repository" in err  # not a repository at all
    git("init", "-q", "-b", "main")
    assert run_cli(project, capsys, "lint", "--since", "HEAD")[0] == 0  # no commit yet: everything is new
    git("add", "-A")
    git("commit", "-q", "-m", "before")
    write_definitions(project, {"users.yaml": after()})
    assert run_cli(project, capsys, "compile", "--allow-destructive")[0] == 0
    code, out, _ = run_cli(project, capsys, "lint", "--since", "HEAD")
    assert code == 1 and out.splitlines()[-1].startswith("5 of 5 hazard(s) in the changes since HEAD")
    code, _, err = run_cli(project, capsys, "lint", "--since", "no-such-ref")
    assert code == 2 and err.startswith("no-such-ref:generated/state.json: error: 'no-such-ref' is not a commit")


PARTITIONED = """
table: events{allow}
columns:
  - {{name: region, type: text}}
  - {{name: n, type: integer}}
partition_by: {{method: list, columns: [region]}}
partitions:
  - {{name: events_eu, in: [eu]}}
  - name: events_rest
    default: true
    partition_by: {{method: list, columns: [n]}}
    partitions:
      - {{name: events_rest_1, in: [1]}}
      - {{name: events_rest_other, default: true}}{more}
"""


def test_a_partitions_hazards_are_acknowledged_on_its_partitioned_table(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A partition added beside a DEFAULT one, even below a partition, is the table's to acknowledge."""
    write_definitions(tmp_path, {"events.yaml": PARTITIONED.format(allow="", more="")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    more = "\n      - {name: events_rest_2, in: [2]}"
    write_definitions(tmp_path, {"events.yaml": PARTITIONED.format(allow="", more=more)})
    code, out, _ = run_cli(tmp_path, capsys, "lint")
    assert code == 1
    assert "public.events_rest_2" in out and "fails_on_rows" in out and "CreatePartition" in out
    write_definitions(tmp_path, {"events.yaml": PARTITIONED.format(allow="\nallow: [lock, fails_on_rows]", more=more)})
    code, out, _ = run_cli(tmp_path, capsys, "lint")
    assert code == 0, out
