"""The cooperation network: partners within N hops, paths, whole-network measures, an
alliance's member network. Thin fields over `resolvers.network`; the work is in `graph/`."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.data import Tie
from graph.network import Link
from resolvers import network as reads
from resolvers.ids import encode_id
from resolvers.nodes import row_of
from resolvers.paging import cursor_at, page_request, page_size
from schema.compiled.declare import referenced
from schema.enums import TieKind
from schema.field_docs import describe
from schema.limits import CHECKS
from schema.network_measures import (
    BetweennessRanking,
    NetworkCommunity,
    OrganizationRef,
    RankedOrganization,
    how_many,
    organization_of,
    ranking,
)
from schema.relay import Connection, Edge, Info, PageInfo

if TYPE_CHECKING:
    from schema.agreements import Agreement
    from schema.alliances import Alliance
    from schema.programs import Program

__all__ = [
    "AllianceNetwork",
    "Network",
    "NetworkFilter",
    "NetworkQuery",
    "alliance_network",
    "organization_partners",
]

NETWORK_COST = 1000
PATHS_COST = 100
TIES_SIZE = 10
"""What the cost measure assumes for an edge's ties (most edges have one to a few)."""
PATH_SIZE = 6
"""What the cost measure assumes for a path's hops (cooperation networks are small worlds)."""


@describe(
    as_of="Only agreements and programs in force and memberships held on this day; ties of "
    "every date when left out.",
    ties="The kinds of tie that make edges; all four when left out.",
    agreement_kinds="Only agreements of these kinds make ties (other ties are kept).",
    statuses="Only agreements with these statuses make ties, e.g. `[SIGNED, ACTIVE]`.",
    organization_kinds="Only organizations of these kinds are in the network.",
    countries="Only organizations in these countries (ISO 3166-1 alpha-2 codes) are in it.",
    alliance="Only this alliance's members (on `asOf` when given) and their units at any "
    "depth (the members alone with `includeUnits: false`) are in it (its global ID).",
    include_units="Whether `alliance` brings its members' units (schools, departments) in "
    "with them: true unless said.",
    collapse_units="Fold every unit into its top-level institution: the institution holds "
    "its units' agreements, memberships and programs, the units and their unit ties "
    "leave the network, and `organizationKinds`, `countries` and `alliance` apply to the "
    "institutions. False unless said.",
)
@strawberry.input(
    description="Which part of the network to look at; all given conditions hold, and what "
    "the caller may not see makes no tie."
)
class NetworkFilter(reads.NetworkFilter):
    pass


_OBJECT_TYPES = {
    TieKind.AGREEMENT: "Agreement",
    TieKind.ALLIANCE: "Alliance",
    TieKind.PROGRAM: "Program",
    TieKind.UNIT: "Organization",
}


@strawberry.type(
    description="One agreement, alliance, program or unit link behind an edge, with its dates."
)
class NetworkTie:
    kind: TieKind = strawberry.field(description="What sort of tie it is.")
    label: str = strawberry.field(
        description="The agreement's title, alliance's or program's name."
    )
    category: str | None = strawberry.field(
        description="The agreement's or program's kind, or the alliance's scope."
    )
    status: str | None = strawberry.field(
        description="The agreement's or program's status, in lower case; null for other ties."
    )
    starts_on: date | None = strawberry.field(
        description="The first day of the tie (an agreement's effective date, a membership's "
        "joining); null when open."
    )
    ends_on: date | None = strawberry.field(
        description="The last day of the tie; null when open-ended."
    )
    key: strawberry.Private[int]

    @classmethod
    def of(cls, tie: Tie) -> "NetworkTie":
        return cls(
            kind=tie.kind,
            label=tie.label,
            category=tie.category,
            status=tie.status,
            starts_on=tie.starts,
            ends_on=tie.ends,
            key=tie.id,
        )

    @strawberry.field(
        description="The global ID of the agreement, alliance or program (for a unit link, of "
        "the unit)."
    )
    def object_id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(_OBJECT_TYPES[self.kind], self.key))

    @strawberry.field(
        description="The agreement behind the tie; null for other kinds of tie, or when hidden."
    )
    async def agreement(
        self, info: Info
    ) -> Annotated["Agreement", strawberry.lazy("schema.agreements")] | None:
        from schema.agreements import Agreement

        if self.kind is not TieKind.AGREEMENT:
            return None
        return Agreement.from_optional(await row_of(info.context, "Agreement", self.key))

    @strawberry.field(
        description="The alliance behind the tie; null for other kinds of tie, or when hidden."
    )
    async def alliance(
        self, info: Info
    ) -> Annotated["Alliance", strawberry.lazy("schema.alliances")] | None:
        from schema.alliances import Alliance

        if self.kind is not TieKind.ALLIANCE:
            return None
        return Alliance.from_optional(await row_of(info.context, "Alliance", self.key))

    @strawberry.field(
        description="The program behind the tie; null for other kinds of tie, or when hidden."
    )
    async def program(
        self, info: Info
    ) -> Annotated["Program", strawberry.lazy("schema.programs")] | None:
        from schema.programs import Program

        if self.kind is not TieKind.PROGRAM:
            return None
        return Program.from_optional(await row_of(info.context, "Program", self.key))


