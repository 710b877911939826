"""The statements one request of a scenario sends, each with PostgreSQL's `EXPLAIN ANALYZE`.

    uv run python -m bench.explain secretariat portal --database-name bench_100000

Needs a database that `bench.run` made (or one like it, migrated): it is prepared as the run
prepares it (tokens made, subjects picked), one request per scenario is sent in process (ASGI,
no sockets) after a warm-up, and every statement it sent is explained with its parameters.
"""

import argparse
import asyncio
import time
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app import create_app
from bench.scenarios import SCENARIOS
from bench.subjects import auth_headers, prepare
from db.engine import create_engine
from settings import Settings


async def main_async(args: argparse.Namespace) -> None:
    url = make_url(args.database_url).set(database=args.database_name)
    text = url.render_as_string(hide_password=False)
    subjects = await prepare(text, args.organizations, args.organizations * 10, 1)
    engine = create_engine(text)
    sent: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    connection = await asyncpg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False),
        server_settings={"jit": "off"},  # as the API's engine (db/engine.py)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for name in args.scenarios:
            scenario = next(s for s in SCENARIOS if s.name == name)
            body = {"query": scenario.document, "variables": subjects.variables(name)}
            headers = auth_headers(subjects, scenario.role)
            for _ in range(args.warmup):
                (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
            times = []
            for _ in range(args.requests):
                sent.clear()
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert "errors" not in response.json(), response.text[:2000]
            times.sort()
            print(f"=== {name}: {len(sent)} statements, p50 {times[len(times) // 2]:.1f} ms")
            for statement, parameters in sent:
                print("--- statement\n" + statement)
                print("--- parameters", parameters)
                plan = await connection.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, *(parameters or ())
                )
                print("\n".join(row[0] for row in plan))
    await connection.close()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--database-name", required=True)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
