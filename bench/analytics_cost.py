"""What running the network analytics in the pool (`graph.isolation`) costs against running
them in the server process, per analytic, on a synthetic network of CORDIS size and on one of
the demo's size.

    uv run python -m bench.analytics_cost [--organizations 30000 --projects 19000] [--repeat 3]

The synthetic network is built with `graph/` directly (no database): projects with a
heavy-tailed number of parties drawn with a skew towards a few hubs; 30,000 organizations and
19,000 projects give about 860,000 organization pairs, as CORDIS Horizon Europe. For each
analytic: in this process on a view whose networkit graphs are built (as a view's second
analytic used to be), in this process on a fresh view (graphs built first), in the pool on a
view its process already holds, and in the pool on a fresh view (its edges sent first). Also
the pool's start (a process importing networkit). Medians of 5 runs (demo size) and of
`--repeat` runs (CORDIS size), in seconds.
"""

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from graph import analytics
from graph.data import Member, NetworkData, Organization, Tie, TieKind
from graph.isolation import AnalyticsPool
from graph.network import Filter, Network, View

MEASURES = {
    "components (summary)": analytics.COMPONENTS,
    "biconnected (bridges, articulation points)": analytics.BICONNECTED,
    "pagerank": analytics.PAGERANK,
    "communities": analytics.COMMUNITIES,
    "betweenness": analytics.BETWEENNESS,
}


def synthetic(organizations: int, projects: int, seed: int = 1) -> NetworkData:
    rng = np.random.default_rng(seed)
    orgs = [Organization(i, f"O{i}", "university", "DE") for i in range(1, organizations + 1)]
    weights = 1.0 / np.arange(1, organizations + 1) ** 0.6
    weights /= weights.sum()
    sizes = np.clip(rng.lognormal(1.55, 0.85, projects).astype(int) + 1, 2, 120)
    ties, members = [], []
    for p, k in enumerate(sizes.tolist(), start=1):
        ties.append(Tie(TieKind.AGREEMENT, p, f"P{p}", "research", "active"))
        chosen = rng.choice(organizations, size=min(k, organizations), replace=False, p=weights)
        members += [Member(TieKind.AGREEMENT, p, int(o) + 1) for o in chosen]
    return NetworkData(orgs, ties, members)


def _median(times: list[float]) -> float:
    return round(statistics.median(times), 4)


async def measure(network: Network, repeat: int) -> dict[str, Any]:
    def fresh() -> View:
        return network.view(Filter())

    pool = AnalyticsPool(1)
    started = time.perf_counter()
    await pool.run(fresh(), analytics.COMPONENTS, budget=600)
    report: dict[str, Any] = {"pool_start_s": round(time.perf_counter() - started, 2)}
    kept = fresh()
    await pool.run(kept, analytics.COMPONENTS, budget=600)
    analytics.measure(kept, analytics.COMPONENTS)
    for name, m in MEASURES.items():
        here_built: list[float] = []
        here_fresh: list[float] = []
        pool_known: list[float] = []
        pool_fresh: list[float] = []
        for _ in range(repeat):
            kept.memo.pop(m.name, None)
            here_built.append(_timed(lambda m=m: analytics.measure(kept, m)))
            view = fresh()
            here_fresh.append(_timed(lambda m=m, view=view: analytics.measure(view, m)))
            kept.memo.pop(m.name, None)
            pool_known.append(await _timed_async(pool.run(kept, m, budget=600)))
            pool_fresh.append(await _timed_async(pool.run(fresh(), m, budget=600)))
        report[name] = {
            "in_process_graphs_built_s": _median(here_built),
            "in_process_fresh_view_s": _median(here_fresh),
            "pool_view_held_s": _median(pool_known),
            "pool_fresh_view_s": _median(pool_fresh),
        }
    pool.close()
    return report


def _timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


async def _timed_async(awaitable: Any) -> float:
    start = time.perf_counter()
    await awaitable
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=30_000)
    parser.add_argument("--projects", type=int, default=19_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs on the CORDIS-size network")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    for label, (orgs, projects, repeat) in {
        "demo size": (60, 40, 5),
        "CORDIS size": (args.organizations, args.projects, args.repeat),
    }.items():
        network = Network(synthetic(orgs, projects))
        view = network.view(Filter())
        report[label] = {"organizations": view.size, "edges": view.edge_count}
        report[label].update(asyncio.run(measure(network, repeat)))
        print(json.dumps({label: report[label]}, indent=1), flush=True)


if __name__ == "__main__":
    main()
