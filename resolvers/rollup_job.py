"""Keeps the summary rollups answering without an operator: their window of days
(`db.summary_rollup`) is moved by a rebuild every `rollup_refresh_days`, by a job that
`partnergraph worker` runs and, if `rollups_in_serve`, `serve` too.

The distinct parties (`db.party_rollup`) and the trends' flows (`db.trend_rollup`) do not depend
on today and need no refresh; only the status an agreement reads as today does. Several
processes may run the job: on PostgreSQL a transaction advisory lock lets one rebuild while the
others skip (and they read the window again after the lock, so a rebuild just committed is not
done twice); on SQLite the database's own write lock serialises them.
"""

import asyncio
import contextlib
import logging
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import summary_rollup
from resolvers.background import RunningJob
from settings import Settings

__all__ = ["CHECK_SECONDS", "LOCK", "RollupJob", "refresh_rollups", "start_rollup_job"]

log = logging.getLogger("partnergraph.rollups")

CHECK_SECONDS = 3600.0
"""How often the job looks at the window (one row)."""

LOCK = (21021, 0)
"""The advisory lock (two keys) one rebuilding process holds (PostgreSQL)."""


async def refresh_rollups(
    engine: AsyncEngine, *, refresh_days: int, today: date | None = None
) -> date | None:
    """Rebuilds the summary rollups with their window from `today` if it started
    `refresh_days` or more days ago, or does not hold today; the new window's first day, or
    None when nothing was due (or another process is rebuilding, or there are no rollups)."""
    today = today or date.today()
    async with engine.begin() as connection:
        if not await connection.run_sync(summary_rollup.installed):
            return None
        if connection.dialect.name == "postgresql":
            locked = await connection.scalar(
                sa.text("SELECT pg_try_advisory_xact_lock(:a, :b)"), {"a": LOCK[0], "b": LOCK[1]}
            )
            if not locked:
                return None
        window = (
            await connection.execute(
                sa.text("SELECT pivot, horizon FROM summary_rollup_state WHERE id = 1")
            )
        ).first()
        if window is not None:
            pivot, horizon = (
                date.fromisoformat(str(value)) if not isinstance(value, date) else value
                for value in window
            )
            if pivot <= today < horizon and today < pivot + timedelta(days=refresh_days):
                return None
        await connection.run_sync(summary_rollup.rebuild, today)
    return today


class RollupJob:
    """`refresh_rollups` every `CHECK_SECONDS` until stopped (a failed run is logged and tried
    again at the next check)."""

    def __init__(self, engine: AsyncEngine, settings: Settings, *, every: float = CHECK_SECONDS):
        self.engine = engine
        self.refresh_days = settings.rollup_refresh
        self.every = every
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        while not self.stopped.is_set():
            try:
                moved = await refresh_rollups(self.engine, refresh_days=self.refresh_days)
                if moved is not None:
                    log.info("summary rollups rebuilt, window from %s", moved)
            except Exception:
                log.exception("summary rollup refresh failed; trying again at the next check")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), self.every)

    def stop(self) -> None:
        self.stopped.set()


def start_rollup_job(engine: AsyncEngine, settings: Settings) -> RunningJob:
    """A `RollupJob` run as a task of the current event loop (inside `serve`)."""
    return RunningJob(RollupJob(engine, settings), name="rollups")
