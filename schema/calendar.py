"""`calendarFeed`: the caller's own iCalendar feed (`GET /calendar.ics`, docs/changes.md)."""

import strawberry

from resolvers.calendar_tokens import calendar_token_of
from schema.relay import Info

__all__ = ["CalendarFeed", "CalendarQuery"]


@strawberry.type(
    description="The caller's iCalendar feed: the end dates and notice deadlines of the "
    "agreements in force it may see, and the due dates of their open commitments."
)
class CalendarFeed:
    token: str = strawberry.field(
        description="A calendar token (`pgcal_...`): it opens `/calendar.ics` and nothing else, "
        "sees what the caller's API token sees, and stops working with it. Safe to put in a "
        "URL, unlike the API token."
    )

    @strawberry.field(
        description="The feed's path with the calendar token, to append to the server's "
        "address and subscribe to in a calendar application."
    )
    def path(self) -> str:
        return f"/calendar.ics?token={self.token}"


@strawberry.type
class CalendarQuery:
    @strawberry.field(
        description="The caller's calendar feed; null for an anonymous caller (the feed needs "
        "a token)."
    )
    async def calendar_feed(self, info: Info) -> CalendarFeed | None:
        token = await calendar_token_of(info.context.engine, info.context.viewer)
        return None if token is None else CalendarFeed(token=token)
