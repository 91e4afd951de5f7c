"""drift: the live database against state.json, in words and as the SQL that would reconcile it."""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import changes as ch
from .database import connect
from .diff import diff
from .introspect import introspect
from .migrations_table import check_table
from .project import Project
from .render import Renderer
from .scratch import canonical
from .settings import Settings
from .state import load_state
from .throwaway import dev_server
from .types import extension_type_schemas

# How each kind of change reads as a difference found in the database.
_WORDS: dict[type[ch.Change], str] = {
    ch.CreateSchema: "schema {s} is missing",
    ch.DropSchema: "schema {s} is not in the definitions",
    ch.CreateExtension: "extension {s} is not installed",
    ch.DropExtension: "extension {s} is installed but not declared",
    ch.SetExtensionSchema: "extension {s} is installed in another schema",
    ch.CreateEnum: "enum {s} is missing",
    ch.DropEnum: "enum {s} is not in the definitions",
    ch.RenameEnum: "enum {s} has other values or another order",
    ch.AddEnumValue: "enum value {s} is missing",
    ch.CreateTable: "table {s} is missing",
    ch.DropTable: "table {s} is not in the definitions",
    ch.AddColumn: "column {s} is missing",
    ch.DropColumn: "column {s} is not in the definitions",
    ch.AlterColumnType: "column {s} has another type",
    ch.SetCollation: "column {s} has another collation",
    ch.SetSequenceOptions: "the sequence of column {s} has other options",
    ch.SetNotNull: "column {s} allows NULL but should be NOT NULL",
    ch.DropNotNull: "column {s} is NOT NULL but should allow NULL",
    ch.SetDefault: "column {s} has another default or none",
    ch.DropDefault: "column {s} has a default it should not have",
    ch.AddIdentity: "column {s} should be an identity column",
    ch.DropIdentity: "column {s} is an identity column but should not be",
    ch.SetIdentity: "identity column {s} has the other kind (always / by default)",
    ch.AddSerial: "column {s} should be serial",
    ch.DropSerial: "column {s} is serial but should not be",
    ch.SetSequenceType: "the sequence of serial column {s} has another integer type",
    ch.SerialToIdentity: "column {s} is serial but should be an identity column",
    ch.IdentityToSerial: "column {s} is an identity column but should be serial",
    ch.DropGeneration: "column {s} is generated but should not be",
    ch.AddSerial: "column {s} should be serial (a sequence of its own as its default)",
    ch.DropSerial: "column {s} is serial but should not be",
    ch.SetTableComment: "table {s} has another comment",
    ch.SetColumnComment: "column {s} has another comment",
    ch.AddConstraint: "constraint {s} is missing or differs",
    ch.DropConstraint: "constraint {s} is not in the definitions or differs",
    ch.AddForeignKey: "foreign key {s} is missing or differs",
    ch.DropForeignKey: "foreign key {s} is not in the definitions or differs",
    ch.CreateIndex: "index {s} is missing or differs",
    ch.DropIndex: "index {s} is not in the definitions or differs",
    ch.RenameConstraint: "constraint {s} has another name",
    ch.RenameIndex: "index {s} has another name",
    ch.RenameTable: "table {s} has another name",
    ch.RenameColumn: "column {s} has another name",
    ch.RenameSequence: "sequence {s} has another name",
    ch.SetForeignKeyDeferrable: "foreign key {s} is deferrable or deferred otherwise",
    ch.SetConstraintComment: "constraint {s} has another comment",
    ch.SetEnumComment: "enum {s} has another comment",
    ch.SetIndexStorage: "index {s} has other storage parameters",
    ch.SetIndexComment: "index {s} has another comment",
}


@dataclass(frozen=True, slots=True)
class Drift:
    differences: list[str]
    sql: str


def in_words(change: ch.Change) -> str:
    """A difference, said as what is wrong in the database."""
    return _WORDS[type(change)].format(s=change.subject)


def find_drift(project: Project, url: str, settings: Settings, dev_url: str | None = None) -> Drift:
    """Compare the live schema with state.json (both as PostgreSQL spells them); the reference
    copy is built on a throwaway database (see throwaway.dev_server for which server)."""
    state = load_state(project.read_state_bytes())
    with connect(url) as conn:
        check_table(conn, settings.migrations_table)  # left out below only when it is schemac's
        live = introspect(conn, settings.migrations_table)
    # the schemas extensions are declared in, not where a reference copy made like the live one has them
    wanted = replace(canonical(state.schema, dev_server(dev_url, url)), extensions=state.schema.extensions)
    changes = diff(live, wanted)
    if not changes:
        return Drift([], "")
    sql = Renderer(project.root).migration("reconcile the database with generated/state.json", changes, [],
                                           extension_type_schemas(wanted.extensions.values()))
    return Drift([in_words(c) for c in changes], sql)
