"""schemac seed: generated/seeds.sql loaded into a database, all of it or nothing."""
from __future__ import annotations

from ..errors import DatabaseError
from .database import connect


def load_seeds(url: str, sql: str) -> None:
    """Run seeds.sql (BEGIN; ... COMMIT; as compile writes it) as one transaction.

    It goes to the server as one simple query: at the first failing statement PostgreSQL skips the
    rest, the transaction is aborted and closing the connection rolls it back, so a failure leaves
    no row of the seeds behind. DatabaseError carries PostgreSQL's message."""
    try:
        with connect(url) as conn:
            conn.execute(sql.encode())  # bytes: sent as written, no client-side placeholders
    except DatabaseError as e:
        raise DatabaseError(f"generated/seeds.sql failed and was rolled back: {e}") from None
