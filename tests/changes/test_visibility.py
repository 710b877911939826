"""Who sees which change: the rules of reading, applied to events when they are read."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.changes.feed import CHANGES, JOU, events_after, feed_end, organization_id
from tests.graphql import errors_of, query

pytestmark = pytest.mark.anyio


CREATE_PERSON = """
mutation ($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id version } userErrors { code message } }
}
"""
DELETE_PERSON = """
mutation ($input: DeletePersonInput!) { deletePerson(input: $input) { userErrors { code } } }
"""


async def test_personal_data_changes_reach_only_its_organization_and_admins(
    callers: dict[str, httpx.AsyncClient], demo_engine: AsyncEngine
) -> None:
    cursors = {name: await feed_end(demo_engine, client) for name, client in callers.items()}
    jou = await organization_id(callers["admin"], JOU)
    made = await query(
        callers["jou"],
        CREATE_PERSON,
        {"input": {"name": "Feed Person", "position": {"title": "Clerk", "organization": jou}}},
    )
    person = made["createPerson"]["person"]
    assert made["createPerson"]["userErrors"] == []
    seen = {
        name: [
            (e["entityType"], e["kind"])
            for e in (await events_after(demo_engine, client, cursors[name]))[0]
        ]
        for name, client in callers.items()
    }
    assert (
        seen["admin"]
        == seen["jou"]
        == [
            ("Person", "CREATED"),
            ("Position", "CREATED"),
            ("Person", "UPDATED"),
        ]
    )
    assert seen["ncu"] == seen["reporter"] == seen["anonymous"] == []
    cursors = {name: await feed_end(demo_engine, client) for name, client in callers.items()}

    deleted = await query(
        callers["jou"], DELETE_PERSON, {"input": {"id": person["id"], "version": 1}}
    )
    assert deleted["deletePerson"]["userErrors"] == []
    after = {
        name: (await events_after(demo_engine, client, cursors[name]))[0]
        for name, client in callers.items()
    }
    assert [(e["entityType"], e["kind"], e["entity"]) for e in after["jou"]] == [
        ("Person", "DELETED", None),
        ("Position", "DELETED", None),
    ]
    assert after["jou"] == after["admin"]
    assert after["jou"][0]["organizations"] == [jou]
    assert after["ncu"] == after["reporter"] == after["anonymous"] == []


async def test_public_profiles_changes_reach_every_caller(
    callers: dict[str, httpx.AsyncClient], demo_engine: AsyncEngine
) -> None:
    cursors = {name: await feed_end(demo_engine, client) for name, client in callers.items()}
    await query(
        callers["admin"],
        'mutation { createOrganization(input: {kind: BUSINESS, name: "Feed Ltd"}) '
        "{ userErrors { code } } }",
    )
    for name, client in callers.items():
        events, _ = await events_after(demo_engine, client, cursors[name])
        assert [(e["entityType"], e["kind"], e["entity"]["name"]) for e in events] == [
            ("Organization", "CREATED", "Feed Ltd")
        ], name


async def test_filters_by_type_kind_and_organization(
    callers: dict[str, httpx.AsyncClient], demo_engine: AsyncEngine
) -> None:
    admin = callers["admin"]
    cursor = await feed_end(demo_engine, admin)
    jou = await organization_id(admin, JOU)
    await query(
        callers["jou"],
        CREATE_PERSON,
        {"input": {"name": "Filtered", "position": {"title": "Clerk", "organization": jou}}},
    )
    await query(
        admin,
        'mutation { createOrganization(input: {kind: OTHER, name: "Other"}) '
        "{ userErrors { code } } }",
    )
    by_type, _ = await events_after(demo_engine, admin, cursor, types=["Position"])
    assert [e["entityType"] for e in by_type] == ["Position"]
    by_organization, _ = await events_after(demo_engine, admin, cursor, organizations=[jou])
    assert [(e["entityType"], e["fields"]) for e in by_organization] == [
        ("Position", []),
        ("Person", ["positions"]),
    ]
    by_kind, _ = await events_after(
        demo_engine, admin, cursor, kinds=["CREATED"], types=["Organization"]
    )
    assert [e["entity"]["name"] for e in by_kind] == ["Other"]


async def test_a_filter_the_caller_cannot_use_is_an_error_with_a_code(
    callers: dict[str, httpx.AsyncClient],
) -> None:
    [refused] = await errors_of(callers["reporter"], CHANGES, {"filter": {"types": ["Person"]}})
    assert refused["extensions"]["code"] == "FORBIDDEN"
    [unknown] = await errors_of(callers["admin"], CHANGES, {"filter": {"types": ["Nope"]}})
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    [wrong] = await errors_of(
        callers["admin"], CHANGES, {"filter": {"organizations": ["QWxsaWFuY2U6MQ"]}}
    )
    assert wrong["extensions"]["code"] in {"INVALID_ID", "BAD_USER_INPUT"}
