"""schemac review: the Markdown a pull request's reviewer reads in the job summary."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.helpers import run_cli, write_definitions
from tests.mermaid_grammar import er_problems, mermaid_blocks

ORGS = "table: orgs\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
USERS = "table: users\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
LOGS = "table: logs\ncolumns:\n  - {name: id, type: bigint, primary_key: true}\n"
USERS_IN_ORGS = USERS + "  - {name: org_id, type: bigint, references: orgs.id}\n"


def _mermaid_entities(markdown: str) -> list[str]:
    blocks = re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.S)
    return [m for block in blocks for m in re.findall(r"^    (\w+) \{", block, flags=re.M)]


def test_the_migrations_newer_than_the_base_their_sql_and_the_tables_they_change(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"orgs.yaml": ORGS, "users.yaml": USERS, "logs.yaml": LOGS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    base = tmp_path / "base-state.json"
    shutil.copy(tmp_path / "generated" / "state.json", base)  # the base branch's, as git show gives it
    write_definitions(tmp_path, {"orgs.yaml": ORGS, "users.yaml": USERS_IN_ORGS, "logs.yaml": LOGS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, err = run_cli(tmp_path, capsys, "review", "--base-state", str(base))
    assert code == 0, err
    assert out.startswith("## Schema changes\n\n1 migration(s); 1 table(s) altered: `public.users`.\n")
    assert "### `002_add_users_org_id.sql`" in out and "001_" not in out
    assert (tmp_path / "generated/migrations/002_add_users_org_id.sql").read_text().rstrip("\n") in out
    assert "<details><summary><code>rollback_002.sql</code></summary>" in out
    assert "ALTER TABLE public.users DROP COLUMN org_id;" in out
    # users in full, orgs (which it now references) as a bare box, logs (untouched) not at all
    assert _mermaid_entities(out) == ["users"]
    assert re.search(r"^    orgs$", out, flags=re.M)
    assert "logs" not in out
    assert [er_problems(block) for block in mermaid_blocks(out)] == [[]]  # the grammar schema.md's diagrams keep
    assert "Not compiled yet" not in out


def test_an_empty_base_reviews_every_migration_and_pending_changes_are_shown(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"orgs.yaml": ORGS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"orgs.yaml": ORGS, "users.yaml": USERS})  # users: not compiled
    (tmp_path / "empty").write_text("")
    code, out, _ = run_cli(tmp_path, capsys, "review", "--base-state", str(tmp_path / "empty"))
    assert code == 0
    assert out.startswith("## Schema changes\n\n1 migration(s); 2 table(s) created: `public.orgs`, `public.users`.")
    assert "### `001_create_orgs.sql`" in out
    assert "### Not compiled yet" in out and "CREATE TABLE public.users" in out
    assert sorted(_mermaid_entities(out)) == ["orgs", "users"]


def test_without_a_base_only_what_is_pending_and_nothing_when_nothing_changes(tmp_path: Path, capsys) -> None:
    write_definitions(tmp_path, {"orgs.yaml": ORGS})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    assert run_cli(tmp_path, capsys, "review") == (0, "## Schema changes\n\nNo migrations: the schema does not "
                                                      "change.\n", "")
    code, _, err = run_cli(tmp_path, capsys, "review", "--base-state", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json: error: No such file or directory" in err
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run_cli(tmp_path, capsys, "review", "--base-state", str(tmp_path / "bad.json"))
    assert code == 2 and err.startswith(f"{tmp_path / 'bad.json'}: error: ")


def test_a_comment_holding_a_fence_cannot_end_the_sql_block(tmp_path: Path, capsys) -> None:
    """A comment is user text inside the SQL: ``` in it must not close the code block and let the
    rest render as Markdown or HTML (an <!-- could hide the statements after it)."""
    hostile = 'comment: "line1\\n```\\n# pwned heading\\n<!-- hidden"\n'
    write_definitions(tmp_path, {"orgs.yaml": ORGS + hostile})
    (tmp_path / "empty").write_text("")
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    code, out, _ = run_cli(tmp_path, capsys, "review", "--base-state", str(tmp_path / "empty"))
    assert code == 0
    lines = out.splitlines()
    start = lines.index("````sql")
    end = lines.index("````", start + 1)
    inside = "\n".join(lines[start + 1:end])
    assert "# pwned heading" in inside and "<!-- hidden" in inside and "CREATE TABLE public.orgs" in inside
    assert not any(line.startswith("# pwned") for line in lines[:start] + lines[end:])


def test_code_spans_and_blocks_outlast_the_backticks_inside() -> None:
    from compiler.diagrams.review import code, fenced

    assert code("public.users") == "`public.users`"
    assert code('public."a`b"') == '``public."a`b"``'
    assert code("`x") == "`` `x ``"
    assert fenced("select 1", "sql") == ["```sql", "select 1", "```"]
    assert fenced("-- ````` x", "sql")[0] == "``````sql"
