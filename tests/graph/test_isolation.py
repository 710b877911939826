"""graph.isolation: networkit measures in pool processes that may crash or overrun, and the
caller lives on."""

import asyncio
import dataclasses
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvloop

from graph import analytics
from graph.analytics import Graphs, Measure
from graph.isolation import AnalyticsFailed, AnalyticsPool, AnalyticsTimeout
from graph.network import Filter, View
from tests import native_hooks
from tests.graph.networks import Builder

pytestmark = pytest.mark.anyio

MEASURES: list[Measure[Any]] = [
    analytics.COMPONENTS,
    analytics.BICONNECTED,
    analytics.BETWEENNESS,
    analytics.PAGERANK,
    analytics.COMMUNITIES,
]


def ring_of_triangles(n: int) -> Builder:
    """Triangles 3k+1..3k+3, each tied to the next by one agreement, and one loner."""
    b = Builder(3 * n + 1)
    for k in range(n):
        b.agreement(2 * k + 1, 3 * k + 1, 3 * k + 2, 3 * k + 3)
        b.agreement(2 * k + 2, 3 * k + 3, (3 * k + 4) % (3 * n) or 3 * n)
    return b


def raw(name: str, kernel: Callable[[Graphs], Any]) -> Measure[Any]:
    """A measure answering its kernel's result as it is."""
    return Measure(name, kernel, lambda _, found: found)


PID = raw("pid", native_hooks.pid)
CRASH = raw("crash", native_hooks.segfault)
SLOW = raw("slow", native_hooks.sleep)


def fresh(b: Builder) -> View:
    return b.network().view(Filter())


@pytest.fixture
async def pool() -> AsyncIterator[AnalyticsPool]:
    found = AnalyticsPool(1)
    yield found
    found.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_each_measure_in_the_pool_equals_the_one_computed_here(pool: AnalyticsPool) -> None:
    b = ring_of_triangles(20)
    for m in MEASURES:
        assert await pool.run(fresh(b), m, budget=60) == analytics.measure(fresh(b), m)


async def test_a_crashed_process_fails_its_computation_and_the_next_one_works(
    pool: AnalyticsPool,
) -> None:
    b = ring_of_triangles(5)
    pid = await pool.run(fresh(b), PID, budget=60)
    with pytest.raises(AnalyticsFailed, match="signal 11"):
        await pool.run(fresh(b), CRASH, budget=60)
    assert gone(pid) and pool.replaced == 1
    view = fresh(b)
    assert await pool.run(view, analytics.PAGERANK, budget=60) == analytics.pagerank(fresh(b))
    assert analytics.PAGERANK.name in view.memo and "crash" not in view.memo


async def test_a_computation_past_its_budget_is_stopped(pool: AnalyticsPool) -> None:
    b = ring_of_triangles(5)
    pid = await pool.run(fresh(b), PID, budget=60)
    with pytest.raises(AnalyticsTimeout, match="ran past its budget"):
        await pool.run(fresh(b), SLOW, budget=0.5)
    assert gone(pid) and pool.replaced == 1
    assert await pool.run(fresh(b), analytics.BICONNECTED, budget=60) == analytics.measure(
        fresh(b), analytics.BICONNECTED
    )


async def test_waiting_for_a_free_process_counts_in_the_budget(pool: AnalyticsPool) -> None:
    b = ring_of_triangles(5)
    await pool.run(fresh(b), PID, budget=60)  # the one process is up
    slow = asyncio.ensure_future(pool.run(fresh(b), SLOW, budget=3))
    await asyncio.sleep(0.1)
    with pytest.raises(AnalyticsTimeout, match="no analytics process was free"):
        await pool.run(fresh(b), PID, budget=0.5)
    with pytest.raises(AnalyticsTimeout, match="ran past its budget"):
        await slow
    assert await pool.run(fresh(b), PID, budget=60) > 0


async def test_concurrent_callers_of_one_measure_share_one_computation(
    pool: AnalyticsPool,
) -> None:
    view = fresh(ring_of_triangles(30))
    found: list[Any] = await asyncio.gather(*(pool.run(view, m, budget=60) for m in MEASURES * 4))
    assert pool.computations == len(MEASURES)
    expected: list[Any] = [analytics.measure(fresh(ring_of_triangles(30)), m) for m in MEASURES]
    assert found == expected * 4


async def test_the_waiters_of_a_failed_computation_get_its_error(pool: AnalyticsPool) -> None:
    view = fresh(ring_of_triangles(5))
    found = await asyncio.gather(
        *(pool.run(view, CRASH, budget=60) for _ in range(3)), return_exceptions=True
    )
    assert [type(e) for e in found] == [AnalyticsFailed] * 3
    assert pool.computations == 1


def test_views_computed_here_take_turns_on_one_set_of_graphs() -> None:
    """In-process, a view's networkit graphs are built once and kept while any computation
    uses them (a graph dropped under a running algorithm was the crash of issue 15)."""
    view = fresh(ring_of_triangles(10))
    analytics.summary(view)
    graphs = view.memo["graphs.local"].graphs
    analytics.bridges(view)
    analytics.pagerank(view)
    assert view.memo["graphs.local"].graphs is graphs
    assert dataclasses.fields(graphs)


def test_the_pool_answers_on_uvloop_as_the_server_runs_it() -> None:
    """uvicorn runs on uvloop, whose readers make a socket non-blocking: large answers (here
    PageRank of 30,001 organizations) must still arrive whole."""

    async def main() -> list[Any]:
        pool = AnalyticsPool(2)
        try:
            b = ring_of_triangles(10_000)
            views = [fresh(b) for _ in range(6)]
            asks = [pool.run(v, analytics.PAGERANK, budget=60) for v in views]
            return await asyncio.gather(*asks)
        finally:
            pool.close()

    found = uvloop.run(main())
    assert all(len(scores) == 30_001 for scores in found)
    assert all(scores == found[0] for scores in found)
