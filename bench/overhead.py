"""What one checkout costs over another, per request: both servers up at once, loaded in turn.

    uv run python -m bench.overhead --base /work/pg-ops-base --rounds 4

Starts this checkout's server and `--base`'s (its own `.venv`), one uvicorn worker each, on the
benchmark database of `bench.run`, and loads them one after the other, alternating which goes
first, for `--duration` seconds per scenario and round (with `--together`, both at once).
Reports for each window the requests a
second and the server's CPU time per request (user + system, read from /proc): on a machine
shared with other work, throughput swings with the neighbours' load, while CPU time per request
moves much less, so the comparison leans on it.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
from sqlalchemy.engine import make_url

from bench.load_generator import _ok, load
from bench.scenarios import SCENARIOS
from bench.subjects import auth_headers, prepare

HERE = Path(__file__).resolve().parent.parent


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start(checkout: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    python = checkout / ".venv" / "bin" / "python"
    command = [
        str(python),
        "-m",
        "uvicorn",
        "--factory",
        "app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    (HERE / "bench" / "out").mkdir(exist_ok=True)
    log = (HERE / "bench" / "out" / f"overhead-{port}.log").open("wb")  # the server's log
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=checkout, stderr=log)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{checkout} did not start")


def _sender(body: bytes, headers: dict[str, str]) -> object:
    return lambda i, n: ("/graphql", body, headers, _ok)


async def main_async(args: argparse.Namespace) -> None:
    url = make_url(args.database_url).set(database=f"bench_{args.organizations}")
    url_text = url.render_as_string(hide_password=False)
    subjects = await prepare(url_text, args.organizations, args.organizations * 10, 16)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_ENV": "production",
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
    }
    servers = {
        "this": (HERE, args.port),
        "base": (args.base, args.port + 1),
    }
    extra = {
        "this": dict(pair.split("=", 1) for pair in args.this_env),
        "base": dict(pair.split("=", 1) for pair in args.base_env),
    }
    processes = {
        name: _start(path, port, {**env, **extra[name]}) for name, (path, port) in servers.items()
    }
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        for round_ in range(args.rounds):
            order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for scenario in SCENARIOS:
                if scenario.name not in args.only:
                    continue
                body = orjson.dumps(
                    {"query": scenario.document, "variables": subjects.variables(scenario.name)}
                )
                send = _sender(body, auth_headers(subjects, scenario.role))
                groups = [list(servers)] if args.together else [[name] for name in order]
                for group in groups:
                    for name in group:
                        await load(servers[name][1], send, concurrency=8, warmup=0, duration=1)
                    before = {name: _cpu_seconds(processes[name].pid) for name in group}
                    measures = await asyncio.gather(
                        *(
                            load(
                                servers[name][1],
                                send,
                                concurrency=args.concurrency,
                                warmup=0,
                                duration=args.duration,
                            )
                            for name in group
                        )
                    )
                    for name, measured in zip(group, measures, strict=True):
                        used = _cpu_seconds(processes[name].pid) - before[name]
                        row = {
                            "rps": measured.requests / args.duration,
                            "cpu_ms": used * 1000 / max(1, measured.requests),
                            "errors": measured.errors,
                            "load": os.getloadavg()[0],
                        }
                        results.setdefault((scenario.name, name), []).append(row)
                        shown = {k: round(v, 3) for k, v in row.items()}
                        print(round_, scenario.name, name, shown, flush=True)
        for name in servers:
            print(name, "RSS MB after the runs:", round(_rss_mb(processes[name].pid), 1))
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=15)
    print(
        "\nscenario | server | req/s per round | median req/s | CPU ms/request per round | median"
    )
    medians: dict[tuple[str, str], tuple[float, float]] = {}
    for (scenario_name, name), rows in results.items():
        rps = [r["rps"] for r in rows]
        cpu = [r["cpu_ms"] for r in rows]
        medians[(scenario_name, name)] = (statistics.median(rps), statistics.median(cpu))
        print(
            scenario_name,
            "|",
            name,
            "|",
            [round(x) for x in rps],
            "|",
            round(statistics.median(rps)),
            "|",
            [round(x, 3) for x in cpu],
            "|",
            round(statistics.median(cpu), 3),
        )
    for scenario_name in args.only:
        this, base = medians.get((scenario_name, "this")), medians.get((scenario_name, "base"))
        if this and base:
            print(
                f"{scenario_name}: throughput {100 * (this[0] / base[0] - 1):+.1f}%, "
                f"CPU per request {100 * (this[1] / base[1] - 1):+.1f}%"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the other checkout (with its .venv)")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--this-env", nargs="*", default=[], help="KEY=VALUE set for this checkout's server only"
    )
    parser.add_argument(
        "--base-env", nargs="*", default=[], help="KEY=VALUE set for the base's server only"
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="load both servers at the same time (each with --concurrency connections), so "
        "that both share the machine's load alike",
    )
    parser.add_argument("--port", type=int, default=8951)
    parser.add_argument("--only", nargs="*", default=["portal", "directory"])
    args = parser.parse_args()
    args.base = Path(args.base).resolve()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
