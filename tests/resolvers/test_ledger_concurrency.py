"""The ledger under concurrent requests, on PostgreSQL (where requests really run at once; SQLite
has one writer at a time): every request on one account takes the account's row lock first, so
the cap, the bounds of a correction and "once per course" hold however the requests interleave.
Each test sends its requests at once through the ASGI app (one connection each from the pool)
and then runs the audit (`resolvers.ledger_audit`)."""

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.credit_world import CreditWorld, add_credit_world
from resolvers.ids import encode_id
from resolvers.ledger_audit import audit
from tests.conftest import Databases, api_client
from tests.graphql import mutate, query

pytestmark = pytest.mark.anyio

AT_ONCE = 8


@pytest.fixture
async def world(demo_engine: AsyncEngine) -> CreditWorld:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite has one writer at a time)")
    return await add_credit_world(demo_engine, learners=1, cap=Decimal("4.0"))


async def _clean(engine: AsyncEngine) -> dict[str, list[str]]:
    async with engine.connect() as connection:
        return {k: v for k, v in (await audit(connection)).items() if v}


async def _earn(client: httpx.AsyncClient, world: CreditWorld, course: int) -> Any:
    return await mutate(
        client,
        "recordEarnedCredits",
        {
            "account": encode_id("CreditAccount", world.accounts[0]),
            "course": encode_id("Course", world.courses[course]),
            "earnedOn": "2026-01-05",
        },
        "entry { id credits } outcome { id }",
    )


async def test_one_course_is_counted_once_however_many_ask_at_once(
    world: CreditWorld, demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        answers = await asyncio.gather(*(_earn(client, world, 0) for _ in range(AT_ONCE)))
    accepted = [a for a in answers if not a["userErrors"]]
    assert len(accepted) == 1
    assert {a["userErrors"][0]["code"] for a in answers if a["userErrors"]} <= {
        "ALREADY_COUNTED",
        "ALREADY_EXISTS",
    }
    assert await _clean(demo_engine) == {}


async def test_concurrent_corrections_never_take_an_entry_below_zero(
    world: CreditWorld, demo_engine: AsyncEngine, databases: Databases
) -> None:
    async with api_client(demo_engine, databases.admin_token) as client:
        entry = (await _earn(client, world, 0))["entry"]  # 2.0 credits
        answers = await asyncio.gather(
            *(
                mutate(
                    client,
                    "correctCreditEntry",
                    {"id": entry["id"], "credits": "-0.5", "reason": "concurrent test"},
                    "entry { id }",
                )
                for _ in range(AT_ONCE)
            )
        )
        balance = await query(
            client,
            "query ($id: ID!) { node(id: $id) { ... on CreditAccount { balance } } }",
            {"id": encode_id("CreditAccount", world.accounts[0])},
        )
    assert sum(1 for a in answers if not a["userErrors"]) == 4
    assert balance["node"]["balance"] == "0.00"
    assert await _clean(demo_engine) == {}


async def test_concurrent_approvals_keep_within_the_rules_cap(
    world: CreditWorld, demo_engine: AsyncEngine, databases: Databases
) -> None:
    """Four outcomes (7 credits) in four applications, approved at once under a cap of 4."""
    async with api_client(demo_engine, databases.admin_token) as client:
        outcomes = [(await _earn(client, world, i))["outcome"]["id"] for i in range(4)]
        applications = [
            (
                await mutate(
                    client,
                    "applyForRecognition",
                    {
                        "learner": encode_id("Learner", world.learners[0]),
                        "rule": encode_id("RecognitionRule", world.rule),
                        "outcomes": [outcome],
                    },
                    "application { id version }",
                )
            )["application"]
            for outcome in outcomes
        ]
        answers = await asyncio.gather(
            *(
                mutate(
                    client,
                    "decideRecognitionApplication",
                    {**a, "approve": True, "reason": "concurrent test"},
                    "application { creditsGranted }",
                )
                for a in applications
            )
        )
    granted = [Decimal(a["application"]["creditsGranted"]) for a in answers if a["application"]]
    assert sum(granted) == Decimal("4.0")
    refused = [a["userErrors"][0]["code"] for a in answers if a["userErrors"]]
    assert set(refused) <= {"CAP_REACHED"}
    assert await _clean(demo_engine) == {}
