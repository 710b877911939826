"""Meetings, visits, conferences and ceremonies, and who took part; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from resolvers import activities as reads
from schema.compiled.declare import list_of, referenced
from schema.enums import ActivityKind
from schema.relay import Connection, Info, Node, connection, list_request

if TYPE_CHECKING:
    pass

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

    alliance = referenced(
        "Alliance", "alliance_id", description="The alliance that held it, if any."
    )

    participants = list_of(
        "Activity.participants",
        "ActivityParticipant",
        description="Organizations that took part, and through whom.",
    )

    agreements = list_of(
        "Activity.agreements", "Agreement", description="Agreements discussed, signed or launched."
    )

    programs = list_of(
        "Activity.programs", "Program", description="Programs discussed or launched."
    )


@strawberry.type(description="An organization taking part in an activity, optionally via a person.")
class ActivityParticipant(Node):
    role: str | None
    activity_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]

    activity = referenced("Activity", "activity_id")

    organization = referenced("Organization", "organization_id")

    person = referenced("Person", "person_id")


@strawberry.type
class ActivityQuery:
    @strawberry.field(description="Activities, newest first, filtered; at most 100 a page.")
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
        order_by: ActivityOrder | None = None,
    ) -> Connection[Activity]:
        page = await reads.activities_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Activity.from_row)
