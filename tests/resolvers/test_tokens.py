"""API tokens through the API: made and revoked by admins only, shown once, refused when bad."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of, utcnow
from db.enums import TokenRole
from db.tables import ApiToken
from settings import Settings
from tests.conftest import Databases, api_client, make_token
from tests.graphql import post, query

pytestmark = pytest.mark.anyio

TOKEN = table_of(ApiToken)

CREATE = """
mutation ($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret
    token { id name role organization { name } alliance { name } }
    userErrors { message code field }
  }
}
"""
WHO = "{ viewer { role organization { name } alliance { name } } }"


async def _organization_id(client: httpx.AsyncClient, name: str) -> str:
    data = await query(
        client,
        "query ($t: String!) { organizations(filter: {text: $t}) { nodes { id name } } }",
        {"t": name},
    )
    [found] = [n["id"] for n in data["organizations"]["nodes"] if n["name"] == name]
    return str(found)


async def _token_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(TOKEN)) or 0)


async def test_an_admin_makes_a_token_that_works_at_once(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    school = await _organization_id(client, "School of Art")
    data = await query(
        client,
        CREATE,
        {"input": {"name": "School of Art portal", "role": "EDITOR", "organization": school}},
    )
    made = data["createApiToken"]
    assert made["userErrors"] == []
    assert made["token"]["role"] == "EDITOR"
    assert made["token"]["organization"] == {"name": "School of Art"}
    secret = made["secret"]
    async with api_client(demo_engine, secret) as portal:
        who = await query(portal, WHO)
    assert who["viewer"] == {
        "role": "editor",
        "organization": {"name": "School of Art"},
        "alliance": None,
    }
    async with demo_engine.connect() as connection:
        stored = (await connection.execute(sa.select(TOKEN))).mappings().all()
    assert all(secret not in str(dict(row)) for row in stored), "only a hash is stored"
    listed = await query(client, "{ apiTokens { totalCount nodes { name } } }")
    assert "School of Art portal" in [n["name"] for n in listed["apiTokens"]["nodes"]]


async def test_only_admins_make_tokens_and_a_refusal_changes_nothing(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    before = await _token_count(demo_engine)
    async with api_client(demo_engine, editor) as http:
        data = await query(http, CREATE, {"input": {"name": "sneaky", "role": "ADMIN"}})
        listed = await query(http, "{ apiTokens { totalCount } }")
    made = data["createApiToken"]
    assert made["secret"] is None and made["token"] is None
    assert [e["code"] for e in made["userErrors"]] == ["FORBIDDEN"]
    assert await _token_count(demo_engine) == before
    assert listed["apiTokens"]["totalCount"] == 0, "tokens are hidden from non-admins"


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"name": "x", "role": "EDITOR"}, "BAD_USER_INPUT", "organization"),
        ({"name": "x", "role": "SECRETARIAT"}, "BAD_USER_INPUT", "alliance"),
        ({"name": " ", "role": "REPORTER"}, "BAD_USER_INPUT", "name"),
        (
            {"name": "x", "role": "VIEWER", "organization": "QWxsaWFuY2U6MQ"},
            "INVALID_ID",
            "input.organization",
        ),
        (
            {"name": "x", "role": "VIEWER", "organization": "T3JnYW5pemF0aW9uOjk5OTk"},
            "NOT_FOUND",
            "organization",
        ),
        (
            {"name": "x", "role": "REPORTER", "expiresAt": "2001-01-01T00:00:00Z"},
            "BAD_USER_INPUT",
            "expiresAt",
        ),
    ],
)
async def test_bad_token_input_is_a_user_error(
    client: httpx.AsyncClient,
    demo_engine: AsyncEngine,
    given: dict[str, Any],
    code: str,
    field: str,
) -> None:
    before = await _token_count(demo_engine)
    data = await query(client, CREATE, {"input": given})
    [error] = data["createApiToken"]["userErrors"]
    assert (error["code"], error["field"]) == (code, field)
    assert await _token_count(demo_engine) == before


async def test_a_revoked_token_is_refused_from_its_next_request(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    reporter = await make_token(demo_engine, TokenRole.REPORTER)
    async with api_client(demo_engine, reporter) as http:
        assert (await query(http, WHO))["viewer"]["role"] == "reporter"
        listed = await query(client, "{ apiTokens { nodes { id role } } }")
        [token_id] = [n["id"] for n in listed["apiTokens"]["nodes"] if n["role"] == "REPORTER"]
        revoked = await query(
            client,
            "mutation ($id: ID!) { revokeApiToken(id: $id) { token { revokedAt } "
            "userErrors { code } } }",
            {"id": token_id},
        )
        assert revoked["revokeApiToken"]["token"]["revokedAt"] is not None
        response = await http.post("/graphql", json={"query": WHO})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _status_and_code(
    engine: AsyncEngine, token: str | None, settings: Settings | None = None
) -> tuple[int, Any]:
    async with api_client(engine, token, settings or Settings(rate_limit_per_minute=0)) as http:
        response = await http.post("/graphql", json={"query": WHO})
    body = response.json()
    code = body["errors"][0]["extensions"]["code"] if body.get("errors") else None
    return response.status_code, code


async def test_bad_credentials_are_401_never_anonymous(demo_engine: AsyncEngine) -> None:
    expiring = await make_token(
        demo_engine, TokenRole.REPORTER, expires_at=utcnow() + timedelta(hours=1)
    )
    async with demo_engine.begin() as connection:
        await connection.execute(
            sa.update(TOKEN)
            .where(TOKEN.c.role == "reporter")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    prefix = expiring.split("_")[1]
    for token in [
        expiring,
        "pgt_000000000000_not-a-secret",
        f"pgt_{prefix}_wrong-secret",
        "not a token",
    ]:
        assert await _status_and_code(demo_engine, token) == (401, "UNAUTHENTICATED"), token
    async with api_client(demo_engine, None) as http:
        basic = await http.post(
            "/graphql", json={"query": WHO}, headers={"Authorization": "Basic dXNlcjpwYXNz"}
        )
    assert basic.status_code == 401
    assert basic.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_private_server_refuses_anonymous_callers(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    private = Settings(rate_limit_per_minute=0, private=True)
    assert await _status_and_code(demo_engine, None, private) == (401, "UNAUTHENTICATED")
    assert await _status_and_code(demo_engine, databases.admin_token, private) == (200, None)
    assert await _status_and_code(demo_engine, None) == (200, None)


async def test_anonymous_callers_see_public_profiles(anonymous_client: httpx.AsyncClient) -> None:
    body = await post(
        anonymous_client,
        "{ viewer { role } organizations { totalCount } agreements { totalCount } "
        "people { totalCount } }",
    )
    assert "errors" not in body
    assert body["data"]["viewer"]["role"] == "anonymous"
    assert body["data"]["organizations"]["totalCount"] > 0
    assert body["data"]["agreements"]["totalCount"] == 0
    assert body["data"]["people"]["totalCount"] == 0
