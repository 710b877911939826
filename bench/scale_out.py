"""Scale-out: the read scenarios with 1, 2 and 4 uvicorn workers, reads on the primary and on a
streaming replica, and the CPU each request costs.

    uv run python -m bench.scale_out --organizations 1000

Starts its own primary and streaming replica (`tests.replica.cluster`: initdb, pg_basebackup -R,
on free ports, removed after), generates the network in `pg_replica_<organizations>` on the
primary with `bench.generate` (the replica receives it by streaming) and vacuums it, then for each
configuration starts the API's uvicorn (`DATABASE_URL` the primary, with
`DATABASE_REPLICA_URLS` the replica for the replica runs) and loads each read scenario with
`--concurrency` keep-alive connections. Besides req/s and p50, it reads the CPU time the API's
processes, the two PostgreSQL servers and the load generator spent over each window
(/proc/<pid>/stat): divided by the requests answered, the CPU one request costs, which bounds
what the machine's cores can serve (`cores / cpu-per-request`). Writes bench/out/scale-out.json
and prints a Markdown table.
"""

import argparse
import asyncio
import json
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.load_generator import load
from bench.results import OUT
from bench.scenarios import SCENARIOS
from bench.servers import machine, start_server, stop_server
from bench.subjects import auth_headers, prepare
from tests.replica.cluster import Cluster, why_not

PORT = 8951
"""Not `bench.servers.API_PORT`: other benchmarks may run on this machine at the same time."""

_TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    found = [pid]
    pending = [pid]
    while pending:
        children = subprocess.run(
            ["pgrep", "-P", str(pending.pop())], capture_output=True, text=True, check=False
        ).stdout.split()
        for child in children:
            found.append(int(child))
            pending.append(int(child))
    return found


