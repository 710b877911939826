"""The demo's credit bank is a ledger the services could have written: it passes the audit."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.ledger_audit import audit

pytestmark = pytest.mark.anyio


async def test_the_demo_ledger_keeps_every_invariant(demo_engine: AsyncEngine) -> None:
    async with demo_engine.connect() as connection:
        found = await audit(connection)
    assert set(found) and not any(found.values()), found
