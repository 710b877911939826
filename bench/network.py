"""The cooperation network at scale: CORDIS Horizon Europe on PostgreSQL.

    uv run python bench/network.py [--url POSTGRES_URL] [--fresh] [--exact] [--samples 256]

Loads CORDIS (30,721 organizations, 19,189 projects as multi-party research agreements,
119,242 participations) into a fresh PostgreSQL database with `db.loaders.cordis`, then
measures what `graph/` does with it: reading the rows, building the network and its unfiltered
view, memory, 2-hop neighbourhoods, shortest paths, whole-network and one-country centrality, a
network as of a date, and the API end to end (partners and paths through the ASGI app).
`--exact` also computes the exact betweenness (minutes) to measure the sampled one's error.
Results are printed and written to bench/out/network.json.
"""

import argparse
import asyncio
import gc
import itertools
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import networkit as nk
import numpy as np
from sqlalchemy.engine import make_url

from app import create_app
from db.engine import create_engine
from db.enums import TokenRole
from db.loaders.cordis import load_cordis
from db.migrate import upgrade
from graph import analytics
from graph.cache import cache_for
from graph.load import load_network
from graph.network import Filter, Network, View
from resolvers.ids import encode_id
from resolvers.tokens import create_token
from settings import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cordis_horizon"
OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/partnergraph_bench_network"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2),
        "n": len(ordered),
    }


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


async def _admin(url: str, sql: str) -> None:
    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def prepare(url: str, fresh: bool, data: Path) -> dict[str, Any]:
    name = make_url(url).database
    if fresh:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _admin(url, f'CREATE DATABASE "{name}"')
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None
        count = await raw.driver_connection.fetchval("SELECT count(*) FROM organization")
    loaded: dict[str, Any] = {}
    if count == 0:
        start = time.perf_counter()
        report = await load_cordis(engine, data)
        loaded = {"loader": "db.loaders.cordis", "rows": dict(report.rows)}
        loaded["seconds"] = round(time.perf_counter() - start, 1)
    await engine.dispose()
    return loaded


def sample_nodes(view: View, count: int, rng: random.Random) -> list[int]:
    connected = np.flatnonzero(view.degrees() > 0).tolist()
    return [rng.choice(connected) for _ in range(count)]


