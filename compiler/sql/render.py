"""Changes -> SQL text through Jinja templates, one template per change kind.

A project may override any built-in template by placing one of the same name in its own
`templates/` folder. Templates only format; what goes into which block is the plan's (plan/order.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import BuiltinMethodType, MappingProxyType, MethodType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import TemplateProblem
from ..model.names import qualified, quote_ident, quote_literal
from ..model.qualify import column_default_sql, expression_sql, sql_type
from ..plan import changes as ch
from ..plan.order import BlockKind, Plan
from .migration_file import MARK


def comment_text(text: object) -> str:
    """Text safe inside a `--` comment: a line break in a name must not end the comment."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def dollar_quote(body: str) -> str:
    """`body` between dollar quotes whose tag it does not contain (a name may hold `$schemac$`)."""
    tag, n = "schemac", 0
    while f"${tag}$" in body:
        n += 1
        tag = f"schemac{n}"
    body = body.strip()
    opening = f"${tag}$ " if body.startswith("BEGIN") else f"${tag}$\n"  # declarations start a line
    return f"{opening}{body} ${tag}$"


def qualified_name(name: str | ch.TableName, schema: str | None = None) -> str:
    """`schema.name` quoted where needed: a table name carries its schema (`c.table|qname`), a bare
    name takes one (`c.index.name|qname(c.schema)`)."""
    if isinstance(name, ch.TableName):
        return qualified(name.schema, name.name)
    if schema is None:
        raise TypeError(f"qname: '{name}' needs a schema")
    return qualified(schema, name)


def builtin_templates() -> Path:
    """The shipped templates: inside the package when installed, beside it in a checkout."""
    package = Path(__file__).parents[1]
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


# a cache: one Environment per template folder, so each template is read and compiled once per process
@lru_cache(maxsize=8)
def _environment(override: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [ConfinedLoader(str(override))] if override is not None else []
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates())))
    # A project's templates come with its pull requests and render in CI: the sandbox keeps them
    # from Python's internals (c.__class__..., cycler.__init__.__globals__), files and processes.
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        keep_trailing_newline=False, auto_reload=False)  # compiled once, no stat per use
    env.filters["ident"] = quote_ident
    env.filters["qname"] = qualified_name
    env.filters["literal"] = quote_literal
    env.filters["idents"] = lambda names: ", ".join(quote_ident(n) for n in names)
    env.filters["comment"] = comment_text
    env.filters["dollar_quote"] = dollar_quote
    # types are named with their schema; where an extension's types live is the rendered value
    # `extension_types` (type -> schema), absent in a project's own template macros' callers: none
    env.filters["sql"] = _with_extension_types(expression_sql)  # an Expression as DDL writes it
    env.filters["column_default"] = _with_extension_types(column_default_sql)  # after DEFAULT in a column
    env.filters["sql_type"] = _with_extension_types(sql_type)  # a column type as DDL names it
    env.filters["dotted"] = lambda name: ".".join(quote_ident(p) for p in name.split("."))  # schema.name
    return env


def _with_extension_types(render: Callable[[Any, Mapping[str, str]], str]) -> Callable[..., str]:
    @jinja2.pass_context
    def bound(context: jinja2.runtime.Context, value: Any) -> str:
        return render(value, context.get("extension_types") or {})
    return bound


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `**` and repetition bounded: `{{ 'x' * 10**10 }}` would exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})
    LIMIT = 100_000

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: object, attribute: str) -> object:
        # The sandbox's verdict depends only on the object's type and the attribute's name
        # (underscores, function/frame/generator internals, mutating methods of known
        # containers), so it is remembered: every column of 1,000 tables asks the same few
        # questions. Text goes the sandbox's own way, which also guards str.format.
        kind = type(obj)
        if kind is str or isinstance(obj, str):
            return super().getattr(obj, attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)
        if isinstance(value, MethodType | BuiltinMethodType):
            return super().getattr(obj, attribute)  # a method (str.format among them): checked in full
        safe = self._safe.get((kind, attribute))
        if safe is None:
            safe = self._safe[(kind, attribute)] = self.is_safe_attribute(obj, attribute, value)
        return value if safe else self.unsafe_undefined(obj, attribute)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"exponent {right} is too large in a template")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > self.LIMIT:
                    raise SecurityError(f"repeating a value {count} times makes more than {self.LIMIT} items")
        return super().call_binop(context, operator, left, right)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A project's templates folder, never followed out of it (a symlink to /etc/passwd is no
    template)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        if filename is None or not Path(filename).resolve().is_relative_to(root):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def _template_place(e: Exception, name: str) -> tuple[str, int | None]:
    """The template and line an error happened in: the innermost frame of the traceback that
    Jinja maps back to a template (a macro of an imported template reports that template)."""
    place: tuple[str, int | None] = (name, None)
    tb = e.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = (Path(filename).name, tb.tb_lineno)
        tb = tb.tb_next
    return place


@dataclass(frozen=True, slots=True)
class RenderedBlock:
    """A block of the plan as the migration file writes it."""

    transaction: bool  # BEGIN; ... COMMIT; around it
    statements: tuple[tuple[str, str], ...]  # (comment naming the change, SQL)
    note: str | None


class Renderer:
    def __init__(self, project: Path | None = None) -> None:
        override = project / "templates" if project is not None else None
        self.env = _environment(override if override is not None and override.is_dir() else None)

    def statement(self, change: ch.Change, extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
        """The SQL of one change, ending in ';'. `extension_types`: where the types of the
        extensions of the schema the change leads to live (types.extension_type_schemas)."""
        return self._render(change.template, c=change, extension_types=extension_types).strip()

    def _render(self, name: str, **values: object) -> str:
        """A template rendered; its failure (a syntax error, an unknown name, a sandbox refusal)
        becomes a TemplateProblem naming the file and line."""
        try:
            return self.env.get_template(name).render(**values)
        except jinja2.TemplateNotFound as e:  # an include or import of a template that is not there
            raise TemplateProblem(*_template_place(e, name), f"no template named '{e.name}'") from None
        except jinja2.TemplateSyntaxError as e:
            raise TemplateProblem(e.name or name, e.lineno, e.message or type(e).__name__) from None
        except jinja2.TemplateError as e:
            raise TemplateProblem(*_template_place(e, name), e.message or type(e).__name__) from None
        except Exception as e:  # a template's own arithmetic or call failed: still the template's fault
            raise TemplateProblem(*_template_place(e, name), f"{type(e).__name__}: {e}") from None

    def migration(self, title: str, plan: Plan, notes: list[str],
                  extension_types: Mapping[str, str] = MappingProxyType({})) -> str:
        """A whole migration file: header, then each block of the plan, a transaction a
        BEGIN; ... COMMIT;, each block and statement marked by a `-- schemac:` line that apply
        splits the file at."""
        blocks = [RenderedBlock(b.kind is not BlockKind.OUTSIDE_TRANSACTION,
                                tuple((f"{c.kind} {c.subject}", self.statement(c, extension_types)) for c in b.changes),
                                b.note)
                  for b in plan.blocks]
        # marks are only safe where no statement holds their text (a comment's text may)
        marked = not any(MARK in sql for b in blocks for _, sql in b.statements)
        text = self._render("migration.sql.j2", title=title, notes=notes, blocks=blocks, marked=marked)
        return text.rstrip("\n") + "\n"
