"""Bad input gets a clear error with a code, never a traceback."""

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.ids import encode_id
from tests.graphql import errors_of

pytestmark = pytest.mark.anyio


def _codes(errors: list[dict[str, Any]]) -> list[Any]:
    return [e.get("extensions", {}).get("code") for e in errors]


async def test_malformed_id_is_invalid_id(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, '{ node(id: "not-an-id!") { id } }')
    assert _codes(errors) == ["INVALID_ID"]
    assert "not a valid ID" in str(errors[0]["message"])


async def test_id_of_an_unknown_type_is_invalid_id(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, '{ node(id: "U3BhY2VzaGlwOjE") { id } }')
    assert _codes(errors) == ["INVALID_ID"]


async def test_unknown_object_is_null_not_an_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": '{ node(id: "T3JnYW5pemF0aW9uOjk5OTk5OQ") { id } }'}
    )
    body = response.json()
    assert body["data"] == {"node": None}
    assert "errors" not in body


async def test_filter_by_id_of_the_wrong_type_is_invalid_id(client: httpx.AsyncClient) -> None:
    wrong = "QWxsaWFuY2U6MQ"  # an Alliance ID where an Organization ID is expected
    errors = await errors_of(
        client, "query($p: ID!) { agreements(filter: {party: $p}) { totalCount } }", {"p": wrong}
    )
    assert _codes(errors) == ["INVALID_ID"]
    assert errors[0]["extensions"]["field"] == "filter.party"


async def test_unknown_enum_value_is_a_validation_error(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client, "{ organizations(filter: {kind: [SPACESHIP]}) { totalCount } }"
    )
    assert _codes(errors) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "SPACESHIP" in str(errors[0]["message"])


async def test_bad_date_is_bad_user_input(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client,
        "query($d: Date!) { agreements(filter: {activeOn: $d}) { totalCount } }",
        {"d": "2025-02-30"},
    )
    assert _codes(errors) == ["BAD_USER_INPUT"]


async def test_page_size_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, "{ organizations(first: 101) { totalCount } }")
    assert _codes(errors) == ["PAGE_SIZE_TOO_LARGE"]
    assert "100" in str(errors[0]["message"])


async def test_nested_page_size_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client,
        "{ organizations(first: 1) { edges { node { units(first: 500) { totalCount } } } } }",
    )
    assert _codes(errors) == ["PAGE_SIZE_TOO_LARGE"]


async def test_malformed_cursor_is_bad_user_input(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, '{ organizations(after: "zzz") { totalCount } }')
    assert _codes(errors) == ["BAD_USER_INPUT"]


async def test_syntax_error_is_a_parse_failure(client: httpx.AsyncClient) -> None:
    errors = await errors_of(client, "{ organizations( ")
    assert _codes(errors) == ["GRAPHQL_PARSE_FAILED"]


async def test_reference_to_a_missing_object_is_not_found(client: httpx.AsyncClient) -> None:
    missing = encode_id("Organization", 999_999)
    errors = await errors_of(
        client, "query($p: ID!) { agreements(filter: {party: $p}) { totalCount } }", {"p": missing}
    )
    assert _codes(errors) == ["NOT_FOUND"]
    assert errors[0]["extensions"]["field"] == "filter.party"


async def test_missing_reference_in_a_nested_filter_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    missing = encode_id("Alliance", 999_999)
    errors = await errors_of(
        client,
        "query($a: ID!) { organizations(first: 2) { nodes {"
        " agreements(filter: {partyAlliance: $a}) { totalCount } } } }",
        {"a": missing},
    )
    assert {e["extensions"]["code"] for e in errors} == {"NOT_FOUND"}
    assert errors[0]["extensions"]["field"] == "filter.partyAlliance"


async def test_unexpected_failure_is_masked_and_logged(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with demo_engine.begin() as connection:
        await connection.execute(sa.text("ALTER TABLE evaluation RENAME TO evaluation_gone"))
    errors = await errors_of(client, "{ evaluations { totalCount } }")
    [error] = errors
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    reference = error["extensions"]["reference"]
    assert error["message"] == f"Internal server error (reference {reference})"
    assert "evaluation" not in str(error).replace("evaluations", "")
    assert any(reference in record.getMessage() for record in caplog.records)
