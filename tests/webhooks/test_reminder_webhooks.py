"""A reminder reaches a webhook like any change: signed, typed `agreement.expiring`, sent to an
endpoint of a party's editor that asked for that kind."""

from dataclasses import replace
from datetime import date

import httpx
import pytest
import standardwebhooks
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.reminders import run_reminders
from resolvers.webhook_delivery import deliver_once
from tests.changes.feed import JOU, settled
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.reminders.world import in_force
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.anyio

SETTINGS = replace(TEST_SETTINGS, webhook_allow_private=True, webhook_retry_base_s=0.0)
CREATE = """
mutation ($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret userErrors { code field message } }
}
"""


async def test_a_webhook_receives_an_expiring_reminder(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with (
        receiver() as hook,
        api_client(demo_engine, databases.admin_token, SETTINGS) as admin,
        api_client(demo_engine, token, SETTINGS) as jou,
    ):
        made = await in_force(admin, effective_to="2027-12-31")
        created = await query(jou, CREATE, {"input": {"url": hook.url, "kinds": ["EXPIRING"]}})
        assert created["createWebhook"]["userErrors"] == []
        secret = created["createWebhook"]["secret"]
        done = await run_reminders(demo_engine, SETTINGS, today=date(2027, 12, 20))
        assert done.recorded == {"expiring": 1}
        await settled(demo_engine)
        await deliver_once(demo_engine, SETTINGS)
        [(headers, body)] = hook.received
        sent = standardwebhooks.Webhook(secret).verify(body, headers)
        assert sent["type"] == "agreement.expiring"
        assert sent["data"]["entityId"] == made.agreement["id"]
        assert sent["data"]["kind"] == "EXPIRING"
        assert sent["data"]["actor"] == "job:reminders"
        assert isinstance(admin, httpx.AsyncClient)
