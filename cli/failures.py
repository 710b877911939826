"""Failures told as a person can act on them: what is wrong and what to do, one or two lines on
standard error and a non-zero exit code; the traceback only with `partnergraph --debug`."""

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import typer

__all__ = ["DATABASE_ERROR", "DEBUG", "INPUT_ERROR", "Failure", "reported", "run"]

INPUT_ERROR = 1
"""The exit code of a failure to fix in the command or its environment: a registry file refused
(nothing was written), DATABASE_URL, the SQLite folder, the port."""
DATABASE_ERROR = 3
"""The exit code of a failure of the database: unreachable, missing, migrated by a newer
partnergraph, or refusing a write (the failing transaction was rolled back)."""

T = TypeVar("T")


class Failure(Exception):
    """A failure explained: its message says what is wrong and what to do. Raised `from` the
    error it explains, which `--debug` shows."""

    def __init__(self, message: str, code: int = INPUT_ERROR) -> None:
        super().__init__(message)
        self.code = code


DEBUG: ContextVar[bool] = ContextVar("DEBUG", default=False)
"""Whether the global `--debug` option was given (set by the command line's callback on every
run)."""


@contextmanager
def reported() -> Iterator[None]:
    """End the command on a `Failure` raised inside with `error: <message>` on standard error
    and its exit code; with `--debug`, let it (and the error it explains) through."""
    try:
        yield
    except Failure as failure:
        if DEBUG.get():
            raise
        typer.echo(f"error: {failure}", err=True)
        raise typer.Exit(failure.code) from None


def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's async work, its failures `reported`."""
    import asyncio

    with reported():
        return asyncio.run(work())
