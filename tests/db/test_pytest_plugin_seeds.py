"""The pytest plugin with `schemac_seed = true` loads generated/seeds.sql only when `schemac seed`
would: a stale file (seeds/ changed, compile not run) stops the session with a clear error naming
it, instead of loading rows the seed files no longer say."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.db.test_pytest_plugin import ARGS, project

__all__ = ["project"]  # the scratch project fixture of the plugin's tests


def test_a_stale_seeds_sql_is_refused_as_schemac_seed_refuses_it(pytester: pytest.Pytester, project: Path) -> None:
    seeds = project / "seeds" / "users.yaml"
    seeds.write_text(seeds.read_text().replace("Test User", "Someone Else"))  # changed, not compiled
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\nschemac_project = "db"\nschemac_seed = true\n')
    pytester.makepyfile(test_seeded='''
def test_seeded(schemac_connection):
    pass
''')
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*schemac_seed is true, and generated/seeds.sql is out of date; "
                                 "run 'schemac compile'*"])
