"""Time the foundation's nested read (organizations -> agreements -> parties -> organization).

Runs in process through the ASGI app (no sockets), so it measures the server's own work:
    uv run python bench/nested_read.py [--url DATABASE_URL] [--organizations 50] [--requests 200]
Without --url it makes a fresh SQLite file in a temporary directory.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from app import create_app
from db.engine import create_engine
from db.loaders.demo import load_demo
from db.migrate import upgrade
from settings import Settings
from tests.factories import add_network
from tests.statements import StatementCounter

QUERY = """
query ($first: Int!) {
  organizations(first: $first, filter: {text: "Bench University"}) {
    totalCount
    edges { node {
      name
      agreements(first: 10) { totalCount edges { node {
        title status
        parties { edges { node { role organization { name country } } } }
      } } }
    } }
  }
}
"""


async def run(url: str, organizations: int, requests: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.begin() as connection:
        empty = (await connection.scalar(sa.text("SELECT count(*) FROM organization"))) == 0
    if empty:
        await load_demo(engine)
        await add_network(engine, organizations=organizations, prefix="Bench")
    statements = StatementCounter(engine)
    app = create_app(Settings(), engine=engine)
    transport = httpx.ASGITransport(app=app)
    body = {"query": QUERY, "variables": {"first": organizations}}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(10):
            (await client.post("/graphql", json=body)).raise_for_status()
        statements.reset()
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = await client.post("/graphql", json=body)
            times.append((time.perf_counter() - start) * 1000)
            assert "errors" not in response.json(), response.text
    await engine.dispose()
    times.sort()
    print(
        f"{engine.dialect.name}: {organizations} organizations x 2 agreements x 2 parties, "
        f"{requests} requests, {len(response.content)} bytes each: "
        f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms, "
        f"{statements.count / requests:.1f} SQL statements per request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(url, args.organizations, args.requests))


if __name__ == "__main__":
    main()
