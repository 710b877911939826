"""The progress of a load on standard error: a bar on a terminal, lines of text otherwise (a
load piped to a log says how far it got)."""

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

__all__ = ["EVERY_FRACTION", "EVERY_SECONDS", "ProgressLines", "progress_reporter"]

Progress = Callable[[str, int, int], None]
"""`db.loaders.registry.Progress` (not imported: it would load the loaders with the CLI)."""

EVERY_SECONDS = 10.0
EVERY_FRACTION = 0.1


class ProgressLines:
    """Progress as lines for a log: one for a stage when a tenth more of it is done or
    `EVERY_SECONDS` passed since its last line, and one when it ends. Nothing for a stage that
    is only starting, so a load refused while reading its files prints only its error."""

    def __init__(
        self, write: Callable[[str], None], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._write, self._clock = write, clock
        self._start = clock()
        self._last: dict[str, tuple[float, int]] = {}
        self._ended: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage in self._ended:
            return
        now = self._clock()
        at, before = self._last.setdefault(stage, (now, 0))
        ended = done >= total
        if not (ended or done - before >= total * EVERY_FRACTION or now - at >= EVERY_SECONDS):
            return
        self._last[stage] = (now, done)
        if ended:
            self._ended.add(stage)
        if total > 1:
            share = f"{done} of {total} ({100 * done // total}%)"
        else:
            share = "done" if ended else "under way"
        self._write(f"{stage}: {share}, {now - self._start:.0f} s")


@contextmanager
def progress_reporter() -> Iterator[Progress]:
    """A bar when standard error is a terminal, `ProgressLines` on it otherwise."""
    if not sys.stderr.isatty():
        yield ProgressLines(lambda line: typer.echo(line, err=True))
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield update
