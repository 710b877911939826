"""Commit-to-webhook latency on PostgreSQL: from a write's commit to its signed delivery
arriving at a local receiver. Each write announces itself as the API's writes do
(`resolvers.change_wakeup.announce`: a NOTIFY at commit), which wakes the delivery worker; with
`--silent` it does not, and the worker finds the event at its next poll (`--poll` seconds).

    uv run python -m bench.webhook_latency --writes 50 --poll 1.0
    uv run python -m bench.webhook_latency --writes 50 --poll 1.0 --silent

Makes a fresh database `pg_remind_hookbench` (migrated, one organization, an admin token),
registers an endpoint on a uvicorn receiver on a loopback port through the API, runs `Worker`
in process,
then commits `--writes` renames of the organization one after another (each after the previous
delivery arrived, plus a random pause of up to `--poll` so commits do not keep step with the
worker's polls) and prints p50/p95/max of commit-to-arrival.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
from dataclasses import replace

import asyncpg
import httpx
import sqlalchemy as sa

from app import create_app
from db.base import table_of
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from db.tables import Organization
from resolvers.change_wakeup import announce
from resolvers.tokens import create_token
from resolvers.webhook_delivery import Worker
from settings import Settings
from tests.webhooks.receiver import receiver

ORGANIZATION = table_of(Organization)
DATABASE = "pg_remind_hookbench"


async def _fresh(admin_dsn: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await connection.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await connection.close()


async def _drop(admin_dsn: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    finally:
        await connection.close()


async def main(writes: int, poll: float, silent: bool) -> None:
    await _fresh("postgresql://postgres@127.0.0.1:5432/postgres")
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
    settings = replace(
        Settings(database_url=url, rate_limit_per_minute=0),
        webhook_allow_private=True,
        webhook_poll_s=poll,
    )
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.begin() as connection:
        org = (
            await connection.execute(
                sa.insert(ORGANIZATION)
                .values(kind="university", name="Bench 0", status="active", is_illustrative=False)
                .returning(ORGANIZATION.c.id)
            )
        ).scalar_one()
        token = await create_token(connection, name="bench", role=TokenRole.ADMIN)
    arrived: dict[int, float] = {}
    async with receiver() as hook:
        app = create_app(settings, engine=engine)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token.secret}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:
            answer = await client.post(
                "/graphql",
                json={
                    "query": "mutation ($u: String!) { createWebhook(input: {url: $u, "
                    'filter: {types: ["Organization"]}}) { secret userErrors { message } } }',
                    "variables": {"u": hook.url},
                },
            )
            assert answer.json()["data"]["createWebhook"]["userErrors"] == [], answer.text
        worker = Worker(engine, settings)
        task = asyncio.create_task(worker.run())
        latencies = []
        for number in range(1, writes + 1):
            await asyncio.sleep(random.uniform(0, poll))
            hook.arrived.clear()
            seen = len(hook.received)
            async with engine.begin() as connection:
                await connection.execute(
                    sa.update(ORGANIZATION)
                    .where(ORGANIZATION.c.id == org)
                    .values(name=f"Bench {number}")
                )
                if not silent:
                    await announce(connection)
            committed = time.perf_counter()
            while len(hook.received) == seen:
                await hook.arrived.wait()
                hook.arrived.clear()
            latencies.append(time.perf_counter() - committed)
            body = json.loads(hook.received[-1][1])
            arrived[number] = body["data"]["version"]
        worker.stop()
        await task
        await app.state.limiter.close()
        await app.state.persisted.close()
    await engine.dispose()
    await _drop("postgresql://postgres@127.0.0.1:5432/postgres")
    latencies.sort()
    ms = [value * 1000 for value in latencies]
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"writes={writes} poll={poll:g}s {'silent' if silent else 'notify'}: "
        f"p50={statistics.median(ms):.1f} ms "
        f"p95={p95:.1f} ms max={ms[-1]:.1f} ms mean={statistics.fmean(ms):.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--silent", action="store_true", help="writes send no NOTIFY")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.writes, arguments.poll, arguments.silent))
