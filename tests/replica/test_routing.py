"""Queries answered by a real streaming replica, writes and their readers by the primary, and a
replica that dies or lags taken out of rotation without a request failing."""

import asyncio
from typing import Any

import httpx
import pytest

from db.engine import create_engine
from resolvers.read_routing import ReadRouting
from settings import Settings
from tests.replica.conftest import DATABASE, Replicated, client_of, routed_app

pytestmark = pytest.mark.anyio

ORGANIZATIONS = "{ organizations(first: 5) { totalCount edges { node { id name } } } }"
CREATE = """
mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id } userErrors { code } }
}
"""
NODE = "query ($id: ID!) { node(id: $id) { ... on Organization { name } } }"


async def send(
    http: httpx.AsyncClient, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body


async def create(http: httpx.AsyncClient, name: str) -> str:
    body = await send(http, CREATE, {"input": {"kind": "UNIVERSITY", "name": name}})
    assert body["extensions"]["database"] == "primary"
    made = body["data"]["createOrganization"]
    assert made["userErrors"] == []
    organization_id: str = made["organization"]["id"]
    return organization_id


async def wait_out_of_rotation(routing: ReadRouting) -> None:
    """Checks the replica until it is out (bounded, so a broken check fails the test)."""
    [replica] = routing.replicas.replicas
    for _ in range(600):
        await routing.replicas.check()
        if not replica.in_rotation:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the replica stayed in rotation: lag {replica.lag_s}")


async def test_queries_are_answered_by_the_replica_on_both_roads(
    replicated: Replicated,
) -> None:
    async with routed_app(replicated) as (app, _), client_of(app, replicated.token) as http:
        first = await http.post("/graphql", json={"query": ORGANIZATIONS})
        second = await http.post("/graphql", json={"query": ORGANIZATIONS})  # the fast lane
        assert first.json()["extensions"]["database"] == "replica-1"
        assert second.content == first.content
        connected = await replicated.standby(
            "SELECT count(*) FROM pg_stat_activity "
            f"WHERE datname = '{DATABASE}' AND pid <> pg_backend_pid()"
        )
        assert isinstance(connected, int) and connected >= 1


async def test_a_replica_that_has_not_replayed_a_write_does_not_answer_its_writer(
    replicated: Replicated,
) -> None:
    async with (
        routed_app(replicated) as (app, routing),
        client_of(app, replicated.token) as writer,
        client_of(app, None) as other,
    ):
        await replicated.standby("SELECT pg_wal_replay_pause()")
        try:
            made = await create(writer, "Replica Lag University")
            mine = await send(writer, NODE, {"id": made})
            assert mine["data"]["node"] == {"name": "Replica Lag University"}
            assert mine["extensions"]["database"] == "primary"
            theirs = await send(other, NODE, {"id": made})
            assert theirs["data"]["node"] is None  # the replica has not replayed it: proof
            assert theirs["extensions"]["database"] == "replica-1"
        finally:
            await replicated.standby("SELECT pg_wal_replay_resume()")
        await replicated.cluster.wait_replayed()
        await routing.replicas.check()
        again = await send(writer, NODE, {"id": made})
        assert again["data"]["node"] == {"name": "Replica Lag University"}
        assert again["extensions"]["database"] == "replica-1"


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
async def test_a_write_then_a_read_sees_the_write(replicated: Replicated, redis: bool) -> None:
    changes = {} if redis else {"redis_url": ""}
    async with (
        routed_app(replicated, **changes) as (app, _),
        client_of(app, replicated.token) as http,
    ):
        for n in range(5):
            made = await create(http, f"Read Your Writes {redis} {n}")
            found = await send(http, NODE, {"id": made})
            assert found["data"]["node"] == {"name": f"Read Your Writes {redis} {n}"}


async def test_a_write_seen_by_another_worker_through_redis(replicated: Replicated) -> None:
    """Two apps (two workers) sharing Redis: the one that did not take the write still sends
    the writer's next read where the write is."""
    settings = replicated.settings()
    async with (
        routed_app(replicated, redis_prefix=settings.redis_prefix) as (one, _),
        routed_app(replicated, redis_prefix=settings.redis_prefix) as (two, _),
        client_of(one, replicated.token) as first,
        client_of(two, replicated.token) as second,
    ):
        await replicated.standby("SELECT pg_wal_replay_pause()")
        try:
            made = await create(first, "Two Workers University")
            found = await send(second, NODE, {"id": made})
            assert found["data"]["node"] == {"name": "Two Workers University"}
            assert found["extensions"]["database"] == "primary"
        finally:
            await replicated.standby("SELECT pg_wal_replay_resume()")


async def test_a_replica_stopped_mid_run_fails_no_request_and_returns_after_restart(
    replicated: Replicated,
) -> None:
    async with routed_app(replicated) as (app, routing), client_of(app, replicated.token) as http:
        [replica] = routing.replicas.replicas
        before = await http.post("/graphql", json={"query": ORGANIZATIONS})
        await http.post("/graphql", json={"query": ORGANIZATIONS})  # learnt by the fast lane
        assert before.json()["extensions"]["database"] == "replica-1"
        replicated.cluster.stop_standby()
        try:
            for _ in range(3):  # the fast lane, then strawberry's road, then out of rotation
                during = await http.post("/graphql", json={"query": ORGANIZATIONS})
                assert during.status_code == 200, during.text
                assert during.json()["extensions"]["database"] == "primary"
                assert during.json()["data"] == before.json()["data"]
            assert not replica.in_rotation
            await routing.replicas.check()
            assert not replica.in_rotation
            assert replica.reason == "unreachable"
        finally:
            replicated.cluster.start_standby()
        await replicated.cluster.wait_replayed()
        await routing.replicas.check()
        assert replica.in_rotation
        after = await http.post("/graphql", json={"query": ORGANIZATIONS})
        assert after.json()["extensions"]["database"] == "replica-1"
        assert after.json()["data"] == before.json()["data"]


async def test_a_replica_stopped_before_its_first_request_on_strawberrys_road(
    replicated: Replicated,
) -> None:
    """The first request of a document goes through strawberry (not the fast lane): it too is
    answered again from the primary."""
    async with routed_app(replicated) as (app, _), client_of(app, replicated.token) as http:
        query = "{ alliances(first: 3) { totalCount } }"
        replicated.cluster.stop_standby()
        try:
            during = await http.post("/graphql", json={"query": query})
            assert during.status_code == 200, during.text
            assert during.json()["extensions"]["database"] == "primary"
            assert "errors" not in during.json()
        finally:
            replicated.cluster.start_standby()
        await replicated.cluster.wait_replayed()


async def test_a_lagging_replica_leaves_the_rotation_until_it_catches_up(
    replicated: Replicated,
) -> None:
    async with (
        routed_app(replicated, replica_max_lag_ms=0) as (app, routing),
        client_of(app, None) as reader,
        client_of(app, replicated.token) as writer,
    ):
        await replicated.standby("SELECT pg_wal_replay_pause()")
        try:
            await create(writer, "Lagging Replica University")
            await wait_out_of_rotation(routing)
            [replica] = routing.replicas.replicas
            assert replica.reason.startswith("lags")
            body = await send(reader, ORGANIZATIONS)
            assert body["extensions"]["database"] == "primary"
        finally:
            await replicated.standby("SELECT pg_wal_replay_resume()")
        await replicated.cluster.wait_replayed()
        await routing.replicas.check()
        assert replica.in_rotation
        body = await send(reader, ORGANIZATIONS)
        assert body["extensions"]["database"] == "replica-1"


async def test_mutations_batches_and_saved_views_read_from_the_primary(
    replicated: Replicated,
) -> None:
    async with routed_app(replicated) as (app, _), client_of(app, replicated.token) as http:
        made = await create(http, "Primary Only University")
        assert made
        batch = await http.post(
            "/graphql", json=[{"query": ORGANIZATIONS}, {"query": ORGANIZATIONS}]
        )
        assert [one["extensions"]["database"] for one in batch.json()] == ["primary"] * 2


async def test_the_metrics_count_requests_by_database(replicated: Replicated) -> None:
    async with (
        routed_app(replicated, metrics_open=True) as (app, _),
        client_of(app, replicated.token) as http,
    ):
        await send(http, ORGANIZATIONS)
        text = (await http.get("/metrics")).text
        assert 'partnergraph_database_requests_total{database="replica-1"}' in text
        assert 'partnergraph_db_replica_in_rotation{replica="replica-1"} 1.0' in text


async def test_replicas_of_a_sqlite_database_are_refused(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"
    engine = create_engine(url)
    try:
        settings = Settings(database_url=url, database_replica_urls=url)
        with pytest.raises(ValueError, match="PostgreSQL"):
            ReadRouting.of(settings, engine)
    finally:
        await engine.dispose()


async def test_without_replicas_no_database_is_named(client: httpx.AsyncClient) -> None:
    body = await send(client, ORGANIZATIONS)
    assert "database" not in body.get("extensions", {})
