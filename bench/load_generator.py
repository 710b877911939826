"""The load generator: keep-alive connections sending requests back to back for a measured
window, and a scenario run against the API and then the floor."""

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from bench.scenarios import Scenario
from bench.servers import API_PORT, FLOOR_PORT
from bench.subjects import Subjects, auth_headers, write_variables


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


def request_bytes(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of one HTTP/1.1 request as `Connection` sends it."""
    head = [f"{method} {path} HTTP/1.1", "Host: bench"]
    if method == "POST":
        head.append("Content-Type: application/json")
    head += [f"{k}: {v}" for k, v in headers.items()]
    if method == "POST":
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator shares the 2 cores with the
    servers, so it must cost as little as possible (httpx costs several times more)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.request("POST", path, body, headers)

    async def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(request_bytes(method, path, body, headers))
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
    method: str = "POST",
    status: int = 200,
) -> Measured:
    """`concurrency` connections sending `make_request(worker, n)` -> (path, body, headers,
    check) back to back; the first `warmup` seconds are not counted. An answer counts as an
    error unless it has `status` and passes `check`."""
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
                got, answer = await connection.request(method, path, body, headers)
                done = time.perf_counter()
                ok = got == status and check(answer)
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
    floor: bool = True,
) -> tuple[dict[str, float], dict[str, float] | None]:
    """Loads the API with the scenario, then the floor with its statement unless `floor` is
    off."""
    headers = auth_headers(subjects, scenario.role)
    if scenario.floor_sql is None:
        # each connection edits agreements of its own, carrying the version it got back
        def make_write(index: int, n: int) -> Any:
            key = subjects.drafts[index % len(subjects.drafts)]
            body = orjson.dumps(
                {"query": scenario.document, "variables": write_variables(key, versions[key], n)}
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
    if not floor:
        return api.summary(), None
    floor_load = await load(
        FLOOR_PORT,
        lambda i, n: (f"/{scenario.name}", floor_body, {}, _ok),
        concurrency=concurrency,
        warmup=warmup,
        duration=duration,
    )
    return api.summary(), floor_load.summary()
