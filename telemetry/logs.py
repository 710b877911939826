"""The server's log: its level and format from the settings, written off the event loop.

Every record of the `partnergraph` (and `strawberry`) loggers is made into its line where it is
logged, by a `QueueHandler` whose queue a thread of its own (`_Writer`) empties every 0.2 s, in
one write (`configure_logging`): the event loop never waits on the log's stream, however slow
the disk or pipe behind it. The per-request line (`request_line`, on `partnergraph.request`)
costs the loop a record made from a template, its JSON (orjson, a few microseconds) and a
`deque.append` (docs/operations.md, "Logs").

Why the line is made on the loop and not in the writer, as `QueueListener` would: Python threads
share one interpreter lock, so work moved to a thread is not saved, and a thread that takes the
lock many times a second stalls the loop each time it waits its turn. With a listener that
formatted each record (woken per record, or every 50 ms) the portal and directory benchmarks
measured 10-25% slower, in runs that a busy 2-core machine made unreliable (docs/operations.md,
"What watching costs"); the writer here takes the lock a few times per batch either way.

Formats: `json`, one object a line (`time`, `level`, `logger`, then the request's fields or the
`message`, and `exception` with the traceback); `text`, the same as `key=value` pairs.
"""

import collections
import logging
import sys
import threading
import time
from logging.handlers import QueueHandler
from typing import Any, TextIO, cast

import orjson

from settings import LogFormat, Settings
from telemetry.facts import RequestFacts

__all__ = [
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "flush_logs",
    "request_fields",
    "request_line",
]

REQUEST_LOGGER = "partnergraph.request"
_log = logging.getLogger(REQUEST_LOGGER)
_HANDLER_NAME = "partnergraph.queue"


def request_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """The fields of a request line, or `None` for any other record."""
    facts = getattr(record, "facts", None)
    if not isinstance(facts, RequestFacts):
        return None
    method, path, status, duration = cast(tuple[str, str, int, float], record.args)
    return {
        "requestId": facts.request_id,
        "method": method,
        "path": path,
        "operationName": facts.operation,
        "road": facts.road,
        "tokenId": facts.token_id,
        "status": status,
        "code": facts.refusal or facts.code,
        "cost": facts.cost,
        "statements": facts.statements,
        "sqlMs": round(facts.sql_seconds * 1000, 2),
        "durationMs": round(duration * 1000, 2),
    }


_FIXED: dict[str, Any] = {}
"""The attributes every request line's record shares, taken from a record made once."""


def _record(facts: RequestFacts, args: tuple[str, str, int, float]) -> logging.LogRecord:
    """A `LogRecord` as `Logger.makeRecord` would make it, for a fraction of the cost: the
    thread, process and file names are asked once (request lines are all made on the event
    loop's thread), not per request."""
    if not _FIXED:
        made = logging.LogRecord(
            REQUEST_LOGGER, logging.INFO, __file__, 0, _MESSAGE, None, None, "request_line"
        )
        _FIXED.update(vars(made))
    record = logging.LogRecord.__new__(logging.LogRecord)
    attributes = record.__dict__
    attributes.update(_FIXED)
    now = time.time()
    attributes["created"] = now
    attributes["msecs"] = int((now - int(now)) * 1000) + 0.0
    attributes["relativeCreated"] += (now - _FIXED["created"]) * 1000
    attributes["args"] = args
    attributes["facts"] = facts
    return record


_MESSAGE = "%s %s %s %.4fs"


def request_line(facts: RequestFacts, method: str, path: str, status: int, seconds: float) -> None:
    """Logs one answered request (at `info`)."""
    if _log.isEnabledFor(logging.INFO):
        _log.handle(_record(facts, (method, path, status, seconds)))


_stamp: tuple[int, str] = (0, "")
"""The last second a line was made in, and its text."""


def _when(record: logging.LogRecord) -> str:
    global _stamp
    seconds = int(record.created)
    stamp = _stamp
    if stamp[0] != seconds:
        stamp = _stamp = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return f"{stamp[1]}.{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": _when(record), "level": record.levelname}
        line["logger"] = record.name
        fields = request_fields(record)
        if fields is not None:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = request_fields(record)
        if fields is None:
            message = record.getMessage()
        else:
            message = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        text = f"{_when(record)} {record.levelname} {record.name} {message}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        return text


class _Enqueue(QueueHandler):
    """Puts each record's line, made now, on the writer's queue (and leaves the record as it
    was for any other handler)."""

    def prepare(self, record: logging.LogRecord) -> Any:
        return self.format(record) + "\n"


class _Writer:
    """Lines put by the loop, written by a thread of its own every `interval` seconds, all
    that are waiting in one write; putting one wakes no thread."""

    def __init__(self, stream: TextIO, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self._lines: collections.deque[str] = collections.deque()
        self._writing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="partnergraph-log", daemon=True)
        self._thread.start()

    def put_nowait(self, line: str) -> None:
        self._lines.append(line)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.write()
        self.write()

    def write(self) -> None:
        """Writes every line waiting now."""
        with self._writing:
            lines = []
            take = self._lines.popleft
            while True:
                try:
                    lines.append(take())
                except IndexError:
                    break
            if lines:
                try:
                    self.stream.write("".join(lines))
                    self.stream.flush()
                except Exception:  # a log that cannot be written must not stop the server
                    pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_lock = threading.Lock()
_writer: _Writer | None = None


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """The `partnergraph` and `strawberry` loggers at `log_level`, written to `stream`
    (stderr by default) in `log_format` by one writer thread; called again, it replaces the
    previous set-up (after writing what was waiting)."""
    global _writer
    with _lock:
        writer = _Writer(stream or sys.stderr)
        handler = _Enqueue(writer)  # type: ignore[arg-type]
        handler.name = _HANDLER_NAME
        handler.setFormatter(
            JsonFormatter() if settings.log_format is LogFormat.JSON else TextFormatter()
        )
        for name in ("partnergraph", "strawberry"):
            logger = logging.getLogger(name)
            logger.setLevel(settings.log_level.upper())
            for old in [h for h in logger.handlers if h.name == _HANDLER_NAME]:
                logger.removeHandler(old)
            logger.addHandler(handler)
        if _writer is not None:
            _writer.stop()
        _writer = writer


def flush_logs() -> None:
    """Writes every line logged so far."""
    with _lock:
        if _writer is not None:
            _writer.write()
