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
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import create_app
from bench.generate import generate
from bench.scenarios import SCENARIOS, Scenario
from db.engine import create_engine
from db.enums import TokenRole
from db.migrate import upgrade
from resolvers.ids import encode_id
from resolvers.tokens import create_token
from settings import Settings
from tests.statements import StatementCounter

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
API_PORT = 8931
FLOOR_PORT = 8932


@dataclass
class Subjects:
    tokens: dict[str, str | None]
    portal: int
    alliance: int
    country: str
    drafts: list[int]

    def variables(self, scenario: str) -> dict[str, Any]:
        if scenario == "portal":
            return {"id": encode_id("Organization", self.portal)}
        if scenario == "secretariat":
            return {"id": encode_id("Alliance", self.alliance)}
        if scenario == "directory":
            return {"country": self.country}
        if scenario == "report":
            return {}
        raise KeyError(scenario)

    def floor_subject(self, scenario: str) -> Any:
        subjects = {
            "portal": self.portal,
            "secretariat": self.alliance,
            "directory": self.country,
            "report": date.today().isoformat(),
        }
        return subjects[scenario]


@dataclass
class Measured:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        times = sorted(self.latencies_ms)
        if not times:
            return {"rps": 0.0, "p50": 0.0, "p95": 0.0, "errors": self.errors}
        return {
            "rps": round(self.requests / self.seconds, 1),
            "p50": round(statistics.median(times), 2),
            "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
            "errors": self.errors,
        }


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator shares the 2 cores with the
    servers, so it must cost as little as possible (httpx costs several times more)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = [f"POST {path} HTTP/1.1", "Host: bench", "Content-Type: application/json"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            if size == 0:
                await self.reader.readline()
                break
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        return status, b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(
    port: int,
    make_request: Any,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
) -> Measured:
    """`concurrency` connections sending `make_request(worker, n)` -> (path, body, headers)
    back to back; the first `warmup` seconds are not counted."""
    measured = Measured()
    start = time.perf_counter()
    counting_from = start + warmup
    stop = counting_from + duration

    async def worker(index: int) -> None:
        connection = Connection(port)
        n = 0
        try:
            while True:
                now = time.perf_counter()
                if now >= stop:
                    return
                path, body, headers, check = make_request(index, n)
                n += 1
                sent = time.perf_counter()
                status, answer = await connection.post(path, body, headers)
                done = time.perf_counter()
                ok = status == 200 and check(answer)
                if counting_from <= done <= stop:
                    measured.requests += 1
                    measured.latencies_ms.append((done - sent) * 1000)
                    if not ok:
                        measured.errors += 1
        finally:
            connection.close()

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    measured.seconds = duration
    return measured


def _peak_memory_mb(pid: int) -> float:
    """VmHWM of the process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _start_server(
    factory: str, port: int, env: dict[str, str], workers: int
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(workers),
    ]
    command += os.environ.get("BENCH_UVICORN_ARGS", "").split()
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=HERE.parent)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{factory} did not start on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


async def prepare(url: str, organizations: int, agreements: int, concurrency: int) -> Subjects:
    """Create and fill the database unless it exists; make the tokens; pick the subjects."""
    admin_dsn = make_url(url).set(drivername="postgresql", database="postgres")
    name = make_url(url).database
    connection = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False))
    exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if not exists:
        await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.connect() as c:
        present = await c.scalar(sa.text("SELECT count(*) FROM organization"))
    if not present:
        started = time.perf_counter()
        await generate(engine, organizations=organizations, agreements=agreements)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    async with engine.begin() as c:
        portal = (
            await c.execute(
                sa.text(
                    "SELECT organization_id FROM agreement_party GROUP BY organization_id "
                    "ORDER BY count(*) DESC, organization_id LIMIT 1 OFFSET 20"
                )
            )
        ).scalar_one()
        alliance = (
            await c.execute(
                sa.text(
                    "SELECT alliance_id FROM membership WHERE left_on IS NULL "
                    "GROUP BY alliance_id ORDER BY abs(count(*) - 60), alliance_id LIMIT 1"
                )
            )
        ).scalar_one()
        drafts = list(
            (
                await c.execute(
                    sa.text("SELECT id FROM agreement WHERE status = 'draft' ORDER BY id LIMIT :n"),
                    {"n": concurrency * 4},
                )
            ).scalars()
        )
        tokens: dict[str, str | None] = {"anonymous": None}
        for role, organization_id, alliance_id in [
            (TokenRole.EDITOR, portal, None),
            (TokenRole.SECRETARIAT, None, alliance),
            (TokenRole.ADMIN, None, None),
            (TokenRole.REPORTER, None, None),
        ]:
            made = await create_token(
                c,
                name=f"bench {role.value}",
                role=role,
                organization_id=organization_id,
                alliance_id=alliance_id,
            )
            tokens[role.value] = made.secret
    await engine.dispose()
    return Subjects(tokens=tokens, portal=portal, alliance=alliance, country="CN", drafts=drafts)


def _headers(subjects: Subjects, role: str) -> dict[str, str]:
    token = subjects.tokens[role]
    return {"Authorization": f"Bearer {token}"} if token else {}


async def check_and_count(url: str, subjects: Subjects) -> dict[str, dict[str, Any]]:
    """In process: the statements of one request per scenario, and the API's `data` compared
    with the floor's."""
    engine = create_engine(url)
    statements = StatementCounter(engine)
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    floor = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False)
    )
    found: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for scenario in SCENARIOS:
            if scenario.floor_sql is None:
                variables = _write_variables(subjects.drafts[0], 1, 0)
                version = await _version(client, subjects, subjects.drafts[0])
                variables["input"]["version"] = version
            else:
                variables = subjects.variables(scenario.name)
            body = {"query": scenario.document, "variables": variables}
            headers = _headers(subjects, scenario.role)
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
            if scenario.floor_sql is None:
                variables["input"]["version"] = version + 1
            statements.reset()
            started = time.perf_counter()
            response = await client.post("/graphql", json=body, headers=headers)
            single_ms = (time.perf_counter() - started) * 1000
            answer = response.json()
            assert "errors" not in answer, answer
            entry: dict[str, Any] = {
                "statements": statements.count,
                "bytes": len(response.content),
                "single_ms": round(single_ms, 1),
            }
            if scenario.floor_sql is not None:
                started = time.perf_counter()
                data = await floor.fetchval(
                    scenario.floor_sql, subjects.floor_subject(scenario.name)
                )
                entry["floor_single_ms"] = round((time.perf_counter() - started) * 1000, 1)
                same = json.loads(data) == answer["data"]
                entry["same_json"] = same
                entry["objects"] = _objects(answer["data"])
                if not same:
                    (OUT / f"mismatch-{scenario.name}-api.json").write_text(
                        json.dumps(answer["data"], indent=1, sort_keys=True)
                    )
                    (OUT / f"mismatch-{scenario.name}-floor.json").write_text(
                        json.dumps(json.loads(data), indent=1, sort_keys=True)
                    )
            found[scenario.name] = entry
    await floor.close()
    await engine.dispose()
    return found


