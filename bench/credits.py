"""Recognition applications reviewed per second under concurrency, on PostgreSQL, with the
ledger audited afterwards.

    uv run python -m bench.credits --learners 2000 --clients 16

Setup: a fresh database `bench_credits` (or `--name`; `--drop` drops it afterwards; migrated,
no demo) holding `bench.credit_world`'s credit bank with `--learners` learners, each with every
course earned and one submitted application per course (four per learner), written in bulk as
the services write them (the audit checks them before the run as after). Then a uvicorn server
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
import random
import socket
import statistics
import time
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.credit_world import CreditWorld, add_credit_world
from bench.servers import machine, peak_memory_mb, start_server, stop_server
from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from resolvers.ids import encode_id
from resolvers.ledger_audit import audit
from resolvers.tokens import create_token

__all__ = ["main"]

DECIDE = """mutation ($input: DecideRecognitionApplicationInput!) {
  decideRecognitionApplication(input: $input) {
    application { status creditsGranted } userErrors { code } } }"""
APPLICATION = table_of(t.RecognitionApplication)
APPLIED = table_of(t.ApplicationOutcome)
OUTCOME = table_of(t.LearningOutcome)
ENTRY = table_of(t.CreditEntry)


async def _fresh_database(url: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    name = make_url(url).database
    async with engine.connect() as c:
        await c.execution_options(isolation_level="AUTOCOMMIT")
        await c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _submitted(connection: AsyncConnection, world: CreditWorld) -> None:
    """Every course earned by every learner and applied for, one application per course: the
    rows `record_earned` and `apply_for_recognition` write, in bulk (`audit` checks them)."""
    today = utcnow().date()
    now = utcnow()
    course = table_of(t.Course)
    found = await connection.execute(sa.select(course.c.id, course.c.credits))
    credits = {key: value for key, value in found.all()}
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    outcomes = [
        {
            **stamps,
            "account_id": account,
            "provider_id": world.source,
            "program_id": world.program,
            "course_id": key,
            "title": f"course {key}",
            "credits": credits[key],
            "earned_on": today,
        }
        for account in world.accounts
        for key in world.courses
    ]
    made = await connection.execute(
        sa.insert(OUTCOME).returning(OUTCOME.c.id, OUTCOME.c.account_id, OUTCOME.c.course_id),
        outcomes,
    )
    rows = made.all()
    await connection.execute(
        sa.insert(ENTRY),
        [
            {
                "account_id": account,
                "kind": "earned",
                "credits": credits[key],
                "organization_id": world.source,
                "outcome_id": outcome,
                "entry_key": f"course:{account}:{key}",
                "recorded_on": today,
                "recorded_at": now,
                "recorded_by": "bench",
            }
            for outcome, account, key in rows
        ],
    )
    learner_of = dict(zip(world.accounts, world.learners, strict=True))
    applied = await connection.execute(
        sa.insert(APPLICATION).returning(APPLICATION.c.id),
        [
            {
                **stamps,
                "learner_id": learner_of[account],
                "account_id": account,
                "rule_id": world.rule,
                "from_organization_id": world.source,
                "to_organization_id": world.receiver,
                "status": "submitted",
                "credits_requested": credits[key],
                "applied_on": today,
                "applied_by": "bench",
            }
            for _, account, key in rows
        ],
    )
    await connection.execute(
        sa.insert(APPLIED),
        [
            {"application_id": application, "outcome_id": outcome, "credits": credits[key]}
            for (application,), (outcome, _, key) in zip(applied.all(), rows, strict=True)
        ],
    )


async def prepare(url: str, learners: int) -> tuple[CreditWorld, list[int], str]:
    """The world, its submitted applications, and a token of the receiving organization."""
    await _fresh_database(url)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        world = await add_credit_world(engine, learners=learners, cap=Decimal("5.0"))
        async with engine.begin() as c:
            await _submitted(c, world)
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
        code = _answer(response.json())
        codes[code] = codes.get(code, 0) + 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answer(body: dict[str, Any]) -> str:
    """The status decided, the user error's code, or the request error's code."""
    if body.get("errors"):
        return "error: " + str(body["errors"][0].get("extensions", {}).get("code"))
    payload = body["data"]["decideRecognitionApplication"]
    if payload["userErrors"]:
        return str(payload["userErrors"][0]["code"])
    return str(payload["application"]["status"])


async def review(keys: list[int], token: str, clients: int, port: int) -> dict[str, Any]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for key in keys:
        queue.put_nowait(key)
    # in id order, a learner's four applications come one after the other: the clients then
    # queue on the same few account locks (`--in-order`); shuffled, they spread over accounts
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
    url = make_url(args.database_url).set(database=args.name)
    url_text = url.render_as_string(hide_password=False)
    prepared = time.perf_counter()
    world, keys, token = await prepare(url_text, args.learners)
    setup = round(time.perf_counter() - prepared, 1)
    before = await check(url_text, keys)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_ENV": "production",
    }
    args.port = args.port or _free_port()
    server = start_server("app:create_app", args.port, env, args.workers, wait_s=180)
    try:
        order = list(keys) if args.in_order else random.Random(19).sample(keys, len(keys))
        measured = await review(order, token, args.clients, args.port)
        memory = peak_memory_mb(server.pid)
    finally:
        stop_server(server)
    return {
        "setup": {
            "learners": len(world.learners),
            "applications": len(keys),
            "clients": args.clients,
            "workers": args.workers,
            "order": "by id (contended)" if args.in_order else "shuffled",
            "prepare_seconds": setup,
            "machine": machine(),
        },
        "before": before,
        "review": measured,
        "server_peak_mb": memory,
        "after": await _after(url_text, keys, drop=args.drop),
    }


async def _after(url: str, keys: list[int], *, drop: bool) -> dict[str, Any]:
    """The audit after the run; then the database dropped when asked (`--drop`)."""
    found = await check(url, keys)
    if drop:
        admin = make_url(url).set(database="postgres")
        engine = create_engine(admin.render_as_string(hide_password=False))
        async with engine.connect() as c:
            await c.execution_options(isolation_level="AUTOCOMMIT")
            await c.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        await engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--name", default="bench_credits", help="the database made for the run")
    parser.add_argument("--drop", action="store_true", help="drop that database afterwards")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="0: a free one")
    parser.add_argument(
        "--in-order",
        action="store_true",
        help="review in id order (each learner's applications together: lock contention)",
    )
    print(json.dumps(asyncio.run(main_async(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
