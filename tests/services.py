"""Checks that a service a test needs is up: skipped when not, failed in CI."""

import pytest
import redis.asyncio

from tests.conftest import REQUIRE_POSTGRES

__all__ = ["redis_or_skip"]


async def redis_or_skip(url: str) -> None:
    """Skips the test when Redis at `url` does not answer a ping (fails it in CI, where
    `PARTNERGRAPH_REQUIRE_POSTGRES=1` requires the services)."""
    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    finally:
        await client.aclose()
