"""Custom scalars and IDs refuse values the database cannot hold, with a clear error.

Found by the fuzzing (tests/schema/test_fuzz.py): a Decimal of `NaN` answered
INTERNAL_SERVER_ERROR on both databases, `Infinity` and `1e400` on PostgreSQL; an ID whose key
is over 32 bits did on both; and an invalid ID was echoed whole in its error.
"""

from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.enums import AgreementStatus
from db.tables import Agreement
from resolvers.ids import decode_id, encode_id
from tests.graphql import errors_of, query

pytestmark = pytest.mark.anyio

AGREEMENT = encode_id("Agreement", 1)
ORGANIZATION = encode_id("Organization", 1)
FUNDING = (
    'mutation($amount: Decimal) { createFunding(input: {currency: "CNY", amount: $amount,'
    f' agreement: "{AGREEMENT}", funder: "{ORGANIZATION}"}})'
    " { funding { id amount { amount currency } } userErrors { field code message } } }"
)


def _code(errors: list[dict[str, Any]]) -> str:
    assert len(errors) == 1, errors
    code: str = errors[0]["extensions"]["code"]
    return code


@pytest.mark.parametrize(
    "amount", ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e400", "1e-400", "1E+18", "1_000"]
)
async def test_a_decimal_that_is_not_a_finite_number_in_range_is_refused(
    client: httpx.AsyncClient, amount: str
) -> None:
    errors = await errors_of(client, FUNDING, {"amount": amount})
    assert _code(errors) == "BAD_USER_INPUT"
    assert "Decimal" in errors[0]["message"]


async def test_a_decimal_literal_is_checked_like_a_variable(client: httpx.AsyncClient) -> None:
    document = FUNDING.replace("($amount: Decimal)", "").replace("$amount", '"NaN"')
    errors = await errors_of(client, document)
    assert _code(errors) == "BAD_USER_INPUT"


@pytest.mark.parametrize("amount", ["12.50", "0", "9999999999999999.99", 3, 2.5])
async def test_a_decimal_in_range_is_accepted(client: httpx.AsyncClient, amount: object) -> None:
    data = await query(client, FUNDING, {"amount": amount})
    payload = data["createFunding"]
    assert payload["userErrors"] == [] and payload["funding"]["id"]


async def test_a_date_of_year_zero_is_refused(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client,
        "query($d: Date!) { agreements(filter: {activeOn: $d}) { totalCount } }",
        {"d": "0000-01-01"},
    )
    assert _code(errors) == "BAD_USER_INPUT"


async def test_a_refused_scalar_is_not_echoed_whole(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client,
        "query($d: Date!) { agreements(filter: {activeOn: $d}) { totalCount } }",
        {"d": "2025-01-01" + "x" * 5_000},
    )
    assert _code(errors) == "BAD_USER_INPUT"
    assert len(errors[0]["message"]) < 400


@pytest.mark.parametrize("key", [2**31, 2**63, 10**23])
async def test_an_id_with_a_key_over_32_bits_is_invalid(
    client: httpx.AsyncClient, key: int
) -> None:
    errors = await errors_of(
        client, "query($id: ID!) { node(id: $id) { id } }", {"id": encode_id("Organization", key)}
    )
    assert _code(errors) == "INVALID_ID"


async def test_the_largest_key_is_a_missing_row(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": encode_id("Organization", 2**31 - 1)},
    )
    assert data == {"node": None}


async def test_an_invalid_id_is_not_echoed_whole(client: httpx.AsyncClient) -> None:
    errors = await errors_of(
        client, "query($id: ID!) { node(id: $id) { id } }", {"id": "!" * 9_000}
    )
    assert _code(errors) == "INVALID_ID"
    assert len(errors[0]["message"]) < 100


