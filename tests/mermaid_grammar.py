"""A grammar check of the Mermaid erDiagram subset schemac writes, from mermaid 11's erDiagram lexer.

Token rules as mermaid's jison lexer has them (mermaid 11.x, erDiagram):
- entity names: `([^\\x00-\\x7F]|\\w|-|\\*)+`, but words such as `end`, `style`, `to`, `one` are
  keywords; an alias is `["text"]` with no `"`, `%` or backslash inside;
- attribute type and name: `[*A-Za-z_\\u00C0-\\uFFFF][A-Za-z0-9\\-_\\[\\]().,\\u00C0-\\uFFFF*]*`, except
  that `PK`, `FK`, `UK` (any case) are always key markers;
- keys: `PK|FK|UK` separated by commas; a comment is `"[^"]*"`;
- relationship: entity, cardinality (`|o`, `||`, `}o`, `}|`), `--` or `..`, cardinality (`o|`,
  `||`, `o{`, `|{`), entity, `:`, a quoted label.
The subset is stricter than Mermaid (one statement per line, entities declared before use), so
passing here implies Mermaid parses it; tests also run mermaid's own parser when it is installed.
"""
from __future__ import annotations

import re

RESERVED = {"end", "style", "class", "classdef", "subgraph", "direction", "one", "many", "to", "u", "o", "only",
            "zero", "optionally", "erdiagram", "title", "acctitle", "accdescr"}
ENTITY = r"[A-Za-z_][A-Za-z0-9_]*"
LABEL = r'\["[^"%\\\r\n\v\b]+"\]'
WORD = r"[*A-Za-z_\u00c0-\uffff][A-Za-z0-9\-_\[\]().,\u00c0-\uffff*]*"
KEYS = r"(?:PK|FK|UK)(?:, (?:PK|FK|UK))*"
COMMENT = r'"[^"\n]*"'

ENTITY_OPEN = re.compile(rf"^    (?P<name>{ENTITY})(?:{LABEL})? \{{$")
ENTITY_BARE = re.compile(rf"^    (?P<name>{ENTITY})(?:{LABEL})?$")
ATTRIBUTE = re.compile(rf"^        (?P<type>{WORD}) (?P<name>{WORD})(?: {KEYS})?(?: {COMMENT})?$")
RELATIONSHIP = re.compile(rf"^    (?P<left>{ENTITY}) (?:\|o|\|\||\}}o|\}}\|)(?:--|\.\.)(?:o\||\|\||o\{{|\|\{{) "
                          rf"(?P<right>{ENTITY}) : {COMMENT}$")


def er_problems(text: str) -> list[str]:
    """Lines of `text` outside the subset, as 'line N: why'; empty when it parses."""
    lines = text.rstrip("\n").split("\n")
    problems: list[str] = []
    if not lines or lines[0] != "erDiagram":
        return ["line 1: must be 'erDiagram'"]
    declared: set[str] = set()
    in_entity = False
    for n, line in enumerate(lines[1:], start=2):
        if in_entity:
            if line == "    }":
                in_entity = False
                continue
            m = ATTRIBUTE.match(line)
            if not m:
                problems.append(f"line {n}: not an attribute: {line!r}")
            elif m["type"].lower() in ("pk", "fk", "uk") or m["name"].lower() in ("pk", "fk", "uk"):
                problems.append(f"line {n}: PK/FK/UK cannot be a type or a name: {line!r}")
            continue
        m = ENTITY_OPEN.match(line) or ENTITY_BARE.match(line)
        if m:
            if m["name"].lower() in RESERVED:
                problems.append(f"line {n}: '{m['name']}' is a Mermaid keyword")
            if m["name"] in declared:
                problems.append(f"line {n}: entity '{m['name']}' declared twice")
            declared.add(m["name"])
            in_entity = line.endswith("{")
            continue
        m = RELATIONSHIP.match(line)
        if m:
            for side in ("left", "right"):
                if m[side] not in declared:
                    problems.append(f"line {n}: entity '{m[side]}' used before it is declared")
            continue
        problems.append(f"line {n}: not an entity or a relationship: {line!r}")
    if in_entity:
        problems.append("end: an entity block is not closed")
    return problems


def mermaid_blocks(markdown: str) -> list[str]:
    """The text of every ```mermaid block of a markdown document."""
    return re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.S)