@strawberry.type(description="An edge: two organizations and every tie they share.")
class NetworkLink:
    weight: int = strawberry.field(description="How many ties the two share.")
    ties: list[NetworkTie] = strawberry.field(
        description="The agreements, alliances, programs or unit links behind the edge.",
        metadata={"size": TIES_SIZE},
    )
    source_id: strawberry.Private[int]
    target_id: strawberry.Private[int]

    @classmethod
    def of(cls, link: Link, source: int | None = None) -> "NetworkLink":
        """The edge, read from `source` when given (an edge has no direction of its own)."""
        flip = source is not None and source == link.target
        return cls(
            weight=link.weight,
            ties=[NetworkTie.of(t) for t in link.ties],
            source_id=link.target if flip else link.source,
            target_id=link.source if flip else link.target,
        )

    source = referenced(
        "Organization",
        "source_id",
        description="One end of the edge (on a path, the end nearer its start).",
    )

    target = referenced(
        "Organization",
        "target_id",
        description="The other end of the edge (on a path, the end nearer its end).",
    )


@strawberry.type(description="An organization within some hops of another.")
class Partner:
    hops: int = strawberry.field(description="1 for a direct partner, 2 for a partner's partner...")
    node: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    found: strawberry.Private[reads.Partners]

    organization = referenced("Organization", "organization_id", description="The partner.")

    @strawberry.field(
        description="The edges that bring this partner one hop nearer: to each organization a "
        "hop closer it shares a tie with, strongest first."
    )
    def links(self, first: Annotated[int, how_many("edges")] = 5) -> list[NetworkLink]:
        return [
            NetworkLink.of(link) for link in self.found.links_closer(self.node, page_size(first))
        ]


async def organization_partners(
    info: Info,
    organization_id: int,
    *,
    depth: int,
    filter: NetworkFilter | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Partner]:
    request = page_request(first, after, last, before).positional()
    found = await reads.partners(
        info.context, organization_id=organization_id, depth=depth, f=filter
    )
    start, stop = request.bounds(found.total)
    entries = found.entries(start, stop - start)
    edges = [
        Edge(
            cursor=cursor_at(start + i),
            node=Partner(
                hops=hops,
                node=node,
                organization_id=found.view.organization(node),
                found=found,
            ),
        )
        for i, (node, hops) in enumerate(entries)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + len(edges) < found.total,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=found.total,
    )


@strawberry.type(description="A shortest path between two organizations.")
class CooperationPath:
    hops: list[NetworkLink] = strawberry.field(
        description="The edges in order from `from` to `to`, each with the ties behind it.",
        metadata={"size": PATH_SIZE},
    )
    organization_ids: strawberry.Private[list[int]]

    @classmethod
    def of(cls, path: reads.Path) -> "CooperationPath":
        hops = [
            NetworkLink.of(link, source)
            for link, source in zip(path.links, path.organization_ids, strict=False)
        ]
        return cls(hops=hops, organization_ids=path.organization_ids)

    @strawberry.field(description="How many edges the path has.")
    def length(self) -> int:
        return len(self.hops)

    @strawberry.field(
        description="The organizations along the path, both ends included.",
        metadata={"size": PATH_SIZE + 1},
    )
    async def organizations(self, info: Info) -> list[OrganizationRef | None]:
        return [await organization_of(info, k) for k in self.organization_ids]


