"""The cooperation network for one request: its filter, what the viewer may see, and the
questions asked of it (partners, paths, whole-network measures, an alliance's members, exports).

Visibility: organizations, alliance memberships, programs and unit links are public, so their
ties are seen by every caller; an agreement's tie is seen only by whoever may read that agreement
(`resolvers.visibility`): admins all of them, parties and secretariats theirs, reporters and
anonymous callers none (they see the network of public ties only, in line with their reads).
The network is built once per process and change (`graph.cache`); a request picks its view by
(filter, visible agreements), computed with one SQL statement for callers who are not admins.
"""

import asyncio
import dataclasses
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
import strawberry

from db.base import table_of
from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from db.tables import Agreement
from graph import alliances as alliance_measures
from graph import analytics
from graph.cache import cache_for
from graph.data import TieKind
from graph.isolation import AnalyticsFailed, AnalyticsTimeout, analytics_pool
from graph.network import Filter, Link, Neighbourhood, View
from resolvers.context import Context
from resolvers.errors import ApiError, BadUserInput, InvalidId, NotFound, excerpt
from resolvers.ids import decode_id_of, reference_to
from resolvers.nodes import row_of
from resolvers.references import require_references
from resolvers.visibility import visible

__all__ = [
    "MAX_DENSITY_POINTS",
    "MAX_DEPTH",
    "MAX_PATHS",
    "AllianceNetwork",
    "AnalyticsError",
    "NetworkFilter",
    "Partners",
    "Path",
    "View",
    "alliance_network",
    "articulation_points",
    "betweenness",
    "bridges",
    "check_depth",
    "check_path_count",
    "communities",
    "compute",
    "cooperation_paths",
    "degree",
    "density_over_time",
    "graph_filter",
    "indirect_pairs",
    "isolated_members",
    "network_view",
    "organization_key",
    "pagerank",
    "partners",
    "summary",
    "visible_agreements",
    "yearly_days",
]

AGREEMENT = table_of(Agreement)
log = logging.getLogger("partnergraph.analytics")
MAX_DEPTH = 4
MAX_PATHS = 50
MAX_DENSITY_POINTS = 50
T = TypeVar("T")


class AnalyticsError(ApiError):
    """A network analytic that ran past `Settings.analytics_timeout_s` (ANALYTICS_TIMEOUT) or
    whose process failed (ANALYTICS_FAILED); the server lives on and the next request retries."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class NetworkFilter:
    as_of: date | None = None
    ties: list[TieKind] | None = None
    agreement_kinds: list[AgreementKind] | None = None
    statuses: list[AgreementStatus] | None = None
    organization_kinds: list[OrganizationKind] | None = None
    countries: list[str] | None = None
    alliance: strawberry.ID | None = reference_to("Alliance")
    include_units: bool = True
    collapse_units: bool = False


def _set(values: list[Any] | None) -> frozenset[Any] | None:
    return (
        None if values is None else frozenset(v.value if hasattr(v, "value") else v for v in values)
    )


async def graph_filter(ctx: Context, f: NetworkFilter | None, *, path: str = "filter") -> Filter:
    """The graph's filter for `f`, once its references are known to exist and be visible."""
    if f is None:
        return Filter()
    await require_references(ctx, f, path=path)
    countries = None
    if f.countries is not None:
        bad = [c for c in f.countries if len(c) != 2 or not c.isalpha()]
        if bad:
            raise BadUserInput(
                f"countries are ISO 3166-1 alpha-2 codes; {excerpt(bad[0])} is not one",
                field=f"{path}.countries",
            )
        countries = frozenset(c.upper() for c in f.countries)
    alliance = None if f.alliance is None else decode_id_of(f.alliance, "Alliance")
    return Filter(
        as_of=f.as_of,
        ties=_set(f.ties),
        agreement_kinds=_set(f.agreement_kinds),
        statuses=_set(f.statuses),
        organization_kinds=_set(f.organization_kinds),
        countries=countries,
        alliance_id=alliance,
        include_units=f.include_units,
        collapse_units=f.collapse_units,
    )


_VISIBLE = "network.visibleAgreements"


async def visible_agreements(ctx: Context) -> frozenset[int] | None:
    """The agreements the viewer may see (None: all), read once per request."""
    if ctx.viewer.is_admin:
        return None
    if not ctx.viewer.sees_records:
        return frozenset()
    found = ctx.extensions.get(_VISIBLE)
    if isinstance(found, frozenset):
        return found
    statement = sa.select(AGREEMENT.c.id).where(visible(ctx.viewer, AGREEMENT))
    async with ctx.engine.connect() as connection:
        ids = frozenset((await connection.scalars(statement)).all())
    ctx.extensions[_VISIBLE] = ids
    return ids


