"""Median latency of each read scenario, one request at a time, in process (ASGI, no sockets).

    uv run python -m bench.latency --organizations 1000 [--requests 40] [--ordinary]

Less noisy than the loaded runs on a shared machine, so it is how each optimisation step was
compared: run it on the code before and after, alternately. Needs `bench_<organizations>`.
"""

import argparse
import asyncio
import json
import statistics
import time

import httpx
from sqlalchemy.engine import make_url

from app import create_app
from bench.scenarios import SCENARIOS
from bench.subjects import auth_headers, prepare
from db.engine import create_engine
from settings import Settings


async def main_async(args: argparse.Namespace) -> dict[str, float]:
    url = make_url(args.database_url).set(database=f"bench_{args.organizations}")
    text = url.render_as_string(hide_password=False)
    subjects = await prepare(text, args.organizations, args.organizations * 10, 1)
    engine = create_engine(text)
    settings = Settings(rate_limit_per_minute=0, compiled_reads=not args.ordinary)
    app = create_app(settings, engine=engine)
    found: dict[str, float] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for scenario in SCENARIOS:
            if scenario.floor_sql is None:
                continue
            body = {"query": scenario.document, "variables": subjects.variables(scenario.name)}
            headers = auth_headers(subjects, scenario.role)
            times = []
            count = args.requests if scenario.name != "secretariat" else max(5, args.requests // 5)
            for i in range(count + 3):
                start = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                if i >= 3:
                    times.append((time.perf_counter() - start) * 1000)
                assert "errors" not in response.json()
            found[scenario.name] = round(statistics.median(times), 1)
    await engine.dispose()
    print(json.dumps(found))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--ordinary",
        action="store_true",
        help="answer every field through graphql-core (no one-statement compiled reads)",
    )
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