@strawberry.type(description="The network through a filter, as the caller may see it.")
class Network:
    view: strawberry.Private[reads.View]

    @strawberry.field(description="Organizations in the network (those the filter keeps).")
    async def organization_count(self, info: Info) -> int:
        return (await reads.summary(info.context, self.view)).organizations

    @strawberry.field(description="Pairs of organizations that share at least one tie.")
    async def edge_count(self) -> int:
        return self.view.edge_count

    @strawberry.field(description="Edges over possible pairs, from 0 to 1.")
    async def density(self, info: Info) -> float:
        return (await reads.summary(info.context, self.view)).density

    @strawberry.field(description="Connected components (an organization alone counts as one).")
    async def components(self, info: Info) -> int:
        return (await reads.summary(info.context, self.view)).components

    @strawberry.field(description="Organizations in the largest connected component.")
    async def largest_component(self, info: Info) -> int:
        return (await reads.summary(info.context, self.view)).largest_component

    @strawberry.field(description="Organizations with no partner in the network.")
    async def isolated(self, info: Info) -> int:
        return (await reads.summary(info.context, self.view)).isolated

    @strawberry.field(description="Organizations by number of partners, most first.")
    async def degree(
        self, first: Annotated[int, how_many("organizations")] = 10
    ) -> list[RankedOrganization]:
        return ranking(await reads.degree(self.view), first)

    @strawberry.field(description="Organizations by betweenness: who bridges the others.")
    async def betweenness(self, info: Info) -> BetweennessRanking:
        found = await reads.betweenness(info.context, self.view)
        return BetweennessRanking(exact=found.exact, samples=found.samples, scores=found.scores)

    @strawberry.field(description="Organizations by PageRank over the weighted network.")
    async def pagerank(
        self, info: Info, first: Annotated[int, how_many("organizations")] = 10
    ) -> list[RankedOrganization]:
        return ranking(await reads.pagerank(info.context, self.view), first)

    @strawberry.field(description="Louvain communities, largest first.")
    async def communities(
        self, info: Info, first: Annotated[int, how_many("communities")] = 10
    ) -> list[NetworkCommunity]:
        found = await reads.communities(info.context, self.view)
        size = page_size(first)
        return [
            NetworkCommunity(
                number=c.number, size=len(c.organization_ids), organization_ids=c.organization_ids
            )
            for c in found[:size]
        ]

    @strawberry.field(
        description="Its edges, those with the most ties first (then by the organizations' "
        "IDs), each with the ties behind it; `edgeCount` says how many there are in all."
    )
    async def edges(self, first: Annotated[int, how_many("edges")] = 20) -> list[NetworkLink]:
        return [NetworkLink.of(link) for link in await reads.edges(self.view, page_size(first))]

    @strawberry.field(description="Edges whose removal would cut their two organizations apart.")
    async def bridges(
        self, info: Info, first: Annotated[int, how_many("edges")] = 20
    ) -> list[NetworkLink]:
        found = await reads.bridges(info.context, self.view)
        return [NetworkLink.of(link) for link in found[: page_size(first)]]

    @strawberry.field(
        description="Organizations whose removal would split the network (articulation points)."
    )
    async def articulation_points(
        self, info: Info, first: Annotated[int, how_many("organizations")] = 20
    ) -> list[OrganizationRef | None]:
        found = await reads.articulation_points(info.context, self.view)
        size = page_size(first)
        return [await organization_of(info, k) for k in found[:size]]


@strawberry.type(description="Two members with no tie of their own, connected through others.")
class IndirectPair:
    hops: int = strawberry.field(description="The length of the shortest path between them.")
    first_id: strawberry.Private[int]
    second_id: strawberry.Private[int]

    first = referenced("Organization", "first_id", description="One member of the pair.")

    second = referenced("Organization", "second_id", description="The other member.")


