"""Whole-network measures of a view: size, density, components, centrality, communities, bridges.

The algorithms are networkit's (C++, OpenMP): degree, betweenness (exact up to
`EXACT_BETWEENNESS_WORK`, above it estimated from a sample of source nodes, the Brandes-Pich
estimator, error measured in `bench/network.py`), PageRank, Louvain communities
(PLM, on the weighted graph; sequential, hence repeatable), and biconnected
components, from which bridges (two-node components) and articulation points (nodes in more
than one component) follow. Each result is computed once per view and kept in `View.memo`.

Each networkit measure is a `Measure`: a *kernel* that runs networkit on a view's edges alone
(`Edges`, plain arrays that pickle, over local node numbers) and a *finish* that turns its raw
answer into organizations with the view. So the kernel can run in another process
(`graph.isolation`, what the API does) or here (the functions below, for scripts and tests).
networkit objects are never shared: a kernel gets its own `Graphs`, and here computations on
one view take turns (a lock per view), since networkit's components algorithms do not keep
their graph alive and a graph dropped by one thread while another's algorithm ran on it was the
crash of issue 15.
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

import networkit as nk
import numpy as np
import numpy.typing as npt

from graph.network import View

__all__ = [
    "BETWEENNESS",
    "BETWEENNESS_SAMPLES",
    "BICONNECTED",
    "COMMUNITIES",
    "COMPONENTS",
    "EXACT_BETWEENNESS_WORK",
    "PAGERANK",
    "REPEATABLE_DECIMALS",
    "Betweenness",
    "Community",
    "Edges",
    "Graphs",
    "Measure",
    "Score",
    "Summary",
    "articulation_points",
    "articulation_points_of",
    "betweenness",
    "bridges",
    "bridges_of",
    "communities",
    "degree",
    "measure",
    "pagerank",
    "summary",
    "summary_of",
]

EXACT_BETWEENNESS_WORK = 20_000_000
"""Exact betweenness when organizations x edges is at most this (about a second), else sampled."""
BETWEENNESS_SAMPLES = 256
SEED = 20260101

Values = npt.NDArray[np.float64]
T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class Edges:
    """A view's undirected edges over local nodes 0..size-1: all a kernel needs, picklable."""

    size: int
    sources: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int64]
    weights: npt.NDArray[np.int64]

    @classmethod
    def of(cls, view: View) -> "Edges":
        return cls(view.size, view.edge_sources, view.edge_targets, view.edge_weights)

    @property
    def count(self) -> int:
        return len(self.sources)


@dataclass(slots=True)
class Graphs:
    """The networkit graphs of one view's edges, each built on first use. Not thread-safe:
    whoever holds it runs one computation at a time."""

    edges: Edges
    _plain: nk.Graph | None = None
    _weighted: nk.Graph | None = None

    def _build(self, weighted: bool) -> nk.Graph:
        e = self.edges
        graph = nk.Graph(e.size, weighted=weighted)
        if e.count:
            sources, targets = e.sources.astype(np.uint64), e.targets.astype(np.uint64)
            if weighted:
                graph.addEdges((e.weights.astype(np.float64), (sources, targets)))
            else:
                graph.addEdges((sources, targets))
        return graph

    @property
    def plain(self) -> nk.Graph:
        if self._plain is None:
            self._plain = self._build(weighted=False)
        return self._plain

    @property
    def weighted(self) -> nk.Graph:
        if self._weighted is None:
            self._weighted = self._build(weighted=True)
        return self._weighted


@dataclass(frozen=True, slots=True)
class Measure(Generic[T]):
    """A networkit computation on a view: `kernel` on its edges (anywhere, picklable by
    reference), `finish` with the view. Its result is kept in `View.memo[name]`."""

    name: str
    kernel: Callable[[Graphs], Any]
    finish: Callable[[View, Any], T]


def _keep(_: View, raw: T) -> T:
    return raw


def _components_kernel(graphs: Graphs) -> list[list[int]]:
    algorithm = nk.components.ConnectedComponents(graphs.plain)
    algorithm.run()
    found: list[list[int]] = algorithm.getComponents()
    return found


def _biconnected_kernel(graphs: Graphs) -> list[list[int]]:
    algorithm = nk.components.BiconnectedComponents(graphs.plain)
    algorithm.run()
    found: list[list[int]] = algorithm.getComponents()
    return found


def _betweenness_kernel(graphs: Graphs, samples: int) -> tuple[Values, bool]:
    e = graphs.edges
    exact = e.size * e.count <= EXACT_BETWEENNESS_WORK
    if e.size == 0:
        return np.zeros(0), exact
    nk.engineering.setSeed(SEED, False)
    if exact:
        algorithm = nk.centrality.Betweenness(graphs.plain, normalized=True)
    else:
        algorithm = nk.centrality.EstimateBetweenness(graphs.plain, samples, True, True)
    algorithm.run()
    return np.array(algorithm.scores(), dtype=np.float64), exact


def _pagerank_kernel(graphs: Graphs) -> Values:
    if graphs.edges.size == 0:
        return np.zeros(0)
    algorithm = nk.centrality.PageRank(graphs.weighted, damp=0.85, tol=1e-9)
    algorithm.run()
    return np.array(algorithm.scores(), dtype=np.float64)


def _communities_kernel(graphs: Graphs) -> npt.NDArray[np.int64]:
    e = graphs.edges
    if e.count == 0:
        return np.zeros(e.size, dtype=np.int64)
    nk.engineering.setSeed(SEED, False)
    # Sequential, so the same data gives the same communities on every worker (and on CORDIS
    # in a third of the parallel run's time on two cores: bench/RESULTS.md).
    algorithm = nk.community.PLM(graphs.weighted, refine=True, par="none")
    algorithm.run()
    return np.array(algorithm.getPartition().getVector(), dtype=np.int64)