def graph_part(network: Network, view: View, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    results: dict[str, Any] = {}

    neighbourhood = []
    sizes = []
    for node in sample_nodes(view, args.requests, rng):
        seconds, reach = timed(lambda node=node: view.neighbourhood(node, 2))
        neighbourhood.append(seconds)
        sizes.append(len(reach))
    results["neighbourhood_2_hops"] = {
        **percentiles(neighbourhood),
        "median_reached": int(statistics.median(sizes)),
    }

    paths = []
    lengths = []
    pairs = list(
        zip(
            sample_nodes(view, args.requests, rng),
            sample_nodes(view, args.requests, rng),
            strict=True,
        )
    )
    for s, t in pairs:

        def one(s: int = s, t: int = t) -> list[list[int]]:
            found = view.shortest_paths(s, t, 5)
            for path in found:  # the hops' ties, as the API returns them
                for a, b in itertools.pairwise(path):
                    view.link(a, b)
            return found

        seconds, found = timed(one)
        paths.append(seconds)
        lengths.append(len(found[0]) - 1 if found else -1)
    results["shortest_paths_max_5"] = {
        **percentiles(paths),
        "median_length": statistics.median(lengths),
        "unconnected": lengths.count(-1),
    }

    whole: dict[str, float] = {}
    for name, function in (
        ("summary_components_s", analytics.summary),
        ("degree_s", analytics.degree),
        ("pagerank_s", analytics.pagerank),
        ("communities_s", analytics.communities),
        (
            "bridges_articulation_s",
            lambda v: (analytics.bridges(v), analytics.articulation_points(v)),
        ),
    ):
        seconds, _ = timed(lambda function=function: function(view))
        whole[name] = round(seconds, 2)
    seconds, estimated = timed(lambda: analytics.betweenness(view, samples=args.samples))
    whole["betweenness_sampled_s"] = round(seconds, 2)
    whole["betweenness_samples"] = args.samples
    whole["communities"] = len(analytics.communities(view))
    whole["bridges"] = len(analytics.bridges(view))
    whole["articulation_points"] = len(analytics.articulation_points(view))
    results["whole_network"] = whole

    if args.exact:
        graph = nk.Graph(view.size)
        graph.addEdges((view.edge_sources.astype(np.uint64), view.edge_targets.astype(np.uint64)))
        seconds, exact = timed(lambda: _exact(graph))
        results["betweenness_error"] = {
            "exact_s": round(seconds, 1),
            **_error(view, estimated, exact),
        }

    country: dict[str, Any] = {}
    for code in args.countries:
        f = Filter(countries=frozenset({code}))
        seconds, sub = timed(lambda f=f: network.view(f))
        b_seconds, b = timed(lambda sub=sub: analytics.betweenness(sub, samples=args.samples))
        p_seconds, _ = timed(lambda sub=sub: analytics.pagerank(sub))
        country[code] = {
            "organizations": sub.size,
            "edges": sub.edge_count,
            "view_s": round(seconds, 3),
            "betweenness_s": round(b_seconds, 3),
            "betweenness_exact": b.exact,
            "pagerank_s": round(p_seconds, 3),
        }
    results["one_country"] = country

    as_of = []
    for year in range(2021, 2026):
        for month in (1, 7):
            f = Filter(as_of=date(year, month, 1))
            seconds, _ = timed(lambda f=f: network.view(f))
            as_of.append(seconds)
    results["view_as_of_a_date"] = {
        **percentiles(as_of),
        "edges_on_2023_01_01": network.view(Filter(as_of=date(2023, 1, 1))).edge_count,
    }
    return results


def _exact(graph: nk.Graph) -> np.ndarray:
    algorithm = nk.centrality.Betweenness(graph, normalized=True)
    algorithm.run()
    return np.array(algorithm.scores())


def _error(view: View, estimated: analytics.Betweenness, exact: np.ndarray) -> dict[str, Any]:
    by_org = {s.organization_id: s.value for s in estimated.scores}
    sampled = np.array([by_org[int(o)] for o in view.organization_ids])
    top_exact = np.argsort(-exact)
    report: dict[str, Any] = {}
    for k in (10, 100, 1000):
        top_sampled = set(np.argsort(-sampled)[:k].tolist())
        report[f"top_{k}_overlap"] = len(top_sampled & set(top_exact[:k].tolist())) / k
    top = top_exact[:100]
    relative = np.abs(sampled[top] - exact[top]) / exact[top]
    report["top_100_median_relative_error"] = round(float(np.median(relative)), 3)
    report["top_100_max_relative_error"] = round(float(relative.max()), 3)
    ranks_e = np.argsort(np.argsort(-exact[top_exact[:1000]]))
    ranks_s = np.argsort(np.argsort(-sampled[top_exact[:1000]]))
    report["top_1000_spearman"] = round(float(np.corrcoef(ranks_e, ranks_s)[0, 1]), 3)
    return report


async def api_part(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Partners (2 hops, first 20) and paths (max 5) through the ASGI app, as an admin."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        token = (await create_token(connection, name="bench", role=TokenRole.ADMIN)).secret
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    cache = cache_for(engine)
    network = await cache.network(engine)
    view = await cache.view(engine, Filter(), None)
    rng = random.Random(11)
    ids = [
        encode_id("Organization", view.organization(n))
        for n in sample_nodes(view, 2 * args.api_requests, rng)
    ]
    partners = """query ($id: ID!) { node(id: $id) { ... on Organization {
        partners(depth: 2, first: 20) { totalCount nodes { hops organization { name }
        links(first: 1) { weight } } } } } }"""
    paths = """query ($a: ID!, $b: ID!) { cooperationPaths(from: $a, to: $b, max: 5) {
        length hops { weight source { name } target { name } ties { label } } } }"""
    results: dict[str, Any] = {"organizations": len(network.organizations)}
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as client:
        for name, document, variables in (
            ("partners_2_hops_first_20", partners, [{"id": i} for i in ids[: args.api_requests]]),
            (
                "cooperation_paths_max_5",
                paths,
                [{"a": a, "b": b} for a, b in zip(ids[::2], ids[1::2], strict=False)],
            ),
        ):
            times = []
            for v in variables:
                start = time.perf_counter()
                response = await client.post("/graphql", json={"query": document, "variables": v})
                times.append(time.perf_counter() - start)
                assert "errors" not in response.json(), response.text[:500]
            results[name] = percentiles(times)
    await app.state.limiter.close()
    await engine.dispose()
    return results


async def build_part(url: str) -> tuple[dict[str, Any], Network, View]:
    engine = create_engine(url)
    gc.collect()
    before = rss_mb()
    read_s, (_, data) = await _timed_async(load_network(engine))
    network_s, network = timed(lambda: Network(data))
    view_s, view = timed(lambda: network.view(Filter()))
    data.members.clear()  # the rows are not kept once built
    gc.collect()
    after = rss_mb()
    await engine.dispose()
    return (
        {
            "organizations": len(network.organizations),
            "ties": len(network.ties),
            "memberships": int(network.member_org.size),
            "edges_organization_pairs": view.edge_count,
            "read_rows_s": round(read_s, 2),
            "build_network_s": round(network_s, 2),
            "build_view_s": round(view_s, 2),
            "build_total_s": round(read_s + network_s + view_s, 2),
            "rss_before_mb": round(before),
            "rss_after_mb": round(after),
            "rss_growth_mb": round(after - before),
        },
        network,
        view,
    )


async def _timed_async(awaitable: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await awaitable
    return time.perf_counter() - start, result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"database": make_url(args.url).get_backend_name()}
    report["load"] = await prepare(args.url, args.fresh, args.data)
    report["build"], network, view = await build_part(args.url)
    print(json.dumps(report, indent=1), flush=True)
    report["graph"] = graph_part(network, view, args)
    print(json.dumps(report["graph"], indent=1), flush=True)
    del network, view
    gc.collect()
    report["api"] = await api_part(args.url, args)
    report["peak_rss_mb"] = round(_peak_mb())
    return report


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--data", type=Path, default=DATA, help="the cordis_horizon folder")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database")
    parser.add_argument(
        "--exact", action="store_true", help="measure the sampled betweenness error"
    )
    parser.add_argument("--samples", type=int, default=analytics.BETWEENNESS_SAMPLES)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--api-requests", type=int, default=100)
    parser.add_argument("--countries", nargs="*", default=["DE", "BE"])
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps(report["api"], indent=1))
    OUT.mkdir(exist_ok=True)
    (OUT / "network.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
