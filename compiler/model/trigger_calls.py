"""The functions a trigger's `when` calls, read once with the model (diff looks at them, without
reading SQL again, to drop and create the trigger around a function that is dropped and created)."""
from __future__ import annotations

from .expression_tokens import function_calls


def calls_in(text: str | None) -> tuple[str, ...]:
    """The names of the functions the expression `text` calls."""
    return tuple(function_calls(text)[0]) if text is not None else ()
