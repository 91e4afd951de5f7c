"""definitions/*.yaml -> documents whose every mapping and sequence knows its source position."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import DefinitionError

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - libyaml missing: same results, slower
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

Pos = tuple[int, int]  # 1-based line, column

_RESOLVER = yaml.resolver.Resolver()  # the implicit-tag rules of the safe loaders


# an explicit cache of a pure function: see _Loader
@lru_cache(maxsize=65536)
def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    return tag


class _Loader(Loader):
    """The safe loader with scalar tag resolution memoised.

    A scalar's implicit tag depends only on its text (no path resolvers are registered), and the
    same texts (keys, type names, true/false) recur thousands of times in a large project.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # value: a scalar's text, None for a collection
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            return _scalar_tag(value, implicit)
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


_TRUE = {"true", "yes", "on", "y"}
MAX_DEPTH = 50  # a definition nests four or five levels; far deeper input is refused, not recursed


class YamlTimestamp(str):
    """A plain scalar YAML reads as a date or time (2020-01-01): text, but not a SQL expression."""

    __slots__ = ()


class Mapping(dict[str, Any]):
    """A YAML mapping; `pos` is where it starts, `key_pos`/`value_pos` where each entry is.

    `raw` keeps the source text of plain scalar values, so a name written `on` or `123`
    stays the name the user wrote.
    """

    __slots__ = ("pos", "key_pos", "value_pos", "raw")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}
        self.raw: dict[str, str] = {}


class Sequence(list[Any]):
    """A YAML sequence; `item_pos[i]` is where item i starts."""

    __slots__ = ("pos", "item_pos")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # as shown in messages, relative to the project
    body: Mapping


def _pos(node: yaml.Node | yaml.Token) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> object:
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in _TRUE
    if tag == "tag:yaml.org,2002:int":
        text = value.replace("_", "")
        for base in (0, 8):  # 0 reads 0x/0o/0b and decimal; YAML 1.1 reads 0755 as octal
            try:
                return int(text, base)
            except ValueError:
                pass
        return value
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:timestamp":
        return YamlTimestamp(value)
    return value  # other implicit tags: keep the text


class _Builder:
    def __init__(self, path: str, errors: list[DefinitionError]) -> None:
        self.path = path
        self.errors = errors

    def error(self, pos: Pos, message: str) -> None:
        self.errors.append(DefinitionError(self.path, pos[0], pos[1], message))

    def value(self, node: yaml.Node, depth: int = 0) -> object:
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if depth > MAX_DEPTH:
            self.error(_pos(node), f"lists and mappings are nested more than {MAX_DEPTH} deep here; "
                                   f"no definition needs that")
            return None
        if isinstance(node, yaml.SequenceNode):
            seq = Sequence(_pos(node))
            for item in node.value:
                seq.item_pos.append(_pos(item))
                seq.append(_scalar(item) if isinstance(item, yaml.ScalarNode) else self.value(item, depth + 1))
            return seq
        mapping = Mapping(_pos(node))
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.error(_pos(knode), "a key must be a plain word")
                continue
            key = knode.value
            if key in mapping:
                first = mapping.key_pos[key]
                self.error(_pos(knode), f"duplicate key '{key}' (first at line {first[0]})")
                continue
            mapping.key_pos[key] = _pos(knode)
            mapping.value_pos[key] = _pos(vnode)
            if isinstance(vnode, yaml.ScalarNode):
                if not vnode.style:  # plain: None (PyYAML), "" (libyaml)
                    mapping.raw[key] = vnode.value
                mapping[key] = _scalar(vnode)
            else:
                mapping[key] = self.value(vnode, depth + 1)
        return mapping


_BRACKETED_TYPE = re.compile(r"\btype:\s*([^\s,{}'\"][^,{}'\"]*\[[^,{}]*)")


def _flow_type_hint(e: yaml.MarkedYAMLError, text: str) -> str:
    """`{type: text[]}`: brackets inside {...} are YAML's, not the type's; say to quote it."""
    mark = e.problem_mark
    if mark is None or "flow" not in (e.context or ""):
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    found = _BRACKETED_TYPE.search(line)
    if found is None:
        return ""
    written = found[1].strip()
    return f"; inside {{...}} a type with brackets must be quoted: type: '{written}'"


_OPENING = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.BlockMappingStartToken)
_CLOSING = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _hostile_structure(text: str) -> tuple[Pos, str] | None:
    """Where the text uses an anchor or alias, or nests deeper than MAX_DEPTH, and why that is refused.

    Definitions need neither. Refusing aliases outright means a few hundred bytes of aliases to
    aliases can never expand to gigabytes; refusing deep nesting before composing keeps libyaml's
    recursive composer (which crashes the process some 30,000 levels down) from seeing it. Only
    a text that could hold either is scanned.
    """
    if "&" not in text and "*" not in text and text.count("[") + text.count("{") + text.count("- ") <= 1000:
        return None
    depth = 0
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            return _pos(token), ("YAML anchors and aliases (&name, *name) are not allowed in "
                                 "definitions; write the value out")
        if isinstance(token, _OPENING):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the document's own mapping is level 0 to the reader
                return _pos(token), (f"lists and mappings are nested more than {MAX_DEPTH} deep here; "
                                     f"no definition needs that")
        elif isinstance(token, _CLOSING):
            depth -= 1
    return None


def load_text(text: str, path: str, errors: list[DefinitionError]) -> list[Document]:
    """Parse one file's text into documents, appending any problem to `errors`."""
    builder = _Builder(path, errors)
    docs: list[Document] = []
    try:
        hostile = _hostile_structure(text)
        if hostile is not None:
            builder.error(*hostile)
            return docs
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:
        builder.error((1, 1), "invalid YAML: lists and mappings are nested too deeply to read")
        return docs
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or e.context or "malformed YAML"
        where = e.context_mark
        if e.problem and e.context and where is not None and (where.line + 1, where.column + 1) != (line, col):
            # the place a construct started is often what needs fixing (an unclosed quote or bracket)
            problem += f" ({e.context} that started at line {where.line + 1}, column {where.column + 1})"
        builder.error((line, col), f"invalid YAML: {problem}{_flow_type_hint(e, text)}")
        return docs
    except yaml.YAMLError as e:
        builder.error((1, 1), f"invalid YAML: {e}")
        return docs
    for node in nodes:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
                            and node.value == ""):
            continue  # an empty document, such as the one after a trailing '---'
        body = builder.value(node)
        if not isinstance(body, Mapping):
            builder.error(_pos(node), "a definition must be a mapping starting with "
                                      "'table:', 'enum:' or 'extension:'")
            continue
        docs.append(Document(path, body))
    return docs


def definition_files(project: Path) -> list[Path]:
    """Every *.yaml and *.yml under definitions/, in path order."""
    root = project / "definitions"
    if not root.is_dir():
        return []
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def load_project(project: Path, errors: list[DefinitionError]) -> list[Document]:
    """All documents of the project's definitions, problems appended to `errors`."""
    docs: list[Document] = []
    for file in definition_files(project):
        shown = file.relative_to(project).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            errors.append(DefinitionError(shown, 1, 1, f"file is not UTF-8 text ({e.reason})"))
            continue
        docs.extend(load_text(text, shown, errors))
    return docs
