"""Strings with a NUL character or over the length limits are refused before the database.

Issue 15, point 6: a NUL byte in any string on PostgreSQL, or a 190 KB `text` filter on SQLite,
answered INTERNAL_SERVER_ERROR. Now each is `BAD_USER_INPUT` naming where the string was.
"""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.ids import encode_id
from tests.conftest import api_client
from tests.graphql import errors_of, post, query

pytestmark = pytest.mark.anyio

SEARCH = "query($t: String) { organizations(filter: {text: $t}) { totalCount } }"
CREATE = (
    "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) {"
    " organization { id name } userErrors { field code message } } }"
)


def _only(errors: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


async def test_nul_in_a_search_variable_is_refused(client: httpx.AsyncClient) -> None:
    error = _only(await errors_of(client, SEARCH, {"t": "Nan\x00jing"}))
    assert error["extensions"]["field"] == "$t"
    assert "NUL" in error["message"]


async def test_nul_in_a_literal_argument_is_refused(client: httpx.AsyncClient) -> None:
    error = _only(
        await errors_of(
            client, '{ organizations(filter: {text: "Nan\\u0000jing"}) { totalCount } }'
        )
    )
    assert error["extensions"]["field"] == "organizations.filter.text"


async def test_nul_in_a_mutation_input_is_refused_and_nothing_written(
    client: httpx.AsyncClient,
) -> None:
    before = await query(client, "{ organizations { totalCount } }")
    error = _only(
        await errors_of(
            client, CREATE, {"input": {"kind": "UNIVERSITY", "name": "Bad\x00 University"}}
        )
    )
    assert error["extensions"]["field"] == "$input.name"
    assert await query(client, "{ organizations { totalCount } }") == before


async def test_nul_in_an_id_is_refused(client: httpx.AsyncClient) -> None:
    document = "query($id: ID!) { node(id: $id) { id } }"
    error = _only(await errors_of(client, document, {"id": "\x00"}))
    assert error["extensions"]["field"] == "$id"


async def test_nul_in_a_list_item_is_refused(client: httpx.AsyncClient) -> None:
    ids = [encode_id("Organization", 1), "T3Jn\x00"]
    error = _only(
        await errors_of(client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    )
    assert error["extensions"]["field"] == "$ids[1]"


async def test_a_190_kb_search_is_refused(client: httpx.AsyncClient) -> None:
    error = _only(await errors_of(client, SEARCH, {"t": "x" * 190_000}))
    assert error["extensions"]["field"] == "$t"
    assert "190000 characters long, over the limit of 1000 " in error["message"]
    assert len(error["message"]) < 200, "the string is not echoed back whole"


async def test_a_search_at_the_limit_is_answered(client: httpx.AsyncClient) -> None:
    data = await query(client, SEARCH, {"t": "x" * 1_000})
    assert data["organizations"]["totalCount"] == 0


async def test_a_long_string_in_a_mutation_is_refused(client: httpx.AsyncClient) -> None:
    error = _only(
        await errors_of(
            client,
            CREATE,
            {"input": {"kind": "UNIVERSITY", "name": "N", "description": "d" * 10_001}},
        )
    )
    assert error["extensions"]["field"] == "$input.description"


async def test_the_limits_are_settings(demo_engine: AsyncEngine, databases: Any) -> None:
    from dataclasses import replace

    from tests.conftest import TEST_SETTINGS

    settings = replace(TEST_SETTINGS, max_string_length=50, max_search_length=5)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        error = _only(await errors_of(http, SEARCH, {"t": "abcdef"}))
        assert "over the limit of 5" in error["message"]
        data = await query(http, SEARCH, {"t": "abcde"})
        assert data["organizations"]["totalCount"] == 0
        error = _only(
            await errors_of(http, CREATE, {"input": {"kind": "UNIVERSITY", "name": "n" * 51}})
        )
        assert error["extensions"]["field"] == "$input.name"


async def test_nul_in_a_variable_default_is_refused(client: httpx.AsyncClient) -> None:
    error = _only(
        await errors_of(
            client,
            'query($t: String = "a\\u0000") { organizations(filter: {text: $t}) { totalCount } }',
        )
    )
    assert error["extensions"]["field"] == "$t"


async def test_a_repeated_plain_read_with_nul_is_refused(client: httpx.AsyncClient) -> None:
    """The second time, a plain-data query may take the fast lane on PostgreSQL."""
    document = "query($t: String) { organizations(filter: {text: $t}) { nodes { name } } }"
    for _ in range(2):
        assert (await query(client, document, {"t": "Nanjing"}))["organizations"]["nodes"]
    for _ in range(2):
        body = await post(client, document, {"t": "Nan\x00jing"})
        _only(body["errors"])


@pytest.mark.parametrize(
    "path",
    [
        "/reports/agreements.csv?text=a%00b",
        "/reports/agreements.csv?text=" + "x" * 1_001,
        "/reports/agreements.csv?partyCountry=a%00b",
        "/reports/agreements.csv?a%00b=1",
        "/network/export.graphml?countries=C%00N",
    ],
)
async def test_query_parameters_of_the_http_roads_are_checked(
    client: httpx.AsyncClient, path: str
) -> None:
    """A NUL in a CSV report's `text` broke its PostgreSQL statement mid-stream (the answer was
    cut after its header line)."""
    response = await client.get(path)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_deep_variables_are_left_to_coercion(client: httpx.AsyncClient) -> None:
    """The check walks a value only as deep as the variable's type; coercion refuses the rest
    (within the body's nesting limit, PARTNERGRAPH_MAX_JSON_DEPTH: deeper is BAD_REQUEST, 400)."""
    deep: Any = "x"
    for _ in range(50):
        deep = [deep]
    errors = await errors_of(
        client,
        "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }",
        {"f": {"country": deep, "unknown": {"a\x00": 1}}},
    )
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert all(len(e["message"]) < 300 for e in errors)
