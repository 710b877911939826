"""An alliance's members as a network: who has no agreement with another member, which members
meet only through third parties, and how dense the member network was over time.

The caller passes views; `members` is the view restricted to the alliance's members (edges
only between members), `wider` the same ties over every organization (for paths through
third parties).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from graph.network import View

__all__ = ["DensityPoint", "IndirectPair", "density", "indirect_pairs", "isolated_members"]


@dataclass(frozen=True, slots=True)
class IndirectPair:
    """Two members with no edge of their own, `hops` apart through other organizations."""

    first: int
    second: int
    hops: int


@dataclass(frozen=True, slots=True)
class DensityPoint:
    on: date
    members: int
    edges: int
    density: float


def isolated_members(members: View) -> list[int]:
    """Members with no tie to any other member, by organization id."""
    return sorted(
        members.organization(n) for n in range(members.size) if not members.neighbours(n).size
    )


def indirect_pairs(members: View, wider: View) -> list[IndirectPair]:
    """Pairs of members not tied to each other but connected in `wider`, nearest first."""
    ids = sorted(members.organization(n) for n in range(members.size))
    found: list[IndirectPair] = []
    for i, first in enumerate(ids):
        a = members.local(first)
        source = wider.local(first)
        if a is None or source is None:
            continue
        direct = {members.organization(n) for n in members.neighbours(a).tolist()}
        reach = wider.neighbourhood(source, wider.size)
        for second in ids[i + 1 :]:
            target = wider.local(second)
            if second in direct or target is None:
                continue
            hops = reach.hops(target)
            if hops >= 2:
                found.append(IndirectPair(first, second, hops))
    return sorted(found, key=lambda p: (p.hops, p.first, p.second))


def density(days: list[date], members_on: Callable[[date], View]) -> list[DensityPoint]:
    """The member network's density on each day (`members_on(day)` gives its view)."""
    points = []
    for day in days:
        view = members_on(day)
        n = view.size
        points.append(
            DensityPoint(
                on=day,
                members=n,
                edges=view.edge_count,
                density=2 * view.edge_count / (n * (n - 1)) if n > 1 else 0.0,
            )
        )
    return points
