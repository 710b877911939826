"""Automatic Persisted Queries through the ASGI app: the Apollo round trip over POST and GET,
unknown hashes, hash mismatches, the cost limit on persisted documents, the store shared across
workers through Redis (and each worker's own when Redis is down), registered-only mode."""

import hashlib
import uuid
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from settings import Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.services import redis_or_skip

pytestmark = pytest.mark.anyio

JOU = "Jiangsu Open University"
NO_REDIS = "redis://127.0.0.1:1/0"
"""Nothing listens there: Redis is down for the app."""


def fresh_document() -> str:
    """A query no other test (nor an earlier run, through Redis) has registered."""
    return f"query Fresh{uuid.uuid4().hex} {{ organizations(first: 2) {{ nodes {{ name }} }} }}"


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def by_hash(
    client: httpx.AsyncClient, document: str, *, full: bool = False, **more: Any
) -> httpx.Response:
    body: dict[str, Any] = {"extensions": persisted(sha(document)), **more}
    if full:
        body["query"] = document
    return await client.post("/graphql", json=body)


async def by_get(
    client: httpx.AsyncClient, document: str, *, full: bool = False, **more: Any
) -> httpx.Response:
    params = {"extensions": orjson.dumps(persisted(sha(document))).decode(), **more}
    if full:
        params["query"] = document
    return await client.get("/graphql", params=params)


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_apq_round_trip_over_post(client: httpx.AsyncClient) -> None:
    document = fresh_document()
    unknown = await by_hash(client, document)
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await by_hash(client, document, full=True)
    assert "errors" not in registered.json()
    again = await by_hash(client, document)
    assert again.json()["data"] == registered.json()["data"]
    assert len(again.json()["data"]["organizations"]["nodes"]) == 2


async def test_unknown_hash_is_404_to_graphql_response_clients(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"extensions": persisted(sha(fresh_document()))},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 404
    assert code_of(response) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_hash_that_is_not_the_documents_is_refused_and_not_kept(
    client: httpx.AsyncClient,
) -> None:
    document, other = fresh_document(), fresh_document()
    response = await client.post(
        "/graphql", json={"query": document, "extensions": persisted(sha(other))}
    )
    assert code_of(response) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in response.json()
    assert code_of(await by_hash(client, other)) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extension", "code"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, "PERSISTED_QUERY_VERSION_UNSUPPORTED"),
        ({"version": 1, "sha256Hash": "ABC"}, "BAD_REQUEST"),
        ("not an object", "BAD_REQUEST"),
    ],
)
async def test_a_malformed_persisted_query_is_refused_with_a_code(
    client: httpx.AsyncClient, extension: object, code: str
) -> None:
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": extension}})
    assert code_of(response) == code


async def test_apq_round_trip_over_get(client: httpx.AsyncClient) -> None:
    document = fresh_document()
    assert code_of(await by_get(client, document)) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await by_get(client, document, full=True)
    assert "errors" not in registered.json(), registered.json()
    again = await by_get(client, document)
    assert again.json()["data"] == registered.json()["data"]


