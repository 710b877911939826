"""A Redis that accepts connections and never answers costs a request at most its deadline, and
once the breaker opens nothing at all; the limiter then fails open (let through, logged) or
closed (503 `RATE_LIMIT_UNAVAILABLE`), as set; an unreachable Redis is reported at start-up."""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app import create_app
from resolvers.redis_client import Breaker, BreakerOpen
from settings import FailureMode, Settings
from tests.conftest import Databases, api_client

pytestmark = pytest.mark.anyio

PLAIN = {"query": "{ alliances { totalCount } }"}


@dataclass
class SilentRedis:
    """A TCP server that accepts every connection, reads what it is sent and never answers."""

    url: str = ""
    connections: int = 0
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        while await reader.read(4096):
            pass

    def close(self) -> None:
        for writer in self._writers:
            writer.close()


@pytest.fixture
async def silent_redis() -> AsyncIterator[SilentRedis]:
    silent = SilentRedis()
    server = await asyncio.start_server(silent.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    silent.url = f"redis://127.0.0.1:{port}/0"
    yield silent
    silent.close()
    server.close()


def _settings(silent: SilentRedis, mode: FailureMode) -> Settings:
    return Settings(
        rate_limit_per_minute=1_000,
        redis_url=silent.url,
        redis_timeout_ms=100,
        redis_breaker_failures=2,
        redis_breaker_seconds=600,
        rate_limit_on_redis_failure=mode,
    )


async def test_a_silent_redis_is_skipped_once_the_breaker_opens_and_requests_pass(
    demo_engine: AsyncEngine,
    databases: Databases,
    silent_redis: SilentRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings(silent_redis, FailureMode.OPEN)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        responses = [await http.post("/graphql", json=PLAIN) for _ in range(8)]
        reports = [await http.get("/reports/expiring.csv") for _ in range(2)]
    for response in responses:
        assert response.status_code == 200
        assert response.json()["data"]["alliances"]["totalCount"] >= 1
    assert all(report.status_code == 200 for report in reports)
    assert silent_redis.connections == 2, "two failures open the breaker; none waits after"
    warnings = [r for r in caplog.records if "rate limiter unavailable" in r.getMessage()]
    assert len(warnings) == 2, "each failure is logged, not each request that skips Redis"


async def test_a_silent_redis_refuses_requests_when_set_to_fail_closed(
    demo_engine: AsyncEngine, databases: Databases, silent_redis: SilentRedis
) -> None:
    settings = _settings(silent_redis, FailureMode.CLOSED)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        responses = [await http.post("/graphql", json=PLAIN) for _ in range(4)]
        responses.append(await http.get("/reports/expiring.csv"))
        responses.append(await http.get("/network/export.gexf"))
        responses.append(
            await http.post(
                "/graphql", json=PLAIN, headers={"accept": "application/graphql-response+json"}
            )
        )
    for response in responses:
        assert response.status_code == 503, response.text
        assert int(response.headers["Retry-After"]) >= 1
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMIT_UNAVAILABLE"
    assert silent_redis.connections == 2


async def test_an_unreachable_redis_is_reported_at_start_up(
    demo_engine: AsyncEngine, silent_redis: SilentRedis, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(_settings(silent_redis, FailureMode.OPEN), engine=demo_engine)
    with caplog.at_level(logging.WARNING):
        async with app.router.lifespan_context(app):
            pass
    [warning] = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert "127.0.0.1" in warning.getMessage()
    assert "let through uncounted" in warning.getMessage()


async def test_a_reachable_redis_is_not_reported(
    demo_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(rate_limit_per_minute=1_000), engine=demo_engine)
    with caplog.at_level(logging.WARNING):
        async with app.router.lifespan_context(app):
            pass
    if app.state.limiter.breaker.is_open:
        pytest.skip("no Redis on this machine")
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]


async def test_the_breaker_probes_once_after_its_pause_and_closes_when_redis_answers() -> None:
    now = [0.0]
    breaker = Breaker(failures=2, pause_s=10, deadline_s=1, clock=lambda: now[0])

    async def fails() -> None:
        raise ConnectionError("refused")

    async def answers() -> str:
        return "PONG"

    for _ in range(2):
        with pytest.raises(ConnectionError):
            await breaker.call(fails)
    assert breaker.is_open and breaker.retry_after() == 10
    with pytest.raises(BreakerOpen):
        await breaker.call(answers)
    now[0] = 10.0
    release = asyncio.Event()

    async def answers_later() -> str:
        await release.wait()
        return "PONG"

    probe = asyncio.ensure_future(breaker.call(answers_later))
    await asyncio.sleep(0)
    with pytest.raises(BreakerOpen):
        await breaker.call(answers)  # the probe is under way: the others still skip Redis
    release.set()
    assert await probe == "PONG"
    assert not breaker.is_open
    assert await breaker.call(answers) == "PONG"
    assert breaker.attempts == 4


async def test_a_failed_probe_opens_the_breaker_again_at_once() -> None:
    now = [0.0]
    breaker = Breaker(failures=3, pause_s=5, deadline_s=1, clock=lambda: now[0])

    async def fails() -> None:
        raise ConnectionError("refused")

    for _ in range(3):
        with pytest.raises(ConnectionError):
            await breaker.call(fails)
    now[0] = 5.0
    with pytest.raises(ConnectionError):
        await breaker.call(fails)
    assert breaker.is_open and breaker.retry_after() == 5
    assert breaker.attempts == 4


async def test_a_call_past_its_deadline_is_a_failure() -> None:
    breaker = Breaker(failures=1, pause_s=5, deadline_s=0.05)

    async def hangs() -> None:
        await asyncio.sleep(60)

    with pytest.raises(TimeoutError):
        await breaker.call(hangs)
    assert breaker.is_open
