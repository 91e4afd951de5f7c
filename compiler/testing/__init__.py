"""Testing a project's data layer with pytest (the `schemac` plugin, pytest_plugin.py).

The last stage but the command line: it builds databases through `live` and checks generated/
through `pipeline`, for a user's tests; nothing in the package imports it.
"""
from __future__ import annotations

from .generated import assert_generated_current

__all__ = ["assert_generated_current"]