async def network_view(ctx: Context, f: Filter) -> View:
    return await cache_for(ctx.engine).view(ctx.engine, f, await visible_agreements(ctx))


async def compute(function: Callable[[View], T], view: View) -> T:
    """A measure of `view`, computed off the event loop."""
    return await asyncio.to_thread(function, view)


async def organization_key(ctx: Context, global_id: str, *, field: str) -> int:
    """The key of a visible organization named by `global_id`; an error with `field` if not."""
    try:
        key = decode_id_of(global_id, "Organization", field=field)
    except InvalidId as error:
        raise InvalidId(error.message, field=field) from None
    if await row_of(ctx, "Organization", key) is None:
        raise NotFound(f"no Organization with ID {excerpt(global_id)}", field=field)
    return key


def check_depth(depth: int) -> int:
    """`depth` of `partners`, refused out of range (also before anything runs: `schema.limits`)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise BadUserInput(f"depth must be between 1 and {MAX_DEPTH}", field="depth")
    return depth


@dataclass(frozen=True, slots=True)
class Partners:
    """The organizations within `depth` hops of `centre`, nearest first."""

    view: View
    centre: int
    reach: Neighbourhood | None

    @property
    def total(self) -> int:
        return 0 if self.reach is None else len(self.reach)

    def entries(self, offset: int, first: int) -> list[tuple[int, int]]:
        """(local node, hops) of a page."""
        if self.reach is None:
            return []
        nodes = self.reach.order[offset : offset + first].tolist()
        return [(n, self.reach.hops(n)) for n in nodes]

    def links_closer(self, node: int, first: int) -> list[Link]:
        """Edges to `node` from organizations one hop nearer the centre, strongest first."""
        assert self.reach is not None
        links = [self.view.link(c, node) for c in self.reach.closer(node)[:first]]
        return [link for link in links if link is not None]


async def partners(
    ctx: Context, *, organization_id: int, depth: int, f: NetworkFilter | None
) -> Partners:
    hops = check_depth(depth)
    view = await network_view(ctx, await graph_filter(ctx, f))
    centre = view.local(organization_id)
    if centre is None:  # the organization is outside the filter: it has no partners in it
        return Partners(view, -1, None)
    reach = await asyncio.to_thread(view.neighbourhood, centre, hops)
    return Partners(view, centre, reach)


def check_path_count(limit: int) -> None:
    """`max` of `cooperationPaths`, refused out of range."""
    if not 1 <= limit <= MAX_PATHS:
        raise BadUserInput(f"max must be between 1 and {MAX_PATHS}", field="max")


@dataclass(frozen=True, slots=True)
class Path:
    """Organizations in order from one end to the other, and the edge of each hop."""

    organization_ids: list[int]
    links: list[Link]


async def cooperation_paths(
    ctx: Context, *, source: str, target: str, f: NetworkFilter | None, limit: int
) -> list[Path]:
    """Up to `limit` shortest paths, each with its hops (edges with the ties behind them)."""
    check_path_count(limit)
    a = await organization_key(ctx, source, field="from")
    b = await organization_key(ctx, target, field="to")
    view = await network_view(ctx, await graph_filter(ctx, f))
    s, t = view.local(a), view.local(b)
    if s is None or t is None or s == t:
        return []
    paths = await asyncio.to_thread(view.shortest_paths, s, t, limit)
    found = []
    for path in paths:
        links = [view.link(x, y) for x, y in itertools.pairwise(path)]
        found.append(
            Path([view.organization(n) for n in path], [k for k in links if k is not None])
        )
    return found


@dataclass(frozen=True, slots=True)
class AllianceNetwork:
    """`members`: the alliance's members on `f.as_of` with edges between members only;
    `wider`: the same ties over every organization (for paths through third parties)."""

    members: View
    wider: View
    filter: Filter


async def alliance_network(
    ctx: Context, *, alliance_id: int, f: NetworkFilter | None
) -> AllianceNetwork:
    """An alliance's member network; ties default to agreements only (`filter.ties` widens).
    The members alone are its nodes, whatever `filter.includeUnits` says."""
    base = await graph_filter(ctx, f)
    if base.alliance_id is not None and base.alliance_id != alliance_id:
        raise BadUserInput("the filter names another alliance", field="filter.alliance")
    ties = base.ties if base.ties is not None else frozenset({TieKind.AGREEMENT})
    # The members are the nodes: their units are not members (with `collapseUnits` their
    # ties are the members' own).
    scoped = dataclasses.replace(base, ties=ties, alliance_id=alliance_id, include_units=False)
    wider = Filter(
        as_of=scoped.as_of,
        ties=scoped.ties,
        agreement_kinds=scoped.agreement_kinds,
        statuses=scoped.statuses,
        collapse_units=scoped.collapse_units,
    )
    return AllianceNetwork(
        members=await network_view(ctx, scoped),
        wider=await network_view(ctx, wider),
        filter=scoped,
    )


async def density_over_time(
    ctx: Context, network: AllianceNetwork, days: list[date]
) -> list[alliance_measures.DensityPoint]:
    if len(days) > MAX_DENSITY_POINTS:
        raise BadUserInput(f"at most {MAX_DENSITY_POINTS} dates", field="on")
    f = network.filter
    views = {}
    for day in sorted(set(days)):
        dated = dataclasses.replace(f, as_of=day)
        views[day] = await network_view(ctx, dated)
    return alliance_measures.density(sorted(views), views.__getitem__)


def yearly_days(network: AllianceNetwork, today: date | None = None) -> list[date]:
    """1 January of each year from the first member's joining (or the alliance's first year
    on record) to this year, the last `MAX_DENSITY_POINTS` of them."""
    assert network.filter.alliance_id is not None
    first = network.members.network.alliance_first_day(network.filter.alliance_id)
    end = (today or date.today()).year
    start = end if first is None else first.year
    return [date(y, 1, 1) for y in range(max(start, end - MAX_DENSITY_POINTS + 1), end + 1)]


# The measures: networkit's in the analytics pool (a process apart, with a deadline), the others
# in a thread; each once per view (see graph.analytics and graph.isolation).


_LABELS = {
    analytics.COMPONENTS.name: "components",
    analytics.BICONNECTED.name: "bridges and articulation points",
}


async def _isolated(ctx: Context, view: View, measure: analytics.Measure[T]) -> T:
    settings = ctx.settings
    label = _LABELS.get(measure.name, measure.name)
    try:
        return await analytics_pool(settings.analytics_processes).run(
            view, measure, budget=settings.analytics_timeout_s
        )
    except AnalyticsTimeout as error:
        log.warning("network %s stopped: %s (%d organizations)", measure.name, error, view.size)
        raise AnalyticsError(
            f"the network's {label} took longer than {settings.analytics_timeout_s:g} s "
            "and was stopped; narrow the network with a filter",
            code="ANALYTICS_TIMEOUT",
        ) from None
    except AnalyticsFailed as error:
        log.warning("network %s failed: %s (%d organizations)", measure.name, error, view.size)
        raise AnalyticsError(
            f"the network's {label} could not be computed; try again",
            code="ANALYTICS_FAILED",
        ) from None


async def summary(ctx: Context, view: View) -> analytics.Summary:
    return analytics.summary_of(view, await _isolated(ctx, view, analytics.COMPONENTS))


async def degree(view: View) -> list[analytics.Score]:
    return await compute(analytics.degree, view)


async def betweenness(ctx: Context, view: View) -> analytics.Betweenness:
    return await _isolated(ctx, view, analytics.BETWEENNESS)


async def pagerank(ctx: Context, view: View) -> list[analytics.Score]:
    return await _isolated(ctx, view, analytics.PAGERANK)


async def communities(ctx: Context, view: View) -> list[analytics.Community]:
    return await _isolated(ctx, view, analytics.COMMUNITIES)


async def edges(view: View, first: int) -> list[Link]:
    return await compute(lambda v: v.strongest_links(first), view)


async def bridges(ctx: Context, view: View) -> list[Link]:
    pairs = analytics.bridges_of(view, await _isolated(ctx, view, analytics.BICONNECTED))
    links = []
    for a, b in pairs:
        x, y = view.local(a), view.local(b)
        link = None if x is None or y is None else view.link(x, y)
        if link is not None:
            links.append(link)
    return links


async def articulation_points(ctx: Context, view: View) -> list[int]:
    biconnected = await _isolated(ctx, view, analytics.BICONNECTED)
    return analytics.articulation_points_of(view, biconnected)


async def isolated_members(network: AllianceNetwork) -> list[int]:
    return await compute(alliance_measures.isolated_members, network.members)


async def indirect_pairs(network: AllianceNetwork) -> list[alliance_measures.IndirectPair]:
    return await asyncio.to_thread(alliance_measures.indirect_pairs, network.members, network.wider)
