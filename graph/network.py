"""The network held in arrays, and views of it through a filter.

`Network` keeps organizations, ties and memberships as numpy arrays. `Network.view(filter)`
selects the ties and organizations the filter keeps and expands them into an
organization-by-organization adjacency matrix in one sparse product (`B @ B.T`, where `B` is
the organization-by-tie incidence matrix): the weight of an edge is the number of ties the two
organizations share, and the ties behind an edge are the intersection of the two rows of `B`.
Breadth-first layers (neighbourhoods, shortest paths) are row gathers on that matrix; the
centrality and community algorithms run in networkit (see `graph.analytics`).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graph.data import NetworkData, Tie, TieKind

__all__ = ["Filter", "Link", "Neighbourhood", "Network", "View"]

IntArray = npt.NDArray[np.int64]
_OPEN_START = -1
_OPEN_END = 10**8
_KINDS = list(TieKind)


def _ordinal(day: date | None, default: int) -> int:
    return default if day is None else day.toordinal()


@dataclass(frozen=True, slots=True)
class Filter:
    """Which part of the network to look at; every given condition must hold.

    `as_of`: ties in force and memberships held on that day (None: every date).
    `ties`: the kinds of tie that make edges (None: all four). `agreement_kinds` and `statuses`
    restrict agreements only. `organization_kinds`, `countries` and `alliance_id` (members of
    that alliance, on `as_of` when given) restrict the organizations; with `include_units`,
    the alliance's members bring their units (at any depth) with them. `collapse_units` folds
    every unit into its top-level institution: the institution holds its units' ties, the
    units and their unit ties leave the view, and the organization conditions apply to the
    institutions."""

    as_of: date | None = None
    ties: frozenset[TieKind] | None = None
    agreement_kinds: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    organization_kinds: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    alliance_id: int | None = None
    include_units: bool = True
    collapse_units: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """An edge: two organizations and the ties they share in the view."""

    source: int
    target: int
    ties: list[Tie]

    @property
    def weight(self) -> int:
        return len(self.ties)


class Network:
    """The whole network, unfiltered; immutable once built, shared by every request."""

    def __init__(self, data: NetworkData) -> None:
        orgs = sorted(data.organizations, key=lambda o: o.id)
        self.organizations = orgs
        self.organization_ids: IntArray = np.array([o.id for o in orgs], dtype=np.int64)
        self._position = {o.id: i for i, o in enumerate(orgs)}
        self.org_kind, self.kind_codes = _codes([o.kind for o in orgs])
        self.org_country, self.country_codes = _codes([o.country for o in orgs])
        self.parent: IntArray = np.array(
            [self._position.get(o.parent_id, -1) if o.parent_id else -1 for o in orgs],
            dtype=np.int64,
        )
        self.root = _roots(self.parent)

        self.ties = list(data.ties)
        tie_position = {(t.kind, t.id): i for i, t in enumerate(self.ties)}
        self.tie_kind = np.array([_KINDS.index(t.kind) for t in self.ties], dtype=np.int8)
        self.tie_ids: IntArray = np.array([t.id for t in self.ties], dtype=np.int64)
        self.tie_category, self.category_codes = _codes([t.category for t in self.ties])
        self.tie_status, self.status_codes = _codes([t.status for t in self.ties])
        self.tie_starts = np.array([_ordinal(t.starts, _OPEN_START) for t in self.ties])
        self.tie_ends = np.array([_ordinal(t.ends, _OPEN_END) for t in self.ties])

        tie_of, org_of, starts, ends = [], [], [], []
        for m in data.members:
            tie = tie_position.get((m.kind, m.tie_id))
            org = self._position.get(m.organization_id)
            if tie is None or org is None:
                continue
            tie_of.append(tie)
            org_of.append(org)
            starts.append(_ordinal(m.starts, _OPEN_START))
            ends.append(_ordinal(m.ends, _OPEN_END))
        self.member_tie: IntArray = np.array(tie_of, dtype=np.int64)
        self.member_org: IntArray = np.array(org_of, dtype=np.int64)
        self.member_starts: IntArray = np.array(starts, dtype=np.int64)
        self.member_ends: IntArray = np.array(ends, dtype=np.int64)

    def position(self, organization_id: int) -> int | None:
        return self._position.get(organization_id)

    def alliance_members(self, alliance_id: int, as_of: date | None) -> IntArray:
        """Positions of the organizations that are members of the alliance (on `as_of`)."""
        keep = (self.tie_kind[self.member_tie] == _KINDS.index(TieKind.ALLIANCE)) & (
            self.tie_ids[self.member_tie] == alliance_id
        )
        if as_of is not None:
            day = as_of.toordinal()
            keep &= (self.member_starts <= day) & (self.member_ends > day)
        return np.unique(self.member_org[keep])

    def alliance_first_day(self, alliance_id: int) -> date | None:
        """The earliest day a member of the alliance joined, if any joining date is known."""
        keep = (self.tie_kind[self.member_tie] == _KINDS.index(TieKind.ALLIANCE)) & (
            self.tie_ids[self.member_tie] == alliance_id
        )
        starts = self.member_starts[keep]
        starts = starts[starts != _OPEN_START]
        return date.fromordinal(int(starts.min())) if starts.size else None

    def tie_mask(self, f: Filter, visible_agreements: frozenset[int] | None) -> npt.NDArray[Any]:
        keep = np.ones(len(self.ties), dtype=bool)
        if f.ties is not None:
            keep &= np.isin(self.tie_kind, [_KINDS.index(k) for k in f.ties])
        agreement = self.tie_kind == _KINDS.index(TieKind.AGREEMENT)
        if f.agreement_kinds is not None:
            keep &= ~agreement | np.isin(
                self.tie_category, _wanted(self.category_codes, f.agreement_kinds)
            )
        if f.statuses is not None:
            keep &= ~agreement | np.isin(self.tie_status, _wanted(self.status_codes, f.statuses))
        if visible_agreements is not None:
            shown = np.isin(self.tie_ids, np.fromiter(visible_agreements, dtype=np.int64))
            keep &= ~agreement | shown
        if f.as_of is not None:
            day = f.as_of.toordinal()
            keep &= (self.tie_starts <= day) & (self.tie_ends >= day)
        return keep

    def organization_mask(self, f: Filter) -> npt.NDArray[Any]:
        keep = np.ones(len(self.organizations), dtype=bool)
        if f.organization_kinds is not None:
            keep &= np.isin(self.org_kind, _wanted(self.kind_codes, f.organization_kinds))
        if f.countries is not None:
            keep &= np.isin(self.org_country, _wanted(self.country_codes, f.countries))
        if f.alliance_id is not None:
            members = np.zeros(len(self.organizations), dtype=bool)
            found = self.alliance_members(f.alliance_id, f.as_of)
            members[self.root[found] if f.collapse_units else found] = True
            if f.include_units and not f.collapse_units:
                members = self._with_units(members)
            keep &= members
        if f.collapse_units:
            keep &= self.parent < 0
        return keep

    def _with_units(self, chosen: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """`chosen` and every unit below a chosen organization, at any depth."""
        has_parent = self.parent >= 0
        while True:
            below = chosen.copy()
            below[has_parent] |= chosen[self.parent[has_parent]]
            if (below == chosen).all():
                return below
            chosen = below

    def view(self, f: Filter, visible_agreements: frozenset[int] | None = None) -> "View":
        """The network as `f` sees it, keeping only the agreements in `visible_agreements`
        (None: all of them)."""
        ties = self.tie_mask(f, visible_agreements)
        orgs = self.organization_mask(f)
        member_org = self.member_org
        if f.collapse_units:
            ties &= self.tie_kind != _KINDS.index(TieKind.UNIT)
            member_org = self.root[member_org]
        keep = ties[self.member_tie] & orgs[member_org]
        if f.as_of is not None:
            day = f.as_of.toordinal()
            keep &= (self.member_starts <= day) & (self.member_ends > day)
        return View(self, np.flatnonzero(orgs), member_org[keep], self.member_tie[keep])


def _roots(parent: IntArray) -> IntArray:
    """The top-level position above each position (itself when it has no parent); a loop,
    which the database refuses, would end at the position where it was found."""
    root = np.where(parent >= 0, parent, np.arange(len(parent)))
    for _ in range(64):
        above = root[root]
        if (above == root).all():
            break
        root = above
    return root


def _codes(values: list[str | None]) -> tuple[npt.NDArray[np.int32], dict[str | None, int]]:
    codes: dict[str | None, int] = {}
    array = np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32)
    return array, codes


def _wanted(codes: dict[str | None, int], values: frozenset[str]) -> list[int]:
    return [codes[v] for v in values if v in codes]


class View:
    """The network through one filter: local node numbers 0..n-1 over `organization_ids`."""

    def __init__(
        self, network: Network, positions: IntArray, member_org: IntArray, member_tie: IntArray
    ) -> None:
        self.network = network
        self.organization_ids: IntArray = network.organization_ids[positions]
        self.size = n = len(positions)
        local = np.full(len(network.organizations), -1, dtype=np.int64)
        local[positions] = np.arange(n)
        self._local = local
        self._positions = positions
        incidence = sp.csr_matrix(
            (np.ones(len(member_org), dtype=np.int32), (local[member_org], member_tie)),
            shape=(n, len(network.ties)),
        )
        incidence.sum_duplicates()
        incidence.data[:] = 1
        incidence.sort_indices()
        self.incidence = incidence
        adjacency = (incidence @ incidence.T).tocsr()
        adjacency.setdiag(0)
        adjacency.eliminate_zeros()
        adjacency.sort_indices()
        self.adjacency: sp.csr_matrix = adjacency
        upper = sp.triu(adjacency, k=1).tocoo()
        self.edge_sources: IntArray = upper.row.astype(np.int64)
        self.edge_targets: IntArray = upper.col.astype(np.int64)
        self.edge_weights: IntArray = upper.data.astype(np.int64)
        self.memo: dict[str, Any] = {}
        """Results computed on this view (centralities, communities), kept with it."""

    @property
    def edge_count(self) -> int:
        return len(self.edge_sources)

    def local(self, organization_id: int) -> int | None:
        """The local number of an organization, or None when the view does not hold it."""
        position = self.network.position(organization_id)
        if position is None:
            return None
        found = int(self._local[position])
        return found if found >= 0 else None

    def organization(self, node: int) -> int:
        return int(self.organization_ids[node])

    def neighbours(self, node: int) -> IntArray:
        a = self.adjacency
        start, end = a.indptr[node], a.indptr[node + 1]
        found: IntArray = np.asarray(a.indices[start:end], dtype=np.int64)
        return found

    def degrees(self) -> IntArray:
        found: IntArray = np.diff(self.adjacency.indptr).astype(np.int64)
        return found

    def _expand(self, frontier: IntArray) -> IntArray:
        if frontier.size == 0:
            return frontier
        reached: IntArray = np.unique(self.adjacency[frontier].indices).astype(np.int64)
        return reached

    def strongest_links(self, first: int) -> list[Link]:
        """Up to `first` edges, those with the most ties first, then by their organizations'
        ids: the same edges in the same order for every call on the same view."""
        sources = self.organization_ids[self.edge_sources]
        targets = self.organization_ids[self.edge_targets]
        order = np.lexsort((targets, sources, -self.edge_weights))[:first]
        found = (
            self.link(int(self.edge_sources[i]), int(self.edge_targets[i])) for i in order.tolist()
        )
        return [link for link in found if link is not None]

    def link(self, a: int, b: int) -> Link | None:
        """The edge between two local nodes, with the ties behind it (None if not adjacent)."""
        inc = self.incidence
        shared = np.intersect1d(
            inc.indices[inc.indptr[a] : inc.indptr[a + 1]],
            inc.indices[inc.indptr[b] : inc.indptr[b + 1]],
            assume_unique=True,
        )
        if shared.size == 0:
            return None
        ties = [self.network.ties[i] for i in shared.tolist()]
        return Link(self.organization(a), self.organization(b), ties)

    def neighbourhood(self, node: int, depth: int) -> "Neighbourhood":
        levels = np.full(self.size, -1, dtype=np.int64)
        levels[node] = 0
        frontier: IntArray = np.array([node], dtype=np.int64)
        for hop in range(1, depth + 1):
            reached = self._expand(frontier)
            frontier = reached[levels[reached] < 0]
            if frontier.size == 0:
                break
            levels[frontier] = hop
        return Neighbourhood(self, node, levels)

    def shortest_paths(self, source: int, target: int, limit: int) -> list[list[int]]:
        """Up to `limit` shortest paths between two local nodes, as lists of local nodes, in a
        stable order; empty when they are not connected. A search from both ends, each step
        widening the smaller frontier."""
        if source == target:
            return [[source]]
        from_s = np.full(self.size, -1, dtype=np.int64)
        from_t = np.full(self.size, -1, dtype=np.int64)
        from_s[source] = 0
        from_t[target] = 0
        fs: IntArray = np.array([source], dtype=np.int64)
        ft: IntArray = np.array([target], dtype=np.int64)
        depth_s = depth_t = 0
        while fs.size and ft.size:
            if fs.size <= ft.size:
                reached = self._expand(fs)
                fs = reached[from_s[reached] < 0]
                depth_s += 1
                from_s[fs] = depth_s
                meet = fs[from_t[fs] >= 0]
            else:
                reached = self._expand(ft)
                ft = reached[from_t[reached] < 0]
                depth_t += 1
                from_t[ft] = depth_t
                meet = ft[from_s[ft] >= 0]
            if meet.size:
                total = from_s[meet] + from_t[meet]
                meet = np.sort(meet[total == total.min()])
                return list(self._paths_through(meet, from_s, from_t, limit))
        return []

    def _paths_through(
        self, meet: IntArray, from_s: IntArray, from_t: IntArray, limit: int
    ) -> Iterator[list[int]]:
        count = 0
        for middle in meet.tolist():
            for head in self._walk(middle, from_s):
                for tail in self._walk(middle, from_t):
                    yield [*reversed(head), *tail[1:]]
                    count += 1
                    if count >= limit:
                        return

    def _walk(self, node: int, levels: IntArray) -> Iterator[list[int]]:
        """Every walk from `node` down `levels` to the level-0 node, `node` first."""
        level = int(levels[node])
        if level == 0:
            yield [node]
            return
        steps = self.neighbours(node)
        for step in steps[levels[steps] == level - 1].tolist():
            for rest in self._walk(step, levels):
                yield [node, *rest]


@dataclass(slots=True)
class Neighbourhood:
    """The organizations within some hops of a centre, nearest first (then by local number)."""

    view: View
    centre: int
    levels: IntArray
    order: IntArray = field(init=False)

    def __post_init__(self) -> None:
        reached = np.flatnonzero(self.levels > 0)
        self.order = reached[np.argsort(self.levels[reached], kind="stable")]

    def __len__(self) -> int:
        return len(self.order)

    def hops(self, node: int) -> int:
        return int(self.levels[node])

    def closer(self, node: int) -> list[int]:
        """The neighbours of `node` one hop nearer the centre, strongest edge first."""
        view = self.view
        a = view.adjacency
        start, end = a.indptr[node], a.indptr[node + 1]
        neighbours, weights = a.indices[start:end], a.data[start:end]
        keep = self.levels[neighbours] == self.levels[node] - 1
        neighbours, weights = neighbours[keep], weights[keep]
        order = np.lexsort((neighbours, -weights.astype(np.int64)))
        return [int(n) for n in neighbours[order]]