async def test_a_number_over_its_column_is_a_user_error(client: httpx.AsyncClient) -> None:
    """Credits are NUMERIC(8, 2): PostgreSQL's refusal of 99,999,999 was an unexpected error,
    and SQLite stored it; both now refuse it before the database (`entity_writes`). (Learning
    outcomes, where this was first seen, take their credits from their course now.)"""
    data = await query(
        client,
        "mutation($input: CreateCourseInput!) { createCourse(input: $input)"
        " { course { id } userErrors { code message } } }",
        {"input": {"title": "t", "organization": ORGANIZATION, "credits": "99999999"}},
    )
    payload = data["createCourse"]
    assert payload["course"] is None
    assert payload["userErrors"] == [
        {"code": "BAD_USER_INPUT", "message": "credits must be below 1,000,000"}
    ]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (
            'query($d: Date!) { cooperationTrend(interval: MONTH, from: $d, to: "9999-12-31")'
            " { __typename } }",
            {"d": "9999-01-01"},
        ),
        ("query($d: Date) { cooperationSummary(asOf: $d) { __typename } }", {"d": "9999-12-31"}),
        ('{ cooperationSummary(asOf: "0001-01-01") { __typename } }', None),
        (
            'mutation($t: DateTime) { createApiToken(input: {name: "n", role: REPORTER,'
            " expiresAt: $t}) { userErrors { code } } }",
            {"t": "9999-12-31T23:59:59-12:00"},
        ),
    ],
)
async def test_a_date_near_the_ends_of_the_calendar_is_refused(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None
) -> None:
    """A trend or a summary in the year 9999 overflowed into INTERNAL_SERVER_ERROR."""
    errors = await errors_of(client, document, variables)
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert "between 0100-01-01 and 8999-12-31" in errors[0]["message"]


async def test_an_old_founding_date_is_accepted(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        'mutation { createAlliance(input: {name: "Old", scope: NATIONAL, foundedOn: "1088-01-01"})'
        " { alliance { foundedOn } userErrors { code message } } }",
    )
    assert data["createAlliance"]["alliance"] == {"foundedOn": "1088-01-01"}


@pytest.mark.parametrize(
    ("effective_to", "term_months"), [("8999-12-31", None), ("2030-12-31", 2**31 - 1)]
)
async def test_a_renewal_past_the_calendar_is_a_user_error(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, effective_to: str, term_months: int | None
) -> None:
    """The successor's end is counted from the predecessor's period or its renewal term, which
    overflowed Python's calendar into INTERNAL_SERVER_ERROR."""
    created = await query(
        client,
        "mutation($input: CreateAgreementInput!) { createAgreement(input: $input)"
        " { agreement { id } userErrors { code message } } }",
        {
            "input": {
                "title": "Long",
                "kind": "OTHER",
                "parties": [
                    {"organization": encode_id("Organization", 1), "role": "LEAD"},
                    {"organization": encode_id("Organization", 2), "role": "PARTNER"},
                ],
            }
        },
    )
    agreement = created["createAgreement"]["agreement"]["id"]
    table = table_of(Agreement)
    async with demo_engine.begin() as connection:
        await connection.execute(
            sa.update(table)
            .where(table.c.id == decode_id(agreement)[1])
            .values(
                status=AgreementStatus.ACTIVE.value,
                effective_from=date(2020, 1, 1),
                effective_to=date.fromisoformat(effective_to),
                renewal_term_months=term_months,
            )
        )
    data = await query(
        client,
        "mutation($id: ID!) { renewAgreement(input: {id: $id, version: 1})"
        " { agreement { id } userErrors { code field } } }",
        {"id": agreement},
    )
    assert data["renewAgreement"] == {
        "agreement": None,
        "userErrors": [{"code": "BAD_USER_INPUT", "field": "effectiveTo"}],
    }


async def test_a_time_without_an_offset_is_utc(client: httpx.AsyncClient) -> None:
    """A naive DateTime failed to store (every time column has an offset): found by fuzzing."""
    data = await query(
        client,
        "mutation($input: CreateDocumentInput!) { createDocument(input: $input)"
        " { document { id } userErrors { code message } } }",
        {
            "input": {
                "title": "Minutes",
                "agreement": AGREEMENT,
                "uploadedAt": "2025-01-11T15:13:48.003476",
            }
        },
    )
    assert data["createDocument"]["userErrors"] == []
    assert data["createDocument"]["document"]["id"]
