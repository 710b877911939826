"""Caches derived from requests are keyed by digests and bounded in bytes as well as entries:
anonymous callers sending large unique variables cannot grow a worker without bound."""

import dataclasses
import gc
import operator
import sys
import uuid
from collections.abc import AsyncIterator
from itertools import chain, compress, repeat

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.memo import Bounded, approximate_size, caches, digest_key
from tests.conftest import TEST_SETTINGS, api_client

pytestmark = pytest.mark.anyio

DOCUMENT = (
    "query($country: String!) { organizations(first: 1, filter: {country: [$country]}) "
    "{ totalCount } }"
)
RETAINED_LIMIT = 40 * 1024 * 1024
"""Well under what 300 requests of 150 KB kept whole (45 MB of keys alone), and over the sum of
the budgets the caches these requests reach may fill."""


@pytest.fixture
async def anonymous_client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous client whose 150 KB strings are let through the input checks
    (`PARTNERGRAPH_MAX_STRING_LENGTH`), so that every cache on a request's road is reached."""
    settings = dataclasses.replace(TEST_SETTINGS, max_string_length=200_000)
    async with api_client(demo_engine, None, settings) as http:
        yield http


_LARGE = 50_000


def _large_texts() -> int:
    """Bytes of the distinct texts of 50,000 characters or more that anything still holds (what
    unique large requests leave behind when a cache keeps them).

    The walk over every referent of every object is done by C loops (`map`, `compress`): the
    heap of a whole test run holds millions of referents, too many for a Python loop."""
    gc.collect()
    seen: set[int] = set()
    total = 0
    level = gc.get_referents(*gc.get_objects())
    while level:
        texts = list(compress(level, map(isinstance, level, repeat(str | bytes))))
        for found in compress(texts, map(_LARGE.__le__, map(len, texts))):
            if id(found) not in seen:
                seen.add(id(found))
                total += sys.getsizeof(found)
        tuples = list(compress(level, map(isinstance, level, repeat(tuple))))
        # Tuples of texts alone are not tracked by the collector: their items are looked into.
        untracked = compress(tuples, map(operator.not_, map(gc.is_tracked, tuples)))
        level = list(chain.from_iterable(untracked))
    return total


def _unique(size: int) -> str:
    return (uuid.uuid4().hex * (size // 32 + 1))[:size]


async def test_unique_large_variables_keep_every_cache_within_its_budget(
    anonymous_client: httpx.AsyncClient,
) -> None:
    for _ in range(3):  # warm: the schema, the document's parse and plan
        await anonymous_client.post(
            "/graphql", json={"query": DOCUMENT, "variables": {"country": "CN"}}
        )
    gc.collect()
    before = _large_texts()
    for _ in range(300):
        response = await anonymous_client.post(
            "/graphql",
            json={
                "query": DOCUMENT,
                "variables": {"country": _unique(150_000), "pad": _unique(150_000)[:1000]},
            },
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["data"]["organizations"]["totalCount"] == 0
    gc.collect()
    retained = _large_texts() - before
    for cache in caches():
        assert cache.nbytes <= cache.max_bytes
        assert len(cache) <= cache.size
    assert retained < RETAINED_LIMIT, f"{retained / 2**20:.0f} MB kept after 300 requests"


async def test_unique_large_documents_keep_every_cache_within_its_budget(
    anonymous_client: httpx.AsyncClient,
) -> None:
    def document() -> str:
        return (
            f'{{ organizations(first: 1, filter: {{country: ["{_unique(150_000)}"]}}) '
            "{ totalCount } }"
        )

    for _ in range(3):
        await anonymous_client.post("/graphql", json={"query": document()})
    gc.collect()
    before = _large_texts()
    for _ in range(300):
        response = await anonymous_client.post("/graphql", json={"query": document()})
        assert response.status_code == 200, response.text[:300]
        assert response.json()["data"]["organizations"]["totalCount"] == 0
    gc.collect()
    retained = _large_texts() - before
    for cache in caches():
        assert cache.nbytes <= cache.max_bytes
    assert retained < RETAINED_LIMIT, f"{retained / 2**20:.0f} MB kept after 300 requests"


def test_a_key_made_of_a_large_text_is_kept_as_a_digest() -> None:
    large = _unique(150_000)
    key = ("{ alliances { totalCount } }", None, large)
    assert approximate_size(digest_key(key)) < 1_000
    cache: Bounded[tuple[str, None, str], int] = Bounded(10)
    cache.put(key, 1)
    assert cache.get(key) == 1
    assert cache.get(("{ alliances { totalCount } }", None, large[:-1] + "!")) is None
    assert cache.nbytes < 2_000


def test_entries_are_dropped_oldest_first_past_the_byte_budget() -> None:
    cache: Bounded[int, str] = Bounded(1_000, max_bytes=50_000)
    for n in range(20):
        cache.put(n, _unique(10_000))
    assert cache.nbytes <= 50_000
    assert cache.get(19) is not None and cache.get(0) is None
    assert len(cache) < 5
    cache.put(99, _unique(60_000))
    assert cache.get(99) is None, "a value over the whole budget is not kept"
    cache.clear()
    assert cache.nbytes == 0
