"""A change committed late is never skipped: positions follow the transaction-visibility rule."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.changes.feed import events_after, feed_end

pytestmark = pytest.mark.anyio

RENAME = sa.text("UPDATE organization SET name = :name, version = version + 1 WHERE id = :id")


async def test_a_reader_polling_between_two_commits_skips_nothing(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serializes writers: the first to write commits first")
    cursor = await feed_end(demo_engine, client)
    early = await demo_engine.connect()
    late = await demo_engine.connect()
    try:
        first = await early.begin()
        await early.execute(RENAME, {"name": "Written first, committed last", "id": 1})
        async with late.begin():
            await late.execute(RENAME, {"name": "Written last, committed first", "id": 2})
        polled, cursor = await events_after(None, client, cursor)
        assert polled == []
        await first.commit()
    finally:
        await early.close()
        await late.close()
    polled, _ = await events_after(demo_engine, client, cursor)
    assert [(e["entity"]["name"]) for e in polled] == [
        "Written first, committed last",
        "Written last, committed first",
    ]


async def test_a_plain_id_order_would_have_skipped_it(
    demo_engine: AsyncEngine, backend: str
) -> None:
    """The premise of the test above: the event written first has the lower id and commits
    after one with a higher id, which a reader of ids in order would have passed."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    async with demo_engine.connect() as early, demo_engine.connect() as late:
        first = await early.begin()
        await early.execute(RENAME, {"name": "A", "id": 1})
        async with late.begin():
            await late.execute(RENAME, {"name": "B", "id": 2})
        async with demo_engine.connect() as reader:
            visible = (
                await reader.execute(
                    sa.text(
                        "SELECT entity_id FROM change_event WHERE entity_type = 'Organization' "
                        "AND kind <> 'created' ORDER BY id DESC LIMIT 1"
                    )
                )
            ).scalar()
        assert visible == 2
        await first.commit()
