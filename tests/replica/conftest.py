"""A primary and a streaming replica started for the run (`tests.replica.cluster`), holding
the demo data, and apps whose queries are routed to the replica.

PostgreSQL only, by nature: a SQLite database has no replicas (`test_routing.py` checks that
such a configuration is refused). Skipped, saying why, where the PostgreSQL server programs are
not installed (they are on every machine of this project and in CI)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from app import create_app
from db.engine import create_engine
from db.enums import TokenRole
from db.loaders.demo import load_demo
from db.migrate import upgrade
from resolvers.read_routing import ReadRouting
from resolvers.tokens import create_token
from settings import Settings
from tests.conftest import TEST_SETTINGS
from tests.replica.cluster import Cluster, why_not

DATABASE = "pg_replica_demo"


@dataclass(frozen=True)
class Replicated:
    cluster: Cluster
    primary_url: str
    replica_url: str
    token: str

    def settings(self, **changes: object) -> Settings:
        given: dict[str, object] = {
            "database_url": self.primary_url,
            "database_replica_urls": self.replica_url,
            "redis_prefix": f"pg_replica_test_{uuid.uuid4().hex[:8]}",
            "replica_check_ms": 3_600_000,  # the tests call `check` themselves
            **changes,
        }
        return replace(TEST_SETTINGS, **given)  # type: ignore[arg-type]

    async def standby(self, sql: str) -> object:
        connection = await asyncpg.connect(self.cluster.dsn(self.cluster.standby_port, DATABASE))
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    problem = why_not()
    if problem is not None:
        pytest.skip(f"no streaming replica can be started here: {problem}")
    made = Cluster()
    try:
        made.start()
        yield made
    finally:
        made.stop()


@pytest.fixture(scope="session")
async def replicated(cluster: Cluster) -> Replicated:
    admin = await asyncpg.connect(cluster.dsn(cluster.primary_port))
    try:
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    primary_url = cluster.url(cluster.primary_port, DATABASE)
    engine = create_engine(primary_url)
    try:
        await upgrade(engine)
        await load_demo(engine)
        async with engine.begin() as connection:
            made = await create_token(connection, name="replica tests", role=TokenRole.ADMIN)
    finally:
        await engine.dispose()
    await cluster.wait_replayed()
    return Replicated(
        cluster=cluster,
        primary_url=primary_url,
        replica_url=cluster.url(cluster.standby_port, DATABASE),
        token=made.secret,
    )


@asynccontextmanager
async def routed_app(
    replicated: Replicated, **changes: object
) -> AsyncIterator[tuple[Starlette, ReadRouting]]:
    """An app on the primary with the replica in its rotation (checked once)."""
    settings = replicated.settings(**changes)
    engine = create_engine(settings.database_url)
    app = create_app(settings, engine=engine)
    routing = app.state.routing
    assert isinstance(routing, ReadRouting)
    await routing.replicas.check()
    try:
        yield app, routing
    finally:
        await app.state.limiter.close()  # the transport runs no lifespan to close them
        await app.state.persisted.close()
        await routing.close()
        await engine.dispose()


@asynccontextmanager
async def client_of(app: Starlette, token: str | None) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    ) as http:
        yield http
