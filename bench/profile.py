"""Profile one scenario in process (ASGI, no sockets) with pyinstrument.

    uv run python -m bench.profile portal --organizations 1000 [--requests 30]

Needs the database `bench_<organizations>` that `bench.run` made.
"""

import argparse
import asyncio
import time

import httpx
from pyinstrument import Profiler
from sqlalchemy.engine import make_url

from app import create_app
from bench.scenarios import SCENARIOS
from bench.subjects import auth_headers, prepare
from db.engine import create_engine
from settings import Settings


async def main_async(args: argparse.Namespace) -> None:
    url = make_url(args.database_url).set(database=f"bench_{args.organizations}")
    text = url.render_as_string(hide_password=False)
    subjects = await prepare(text, args.organizations, args.organizations * 10, 1)
    scenario = next(s for s in SCENARIOS if s.name == args.scenario)
    engine = create_engine(text)
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    body = {"query": scenario.document, "variables": subjects.variables(scenario.name)}
    headers = auth_headers(subjects, scenario.role)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for _ in range(3):
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
        profiler = Profiler(async_mode="disabled")
        start = time.perf_counter()
        profiler.start()
        for _ in range(args.requests):
            await client.post("/graphql", json=body, headers=headers)
        profiler.stop()
        took = (time.perf_counter() - start) / args.requests * 1000
    await engine.dispose()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"{scenario.name}: {took:.1f} ms per request, one at a time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
