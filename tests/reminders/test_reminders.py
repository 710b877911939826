"""Reminders through the API, on SQLite and PostgreSQL: noticeDeadline and its refusals, one
event per deadline and lead time whatever the number of runs (repeated and at once), seen
only by the callers who see the agreement, lead times set per organization."""

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.reminders import lead_threshold, run_reminders
from tests.changes.feed import JOU, NCU, events_after, feed_end
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.reminders.world import ART, in_force, node_id

pytestmark = pytest.mark.anyio

REMINDER_KINDS = ["EXPIRING", "NOTICE_DEADLINE", "DUE", "OVERDUE"]


def test_a_deadline_is_reminded_of_at_the_smallest_lead_time_not_below_it() -> None:
    leads = (90, 30, 7)
    assert lead_threshold(91, leads) is None
    assert lead_threshold(90, leads) == 90
    assert lead_threshold(31, leads) == 90
    assert lead_threshold(20, leads) == 30
    assert lead_threshold(0, leads) == 7
    assert lead_threshold(-1, leads) is None


async def _mine(events: list[dict[str, Any]], *ids: str | None) -> list[tuple[str, str]]:
    return [(e["entityId"], e["kind"]) for e in events if e["entityId"] in ids]


async def test_reminders_go_out_once_per_deadline_and_lead_time_to_who_sees_the_agreement(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    jou_token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    ncu_token = await make_token(demo_engine, TokenRole.EDITOR, organization=NCU)
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, jou_token) as jou,
        api_client(demo_engine, ncu_token) as ncu,
    ):
        made = await in_force(
            admin, effective_to="2027-12-31", notice_period_days=60, commitment_due="2027-10-01"
        )
        agreement, commitment = made.agreement["id"], made.commitment
        assert made.agreement["noticeDeadline"] == "2027-11-01"
        cursors = {
            name: await feed_end(demo_engine, c)
            for name, c in {"admin": admin, "jou": jou, "ncu": ncu}.items()
        }

        # 2027-09-15: the notice deadline is 47 days away (lead 90), the commitment 16 (lead
        # 30); the end, 107 days away, is beyond every lead time.
        first = await run_reminders(demo_engine, TEST_SETTINGS, today=date(2027, 9, 15))
        assert first.recorded == {"notice_deadline": 1, "due": 1}
        # 2027-12-06: the end is 25 days away (lead 30); the notice deadline has passed; the
        # commitment is overdue. Run again and again, and twice at once.
        day = date(2027, 12, 6)
        second = await run_reminders(demo_engine, TEST_SETTINGS, today=day)
        assert second.recorded == {"expiring": 1, "overdue": 1}
        again = await run_reminders(demo_engine, TEST_SETTINGS, today=day)
        assert again.total == 0 and again.found == 2
        both = await asyncio.gather(
            run_reminders(demo_engine, TEST_SETTINGS, today=day),
            run_reminders(demo_engine, TEST_SETTINGS, today=day),
        )
        assert [run.total for run in both] == [0, 0]

        expected = [  # each run in the order of the deadlines
            (commitment, "DUE"),
            (agreement, "NOTICE_DEADLINE"),
            (commitment, "OVERDUE"),
            (agreement, "EXPIRING"),
        ]
        for name, client in {"admin": admin, "jou": jou}.items():
            events, _ = await events_after(demo_engine, client, cursors[name], kinds=REMINDER_KINDS)
            assert await _mine(events, agreement, commitment) == expected, name
            assert {e["actor"] for e in events} == {"job:reminders"}
            assert all(e["entity"] is not None for e in events)
        hidden, _ = await events_after(demo_engine, ncu, cursors["ncu"], kinds=REMINDER_KINDS)
        assert hidden == [], "NCU is no party: it sees none of these reminders"


async def test_lead_times_set_by_a_party_replace_the_default(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as admin:
        art = await node_id(admin, "organizations", ART)
        read = await query(
            admin,
            "query ($id: ID!) { node(id: $id) { ... on Organization { version "
            "reminderLeadDays } } }",
            {"id": art},
        )
        assert read["node"]["reminderLeadDays"] is None
        update = (
            "mutation ($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { "
            "organization { version reminderLeadDays } userErrors { field code } } }"
        )
        refused = await query(
            admin,
            update,
            {"input": {"id": art, "version": read["node"]["version"], "reminderLeadDays": [-1]}},
        )
        assert refused["updateOrganization"]["userErrors"] == [
            {"field": "reminderLeadDays", "code": "BAD_USER_INPUT"}
        ]
        changed = await query(
            admin,
            update,
            {
                "input": {
                    "id": art,
                    "version": read["node"]["version"],
                    "reminderLeadDays": [5, 45, 5],
                }
            },
        )
        assert changed["updateOrganization"]["organization"]["reminderLeadDays"] == [45, 5]
        made = await in_force(admin, effective_to="2027-12-31")
        cursor = await feed_end(demo_engine, admin)
        # 60 days before the end: the default (90) would remind; the party's 45 does not yet.
        early = await run_reminders(demo_engine, TEST_SETTINGS, today=date(2027, 11, 1))
        assert early.total == 0
        late = await run_reminders(demo_engine, TEST_SETTINGS, today=date(2027, 11, 20))
        assert late.recorded == {"expiring": 1}
        events, _ = await events_after(demo_engine, admin, cursor, kinds=["EXPIRING"])
        assert await _mine(events, made.agreement["id"]) == [(made.agreement["id"], "EXPIRING")]


async def test_a_notice_period_out_of_range_is_a_user_error(client: httpx.AsyncClient) -> None:
    made = await in_force(client, effective_to="2027-12-31", notice_period_days=30)
    answer = await query(
        client,
        "mutation ($input: UpdateAgreementInput!) { updateAgreement(input: $input) { "
        "agreement { noticePeriodDays } userErrors { field code } } }",
        {
            "input": {
                "id": made.agreement["id"],
                "version": made.agreement["version"],
                "noticePeriodDays": -3,
            }
        },
    )
    assert answer["updateAgreement"] == {
        "agreement": None,
        "userErrors": [{"field": "noticePeriodDays", "code": "BAD_USER_INPUT"}],
    }
    changed = await query(
        client,
        "mutation ($input: UpdateAgreementInput!) { updateAgreement(input: $input) { "
        "agreement { status noticePeriodDays noticeDeadline } userErrors { field code } } }",
        {
            "input": {
                "id": made.agreement["id"],
                "version": made.agreement["version"],
                "noticePeriodDays": 90,
            }
        },
    )
    assert changed["updateAgreement"] == {
        "agreement": {"status": "SIGNED", "noticePeriodDays": 90, "noticeDeadline": "2027-10-02"},
        "userErrors": [],
    }, "a notice period is not a change of terms: it may be set on an agreement in force"
