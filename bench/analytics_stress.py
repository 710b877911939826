"""Many concurrent network analytics against `partnergraph serve --workers 2` on CORDIS.

    uv run python bench/analytics_stress.py [--url POSTGRES_URL] [--fresh] [--requests 400]

Loads CORDIS Horizon Europe (30,669 organizations, 871,576 organization pairs; the same load as
`bench/network.py`) into a PostgreSQL database unless it is there, starts the server with two
workers on it, and fires `--requests` GraphQL requests, `--concurrency` at a time, each asking
`network` for one or every analytic (summary, degree, betweenness, PageRank, communities,
bridges, articulation points) through one of several filters, as an admin, a viewer and an
anonymous caller. It counts what must be zero: worker restarts (a worker process that died and
was replaced), dropped connections, non-JSON or 5xx answers, and answers that differ between two
requests for the same thing; and it reports GraphQL errors by code (ANALYTICS_TIMEOUT is a
refusal, not a crash) and latencies. Results are printed and written to
bench/out/analytics_stress.json.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bench.network import DATA, prepare
from db.engine import create_engine
from db.enums import TokenRole
from resolvers.tokens import create_token

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/partnergraph_bench_network"

ANALYTICS = {
    "summary": "organizationCount edgeCount density components largestComponent isolated",
    "degree": "degree(first: 5) { rank score organization { id } }",
    "betweenness": "betweenness { exact samples top(first: 5) { rank score organization { id } } }",
    "pagerank": "pagerank(first: 5) { rank score organization { id } }",
    "communities": "communities(first: 3) { number size members(first: 3) { id } }",
    "bridges": "bridges(first: 5) { weight source { id } target { id } }",
    "articulationPoints": "articulationPoints(first: 5) { id }",
}
ANALYTICS["all"] = " ".join(ANALYTICS.values())
FILTERS = [
    "",
    '(filter: {countries: ["DE"]})',
    '(filter: {countries: ["FR", "IT"]})',
    '(filter: {asOf: "2024-01-01"})',
    "(filter: {ties: [AGREEMENT], statuses: [ACTIVE]})",
]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(c) for c in text)
    return found


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


def _workers(server: int) -> set[int]:
    """The server's worker processes (uvicorn's spawned children; the analytics pool's
    processes are grandchildren)."""
    try:
        return {c for c in _children(server) if "spawn_main" in _cmdline(c)}
    except FileNotFoundError:
        return set()


def _deaths(log: Path) -> int:
    """Worker processes uvicorn found dead (crashed, or killed at its health check)."""
    return log.read_text(errors="replace").count("] died")


async def _tokens(url: str) -> dict[str, str | None]:
    engine = create_engine(url)
    async with engine.begin() as connection:
        admin = await create_token(connection, name="stress admin", role=TokenRole.ADMIN)
        some = await connection.exec_driver_sql(
            "SELECT organization_id FROM agreement_party GROUP BY organization_id "
            "ORDER BY count(*) DESC LIMIT 1"
        )
        organization = some.scalar_one()
        viewer = await create_token(
            connection, name="stress viewer", role=TokenRole.VIEWER, organization_id=organization
        )
    await engine.dispose()
    return {"admin": admin.secret, "viewer": viewer.secret, "anonymous": None}


def _start(url: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_MAX_COST": "1000000",
        **env,
    }
    script = str(Path(sys.executable).with_name("partnergraph"))
    command = [script, "serve", "--workers", "2", "--data", "none", "--port", str(port)]
    return subprocess.Popen(
        command,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def _ready(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("the server did not start")


async def fire(
    port: int, tokens: dict[str, str | None], args: argparse.Namespace
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    jobs = [
        (rng.choice(list(ANALYTICS)), rng.randrange(len(FILTERS)), rng.choice(list(tokens)))
        for _ in range(args.requests)
    ]
    counts: collections.Counter[str] = collections.Counter()
    answers: dict[tuple[str, int, str], set[str]] = collections.defaultdict(set)
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    examples: dict[str, str] = {}
    gate = asyncio.Semaphore(args.concurrency)
    limits = httpx.Limits(max_connections=args.concurrency)
    timeout = httpx.Timeout(args.client_timeout)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:

        async def one(kind: str, f: int, role: str) -> None:
            query = f"{{ network{FILTERS[f]} {{ {ANALYTICS[kind]} }} }}"
            secret = tokens[role]
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            async with gate:
                start = time.perf_counter()
                try:
                    response = await client.post(
                        f"http://127.0.0.1:{port}/graphql", json={"query": query}, headers=headers
                    )
                except httpx.HTTPError as error:
                    counts["dropped connection"] += 1
                    examples.setdefault("dropped connection", repr(error))
                    return
                latencies[kind].append(time.perf_counter() - start)
            if response.status_code >= 500:
                counts[f"HTTP {response.status_code}"] += 1
                examples.setdefault(f"HTTP {response.status_code}", response.text[:300])
            try:
                body = response.json()
            except ValueError:
                counts["non-JSON answer"] += 1
                return
            errors = body.get("errors") or []
            if errors:
                for error in errors:
                    code = (error.get("extensions") or {}).get("code", "no code")
                    counts[f"error {code}"] += 1
                    examples.setdefault(code, error.get("message", "")[:300])
                return
            counts["answered"] += 1
            answers[(kind, f, role)].add(json.dumps(body["data"], sort_keys=True))

        started = time.perf_counter()
        await asyncio.gather(*(one(*job) for job in jobs))
        elapsed = time.perf_counter() - started
    differing = sorted(
        f"{kind} {FILTERS[f] or '(no filter)'} as {role}"
        for (kind, f, role), found in answers.items()
        if len(found) > 1
    )
    return {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 1),
        "outcomes": dict(counts),
        "different_answers_to_the_same_request": differing,
        "examples": examples,
        "latency_s": {
            kind: {
                "p50": round(statistics.median(times), 2),
                "max": round(max(times), 2),
                "n": len(times),
            }
            for kind, times in sorted(latencies.items())
        },
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"database": make_url(args.url).database}
    report["load"] = await prepare(args.url, args.fresh, args.data)
    tokens = await _tokens(args.url)
    OUT.mkdir(exist_ok=True)
    log = OUT / "analytics_stress.log"
    env = dict(item.split("=", 1) for item in args.env)
    report["env"] = env
    server = _start(args.url, args.port, env, log)
    try:
        await _ready(args.port, 600)
        for _ in range(1200):  # both workers up (uvicorn restarts one slow to start)
            if log.read_text(errors="replace").count("Application startup complete.") >= 2:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)
        report["worker_deaths_at_start_up"] = _deaths(log)
        before = _workers(server.pid)
        seen = set(before)

        async def watch() -> None:
            while True:
                seen.update(_workers(server.pid))
                await asyncio.sleep(0.2)

        watcher = asyncio.create_task(watch())
        report["stress"] = await fire(args.port, tokens, args)
        watcher.cancel()
        seen.update(_workers(server.pid))
        report["workers_at_start"] = len(before)
        report["worker_restarts"] = len(seen - before)
        report["worker_deaths_under_load"] = _deaths(log) - report["worker_deaths_at_start_up"]
        report["log_lines_analytics_failed_or_stopped"] = sum(
            1
            for line in log.read_text(errors="replace").splitlines()
            if line.startswith("network ") and (" failed: " in line or " stopped: " in line)
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--data", type=Path, default=DATA, help="the cordis_horizon folder")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--client-timeout", type=float, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--env", nargs="*", default=[], help="NAME=VALUE settings for the server", metavar="SET"
    )
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=1))
    (OUT / "analytics_stress.json").write_text(json.dumps(report, indent=1))
    crashes = report["worker_restarts"] + report["worker_deaths_under_load"]
    sys.exit(0 if crashes == 0 else 1)


if __name__ == "__main__":
    main()
