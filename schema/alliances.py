"""Alliances and their memberships (organization, role, joined, left); the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import alliances as reads
from resolvers.compiled import lists
from resolvers.nodes import row_of
from schema.compiled.declare import child_list, list_of, localized_field, referenced
from schema.enums import AllianceScope, MembershipRole
from schema.field_docs import describe
from schema.indicators import progress_field
from schema.names import names_field
from schema.relay import Connection, Info, Node, connection, list_request
from schema.wording import ENGLISH_NAME, IN_LANGUAGE, LOCAL_NAME, VERSION

if TYPE_CHECKING:
    from schema.network import AllianceNetwork, NetworkFilter
    from schema.organizations import Organization

__all__ = ["Alliance", "AllianceFilter", "AllianceQuery", "Membership", "MembershipFilter"]

OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]


async def _organization(info: Info, key: int | None) -> "Organization | None":
    from schema.organizations import Organization

    return Organization.from_optional(await row_of(info.context, "Organization", key))


@describe(
    scope="Only alliances of one of these scopes.",
    text="Only alliances whose English, local or short name contains this text, ignoring case.",
)
@strawberry.input(description="Conditions on alliances; all given conditions must hold.")
class AllianceFilter(reads.AllianceFilter):
    pass


@describe(
    field="What to sort by (the English name unless said); ties keep the order the "
    "records were made in.",
    direction="Ascending (A to Z, oldest first) unless said.",
)
@strawberry.input(description="How to sort alliances: by which field, in which direction.")
class AllianceOrder(reads.AllianceOrder):
    pass


@describe(
    role="Only memberships with one of these roles.",
    on="Only memberships held on this ISO date: joined on or before it (or joining date "
    "unknown) and not left by then.",
    current="True: only memberships not yet left; false: only those that ended; not given: both.",
)
@strawberry.input(
    description="Conditions on memberships: `on` keeps those held on that date (who was "
    "vice-chair then), `current` those not yet left."
)
class MembershipFilter(reads.MembershipFilter):
    pass


@strawberry.type(
    description="How many members hold a role: as the alliance's source declares them, and "
    "as named here. A source often counts more members than it names (10 vice-chairs, of "
    "whom three are named): the difference is known only as a number."
)
class RoleCount:
    role: MembershipRole = strawberry.field(description="The role counted.")
    declared: int | None = strawberry.field(
        description="How many institutions hold it as the source declares; null when the "
        "source declares no count."
    )
    named: int = strawberry.field(
        description="How many current members hold it here (each one a `Membership`)."
    )

    @strawberry.field(
        description="How many holders are known only by the declared count: `declared` less "
        "`named`, never below 0; null when no count is declared."
    )
    def unnamed(self) -> int | None:
        return None if self.declared is None else max(self.declared - self.named, 0)


@strawberry.type(
    description="A named consortium of organizations (the Jiangxi Provincial Alliance for "
    "Sino-Foreign Cooperative Education): provincial, national or international. Public: "
    "every caller sees alliances and their memberships."
)
class Alliance(Node):
    version: int = strawberry.field(description=VERSION)
    name: strawberry.Private[str]
    name_field = localized_field("Alliance", "name", description=ENGLISH_NAME + IN_LANGUAGE)
    local_name: str | None = strawberry.field(description=LOCAL_NAME)
    short_name: strawberry.Private[str | None]
    short_name_field = localized_field(
        "Alliance",
        "short_name",
        description="The abbreviation in common use, where there is one." + IN_LANGUAGE,
        nullable=True,
    )
    names = names_field("Alliance")
    scope: AllianceScope = strawberry.field(
        description="How far its membership reaches: provincial, national or international."
    )
    founded_on: date | None = strawberry.field(
        description="The ISO date it was founded, where known."
    )
    founded_place: str | None = strawberry.field(
        description="The city or venue where it was founded (`Nanchang`)."
    )
    website: str | None = strawberry.field(description="The URL of its home page.")
    reminder_lead_days: list[int] | None = strawberry.field(
        description="Days before a deadline (an agreement's end or notice deadline, a "
        "commitment's due date) that reminders go out for its agreements, e.g. [90, 30, 7]; "
        "null: the server's default (`PARTNERGRAPH_REMINDER_LEAD_DAYS`). An agreement gets "
        "the lead times of all its parties and of their alliances (docs/changes.md)."
    )
    description: str | None = strawberry.field(
        description="Free text about its purpose and work, in English."
    )
    secretariat_id: strawberry.Private[int | None]

    secretariat = referenced(
        "Organization",
        "secretariat_id",
        description="The organization that runs the alliance's secretariat (keeps the member "
        "list and records meetings); null where not recorded.",
    )

    @strawberry.field(
        description="Its memberships, past and present (one per role held over a period: a "
        "change of role ends one and starts another), chair first.",
        metadata=child_list(lists.MEMBERSHIPS_OF_ALLIANCES),
    )
    async def memberships(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            MembershipFilter | None,
            strawberry.argument(
                description="Only the memberships meeting every condition given; all, past "
                "and present, when not given."
            ),
        ] = None,
    ) -> Connection["Membership"]:
        loader = reads.memberships_of_alliances(
            info.context,
            filter=filter,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(await loader.load(self.pk), Membership.from_row)

    @strawberry.field(
        description="Members per role, declared and named, in role order (chair first): what "
        "the source says of the alliance's size beside the members it names."
    )
    async def role_counts(self, info: Info) -> list[RoleCount]:
        counts = await reads.role_counts_of(info.context).load(self.pk)
        return [RoleCount(role=c.role, declared=c.declared, named=c.named) for c in counts]

    activities = list_of(
        "Alliance.activities",
        "Activity",
        description="Meetings and events the alliance held, by date held; only those the "
        "caller may see (all of them for its secretariat).",
    )

    evaluations = list_of(
        "Alliance.evaluations",
        "Evaluation",
        description="Evaluations of the alliance against its indicators, by end of the period "
        "evaluated; only those the caller may see.",
    )

    indicators = list_of(
        "Alliance.indicators",
        "Indicator",
        description="The indicators the alliance reports against, by name.",
    )

    progress = progress_field("alliance_id")

    @strawberry.field(
        description="The members as a network: who has no agreement with another member, who "
        "works together only through third parties, and the density over time.",
        metadata={"cost": 500},
    )
    async def network(
        self,
        info: Info,
        filter: Annotated[
            Annotated["NetworkFilter", strawberry.lazy("schema.network")] | None,
            strawberry.argument(
                description="Which ties make edges, and as of which date; every tie, as of "
                "today, when not given."
            ),
        ] = None,
    ) -> Annotated["AllianceNetwork", strawberry.lazy("schema.network")]:
        from schema.network import alliance_network

        return await alliance_network(info, self.pk, filter)


@strawberry.type(
    description="An organization's role in an alliance over a period; a change of role ends "
    "one membership and starts another, so the rows tell who held which role when. Public."
)
class Membership(Node):
    role: MembershipRole = strawberry.field(
        description="Chair, vice-chair, director, member or observer; at most one current chair "
        "per alliance."
    )
    joined_on: date | None = strawberry.field(
        description="The ISO date this role began (joining, or the day the role changed), "
        "where known."
    )
    left_on: date | None = strawberry.field(
        description="The ISO date this role ended (leaving, or a change of role); null while "
        "current."
    )
    version: int = strawberry.field(description=VERSION)
    alliance_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    alliance = referenced(
        "Alliance", "alliance_id", description="The alliance the organization holds this role in."
    )

    history = list_of(
        "Membership.history",
        "HistoryEntry",
        description="Every recorded change of this membership (created, role ended, left), "
        "oldest first.",
    )

    organization = referenced(
        "Organization", "organization_id", description="The member organization."
    )


@strawberry.type
class AllianceQuery:
    @strawberry.field(
        description="Alliances, by English name unless said; public, so every caller sees "
        "all of them.",
        metadata=child_list(lists.ALLIANCES),
    )
    async def alliances(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            AllianceFilter | None,
            strawberry.argument(description="Only alliances meeting every condition given."),
        ] = None,
        order_by: Annotated[
            AllianceOrder | None,
            strawberry.argument(description="How to sort; by English name when not given."),
        ] = None,
    ) -> Connection[Alliance]:
        page = await reads.alliances_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Alliance.from_row)
