"""What the cooperation network measures rank and group: organizations by a score, communities;
and the small helpers the network types share."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.analytics import Score
from resolvers.nodes import row_of
from resolvers.paging import MAX_PAGE_SIZE, page_size
from schema.compiled.declare import referenced
from schema.relay import Info

if TYPE_CHECKING:
    from schema.organizations import Organization

__all__ = [
    "BetweennessRanking",
    "NetworkCommunity",
    "OrganizationRef",
    "RankedOrganization",
    "how_many",
    "organization_of",
    "ranking",
]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


def how_many(what: str) -> Any:
    """The description of a list's `first` argument."""
    return strawberry.argument(description=f"How many {what} to answer, at most {MAX_PAGE_SIZE}.")


async def organization_of(info: Info, key: int) -> "Organization | None":
    from schema.organizations import Organization

    return Organization.from_optional(await row_of(info.context, "Organization", key))


@strawberry.type(description="An organization and its score in a ranking.")
class RankedOrganization:
    rank: int = strawberry.field(description="1 for the highest score.")
    score: float = strawberry.field(
        description="The measure the ranking is by: partners for degree, a share from 0 to 1 "
        "for betweenness and PageRank."
    )
    organization_id: strawberry.Private[int]

    organization = referenced("Organization", "organization_id", description="Who is ranked.")


def ranking(scores: list[Score], first: int) -> list[RankedOrganization]:
    size = page_size(first)
    return [
        RankedOrganization(rank=i + 1, score=s.value, organization_id=s.organization_id)
        for i, s in enumerate(scores[:size])
    ]


@strawberry.type(
    description="Betweenness centrality: the share of shortest paths between "
    "other organizations that pass through each one."
)
class BetweennessRanking:
    exact: bool = strawberry.field(
        description="False when estimated from a sample of source organizations (large views)."
    )
    samples: int = strawberry.field(description="Source organizations sampled (0 when exact).")
    scores: strawberry.Private[list[Score]]

    @strawberry.field(description="The highest first.")
    def top(
        self, first: Annotated[int, how_many("organizations")] = 10
    ) -> list[RankedOrganization]:
        return ranking(self.scores, first)


@strawberry.type(description="A group of organizations more tied to each other than to others.")
class NetworkCommunity:
    number: int = strawberry.field(description="0 for the largest community.")
    size: int = strawberry.field(description="How many organizations it has.")
    organization_ids: strawberry.Private[list[int]]

    @strawberry.field(description="Its organizations, by ID order.")
    async def members(
        self, info: Info, first: Annotated[int, how_many("organizations")] = 10
    ) -> list[OrganizationRef | None]:
        size = page_size(first)
        return [await organization_of(info, k) for k in self.organization_ids[:size]]
