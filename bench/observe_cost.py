"""The CPU time watching adds to a request, alone: the `Observe` middleware (request id, facts,
request log line, metrics, their flush once a second) around an app that answers at once, against
that app bare, in alternated blocks in one process (the log writer thread's time included).

    uv run python -m bench.observe_cost [--requests 5000] [--rounds 10]

Prints the microseconds of CPU per request of each, the minimum over the rounds (the least
disturbed by other work on the machine) and the median. A portal or directory request costs a
worker 700-1,000 us of CPU (`bench.overhead --in-process`), which puts the difference in scale.
"""

import argparse
import asyncio
import io
import statistics
import time
from typing import Any

from settings import Settings
from telemetry.facts import current, set_operation, set_road
from telemetry.logs import configure_logging, flush_logs
from telemetry.metrics import Metrics
from web.observe import Observe

_BODY = b'{"data":{"organization":{"name":"x"}}}'
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"38")]


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    """What the portal's fast lane records of a request, and an answer."""
    set_road("fast_lane")
    set_operation("Portal")
    facts = current()
    if facts is not None:
        facts.token_id = 7
        facts.cost = 9402
        facts.statements += 1
        facts.sql_seconds += 0.002
    await send({"type": "http.response.start", "status": 200, "headers": list(_HEADERS)})
    await send({"type": "http.response.body", "body": _BODY})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    pass


_SCOPE = {
    "type": "http",
    "method": "POST",
    "path": "/graphql",
    "headers": [(b"host", b"bench"), (b"authorization", b"Bearer x")],
}


async def _block(app: Any, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        await app(dict(_SCOPE), _receive, _send)
    return (time.process_time() - started) * 1e6 / requests


async def main_async(args: argparse.Namespace) -> None:
    configure_logging(Settings(), io.StringIO())  # as the server: json lines, info
    metrics = Metrics(100)
    observed = Observe(_answer, metrics=metrics)
    costs: dict[str, list[float]] = {"bare": [], "observed": []}
    for _ in range(args.rounds):
        for name, app in (("bare", _answer), ("observed", observed)):
            costs[name].append(await _block(app, args.requests))
            if name == "observed":
                # what the sampler does every second and the writer thread every 0.2 s, for
                # the block's requests
                started = time.process_time()
                metrics.flush()
                flush_logs()
                costs[name][-1] += (time.process_time() - started) * 1e6 / args.requests
    for name, values in costs.items():
        print(
            f"{name}: {min(values):.1f} us CPU per request (min), "
            f"{statistics.median(values):.1f} (median)"
        )
    added = [o - b for o, b in zip(costs["observed"], costs["bare"], strict=True)]
    print(
        f"watching adds {min(costs['observed']) - min(costs['bare']):.1f} us (minima), "
        f"{statistics.median(added):.1f} us (median of the rounds' differences)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
