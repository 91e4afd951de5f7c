"""definitions/*.yaml -> documents whose every mapping and sequence knows its source position."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import DefinitionError
from ..model.yaml_values import YamlDate, YamlOctal

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


class YamlTimestamp(YamlDate):
    """A plain scalar YAML reads as a date or time (2020-01-01): text, but not a SQL expression."""

    __slots__ = ()


NUL_MESSAGE = ("text must not hold the NUL character (written \\0, \\x00 or \\u0000): PostgreSQL refuses it "
               "in any text, so nothing holding it could ever be applied")

_NO_RAW: MappingProxyType[str, str] = MappingProxyType({})  # the raw texts of most mappings: none


class Mapping(dict[str, Any]):
    """A YAML mapping; `pos` is where it starts, `key_pos`/`value_pos` where each entry is.

    `raw` keeps the source text of plain scalar values that YAML reads as something other than
    a string, so a name written `on` or `123` stays the name the user wrote (a value that is a
    string is its own text: read it with `raw.get(key, value)`).
    """

    __slots__ = ("pos", "key_pos", "value_pos", "raw")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}
        self.raw: dict[str, str] | MappingProxyType[str, str] = _NO_RAW  # a dict once it has an entry


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


_STR = "tag:yaml.org,2002:str"


def _scalar(node: yaml.ScalarNode) -> object:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in _TRUE
    if tag == "tag:yaml.org,2002:int":
        text = value.replace("_", "")
        try:
            return int(text, 0)  # 0x/0o/0b and decimal
        except ValueError:
            pass
        try:
            return YamlOctal(int(text, 8), value)  # YAML 1.1 reads 0755 as octal
        except ValueError:
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
    """Documents from composed nodes. `shared` holds one copy of each position and text seen while
    loading a project: the same keys, type names and (line, column) pairs recur in every file,
    and a large project's documents would otherwise hold hundreds of thousands of copies."""

    def __init__(self, path: str, errors: list[DefinitionError], shared: dict[Any, Any] | None = None) -> None:
        self.path = path
        self.errors = errors
        self.shared: dict[Any, Any] = {} if shared is None else shared

    def error(self, pos: Pos, message: str) -> None:
        self.errors.append(DefinitionError(self.path, pos[0], pos[1], message))

    def pos(self, node: yaml.Node) -> Pos:
        mark = node.start_mark
        pos = (mark.line + 1, mark.column + 1)
        shared: Pos = self.shared.setdefault(pos, pos)
        return shared

    def text(self, value: str) -> str:
        shared: str = self.shared.setdefault(value, value)
        return shared

    def without_nul(self, node: yaml.Node, text: str) -> str:
        """Report a NUL, which only a double-quoted escape can write, once, where the value is
        read, whatever the key; the rest of the text is read on, so no later check trips on it."""
        self.error(self.pos(node), NUL_MESSAGE)
        return text.replace("\x00", "")

    def scalar(self, node: yaml.ScalarNode) -> object:
        value = _scalar(node)
        if type(value) is not str:
            return value
        if "\x00" in value:
            value = self.without_nul(node, value)
        return self.text(value)

    def value(self, node: yaml.Node, depth: int = 0) -> object:
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if depth > MAX_DEPTH:
            self.error(self.pos(node), f"lists and mappings are nested more than {MAX_DEPTH} deep here; "
                                       f"no definition needs that")
            return None
        # the loop below runs for every mapping entry of a project: self.pos and self.scalar are
        # written out in it (a call each cost a tenth of the load)
        shared: Callable[[Any, Any], Any] = self.shared.setdefault
        if isinstance(node, yaml.SequenceNode):
            seq = Sequence(self.pos(node))
            item_pos = seq.item_pos
            for item in node.value:
                mark = item.start_mark
                pos = (mark.line + 1, mark.column + 1)
                item_pos.append(shared(pos, pos))
                seq.append(self.scalar(item) if isinstance(item, yaml.ScalarNode) else self.value(item, depth + 1))
            return seq
        mapping = Mapping(self.pos(node))
        key_pos, value_pos = mapping.key_pos, mapping.value_pos
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.error(self.pos(knode), "a key must be a plain word")
                continue
            key = knode.value
            if "\x00" in key:
                key = self.without_nul(knode, key)
            key = shared(key, key)
            mark = knode.start_mark
            pos = (mark.line + 1, mark.column + 1)
            kpos = shared(pos, pos)
            if key in mapping:
                first = key_pos[key]
                self.error(kpos, f"duplicate key '{key}' (first at line {first[0]})")
                continue
            key_pos[key] = kpos
            mark = vnode.start_mark
            pos = (mark.line + 1, mark.column + 1)
            value_pos[key] = shared(pos, pos)
            if isinstance(vnode, yaml.ScalarNode):
                text = vnode.value
                if vnode.tag == _STR:
                    if "\x00" in text:
                        text = self.without_nul(vnode, text)
                    mapping[key] = shared(text, text)
                    continue
                value = mapping[key] = self.scalar(vnode)
                if not vnode.style and type(value) is not str:  # plain: None (PyYAML), "" (libyaml)
                    raw = mapping.raw  # (a str is its own raw text)
                    if not isinstance(raw, dict):
                        raw = mapping.raw = {}
                    raw[key] = text
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


def _hostile_structure(text: str, kind: str = "definitions") -> tuple[Pos, str] | None:
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
            return _pos(token), (f"YAML anchors and aliases (&name, *name) are not allowed in "
                                 f"{kind}; write the value out")
        if isinstance(token, _OPENING):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the document's own mapping is level 0 to the reader
                return _pos(token), (f"lists and mappings are nested more than {MAX_DEPTH} deep here; "
                                     f"no definition needs that")
        elif isinstance(token, _CLOSING):
            depth -= 1
    return None


def load_text(text: str, path: str, errors: list[DefinitionError],
              shared: dict[Any, Any] | None = None, kind: str = "definitions") -> list[Document]:
    """Parse one file's text into documents, appending any problem to `errors`.

    `shared`: one dict for the texts and positions of all files loaded together (see _Builder);
    `kind`: what the files are, as messages name them (definitions, seed files)."""
    builder = _Builder(path, errors, shared)
    docs: list[Document] = []
    try:
        hostile = _hostile_structure(text, kind)
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
            builder.error(_pos(node), "a definition must be a mapping starting with its kind "
                                      "('table:', 'view:', 'function:', 'domain:', ...)")
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


def read_sources(project: Path) -> list[tuple[str, bytes]]:
    """Every definitions file as (path as shown in messages, contents), in path order."""
    return [(file.relative_to(project).as_posix(), file.read_bytes()) for file in definition_files(project)]


def load_sources(sources: list[tuple[str, bytes]], errors: list[DefinitionError],
                 kind: str = "definitions") -> list[Document]:
    """All documents of these files (see read_sources), problems appended to `errors`."""
    docs: list[Document] = []
    shared: dict[Any, Any] = {}
    for shown, data in sources:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:  # at the first byte that is not UTF-8
            line = data.count(b"\n", 0, e.start) + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            errors.append(DefinitionError(shown, line, column, f"file is not UTF-8 text ({e.reason})"))
            continue
        if "\r" in text:  # line ends as reading in text mode gives them
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        docs.extend(load_text(text, shown, errors, shared, kind))
    return docs


def load_project(project: Path, errors: list[DefinitionError]) -> list[Document]:
    """All documents of the project's definitions, problems appended to `errors`."""
    return load_sources(read_sources(project), errors)
