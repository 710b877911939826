"""Subscriptions over graphql-transport-ws, through the ASGI app: admission at
`connection_init`, events pushed after a write, visibility, resuming, the limits."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app import create_app
from db.enums import TokenRole
from tests.changes.feed import JOU, NCU, feed_end, organization_id
from tests.changes.socket import Closed, Socket, socket
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query

pytestmark = pytest.mark.anyio

SETTINGS = dataclasses.replace(TEST_SETTINGS, subscription_poll_seconds=0.5)

CHANGES = """
subscription ($after: String, $filter: ChangeFilter) {
  changes(after: $after, filter: $filter) {
    entityType entityId kind version fields
    entity { id ... on Organization { name } ... on Agreement { title version } }
  }
}
"""
AGREEMENT_CHANGED = """
subscription ($id: ID!) {
  agreementChanged(id: $id) {
    entityType entityId kind fields entity { ... on Agreement { title } }
  }
}
"""
CREATE_ORGANIZATION = """
mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id } userErrors { code } }
}
"""
CREATE_PERSON = """
mutation ($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id } userErrors { code message } }
}
"""
UPDATE_AGREEMENT = """
mutation ($input: UpdateAgreementInput!) {
  updateAgreement(input: $input) { agreement { id version } userErrors { code message } }
}
"""


def _app(engine: AsyncEngine, **settings: Any) -> Starlette:
    return create_app(dataclasses.replace(SETTINGS, **settings), engine=engine)


@pytest.fixture
async def admin(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(demo_engine, databases.admin_token) as http:
        yield http


async def _create_organization(client: httpx.AsyncClient, name: str) -> str:
    made = await query(client, CREATE_ORGANIZATION, {"input": {"kind": "UNIVERSITY", "name": name}})
    assert made["createOrganization"]["userErrors"] == []
    return str(made["createOrganization"]["organization"]["id"])


async def _next(ws: Socket, key: str) -> dict[str, Any]:
    message = await ws.receive()
    assert message["type"] == "next" and message["id"] == key, message
    assert "errors" not in message["payload"], message
    found: dict[str, Any] = message["payload"]["data"]
    return found


async def _subscribed(
    ws: Socket, subscription: str, variables: dict[str, Any] | None = None
) -> str:
    key = await ws.subscribe(subscription, variables)
    await asyncio.sleep(0.2)  # the subscription reads the feed's end before the test writes
    return key


async def test_a_bad_token_is_refused_at_connection_init(demo_engine: AsyncEngine) -> None:
    async with socket(_app(demo_engine)) as ws:
        await ws.send({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
        with pytest.raises(Closed) as closed:
            await ws.receive()
    assert closed.value.code == 4403


async def test_a_subscription_before_connection_init_is_refused(demo_engine: AsyncEngine) -> None:
    async with socket(_app(demo_engine)) as ws:
        await ws.subscribe(CHANGES)
        with pytest.raises(Closed) as closed:
            await ws.receive()
    assert closed.value.code == 4401


async def test_a_write_reaches_the_subscriber(
    demo_engine: AsyncEngine, databases: Databases, admin: httpx.AsyncClient
) -> None:
    async with socket(_app(demo_engine)) as ws:
        assert (await ws.init(databases.admin_token))["type"] == "connection_ack"
        key = await _subscribed(ws, CHANGES)
        made = await _create_organization(admin, "Pushed University")
        event = (await _next(ws, key))["changes"]
    assert event["entityType"] == "Organization" and event["kind"] == "CREATED"
    assert event["entityId"] == made
    assert event["entity"] == {"id": made, "name": "Pushed University"}


async def test_a_subscriber_gets_only_the_events_it_may_see(
    demo_engine: AsyncEngine, databases: Databases, admin: httpx.AsyncClient
) -> None:
    ncu = await make_token(demo_engine, TokenRole.EDITOR, organization=NCU)
    jou_token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    jou = await organization_id(admin, JOU)
    async with api_client(demo_engine, jou_token) as jou_client, socket(_app(demo_engine)) as ws:
        assert (await ws.init(ncu))["type"] == "connection_ack"
        key = await _subscribed(ws, CHANGES)
        person = await query(
            jou_client,
            CREATE_PERSON,
            {
                "input": {
                    "name": "Hidden Person",
                    "position": {"title": "Clerk", "organization": jou},
                }
            },
        )
        assert person["createPerson"]["userErrors"] == []
        made = await _create_organization(admin, "Public University")
        event = (await _next(ws, key))["changes"]
        assert (event["entityType"], event["entityId"]) == ("Organization", made)
        with pytest.raises(TimeoutError):
            await ws.receive(seconds=1.0)


async def test_a_subscriber_resumes_from_its_cursor(
    demo_engine: AsyncEngine, databases: Databases, admin: httpx.AsyncClient
) -> None:
    cursor = await feed_end(demo_engine, admin)
    first = await _create_organization(admin, "Missed One")
    second = await _create_organization(admin, "Missed Two")
    async with socket(_app(demo_engine)) as ws:
        await ws.init(databases.admin_token)
        key = await ws.subscribe(CHANGES, {"after": cursor, "filter": {"types": ["Organization"]}})
        seen = [(await _next(ws, key))["changes"]["entityId"] for _ in range(2)]
        third = await _create_organization(admin, "Live Three")
        seen.append((await _next(ws, key))["changes"]["entityId"])
    assert seen == [first, second, third]


async def test_a_bad_cursor_is_an_error_of_the_subscription(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with socket(_app(demo_engine)) as ws:
        await ws.init(databases.admin_token)
        key = await ws.subscribe(CHANGES, {"after": "not-a-cursor"})
        message = await ws.receive()
    assert message["id"] == key and message["type"] in {"error", "next"}
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_token_holds_at_most_the_subscriptions_allowed(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    app = _app(demo_engine, max_subscriptions_per_token=1)
    async with socket(app) as one, socket(app) as two:
        await one.init(databases.admin_token)
        await _subscribed(one, CHANGES)
        await two.init(databases.admin_token)
        key = await two.subscribe(CHANGES)
        message = await two.receive()
    assert message["id"] == key
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_a_subscriber_that_stops_reading_is_disconnected(
    demo_engine: AsyncEngine, databases: Databases, admin: httpx.AsyncClient
) -> None:
    app = _app(demo_engine, max_queued_events=2, subscription_poll_seconds=0.3)
    async with socket(app, stalled_after=1) as ws:  # the ack passes, no event does
        await ws.init(databases.admin_token)
        await _subscribed(ws, CHANGES)
        for n in range(5):
            await _create_organization(admin, f"Unread {n}")
        with pytest.raises(Closed) as closed:
            await ws.receive()
    assert closed.value.code == 4008


async def test_agreement_changed_follows_one_agreement(
    demo_engine: AsyncEngine, databases: Databases, admin: httpx.AsyncClient
) -> None:
    found = await query(admin, "{ agreements(first: 2) { nodes { id version } } }")
    one, other = found["agreements"]["nodes"]
    async with socket(_app(demo_engine)) as ws:
        await ws.init(databases.admin_token)
        key = await _subscribed(ws, AGREEMENT_CHANGED, {"id": one["id"]})
        for agreement, title in ((other, "Not this one"), (one, "This one")):
            changed = await query(
                admin,
                UPDATE_AGREEMENT,
                {"input": {"id": agreement["id"], "version": agreement["version"], "title": title}},
            )
            assert changed["updateAgreement"]["userErrors"] == []
        event = (await _next(ws, key))["agreementChanged"]
    assert event["entityId"] == one["id"] and event["fields"] == ["title"]
    assert event["entity"] == {"title": "This one"}
