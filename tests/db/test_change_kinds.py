"""Every kind of change, up and rollback, executed by psql on a real PostgreSQL.

After the up migration the catalog equals that of a database built in one step from the new
definitions; after the rollback it equals the catalog before.
"""
from __future__ import annotations

import pytest

from compiler.model.schema import Schema
from compiler.plan.diff_security import rollback_target
from tests.change_cases import CASES
from tests.db.catalog import catalog, run_sql_file
from tests.db.migrate import migration as _migration
from tests.db.migrate import schema as _schema


@pytest.mark.parametrize("case", sorted(CASES))
def test_change_round_trip(case: str, database_url: str, second_database_url: str) -> None:
    old, new = (_schema(t) for t in CASES[case])
    if old.tables or old.enums or old.extensions or old.routines or old.sequences or old.domains:
        run_sql_file(database_url, _migration(Schema(), old))
    before = catalog(database_url)

    run_sql_file(database_url, _migration(old, new))
    after = catalog(database_url)
    assert after != before

    run_sql_file(second_database_url, _migration(Schema(), new))
    assert after == catalog(second_database_url)

    run_sql_file(database_url, _migration(new, rollback_target(old, new)))  # the rollback compile writes
    assert catalog(database_url) == before
