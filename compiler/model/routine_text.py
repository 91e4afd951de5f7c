"""The normal form a routine's body compares in: its tokens, without whitespace and comments.

PostgreSQL keeps a body as written (pg_proc.prosrc, and pg_get_functiondef prints it so), so
re-indenting one, or editing its comments, would be a difference to a plain comparison. The
normal form is the token sequence as PostgreSQL's lexer (and PL/pgSQL's, which shares its rules)
sees it: unquoted words in lower case, whitespace and comments gone, and string constants,
quoted identifiers and dollar-quoted strings exactly as written (whitespace inside them is data).
"""
from __future__ import annotations

import re

from .routines import Body

_WORD = re.compile(r"[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*")
_NUMBER = re.compile(r"\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_PARAMETER = re.compile(r"\$\d+")
_OPERATOR = re.compile(r"[~!@#^&|`?+\-*/%<>=]+")
# a string constant's prefix: E'...' (backslash escapes), B'', X'', U&'', N''
_PREFIXED_STRING = re.compile(r"(?i)(e|b|x|n|u&)'")


class BodyProblem(ValueError):
    """A body whose quotes or comments do not end."""


def _string_end(text: str, i: int, backslashes: bool) -> int:
    """The index after the string constant opening at text[i] == "'"."""
    j = i + 1
    while j < len(text):
        c = text[j]
        if backslashes and c == "\\":
            j += 2
            continue
        if c == "'":
            if j + 1 < len(text) and text[j + 1] == "'":
                j += 2
                continue
            return j + 1
        j += 1
    raise BodyProblem("a string constant is not closed")


def _comment_end(text: str, i: int) -> int:
    """The index after the (nested) block comment opening at text[i:i+2] == '/*'."""
    depth, j = 0, i
    while j < len(text):
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    raise BodyProblem("a /* comment is not closed")


def body_tokens(text: str) -> list[str]:
    """The tokens of `text` (see the module's docstring); BodyProblem when a quote or comment does not end."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            i = _comment_end(text, i)
        elif c == "'":
            end = _string_end(text, i, backslashes=False)
            out.append(text[i:end])
            i = end
        elif (m := _PREFIXED_STRING.match(text, i)) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = _string_end(text, m.end() - 1, backslashes=m[1].lower() == "e")
            out.append(m[1].upper() + text[m.end() - 1:end])
            i = end
        elif c == '"':
            end = text.find('"', i + 1)
            while end >= 0 and text.startswith('""', end):
                end = text.find('"', end + 2)
            if end < 0:
                raise BodyProblem("a quoted identifier is not closed")
            out.append(text[i:end + 1])
            i = end + 1
        elif c == "$" and (m := _DOLLAR_TAG.match(text, i)):
            tag = m[0]
            end = text.find(tag, m.end())
            if end < 0:
                raise BodyProblem(f"a string quoted with {tag} is not closed")
            out.append(text[i:end + len(tag)])
            i = end + len(tag)
        elif m := (_PARAMETER.match(text, i) or _NUMBER.match(text, i)):
            out.append(m[0])
            i = m.end()
        elif m := _WORD.match(text, i):
            out.append(m[0].lower())
            i = m.end()
        elif m := _OPERATOR.match(text, i):
            out.append(m[0])
            i = m.end()
        else:
            out.append(c)
            i += 1
    return out


def make_body(text: str) -> Body:
    """The Body of `text`; BodyProblem when it cannot be read into tokens."""
    return Body(text, " ".join(body_tokens(text)))


def dollar_tag(body: str) -> str:
    """A dollar-quote tag that does not occur in `body`, so it can quote it as written (nor its
    start: a body ending in `$body` would run into the closing tag)."""
    tag, n = "$body$", 0
    while tag[:-1] in body:
        n += 1
        tag = f"$body{n}$"
    return tag
