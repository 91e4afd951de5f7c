"""schemac.yaml: the project's optional settings, read with positions like the definitions."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DefinitionError, DefinitionErrors, did_you_mean
from ..model.names import identifier_problem, qualified
from .load import Mapping, load_text

SETTINGS_FILE = "schemac.yaml"
DEFAULT_BIGQUERY_DATASET = "warehouse"
DATASET_VARIABLE = "BIGQUERY_DATASET"  # in the environment: the dataset, over schemac.yaml's
_DATASET = re.compile(r"[A-Za-z0-9_]{1,1024}\Z")  # BigQuery: letters, digits and underscores, up to 1,024
DEFAULT_LOCK_TIMEOUT = 60.0  # seconds apply or rollback waits for another one on the same database


@dataclass(frozen=True, slots=True)
class TableName:
    schema: str
    name: str

    def __str__(self) -> str:
        return qualified(self.schema, self.name)


DEFAULT_MIGRATIONS_TABLE = TableName("public", "schema_migrations")


@dataclass(frozen=True, slots=True)
class Duration:
    """A PostgreSQL time setting, in whole milliseconds (0: no limit), printed in its largest exact unit."""

    ms: int

    def __str__(self) -> str:
        for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)):
            if self.ms and self.ms % size == 0:
                return f"{self.ms // size}{unit}"
        return f"{self.ms}ms" if self.ms else "0"


@dataclass(frozen=True, slots=True)
class MigrationTimeouts:
    """What each compiled migration sets before its statements (SET LOCAL in each transaction).

    lock: how long one statement waits for a lock. A DDL statement queued behind a long
    transaction holds up every query that asks for the table after it, so it gives up early.
    statement: how long one statement may run, its lock waits included: a cap on how long a
    rewrite or scan keeps the table locked.
    """

    lock: Duration = Duration(5_000)
    statement: Duration = Duration(15 * 60_000)


@dataclass(frozen=True, slots=True)
class Settings:
    migrations_table: TableName = DEFAULT_MIGRATIONS_TABLE
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT  # apply_lock_timeout: the wait for another apply, not in SQL
    migration_timeouts: MigrationTimeouts = MigrationTimeouts()
    bigquery_dataset: str = DEFAULT_BIGQUERY_DATASET  # of the warehouse DDL; BIGQUERY_DATASET overrides it


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


def _dataset(value: object) -> str | _Dataset:
    if not isinstance(value, str) or not _DATASET.match(value):
        return (f"bigquery_dataset must be a BigQuery dataset name (letters, digits and underscores, up to "
                f"1,024), not {value!r}")
    return _Dataset(value)


@dataclass(frozen=True, slots=True)
class _Dataset:
    """A checked dataset name (a plain str from a reader is its complaint)."""

    name: str


def is_dataset_name(value: str) -> bool:
    """Whether BigQuery takes `value` as a dataset name (the environment's is checked only when a
    table is in the warehouse: see warehouse/dataset.py)."""
    return _DATASET.match(value) is not None


def _lock_timeout(value: object) -> float | str:
    """Seconds, or a time in PostgreSQL's units like the migration timeouts (5s, 500ms, 2min)."""
    read = _duration("apply_lock_timeout")(value)
    if isinstance(read, str):
        return read.replace("; 0 means no limit", "; 0 means do not wait")
    return read.ms / 1000


# PostgreSQL's units for time settings; a bare number in YAML is seconds, as apply_lock_timeout's
_UNITS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_WITH_UNIT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)\s*")
_MAX_MS = 2**31 - 1  # PostgreSQL keeps these settings as an int of milliseconds


def _duration(key: str) -> Callable[[object], Duration | str]:
    def read(value: object) -> Duration | str:
        why = f"{key} must be a time such as 5s, 500ms, 15min or 1h, or a number of seconds; 0 means no limit"
        if isinstance(value, bool):
            return why
        if isinstance(value, int | float):
            if not 0 <= value < float("inf"):
                return why
            ms = value * 1000
        elif isinstance(value, str) and (m := _WITH_UNIT.fullmatch(value)):
            ms = float(m.group(1)) * _UNITS[m.group(2)]
        else:
            return why
        if abs(ms - round(ms)) > 1e-6:  # 0.3 s is 300.00000000000006 ms in binary
            return f"{key} must be a whole number of milliseconds"
        if round(ms) > _MAX_MS:
            return f"{key} must be at most {Duration(_MAX_MS)} (about 24 days); 0 means no limit"
        return Duration(round(ms))
    return read


_KEYS: dict[str, Callable[[object], object]] = {
    "migrations_table": _table_name, "apply_lock_timeout": _lock_timeout,
    "migration_lock_timeout": _duration("migration_lock_timeout"),
    "migration_statement_timeout": _duration("migration_statement_timeout"), "bigquery_dataset": _dataset}
_FIELDS = {"migrations_table": "migrations_table", "apply_lock_timeout": "lock_timeout",
           "bigquery_dataset": "bigquery_dataset"}
_TIMEOUT_FIELDS = {"migration_lock_timeout": "lock", "migration_statement_timeout": "statement"}
# PostgreSQL's own names, which could mean either lock wait: say which key is which
_AMBIGUOUS = {
    "lock_timeout": " (migration_lock_timeout: PostgreSQL's lock_timeout, set in each migration; "
                    "apply_lock_timeout: how long apply waits for another apply)",
    "statement_timeout": " (did you mean 'migration_statement_timeout'? It sets PostgreSQL's statement_timeout "
                         "in each migration)",
}


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
    timeouts: dict[str, Duration] = {}
    for key, given in body.items():
        read = _KEYS.get(key)
        if read is None:
            line, col = body.key_pos[key]
            errors.append(DefinitionError(SETTINGS_FILE, line, col,
                                          f"unknown setting '{key}'{_AMBIGUOUS.get(key) or did_you_mean(key, _KEYS)}"))
            continue
        # a plain scalar as written: a table named 2024 or on is text, not a number or true
        value = read(body.raw.get(key, given) if key == "migrations_table" else given)
        if isinstance(value, _Dataset):
            values[_FIELDS[key]] = value.name
        elif isinstance(value, str):
            line, col = body.value_pos[key]
            errors.append(DefinitionError(SETTINGS_FILE, line, col, value))
        elif isinstance(value, Duration):
            timeouts[_TIMEOUT_FIELDS[key]] = value
        else:
            values[_FIELDS[key]] = value
    if errors:
        raise DefinitionErrors(errors)
    return Settings(**values, migration_timeouts=MigrationTimeouts(**timeouts))  # type: ignore[arg-type]


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
