"""Error values with a source position, and the one format they are reported in."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class DefinitionError:
    """A problem in the definitions, at `path:line:col` (1-based)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"


class DefinitionErrors(Exception):
    """Raised once, carrying every definition error found."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__(f"{len(errors)} definition error(s)")
        self.errors = sorted(set(errors))


class TemplateProblem(Exception):
    """A template of the project's templates/ failed to render (or tried what the sandbox refuses)."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.name, self.line, self.message = name, line, message

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"templates/{self.name}: error: {self.message}{where}"


class StateError(Exception):
    """generated/ is unreadable or inconsistent (state.json damaged, files missing)."""


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """A ' (did you mean 'x'?)' suffix when a choice is close to `word`, else ''."""
    close = difflib.get_close_matches(str(word), sorted(str(c) for c in choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class DatabaseError(Exception):
    """A connection or SQL failure, or a migration file that cannot be run; its message free of secrets."""