async def test_a_persisted_mutation_never_runs_over_get(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    name = f"apq-{uuid.uuid4().hex[:8]}"
    mutation = (
        'mutation { saveView(input: {name: "' + name + '", document: "{ viewer { role } }"}) '
        "{ view { version } userErrors { code } } }"
    )
    registered = await by_hash(client, mutation, full=True)
    assert registered.json()["data"]["saveView"]["view"]["version"] == 1
    refused = await by_get(client, mutation)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "mutations are not allowed when using GET"
    view = await client.post(
        "/graphql",
        json={
            "query": "query ($n: String!) { view(name: $n) { version } }",
            "variables": {"n": name},
        },
    )
    assert view.json()["data"]["view"]["version"] == 1


async def test_the_cost_limit_holds_for_a_persisted_document(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=0, max_cost=50)
    document = (
        f"query Costly{uuid.uuid4().hex}($n: Int) "
        "{ organizations(first: $n) { nodes { name } } }"
    )
    async with api_client(demo_engine, databases.admin_token, settings) as client:
        small = await by_hash(client, document, full=True, variables={"n": 5})
        assert "errors" not in small.json()
        costly = await by_hash(client, document, variables={"n": 100})
        assert code_of(costly) == "QUERY_TOO_COSTLY"
        costly_get = await by_get(client, document, variables='{"n": 100}')
        assert code_of(costly_get) == "QUERY_TOO_COSTLY"


async def test_workers_share_registrations_through_redis(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    await redis_or_skip(TEST_SETTINGS.redis_url)
    document = fresh_document()
    async with api_client(demo_engine, databases.admin_token) as first:
        assert "errors" not in (await by_hash(first, document, full=True)).json()
    async with api_client(demo_engine, databases.admin_token) as second:
        assert "errors" not in (await by_hash(second, document)).json()


async def test_with_redis_down_each_worker_keeps_its_own_registrations(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=0, redis_url=NO_REDIS, redis_timeout_ms=100)
    document = fresh_document()
    async with (
        api_client(demo_engine, databases.admin_token, settings) as first,
        api_client(demo_engine, databases.admin_token, settings) as second,
    ):
        assert "errors" not in (await by_hash(first, document, full=True)).json()
        assert "errors" not in (await by_hash(first, document)).json()
        assert code_of(await by_hash(second, document)) == "PERSISTED_QUERY_NOT_FOUND"
        assert "errors" not in (await by_hash(second, document, full=True)).json()


async def test_a_saved_view_is_found_by_its_hash(client: httpx.AsyncClient) -> None:
    document = fresh_document()
    saved = await client.post(
        "/graphql",
        json={
            "query": "mutation ($d: String!, $n: String!) "
            "{ saveView(input: {name: $n, document: $d}) { view { sha256 } userErrors { code } } }",
            "variables": {"d": document, "n": f"by-hash-{uuid.uuid4().hex[:8]}"},
        },
    )
    assert saved.json()["data"]["saveView"]["view"]["sha256"] == sha(document)
    found = await by_hash(client, document)
    assert "errors" not in found.json(), found.json()


async def test_persisted_queries_in_a_batch(client: httpx.AsyncClient) -> None:
    document = fresh_document()
    first = await client.post(
        "/graphql", json=[{"query": document, "extensions": persisted(sha(document))}]
    )
    assert "errors" not in first.json()[0]
    second = await client.post(
        "/graphql",
        json=[{"extensions": persisted(sha(document))}, {"query": "{ viewer { role } }"}],
    )
    answers = second.json()
    assert answers[0]["data"] == first.json()[0]["data"]
    assert answers[1]["data"]["viewer"]["role"] == "admin"
    unknown = await client.post(
        "/graphql",
        json=[{"extensions": persisted(sha(fresh_document()))}, {"query": "{ viewer { role } }"}],
    )
    assert unknown.status_code == 200
    one, other = unknown.json()
    assert one["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert other["data"]["viewer"]["role"] == "admin"


async def test_registered_only_mode_refuses_others(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=0, registered_only=True)
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    document, unregistered = fresh_document(), fresh_document()
    async with (
        api_client(demo_engine, editor, settings) as portal,
        api_client(demo_engine, databases.admin_token, settings) as admin,
    ):
        sent = await portal.post("/graphql", json={"query": unregistered})
        assert code_of(sent) == "OPERATION_NOT_REGISTERED"
        registering = await by_hash(portal, unregistered, full=True)
        assert code_of(registering) == "OPERATION_NOT_REGISTERED"
        assert code_of(await by_hash(portal, unregistered)) == "PERSISTED_QUERY_NOT_FOUND"
        assert code_of(await portal.get("/graphql", params={"query": unregistered})) == (
            "OPERATION_NOT_REGISTERED"
        )
        assert "errors" not in (await admin.post("/graphql", json={"query": document})).json()
        assert "errors" not in (await by_hash(admin, document, full=True)).json()
        assert "errors" not in (await by_hash(portal, document)).json()
        assert "errors" not in (await by_hash(portal, document, full=True)).json()
        assert "errors" not in (await by_get(portal, document)).json()


async def test_registered_only_is_off_by_default(
    demo_engine: AsyncEngine,
) -> None:
    assert Settings().registered_only is False
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with api_client(demo_engine, editor) as portal:
        sent = await portal.post("/graphql", json={"query": fresh_document()})
        assert "errors" not in sent.json()
