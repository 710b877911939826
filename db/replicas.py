"""PostgreSQL streaming replicas that read-only requests may be answered from.

A `Replicas` holds one engine per replica (`DATABASE_REPLICA_URLS`) and what this worker knows
of each: whether it is in rotation, how far it has replayed the primary's write-ahead log
(`pg_last_wal_replay_lsn()`) and how far behind it is. `check` asks every replica (the app runs
it every `PARTNERGRAPH_REPLICA_CHECK_MS` in each worker): one that cannot be reached, is no
longer a standby (promoted) or lags more than `PARTNERGRAPH_REPLICA_MAX_LAG_MS` is taken out of
rotation until a later check finds it well again. A request that finds a replica gone
(`Replicas.failed`, from the engine's own connect and disconnect events) takes it out at once.

`pick` chooses round-robin among the replicas in rotation; with the log position a caller's
last write committed at (`primary_lsn`, taken after the write), only a replica that has
replayed that far, waiting up to `PARTNERGRAPH_REPLICA_WAIT_MS` for one, else none (the
primary answers). Nothing here decides what is a read: `resolvers.read_routing` does.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, is_sqlite, is_unavailable, reads_engine

__all__ = ["PRIMARY", "Replica", "Replicas", "parse_lsn"]

log = logging.getLogger("partnergraph.replicas")

PRIMARY = "primary"
"""The name of the primary in `extensions.database` and the metrics."""

_STATE = sa.text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
"""Whether the server is a standby, and how far it has replayed."""

_REPLAYED = sa.text("SELECT pg_last_wal_replay_lsn()::text")
_WRITTEN = sa.text("SELECT pg_current_wal_lsn()::text")

_POLL_S = 0.005
"""How often a read waiting for a replica to replay its caller's write asks it again."""


def parse_lsn(text: str | None) -> int | None:
    """`0/16B3748` as a number (`None` for `None`)."""
    if text is None:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass(eq=False)
class Replica:
    name: str
    engine: AsyncEngine
    in_rotation: bool = False
    """Off until a check finds it a standby within the lag limit."""
    replayed: int = 0
    """The log position it had replayed at the last look."""
    lag_s: float | None = None
    reason: str = "not checked yet"
    """Why it is out of rotation (for the log)."""


