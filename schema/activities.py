"""Meetings, visits, conferences and ceremonies, and who took part; the root list."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import activities as reads
from schema.enums import ActivityKind
from schema.relay import Connection, Info, Node, connection, fetch, list_request, related

if TYPE_CHECKING:
    from schema.agreements import Agreement
    from schema.alliances import Alliance
    from schema.organizations import Organization
    from schema.people import Person
    from schema.programs import Program

__all__ = ["Activity", "ActivityFilter", "ActivityParticipant", "ActivityQuery"]


@strawberry.input(description="Conditions on activities; all given conditions must hold.")
class ActivityFilter(reads.ActivityFilter):
    pass


@strawberry.input(description="How to sort the list.")
class ActivityOrder(reads.ActivityOrder):
    pass


@strawberry.type(description="A meeting, exchange visit, conference, signing or inauguration.")
class Activity(Node):
    kind: ActivityKind
    title: str
    held_on: date | None
    place: str | None
    summary: str | None
    outcomes: str | None = strawberry.field(description="What was agreed or achieved.")
    next_steps: str | None
    version: int
    alliance_id: strawberry.Private[int | None]

    @strawberry.field(description="The alliance that held it, if any.")
    async def alliance(
        self, info: Info
    ) -> Annotated["Alliance", strawberry.lazy("schema.alliances")] | None:
        from schema.alliances import Alliance

        return await fetch(info, Alliance, self.alliance_id)

    @strawberry.field(description="Organizations that took part, and through whom.")
    async def participants(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["ActivityParticipant"]:
        return await related(
            info,
            "Activity.participants",
            self.pk,
            ActivityParticipant.from_row,
            first=first,
            after=after,
        )

    @strawberry.field(description="Agreements discussed, signed or launched.")
    async def agreements(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Agreement", strawberry.lazy("schema.agreements")]]:
        from schema.agreements import Agreement

        return await related(
            info, "Activity.agreements", self.pk, Agreement.from_row, first=first, after=after
        )

    @strawberry.field(description="Programs discussed or launched.")
    async def programs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated["Program", strawberry.lazy("schema.programs")]]:
        from schema.programs import Program

        return await related(
            info, "Activity.programs", self.pk, Program.from_row, first=first, after=after
        )


@strawberry.type(description="An organization taking part in an activity, optionally via a person.")
class ActivityParticipant(Node):
    role: str | None
    activity_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]

    @strawberry.field
    async def activity(self, info: Info) -> Activity | None:
        return await fetch(info, Activity, self.activity_id)

    @strawberry.field
    async def organization(
        self, info: Info
    ) -> Annotated["Organization", strawberry.lazy("schema.organizations")] | None:
        from schema.organizations import Organization

        return await fetch(info, Organization, self.organization_id)

    @strawberry.field
    async def person(
        self, info: Info
    ) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        return await fetch(info, Person, self.person_id)


@strawberry.type
class ActivityQuery:
    @strawberry.field(description="Activities, newest first, filtered; at most 100 a page.")
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ActivityFilter | None = None,
        order_by: ActivityOrder | None = None,
    ) -> Connection[Activity]:
        page = await reads.activities_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter),
        )
        return connection(page, Activity.from_row)
