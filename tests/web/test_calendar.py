"""`GET /calendar.ics` on SQLite and PostgreSQL: RFC 5545 parsed back with `icalendar`, the same
dates the API gives, only what the caller sees, stable UIDs; the calendar token opens the feed
and nothing else, and an API token is refused in the URL."""

from typing import Any

import httpx
import icalendar
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.changes.feed import JOU, NCU
from tests.conftest import Databases, api_client, make_token
from tests.graphql import query
from tests.reminders.world import in_force

pytestmark = pytest.mark.anyio

FEED = "{ calendarFeed { token path } }"


async def _events(client: httpx.AsyncClient, path: str) -> dict[str, dict[str, Any]]:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert str(calendar["version"]) == "2.0"
    found: dict[str, dict[str, Any]] = {}
    for event in calendar.walk("VEVENT"):
        found[str(event["uid"])] = {
            "start": event.decoded("dtstart").isoformat(),
            "end": event.decoded("dtend").isoformat(),
            "summary": str(event["summary"]),
        }
    return found


async def test_the_calendar_lists_what_the_api_gives_to_who_may_see_it(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    jou_token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    ncu_token = await make_token(demo_engine, TokenRole.EDITOR, organization=NCU)
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, jou_token) as jou,
        api_client(demo_engine, ncu_token) as ncu,
        api_client(demo_engine, None) as anonymous,
    ):
        made = await in_force(
            admin, effective_to="2027-12-31", notice_period_days=60, commitment_due="2027-10-01"
        )
        agreement, commitment = made.agreement["id"], made.commitment
        feed = (await query(jou, FEED))["calendarFeed"]
        assert feed["token"].startswith("pgcal_")
        assert feed["path"] == f"/calendar.ics?token={feed['token']}"
        events = await _events(anonymous, feed["path"])

        read = await query(
            jou,
            "query ($a: ID!, $c: ID!) { a: node(id: $a) { ... on Agreement { title effectiveTo "
            "noticeDeadline } } c: node(id: $c) { ... on Commitment { dueOn } } }",
            {"a": agreement, "c": commitment},
        )
        assert events[f"{agreement}.end@partnergraph"]["start"] == read["a"]["effectiveTo"]
        assert events[f"{agreement}.end@partnergraph"]["end"] == "2028-01-01"
        assert events[f"{agreement}.notice@partnergraph"]["start"] == read["a"]["noticeDeadline"]
        assert events[f"{commitment}.due@partnergraph"]["start"] == read["c"]["dueOn"]
        listed = await query(
            jou,
            "{ agreements(filter: {status: [SIGNED, ACTIVE]}, first: 100) "
            "{ nodes { id effectiveTo } } }",
        )
        ends = {
            uid.removesuffix(".end@partnergraph")
            for uid in events
            if uid.endswith(".end@partnergraph")
        }
        assert ends == {n["id"] for n in listed["agreements"]["nodes"] if n["effectiveTo"]}

        by_header = await _events(jou, "/calendar.ics")
        assert by_header == events, "the API token in the header reads the same feed"
        assert await _events(anonymous, feed["path"]) == events, "UIDs and dates are stable"

        ncu_feed = (await query(ncu, FEED))["calendarFeed"]
        hidden = await _events(anonymous, ncu_feed["path"])
        assert not any(agreement in uid or str(commitment) in uid for uid in hidden)


async def test_the_calendar_token_opens_the_feed_only_and_the_url_refuses_api_tokens(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    jou_token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with (
        api_client(demo_engine, jou_token) as jou,
        api_client(demo_engine, None) as anonymous,
    ):
        token = (await query(jou, FEED))["calendarFeed"]["token"]
        assert (await query(anonymous, FEED))["calendarFeed"] is None
        refused = await anonymous.get("/calendar.ics", params={"token": jou_token})
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        forged = await anonymous.get("/calendar.ics", params={"token": token[:-2] + "xx"})
        assert forged.status_code == 401
        assert (await anonymous.get("/calendar.ics")).status_code == 401
        as_api = await anonymous.post(
            "/graphql",
            json={"query": "{ agreements(first: 1) { totalCount } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert as_api.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
