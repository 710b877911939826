"""Names in every language, through the API, on both databases: the fallback chain of `lang:`
and `Accept-Language`, the same answers on the compiled and ordinary roads, the text search in
Chinese, the name mutations and their refusals, and statement counts flat in list length."""

import dataclasses
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import TEST_SETTINGS, Databases, api_client
from tests.graphql import errors_of, query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

ORDINARY = dataclasses.replace(TEST_SETTINGS, compiled_reads=False)

JUFE = "Jiangxi University of Finance and Economics"
NAMES = """query($text: String) {
  organizations(first: 5, filter: {text: $text}) {
    nodes { name zh: name(lang: "zh") hans: name(lang: "zh-Hans-CN") fr: name(lang: "fr")
            en: name(lang: "en") localName shortName(lang: "zh") }
  }
}"""


async def _post(client: httpx.AsyncClient, document: str, **headers: str) -> bytes:
    """The answer as orjson writes it, without `extensions`: keys in their order, values as
    sent (the compiled road's JSON text has other spacing)."""
    response = await client.post("/graphql", json={"query": document}, headers=headers)
    body = orjson.loads(response.content)
    body.pop("extensions", None)
    return orjson.dumps(body)


async def test_lang_answers_along_the_chain(demo_engine: AsyncEngine, databases: Databases) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        data = await query(client, NAMES, {"text": "财经"})
    assert data["organizations"]["nodes"] == [
        {
            "name": JUFE,
            "zh": "江西财经大学",
            "hans": "江西财经大学",
            "fr": "江西财经大学",
            "en": JUFE,
            "localName": "江西财经大学",
            "shortName": "JUFE",
        }
    ]


