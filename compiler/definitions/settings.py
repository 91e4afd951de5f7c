"""schemac.yaml: the project's optional settings, read with positions like the definitions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DefinitionError, DefinitionErrors, did_you_mean
from ..model.names import identifier_problem, qualified
from .load import Mapping, load_text

SETTINGS_FILE = "schemac.yaml"
DEFAULT_LOCK_TIMEOUT = 60.0  # seconds apply or rollback waits for another one on the same database


@dataclass(frozen=True, slots=True)
class TableName:
    schema: str
    name: str

    def __str__(self) -> str:
        return qualified(self.schema, self.name)


DEFAULT_MIGRATIONS_TABLE = TableName("public", "schema_migrations")


@dataclass(frozen=True, slots=True)
class Settings:
    migrations_table: TableName = DEFAULT_MIGRATIONS_TABLE
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT


def _table_name(text: object) -> TableName | str:
    """`name` or `schema.name` -> TableName, or why it is not one."""
    if not isinstance(text, str):
        return "migrations_table must be a table name such as schema_migrations or ops.schema_migrations"
    parts = text.split(".")
    if len(parts) > 2:
        return f"migrations_table '{text}' has more than one '.'; write schema.table"
    for part in parts:
        problem = identifier_problem(part)
        if problem:
            return f"migrations_table '{text}': {problem}"
    return TableName(*parts) if len(parts) == 2 else TableName("public", parts[0])


def _lock_timeout(value: object) -> float | str:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return "apply_lock_timeout must be a number of seconds, 0 or more (0: do not wait)"
    return float(value)


_KEYS = {"migrations_table": _table_name, "apply_lock_timeout": _lock_timeout}
_FIELDS = {"migrations_table": "migrations_table", "apply_lock_timeout": "lock_timeout"}


def parse_settings(text: str) -> Settings:
    """The settings in `text` (the contents of schemac.yaml); DefinitionErrors for any problem."""
    errors: list[DefinitionError] = []
    docs = load_text(text, SETTINGS_FILE, errors)
    if errors:
        raise DefinitionErrors([DefinitionError(e.path, e.line, e.col, "schemac.yaml must be a mapping of settings, "
                                                "one 'key: value' a line")
                                if e.message.startswith("a definition must be a mapping") else e for e in errors])
    if not docs:
        return Settings()
    if len(docs) > 1:
        line, col = docs[1].body.pos
        raise DefinitionErrors([DefinitionError(SETTINGS_FILE, line, col, "schemac.yaml holds one document")])
    body: Mapping = docs[0].body
    values: dict[str, object] = {}
    for key, given in body.items():
        read = _KEYS.get(key)
        if read is None:
            line, col = body.key_pos[key]
            errors.append(DefinitionError(SETTINGS_FILE, line, col,
                                          f"unknown setting '{key}'{did_you_mean(key, _KEYS)}"))
            continue
        # a plain scalar as written: a table named 2024 or on is text, not a number or true
        value = read(body.raw.get(key, given) if key == "migrations_table" else given)
        if isinstance(value, str):
            line, col = body.value_pos[key]
            errors.append(DefinitionError(SETTINGS_FILE, line, col, value))
        else:
            values[_FIELDS[key]] = value
    if errors:
        raise DefinitionErrors(errors)
    return Settings(**values)  # type: ignore[arg-type]


def load_settings(root: Path) -> Settings:
    """The project's schemac.yaml, or the defaults when there is none."""
    path = root / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except UnicodeDecodeError as e:
        raise DefinitionErrors([DefinitionError(SETTINGS_FILE, 1, 1, f"file is not UTF-8 text ({e.reason})")]) from None
    return parse_settings(text)
