"""The text search's latency on ROR's names in every language, through a real uvicorn server
on loopback (PostgreSQL, the compiled road, trigram indexes): p50 and p95 of each search term.

    uv run python -m bench.name_search --database-url postgresql+asyncpg://postgres@127.0.0.1/db

The database must be migrated, with ROR loaded (`partnergraph load ror FILE`); the organization
and name counts are printed with the results. Each term is asked `--rounds` times, one request at
a time, for the first 20 matches with their names in Chinese.
"""

import argparse
import asyncio
import statistics
import time

import httpx
import sqlalchemy as sa

from bench.servers import start_server, stop_server

PORT = 8942
TERMS = [
    "University",  # Latin, thousands of matches
    "Universität",
    "Московский",  # Cyrillic
    "江西财经",  # Chinese, 4 characters
    "大学",  # Chinese, 2 characters: no trigram, the index is scanned
    "東京",  # Japanese, 2 characters
    "zzqx",  # no match
]
QUERY = """query($t: String) { organizations(first: 20, filter: {text: $t})
  { totalCount nodes { id name zh: name(lang: "zh") } } }"""


async def _counts(url: str) -> tuple[int, int]:
    from db.engine import create_engine

    engine = create_engine(url)
    async with engine.connect() as connection:
        organizations = await connection.scalar(sa.text("SELECT count(*) FROM organization"))
        names = await connection.scalar(sa.text("SELECT count(*) FROM localized_name"))
    await engine.dispose()
    return int(organizations or 0), int(names or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    organizations, names = asyncio.run(_counts(args.database_url))
    env = {"DATABASE_URL": args.database_url, "PARTNERGRAPH_RATE_LIMIT_PER_MINUTE": "0"}
    server = start_server("app:create_app", PORT, env, 1, wait_s=120)
    every: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=60) as client:
            print(f"{organizations:,} organizations, {names:,} localized names")
            for term in TERMS:
                times = []
                found = 0
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    body = client.post(
                        "/graphql", json={"query": QUERY, "variables": {"t": term}}
                    ).json()
                    times.append((time.perf_counter() - started) * 1000)
                    found = body["data"]["organizations"]["totalCount"]
                times.sort()
                every += times
                p95 = times[int(len(times) * 0.95) - 1]
                print(
                    f"{term}: {found:,} matches, "
                    f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
                )
    finally:
        stop_server(server)
    print(f"all terms: p50 {statistics.median(every):.1f} ms")


if __name__ == "__main__":
    main()
