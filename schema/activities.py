"""Meetings, visits, conferences and ceremonies, and who took part; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import Annotated

import strawberry

from resolvers import activities as reads
from schema.compiled.declare import list_of, referenced
from schema.enums import ActivityKind
from schema.field_docs import describe
from schema.relay import Connection, Info, Node, connection, list_request
from schema.wording import VERSION

__all__ = ["Activity", "ActivityFilter", "ActivityParticipant", "ActivityQuery"]


@describe(
    kind="Only activities of one of these kinds.",
    held_from="Only activities held on or after this ISO date.",
    held_to="Only activities held on or before this ISO date.",
    alliance="Only activities held by this alliance.",
    participant="Only activities this organization, or one of its units at any depth, took "
    "part in (the organization alone with `includeUnits: false`).",
    include_units="Whether `participant` takes in the organization's units (schools, "
    "departments) at any depth: true unless said.",
    agreement="Only activities concerning this agreement.",
    text="Only activities whose title, summary or outcomes contain this text, ignoring case.",
)
@strawberry.input(description="Conditions on activities; all given conditions must hold.")
class ActivityFilter(reads.ActivityFilter):
    pass


@describe(
    field="What to sort by (the date held unless said); ties keep the order the records "
    "were made in.",
    direction="Descending (newest first) unless said.",
)
@strawberry.input(description="How to sort activities: by which field, in which direction.")
class ActivityOrder(reads.ActivityOrder):
    pass


@strawberry.type(
    description="A meeting, exchange visit, conference, signing ceremony or inauguration. "
    "Seen by the organizations that took part, the secretariat of the alliance that held it, "
    "whoever sees an agreement it concerns, and admins."
)
class Activity(Node):
    kind: ActivityKind = strawberry.field(
        description="Meeting, exchange visit, conference, signing ceremony, inauguration or other."
    )
    title: str = strawberry.field(description="What the activity was called, in English.")
    held_on: date | None = strawberry.field(description="The ISO date it was held, where known.")
    place: str | None = strawberry.field(
        description="Where it was held: a city, a campus or a venue."
    )
    summary: str | None = strawberry.field(description="What happened, in a few sentences.")
    outcomes: str | None = strawberry.field(description="What was agreed or achieved.")
    next_steps: str | None = strawberry.field(
        description="What the participants agreed to do next."
    )
    version: int = strawberry.field(description=VERSION)
    alliance_id: strawberry.Private[int | None]

    alliance = referenced(
        "Alliance",
        "alliance_id",
        description="The alliance that held it (its annual meeting, say); null when it was "
        "not an alliance's.",
    )

    participants = list_of(
        "Activity.participants",
        "ActivityParticipant",
        description="Organizations that took part, and through whom; one entry per person "
        "(or one without a person).",
    )

    agreements = list_of(
        "Activity.agreements",
        "Agreement",
        description="Agreements discussed, signed or launched at it, by title; only those the "
        "caller may see.",
    )

    programs = list_of(
        "Activity.programs", "Program", description="Programs discussed or launched at it, by name."
    )


@strawberry.type(
    description="An organization taking part in an activity, optionally through a named "
    "person. Seen by whoever sees the activity."
)
class ActivityParticipant(Node):
    role: str | None = strawberry.field(
        description="Its part in the activity, in words (`co-organiser`), where recorded."
    )
    activity_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]

    activity = referenced("Activity", "activity_id", description="The activity taken part in.")

    organization = referenced(
        "Organization", "organization_id", description="The organization that took part."
    )

    person = referenced(
        "Person",
        "person_id",
        description="Who attended for the organization; null when not named or when the "
        "caller may not see the person (personal data).",
    )


@strawberry.type
class ActivityQuery:
    @strawberry.field(
        description="Activities the caller may see (those its organization took part in, "
        "its alliance's for a secretariat, those about agreements it sees; all for admins), "
        "newest first unless said."
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            ActivityFilter | None,
            strawberry.argument(description="Only activities meeting every condition given."),
        ] = None,
        order_by: Annotated[
            ActivityOrder | None,
            strawberry.argument(description="How to sort; newest held first when not given."),
        ] = None,
    ) -> Connection[Activity]:
        page = await reads.activities_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Activity.from_row)
