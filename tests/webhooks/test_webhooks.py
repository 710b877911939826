"""Webhooks end to end, on SQLite and PostgreSQL, with a real receiver on a loopback port:
registration and its refusals, signed deliveries in feed order (verified with the
`standardwebhooks` package), visibility of the registering token, retries after a 500, a
hanging receiver cut at the timeout, disabling after failing too long, redelivery."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import standardwebhooks
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db.enums import TokenRole
from resolvers.changes import decode_position
from resolvers.webhook_delivery import deliver_once
from tests.changes.feed import JOU, NCU, organization_id
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.webhooks.receiver import Receiver, receiver

pytestmark = pytest.mark.anyio

SETTINGS = replace(
    TEST_SETTINGS,
    webhook_allow_private=True,
    webhook_retry_base_s=0.0,
    webhook_timeout_s=1.0,
)

CREATE = """
mutation ($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    webhook { id url kinds types enabled owner }
    secret
    userErrors { code field message }
  }
}
"""
UPDATE_ORG = """
mutation ($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) { organization { version } userErrors { code } }
}
"""
HOOKS = """
{ webhooks { id enabled disabledReason failingSince
  deliveries(first: 50) { id messageId status attempts responseCode error } } }
"""


@pytest.fixture
async def hook_receiver() -> AsyncIterator[Receiver]:
    async with receiver() as found:
        yield found


@pytest.fixture
async def jou(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with api_client(demo_engine, token, SETTINGS) as http:
        yield http


@pytest.fixture
async def admin(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(demo_engine, databases.admin_token, SETTINGS) as http:
        yield http


async def _create(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    data = await query(client, CREATE, {"input": given})
    payload: dict[str, Any] = data["createWebhook"]
    return payload


async def _rename(client: httpx.AsyncClient, name: str, new_name: str) -> None:
    key = await organization_id(client, name)
    read = await query(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Organization { version } } }",
        {"id": key},
    )
    answer = await query(
        client,
        UPDATE_ORG,
        {"input": {"id": key, "version": read["node"]["version"], "name": new_name}},
    )
    assert answer["updateOrganization"]["userErrors"] == []


def _verify(secret: str, headers: dict[str, str], body: str) -> dict[str, Any]:
    verified: dict[str, Any] = standardwebhooks.Webhook(secret).verify(body, headers)
    return verified


async def test_deliveries_are_signed_in_order_and_only_what_the_token_sees(
    demo_engine: AsyncEngine, admin: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    made = await _create(admin, url=hook_receiver.url, description="everything")
    assert made["userErrors"] == []
    secret = made["secret"]
    assert secret.startswith("whsec_")
    jou_token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with receiver() as public, api_client(demo_engine, jou_token, SETTINGS) as jou:
        narrow = await _create(jou, url=public.url)
        assert narrow["userErrors"] == []
        await _rename(admin, NCU, "Nanchang University (1)")
        agreements = await query(admin, "{ agreements(first: 100) { nodes { id version } } }")
        hidden = None
        for candidate in agreements["agreements"]["nodes"]:
            found = await query(jou, "query ($id: ID!) { node(id: $id) { id } }", candidate)
            if found["node"] is None:
                hidden = candidate
                break
        assert hidden is not None
        retitled = await query(
            admin,
            "mutation ($input: UpdateAgreementInput!) "
            "{ updateAgreement(input: $input) { userErrors { code } } }",
            {"input": {"id": hidden["id"], "version": hidden["version"], "title": "Retitled"}},
        )
        assert retitled["updateAgreement"]["userErrors"] == []
        await _rename(admin, "Nanchang University (1)", "Nanchang University (2)")
        await deliver_once(demo_engine, SETTINGS)
        seen = [_verify(narrow["secret"], h, b) for h, b in public.received]
        assert [b["data"]["entityType"] for b in seen] == ["Organization", "Organization"]
    bodies = [_verify(secret, h, b) for h, b in hook_receiver.received]
    assert [b["data"]["entityType"] for b in bodies] == [
        "ApiToken",  # the JOU token made above: an admin sees tokens
        "Organization",
        "Agreement",
        "Organization",
    ]
    assert [b["type"] for b in bodies] == [
        "apiToken.created",
        "organization.updated",
        "agreement.updated",
        "organization.updated",
    ]
    cursors = [b["data"]["cursor"] for b in bodies]
    assert cursors == sorted(cursors, key=lambda c: _position(c))
    ids = [h["webhook-id"] for h, _ in hook_receiver.received]
    assert len(set(ids)) == 4
    headers, body = hook_receiver.received[0]
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        _verify(secret, headers, body.replace("created", "deleted"))
    [hook] = [
        h for h in (await query(admin, HOOKS))["webhooks"] if h["id"] == made["webhook"]["id"]
    ]
    assert [d["status"] for d in hook["deliveries"]] == ["delivered"] * 4
    assert {d["responseCode"] for d in hook["deliveries"]} == {200}
    await deliver_once(demo_engine, SETTINGS)
    assert len(hook_receiver.received) == 4, "a delivered event is not sent again"


def _position(cursor: str) -> tuple[int, int]:
    found = decode_position(cursor)
    return found.xid, found.id


async def test_a_500_is_retried_and_holds_later_events_back(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    made = await _create(jou, url=hook_receiver.url)
    await _rename(jou, JOU, "JOU one")
    await _rename(jou, "JOU one", "JOU two")
    hook_receiver.answers = [500]
    await deliver_once(demo_engine, SETTINGS)
    assert len(hook_receiver.received) == 1, "the second event waits for the first"
    hooks = (await query(jou, HOOKS))["webhooks"]
    first = hooks[0]["deliveries"][-1]
    assert (first["status"], first["attempts"], first["responseCode"]) == ("pending", 1, 500)
    assert hooks[0]["failingSince"] is not None
    await deliver_once(demo_engine, SETTINGS)
    received = [_verify(made["secret"], h, b) for h, b in hook_receiver.received]
    assert received[0]["data"]["cursor"] == received[1]["data"]["cursor"]
    assert len(received) == 3
    assert hook_receiver.received[0][0]["webhook-id"] == hook_receiver.received[1][0]["webhook-id"]
    hooks = (await query(jou, HOOKS))["webhooks"]
    assert [d["status"] for d in hooks[0]["deliveries"]] == ["delivered", "delivered"]
    assert hooks[0]["failingSince"] is None


async def test_a_hanging_receiver_is_cut_and_retried(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    await _create(jou, url=hook_receiver.url)
    await _rename(jou, JOU, "JOU hang")
    hook_receiver.answers = ["hang"]
    await asyncio.wait_for(deliver_once(demo_engine, SETTINGS), 5)
    delivery = (await query(jou, HOOKS))["webhooks"][0]["deliveries"][0]
    assert delivery["status"] == "pending"
    assert "no answer within" in delivery["error"]
    await deliver_once(demo_engine, SETTINGS)
    delivery = (await query(jou, HOOKS))["webhooks"][0]["deliveries"][0]
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)


async def test_an_endpoint_failing_too_long_is_disabled_and_its_owner_sees_why(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    settings = replace(SETTINGS, webhook_disable_after_s=0.0)
    made = await _create(jou, url=hook_receiver.url)
    await _rename(jou, JOU, "JOU failing")
    hook_receiver.answers = [503]
    await deliver_once(demo_engine, settings)
    [hook] = (await query(jou, HOOKS))["webhooks"]
    assert hook["enabled"] is False
    assert "failing since" in hook["disabledReason"]
    assert "503" in hook["disabledReason"]
    await deliver_once(demo_engine, settings)
    assert len(hook_receiver.received) == 1, "a disabled endpoint gets nothing"
    enabled = await query(
        jou,
        "mutation ($id: ID!) { updateWebhook(input: {id: $id, enabled: true}) "
        "{ webhook { enabled disabledReason } userErrors { code } } }",
        {"id": made["webhook"]["id"]},
    )
    assert enabled["updateWebhook"]["webhook"] == {"enabled": True, "disabledReason": None}
    await deliver_once(demo_engine, SETTINGS)
    assert len(hook_receiver.received) == 2


async def test_redelivery_sends_again_with_the_same_id(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    made = await _create(jou, url=hook_receiver.url)
    await _rename(jou, JOU, "JOU redelivered")
    await deliver_once(demo_engine, SETTINGS)
    [delivery] = (await query(jou, HOOKS))["webhooks"][0]["deliveries"]
    answer = await query(
        jou,
        "mutation ($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) "
        "{ delivery { status } userErrors { code } } }",
        {"id": delivery["id"]},
    )
    assert answer["redeliverWebhook"] == {"delivery": {"status": "pending"}, "userErrors": []}
    await deliver_once(demo_engine, SETTINGS)
    assert len(hook_receiver.received) == 2
    assert hook_receiver.received[0][1] == hook_receiver.received[1][1]
    assert hook_receiver.received[1][0]["webhook-id"] == delivery["messageId"]
    _verify(made["secret"], *hook_receiver.received[1])


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"url": "ftp://example.org/x"}, "BAD_USER_INPUT", "url"),
        ({"url": "not a url"}, "BAD_USER_INPUT", "url"),
        ({"url": "http://127.0.0.1:9/hook"}, "UNSAFE_URL", "url"),
        ({"url": "http://[::1]:9/hook"}, "UNSAFE_URL", "url"),
        ({"url": "http://10.1.2.3/hook"}, "UNSAFE_URL", "url"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "UNSAFE_URL", "url"),
        ({"url": "http://224.0.0.1/hook"}, "UNSAFE_URL", "url"),
        ({"url": "http://localhost:9/hook"}, "UNSAFE_URL", "url"),
        ({"url": "https://93.184.215.14/hook", "kinds": ["EXPLODED"]}, "UNKNOWN_KIND", "kinds"),
        (
            {"url": "https://93.184.215.14/hook", "filter": {"types": ["Nothing"]}},
            "BAD_USER_INPUT",
            "filter.types",
        ),
    ],
)
async def test_bad_registrations_are_user_errors_and_write_nothing(
    demo_engine: AsyncEngine, given: dict[str, Any], code: str, field: str
) -> None:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with api_client(demo_engine, token) as client:
        made = await _create(client, **given)
        assert made["webhook"] is None and made["secret"] is None
        assert [(e["code"], e["field"]) for e in made["userErrors"]] == [(code, field)]
        assert (await query(client, HOOKS))["webhooks"] == []


async def test_https_is_required_in_production_and_reporters_cannot_filter_agreements(
    demo_engine: AsyncEngine,
) -> None:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    settings = replace(SETTINGS, webhook_require_https=True)
    async with api_client(demo_engine, token, settings) as client:
        made = await _create(client, url="http://93.184.215.14/hook")
        assert [e["code"] for e in made["userErrors"]] == ["UNSAFE_URL"]
    reporter = await make_token(demo_engine, TokenRole.REPORTER)
    async with api_client(demo_engine, reporter, SETTINGS) as client:
        made = await _create(
            client, url="https://93.184.215.14/hook", filter={"types": ["Agreement"]}
        )
        assert [e["code"] for e in made["userErrors"]] in (["FORBIDDEN"],)


async def test_another_organization_cannot_touch_an_endpoint(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    made = await _create(jou, url=hook_receiver.url)
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=NCU)
    async with api_client(demo_engine, token, SETTINGS) as ncu:
        assert (await query(ncu, HOOKS))["webhooks"] == []
        answer = await query(
            ncu,
            "mutation ($id: ID!) { deleteWebhook(input: {id: $id}) { userErrors { code } } }",
            {"id": made["webhook"]["id"]},
        )
        assert answer["deleteWebhook"]["userErrors"] == [{"code": "NOT_FOUND"}]
    assert len((await query(jou, HOOKS))["webhooks"]) == 1


async def test_two_workers_at_once_never_send_a_delivery_twice(
    demo_engine: AsyncEngine, jou: httpx.AsyncClient, hook_receiver: Receiver, backend: str
) -> None:
    """Two engines stand for two worker processes; on PostgreSQL the endpoint's advisory lock
    lets one of them serve it at a time (SQLite: one process, one lock)."""
    await _create(jou, url=hook_receiver.url)
    for number in range(4):
        await _rename(jou, JOU if number == 0 else f"JOU {number - 1}", f"JOU {number}")
    hook_receiver.delay = 0.1
    other = create_async_engine(demo_engine.url.render_as_string(hide_password=False))
    try:
        await asyncio.gather(
            deliver_once(demo_engine, SETTINGS),
            deliver_once(other, SETTINGS),
            deliver_once(other, SETTINGS),
        )
        while len(hook_receiver.received) < 4:
            await deliver_once(other, SETTINGS)
    finally:
        await other.dispose()
    ids = [h["webhook-id"] for h, _ in hook_receiver.received]
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    assert ids == sorted(ids, key=lambda i: int(i.rsplit("_", 1)[1]))
