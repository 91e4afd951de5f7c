"""compile with sequences and domains: seeds of a domain column, and definitions errors, end to end."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import generated_files, write_definitions
from tests.helpers import run_cli as run

DEFINITIONS = textwrap.dedent("""
    enum: mood
    values: [happy, sad]
    ---
    domain: feeling
    type: mood
    ---
    domain: score
    type: "numeric(5,2)"
    checks: [{name: positive, expression: "VALUE >= 0"}]
    ---
    sequence: ticket_numbers
    type: integer
    start: 100
    ---
    table: visits
    columns:
      - {name: id, type: bigint, primary_key: true}
      - {name: ticket, type: integer, nullable: false, default: "nextval('ticket_numbers')"}
      - {name: mood, type: feeling}
      - {name: score, type: score}
    """).lstrip()


def project(root: Path, seeds: str) -> Path:
    write_definitions(root, {"all.yaml": DEFINITIONS}, exact=True)
    (root / "seeds").mkdir(exist_ok=True)
    (root / "seeds" / "visits.yaml").write_text(seeds)
    return root


def test_a_seed_of_a_domain_column_is_read_as_its_base_type(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, "table: visits\nrows:\n  - {id: 1, mood: happy, score: 12.5}\n")
    code, _, err = run(tmp_path, capsys, "compile")
    assert code == 0, err
    seeds = (tmp_path / "generated" / "seeds.sql").read_text()
    assert "'happy'::public.feeling" in seeds and "'12.5'::public.score" in seeds
    state = (tmp_path / "generated" / "state.json").read_text()
    assert '"domains"' in state and '"sequences"' in state
    assert run(tmp_path, capsys, "compile", "--check")[0] == 0


@pytest.mark.parametrize(("row", "message"), [
    ("{id: 1, mood: angry}", "3:19: error: column 'mood' (feeling): 'angry' is not a label of enum mood"),
    ("{id: 1, score: 1234.5}", "3:20: error: column 'score' (score): 1234.5 does not fit numeric(5,2)"),
])
def test_a_seed_that_does_not_fit_a_domains_base_is_an_error_at_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str) -> None:
    project(tmp_path, f"table: visits\nrows:\n  - {row}\n")
    code, out, err = run(tmp_path, capsys, "compile")
    assert code == 2, out + err
    assert not (tmp_path / "generated").exists() or generated_files(tmp_path) == {}
    assert f"seeds/visits.yaml:{message}" in err, err
