"""One checkout's application in process, answering requests on command and telling the CPU
time they took (`bench.overhead --in-process` starts one per checkout).

Run with the checkout's own Python, from the checkout, as `python -c` of this file's text: it
imports only what every version of the application has (`app.create_app`), so an older checkout
runs it as well. Reads commands from stdin, one JSON object a line:
`{"body": "...", "headers": [[name, value], ...], "requests": N, "concurrency": C}`, and
answers each with `{"cpu_ms": ..., "wall_ms": ..., "errors": ...}`: the process's CPU time
(every thread: the log writer's included) per request. Requests are ASGI calls made by hand (no
HTTP client, no sockets), so the CPU measured is the server's alone; the application runs with
its lifespan (background tasks such as the metrics' sampler included).
"""

import asyncio
import gc
import json
import os
import sys
import time
from typing import Any


async def _call(app: Any, scope: dict[str, Any], body: bytes) -> tuple[int, bytes]:
    sent = False
    done = asyncio.Event()
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(dict(scope), receive, send)
    done.set()
    return status, b"".join(chunks)


_gc = {"started": 0.0, "seconds": 0.0, "full": 0, "collections": 0}


def _timed(phase: str, info: dict[str, Any]) -> None:
    """Time spent collecting garbage (`gc.callbacks`), and how many collections, full ones apart."""
    if phase == "start":
        _gc["started"] = time.process_time()
    else:
        _gc["seconds"] += time.process_time() - _gc["started"]
        _gc["collections"] += 1
        if info["generation"] == 2:
            _gc["full"] += 1


async def main() -> None:
    gc.callbacks.append(_timed)
    if os.environ.get("BENCH_WATCH_OFF"):  # parts of watching off (this checkout's bench)
        from bench.watch_off import apply

        apply()
    from app import create_app

    app = create_app()
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    blocks = 0
    async with app.router.lifespan_context(app):
        print(json.dumps({"ready": True}), flush=True)
        while line := await reader.readline():
            command = json.loads(line)
            body = command["body"].encode()
            headers = [(k.lower().encode(), v.encode()) for k, v in command["headers"]]
            headers += [
                (b"host", b"bench"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            scope = {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/graphql",
                "raw_path": b"/graphql",
                "query_string": b"",
                "root_path": "",
                "headers": headers,
                "client": ("127.0.0.1", 40000),
                "server": ("127.0.0.1", 8000),
                "state": {},
            }
            requests, concurrency = command["requests"], command["concurrency"]
            errors = 0

            async def worker(count: int, scope: dict[str, Any], body: bytes) -> None:
                nonlocal errors
                for i in range(count):
                    status, answer = await _call(app, scope, body)
                    # the answer read through once a task, not at each request (its CPU time)
                    if status != 200 or (i == 0 and b'"errors"' in answer):
                        errors += 1

            shares = [requests // concurrency] * concurrency
            _gc.update(seconds=0.0, full=0, collections=0)
            profile = os.environ.get("BENCH_CPROFILE")
            if profile:  # call counts of the block (the event loop's thread), to compare
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            system = os.times().system
            await asyncio.gather(*(worker(n, scope, body) for n in shares))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            system = os.times().system - system
            if profile:
                profiler.disable()
                blocks += 1
                profiler.dump_stats(f"{profile}.{blocks}")
            done = sum(shares)
            print(
                json.dumps(
                    {
                        "cpu_ms": cpu * 1000 / done,
                        "sys_ms": system * 1000 / done,
                        "wall_ms": wall * 1000 / done,
                        "errors": errors,
                        "gc_ms": _gc["seconds"] * 1000 / done,
                        "collections": _gc["collections"],
                        "full": _gc["full"],
                    }
                ),
                flush=True,
            )


asyncio.run(main())