async def test_accept_language_sets_the_default(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    document = (
        '{ organizations(first: 30, filter: {text: "Nanchang University"}) { nodes { name } } }'
    )
    async with api_client(demo_engine, None) as client:
        response = await client.post(
            "/graphql", json={"query": document}, headers={"Accept-Language": "zh-CN, en;q=0.5"}
        )
        english = await client.post(
            "/graphql", json={"query": document}, headers={"Accept-Language": "en-GB"}
        )
    names = [n["name"] for n in response.json()["data"]["organizations"]["nodes"]]
    assert "南昌大学" in names
    assert "Nanchang University" in [
        n["name"] for n in english.json()["data"]["organizations"]["nodes"]
    ]


@pytest.mark.parametrize("header", [None, "zh", "fr;q=0.9, zh-Hant;q=0.8", "en"])
async def test_compiled_and_ordinary_roads_answer_the_same_bytes(
    demo_engine: AsyncEngine, databases: Databases, header: str | None
) -> None:
    document = """{ organizations(first: 40) { nodes { id name zh: name(lang: "zh")
      shortName localName } }
      alliances(first: 5) { nodes { name(lang: "zh") shortName } }
      agreements(first: 10) { nodes { title(lang: "zh") shortTitle(lang: "be") } } }"""
    headers = {} if header is None else {"Accept-Language": header}
    async with api_client(demo_engine, databases.admin_token) as client:
        compiled = await _post(client, document, **headers)
    async with api_client(demo_engine, databases.admin_token, ORDINARY) as client:
        ordinary = await _post(client, document, **headers)
    assert compiled == ordinary
    assert b"errors" not in compiled


async def test_a_tag_that_is_not_bcp_47_is_refused_in_a_read(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        errors = await errors_of(
            client, '{ organizations(first: 1) { nodes { name(lang: "en_US") } } }'
        )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


SET = """mutation($input: SetLocalizedNameInput!) { setLocalizedName(input: $input) {
  name { field lang value local } node { ... on Organization { localName name(lang: "fr") } }
  userErrors { code field message } } }"""
REMOVE = """mutation($input: RemoveLocalizedNameInput!) { removeLocalizedName(input: $input) {
  name { lang } userErrors { code field } } }"""
ONE = """query($id: ID!) { node(id: $id) { ... on Organization { names { field lang value local }
  fr: name(lang: "fr-CA") } } }"""


async def _organization_id(client: httpx.AsyncClient, name: str) -> str:
    data = await query(
        client,
        "query($t: String) { organizations(first: 1, filter: {text: $t}) { nodes { id } } }",
        {"t": name},
    )
    found: str = data["organizations"]["nodes"][0]["id"]
    return found


async def test_names_are_set_listed_and_removed(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        key = await _organization_id(client, "Griffith University")
        data = await query(
            client, SET, {"input": {"id": key, "lang": "fr", "value": "Université Griffith"}}
        )
        payload = data["setLocalizedName"]
        assert payload["userErrors"] == []
        assert payload["name"] == {
            "field": "NAME",
            "lang": "fr",
            "value": "Université Griffith",
            "local": False,
        }
        assert payload["node"]["name"] == "Université Griffith"
        listed = (await query(client, ONE, {"id": key}))["node"]
        assert listed["fr"] == "Université Griffith"
        assert {
            "field": "NAME",
            "lang": "fr",
            "value": "Université Griffith",
            "local": False,
        } in listed["names"]
        found = await query(
            client,
            '{ organizations(first: 5, filter: {text: "Université Grif"}) { nodes { id } } }',
        )
        assert [n["id"] for n in found["organizations"]["nodes"]] == [key]
        removed = await query(client, REMOVE, {"input": {"id": key, "lang": "fr"}})
        assert removed["removeLocalizedName"] == {"name": {"lang": "fr"}, "userErrors": []}
        assert (await query(client, ONE, {"id": key}))["node"]["fr"] == "Griffith University"


async def test_a_local_name_fills_the_local_column(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        key = await _organization_id(client, "Gannan Normal University")
        data = await query(
            client,
            SET,
            {"input": {"id": key, "lang": "zh-Hans", "value": "赣南师范大学", "local": True}},
        )
        assert data["setLocalizedName"]["node"]["localName"] == "赣南师范大学"
        assert data["setLocalizedName"]["node"]["name"] == "赣南师范大学"  # fr falls back to local


@pytest.mark.parametrize("lang", ["en_US", "english", "zh--CN", ""])
async def test_a_bad_tag_is_a_user_error_and_nothing_is_written(
    demo_engine: AsyncEngine, databases: Databases, lang: str
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        key = await _organization_id(client, "Griffith University")
        data = await query(client, SET, {"input": {"id": key, "lang": lang, "value": "x"}})
        assert data["setLocalizedName"]["userErrors"][0]["code"] == "BAD_USER_INPUT"
        assert data["setLocalizedName"]["userErrors"][0]["field"] == "lang"
        names = (await query(client, ONE, {"id": key}))["node"]["names"]
    assert names == []


async def test_only_an_editor_of_the_record_names_it(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        key = await _organization_id(client, "Griffith University")
    async with api_client(demo_engine, None) as client:
        data = await query(client, SET, {"input": {"id": key, "lang": "fr", "value": "x"}})
    assert data["setLocalizedName"]["userErrors"][0]["code"] in {"FORBIDDEN", "NOT_FOUND"}


@pytest.mark.parametrize("settings", [TEST_SETTINGS, ORDINARY], ids=["compiled", "ordinary"])
async def test_statements_do_not_grow_with_the_list(
    demo_engine: AsyncEngine, databases: Databases, settings: Any
) -> None:
    counts = []
    counter = StatementCounter(demo_engine)
    try:
        async with api_client(demo_engine, databases.admin_token, settings) as client:
            for size in (2, 20):
                document = f"""{{ organizations(first: {size}) {{ nodes {{ name(lang: "zh")
                  shortName(lang: "zh") names {{ lang value }} }} }} }}"""
                await query(client, document)
                counter.reset()
                await query(client, document)
                counts.append(counter.count)
    finally:
        counter.close()
    assert counts[0] == counts[1]
