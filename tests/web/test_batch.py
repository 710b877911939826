"""Batched requests (a POST of a JSON array, as Apollo's BatchHttpLink sends): answered in order,
each as it would be answered alone; at most `max_batch` requests; admitted once, for the sum of
their costs."""

import dataclasses
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import Settings
from tests.conftest import TEST_SETTINGS, Databases, api_client
from tests.services import redis_or_skip

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"

COST_61 = "{ organizations(first: 30) { nodes { parent { name } } } }"
COST_1 = "{ alliances { totalCount } }"

MIXED: list[dict[str, Any]] = [
    {"query": COST_1},
    {
        "query": "query Two($n: Int) { organizations(first: $n) { nodes { name } } }",
        "variables": {"n": 2},
        "operationName": "Two",
    },
    {"query": "{ nope }"},
    {"query": "{ alliances( "},
    {"query": '{ alliances { totalCount } node(id: "not-an-id!") { id } }'},
    {"query": "query($n: Int!) { organizations(first: $n) { totalCount } }"},
    {"query": "{ organizations(first: 1000) { totalCount } }"},
    {"query": ""},
]
"""Answered, with variables and an operation name, invalid, unparsable, a field error, a
variable missing, an argument refused by the limits, an empty document."""


def _batch_answer(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    answer: list[dict[str, Any]] = response.json()
    return answer


def _code(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    code: str = error["extensions"]["code"]
    return code


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_batch_is_answered_in_order_as_each_request_alone(
    client: httpx.AsyncClient, accept: str
) -> None:
    headers = {"accept": accept}
    alone = [(await client.post("/graphql", json=one, headers=headers)).json() for one in MIXED]
    batch = await client.post("/graphql", json=MIXED, headers=headers)
    assert batch.headers["content-type"].startswith(accept)
    assert _batch_answer(batch) == alone
    assert alone[1]["data"]["organizations"]["nodes"][1]["name"]


async def test_the_mutations_of_a_batch_run_in_order_each_committed_on_its_own(
    client: httpx.AsyncClient,
) -> None:
    name = f"Batch person {uuid.uuid4().hex[:8]}"
    create = {
        "query": "mutation($n: String!) { createPerson(input: {name: $n}) { person { name } } }",
        "variables": {"n": name},
    }
    count = {
        "query": "query($t: String) { people(filter: {text: $t}) { totalCount } }",
        "variables": {"t": name},
    }
    refused = {"query": "mutation { createPerson(input: {name: 1}) { person { name } } }"}
    batch = await client.post("/graphql", json=[count, create, count, refused, create, count])
    answers = _batch_answer(batch)
    counts = [answers[i]["data"]["people"]["totalCount"] for i in (0, 2, 5)]
    assert counts == [0, 1, 2], "each mutation is committed before the next request runs"
    assert answers[1]["data"]["createPerson"]["person"]["name"] == name
    assert answers[3]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_batch_over_the_limit_is_refused_as_a_whole(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, max_batch=3)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        fine = await http.post("/graphql", json=[{"query": COST_1}] * 3)
        over = await http.post("/graphql", json=[{"query": COST_1}] * 4)
        empty = await http.post("/graphql", json=[])
        not_objects = await http.post("/graphql", json=[{"query": COST_1}, "x"])
        no_query = await http.post("/graphql", json=[{"query": COST_1}, {"variables": {}}])
    assert len(_batch_answer(fine)) == 3
    assert (over.status_code, _code(over)) == (400, "BATCH_TOO_LARGE")
    assert "over the limit of 3" in over.json()["errors"][0]["message"]
    for refused in [empty, not_objects, no_query]:
        assert (refused.status_code, _code(refused)) == (400, "BAD_REQUEST"), refused.text
    assert "request 1 of the batch" in no_query.json()["errors"][0]["message"]


async def test_batches_can_be_turned_off(demo_engine: AsyncEngine) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, max_batch=0)
    async with api_client(demo_engine, None, settings) as http:
        refused = await http.post("/graphql", json=[{"query": COST_1}])
        alone = await http.post("/graphql", json={"query": COST_1})
    assert (refused.status_code, _code(refused)) == (400, "BAD_REQUEST")
    assert alone.status_code == 200


async def test_a_batch_is_charged_the_sum_of_its_costs_once(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = Settings(rate_limit_per_minute=150, redis_prefix=f"test-{uuid.uuid4().hex}")
    await redis_or_skip(settings.redis_url)
    refused_alone = {"query": "{ organizations(first: 1000) { totalCount } }"}
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        batch = await http.post("/graphql", json=[{"query": COST_61}, {"query": COST_1}])
        refused = await http.post("/graphql", json=[refused_alone, {"query": "{ alliances( "}])
        over = await http.post("/graphql", json=[{"query": COST_61}, {"query": COST_61}])
        after = await http.post("/graphql", json={"query": COST_1})
    costs = [answer["extensions"]["cost"] for answer in _batch_answer(batch)]
    assert [cost["requested"] for cost in costs] == [61, 1]
    assert {cost["remainingThisMinute"] for cost in costs} == {150 - 62}
    assert [a["errors"][0]["extensions"]["code"] for a in _batch_answer(refused)] == [
        "PAGE_SIZE_TOO_LARGE",
        "GRAPHQL_PARSE_FAILED",
    ], "requests refused on their own are refused in the batch as alone"
    assert (over.status_code, _code(over)) == (429, "RATE_LIMITED"), "122 over the 88 left"
    assert 1 <= int(over.headers["Retry-After"]) <= 61
    remaining = after.json()["extensions"]["cost"]["remainingThisMinute"]
    assert remaining == 150 - 62 - 1, "neither requests refused alone nor a batch refused charge"


async def test_a_batch_is_held_to_the_cost_limit_as_a_sum(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, max_cost=100)
    async with api_client(demo_engine, databases.admin_token, settings) as http:
        alone = await http.post("/graphql", json={"query": COST_61})
        batch = await http.post("/graphql", json=[{"query": COST_61}, {"query": COST_61}])
    assert alone.status_code == 200 and "errors" not in alone.json()
    assert (batch.status_code, _code(batch)) == (400, "QUERY_TOO_COSTLY")
    assert "the sum of its 2 requests" in batch.json()["errors"][0]["message"]


async def test_a_batch_with_a_bad_token_is_refused_once(demo_engine: AsyncEngine) -> None:
    async with api_client(demo_engine, "pgt_nope_nothing") as http:
        batch = await http.post("/graphql", json=[{"query": COST_1}, {"query": COST_1}])
    assert (batch.status_code, _code(batch)) == (401, "UNAUTHENTICATED")
    assert batch.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_fast_lane_leaves_batches_to_strawberry(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {"query": "query Lane { organizations(first: 2) { nodes { id name } } }"}
    alone = await client.post("/graphql", json=document)  # on PostgreSQL, the lane learns it
    asked: list[object] = []

    async def spy(*args: Any, **_: Any) -> None:
        asked.append(args)

    monkeypatch.setattr("web.graphql_view.answer_plain_read", spy)
    batch = await client.post("/graphql", json=[document, document])
    assert _batch_answer(batch) == [alone.json(), alone.json()]
    assert asked == []
