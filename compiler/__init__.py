"""schemac: a declarative YAML schema compiler for PostgreSQL."""
