"""SIGTERM and SIGINT as an exception, so that `finally` blocks (dropping a throwaway database) run.

The exception can land anywhere, also inside the database driver halfway through a query; what
that connection's cleanup raises next (`another command is already in progress`) is a consequence,
not a failure: `received` remembers the signal, so the command still ends as interrupted.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CAUGHT = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """The process was asked to stop. A BaseException, like KeyboardInterrupt: no `except Exception`
    on the way up may swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a process ended by the signal


# The signals raised as Interrupted during this command, oldest first. Module state on purpose:
# signal handlers are process-wide, and the handler has nowhere else to leave what it saw;
# `forget()` empties it when a command starts.
received: list[int] = []


def forget() -> None:
    """A new command starts: no signal has come yet."""
    received.clear()


def _raise(signum: int, frame: object) -> None:
    received.append(signum)
    raise Interrupted(signum)


class _QuietOnceInterrupted(logging.Handler):
    """The driver logs the rollbacks it could not do on a connection a signal left mid-query
    (`error ignored in rollback`): expected then, and not for the user. Otherwise its warnings go
    to stderr as without this handler (logging's last resort)."""

    def emit(self, record: logging.LogRecord) -> None:
        if not received and logging.lastResort is not None:
            logging.lastResort.handle(record)


# on the driver's parent logger: its modules' loggers (psycopg.transaction...) propagate to it
logging.getLogger("psycopg").addHandler(_QuietOnceInterrupted(logging.WARNING))


def defer_to_exit() -> None:
    """From here to the end of the process SIGTERM and SIGINT are ignored: the command's work is
    complete, and ending it now would only make its outcome unclear. Ignored, not handled: at
    exit Python puts its own handlers back to the default, which a late signal would still kill."""
    if threading.current_thread() is threading.main_thread():
        for s in CAUGHT:
            signal.signal(s, signal.SIG_IGN)


@contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise Interrupted; the previous handlers come back after.

    Outside the main thread Python cannot install handlers; there the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in CAUGHT}
    try:
        yield
    finally:
        for s, handler in previous.items():
            if signal.getsignal(s) is _raise:  # else defer_to_exit was called in the block: it stays
                signal.signal(s, handler)


@contextmanager
def signals_held() -> Iterator[None]:
    """Within the block (cleanup), SIGTERM and SIGINT wait; one that came is raised after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in CAUGHT}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if pending:
        handler = previous[signal.Signals(pending[0])]
        if callable(handler):
            handler(pending[0], None)
        elif handler != signal.SIG_IGN:
            raise Interrupted(pending[0])
