"""verify counts a sequence or domain renamed or moved as no data lost (the position and the values
stay), and a domain given a wider base type too: its rollback is proven on rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, write_definitions

BEFORE = """
schema: other
---
sequence: seqx
schema: other
---
domain: amount
type: integer
---
table: t
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: paid, type: amount}
"""

MOVED = BEFORE.replace("sequence: seqx\nschema: other\n", "sequence: seqx\nrenamed_from: other.seqx\n")
RENAMED = BEFORE.replace("sequence: seqx\n", "sequence: seqy\nrenamed_from: seqx\n").replace(
    "domain: amount\n", "domain: sum\nrenamed_from: amount\n").replace("type: amount", "type: sum")
WIDER = BEFORE.replace("domain: amount\ntype: integer\n", "domain: amount\ntype: bigint\n")


@pytest.mark.parametrize("after", [MOVED, RENAMED, WIDER], ids=["sequence moved", "renamed", "domain wider"])
def test_a_sequence_or_domain_kept_is_no_data_loss_and_its_rollback_is_proven_on_rows(
        tmp_path: Path, admin_url: str, capsys: pytest.CaptureFixture[str], after: str) -> None:
    write_definitions(tmp_path, {"schema.yaml": BEFORE})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"schema.yaml": after})
    code, out, err = run_cli(tmp_path, capsys, "compile")  # no --allow-destructive: nothing is lost
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert code == 0, out + err
    assert "drops data" not in out and "empty copy" not in out, out
    assert "and rollback_002.sql with up to" in out, out


def test_a_domain_made_narrower_is_said_to_lose_values_by_its_own_name(tmp_path: Path, admin_url: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    write_definitions(tmp_path, {"schema.yaml": BEFORE.replace("type: integer\n", "type: text\n")})
    assert run_cli(tmp_path, capsys, "compile")[0] == 0
    write_definitions(tmp_path, {"schema.yaml": BEFORE.replace("type: integer\n", "type: varchar(2)\n")})
    code, out, err = run_cli(tmp_path, capsys, "compile", "--allow-destructive")
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, capsys, "verify", "--dev-url", admin_url)
    assert "rollback_002.sql proven on an empty copy only" in out, out + err
    assert "(values of domain public.amount that do not fit its new base type character varying(2))" in out, out
