"""Paging backwards (`last`/`before`) on root, filtered nested and relation lists, as Relay
asks: the same rows as paging forwards, the flags of `pageInfo`, the checks and the cost."""

import base64
import itertools
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import AgreementKind, AgreementStatus, OrganizationKind, PartyRole
from db.tables import Agreement, AgreementParty, Organization
from tests.factories import add_network
from tests.graphql import errors_of, post, query

pytestmark = pytest.mark.anyio

RING = "Backwards"
NAMES = [f"{RING} University {i:03d}" for i in range(7)]

PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String, $text: String) {
  organizations(first: $first, after: $after, last: $last, before: $before,
                filter: {text: $text}) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}
"""


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{position}".encode()).decode()


def _key_cursor(node_id: str) -> str:
    """The key cursor of the object with this global id: its row's id."""
    raw = base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4)).decode()
    return base64.urlsafe_b64encode(f"key:{raw.split(':')[1]}".encode()).decode()


@pytest.fixture
async def ring(demo_engine: AsyncEngine) -> None:
    await add_network(demo_engine, organizations=7, prefix=RING)


async def _page(client: httpx.AsyncClient, **arguments: Any) -> dict[str, Any]:
    data = await query(client, PAGE, {"text": RING, **arguments})
    page: dict[str, Any] = data["organizations"]
    return page


def _names(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in page["edges"]]


async def test_a_walk_backwards_gives_the_forward_rows_in_reverse_page_order(
    client: httpx.AsyncClient, ring: None
) -> None:
    pages: list[list[str]] = []
    cursors: list[str] = []
    before = None
    while True:
        page = await _page(client, last=3, before=before)
        assert page["totalCount"] == 7
        info = page["pageInfo"]
        pages.append(_names(page))
        cursors = [edge["cursor"] for edge in page["edges"]] + cursors
        assert info["hasNextPage"] is (before is not None)
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    assert pages == [NAMES[4:7], NAMES[1:4], NAMES[0:1]]
    assert [name for page in reversed(pages) for name in page] == NAMES
    forwards = await _page(client, first=7)
    assert [edge["cursor"] for edge in forwards["edges"]] == cursors, "the same cursors"


async def test_last_alone_is_the_end_of_the_list(client: httpx.AsyncClient, ring: None) -> None:
    page = await _page(client, last=2)
    assert _names(page) == NAMES[5:]
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["hasNextPage"] is False
    whole = await _page(client, last=20)
    assert _names(whole) == NAMES
    assert whole["pageInfo"]["hasPreviousPage"] is False


async def test_the_combinations_relay_allows(client: httpx.AsyncClient, ring: None) -> None:
    between = await _page(client, after=_cursor(1), before=_cursor(5))
    assert _names(between) == NAMES[2:5], "after and before: the rows between"
    assert between["pageInfo"]["hasPreviousPage"] is True
    assert between["pageInfo"]["hasNextPage"] is True
    assert _names(await _page(client, before=_cursor(3))) == NAMES[:3], "before alone"
    assert _names(await _page(client, first=5, last=2)) == NAMES[3:5], "the last of the first"
    assert _names(await _page(client, after=_cursor(4), last=5)) == NAMES[5:]
    assert _names(await _page(client, first=2, before=_cursor(5))) == NAMES[:2]
    assert _names(await _page(client, last=2, after=_cursor(1), before=_cursor(6))) == NAMES[4:6]
    assert _names(await _page(client, first=4, after=_cursor(0), last=2)) == NAMES[3:5]


