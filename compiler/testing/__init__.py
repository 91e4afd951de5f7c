"""Testing a project's data layer with pytest (the `schemac` plugin, pytest_plugin.py).

The last stage but the command line: it builds databases through `live` and checks generated/
through `pipeline`, for a user's tests; nothing in the package imports it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .generated import assert_generated_current

__all__ = ["assert_generated_current"]


def __getattr__(name: str) -> object:
    """The package is imported with the plugin in every pytest session: the compiler only when
    asked for (`from compiler.testing import assert_generated_current`)."""
    if name == "assert_generated_current":
        from .generated import assert_generated_current

        return assert_generated_current
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
