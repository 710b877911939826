"""The server's log: its level and format from the settings, written off the event loop.

Every record of the `partnergraph` (and `strawberry`) loggers is made into its line where it is
logged, by a `QueueHandler` whose queue a thread of its own (`_Writer`) empties every 0.2 s, in
one write (`configure_logging`): the event loop never waits on the log's stream, however slow
the disk or pipe behind it.

The per-request line (`request_line`, on `partnergraph.request`) is the one record made on every
request, so it takes a shorter road: when that handler is the only one its record would reach
(no other handler on the way to the root, no filter: how the server runs), the loop appends the
request's facts to the writer's queue as they are, a tuple and a `deque.append`, and the writer
makes the line from them with the handler's formatter, the same line a record would have made.
No `LogRecord`, no handler lock, no JSON on the loop. Otherwise (a test's capturing handler, an
operator's own `logging` set-up), the line goes through `logging` as any record, made from a
template record (`_record`) at a fraction of `Logger.makeRecord`'s cost.

Why only the request line moves to the writer: Python threads share one interpreter lock, so
work moved to a thread is not saved, only work not done is; the line's record and the logging
machinery are skipped, and the JSON the writer makes for a batch of lines takes the lock a few
times per batch, not once per line. (Formatting every record in a listener woken per record,
as `QueueListener` does, measured 10-25% slower: docs/operations.md, "What watching costs".)

Formats: `json`, one object a line (`time`, `level`, `logger`, then the request's fields or the
`message`, and `exception` with the traceback); `text`, the same as `key=value` pairs.
"""

import collections
import contextlib
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
    return _fields(facts, method, path, status, duration)


def _fields(
    facts: RequestFacts, method: str, path: str, status: int, duration: float
) -> dict[str, Any]:
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


_Entry = tuple[float, RequestFacts, str, str, int, float]
"""A request line not made yet: when, the request's facts, method, path, status, duration."""


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
        writer = _direct_writer()
        if writer is not None:
            writer.put_nowait((time.time(), facts, method, path, status, seconds))
        else:
            _log.handle(_record(facts, (method, path, status, seconds)))


_parent = logging.getLogger("partnergraph")
_root = logging.getLogger()
_route: "tuple[_Enqueue, _Writer] | None" = None
"""The handler `configure_logging` set up and its writer."""


def _direct_writer() -> "_Writer | None":
    """The writer, when the request line's record would reach our handler and nothing else (no
    filter, no other handler on `partnergraph.request`, `partnergraph` or the root): then the
    writer can make the line from the facts, as the handler would from the record."""
    route = _route
    if route is None:
        return None
    handler, writer = route
    handlers = _parent.handlers
    if (
        _log.handlers
        or _log.filters
        or not _log.propagate
        or _parent.filters
        or handler.filters
        or len(handlers) != 1
        or handlers[0] is not handler
        or (_parent.propagate and _root.handlers)
        or handler.level > logging.INFO
    ):
        return None
    return writer


_stamp: tuple[int, str] = (0, "")
"""The last second a line was made in, and its text."""


def _when(created: float) -> str:
    global _stamp
    seconds = int(created)
    stamp = _stamp
    if stamp[0] != seconds:
        stamp = _stamp = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return f"{stamp[1]}.{int((created - seconds) * 1000):03d}Z"


class _RequestFormatter(logging.Formatter):
    def format_request(self, entry: _Entry) -> str:
        """The line of a request that `request_line` handed to the writer as it was."""
        raise NotImplementedError


class JsonFormatter(_RequestFormatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": _when(record.created), "level": record.levelname}
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

    def format_request(self, entry: _Entry) -> str:
        created, facts, method, path, status, duration = entry
        line: dict[str, Any] = {"time": _when(created), "level": "INFO", "logger": REQUEST_LOGGER}
        line.update(_fields(facts, method, path, status, duration))
        return orjson.dumps(line, default=str).decode()


class TextFormatter(_RequestFormatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = request_fields(record)
        message = record.getMessage() if fields is None else _text(fields)
        text = f"{_when(record.created)} {record.levelname} {record.name} {message}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        return text

    def format_request(self, entry: _Entry) -> str:
        created, facts, method, path, status, duration = entry
        fields = _fields(facts, method, path, status, duration)
        return f"{_when(created)} INFO {REQUEST_LOGGER} {_text(fields)}"


def _text(fields: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)


class _Enqueue(QueueHandler):
    """Puts each record's line, made now, on the writer's queue (and leaves the record as it
    was for any other handler)."""

    def prepare(self, record: logging.LogRecord) -> Any:
        return self.format(record) + "\n"


class _Writer:
    """Lines put by the loop (made, or request lines still to make with `formatter`), written by
    a thread of its own every `interval` seconds, all that are waiting in one write; putting one
    wakes no thread."""

    def __init__(self, stream: TextIO, formatter: _RequestFormatter, interval: float = 0.2) -> None:
        self.stream = stream
        self.formatter = formatter
        self.interval = interval
        self._lines: collections.deque[str | _Entry] = collections.deque()
        self._writing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="partnergraph-log", daemon=True)
        self._thread.start()

    def put_nowait(self, line: str | _Entry) -> None:
        self._lines.append(line)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.write()
        self.write()

    def write(self) -> None:
        """Writes every line waiting now."""
        with self._writing:
            lines: list[str] = []
            take = self._lines.popleft
            make = self.formatter.format_request
            while True:
                try:
                    line = take()
                except IndexError:
                    break
                if isinstance(line, str):
                    lines.append(line)
                else:
                    # a line that cannot be made must not stop the others
                    with contextlib.suppress(Exception):
                        lines.append(make(line) + "\n")
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
    global _writer, _route
    with _lock:
        formatter: _RequestFormatter = (
            JsonFormatter() if settings.log_format is LogFormat.JSON else TextFormatter()
        )
        writer = _Writer(stream or sys.stderr, formatter)
        handler = _Enqueue(writer)  # type: ignore[arg-type]
        handler.name = _HANDLER_NAME
        handler.setFormatter(formatter)
        for name in ("partnergraph", "strawberry"):
            logger = logging.getLogger(name)
            logger.setLevel(settings.log_level.upper())
            for old in [h for h in logger.handlers if h.name == _HANDLER_NAME]:
                logger.removeHandler(old)
            logger.addHandler(handler)
        _route = (handler, writer)
        if _writer is not None:
            _writer.stop()
        _writer = writer


def flush_logs() -> None:
    """Writes every line logged so far."""
    with _lock:
        if _writer is not None:
            _writer.write()
