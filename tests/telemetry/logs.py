"""Reading the request log the way an operator does: the lines the handler wrote."""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from settings import LogFormat, Settings
from telemetry.logs import configure_logging, flush_logs
from tests.conftest import TEST_SETTINGS

__all__ = ["Written", "written_log"]


class Written:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        flush_logs()
        return self.stream.getvalue()

    def lines(self, logger: str | None = None) -> list[dict[str, Any]]:
        """Every JSON line written (of `logger` only, if given)."""
        found = [json.loads(line) for line in self.text().splitlines() if line]
        return [line for line in found if logger is None or line["logger"] == logger]

    def requests(self) -> list[dict[str, Any]]:
        return self.lines("partnergraph.request")


@contextmanager
def written_log(log_format: LogFormat = LogFormat.JSON) -> Iterator[Written]:
    """What the server's log handler writes, in `log_format`, while inside; set up after the
    app is made (which sets up its own)."""
    stream = io.StringIO()
    configure_logging(Settings(log_format=log_format), stream)
    try:
        yield Written(stream)
    finally:
        configure_logging(TEST_SETTINGS)
