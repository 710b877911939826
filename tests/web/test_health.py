"""`/health/live` and `/health/ready` (web.health): what a load balancer asks, on both databases."""

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from db.migrate import MIGRATIONS, head_revisions
from settings import FailureMode, Settings
from tests.conftest import api_client
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

NO_REDIS = "redis://127.0.0.1:1/0"
"""Nothing listens there."""


async def test_live_answers_without_asking_anything(down_engine: AsyncEngine) -> None:
    async with api_client(down_engine, None) as http:
        response = await http.get("/health/live")
        assert (await http.get("/health")).json() == {"status": "ok"}
    assert response.status_code == 200
    assert response.json() == {"status": "live"}


async def test_ready_when_the_database_is_migrated_and_redis_answers(
    demo_engine: AsyncEngine,
) -> None:
    async with api_client(demo_engine, None, Settings(rate_limit_per_minute=1_000)) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "database": "ok", "redis": "ok"}


async def test_ready_without_a_rate_limiter_reports_redis_off(demo_engine: AsyncEngine) -> None:
    async with api_client(demo_engine, None) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["redis"] == "off"


async def test_ready_is_one_statement(
    demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    async with api_client(demo_engine, None) as http:
        assert (await http.get("/health/ready")).status_code == 200  # connected, dialect set up
        statements.reset()
        assert (await http.get("/health/ready")).status_code == 200
    assert statements.count == 1


async def test_unready_when_the_database_is_unreachable(down_engine: AsyncEngine) -> None:
    async with api_client(down_engine, None) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unready", "database": "unreachable", "redis": "off"}


async def test_unready_when_migrations_are_behind(migrated_engine: AsyncEngine) -> None:
    [head] = head_revisions()
    previous = ScriptDirectory(str(MIGRATIONS)).get_revision(head).down_revision
    assert isinstance(previous, str)
    async with migrated_engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE alembic_version SET version_num = :v"), {"v": previous}
        )
    async with api_client(migrated_engine, None) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "migrations not at head"


async def test_unready_when_not_migrated_at_all(empty_engine: AsyncEngine) -> None:
    async with api_client(empty_engine, None) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "not migrated"


@pytest.mark.parametrize("mode", list(FailureMode))
async def test_redis_down_makes_it_unready_only_when_the_limiter_fails_closed(
    demo_engine: AsyncEngine, mode: FailureMode
) -> None:
    settings = Settings(
        rate_limit_per_minute=1_000, redis_url=NO_REDIS, rate_limit_on_redis_failure=mode
    )
    async with api_client(demo_engine, None, settings) as http:
        response = await http.get("/health/ready")
    assert response.json()["redis"] == "unreachable"
    assert response.status_code == (200 if mode is FailureMode.OPEN else 503)
