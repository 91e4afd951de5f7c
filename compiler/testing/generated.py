"""The assertion that a project's generated/ is what `schemac compile` would write."""
from __future__ import annotations

from pathlib import Path

from ..pipeline import check_project
from ..project import Project


def assert_generated_current(root: Path | str) -> None:
    """Fail (AssertionError) listing why generated/ of the project at `root` is stale, as
    `schemac compile --check` would; pass silently when it is current."""
    problems = check_project(Project(Path(root)))
    assert not problems, "generated/ is not current:\n" + "\n".join(problems)
