"""Recognition as an application with review, through the API: the learner's school applies,
the receiving school decides with a reason, the ledger gets the recognised credits within the
rule's cap; refusals (an agreement not in force, credits the learner does not hold, an outcome
already recognised or waiting) write nothing; a learner's records are seen by the institutions
involved and nobody else."""

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of
from resolvers.ids import decode_id
from tests.graphql import query
from tests.resolvers.credit_callers import Bank, errors, mutate, new_learner

pytestmark = pytest.mark.anyio

APPLICATION = """application { id version status creditsRequested creditsGranted reason
  decidedBy entries { nodes { kind credits organization { name } } }
  history { nodes { action } } }"""
COUNT = """query ($id: ID!) { node(id: $id) { ... on Learner {
  recognitionApplications { totalCount } } } }"""


async def _set_agreement(engine: AsyncEngine, key: str, **values: Any) -> None:
    """The agreement's state set directly: the lifecycle moves an agreement to SUSPENDED or
    past its end only through steps and time that a test cannot wait for."""
    table = table_of(t.Agreement)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(table).where(table.c.id == decode_id(key)[1]).values(**values)
        )


async def _apply(bank: Bank, learner: str, rule: str, outcomes: list[str]) -> dict[str, Any]:
    return await mutate(
        bank.lle,
        "applyForRecognition",
        {"learner": learner, "rule": rule, "outcomes": outcomes},
        APPLICATION,
    )


async def _decide(
    bank_client: Any, application: dict[str, Any], approve: bool, reason: str = "checked"
) -> dict[str, Any]:
    return await mutate(
        bank_client,
        "decideRecognitionApplication",
        {
            "id": application["id"],
            "version": application["version"],
            "approve": approve,
            "reason": reason,
        },
        APPLICATION,
    )


async def _earned_outcome(bank: Bank, account: str, course: str) -> str:
    earned = await mutate(
        bank.jou,
        "recordEarnedCredits",
        {"account": account, "course": course, "earnedOn": "2026-06-30"},
        "outcome { id } entry { id }",
    )
    assert errors(earned) == []
    return str(earned["outcome"]["id"])


async def _applications(bank: Bank, learner: str) -> int:
    data = await query(bank.admin, COUNT, {"id": learner})
    return int(data["node"]["recognitionApplications"]["totalCount"])


async def test_the_receiving_school_decides_a_waiting_application(
    bank: Bank, demo_engine: AsyncEngine
) -> None:
    """The demo's waiting application: the School of Lifelong Education's course, to be
    recognised by the School of Art (so by Jiangsu Open University's editor), once the
    agreement, under negotiation in the demo, is active."""
    pending = {"id": bank.ids["pending"], "version": int(bank.ids["pending version"])}
    early = await _decide(bank.jou, pending, True)
    assert errors(early) == [("AGREEMENT_NOT_IN_FORCE", "rule")]
    assert "is under negotiation, not active" in early["userErrors"][0]["message"]
    await _set_agreement(demo_engine, bank.ids["agreement"], status="active")
    by_applicant = await _decide(bank.lle, pending, True)
    assert errors(by_applicant) == [("FORBIDDEN", "id")]
    no_reason = await _decide(bank.jou, pending, True, " ")
    assert errors(no_reason) == [("BAD_USER_INPUT", "reason")]
    approved = await _decide(bank.jou, pending, True, "matches the design module")
    assert errors(approved) == []
    application = approved["application"]
    assert application["status"] == "APPROVED"
    assert application["creditsGranted"] == "2.00"
    assert application["reason"] == "matches the design module"
    assert application["entries"]["nodes"] == [
        {"kind": "RECOGNISED", "credits": "2.00", "organization": {"name": "School of Art"}}
    ]
    assert [h["action"] for h in application["history"]["nodes"]] == ["approved"]
    twice = await _decide(bank.jou, {**pending, "version": application["version"]}, False)
    assert errors(twice) == [("INVALID_TRANSITION", "id")]


async def test_apply_withdraw_apply_approve_and_never_twice(
    bank: Bank, demo_engine: AsyncEngine
) -> None:
    await _set_agreement(demo_engine, bank.ids["agreement"], status="active")
    mine = await new_learner(bank)
    outcome = await _earned_outcome(bank, mine["account"], bank.ids["art course"])
    rule = bank.ids["art rule"]
    first = await _apply(bank, mine["learner"], rule, [outcome])
    assert errors(first) == []
    assert first["application"]["status"] == "SUBMITTED"
    assert first["application"]["creditsRequested"] == "2.00"
    waiting = await _apply(bank, mine["learner"], rule, [outcome])
    assert errors(waiting) == [("LEDGER_RULE", "outcomes.0")]
    withdrawn = await mutate(
        bank.lle,
        "withdrawRecognitionApplication",
        {"id": first["application"]["id"], "version": first["application"]["version"]},
        "application { status }",
    )
    assert withdrawn["application"] == {"status": "WITHDRAWN"}
    second = (await _apply(bank, mine["learner"], rule, [outcome]))["application"]
    approved = await _decide(bank.lle, second, True)
    assert approved["application"]["creditsGranted"] == "2.00"
    again = await _apply(bank, mine["learner"], rule, [outcome])
    assert errors(again) == [("LEDGER_RULE", "outcomes.0")]
    assert "already recognised" in again["userErrors"][0]["message"]
    assert await _applications(bank, mine["learner"]) == 2


