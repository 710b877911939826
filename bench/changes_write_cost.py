"""What writing change events costs a write: the `write` scenario's mutation with and without.

    uv run python -m bench.changes_write_cost --source feedbench_feed --rounds 6 --writes 150

Copies the benchmark database `--source` twice: `feedcost_on` as migrated (the triggers write
events) and `feedcost_off` with the triggers dropped; "off" also skips telling the database the
actor (`resolvers.change_actor.acting`), so it is the write path as it was before the feed. Then
alternates, round after round, `--writes` sequential `updateAgreement` mutations (the bench's
`write` scenario: a title and an end date, history and terms hash kept) through the ASGI app in
process on each copy, and prints the writes per second of each round and the ratio of the means.
Alternating in one process makes a busy machine weigh on both sides alike.
"""

import argparse
import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest import mock

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import resolvers.transactions
from app import create_app
from bench.scenarios import WRITE
from bench.subjects import write_variables
from db import change_feed, change_triggers
from db.engine import create_engine
from db.enums import TokenRole
from resolvers.tokens import create_token
from settings import Settings


async def _admin(dsn: str, sql: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _prepare(url: str, *, events: bool) -> tuple[str, dict[int, int]]:
    engine = create_engine(url)
    async with engine.begin() as c:
        if not events:
            tables = [e.table for e in change_feed.ENTITIES] + [p.table for p in change_feed.PARTS]
            await c.run_sync(lambda sync: change_triggers.uninstall(sync, tables))
        token = (await create_token(c, name="cost", role=TokenRole.ADMIN)).secret
        drafts = {
            key: version
            for key, version in await c.execute(
                sa.text(
                    "SELECT id, version FROM agreement WHERE status = 'draft' ORDER BY id LIMIT 50"
                )
            )
        }
    await engine.dispose()
    return token, drafts


@asynccontextmanager
async def _client(url: str, token: str) -> AsyncIterator[httpx.AsyncClient]:
    engine = create_engine(url)
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://bench",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:
        yield client
    await app.state.limiter.close()
    await engine.dispose()


async def _round(client: httpx.AsyncClient, versions: dict[int, int], writes: int, n: int) -> float:
    keys = sorted(versions)
    started = time.perf_counter()
    for i in range(writes):
        key = keys[i % len(keys)]
        variables = write_variables(key, versions[key], n + i)
        body = (
            await client.post("/graphql", json={"query": WRITE.document, "variables": variables})
        ).json()
        payload: dict[str, Any] = body["data"]["updateAgreement"]
        assert not payload["userErrors"], payload
        versions[key] = payload["agreement"]["version"]
    return writes / (time.perf_counter() - started)


async def _no_actor(*args: object) -> None:
    return None


async def main_async(args: argparse.Namespace) -> None:
    base = make_url(args.database_url)
    dsn = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    urls = {}
    for name in ("on", "off"):
        database = f"feedcost_{name}"
        await _admin(dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await _admin(dsn, f'CREATE DATABASE "{database}" TEMPLATE "{args.source}"')
        urls[name] = base.set(database=database).render_as_string(hide_password=False)
    prepared = {name: await _prepare(url, events=name == "on") for name, url in urls.items()}
    rates: dict[str, list[float]] = {"on": [], "off": []}
    versions = {name: dict(prepared[name][1]) for name in prepared}
    async with (
        _client(urls["on"], prepared["on"][0]) as on,
        _client(urls["off"], prepared["off"][0]) as off,
    ):
        clients = {"on": on, "off": off}
        for name in ("on", "off"):  # warm-up
            with _patched(name):
                await _round(clients[name], versions[name], 20, 0)
        for r in range(args.rounds):
            order = ("on", "off") if r % 2 == 0 else ("off", "on")
            for name in order:
                with _patched(name):
                    rate = await _round(clients[name], versions[name], args.writes, 1000 * (r + 1))
                rates[name].append(rate)
                print(f"round {r + 1} {name}: {rate:.1f} writes/s", flush=True)
    on_mean, off_mean = statistics.mean(rates["on"]), statistics.mean(rates["off"])
    print(
        f"mean with events {on_mean:.1f}/s, without {off_mean:.1f}/s: "
        f"{100 * (on_mean / off_mean - 1):+.1f}%",
        flush=True,
    )
    for name in ("on", "off"):
        await _admin(dsn, f'DROP DATABASE IF EXISTS "feedcost_{name}" WITH (FORCE)')


def _patched(name: str) -> Any:
    if name == "on":
        return contextlib.nullcontext()
    return mock.patch.multiple(resolvers.transactions, acting=_no_actor, done_acting=_no_actor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", default="feedbench_feed")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--writes", type=int, default=150)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
