"""Create, update and delete for the plain entities: validation, permissions, versions."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from resolvers.entity_writes import ENTITIES
from schema import build_schema
from tests.conftest import api_client, make_token
from tests.graphql import query

pytestmark = pytest.mark.anyio


def _errors(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def _mutate(
    client: httpx.AsyncClient, name: str, selection: str, given: dict[str, Any]
) -> dict[str, Any]:
    kind = name[0].upper() + name[1:] + "Input"
    data = await query(
        client,
        f"mutation ($input: {kind}!) {{ {name}(input: $input) {{ {selection} "
        "userErrors { message code field } } }",
        {"input": given},
    )
    payload: dict[str, Any] = data[name]
    return payload


async def _org(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    data = await query(
        client,
        "query ($t: String!) { organizations(filter: {text: $t}) { nodes { id name version } } }",
        {"t": name},
    )
    [found] = [n for n in data["organizations"]["nodes"] if n["name"] == name]
    return dict(found)


def test_every_entity_has_its_mutations() -> None:
    mutations = set(build_schema()._schema.mutation_type.fields)  # type: ignore[union-attr]
    for entity in ENTITIES:
        name = entity.name
        assert f"create{name}" in mutations
        if "version" in entity.table.c:
            assert f"update{name}" in mutations
        assert (f"delete{name}" in mutations) == entity.deletable


@pytest.mark.parametrize(
    ("country", "ok"), [("CN", True), ("cn", False), ("XX", False), ("CHN", False)]
)
async def test_countries_are_iso_3166(client: httpx.AsyncClient, country: str, ok: bool) -> None:
    payload = await _mutate(
        client,
        "createOrganization",
        "organization { name country }",
        {"kind": "UNIVERSITY", "name": "Test University", "country": country},
    )
    if ok:
        assert payload["organization"] == {"name": "Test University", "country": country}
    else:
        assert _errors(payload) == [("BAD_USER_INPUT", "country")]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount": "-1.00"}, ("BAD_USER_INPUT", "amount")),
        ({"currency": "ABC"}, ("BAD_USER_INPUT", "currency")),
        ({"currency": "cny"}, ("BAD_USER_INPUT", "currency")),
        ({"startsOn": "2026-02-01", "endsOn": "2026-01-01"}, ("BAD_USER_INPUT", "endsOn")),
        ({}, None),
    ],
)
async def test_funding_amounts_currencies_and_dates(
    client: httpx.AsyncClient, change: dict[str, Any], error: tuple[str, str] | None
) -> None:
    funder = await _org(client, "Jiangsu Open University")
    agreements = await query(
        client, '{ agreements(filter: {text: "social education"}) { nodes { id } } }'
    )
    given = {
        "funder": funder["id"],
        "agreement": agreements["agreements"]["nodes"][0]["id"],
        "amount": "1000.50",
        "currency": "CNY",
        **change,
    }
    payload = await _mutate(
        client, "createFunding", "funding { amount { amount currency } }", given
    )
    if error is None:
        assert payload["funding"]["amount"] == {"amount": "1000.50", "currency": "CNY"}
    else:
        assert _errors(payload) == [error]


async def test_an_editor_creates_units_of_its_own_organization_only(
    demo_engine: AsyncEngine,
) -> None:
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    async with api_client(demo_engine, token) as editor:
        parent = await _org(editor, "Jiangsu Open University")
        unit = await _mutate(
            editor,
            "createOrganization",
            "organization { name parent { name } }",
            {
                "kind": "UNIVERSITY",
                "name": "School of Design",
                "country": "CN",
                "parent": parent["id"],
            },
        )
        loose = await _mutate(
            editor,
            "createOrganization",
            "organization { name }",
            {"kind": "UNIVERSITY", "name": "Elsewhere University", "country": "CN"},
        )
        other = await _org(editor, "Nanjing University")
        foreign = await _mutate(
            editor,
            "updateOrganization",
            "organization { name }",
            {"id": other["id"], "version": other["version"], "city": "Shanghai"},
        )
    assert unit["organization"] == {
        "name": "School of Design",
        "parent": {"name": "Jiangsu Open University"},
    }
    assert [code for code, _ in _errors(loose)] == ["FORBIDDEN"]
    assert [code for code, _ in _errors(foreign)] == ["FORBIDDEN"]


async def test_updates_take_the_version_read(client: httpx.AsyncClient) -> None:
    org = await _org(client, "Gannan Normal University")
    first = await _mutate(
        client,
        "updateOrganization",
        "organization { city version }",
        {"id": org["id"], "version": org["version"], "city": "Ganzhou City"},
    )
    assert first["organization"] == {"city": "Ganzhou City", "version": org["version"] + 1}
    stale = await _mutate(
        client,
        "updateOrganization",
        "organization { city }",
        {"id": org["id"], "version": org["version"], "city": "Elsewhere"},
    )
    assert _errors(stale) == [("STALE_VERSION", "version")]
    cleared = await _mutate(
        client,
        "updateOrganization",
        "organization { city website }",
        {"id": org["id"], "version": org["version"] + 1, "city": None},
    )
    assert cleared["organization"] == {"city": None, "website": None}


async def test_a_row_still_referred_to_is_not_deleted(client: httpx.AsyncClient) -> None:
    uts = await _org(client, "University of Technology Sydney")
    payload = await query(
        client,
        "mutation ($input: DeleteOrganizationInput!) { deleteOrganization(input: $input) "
        "{ deletedId userErrors { code } } }",
        {"input": {"id": uts["id"], "version": uts["version"]}},
    )
    assert payload["deleteOrganization"]["deletedId"] is None
    assert [e["code"] for e in payload["deleteOrganization"]["userErrors"]] == ["STILL_REFERENCED"]
    assert (await _org(client, "University of Technology Sydney"))["id"] == uts["id"]


async def test_position_dates_in_order_and_references_exist(client: httpx.AsyncClient) -> None:
    art = await _org(client, "School of Art")
    people = await query(client, '{ people(filter: {text: "Xia Xuemin"}) { nodes { id } } }')
    person = people["people"]["nodes"][0]["id"]
    backwards = await _mutate(
        client,
        "createPosition",
        "position { title }",
        {
            "person": person,
            "organization": art["id"],
            "title": "Dean",
            "startedOn": "2026-05-01",
            "endedOn": "2026-01-01",
        },
    )
    assert _errors(backwards) == [("BAD_USER_INPUT", "endedOn")]
    missing = await _mutate(
        client,
        "createPosition",
        "position { title }",
        {"person": "UGVyc29uOjk5OTk", "organization": art["id"], "title": "Dean"},
    )
    assert _errors(missing) == [("NOT_FOUND", "person")]


@pytest.mark.parametrize(
    ("credits", "error"),
    [
        ("999999.99", None),
        ("1000000", ("BAD_USER_INPUT", "credits")),
        ("-1", ("BAD_USER_INPUT", "credits")),
    ],
)
async def test_numbers_fit_their_columns_on_both_databases(
    client: httpx.AsyncClient, credits: str, error: tuple[str, str] | None
) -> None:
    """Credits are NUMERIC(8, 2): PostgreSQL refused 1,000,000 (INVALID_VALUE) where SQLite
    stored it; both now refuse it before the database, with the same answer."""
    owner = await _org(client, "Jiangsu Open University")
    given = {"title": "Wide", "organization": owner["id"], "credits": credits}
    payload = await _mutate(client, "createCourse", "course { credits }", given)
    if error is None:
        assert payload["userErrors"] == []
        assert payload["course"]["credits"] == credits
    else:
        assert payload["course"] is None
        assert _errors(payload) == [error]
