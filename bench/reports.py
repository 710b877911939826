"""Time the reports (docs/reports.md) on a database that already holds the data.

Runs in process through the ASGI app (no sockets), as an admin (the reporter's figures take the
same SQL: neither adds a visibility condition), and prints the p50 and p90 of:
- a summary grouped by two dimensions: the counts by status and active (kind x signing year,
  kind x party country), every measure (kind x signing year), and every measure but the
  distinct parties (kind x signing year), each with the source that answered it
  (`extensions.summarySource`: the rollups or a scan, docs/reports.md);
- a five-year quarterly trend (2020-2024);
- a full CSV export of the agreements (`/reports/agreements.csv`) from a uvicorn process on a
  socket, with that process's peak memory (VmHWM) before and after the exports.

    uv run python -m bench.reports --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench \
        --label generated-1m [--requests 20] [--exports 3] [--scan]

Generate the data first (`bench.generate`), or load CORDIS (`partnergraph load cordis`).
Results go to bench/out/reports-<label>.json.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from app import create_app
from db.engine import create_engine
from db.enums import TokenRole
from resolvers.tokens import create_token
from settings import Settings

SUMMARY = """
query ($groupBy: [ReportDimension!]) {
  cooperationSummary(groupBy: $groupBy) {
    total { agreements active parties programs enrolments creditsEarned
            funding { amount currency } }
    groups { keys { value } measures {
      agreements active byStatus { status count } parties programs enrolments creditsEarned
      creditsRecognised resourcesShared activities meanEvaluationScore funding { amount currency }
    } }
  }
}
"""

ADDITIVE = """
query ($groupBy: [ReportDimension!]) {
  cooperationSummary(groupBy: $groupBy) {
    total { agreements active programs enrolments creditsEarned
            funding { amount currency } }
    groups { keys { value } measures {
      agreements active byStatus { status count } programs enrolments creditsEarned
      creditsRecognised resourcesShared activities meanEvaluationScore funding { amount currency }
    } }
  }
}
"""
"""Every measure but `parties` (distinct organizations, kept apart from the other measures:
`db.party_rollup`)."""

README = """
{
  cooperationSummary(groupBy: [AGREEMENT_KIND]) {
    total { agreements active parties byStatus { status count } }
    groups { keys { value } measures { agreements active parties byStatus { status count } } }
  }
}
"""
"""The README's reporting example."""

COUNTS = """
query ($groupBy: [ReportDimension!]) {
  cooperationSummary(groupBy: $groupBy) {
    total { agreements active byStatus { status count } }
    groups { keys { value } measures { agreements active byStatus { status count } } }
  }
}
"""

TREND = """
{
  cooperationTrend(interval: QUARTER, from: "2020-01-01", to: "2024-12-31") {
    points { period signed started ended programsStarted enrolments creditsEarned
             creditsRecognised activities evaluations funding { amount currency } }
  }
}
"""


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def _export(url: str, token: str, exports: int) -> dict[str, Any]:
    """The full export from a real server process (uvicorn on a socket: the in-process test
    transport buffers whole bodies), with that process's peak memory before and after."""
    port = 8790
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_STATEMENT_TIMEOUT_MS": "0",
    }
    server = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "uvicorn", "--factory", "app:create_app", "--port", str(port)],
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=None,
        ) as client:
            for _ in range(100):
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            await client.get("/reports/summary.csv")  # warm: imports, pool, token cache
            before = _rss_kib(server.pid, "VmHWM")
            times, rows, size = [], 0, 0
            for _ in range(exports):
                started = time.perf_counter()
                rows = size = 0
                tail = b""
                async with client.stream("GET", "/reports/agreements.csv") as response:
                    assert response.status_code == 200, await response.aread()
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        rows += (tail + chunk).count(b"\r\n")  # a CRLF may span two chunks
                        tail = chunk[-1:]
                times.append((time.perf_counter() - started) * 1000)
            after = _rss_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        await server.wait()
    return {
        **_stats(times),
        "rows": rows - 1,
        "mib": round(size / 2**20, 1),
        "server_peak_rss_before_mib": round(before / 1024, 1),
        "server_peak_rss_after_mib": round(after / 1024, 1),
    }


async def _timed(client: httpx.AsyncClient, body: dict[str, Any], n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.post("/graphql", json=body)
        elapsed = time.perf_counter() - started
        data = response.json()
        assert "errors" not in data, data["errors"]
        times.append(elapsed * 1000)
    return times


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1),
        "runs": len(ordered),
    }


async def run(
    url: str, label: str, requests: int, exports: int, scan: bool = False
) -> dict[str, Any]:
    if scan:
        # Every summary and trend scanned from the rows, as without rollups (bench only).
        from resolvers import report_rollups

        report_rollups.usable = lambda *args: False  # type: ignore[assignment]
    engine = create_engine(url, statement_timeout_ms=0)
    async with engine.begin() as connection:
        agreements = await connection.scalar(sa.text("SELECT count(*) FROM agreement"))
        parties = await connection.scalar(sa.text("SELECT count(*) FROM agreement_party"))
        token = (await create_token(connection, name="bench reports", role=TokenRole.ADMIN)).secret
    app = create_app(Settings(rate_limit_per_minute=0, statement_timeout_ms=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    result: dict[str, Any] = {
        "label": label,
        "backend": engine.dialect.name,
        "agreements": agreements,
        "parties": parties,
        "scan": scan,
    }
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://bench",
        headers={"Authorization": f"Bearer {token}"},
        timeout=None,
    ) as client:
        kind_year = {"groupBy": ["AGREEMENT_KIND", "SIGNED_YEAR"]}
        kind_country = {"groupBy": ["AGREEMENT_KIND", "PARTY_COUNTRY"]}
        for name, body in [
            ("summary_counts_kind_x_signed_year", {"query": COUNTS, "variables": kind_year}),
            ("summary_counts_kind_x_party_country", {"query": COUNTS, "variables": kind_country}),
            ("summary_all_measures_kind_x_signed_year", {"query": SUMMARY, "variables": kind_year}),
            (
                "summary_additive_measures_kind_x_signed_year",
                {"query": ADDITIVE, "variables": kind_year},
            ),
            ("summary_readme_kind", {"query": README}),
            ("trend_5y_quarterly", {"query": TREND}),
        ]:
            await _timed(client, body, 2)  # warm caches and plans
            result[name] = _stats(await _timed(client, body, requests))
            answer = (await client.post("/graphql", json=body)).json()
            result[name]["source"] = answer.get("extensions", {}).get("summarySource")
            print(name, result[name], flush=True)
    if exports:
        result["csv_export_agreements"] = await _export(url, token, exports)
        print("csv_export_agreements", result["csv_export_agreements"], flush=True)
    await app.state.limiter.close()
    async with engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM api_token WHERE name = 'bench reports'"))
    await engine.dispose()
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / f"reports-{label}.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL DATABASE_URL with the data")
    parser.add_argument("--label", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--exports", type=int, default=3)
    parser.add_argument(
        "--scan", action="store_true", help="answer every summary and trend by a scan"
    )
    args = parser.parse_args()
    asyncio.run(run(args.url, args.label, args.requests, args.exports, args.scan))


if __name__ == "__main__":
    main()
