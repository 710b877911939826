"""What the browser tests share: Debian's Chromium (or a skip, a failure when
PARTNERGRAPH_REQUIRE_BROWSER=1), the flags it runs with on a machine without internet, and an
app served by uvicorn in a thread on a free port of 127.0.0.1."""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

__all__ = ["ARGS", "CHROMIUM", "REQUIRE_BROWSER", "chromium", "serving", "wait_for"]

CHROMIUM = Path(os.environ.get("PARTNERGRAPH_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("PARTNERGRAPH_REQUIRE_BROWSER") == "1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium, or a skip (a failure when PARTNERGRAPH_REQUIRE_BROWSER=1)."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing (apt-get install chromium); PARTNERGRAPH_REQUIRE_BROWSER=1"
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} is set, so the browser test must run")
    pytest.skip(f"{reason} makes this a failure")


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """`app` under uvicorn, in a thread, on a socket bound here to a free port of 127.0.0.1;
    its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, "uvicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def wait_for(condition: Callable[[], bool], message: str, seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(message)
