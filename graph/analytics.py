"""Whole-network measures of a view: size, density, components, centrality, communities, bridges.

The algorithms are networkit's (C++, OpenMP): degree, betweenness (exact up to
`EXACT_BETWEENNESS_WORK`, above it estimated from a sample of source nodes, the Brandes-Pich
estimator, error measured in `bench/network.py`), PageRank, Louvain communities
(PLM, on the weighted graph; sequential, hence repeatable, on small views), and biconnected
components, from which bridges (two-node components) and articulation points (nodes in more
than one component) follow. Each result is computed once per view and kept in `View.memo`.
"""

from collections import Counter
from dataclasses import dataclass

import networkit as nk
import numpy as np

from graph.network import View

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS_WORK",
    "REPEATABLE_COMMUNITIES_LIMIT",
    "Betweenness",
    "Community",
    "Score",
    "Summary",
    "articulation_points",
    "betweenness",
    "bridges",
    "communities",
    "degree",
    "pagerank",
    "summary",
]

EXACT_BETWEENNESS_WORK = 20_000_000
"""Exact betweenness when organizations x edges is at most this (about a second), else sampled."""
REPEATABLE_COMMUNITIES_LIMIT = 5000
"""Louvain runs sequentially (the same answer every time) up to this many organizations."""
BETWEENNESS_SAMPLES = 256
SEED = 20260101


@dataclass(frozen=True, slots=True)
class Score:
    organization_id: int
    value: float


@dataclass(frozen=True, slots=True)
class Betweenness:
    scores: list[Score]
    exact: bool
    samples: int


@dataclass(frozen=True, slots=True)
class Community:
    """Communities are numbered from 0, largest first."""

    number: int
    organization_ids: list[int]


@dataclass(frozen=True, slots=True)
class Summary:
    organizations: int
    edges: int
    density: float
    components: int
    largest_component: int
    isolated: int


def _graph(view: View, *, weighted: bool) -> nk.Graph:
    key = "nk.weighted" if weighted else "nk.plain"
    found = view.memo.get(key)
    if found is None:
        found = nk.Graph(view.size, weighted=weighted)
        if view.edge_count:
            sources = view.edge_sources.astype(np.uint64)
            targets = view.edge_targets.astype(np.uint64)
            if weighted:
                found.addEdges((view.edge_weights.astype(np.float64), (sources, targets)))
            else:
                found.addEdges((sources, targets))
        view.memo[key] = found
    return found


def _ranked(view: View, values: np.ndarray) -> list[Score]:
    """Every organization with its value, highest first (ties by organization id)."""
    order = np.lexsort((view.organization_ids, -values))
    return [Score(int(view.organization_ids[i]), float(values[i])) for i in order]


def summary(view: View) -> Summary:
    found = view.memo.get("summary")
    if isinstance(found, Summary):
        return found
    n = view.size
    sizes = [len(c) for c in _components(view)]
    result = Summary(
        organizations=n,
        edges=view.edge_count,
        density=2 * view.edge_count / (n * (n - 1)) if n > 1 else 0.0,
        components=len(sizes),
        largest_component=max(sizes, default=0),
        isolated=int(np.count_nonzero(view.degrees() == 0)),
    )
    view.memo["summary"] = result
    return result


def _components(view: View) -> list[list[int]]:
    found = view.memo.get("components")
    if found is None:
        algorithm = nk.components.ConnectedComponents(_graph(view, weighted=False))
        algorithm.run()
        found = view.memo["components"] = algorithm.getComponents()
    result: list[list[int]] = found
    return result


def degree(view: View) -> list[Score]:
    """Partners (neighbours) per organization."""
    return _ranked(view, view.degrees().astype(np.float64))


def betweenness(view: View, *, samples: int = BETWEENNESS_SAMPLES) -> Betweenness:
    """Normalised betweenness (the share of shortest paths between other pairs through each
    organization): exact on small views, estimated from `samples` sources on large ones."""
    found = view.memo.get("betweenness")
    if isinstance(found, Betweenness):
        return found
    graph = _graph(view, weighted=False)
    exact = view.size * view.edge_count <= EXACT_BETWEENNESS_WORK
    nk.engineering.setSeed(SEED, False)
    if exact:
        algorithm = nk.centrality.Betweenness(graph, normalized=True)
    else:
        algorithm = nk.centrality.EstimateBetweenness(graph, samples, True, True)
    if view.size:
        algorithm.run()
        values = np.array(algorithm.scores(), dtype=np.float64)
    else:
        values = np.zeros(0)
    result = Betweenness(_ranked(view, values), exact, 0 if exact else samples)
    view.memo["betweenness"] = result
    return result


def pagerank(view: View) -> list[Score]:
    """PageRank on the weighted graph (damping 0.85); the scores sum to 1."""
    found = view.memo.get("pagerank")
    if isinstance(found, list):
        return found
    if view.size == 0:
        return []
    algorithm = nk.centrality.PageRank(_graph(view, weighted=True), damp=0.85, tol=1e-9)
    algorithm.run()
    values = np.array(algorithm.scores(), dtype=np.float64)
    result = _ranked(view, values / values.sum())
    view.memo["pagerank"] = result
    return result


def communities(view: View) -> list[Community]:
    """Louvain communities (modularity on the weighted graph), largest first; organizations
    without a partner are left out."""
    found = view.memo.get("communities")
    if isinstance(found, list):
        return found
    if view.edge_count == 0:
        return []
    nk.engineering.setSeed(SEED, False)
    # Sequential on small views, so the same data gives the same communities every time.
    parallel = "balanced" if view.size > REPEATABLE_COMMUNITIES_LIMIT else "none"
    algorithm = nk.community.PLM(_graph(view, weighted=True), refine=True, par=parallel)
    algorithm.run()
    labels = np.array(algorithm.getPartition().getVector(), dtype=np.int64)
    connected = view.degrees() > 0
    members: dict[int, list[int]] = {}
    for node in np.flatnonzero(connected).tolist():
        members.setdefault(int(labels[node]), []).append(view.organization(node))
    groups = sorted(members.values(), key=lambda g: (-len(g), min(g)))
    result = [Community(i, sorted(g)) for i, g in enumerate(groups)]
    view.memo["communities"] = result
    return result


def _biconnected(view: View) -> list[list[int]]:
    found = view.memo.get("biconnected")
    if found is None:
        algorithm = nk.components.BiconnectedComponents(_graph(view, weighted=False))
        algorithm.run()
        found = view.memo["biconnected"] = algorithm.getComponents()
    result: list[list[int]] = found
    return result


def bridges(view: View) -> list[tuple[int, int]]:
    """Edges whose removal disconnects their two organizations, as sorted organization pairs."""
    pairs = [
        tuple(sorted((view.organization(c[0]), view.organization(c[1]))))
        for c in _biconnected(view)
        if len(c) == 2
    ]
    return sorted((a, b) for a, b in pairs)


def articulation_points(view: View) -> list[int]:
    """Organizations whose removal splits their component."""
    counts = Counter(node for component in _biconnected(view) for node in component)
    return sorted(view.organization(node) for node, k in counts.items() if k > 1)
