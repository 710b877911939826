"""People (contacts, signatories, faculty) and the positions they hold; the root list.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from typing import Annotated

import strawberry

from resolvers import people as reads
from schema.compiled.declare import list_of, referenced
from schema.field_docs import describe
from schema.relay import Connection, Info, Node, connection, list_request
from schema.wording import ILLUSTRATIVE, VERSION

__all__ = ["Person", "PersonFilter", "PersonQuery", "Position"]


@describe(
    organization="Only people who hold or held a position at this organization.",
    text="Only people whose name or local name contains this text, ignoring case.",
)
@strawberry.input(description="Conditions on people; all given conditions must hold.")
class PersonFilter(reads.PersonFilter):
    pass


@describe(
    field="What to sort by (the name unless said); ties keep the order the records were made in.",
    direction="Ascending (A to Z, oldest first) unless said.",
)
@strawberry.input(description="How to sort people: by which field, in which direction.")
class PersonOrder(reads.PersonOrder):
    pass


@strawberry.type(
    description="A contact, signatory, faculty or staff member. Personal data: seen only by "
    "an organization the person holds a position at (or one that organization belongs to) "
    "and by admins."
)
class Person(Node):
    version: int = strawberry.field(description=VERSION)
    name: str = strawberry.field(
        description="The name as written in English; `localName` holds it in the local script."
    )
    local_name: str | None = strawberry.field(
        description="The name in the local language and script (Chinese characters for a "
        "Chinese name), where known."
    )
    email: str | None = strawberry.field(description="A work e-mail address.")
    phone: str | None = strawberry.field(
        description="A work telephone number, as given (with its country code where known)."
    )
    is_illustrative: bool = strawberry.field(description=ILLUSTRATIVE)

    positions = list_of(
        "Person.positions",
        "Position",
        description="Positions held, at one or more organizations, by start date; only those "
        "at organizations the caller answers for.",
    )


@strawberry.type(
    description="A position a person holds or held at an organization (`Deputy Dean`, "
    "`Director of the Lifelong Education Department`). Personal data: seen only by that "
    "organization (or one it belongs to) and admins."
)
class Position(Node):
    version: int = strawberry.field(description=VERSION)
    title: str = strawberry.field(description="The job title, as the organization names it.")
    started_on: date | None = strawberry.field(
        description="The ISO date the position began, where known."
    )
    ended_on: date | None = strawberry.field(
        description="The ISO date the position ended; null while it is held."
    )
    person_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    person = referenced("Person", "person_id", description="Who holds the position.")

    organization = referenced(
        "Organization", "organization_id", description="Where the position is held."
    )


@strawberry.type
class PersonQuery:
    @strawberry.field(
        description="People, by name unless said. Personal data: only people with a position "
        "at an organization the caller answers for (all for admins; none for reporters and "
        "anonymous callers)."
    )
    async def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[
            PersonFilter | None,
            strawberry.argument(description="Only people meeting every condition given."),
        ] = None,
        order_by: Annotated[
            PersonOrder | None,
            strawberry.argument(description="How to sort; by name when not given."),
        ] = None,
    ) -> Connection[Person]:
        page = await reads.people_page(
            info.context,
            filter=filter,
            order=order_by,
            request=await list_request(info, first, after, filter, last=last, before=before),
        )
        return connection(page, Person.from_row)
