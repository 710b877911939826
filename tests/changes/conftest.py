"""The callers of the change feed tests: an admin, the editors of two universities, a reporter
and an anonymous caller, each an HTTP client on the same demo database."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.changes.feed import JOU, NCU
from tests.conftest import Databases, api_client, make_token


@pytest.fixture
async def callers(
    demo_engine: AsyncEngine, databases: Databases
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    tokens = {
        "admin": databases.admin_token,
        "jou": await make_token(demo_engine, TokenRole.EDITOR, organization=JOU),
        "ncu": await make_token(demo_engine, TokenRole.EDITOR, organization=NCU),
        "reporter": await make_token(demo_engine, TokenRole.REPORTER),
        "anonymous": None,
    }
    async with AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(api_client(demo_engine, token))
            for name, token in tokens.items()
        }