async def test_an_application_for_credits_the_learner_does_not_have_writes_nothing(
    bank: Bank,
) -> None:
    mine = await new_learner(bank)
    outcome = await _earned_outcome(bank, mine["account"], bank.ids["art course"])
    entry = await query(
        bank.admin,
        "query ($id: ID!) { node(id: $id) { ... on CreditAccount { entries { nodes { id } } } } }",
        {"id": mine["account"]},
    )
    await mutate(
        bank.jou,
        "expireCreditEntry",
        {"id": entry["node"]["entries"]["nodes"][0]["id"], "reason": "lapsed"},
    )
    expired = await _apply(bank, mine["learner"], bank.ids["art rule"], [outcome])
    assert errors(expired) == [("LEDGER_RULE", "outcomes.0")]
    someone_elses = await _apply(
        bank, mine["learner"], bank.ids["art rule"], [bank.ids["art outcome"]]
    )
    assert errors(someone_elses) == [("LEDGER_RULE", "outcomes")]
    wrong_source = await _apply(bank, mine["learner"], bank.ids["lle rule"], [outcome])
    assert errors(wrong_source) == [("NOT_FOUND", "outcomes.0")] or errors(wrong_source)[0][0] in {
        "LEDGER_RULE"
    }
    assert await _applications(bank, mine["learner"]) == 0


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"status": "suspended"}, "is suspended, not active"),
        ({"status": "active", "effective_to": date(2026, 6, 30)}, "expired on 2026-06-30"),
        ({"status": "terminated"}, "is terminated, not active"),
    ],
)
async def test_an_agreement_not_in_force_refuses_and_says_why(
    bank: Bank, demo_engine: AsyncEngine, change: dict[str, Any], why: str
) -> None:
    mine = await new_learner(bank)
    outcome = await _earned_outcome(bank, mine["account"], bank.ids["art course"])
    await _set_agreement(demo_engine, bank.ids["agreement"], **change)
    refused = await _apply(bank, mine["learner"], bank.ids["art rule"], [outcome])
    assert errors(refused) == [("AGREEMENT_NOT_IN_FORCE", "rule")]
    assert why in refused["userErrors"][0]["message"]
    pending = {"id": bank.ids["pending"], "version": int(bank.ids["pending version"])}
    assert errors(await _decide(bank.jou, pending, True)) == [("AGREEMENT_NOT_IN_FORCE", "rule")]
    rejected = await _decide(bank.jou, pending, False, "the agreement is not in force")
    assert rejected["application"]["status"] == "REJECTED"
    assert await _applications(bank, mine["learner"]) == 0


async def test_an_application_waits_while_the_agreement_is_being_made(bank: Bank) -> None:
    mine = await new_learner(bank)
    outcome = await _earned_outcome(bank, mine["account"], bank.ids["art course"])
    waiting = await _apply(bank, mine["learner"], bank.ids["art rule"], [outcome])
    assert waiting["application"]["status"] == "SUBMITTED"
    early = await _decide(bank.lle, waiting["application"], True)
    assert errors(early) == [("AGREEMENT_NOT_IN_FORCE", "rule")]
    assert "is under negotiation, not active" in early["userErrors"][0]["message"]


async def test_the_rules_cap_limits_what_is_granted(bank: Bank, demo_engine: AsyncEngine) -> None:
    ids = bank.ids
    await _set_agreement(demo_engine, ids["agreement"], status="active")
    rule = await mutate(
        bank.lle,
        "createRecognitionRule",
        {
            "agreement": ids["agreement"],
            "fromOrganization": ids["art"],
            "toOrganization": ids["lle"],
            "ratio": "1.5",
            "maxCredits": "4",
        },
        "recognitionRule { id }",
    )
    assert errors(rule) == []
    capped = rule["recognitionRule"]["id"]
    mine = await new_learner(bank)
    first = await _earned_outcome(bank, mine["account"], ids["art course"])
    extra = await mutate(
        bank.admin,
        "createCourse",
        {"title": "Second", "organization": ids["art"], "program": ids["micro"], "credits": "2"},
        "course { id }",
    )
    second = await _earned_outcome(bank, mine["account"], extra["course"]["id"])
    one = (await _apply(bank, mine["learner"], capped, [first]))["application"]
    two = (await _apply(bank, mine["learner"], capped, [second]))["application"]
    assert one["creditsRequested"] == "3.00"
    assert (await _decide(bank.lle, one, True))["application"]["creditsGranted"] == "3.00"
    assert (await _decide(bank.lle, two, True))["application"]["creditsGranted"] == "1.00"
    full = await mutate(
        bank.lle,
        "applyForRecognition",
        {"learner": mine["learner"], "rule": capped, "outcomes": [first]},
    )
    assert errors(full) == [("CAP_REACHED", "rule")]


async def test_a_learners_records_are_seen_by_the_institutions_involved(bank: Bank) -> None:
    reads = """query ($a: ID!, $l: ID!, $o: ID!) { a: node(id: $a) { id }
      l: node(id: $l) { id } o: node(id: $o) { id } }"""
    given = {"a": bank.ids["pending"], "l": bank.ids["learner"], "o": bank.ids["lle outcome"]}
    for involved in (bank.jou, bank.lle):
        data = await query(involved, reads, given)
        assert all(v is not None for v in data.values())
    outsider = await query(bank.tsinghua, reads, given)
    assert outsider == {"a": None, "l": None, "o": None}
