"""Fixtures that more than one test module of this folder uses: `world`, the callers of the
proposal tests (`proposal_world.py`), and `bank`, those of the credit bank's tests
(`credit_callers.py`)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import Databases, api_client, make_token
from tests.resolvers.credit_callers import Bank
from tests.resolvers.credit_callers import find_ids as find_bank_ids
from tests.resolvers.proposal_world import JIANGXI, World, find_ids


@pytest.fixture
async def world(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[World]:
    tokens = {
        "art": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "lle": await make_token(
            demo_engine, TokenRole.VIEWER, organization="School of Lifelong Education"
        ),
        "tsinghua": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Tsinghua University"
        ),
        "ncu": await make_token(demo_engine, TokenRole.EDITOR, organization="Nanchang University"),
        "secretariat": await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=JIANGXI),
    }
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(api_client(demo_engine, token))
            for name, token in {"admin": databases.admin_token, **tokens}.items()
        }
        yield World(engine=demo_engine, ids=await find_ids(clients["admin"]), **clients)


@pytest.fixture
async def bank(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[Bank]:
    tokens = {
        "jou": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "lle": await make_token(
            demo_engine, TokenRole.EDITOR, organization="School of Lifelong Education"
        ),
        "tsinghua": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Tsinghua University"
        ),
    }
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(api_client(demo_engine, token))
            for name, token in {"admin": databases.admin_token, **tokens}.items()
        }
        yield Bank(ids=await find_bank_ids(clients["admin"]), **clients)
