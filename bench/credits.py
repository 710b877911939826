"""Recognition applications reviewed per second under concurrency, on PostgreSQL, with the
ledger audited afterwards.

    uv run python -m bench.credits --learners 2000 --clients 16

Setup: a fresh database `bench_credits` (migrated, no demo) holding `bench.credit_world`'s
credit bank with `--learners` learners, each with every course earned and one submitted
application per course (four per learner), entered through the services. Then a uvicorn server
(`app:create_app`, `--workers`, rate limit off) and `--clients` concurrent HTTP clients, each
taking the next application from a shared queue and sending `decideRecognitionApplication`
(nine in ten approved, one in ten rejected) with the editor token of the receiving
organization. Four applications per account under a cap of 5 credits: the later approvals of a
learner are partly or wholly over the cap (`creditsGranted` capped, or `CAP_REACHED`), and
the four contend for the account's row lock. Afterwards `resolvers.ledger_audit.audit` must
find nothing, and every application must have been answered once.
"""

import argparse
import asyncio
import json
import statistics
import time
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.credit_world import CreditWorld, add_credit_world
from bench.servers import machine, peak_memory_mb, start_server, stop_server
from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from resolvers import ledger, recognition
from resolvers.ids import encode_id
from resolvers.ledger_audit import audit
from resolvers.tokens import create_token
from resolvers.viewer import Role, Viewer

__all__ = ["main"]

DECIDE = """mutation ($input: DecideRecognitionApplicationInput!) {
  decideRecognitionApplication(input: $input) {
    application { status creditsGranted } userErrors { code } } }"""
ADMIN = Viewer(role=Role.ADMIN)
APPLICATION = table_of(t.RecognitionApplication)


async def _fresh_database(url: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    name = make_url(url).database
    async with engine.connect() as c:
        await c.execution_options(isolation_level="AUTOCOMMIT")
        await c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def prepare(url: str, learners: int) -> tuple[CreditWorld, list[int], str]:
    """The world, its submitted applications, and a token of the receiving organization."""
    await _fresh_database(url)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        world = await add_credit_world(engine, learners=learners, cap=Decimal("5.0"))
        async with engine.begin() as c:
            for learner, account in zip(world.learners, world.accounts, strict=True):
                for course in world.courses:
                    outcome, _ = await ledger.record_earned(
                        c, ADMIN, account_id=account, course_id=course, earned_on=utcnow().date()
                    )
                    await recognition.apply_for_recognition(
                        c,
                        ADMIN,
                        learner_id=learner,
                        rule_id=world.rule,
                        outcome_ids=[outcome["id"]],
                    )
            token = await create_token(
                c, name="bench reviewer", role=TokenRole.EDITOR, organization_id=world.receiver
            )
            keys = list(await c.scalars(sa.select(APPLICATION.c.id).order_by(APPLICATION.c.id)))
    finally:
        await engine.dispose()
    return world, keys, token.secret


async def _client(
    http: httpx.AsyncClient,
    queue: "asyncio.Queue[int]",
    latencies: list[float],
    codes: dict[str, int],
) -> None:
    while True:
        try:
            key = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        given = {
            "id": encode_id("RecognitionApplication", key),
            "version": 1,
            "approve": key % 10 != 0,
            "reason": "bench review",
        }
        started = time.perf_counter()
        response = await http.post(
            "/graphql", json={"query": DECIDE, "variables": {"input": given}}
        )
        latencies.append(time.perf_counter() - started)
        payload = response.json()["data"]["decideRecognitionApplication"]
        code = (
            payload["userErrors"][0]["code"]
            if payload["userErrors"]
            else payload["application"]["status"]
        )
        codes[code] = codes.get(code, 0) + 1


async def review(keys: list[int], token: str, clients: int, port: int) -> dict[str, Any]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for key in keys:
        queue.put_nowait(key)
    latencies: list[float] = []
    codes: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=60,
    ) as http:
        started = time.perf_counter()
        await asyncio.gather(*(_client(http, queue, latencies, codes) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "applications": len(keys),
        "seconds": round(elapsed, 2),
        "reviewed_per_second": round(len(keys) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 1),
        "answers": codes,
    }


async def check(url: str, keys: list[int]) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as c:
            broken = {k: v for k, v in (await audit(c)).items() if v}
            waiting = await c.scalar(
                sa.select(sa.func.count()).where(APPLICATION.c.status == "submitted")
            )
            granted = await c.scalar(sa.select(sa.func.sum(APPLICATION.c.credits_granted)))
    finally:
        await engine.dispose()
    return {
        "audit": broken or "clean",
        "still_submitted": waiting,
        "credits_granted": str(granted),
        "applications": len(keys),
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    url = make_url(args.database_url).set(database="bench_credits")
    url_text = url.render_as_string(hide_password=False)
    prepared = time.perf_counter()
    world, keys, token = await prepare(url_text, args.learners)
    setup = round(time.perf_counter() - prepared, 1)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_ENV": "production",
    }
    server = start_server("app:create_app", args.port, env, args.workers)
    try:
        measured = await review(keys, token, args.clients, args.port)
        memory = peak_memory_mb(server.pid)
    finally:
        stop_server(server)
    return {
        "setup": {
            "learners": len(world.learners),
            "applications": len(keys),
            "clients": args.clients,
            "workers": args.workers,
            "prepare_seconds": setup,
            "machine": machine(),
        },
        "review": measured,
        "server_peak_mb": memory,
        "after": await check(url_text, keys),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8951)
    print(json.dumps(asyncio.run(main_async(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
