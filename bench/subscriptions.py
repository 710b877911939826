"""Subscriptions across two workers: commit-to-subscriber latency and memory per 1,000 idle
subscriptions.

    uv run python -m bench.subscriptions --source feedbench_feed --writes 200 --idle 1000

Copies the benchmark database `--source` (made by `bench.run`: 1,000 organizations, 10,000
agreements) to `pushbench`, migrates it to head and starts two uvicorn processes on it (one worker
each, ports 8941 and 8942). A subscriber on the second subscribes to `changes` (agreements only)
over graphql-transport-ws (the `websockets` library); the first answers `--writes`
`updateAgreement` mutations, one at a time, each waiting for its event. Latency is taken from the
mutation's response (its transaction committed) to the event's arrival at the subscriber, and
from the request's start, p50 and p95. Then `--idle` connections, each with one `changes`
subscription, are opened on the second worker, and its resident memory (VmRSS) is read before
and after.
"""

import argparse
import asyncio
import json
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.changes_catchup import _admin
from bench.servers import start_server, stop_server
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from resolvers.tokens import create_token

DATABASE = "pushbench"
PORTS = (8941, 8942)
SUBSCRIBE = """
subscription { changes(filter: {types: ["Agreement"]}) { entityId version fields } }
"""
UPDATE = """
mutation ($input: UpdateAgreementInput!) {
  updateAgreement(input: $input) { agreement { id version } userErrors { code message } }
}
"""


async def _prepare(base_url: str, source: str) -> tuple[str, str]:
    url = make_url(base_url)
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    await _admin(admin_dsn, f"DROP DATABASE IF EXISTS {DATABASE}")
    await _admin(admin_dsn, f"CREATE DATABASE {DATABASE} TEMPLATE {source}")
    target = url.set(database=DATABASE).render_as_string(False)
    engine = create_engine(target)
    await upgrade(engine)
    async with engine.begin() as c:
        token = (await create_token(c, name="push bench", role=TokenRole.ADMIN)).secret
    await engine.dispose()
    return target, token


async def _socket(port: int, token: str) -> ClientConnection:
    ws = await connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        max_queue=None,
    )
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    ack = json.loads(await ws.recv())
    assert ack["type"] == "connection_ack", ack
    return ws


async def _subscribe(ws: ClientConnection, key: str = "1") -> None:
    await ws.send(json.dumps({"id": key, "type": "subscribe", "payload": {"query": SUBSCRIBE}}))


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _latency(token: str, writes: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORTS[0]}", headers=headers) as h:
        found = await h.post(
            "/graphql", json={"query": "{ agreements(first: 50) { nodes { id version } } }"}
        )
        agreements = found.json()["data"]["agreements"]["nodes"]
        ws = await _socket(PORTS[1], token)
        await _subscribe(ws)
        await asyncio.sleep(1.0)
        from_response: list[float] = []
        from_request: list[float] = []
        for n in range(writes):
            agreement = agreements[n % len(agreements)]
            variables = {
                "input": {
                    "id": agreement["id"],
                    "version": agreement["version"],
                    "title": f"Push bench {n}",
                }
            }
            started = time.perf_counter()
            answer = await h.post("/graphql", json={"query": UPDATE, "variables": variables})
            answered = time.perf_counter()
            payload = answer.json()["data"]["updateAgreement"]
            assert payload["userErrors"] == [], payload
            agreement["version"] = payload["agreement"]["version"]
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                event = message["payload"]["data"]["changes"]
                if (
                    event["entityId"] == agreement["id"]
                    and event["version"] == agreement["version"]
                ):
                    break
            arrived = time.perf_counter()
            from_response.append(arrived - answered)
            from_request.append(arrived - started)
        await ws.close()
    return {
        "writes": writes,
        "after_commit_response": _percentiles(from_response),
        "from_request_start": _percentiles(from_request),
    }


async def _idle_memory(token: str, pid: int, count: int) -> dict[str, Any]:
    before = _rss_kb(pid)
    sockets: list[ClientConnection] = []
    for start in range(0, count, 10):
        batch = await asyncio.gather(
            *(_socket(PORTS[1], token) for _ in range(start, min(count, start + 10)))
        )
        for ws in batch:
            await _subscribe(ws)
        sockets += batch
    await asyncio.sleep(3)
    after = _rss_kb(pid)
    for ws in sockets:
        await ws.close()
    return {
        "subscriptions": count,
        "rss_before_mb": round(before / 1024, 1),
        "rss_after_mb": round(after / 1024, 1),
        "per_1000_mb": round((after - before) / 1024 * 1000 / count, 1),
    }


async def main_async(args: argparse.Namespace) -> None:
    target, token = await _prepare(args.database, args.source)
    env = {
        "DATABASE_URL": target,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": str(args.idle + 10),
        "PARTNERGRAPH_MAX_FAILED_AUTHENTICATIONS": "0",
        "PARTNERGRAPH_POOL_SIZE": "5",  # the machine's PostgreSQL is shared (100 connections)
        "PARTNERGRAPH_POOL_OVERFLOW": "0",
    }
    servers = [start_server("app:create_app", port, env, 1) for port in PORTS]
    try:
        result = {"latency": await _latency(token, args.writes)}
        print(json.dumps(result), flush=True)
        result["idle"] = await _idle_memory(token, servers[1].pid, args.idle)
    finally:
        for server in servers:
            stop_server(server)
    print(json.dumps(result, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--source", default="feedbench_feed")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
