"""What persisted operations save against sending the whole document: the portal scenario's
query sent in full, by its hash (Automatic Persisted Queries), as a saved view (`GET
/views/<name>`, answered in full) and as a saved view the client already holds (304 on
`If-None-Match`), against a real uvicorn server on PostgreSQL.

    uv run python -m bench.saved_views --organizations 1000 --rounds 3 --duration 6

Uses (or makes) the database `bench_views_<organizations>` as `bench.run` does, saves the portal
document as a view, then runs the modes in alternating order, `--rounds` times, each for
`--duration` seconds with `--concurrency` keep-alive connections; reports request bytes,
response bytes, req/s and p50 per mode (the median of the rounds), and writes
bench/out/saved_views-<organizations>.json.
"""

import argparse
import asyncio
import hashlib
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
from sqlalchemy.engine import make_url

from bench.load_generator import load, request_bytes
from bench.results import OUT
from bench.scenarios import PORTAL
from bench.servers import machine, start_server, stop_server
from bench.subjects import Subjects, auth_headers, prepare

VIEW = "bench-portal"
API_PORT = 8471
"""A port of its own: other benchmarks may be running on this machine."""


@dataclass(frozen=True)
class Mode:
    name: str
    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    status: int
    check: Callable[[bytes], bool]


def _data(answer: bytes) -> bool:
    return b'"errors"' not in answer and answer.startswith(b'{"data"')


def _empty(answer: bytes) -> bool:
    return answer == b""


def _modes(subjects: Subjects, etag: str) -> list[Mode]:
    headers = auth_headers(subjects, PORTAL.role)
    variables = subjects.variables("portal")
    sha = hashlib.sha256(PORTAL.document.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    view_path = f"/views/{VIEW}?" + urlencode({"variables": orjson.dumps(variables).decode()})
    return [
        Mode(
            "full document (POST)",
            "POST",
            "/graphql",
            orjson.dumps({"query": PORTAL.document, "variables": variables}),
            headers,
            200,
            _data,
        ),
        Mode(
            "hash (APQ, POST)",
            "POST",
            "/graphql",
            orjson.dumps({"extensions": persisted, "variables": variables}),
            headers,
            200,
            _data,
        ),
        Mode("saved view (GET, 200)", "GET", view_path, b"", headers, 200, _data),
        Mode(
            "saved view (GET, 304)",
            "GET",
            view_path,
            b"",
            {**headers, "If-None-Match": etag},
            304,
            _empty,
        ),
    ]


def _prepare_server(subjects: Subjects) -> str:
    """The portal document saved as a view and registered by hash; the view's current tag."""
    admin = auth_headers(subjects, "admin")
    editor = auth_headers(subjects, PORTAL.role)
    base = f"http://127.0.0.1:{API_PORT}"
    saved = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation ($n: String!, $d: String!) { saveView(input: {name: $n, "
            "document: $d}) { view { version } userErrors { code message } } }",
            "variables": {"n": VIEW, "d": PORTAL.document},
        },
        headers=admin,
    ).json()
    assert not saved["data"]["saveView"]["userErrors"], saved
    variables = subjects.variables("portal")
    sha = hashlib.sha256(PORTAL.document.encode()).hexdigest()
    registered = httpx.post(
        f"{base}/graphql",
        json={
            "query": PORTAL.document,
            "variables": variables,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}},
        },
        headers=editor,
    ).json()
    assert "errors" not in registered, registered
    answer = httpx.get(
        f"{base}/views/{VIEW}",
        params={"variables": orjson.dumps(variables).decode()},
        headers=editor,
    )
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"]


async def _response_bytes(mode: Mode) -> int:
    """The bytes of one answer, head and body, as the server sends it."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{API_PORT}") as client:
        headers = {**mode.headers}
        if mode.method == "POST":
            headers["Content-Type"] = "application/json"
        response = await client.request(
            mode.method, mode.path, content=mode.body or None, headers=headers
        )
    head = f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
    return len(head.encode()) + len(response.content)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    # a database of its own: migration 0009_views must not touch another branch's bench_<n>
    url = make_url(args.database_url).set(database=f"bench_views_{args.organizations}")
    url_text = url.render_as_string(hide_password=False)
    agreements = args.organizations * 10
    subjects = await prepare(url_text, args.organizations, agreements, args.concurrency)
    env = {
        "DATABASE_URL": url_text,
        "PARTNERGRAPH_RATE_LIMIT": "0",
        "PARTNERGRAPH_ENV": "production",
    }
    server = start_server("app:create_app", API_PORT, env, args.workers)
    rounds: dict[str, list[dict[str, float]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    try:
        etag = _prepare_server(subjects)
        modes = _modes(subjects, etag)
        for mode in modes:
            sizes[mode.name] = {
                "request_bytes": len(
                    request_bytes(mode.method, mode.path, mode.body, mode.headers)
                ),
                "response_bytes": await _response_bytes(mode),
            }
        for number in range(args.rounds):
            order = modes if number % 2 == 0 else list(reversed(modes))
            for mode in order:
                measured = await load(
                    API_PORT,
                    lambda i, n, mode=mode: (mode.path, mode.body, mode.headers, mode.check),
                    concurrency=args.concurrency,
                    warmup=args.warmup,
                    duration=args.duration,
                    method=mode.method,
                    status=mode.status,
                )
                summary = measured.summary()
                rounds.setdefault(mode.name, []).append(summary)
                print(number, mode.name, summary, flush=True)
    finally:
        stop_server(server)
    results = {
        name: {
            **sizes[name],
            "rps": statistics.median(r["rps"] for r in found),
            "p50": statistics.median(r["p50"] for r in found),
            "errors": sum(r["errors"] for r in found),
            "rounds": found,
        }
        for name, found in rounds.items()
    }
    report = {
        "organizations": args.organizations,
        "agreements": agreements,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "rounds": args.rounds,
        "duration_s": args.duration,
        "machine": machine(),
        "modes": results,
    }
    (OUT / f"saved_views-{args.organizations}.json").write_text(json.dumps(report, indent=1))
    return report


def _table(report: dict[str, Any]) -> str:
    lines = [
        "| mode | request bytes | response bytes | req/s | p50 ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, found in report["modes"].items():
        lines.append(
            f"| {name} | {found['request_bytes']:,} | {found['response_bytes']:,} | "
            f"{found['rps']:,} | {found['p50']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = asyncio.run(_run(args))
    print(_table(report))


if __name__ == "__main__":
    main()
