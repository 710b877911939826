"""Saved views through the ASGI app: saving and its permissions, versions, the checks made at
save, and `GET /views/<name>`: its ETag (moved by any write, different per caller), 304,
Cache-Control, the cost limit on every run, and the fast lane for persisted documents."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response

from db.enums import TokenRole
from schema.compiled import fast_lane
from settings import Settings
from tests.conftest import Databases, api_client, make_token
from tests.graphql import post, query
from tests.web.test_persisted_queries import by_get, by_hash, fresh_document

pytestmark = pytest.mark.anyio

JOU = "Jiangsu Open University"
NJU = "Nanjing University"

SAVE = """mutation ($input: SaveViewInput!) {
  saveView(input: $input) { view { name version cost sha256 organization { name } }
    userErrors { code field message } }
}"""

LIST = "query ($n: Int) { organizations(first: $n) { totalCount nodes { name } } }"


def unique(prefix: str = "view") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def save(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    body = await post(client, SAVE, {"input": given})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["saveView"]
    return found


async def organization_id(client: httpx.AsyncClient, name: str) -> str:
    data = await query(
        client,
        "query ($t: String!) { organizations(first: 1, filter: {text: $t}) { nodes { id name } } }",
        {"t": name},
    )
    node = data["organizations"]["nodes"][0]
    assert node["name"] == name
    return str(node["id"])


async def test_saving_again_makes_a_new_version_and_old_ones_stay_readable(
    client: httpx.AsyncClient,
) -> None:
    name = unique()
    first = await save(client, name=name, document="{ viewer { role } }")
    assert first["view"]["version"] == 1 and first["userErrors"] == []
    second = await save(client, name=name, document=LIST)
    assert second["view"]["version"] == 2
    data = await query(
        client,
        "query ($n: String!) { latest: view(name: $n) { version document } "
        "old: view(name: $n, version: 1) { version document } "
        "views(first: 100) { nodes { name version } } }",
        {"n": name},
    )
    assert data["latest"] == {"version": 2, "document": LIST}
    assert data["old"] == {"version": 1, "document": "{ viewer { role } }"}
    assert {"name": name, "version": 2} in data["views"]["nodes"]
    assert {"name": name, "version": 1} not in data["views"]["nodes"]


async def test_an_editor_saves_views_of_its_own_organization_only(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    jou, nju = await organization_id(client, JOU), await organization_id(client, NJU)
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    viewer = await make_token(demo_engine, TokenRole.VIEWER, organization=JOU)
    name = unique()
    async with api_client(demo_engine, editor) as portal:
        own = await save(portal, name=name, document=LIST, organization=jou)
        assert own["view"]["organization"]["name"] == JOU
        other = await save(portal, name=unique(), document=LIST, organization=nju)
        assert [e["code"] for e in other["userErrors"]] == ["FORBIDDEN"]
        nobody = await save(portal, name=unique(), document=LIST)
        assert [(e["code"], e["field"]) for e in nobody["userErrors"]] == [
            ("FORBIDDEN", "organization")
        ]
    async with api_client(demo_engine, viewer) as reader:
        refused = await save(reader, name=unique(), document=LIST, organization=jou)
        assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    taken = await save(client, name=name, document=LIST, organization=nju)
    assert [(e["code"], e["field"]) for e in taken["userErrors"]] == [("NAME_TAKEN", "name")]
    admins = await save(client, name=name, document=LIST, organization=jou)
    assert admins["view"]["version"] == 2


@pytest.mark.parametrize(
    ("document", "name", "code"),
    [
        ("{ nothing }", "bad-field", "GRAPHQL_VALIDATION_FAILED"),
        ("{ viewer { role }", "no-parse", "BAD_USER_INPUT"),
        ('mutation { revokeApiToken(id: "x") { userErrors { code } } }', "mut", "NOT_A_QUERY"),
        ("query A { viewer { role } } query B { viewer { role } }", "two", "NOT_A_QUERY"),
        (
            "{ "
            + " ".join(
                f"a{i}: organizations(first: 100) "
                "{ nodes { agreements(first: 100) { nodes { id } } } }"
                for i in range(5)
            )
            + " }",
            "costly",
            "QUERY_TOO_COSTLY",
        ),
        ("{ viewer { role } }", "no spaces/allowed", "BAD_USER_INPUT"),
    ],
)
async def test_a_document_is_checked_when_it_is_saved(
    client: httpx.AsyncClient, document: str, name: str, code: str
) -> None:
    found = await save(client, name=name, document=document)
    assert found["view"] is None
    assert [e["code"] for e in found["userErrors"]] == [code]


async def test_the_view_records_its_cost_at_its_defaults(client: httpx.AsyncClient) -> None:
    found = await save(
        client,
        name=unique(),
        document="query ($n: Int = 10) { organizations(first: $n) { nodes { name } } }",
    )
    assert found["view"]["cost"] == 11


async def test_a_view_answers_with_an_etag_and_304_until_a_write(
    client: httpx.AsyncClient,
) -> None:
    name = unique()
    await save(client, name=name, document=LIST)
    params = {"variables": '{"n": 3}'}
    first = await client.get(f"/views/{name}", params=params)
    assert first.status_code == 200, first.text
    assert len(first.json()["data"]["organizations"]["nodes"]) == 3
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "private, no-cache"
    assert first.headers["vary"] == "Authorization"
    again = await client.get(f"/views/{name}", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other_variables = await client.get(
        f"/views/{name}", params={"variables": '{"n": 4}'}, headers={"If-None-Match": etag}
    )
    assert other_variables.status_code == 200
    await save(client, name=unique(), document=LIST)  # any write moves the change counter
    after = await client.get(f"/views/{name}", params=params, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


async def test_different_callers_get_different_etags(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, databases: Databases
) -> None:
    name = unique()
    await save(client, name=name, document=LIST)
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    same_scope = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    other = await make_token(demo_engine, TokenRole.EDITOR, organization=NJU)
    tags: dict[str, str] = {}
    controls: dict[str, str] = {}
    for label, token in [
        ("admin", databases.admin_token),
        ("anonymous", None),
        ("editor", editor),
        ("same", same_scope),
        ("other", other),
    ]:
        async with api_client(demo_engine, token) as caller:
            response = await caller.get(f"/views/{name}")
            assert response.status_code == 200, response.text
            tags[label] = response.headers["etag"]
            controls[label] = response.headers["cache-control"]
    assert len({tags[k] for k in ("admin", "anonymous", "editor", "other")}) == 4
    assert tags["editor"] == tags["same"]  # the same visibility, the same answer
    assert controls["anonymous"] == "public, max-age=5"
    assert controls["editor"] == controls["admin"] == "private, no-cache"


async def test_an_unknown_view_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/views/{unique()}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_bad_variables_are_refused(client: httpx.AsyncClient) -> None:
    name = unique()
    await save(client, name=name, document=LIST)
    response = await client.get(f"/views/{name}", params={"variables": "[1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_the_cost_limit_holds_for_every_run_of_a_view(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, databases: Databases
) -> None:
    name = unique()
    await save(client, name=name, document=LIST)
    settings = Settings(rate_limit_per_minute=0, max_cost=50)
    async with api_client(demo_engine, databases.admin_token, settings) as client:
        small = await client.get(f"/views/{name}", params={"variables": '{"n": 5}'})
        assert small.status_code == 200
        costly = await client.get(f"/views/{name}", params={"variables": '{"n": 100}'})
        assert costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert "etag" not in costly.headers


async def test_a_view_runs_as_its_caller(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    name = unique()
    await save(client, name=name, document="{ viewer { role organization { name } } }")
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with api_client(demo_engine, editor) as portal:
        response = await portal.get(f"/views/{name}")
    assert response.json()["data"]["viewer"] == {"role": "editor", "organization": {"name": JOU}}
    async with api_client(demo_engine, "not-a-token") as stranger:
        refused = await stranger.get(f"/views/{name}")
    assert refused.status_code == 401


async def test_saved_views_run_in_registered_only_mode(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=0, registered_only=True)
    name = unique()
    editor = await make_token(demo_engine, TokenRole.EDITOR, organization=JOU)
    async with api_client(demo_engine, databases.admin_token, settings) as admin:
        await save(admin, name=name, document=LIST)
    async with api_client(demo_engine, editor, settings) as portal:
        assert (await portal.get(f"/views/{name}")).status_code == 200
        sent = await portal.post("/graphql", json={"query": LIST})
        assert sent.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_REGISTERED"
        assert sent.status_code == 200
        strict = await portal.post(
            "/graphql",
            json={"query": LIST},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert strict.status_code == 403


class LaneSpy:
    """Counts the answers the fast lane gave, on every road that calls it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answered = 0
        original = fast_lane.answer_sent_read

        async def spy(*args: Any, **kwargs: Any) -> Response | None:
            found = await original(*args, **kwargs)
            self.answered += found is not None
            return found

        for where in ("schema.compiled.fast_lane", "web.graphql_view", "web.saved_views"):
            monkeypatch.setattr(f"{where}.answer_sent_read", spy)


async def test_persisted_documents_and_views_take_the_fast_lane(
    client: httpx.AsyncClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("compiled reads, and so the lane, are PostgreSQL's")
    spy = LaneSpy(monkeypatch)
    document = fresh_document()
    await by_hash(client, document, full=True)
    assert spy.answered == 0  # strawberry answers first, and the lane learns it
    by_post = await by_hash(client, document)
    by_query = await by_get(client, document)
    assert spy.answered == 2
    assert by_post.json()["data"] == by_query.json()["data"]
    name = unique()
    await save(client, name=name, document=document)
    await client.get(f"/views/{name}")
    answered = spy.answered
    assert (await client.get(f"/views/{name}")).status_code == 200
    assert spy.answered == answered + 1
