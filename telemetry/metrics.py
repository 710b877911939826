"""Prometheus metrics of each worker, added up across workers in multiprocess mode.

With `PROMETHEUS_MULTIPROC_DIR` set before the server starts (`partnergraph serve --workers N`
makes one when it is not), every worker writes its values to files in that directory and
`/metrics`, whichever worker answers it, reads them all (`render`); without it, one process
reports its own. The series (docs/operations.md, "Metrics"):

- `partnergraph_requests_total{operation,road,outcome}` and
  `partnergraph_request_duration_seconds{operation,road}`: each HTTP request once answered;
  `operation` is the GraphQL operation's name, `anonymous` without one, `none` off GraphQL and
  `other` past `PARTNERGRAPH_METRICS_MAX_OPERATIONS` names (a name is learnt only from a
  request answered without error), so callers cannot grow the series;
- `partnergraph_cost_points_total{operation}`: cost points charged;
- `partnergraph_refused_requests_total{reason}`: refused by admission or the limits, by code
  (`RATE_LIMITED`, `UNAUTHENTICATED`, `QUERY_TOO_COSTLY`, ...);
- `partnergraph_sql_statements_per_request{road}` and `partnergraph_sql_seconds_per_request{road}`;
- `partnergraph_database_requests_total{database}`: with read replicas, the GraphQL requests
  each database answered (`primary`, `replica-1`, ...), and
  `partnergraph_db_replica_in_rotation{replica}` / `partnergraph_db_replica_lag_seconds{replica}`,
  sampled (docs/operations.md, "Read replicas");
- `partnergraph_db_pool_connections{state}` (`in_use`, `idle`, `overflow`, `waiting`) and
  `partnergraph_cache_lookups_total{cache,result}`, sampled every few seconds (`sample`), not
  on each request.

Per request, the loop only notes the request's facts in a list (`observe`); `flush`, every
second and before each `/metrics` answer, adds them up by label set and updates each series
value once (in multiprocess mode an update is a lock and a write to a memory-mapped file).
"""

import bisect
import os
import re
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import REGISTRY

from telemetry.facts import RequestFacts

__all__ = ["GRAPHQL_ROADS", "Metrics", "mark_worker_gone", "render"]

GRAPHQL_ROADS = frozenset({"fast_lane", "compiled", "ordinary", "batch"})

_STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 10, 20, 50, 100)
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "partnergraph_requests",
    "HTTP requests answered, by GraphQL operation, road and outcome",
    ["operation", "road", "outcome"],
)
DURATION = Histogram(
    "partnergraph_request_duration_seconds",
    "Time from a request's arrival to its answer's last byte",
    ["operation", "road"],
    buckets=_SECONDS,
)
COST = Counter("partnergraph_cost_points", "Cost points charged", ["operation"])
REFUSED = Counter(
    "partnergraph_refused_requests", "Requests refused by admission or the limits", ["reason"]
)
STATEMENTS = Histogram(
    "partnergraph_sql_statements_per_request",
    "SQL statements sent by one request",
    ["road"],
    buckets=_STATEMENT_BUCKETS,
)
SQL_SECONDS = Histogram(
    "partnergraph_sql_seconds_per_request",
    "Time one request spent waiting on its SQL statements",
    ["road"],
    buckets=_SECONDS,
)
POOL = Gauge(
    "partnergraph_db_pool_connections",
    "Database connections of the workers' pools, by state (sampled)",
    ["state"],
    multiprocess_mode="livesum",
)
CACHE = Counter(
    "partnergraph_cache_lookups",
    "Lookups in the workers' caches (tokens, parsed and validated documents, plans, ...)",
    ["cache", "result"],
)

