from __future__ import annotations

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class SQLSnapshotExtension(SingleFileSnapshotExtension):
    """Each snapshot is one .sql file a reviewer reads in the pull request."""

    _write_mode = WriteMode.TEXT  # private in syrupy 5: the major version is pinned for this
    file_extension = "sql"


@pytest.fixture
def sql_snapshot(snapshot):
    return snapshot.use_extension(SQLSnapshotExtension)


class JSONSnapshotExtension(SingleFileSnapshotExtension):
    """Each snapshot is one .json file, byte for byte what schemac writes."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)
