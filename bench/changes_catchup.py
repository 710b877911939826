"""Catch-up speed of `changes` from a cold cursor: events per second read through the API.

    uv run python -m bench.changes_catchup --events 1000000 --source feedbench_feed

Copies the benchmark database `--source` (made by `bench.run`, 1,000 organizations and 10,000
agreements) to `feedbench_catchup`, adds `--events` change events of its agreements (plain
INSERT ... SELECT, as if that many updates had been made), then reads the whole feed with
`changes(after:, first: 100)` through the ASGI app in process (no HTTP server or network), as
an admin (every event seen) and as the portal's editor (visibility applied to every event, most
passed over), and prints events per second for each.
"""

import argparse
import asyncio
import time
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import create_app
from db.engine import create_engine
from db.enums import TokenRole
from resolvers.tokens import create_token
from settings import Settings

PAGE = """
query ($after: String) {
  changes(after: $after, first: 100) {
    edges { cursor node { entityType entityId kind version fields } }
    pageInfo { hasNextPage } cursor
  }
}
"""


async def _admin(dsn: str, sql: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fill(url: str, events: int) -> dict[str, str]:
    engine = create_engine(url)
    async with engine.begin() as c:
        await c.execute(sa.text("DELETE FROM change_event"))
        await c.execute(
            sa.text(
                "INSERT INTO change_event (xid, entity_type, entity_id, kind, version, fields, "
                "occurred_at, organization_ids, alliance_ids) "
                "SELECT 1, 'Agreement', a.id, 'updated', 1, '{title}', now(), "
                "ARRAY(SELECT organization_id FROM agreement_party p WHERE p.agreement_id = a.id), "
                "'{}' FROM generate_series(1, :n) g "
                "JOIN agreement a "
                "ON a.id = 1 + (g::bigint * 7919) % (SELECT max(id) FROM agreement)"
            ),
            {"n": events},
        )
        portal = (
            await c.execute(
                sa.text(
                    "SELECT organization_id FROM agreement_party GROUP BY organization_id "
                    "ORDER BY count(*) DESC, organization_id LIMIT 1 OFFSET 20"
                )
            )
        ).scalar_one()
        tokens = {
            "admin": (await create_token(c, name="catchup", role=TokenRole.ADMIN)).secret,
            "editor": (
                await create_token(
                    c, name="catchup editor", role=TokenRole.EDITOR, organization_id=portal
                )
            ).secret,
        }
        await c.execute(sa.text("ANALYZE change_event"))
    await engine.dispose()
    return tokens


async def _read_all(url: str, token: str) -> dict[str, Any]:
    engine = create_engine(url)
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    seen = requests = 0
    after = None
    started = time.perf_counter()
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://bench",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:
        while True:
            body = (
                await client.post("/graphql", json={"query": PAGE, "variables": {"after": after}})
            ).json()
            assert "errors" not in body, body["errors"]
            page = body["data"]["changes"]
            requests += 1
            seen += len(page["edges"])
            after = page["cursor"]
            if not page["pageInfo"]["hasNextPage"]:
                break
    elapsed = time.perf_counter() - started
    await app.state.limiter.close()
    await engine.dispose()
    return {
        "events_seen": seen,
        "requests": requests,
        "seconds": round(elapsed, 1),
        "events_per_s": round(seen / elapsed),
    }


async def main_async(args: argparse.Namespace) -> None:
    base = make_url(args.database_url)
    admin_dsn = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    await _admin(admin_dsn, 'DROP DATABASE IF EXISTS "feedbench_catchup" WITH (FORCE)')
    await _admin(admin_dsn, f'CREATE DATABASE "feedbench_catchup" TEMPLATE "{args.source}"')
    url = base.set(database="feedbench_catchup").render_as_string(hide_password=False)
    started = time.perf_counter()
    tokens = await _fill(url, args.events)
    print(f"{args.events:,} events written in {time.perf_counter() - started:.0f} s", flush=True)
    for role in args.roles:
        print(role, await _read_all(url, tokens[role]), flush=True)
    await _admin(admin_dsn, 'DROP DATABASE IF EXISTS "feedbench_catchup" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--source", default="feedbench_feed")
    parser.add_argument("--roles", nargs="*", default=["admin", "editor"])
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