async def test_pages_at_and_past_the_ends(client: httpx.AsyncClient, ring: None) -> None:
    start = await _page(client, last=3, before=_cursor(0))
    assert start["edges"] == []
    assert start["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
    past = await _page(client, last=3, before=_cursor(99))
    assert _names(past) == NAMES[4:], "a `before` past the end pages back from the end"
    assert past["pageInfo"]["hasNextPage"] is False
    none = await _page(client, last=0)
    assert none["edges"] == [] and none["totalCount"] == 7
    crossed = await _page(client, last=3, after=_cursor(5), before=_cursor(2))
    assert crossed["edges"] == []


async def test_last_and_before_are_checked_as_first_and_after(client: httpx.AsyncClient) -> None:
    refused = {
        "{ organizations(last: -1) { totalCount } }": ("BAD_USER_INPUT", "last"),
        "{ organizations(last: 101) { totalCount } }": ("PAGE_SIZE_TOO_LARGE", "last"),
        '{ organizations(before: "nonsense") { totalCount } }': ("BAD_USER_INPUT", "before"),
        '{ alliances { nodes { memberships(before: "x") { totalCount } } } }': (
            "BAD_USER_INPUT",
            "before",
        ),
    }
    for document, (code, field) in refused.items():
        (error,) = await errors_of(client, document)
        assert error["extensions"]["code"] == code, document
        assert field in error["message"] or error["extensions"].get("field") == field, error


NESTED = """
query ($last: Int, $before: String, $text: String) {
  organizations(first: 100, filter: {text: $text}) {
    nodes {
      all: units(first: 100) { nodes { id } }
      page: units(last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } }
      }
    }
  }
  agreements(first: 100, filter: {text: $text}) {
    nodes {
      all: parties(first: 100) { nodes { id } }
      page: parties(last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } }
      }
    }
  }
}
"""
SIZES = (6, 4, 1, 0)


@pytest.fixture
async def families(demo_engine: AsyncEngine) -> None:
    """Parents with 6, 4, 1 and no units, and agreements with as many parties."""
    async with AsyncSession(demo_engine) as session, session.begin():
        for n, size in enumerate(SIZES):
            parent = Organization(kind=OrganizationKind.UNIVERSITY.value, name=f"Family {n}")
            session.add(parent)
            await session.flush()
            units = [
                Organization(
                    kind=OrganizationKind.OTHER.value,
                    name=f"Family {n} unit {5 - i}",
                    parent_id=parent.id,
                )
                for i in range(size)
            ]
            agreement = Agreement(
                title=f"Family {n} agreement",
                kind=AgreementKind.OTHER.value,
                status=AgreementStatus.ACTIVE.value,
            )
            session.add_all([*units, agreement])
            await session.flush()
            assert agreement.id is not None
            for unit, role in zip(units, itertools.cycle(PartyRole), strict=False):
                assert unit.id is not None
                session.add(
                    AgreementParty(agreement_id=agreement.id, organization_id=unit.id, role=role)
                )


async def test_nested_lists_page_backwards_per_parent(
    client: httpx.AsyncClient, families: None
) -> None:
    for last, before in [(3, None), (2, 4), (5, 3), (2, 0), (4, 50), (0, None)]:
        variables = {"last": last, "before": None if before is None else _cursor(before)}
        data = await query(client, NESTED, {**variables, "text": "Family"})
        for root in ("organizations", "agreements"):
            parents = data[root]["nodes"]
            assert sorted(len(p["all"]["nodes"]) for p in parents)[-len(SIZES) :] == sorted(SIZES)
            for parent in parents:
                _check_page(parent["all"]["nodes"], parent["page"], last, before)


def _check_page(
    every_node: list[dict[str, str]], page: dict[str, Any], last: int, before: int | None
) -> None:
    every = [node["id"] for node in every_node]
    stop = len(every) if before is None else min(before, len(every))
    start = max(0, stop - last)
    assert [edge["node"]["id"] for edge in page["edges"]] == every[start:stop]
    assert [edge["cursor"] for edge in page["edges"]] == [_key_cursor(i) for i in every[start:stop]]
    assert page["pageInfo"]["hasPreviousPage"] is (start > 0)
    assert page["pageInfo"]["hasNextPage"] is (stop < len(every))


async def test_a_filtered_nested_list_and_a_relation_page_backwards(
    client: httpx.AsyncClient, ring: None
) -> None:
    data = await query(
        client,
        """query ($text: String) {
          organizations(last: 2, filter: {text: $text}) {
            nodes {
              agreements(last: 1, orderBy: {field: TITLE, direction: ASC}) {
                totalCount pageInfo { hasPreviousPage hasNextPage } nodes { title }
              }
              agreementParties(last: 1) { totalCount nodes { role } }
            }
          }
        }""",
        {"text": RING},
    )
    first, second = data["organizations"]["nodes"]
    assert first["agreements"]["nodes"] == [{"title": f"{RING} exchange 005"}]
    assert second["agreements"]["nodes"] == [{"title": f"{RING} exchange 006"}]
    assert first["agreements"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert first["agreementParties"]["totalCount"] == 2


async def test_last_counts_in_the_cost_as_first_does(client: httpx.AsyncClient) -> None:
    costs = []
    before = f'before: "{_cursor(40)}"'
    for arguments in ("first: 10", "last: 10", f"last: 10, {before}", "first: 30, last: 10"):
        body = await post(
            client,
            f"{{ organizations({arguments}) {{ nodes {{ agreements {{ totalCount }} }} }} }}",
        )
        assert "errors" not in body, body
        costs.append(body["extensions"]["cost"]["requested"])
    assert costs == [1 + 10 + 10] * 4
    big = (
        "{ organizations(last: 100) { nodes { agreements(last: 100) { nodes "
        "{ parties(last: 100) { nodes { id } } } } } } }"
    )
    (error,) = await errors_of(client, big)
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_partners_and_tokens_page_backwards(client: httpx.AsyncClient, ring: None) -> None:
    data = await query(
        client,
        """query ($text: String) {
          organizations(first: 1, filter: {text: $text}) { nodes {
            all: partners(depth: 3, first: 100) { nodes { organization { name } } }
            tail: partners(depth: 3, last: 2) {
              pageInfo { hasPreviousPage hasNextPage } edges { cursor node { hops } }
            }
          } }
          everyToken: apiTokens(first: 100) { edges { cursor } }
          lastToken: apiTokens(last: 1) { pageInfo { hasPreviousPage } edges { cursor } }
        }""",
        {"text": RING},
    )
    (organization,) = data["organizations"]["nodes"]
    every = len(organization["all"]["nodes"])
    assert every == 6
    tail = organization["tail"]
    assert [edge["cursor"] for edge in tail["edges"]] == [_cursor(4), _cursor(5)]
    assert [edge["node"]["hops"] for edge in tail["edges"]] == [3, 3]
    assert tail["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert data["lastToken"]["edges"] == data["everyToken"]["edges"][-1:]


async def test_a_key_cursor_keeps_its_place_when_rows_are_added(
    client: httpx.AsyncClient, ring: None, demo_engine: AsyncEngine
) -> None:
    first = await _page(client, first=3)
    cursor = first["pageInfo"]["endCursor"]
    assert base64.urlsafe_b64decode(cursor).decode().startswith("key:")
    async with AsyncSession(demo_engine) as session, session.begin():
        session.add(Organization(kind=OrganizationKind.UNIVERSITY.value, name=f"{NAMES[1]}a"))
    after = await _page(client, first=3, after=cursor)
    assert _names(after) == NAMES[3:6], "the row added before the cursor moves nothing"
    assert after["pageInfo"]["hasPreviousPage"] is True
    assert after["pageInfo"]["hasNextPage"] is True
    back = await _page(client, last=2, before=after["pageInfo"]["startCursor"])
    assert _names(back) == [f"{NAMES[1]}a", NAMES[2]]
    assert back["pageInfo"]["hasPreviousPage"] is True
    assert _names(await _page(client, first=2, after=_cursor(1))) == [f"{NAMES[1]}a", NAMES[2]], (
        "an offset cursor saved before still names a position"
    )
    between = await _page(client, after=first["edges"][0]["cursor"], before=cursor)
    assert _names(between) == [NAMES[1], f"{NAMES[1]}a"]


async def test_a_key_cursor_is_refused_where_the_order_does_not_allow_one(
    client: httpx.AsyncClient, ring: None
) -> None:
    key = base64.urlsafe_b64encode(b"key:1").decode()
    document = f"""{{ organizations(first: 1) {{ nodes {{
      partners(depth: 1, after: "{key}") {{ totalCount }} }} }} }}"""
    (error,) = await errors_of(client, document)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
