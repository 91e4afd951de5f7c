"""A view removed from the definitions while a policy still reads it, refused at compile where
PostgreSQL would refuse the migration: exit 2, `path:line:col: error: ...` at the policy's
expression, nothing written."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import generated_files, run_cli, write_definitions

MEMBERS = """\
table: members
columns:
  - {name: tenant_id, type: integer, nullable: false}
  - {name: member, type: text, nullable: false}
"""
VIEW = "view: my_tenants\nquery: SELECT tenant_id FROM members WHERE member = current_user\n"
DOCS = """\
table: docs
rls: {enabled: true}
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: tenant_id, type: integer, nullable: false}
policies:
  - name: via_view
    command: update
    using: "tenant_id IN (SELECT tenant_id FROM my_tenants)"
    with_check: "tenant_id > 0"
  - {name: adds, command: insert, with_check: "EXISTS (SELECT 1 FROM public.my_tenants m WHERE m.tenant_id = docs.tenant_id)"}
"""


def _compile(root: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes]) -> tuple[int, str]:
    write_definitions(root, files, exact=True)
    code, _, err = run_cli(root, capsys, "compile")
    return code, err


@pytest.mark.parametrize("kind", ["view", "materialized_view"])
def test_a_view_removed_while_a_policy_still_reads_it_is_refused_at_the_policy(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    view = VIEW.replace("view:", f"{kind}:")
    code, err = _compile(tmp_path, capsys, {"members.yaml": MEMBERS, "view.yaml": view, "docs.yaml": DOCS})
    assert code == 0, err
    before = generated_files(tmp_path)
    code, err = _compile(tmp_path, capsys, {"members.yaml": MEMBERS, "docs.yaml": DOCS})
    assert code == 2, err
    assert generated_files(tmp_path) == before, "nothing is written"
    what = kind.replace("_", " ")
    assert [line for line in err.splitlines() if ": error: " in line] == [
        f"definitions/docs.yaml:9:12: error: 'using' of policy via_view of public.docs reads {what} "
        f"public.my_tenants, which is removed from the definitions; PostgreSQL cannot drop a {what} that a "
        f"policy reads: change the policy first, or keep the {what}",
        f"definitions/docs.yaml:11:47: error: 'with_check' of policy adds of public.docs reads {what} "
        f"public.my_tenants, which is removed from the definitions; PostgreSQL cannot drop a {what} that a "
        f"policy reads: change the policy first, or keep the {what}",
    ]


def test_a_view_removed_with_the_policies_reading_it_compiles(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _compile(tmp_path, capsys, {"members.yaml": MEMBERS, "view.yaml": VIEW, "docs.yaml": DOCS})
    assert code == 0, err
    code, err = _compile(tmp_path, capsys, {"members.yaml": MEMBERS, "docs.yaml": DOCS.split("policies:")[0]})
    assert code == 0, err