def _cpu_s(pids: list[int]) -> float:
    """User and system CPU seconds of `pids` (those still running), and of the children the
    first has reaped (PostgreSQL's autovacuum workers and closed backends come and go)."""
    total = 0
    for n, pid in enumerate(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if n == 0:
            total += int(fields[13]) + int(fields[14])
    return total / _TICKS


def _postmaster(folder: Path) -> int:
    return int((folder / "postmaster.pid").read_text().split()[0])


async def _measure(
    scenario: Any, subjects: Any, *, api_pid: int, cluster: Cluster, args: argparse.Namespace
) -> dict[str, Any]:
    headers = auth_headers(subjects, scenario.role)
    body = orjson.dumps(
        {"query": scenario.document, "variables": subjects.variables(scenario.name)}
    )

    def ok(answer: bytes) -> bool:
        return b'"errors"' not in answer

    def request(_: int, __: int) -> tuple[str, bytes, dict[str, str], Any]:
        return "/graphql", body, headers, ok

    await load(PORT, request, concurrency=args.concurrency, warmup=args.warmup, duration=0.1)
    roots = (api_pid, _postmaster(cluster.primary_dir), _postmaster(cluster.standby_dir))
    before = (*(_cpu_s(_tree(pid)) for pid in roots), time.process_time())
    load_before = os.getloadavg()[0]
    measured = await load(
        PORT, request, concurrency=args.concurrency, warmup=0, duration=args.duration
    )
    after = (*(_cpu_s(_tree(pid)) for pid in roots), time.process_time())
    answered = max(1, measured.requests)
    api_ms, primary_ms, standby_ms, generator_ms = (
        round((b - a) * 1000 / answered, 2) for a, b in zip(before, after, strict=True)
    )
    total = api_ms + primary_ms + standby_ms + generator_ms
    return {
        **measured.summary(),
        "requests": measured.requests,
        "cpu_ms_per_request": {
            "api": api_ms,
            "primary": primary_ms,
            "replica": standby_ms,
            "load_generator": generator_ms,
            "total": round(total, 2),
        },
        "cpu_bound_rps": round((os.cpu_count() or 1) * 1000 / total, 1) if total else None,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


async def _which_database(subjects: Any, scenario: Any) -> str | None:
    """`extensions.database` of one request (proves where the reads went)."""
    body = {"query": scenario.document, "variables": subjects.variables(scenario.name)}
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"http://127.0.0.1:{PORT}/graphql",
            json=body,
            headers=auth_headers(subjects, scenario.role),
        )
    found = answer.json().get("extensions", {}).get("database")
    return found if isinstance(found, str) else None


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    problem = why_not()
    if problem is not None:
        raise SystemExit(f"cannot start a replica here: {problem}")
    OUT.mkdir(exist_ok=True)
    cluster = Cluster(prefix="pg_replica_bench_")
    reads = [s for s in SCENARIOS if s.floor_sql is not None]
    if args.only:
        reads = [s for s in reads if s.name in args.only]
    runs: list[dict[str, Any]] = []
    try:
        cluster.start()
        name = f"pg_replica_{args.organizations}"
        url = cluster.url(cluster.primary_port, name)
        subjects = await prepare(url, args.organizations, args.organizations * 10, args.concurrency)
        # as a served database would be: statistics, visibility map and hint bits set (and
        # streamed to the replica, which cannot set them itself)
        vacuum = await asyncpg.connect(cluster.dsn(cluster.primary_port, name))
        try:
            await vacuum.execute("VACUUM (ANALYZE)")
        finally:
            await vacuum.close()
        await cluster.wait_replayed(timeout_s=600)
        replica_url = cluster.url(cluster.standby_port, name)
        for reads_on, workers in args.configurations:
            env = {
                "DATABASE_URL": url,
                "DATABASE_REPLICA_URLS": replica_url if reads_on == "replica" else "",
                "PARTNERGRAPH_RATE_LIMIT": "0",
                "PARTNERGRAPH_ENV": "production",
                "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
                "PARTNERGRAPH_POOL_SIZE": str(max(4, args.concurrency // workers + 2)),
            }
            try:
                api = start_server("app:create_app", PORT, env, workers, wait_s=args.start_wait)
            except RuntimeError as error:  # a loaded machine: say so, measure the rest
                print(json.dumps({"reads_on": reads_on, "workers": workers, "skipped": str(error)}))
                continue
            try:
                for scenario in reads:
                    answered_by = await _which_database(subjects, scenario)
                    result = await _measure(
                        scenario, subjects, api_pid=api.pid, cluster=cluster, args=args
                    )
                    run = {
                        "scenario": scenario.name,
                        "reads_on": reads_on,
                        "workers": workers,
                        "answered_by": answered_by,
                        **result,
                    }
                    print(json.dumps(run), flush=True)
                    runs.append(run)
            finally:
                stop_server(api)
    finally:
        cluster.stop()
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "organizations": args.organizations,
        "agreements": args.organizations * 10,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "machine": machine(),
        "runs": runs,
    }
    (OUT / f"scale-out-{args.organizations}.json").write_text(json.dumps(report, indent=1))
    print(table(report))
    return report


def table(report: dict[str, Any]) -> str:
    lines = [
        "| scenario | reads on | workers | req/s | p50 ms | CPU ms/request: API + primary + "
        "replica + load generator = total | req/s the cores allow | load average |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in report["runs"]:
        cpu = run["cpu_ms_per_request"]
        lines.append(
            f"| {run['scenario']} | {run['answered_by'] or run['reads_on']} | {run['workers']} "
            f"| {run['rps']} | {run['p50']} | {cpu['api']} + {cpu['primary']} + "
            f"{cpu['replica']} + {cpu['load_generator']} = {cpu['total']} "
            f"| {run['cpu_bound_rps']} | {run['load_average'][0]} -> {run['load_average'][1]} |"
        )
    return "\n".join(lines)


def _configuration(text: str) -> tuple[str, int]:
    reads_on, _, workers = text.partition(":")
    if reads_on not in {"primary", "replica"} or not workers.isdigit():
        raise argparse.ArgumentTypeError("primary:N or replica:N")
    return reads_on, int(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--only", nargs="*")
    parser.add_argument(
        "--start-wait", type=float, default=600, help="seconds a server may take to start"
    )
    parser.add_argument(
        "--configurations",
        nargs="*",
        type=_configuration,
        default=[("primary", 1), ("primary", 2), ("primary", 4), ("replica", 1), ("replica", 2)],
        help="where reads go and how many workers, e.g. primary:1 replica:2",
    )
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