def _objects(data: Any) -> int:
    if isinstance(data, dict):
        counts = "id" in data or "role" in data or "keys" in data
        return int(counts) + sum(_objects(v) for v in data.values())
    if isinstance(data, list):
        return sum(_objects(v) for v in data)
    return 0


async def _version(client: httpx.AsyncClient, subjects: Subjects, key: int) -> int:
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($id: ID!) { node(id: $id) { ... on Agreement { version } } }",
            "variables": {"id": encode_id("Agreement", key)},
        },
        headers=_headers(subjects, "admin"),
    )
    version: int = response.json()["data"]["node"]["version"]
    return version


def _write_variables(key: int, version: int, n: int) -> dict[str, Any]:
    return {
        "input": {
            "id": encode_id("Agreement", key),
            "version": version,
            "title": f"Bench agreement {key} (edit {n})",
            "effectiveTo": f"2030-01-{1 + n % 28:02d}",
        }
    }


def _ok(answer: bytes) -> bool:
    return b'"errors"' not in answer


async def run_scenario(
    scenario: Scenario,
    subjects: Subjects,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    versions: dict[int, int],
) -> tuple[dict[str, float], dict[str, float] | None]:
    headers = _headers(subjects, scenario.role)
    if scenario.floor_sql is None:
        # each connection edits agreements of its own, carrying the version it got back
        def make_write(index: int, n: int) -> Any:
            key = subjects.drafts[index % len(subjects.drafts)]
            body = orjson.dumps(
                {"query": scenario.document, "variables": _write_variables(key, versions[key], n)}
            )

            def check(answer: bytes) -> bool:
                data = orjson.loads(answer)
                payload = (data.get("data") or {}).get("updateAgreement") or {}
                if payload.get("userErrors") or data.get("errors"):
                    return False
                versions[key] = payload["agreement"]["version"]
                return True

            return "/graphql", body, headers, check

        api = await load(
            API_PORT, make_write, concurrency=concurrency, warmup=warmup, duration=duration
        )
        return api.summary(), None

    api_body = orjson.dumps(
        {"query": scenario.document, "variables": subjects.variables(scenario.name)}
    )
    floor_body = orjson.dumps({"id": subjects.floor_subject(scenario.name)})
    api = await load(
        API_PORT,
        lambda i, n: ("/graphql", api_body, headers, _ok),
        concurrency=concurrency,
        warmup=warmup,
        duration=duration,
    )
    floor = await load(
        FLOOR_PORT,
        lambda i, n: (f"/{scenario.name}", floor_body, {}, _ok),
        concurrency=concurrency,
        warmup=warmup,
        duration=duration,
    )
    return api.summary(), floor.summary()


