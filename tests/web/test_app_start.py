"""Starting the app: the start-up heap is frozen once per process, however many apps start."""

import gc

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import app as application
from settings import Settings

pytestmark = pytest.mark.anyio


async def test_many_app_starts_collect_the_heap_once(
    demo_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    collections: list[int] = []
    collect = gc.collect

    def counting(generation: int = 2) -> int:
        collections.append(generation)
        return collect(generation)

    monkeypatch.setattr(gc, "collect", counting)
    for _ in range(3):
        app = application.create_app(Settings(), engine=demo_engine)
        async with app.router.lifespan_context(app):
            pass
    assert len(collections) <= 1
