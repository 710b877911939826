"""Lists, filters, ordering, paging and global IDs, through the API on a known network."""

from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import add_network
from tests.graphql import query

pytestmark = pytest.mark.anyio

RING = "Ringtest"


@pytest.fixture
async def ring(demo_engine: AsyncEngine) -> None:
    await add_network(demo_engine, organizations=7, prefix=RING)


async def _names(client: httpx.AsyncClient, first: int, after: str | None) -> dict[str, object]:
    data = await query(
        client,
        """query($first: Int, $after: String, $text: String) {
          organizations(first: $first, after: $after, filter: {text: $text}) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage endCursor }
            edges { cursor node { name } }
          }
        }""",
        {"first": first, "after": after, "text": RING},
    )
    page: dict[str, object] = data["organizations"]
    return page


async def test_pages_walk_the_whole_list_once_in_order(
    client: httpx.AsyncClient, ring: None
) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await _names(client, 3, after)
        assert page["totalCount"] == 7
        seen += [edge["node"]["name"] for edge in page["edges"]]  # type: ignore[attr-defined]
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)  # type: ignore[index]
        if not info["hasNextPage"]:  # type: ignore[index]
            break
        after = info["endCursor"]  # type: ignore[index]
    assert seen == [f"{RING} University {i:03d}" for i in range(7)]


async def test_order_by_name_descending(client: httpx.AsyncClient, ring: None) -> None:
    data = await query(
        client,
        """query($text: String) {
          organizations(first: 3, filter: {text: $text}, orderBy: {field: NAME, direction: DESC}) {
            nodes { name }
          }
        }""",
        {"text": RING},
    )
    names = [n["name"] for n in data["organizations"]["nodes"]]
    assert names == [f"{RING} University {i:03d}" for i in (6, 5, 4)]


async def test_filters_compose_and_count_in_sql(client: httpx.AsyncClient, ring: None) -> None:
    data = await query(
        client,
        """query($text: String) {
          german: organizations(filter: {text: $text, country: ["DE"], kind: [UNIVERSITY]}) {
            totalCount
          }
          french: organizations(filter: {text: $text, country: ["FR"]}) { totalCount }
        }""",
        {"text": RING},
    )
    assert data["german"]["totalCount"] == 7
    assert data["french"]["totalCount"] == 0


async def test_global_ids_round_trip_through_node_and_nodes(
    client: httpx.AsyncClient, ring: None
) -> None:
    data = await query(
        client,
        """query($text: String) {
          organizations(first: 2, filter: {text: $text}) {
            nodes { id name agreements(first: 1) { nodes { id title } } }
          }
        }""",
        {"text": RING},
    )
    org = data["organizations"]["nodes"][0]
    agreement = org["agreements"]["nodes"][0]
    found = await query(
        client,
        """query($org: ID!, $ids: [ID!]!) {
          node(id: $org) { __typename id ... on Organization { name } }
          nodes(ids: $ids) { __typename ... on Agreement { title } ... on Organization { name } }
        }""",
        {"org": org["id"], "ids": [agreement["id"], org["id"]]},
    )
    assert found["node"] == {"__typename": "Organization", "id": org["id"], "name": org["name"]}
    assert found["nodes"] == [
        {"__typename": "Agreement", "title": agreement["title"]},
        {"__typename": "Organization", "name": org["name"]},
    ]


async def test_agreement_filters_by_party_and_the_party_side(
    client: httpx.AsyncClient, ring: None
) -> None:
    first = await query(
        client,
        "query($t: String) { organizations(first: 1, filter: {text: $t}) { nodes { id name } } }",
        {"t": RING},
    )
    org = first["organizations"]["nodes"][0]
    data = await query(
        client,
        """query($party: ID!, $on: Date!) {
          agreements(filter: {party: $party, activeOn: $on, partyCountry: ["DE"]}) {
            totalCount
            nodes { status parties { nodes { role organization { name } } } }
          }
        }""",
        {"party": org["id"], "on": date.today().isoformat()},
    )
    agreements = data["agreements"]
    assert agreements["totalCount"] == 2, "the ring gives every member two agreements"
    for agreement in agreements["nodes"]:
        assert agreement["status"] == "ACTIVE"
        names = {p["organization"]["name"] for p in agreement["parties"]["nodes"]}
        assert org["name"] in names and len(names) == 2