def machine() -> dict[str, Any]:
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_before": os.getloadavg()[0],
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    agreements = args.agreements or args.organizations * 10
    url = make_url(args.database_url).set(database=f"bench_{args.organizations}")
    url_text = url.render_as_string(hide_password=False)
    subjects = await prepare(url_text, args.organizations, agreements, args.concurrency)
    checks = await check_and_count(url_text, subjects)
    print(json.dumps(checks), flush=True)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": str(args.rate_limit),
        "PARTNERGRAPH_ENV": "production",
        # the floor has no statement timeout: under 16 concurrent secretariat reads at 100,000
        # organizations each statement waits its turn for the 2 cores well past 10 s
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
    }
    api = _start_server("app:create_app", API_PORT, env, args.workers)
    floor = _start_server(
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
            )
            results[scenario.name] = {
                "api": api_summary,
                "floor": floor_summary,
                "window_s": round(duration, 1),
                **checks[scenario.name],
            }
            print(scenario.name, results[scenario.name], flush=True)
        memory = {
            "api_peak_mb": _peak_memory_mb(api.pid),
            "floor_peak_mb": _peak_memory_mb(floor.pid),
        }
    finally:
        _stop(api)
        _stop(floor)
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
    single = max(check.get("single_ms", 0.0), check.get("floor_single_ms", 0.0)) / 1000
    round_s = single * args.concurrency / (os.cpu_count() or 1)
    return max(args.warmup, 1.5 * round_s), max(args.duration, 4 * round_s)


def _rps(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _rate_limit(report: dict[str, Any]) -> str:
    limit = report.get("rate_limit", 0)
    if not limit:
        return "API rate limiter off."
    return f"API rate limiter on: {limit:,} cost points per caller a minute, counted in Redis."


def _table(report: dict[str, Any]) -> list[str]:
    lines = [
        f"### {report['organizations']:,} organizations, {report['agreements']:,} agreements"
        f" ({report['label'] or 'run'}, {report['date']})",
        "",
        f"Machine: {report['machine']['cores']} cores ({report['machine']['cpu']}), "
        f"{report['machine']['memory_gb']} GB; load average before the run "
        f"{report['machine']['load_average_before']:.1f}. uvicorn workers: {report['workers']}, "
        f"{report['concurrency']} connections, at least {report['duration_s']} s per measure "
        "after warm-up (column 'measured s': longer where one request takes seconds). "
        f"Peak server memory (RSS high-water mark, all workers): API "
        f"{report['memory']['api_peak_mb']} MB, floor {report['memory']['floor_peak_mb']} MB. "
        + _rate_limit(report),
        "",
        "| scenario | objects | SQL / request | measured s | API req/s | API p50 / p95 ms | "
        "floor req/s | floor p50 / p95 ms | floor / API throughput | same JSON |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in report["scenarios"].items():
        api, floor = r["api"], r["floor"]
        errors = f" ({api['errors']} errors)" if api["errors"] else ""
        if floor:
            ratio = f"{floor['rps'] / api['rps']:.1f}x" if api["rps"] else "-"
            floor_cells = f"{_rps(floor['rps'])} | {floor['p50']} / {floor['p95']} | {ratio}"
        else:
            floor_cells = "- | - | -"
        lines.append(
            f"| {name} | {r.get('objects', '-')} | {r['statements']} | {r.get('window_s', '-')} "
            f"| {_rps(api['rps'])}{errors} "
            f"| {api['p50']} / {api['p95']} | {floor_cells} | {r.get('same_json', '-')} |"
        )
    return lines


MARK = "<!-- measured: generated by bench/run.py from bench/out/*.json -->"


_HEADING = re.compile(r"^### ([\d,]+) organizations, .* \((.+), [^,]+\)$")


def _sections(measured: str) -> dict[tuple[int, str], str]:
    """The tables already in RESULTS.md, by size and label (kept when their JSON is gone, as on
    a new machine: bench/out is not committed)."""
    found: dict[tuple[int, str], str] = {}
    for chunk in re.split(r"\n(?=### )", measured):
        match = _HEADING.match(chunk.strip().splitlines()[0]) if chunk.strip() else None
        if match:
            found[(int(match[1].replace(",", "")), match[2])] = chunk.strip()
    return found


def _run_order(key: tuple[int, str]) -> tuple[int, int, str]:
    """Size, then the run's number (labels start with it: `2b-...` after `2-...`, `10-...`
    after `9-...`)."""
    number = re.match(r"\d+", key[1])
    return key[0], int(number[0]) if number else 0, key[1]


def write_results(latest: dict[str, Any]) -> None:
    """Regenerate the measured section of RESULTS.md from the newest report per size and label,
    keeping the tables of earlier runs whose reports are no longer in bench/out."""
    reports = []
    for path in sorted(OUT.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        if "scenarios" in data:
            reports.append(data)
    reports.sort(key=lambda r: (r["organizations"], r["label"], r["date"]))
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n" + MARK + "\n"
    head, _, measured = text.partition(MARK)
    sections = _sections(measured)
    for report in reports:
        sections[(report["organizations"], report["label"])] = "\n".join(_table(report)).strip()
    body = [MARK, ""]
    for key in sorted(sections, key=_run_order):
        body += [sections[key], ""]
    RESULTS.write_text(head + "\n".join(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--agreements", type=int)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
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