DATABASE = Counter(
    "partnergraph_database_requests",
    "GraphQL requests by the database that answered them (with read replicas)",
    ["database"],
)
REPLICA_IN_ROTATION = Gauge(
    "partnergraph_db_replica_in_rotation",
    "1 while a read replica is in this worker's rotation (sampled; summed over workers)",
    ["replica"],
    multiprocess_mode="livesum",
)
REPLICA_LAG = Gauge(
    "partnergraph_db_replica_lag_seconds",
    "How far a read replica was behind the primary at its last check (sampled)",
    ["replica"],
    multiprocess_mode="livemax",
)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


_SECOND_BOUNDS = (*_SECONDS, float("inf"))
_STATEMENT_BOUNDS = (*_STATEMENT_BUCKETS, float("inf"))


def _add_observations(histogram: Any, counts: list[int], total: float) -> None:
    """Adds `counts` observations per bucket (by upper bound, not cumulated) and their `total`
    to a labelled histogram, as that many `observe` calls would, with one update per bucket.
    (prometheus-client has no call for it: this writes the values `Histogram.observe` writes.)"""
    histogram._sum.inc(total)
    for value, count in zip(histogram._buckets, counts, strict=True):
        if count:
            value.inc(count)


class _Tally:
    """What the requests of one label set added since the last flush."""

    __slots__ = (
        "cost",
        "durations",
        "requests",
        "sql",
        "sql_total",
        "statement_total",
        "statements",
        "total",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.cost = 0
        self.durations = [0] * len(_SECOND_BOUNDS)
        self.total = 0.0
        self.statements = [0] * len(_STATEMENT_BOUNDS)
        self.statement_total = 0
        self.sql = [0] * len(_SECOND_BOUNDS)
        self.sql_total = 0.0

    def add(self, seconds: float, cost: int | None, statements: int, sql_seconds: float) -> None:
        self.requests += 1
        self.durations[bisect.bisect_left(_SECOND_BOUNDS, seconds)] += 1
        self.total += seconds
        if cost:
            self.cost += cost
        self.statements[bisect.bisect_left(_STATEMENT_BOUNDS, statements)] += 1
        self.statement_total += statements
        if statements:
            self.sql[bisect.bisect_left(_SECOND_BOUNDS, sql_seconds)] += 1
            self.sql_total += sql_seconds

    def publish(self, series: tuple[Any, Any, Any, Any, Any]) -> None:
        requests, duration, cost, statements, sql_seconds = series
        requests.inc(self.requests)
        _add_observations(duration, self.durations, self.total)
        if self.cost:
            cost.inc(self.cost)
        _add_observations(statements, self.statements, float(self.statement_total))
        if any(self.sql):
            _add_observations(sql_seconds, self.sql, self.sql_total)


def _outcome(facts: RequestFacts, status: int) -> str:
    if status >= 500 or facts.code == "INTERNAL_SERVER_ERROR":
        return "server_error"
    if facts.refusal is not None:
        return "refused"
    if status >= 400 or facts.code is not None:
        return "error"
    return "ok"


class Metrics:
    """One worker's view of the series above, with their labelled children kept at hand."""

    def __init__(self, max_operations: int) -> None:
        self.max_operations = max_operations
        self._operations: set[str] = set()
        self._children: dict[tuple[str, ...], tuple[Any, Any, Any, Any, Any]] = {}
        self._cache_counts: dict[tuple[str, str], int] = {}
        self._pending: list[tuple[Any, ...]] = []

    def _operation(self, facts: RequestFacts, outcome: str) -> str:
        if facts.road not in GRAPHQL_ROADS:
            return "none"
        name = facts.operation
        if name is None:
            return "anonymous"
        if name in self._operations:
            return name
        if (
            outcome == "ok"
            and len(self._operations) < self.max_operations
            and _NAME.fullmatch(name)
        ):
            self._operations.add(name)
            return name
        return "other"

    def observe(self, facts: RequestFacts, status: int, seconds: float) -> None:
        """Notes one answered request, counted at the next `flush`."""
        outcome = _outcome(facts, status)
        key = (self._operation(facts, outcome), facts.road, outcome)
        self._pending.append(
            (
                key,
                seconds,
                facts.cost,
                facts.statements,
                facts.sql_seconds,
                facts.refusal,
                facts.database,
            )
        )

    def flush(self) -> None:
        """Adds what the requests noted since the last flush to the series, a label set at a
        time (each series value is updated once per flush, not once per request)."""
        pending, self._pending = self._pending, []
        tallies: dict[tuple[str, str, str], _Tally] = {}
        refused: dict[str, int] = {}
        databases: dict[str, int] = {}
        for key, seconds, cost, statements, sql_seconds, refusal, database in pending:
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _Tally()
            tally.add(seconds, cost, statements, sql_seconds)
            if refusal is not None:
                refused[refusal] = refused.get(refusal, 0) + 1
            if database is not None:
                databases[database] = databases.get(database, 0) + 1
        for key, tally in tallies.items():
            tally.publish(self._series(key))
        for reason, count in refused.items():
            REFUSED.labels(reason).inc(count)
        for database, count in databases.items():
            DATABASE.labels(database).inc(count)

    def sample_replicas(self, replicas: Iterable[tuple[str, bool, float | None]]) -> None:
        """Each replica's name, whether it is in rotation and its lag at the last check."""
        for name, in_rotation, lag_s in replicas:
            REPLICA_IN_ROTATION.labels(name).set(1 if in_rotation else 0)
            if lag_s is not None:
                REPLICA_LAG.labels(name).set(lag_s)

    def _series(self, key: tuple[str, str, str]) -> tuple[Any, Any, Any, Any, Any]:
        children = self._children.get(key)
        if children is None:
            operation, road, outcome = key
            children = self._children[key] = (
                REQUESTS.labels(operation, road, outcome),
                DURATION.labels(operation, road),
                COST.labels(operation),
                STATEMENTS.labels(road),
                SQL_SECONDS.labels(road),
            )
        return children

    def sample_pool(self, pools: Iterable[Any]) -> None:
        """The connections of `pools` (SQLAlchemy `QueuePool`s) by state, summed."""
        totals = {"in_use": 0, "idle": 0, "overflow": 0, "waiting": 0}
        for pool in pools:
            for state, read in (
                ("in_use", "checkedout"),
                ("idle", "checkedin"),
                ("overflow", "overflow"),
            ):
                method = getattr(pool, read, None)
                if method is not None:
                    totals[state] += max(0, int(method()))
            totals["waiting"] += _waiting(pool)
        for state, value in totals.items():
            POOL.labels(state).set(value)

    def sample_caches(self, counts: Iterable[tuple[str, int, int]]) -> None:
        """Adds to the cache lookup counters what `counts` (name, hits, misses, each a running
        total of one cache; several caches may share a name) grew by since the last sample."""
        totals: dict[tuple[str, str], int] = {}
        for name, hits, misses in counts:
            totals[(name, "hit")] = totals.get((name, "hit"), 0) + hits
            totals[(name, "miss")] = totals.get((name, "miss"), 0) + misses
        for key, total in totals.items():
            grown = total - self._cache_counts.get(key, 0)
            if grown > 0:
                CACHE.labels(*key).inc(grown)
            self._cache_counts[key] = max(total, self._cache_counts.get(key, 0))


def _waiting(pool: Any) -> int:
    """Callers waiting for a connection of an `AsyncAdaptedQueuePool` (its asyncio queue's
    getters), 0 where that cannot be read."""
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    getters = getattr(queue, "_getters", None)
    return sum(1 for waiter in getters if not waiter.done()) if getters else 0


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> tuple[bytes, str]:
    """The metrics text of every worker (multiprocess mode) or of this process, and its media
    type."""
    if _multiprocess_dir() is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_worker_gone() -> None:
    """Drops this worker's live gauges from the totals (multiprocess mode), as it stops."""
    if _multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