REPEATABLE_DECIMALS = 12
"""Scores are rounded to this many decimals: networkit's parallel sums differ in the last bits
from one run to the next (about 1e-16), which reordered equal scores between two workers."""


def _ranked(view: View, values: Values) -> list[Score]:
    """Every organization with its value, highest first (ties by organization id)."""
    values = np.round(values, REPEATABLE_DECIMALS)
    order = np.lexsort((view.organization_ids, -values))
    return [Score(int(view.organization_ids[i]), float(values[i])) for i in order]


def _betweenness_finish(view: View, raw: tuple[Values, bool], samples: int) -> Betweenness:
    values, exact = raw
    return Betweenness(_ranked(view, values), exact, 0 if exact else samples)


def _pagerank_finish(view: View, values: Values) -> list[Score]:
    return _ranked(view, values / values.sum()) if view.size else []


def _communities_finish(view: View, labels: npt.NDArray[np.int64]) -> list[Community]:
    if view.edge_count == 0:
        return []
    members: dict[int, list[int]] = {}
    for node in np.flatnonzero(view.degrees() > 0).tolist():
        members.setdefault(int(labels[node]), []).append(view.organization(node))
    groups = sorted(members.values(), key=lambda g: (-len(g), min(g)))
    return [Community(i, sorted(g)) for i, g in enumerate(groups)]


def _betweenness_measure(samples: int) -> Measure[Betweenness]:
    return Measure(
        "betweenness",
        partial(_betweenness_kernel, samples=samples),
        partial(_betweenness_finish, samples=samples),
    )


COMPONENTS: Measure[list[list[int]]] = Measure("components", _components_kernel, _keep)
"""Connected components, as lists of local nodes."""
BICONNECTED: Measure[list[list[int]]] = Measure("biconnected", _biconnected_kernel, _keep)
"""Biconnected components, as lists of local nodes."""
BETWEENNESS = _betweenness_measure(BETWEENNESS_SAMPLES)
"""Normalised betweenness (the share of shortest paths between other pairs through each
organization): exact on small views, estimated from sampled sources on large ones."""
PAGERANK: Measure[list[Score]] = Measure("pagerank", _pagerank_kernel, _pagerank_finish)
"""PageRank on the weighted graph (damping 0.85); the scores sum to 1."""
COMMUNITIES: Measure[list[Community]] = Measure(
    "communities", _communities_kernel, _communities_finish
)
"""Louvain communities (modularity on the weighted graph), largest first; organizations
without a partner are left out."""


@dataclass(slots=True)
class _Local:
    """This process's networkit graphs of a view, and the lock its computations take turns on."""

    graphs: Graphs
    lock: threading.Lock = field(default_factory=threading.Lock)


_LOCAL_CREATION = threading.Lock()


def measure(view: View, m: Measure[T]) -> T:
    """`m` on `view`, computed in this process (once per view; callers take turns)."""
    found = view.memo.get(m.name)
    if found is not None:
        result: T = found
        return result
    with _LOCAL_CREATION:
        local = view.memo.get("graphs.local")
        if not isinstance(local, _Local):
            local = view.memo["graphs.local"] = _Local(Graphs(Edges.of(view)))
    with local.lock:
        found = view.memo.get(m.name)
        if found is None:
            found = view.memo[m.name] = m.finish(view, m.kernel(local.graphs))
    result = found
    return result


def summary_of(view: View, components: list[list[int]]) -> Summary:
    n = view.size
    sizes = [len(c) for c in components]
    return Summary(
        organizations=n,
        edges=view.edge_count,
        density=2 * view.edge_count / (n * (n - 1)) if n > 1 else 0.0,
        components=len(sizes),
        largest_component=max(sizes, default=0),
        isolated=int(np.count_nonzero(view.degrees() == 0)),
    )


def bridges_of(view: View, biconnected: list[list[int]]) -> list[tuple[int, int]]:
    """Edges whose removal disconnects their two organizations, as sorted organization pairs."""
    pairs = [
        tuple(sorted((view.organization(c[0]), view.organization(c[1]))))
        for c in biconnected
        if len(c) == 2
    ]
    return sorted((a, b) for a, b in pairs)


def articulation_points_of(view: View, biconnected: list[list[int]]) -> list[int]:
    """Organizations whose removal splits their component."""
    counts = Counter(node for component in biconnected for node in component)
    return sorted(view.organization(node) for node, k in counts.items() if k > 1)


def summary(view: View) -> Summary:
    return summary_of(view, measure(view, COMPONENTS))


def degree(view: View) -> list[Score]:
    """Partners (neighbours) per organization."""
    return _ranked(view, view.degrees().astype(np.float64))


def betweenness(view: View, *, samples: int = BETWEENNESS_SAMPLES) -> Betweenness:
    chosen = BETWEENNESS if samples == BETWEENNESS_SAMPLES else _betweenness_measure(samples)
    return measure(view, chosen)


def pagerank(view: View) -> list[Score]:
    return measure(view, PAGERANK)


def communities(view: View) -> list[Community]:
    return measure(view, COMMUNITIES)


def bridges(view: View) -> list[tuple[int, int]]:
    return bridges_of(view, measure(view, BICONNECTED))


def articulation_points(view: View) -> list[int]:
    return articulation_points_of(view, measure(view, BICONNECTED))
