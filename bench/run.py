"""Run every scenario against a real uvicorn server on PostgreSQL, and the floor next to it.

    uv run python -m bench.run --organizations 1000
    uv run python -m bench.run --organizations 100000 --agreements 1000000 --duration 15

Makes (or reuses) the database `bench_<organizations>` on the PostgreSQL server of
`--database-url`, generates the network with `bench.generate`, makes the tokens, then for each
scenario: checks that the API and the floor answer the same JSON, counts the SQL statements of
one request in process, and loads the API's uvicorn and the floor's uvicorn in turn over
loopback with `--concurrency` keep-alive connections (warm-up first). Writes bench/out/*.json
and regenerates the measured part of bench/RESULTS.md.
"""

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.checks import check_and_count
from bench.load_generator import run_scenario
from bench.results import OUT, write_results
from bench.scenarios import SCENARIOS
from bench.servers import API_PORT, FLOOR_PORT, machine, peak_memory_mb, start_server, stop_server
from bench.subjects import prepare
from db.engine import create_engine


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    agreements = args.agreements or args.organizations * 10
    name = args.database_name or f"bench_{args.organizations}"
    url = make_url(args.database_url).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    subjects = await prepare(url_text, args.organizations, agreements, args.concurrency)
    checks = await check_and_count(url_text, subjects, floor_too=not args.skip_floor)
    print(json.dumps(checks), flush=True)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": str(args.rate_limit),
        "PARTNERGRAPH_ENV": "production",
        # the floor has no statement timeout: under 16 concurrent secretariat reads at 100,000
        # organizations each statement waits its turn for the 2 cores well past 10 s
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
    }
    api = start_server("app:create_app", API_PORT, env, args.workers)
    floor = start_server(
        "bench.floor:create_app", FLOOR_PORT, {"BENCH_DATABASE_URL": url_text}, args.workers
    )
    versions: dict[int, int] = {}
    engine = create_engine(url_text)
    async with engine.connect() as c:
        for key, version in await c.execute(
            sa.text("SELECT id, version FROM agreement WHERE id = ANY(:ids)"),
            {"ids": subjects.drafts},
        ):
            versions[key] = version
    await engine.dispose()
    results: dict[str, Any] = {}
    try:
        for scenario in SCENARIOS:
            if args.only and scenario.name not in args.only:
                continue
            warmup, duration = _windows(checks[scenario.name], args)
            api_summary, floor_summary = await run_scenario(
                scenario,
                subjects,
                concurrency=args.concurrency,
                warmup=warmup,
                duration=duration,
                versions=versions,
                floor=not args.skip_floor,
            )
            results[scenario.name] = {
                "api": api_summary,
                "floor": floor_summary,
                "window_s": round(duration, 1),
                **checks[scenario.name],
            }
            print(scenario.name, results[scenario.name], flush=True)
        memory = {
            "api_peak_mb": peak_memory_mb(api.pid),
            "floor_peak_mb": peak_memory_mb(floor.pid),
        }
    finally:
        stop_server(api)
        stop_server(floor)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "label": args.label,
        "organizations": args.organizations,
        "agreements": agreements,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "rate_limit": args.rate_limit,
        "duration_s": args.duration,
        "machine": machine(),
        "memory": memory,
        "scenarios": results,
    }
    name = f"{args.organizations}-{args.label or 'run'}.json"
    (OUT / name).write_text(json.dumps(report, indent=1))
    write_results(report)
    return report


def _windows(check: dict[str, Any], args: argparse.Namespace) -> tuple[float, float]:
    """Warm-up and measured seconds for a scenario: at least those asked for, and long enough
    for every connection to complete a request several times over when one request alone
    takes seconds (the secretariat and the report at 100,000 organizations: with 16
    connections on 2 cores a request waits for 7 others, and 8 s saw none complete)."""
    floor_ms = 0.0 if args.skip_floor else check.get("floor_single_ms", 0.0)
    single = max(check.get("single_ms", 0.0), floor_ms) / 1000
    round_s = single * args.concurrency / (os.cpu_count() or 1)
    return max(args.warmup, 1.5 * round_s), max(args.duration, 4 * round_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--agreements", type=int)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--database-name",
        help="the database to make or reuse (bench_<organizations> unless given): another "
        "name keeps a branch with its own migrations off the shared one",
    )
    parser.add_argument(
        "--skip-floor",
        action="store_true",
        help="load the API alone (no floor check, load or window): the floor's secretariat "
        "takes seconds a request at 100,000 organizations",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--label", default="")
    parser.add_argument("--only", nargs="*")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        help="the API's cost points per caller per minute, counted in Redis (0: off, as the floor)",
    )
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