@strawberry.type(description="The member network's size on a day.")
class DensityPoint:
    on: date = strawberry.field(description="The day measured.")
    members: int = strawberry.field(description="Members of the alliance on that day.")
    edges: int = strawberry.field(description="Pairs of those members tied on that day.")
    density: float = strawberry.field(
        description="Tied pairs over possible pairs, from 0 to 1 (0 with fewer than two members)."
    )


@strawberry.type(
    description="An alliance's members as a network (agreement ties unless `filter.ties` says "
    "otherwise), on `filter.asOf` when given."
)
class AllianceNetwork:
    found: strawberry.Private[reads.AllianceNetwork]

    @strawberry.field(description="Members in the network.")
    def member_count(self) -> int:
        return self.found.members.size

    @strawberry.field(description="Pairs of members tied to each other.")
    def edge_count(self) -> int:
        return self.found.members.edge_count

    @strawberry.field(description="Member pairs tied over possible member pairs.")
    def density(self) -> float:
        n = self.found.members.size
        return 2 * self.found.members.edge_count / (n * (n - 1)) if n > 1 else 0.0

    @strawberry.field(description="Members with no tie to any other member.")
    async def isolated_members(
        self, info: Info, first: Annotated[int, how_many("members")] = 20
    ) -> list[OrganizationRef | None]:
        found = await reads.isolated_members(self.found)
        size = page_size(first)
        return [await organization_of(info, k) for k in found[:size]]

    @strawberry.field(
        description="Members with no tie to each other that are connected through third "
        "parties, nearest first."
    )
    async def indirect_pairs(
        self, first: Annotated[int, how_many("pairs")] = 20
    ) -> list[IndirectPair]:
        found = await reads.indirect_pairs(self.found)
        size = page_size(first)
        return [
            IndirectPair(hops=p.hops, first_id=p.first, second_id=p.second) for p in found[:size]
        ]

    @strawberry.field(
        description="Density of the member network on each of these days (at most 50); by "
        "default on 1 January of each year since the first member joined.",
        metadata={"cost": 200, "size": 50},
    )
    async def density_over_time(
        self,
        info: Info,
        on: Annotated[
            list[date] | None,
            strawberry.argument(description="The days to measure, at most 50."),
        ] = None,
    ) -> list[DensityPoint]:
        days = on if on is not None else reads.yearly_days(self.found)
        points = await reads.density_over_time(info.context, self.found, days)
        return [
            DensityPoint(on=p.on, members=p.members, edges=p.edges, density=p.density)
            for p in points
        ]


async def alliance_network(
    info: Info, alliance_id: int, filter: NetworkFilter | None
) -> AllianceNetwork:
    found = await reads.alliance_network(info.context, alliance_id=alliance_id, f=filter)
    return AllianceNetwork(found=found)


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="The cooperation network through a filter: size, density, components, "
        "centrality rankings, communities, bridges and articulation points. Agreements the "
        "caller may not read make no edges.",
        metadata={"cost": NETWORK_COST},
    )
    async def network(
        self,
        info: Info,
        filter: Annotated[
            NetworkFilter | None,
            strawberry.argument(description="The part of the network; all of it when left out."),
        ] = None,
    ) -> Network:
        return Network(
            view=await reads.network_view(
                info.context, await reads.graph_filter(info.context, filter)
            )
        )

    @strawberry.field(
        description="The shortest paths between two organizations (at most `max`, up to 50), "
        "each hop with the agreements, alliances or programs behind it; empty when they are "
        "not connected.",
        metadata={
            "cost": PATHS_COST,
            "size_argument": "max",
            CHECKS: {"max": reads.check_path_count},
        },
    )
    async def cooperation_paths(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID,
            strawberry.argument(name="from", description="Where paths start (a global ID)."),
        ],
        to: Annotated[
            strawberry.ID, strawberry.argument(description="Where paths end (a global ID).")
        ],
        filter: Annotated[
            NetworkFilter | None,
            strawberry.argument(description="The part of the network paths may go through."),
        ] = None,
        max: Annotated[
            int, strawberry.argument(description="How many shortest paths to answer, at most 50.")
        ] = 5,
    ) -> list[CooperationPath]:
        found = await reads.cooperation_paths(
            info.context, source=from_, target=to, f=filter, limit=max
        )
        return [CooperationPath.of(path) for path in found]
