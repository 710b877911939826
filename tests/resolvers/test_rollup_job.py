"""The job that keeps the summary rollups' window holding today (`resolvers.rollup_job`):
nothing while the window is fresh, a rebuild once it is `refresh_days` old or does not hold
today, one process at a time."""

import asyncio
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.rollup_job import LOCK, RollupJob, refresh_rollups
from settings import Settings

pytestmark = pytest.mark.anyio

TODAY = date.today()


async def _pivot(engine: AsyncEngine) -> date:
    async with engine.connect() as connection:
        found = await connection.scalar(sa.text("SELECT pivot FROM summary_rollup_state"))
    return found if isinstance(found, date) else date.fromisoformat(str(found))


async def test_the_window_is_rebuilt_once_it_is_due(demo_engine: AsyncEngine) -> None:
    pivot = await _pivot(demo_engine)
    later = pivot + timedelta(days=29)
    assert await refresh_rollups(demo_engine, refresh_days=30, today=pivot) is None
    assert await refresh_rollups(demo_engine, refresh_days=30, today=later) is None
    due = pivot + timedelta(days=30)
    assert await refresh_rollups(demo_engine, refresh_days=30, today=due) == due
    assert await _pivot(demo_engine) == due
    assert await refresh_rollups(demo_engine, refresh_days=30, today=due) is None
    # a window that does not hold the day (the clock went back, or a copy of old data)
    assert await refresh_rollups(demo_engine, refresh_days=30, today=TODAY) == TODAY
    assert await _pivot(demo_engine) == TODAY


async def test_one_process_rebuilds_at_a_time(demo_engine: AsyncEngine) -> None:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite has one writer")
    due = await _pivot(demo_engine) + timedelta(days=40)
    async with demo_engine.begin() as other:
        await other.execute(
            sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": LOCK[0], "b": LOCK[1]}
        )
        assert await refresh_rollups(demo_engine, refresh_days=30, today=due) is None
    assert await refresh_rollups(demo_engine, refresh_days=30, today=due) == due


async def test_the_job_runs_until_stopped(demo_engine: AsyncEngine) -> None:
    async with demo_engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE summary_rollup_state SET pivot = :p, horizon = :h").bindparams(
                sa.bindparam("p", type_=sa.Date), sa.bindparam("h", type_=sa.Date)
            ),
            {"p": TODAY - timedelta(days=40), "h": TODAY + timedelta(days=52)},
        )
    job = RollupJob(demo_engine, Settings(rollup_refresh_days=30), every=0.01)
    task = asyncio.create_task(job.run())
    for _ in range(500):
        if await _pivot(demo_engine) == TODAY:
            break
        await asyncio.sleep(0.02)
    job.stop()
    await task
    assert await _pivot(demo_engine) == TODAY


def test_refresh_days_must_fit_the_window() -> None:
    with pytest.raises(ValueError, match="ROLLUP_REFRESH_DAYS"):
        _ = Settings(rollup_refresh_days=92).rollup_refresh
    assert Settings().rollup_refresh == 30
