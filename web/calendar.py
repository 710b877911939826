"""`GET /calendar.ics`: the dates a caller must not miss as an iCalendar feed (RFC 5545, written
by the `icalendar` library): the end dates and notice deadlines of the agreements in force it
may see and the due dates of their open commitments (`resolvers.calendar`).

Calendar applications subscribe to a URL and send no headers, so the credential may come in the
URL: `?token=` takes a calendar token (`pgcal_...`, from the `calendarFeed` query; it opens this
feed only, `resolvers.calendar_tokens`), never an API token, which must not end up in URLs and
logs. The `Authorization: Bearer` header takes either. Admission (failed-authentication
throttling, private mode, the rate limit) is GraphQL's (`web.access.admit`).
"""

import logging
from collections.abc import Callable
from datetime import timedelta

import icalendar
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from resolvers.calendar import CalendarEntry, calendar_entries
from resolvers.calendar_tokens import is_calendar_token
from resolvers.errors import ApiError, Unauthenticated
from resolvers.rate_limit import RateLimiter
from settings import Settings
from telemetry.facts import set_road
from web.access import admit, refusal

__all__ = ["CONTENT_TYPE", "CalendarFeed", "calendar_of"]

log = logging.getLogger("partnergraph.calendar")

CONTENT_TYPE = "text/calendar; charset=utf-8"
COST = 20
"""Rate-limit points one read of the feed spends."""


def _event(entry: CalendarEntry) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.changed_at)
    event.add("last-modified", entry.changed_at)
    event.add("dtstart", entry.day)
    event.add("dtend", entry.day + timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    event.add("categories", [entry.what])
    event.add("transp", "TRANSPARENT")
    return event


def calendar_of(entries: list[CalendarEntry]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//partnergraph//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "partnergraph deadlines")
    for entry in entries:
        calendar.add_component(_event(entry))
    return bytes(calendar.to_ical())


class CalendarFeed:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        settings: Settings,
        limiter: RateLimiter,
        credentials_of: Callable[[str | None], str | None],
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.limiter = limiter
        self.credentials_of = credentials_of

    async def answer(self, request: Request) -> Response:
        set_road("calendar")
        given = request.query_params.get("token")
        try:
            if given is not None and not is_calendar_token(given):
                raise Unauthenticated(
                    "the `token` parameter takes a calendar token (`pgcal_...`, from the "
                    "`calendarFeed` query), not an API token: send that in the Authorization "
                    "header"
                )
            viewer = await admit(
                request,
                engine=self.engine,
                settings=self.settings,
                limiter=self.limiter,
                credentials_of=self.credentials_of,
                cost=COST,
                credentials=given,
                calendar=True,
            )
            if viewer.is_anonymous:
                raise Unauthenticated(
                    "the calendar needs a token: `?token=` with a calendar token, or an "
                    "Authorization header"
                )
            entries = await calendar_entries(self.engine, viewer)
        except ApiError as error:
            log.info("refused calendar: %s (%s)", error.code, error.message)
            return refusal(error)
        return Response(
            calendar_of(entries),
            media_type=CONTENT_TYPE,
            headers={
                "Content-Disposition": 'inline; filename="partnergraph.ics"',
                "Cache-Control": "private, no-store",
            },
        )
