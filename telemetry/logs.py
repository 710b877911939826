"""The server's log: its level and format from the settings, written off the event loop.

Every record of the `partnergraph` loggers goes through a `QueueHandler` into a queue, and a
`QueueListener` thread formats and writes it (`configure_logging`): the event loop never waits
on the log's stream. The per-request line (`request_line`, on `partnergraph.request`) carries
the request's `RequestFacts` as they are, and is turned into text only in that thread: the loop
pays for a record and a queue put, nothing more (docs/operations.md, "Logs").

Formats: `json`, one object a line (`time`, `level`, `logger`, then the request's fields or the
`message`, and `exception` with the traceback); `text`, the same as `key=value` pairs.
"""

import collections
import copy
import logging
import queue
import sys
import threading
import time
from logging.handlers import QueueHandler, QueueListener
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
    """Logs one answered request (at `info`), formatted later, in the listener's thread."""
    if _log.isEnabledFor(logging.INFO):
        _log.handle(_record(facts, (method, path, status, seconds)))


_second: list[Any] = [None, ""]
"""The last second formatted, and its text (formatted in the listener's thread only)."""


def _when(record: logging.LogRecord) -> str:
    seconds = int(record.created)
    if _second[0] != seconds:
        _second[:] = [seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))]
    return f"{_second[1]}.{int(record.msecs):03d}Z"


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
    """Puts records on the queue as they are; `QueueHandler` would format each one first, on
    the caller's thread. A record with arguments other than the request line's has its message
    made now (the arguments may change later) and its traceback kept as text."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        if hasattr(record, "facts") or not (record.args or record.exc_info):
            return record
        record = copy.copy(record)  # other handlers (the root's) see the record unchanged
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record


class _Pending:
    """The queue between the handler and the listener, which nobody waits on: a put is a
    `deque.append` that wakes no thread, and the listener looks every `interval` seconds and
    takes everything there. A queue that woke the listener at each record cost the loop a
    thread switch per request."""

    def __init__(self, interval: float = 0.05) -> None:
        self._items: collections.deque[Any] = collections.deque()
        self.interval = interval

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)

    def get(self, block: bool = True) -> Any:
        while True:
            try:
                return self._items.popleft()
            except IndexError:
                if not block:
                    raise queue.Empty from None
                time.sleep(self.interval)

    def empty(self) -> bool:
        return not self._items


class _Writer(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes records to the stream, flushing once the queue is drained, not after each one."""

    def __init__(self, stream: TextIO, pending: _Pending) -> None:
        super().__init__(stream)
        self._pending = pending

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
            if self._pending.empty():
                self.stream.flush()
        except Exception:
            self.handleError(record)


_lock = threading.Lock()
_listener: QueueListener | None = None


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """The `partnergraph` and `strawberry` loggers at `log_level`, written to `stream`
    (stderr by default) in `log_format` by one listener thread; called again, it replaces the
    previous set-up (after writing what was pending)."""
    global _listener
    with _lock:
        pending = _Pending()
        writer = _Writer(stream or sys.stderr, pending)
        formatter = JsonFormatter() if settings.log_format is LogFormat.JSON else TextFormatter()
        writer.setFormatter(formatter)
        handler = _Enqueue(pending)
        handler.name = _HANDLER_NAME
        for name in ("partnergraph", "strawberry"):
            logger = logging.getLogger(name)
            logger.setLevel(settings.log_level.upper())
            for old in [h for h in logger.handlers if h.name == _HANDLER_NAME]:
                logger.removeHandler(old)
            logger.addHandler(handler)
        if _listener is not None:
            _listener.stop()
        _listener = QueueListener(pending, writer)
        _listener.start()


def flush_logs() -> None:
    """Waits until every record logged so far is written (stops and restarts the listener)."""
    with _lock:
        if _listener is not None:
            _listener.stop()
            _listener.start()