class Replicas:
    """The replicas of one worker, and the primary engine their callers fall back to."""

    def __init__(
        self,
        primary: AsyncEngine,
        urls: Sequence[str],
        *,
        max_lag_s: float,
        wait_s: float,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        if urls and is_sqlite(primary.url.render_as_string(hide_password=False)):
            raise ValueError("DATABASE_REPLICA_URLS needs PostgreSQL as DATABASE_URL")
        self.primary = primary
        self.max_lag_s = max_lag_s
        self.wait_s = wait_s
        self.replicas = [
            Replica(name=f"replica-{n}", engine=create_engine(url, **(engine_options or {})))
            for n, url in enumerate(urls, start=1)
        ]
        for url in urls:
            if is_sqlite(url):
                raise ValueError("a replica must be a PostgreSQL server")
        self._next = 0
        self._positions: list[tuple[float, int]] = []
        """(monotonic time, the primary's log position then), from the checks."""
        for replica in self.replicas:
            self._watch_failures(replica)

    def __bool__(self) -> bool:
        return bool(self.replicas)

    def _watch_failures(self, replica: Replica) -> None:
        """Takes `replica` out of rotation as soon as a request finds it unreachable."""

        def on_error(context: Any) -> None:
            if context.is_disconnect or is_unavailable(context.original_exception):
                self.failed(replica, "a request lost its connection")

        event.listen(replica.engine.sync_engine, "handle_error", on_error)

    def failed(self, replica: Replica, reason: str) -> None:
        if replica.in_rotation:
            log.warning("replica %s out of rotation: %s", replica.name, reason)
        replica.in_rotation = False
        replica.reason = reason

    def by_engine(self, engine: AsyncEngine) -> Replica | None:
        for replica in self.replicas:
            if replica.engine is engine or reads_engine(replica.engine) is engine:
                return replica
        return None

    async def check(self) -> None:
        """Asks every replica how it is, and puts it in or out of rotation.

        The lag is measured against the primary's positions seen at earlier checks (kept for
        twice the lag limit): a replica that has replayed what the primary had written at time
        t misses at most what was written since, so it lags `now - t`; none when it has
        replayed the primary's latest position. (`pg_last_xact_replay_timestamp()` would call
        a replica that just received the first change after an idle hour an hour behind.)"""
        now = time.monotonic()
        try:
            latest = await self.primary_lsn()
        except Exception:
            latest = None  # the primary's own failures are the requests' to report
        if latest is not None:
            self._positions.append((now, latest))
        keep = max(2 * self.max_lag_s, 10.0)
        while len(self._positions) > 2 and now - self._positions[1][0] > keep:
            self._positions.pop(0)
        await asyncio.gather(*(self._check(replica, now) for replica in self.replicas))

    def _lag(self, replayed: int, now: float) -> float | None:
        """Seconds the replica's state is behind the primary's, `None` when unknown yet."""
        if not self._positions:
            return None
        if replayed >= self._positions[-1][1]:
            return 0.0
        reached = [at for at, position in self._positions if position <= replayed]
        if not reached and len(self._positions) < 2:
            return None  # behind the one position seen: by how much, the next check tells
        return now - (reached[-1] if reached else self._positions[0][0])

    async def _check(self, replica: Replica, now: float) -> None:
        try:
            async with reads_engine(replica.engine).connect() as connection:
                standby, replayed = (await connection.execute(_STATE)).one()
        except Exception as error:
            if not is_unavailable(error):
                log.warning("checking replica %s failed", replica.name, exc_info=True)
            self.failed(replica, "unreachable")
            replica.lag_s = None
            return
        if not standby or replayed is None:
            self.failed(replica, "not a standby")
            return
        replica.replayed = parse_lsn(replayed) or 0
        lag = self._lag(replica.replayed, now)
        if lag is None:
            return  # the primary's position is not known yet: as it was
        replica.lag_s = lag
        if lag > self.max_lag_s:
            self.failed(replica, f"lags {lag:.3f} s")
            return
        if not replica.in_rotation:
            log.info("replica %s in rotation", replica.name)
        replica.in_rotation = True
        replica.reason = ""

    async def primary_lsn(self) -> int | None:
        """The primary's current log position: taken after a write commits, a replica that has
        replayed this far shows the write."""
        async with reads_engine(self.primary).connect() as connection:
            return parse_lsn(await connection.scalar(_WRITTEN))

    async def _replayed(self, replica: Replica) -> int | None:
        try:
            async with reads_engine(replica.engine).connect() as connection:
                found = parse_lsn(await connection.scalar(_REPLAYED))
        except Exception as error:  # not ready: the primary answers
            if is_unavailable(error):
                self.failed(replica, "unreachable")
            else:
                log.warning(
                    "asking replica %s how far it replayed failed", replica.name, exc_info=True
                )
            return None
        if found is not None:
            replica.replayed = max(replica.replayed, found)
        return found

    async def pick(self, written: int | None = None) -> Replica | None:
        """A replica to read from, round-robin among those in rotation; with `written`, one
        that has replayed that far (asked afresh, for up to `wait_s`); `None` for the
        primary."""
        ready = [r for r in self.replicas if r.in_rotation]
        if not ready:
            return None
        self._next = (self._next + 1) % len(ready)
        ordered = ready[self._next :] + ready[: self._next]
        if written is None:
            return ordered[0]
        for replica in ordered:
            if replica.replayed >= written:
                return replica
        deadline = time.monotonic() + self.wait_s
        while True:
            for replica in ordered:
                if not replica.in_rotation:
                    continue
                found = await self._replayed(replica)
                if found is not None and found >= written:
                    return replica
            if time.monotonic() + _POLL_S > deadline:
                return None
            await asyncio.sleep(_POLL_S)

    async def dispose(self) -> None:
        for replica in self.replicas:
            await replica.engine.dispose()
