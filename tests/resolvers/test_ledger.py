"""The credit ledger through the API: credits enter only as a course's own credits, once;
corrections and expiries are new entries with a reason; balances are sums; the free-form
outcome and recognition mutations are gone (issue 19: an outcome of 999 credits was accepted)."""

from decimal import Decimal
from typing import Any

import pytest

from schema import build_schema
from tests.graphql import query
from tests.resolvers.credit_callers import Bank, errors, mutate, new_learner

pytestmark = pytest.mark.anyio

ENTRY = "entry { id kind credits reason organization { name } } outcome { id credits }"
ACCOUNT = """query ($id: ID!) { node(id: $id) { ... on CreditAccount {
  balance creditsEarned creditsRecognised
  entries { totalCount nodes { id kind credits corrects { id } } }
} } }"""


def test_credits_are_no_longer_set_by_hand() -> None:
    mutations = build_schema()._schema.mutation_type
    assert mutations is not None
    gone = {
        "createLearningOutcome",
        "updateLearningOutcome",
        "deleteLearningOutcome",
        "createCreditRecognition",
        "updateCreditRecognition",
        "deleteCreditRecognition",
        "deleteCreditAccount",
    }
    assert gone.isdisjoint(mutations.fields)


async def _account(bank: Bank, account: str) -> dict[str, Any]:
    data = await query(bank.admin, ACCOUNT, {"id": account})
    found: dict[str, Any] = data["node"]
    return found


async def _earn(bank: Bank, account: str, course: str, on: str = "2026-06-30") -> dict[str, Any]:
    return await mutate(
        bank.jou,
        "recordEarnedCredits",
        {"account": account, "course": course, "earnedOn": on},
        ENTRY,
    )


async def test_earned_credits_are_the_courses_own_and_count_once(bank: Bank) -> None:
    mine = await new_learner(bank)
    earned = await _earn(bank, mine["account"], bank.ids["art course"])
    assert errors(earned) == []
    assert earned["entry"]["kind"] == "EARNED"
    assert earned["entry"]["credits"] == "2.00"
    assert earned["entry"]["organization"]["name"] == "School of Art"
    again = await _earn(bank, mine["account"], bank.ids["art course"], "2026-07-01")
    assert errors(again) == [("ALREADY_COUNTED", None)]
    future = await _earn(bank, mine["account"], bank.ids["lle course"], "2999-01-01")
    assert errors(future) == [("BAD_USER_INPUT", "earnedOn")]
    before = await _earn(bank, mine["account"], bank.ids["lle course"], "2026-01-31")
    assert errors(before) == [("BAD_USER_INPUT", "earnedOn")]
    account = await _account(bank, mine["account"])
    assert account["balance"] == "2.00"
    assert account["entries"]["totalCount"] == 1


async def test_no_credits_without_an_enrolment_in_the_courses_program(bank: Bank) -> None:
    mine = await new_learner(bank)
    other = await mutate(
        bank.admin,
        "createCourse",
        {"title": "Outside the micro-major", "organization": bank.ids["art"], "credits": "3"},
        "course { id }",
    )
    refused = await _earn(bank, mine["account"], other["course"]["id"])
    assert errors(refused) == [("LEDGER_RULE", "course")]
    assert (await _account(bank, mine["account"]))["balance"] == "0.00"


async def test_a_correction_is_a_new_entry_kept_between_zero_and_its_source(bank: Bank) -> None:
    mine = await new_learner(bank)
    entry = (await _earn(bank, mine["account"], bank.ids["art course"]))["entry"]["id"]

    async def correct(credits: str, reason: str = "transcript re-read") -> dict[str, Any]:
        return await mutate(
            bank.jou,
            "correctCreditEntry",
            {"id": entry, "credits": credits, "reason": reason},
            "entry { kind credits reason corrects { id credits } }",
        )

    down = await correct("-0.5")
    assert errors(down) == []
    assert down["entry"]["kind"] == "CORRECTED"
    assert down["entry"]["corrects"] == {"id": entry, "credits": "2.00"}
    assert errors(await correct("-0.5", "  ")) == [("BAD_USER_INPUT", "reason")]
    assert errors(await correct("-2")) == [("LEDGER_RULE", "credits")]
    assert errors(await correct("1")) == [("LEDGER_RULE", "credits")]
    refused_by_other = await mutate(
        bank.lle, "correctCreditEntry", {"id": entry, "credits": "-1", "reason": "mine?"}
    )
    assert errors(refused_by_other) == [("FORBIDDEN", "id")]  # the learner's school sees it
    account = await _account(bank, mine["account"])
    assert account["balance"] == "1.50"
    assert account["creditsEarned"] == "1.50"
    assert [e["credits"] for e in account["entries"]["nodes"]] == ["2.00", "-0.50"]


async def test_an_expiry_takes_what_is_left_once(bank: Bank) -> None:
    mine = await new_learner(bank)
    entry = (await _earn(bank, mine["account"], bank.ids["art course"]))["entry"]["id"]
    await mutate(bank.jou, "correctCreditEntry", {"id": entry, "credits": "-0.5", "reason": "r"})
    expired = await mutate(
        bank.jou,
        "expireCreditEntry",
        {"id": entry, "reason": "validity of five years passed"},
        "entry { kind credits }",
    )
    assert expired["entry"] == {"kind": "EXPIRED", "credits": "-1.50"}
    again = await mutate(bank.jou, "expireCreditEntry", {"id": entry, "reason": "again"})
    assert errors(again) == [("LEDGER_RULE", "id")]
    restore = await mutate(
        bank.jou, "correctCreditEntry", {"id": entry, "credits": "0.5", "reason": "undo"}
    )
    assert errors(restore) == [("LEDGER_RULE", "id")]
    account = await _account(bank, mine["account"])
    assert account["balance"] == "0.00"
    assert account["entries"]["totalCount"] == 3


async def test_the_balance_is_the_sum_of_the_entries(bank: Bank) -> None:
    account = await _account(bank, bank.ids["account"])
    entries = [Decimal(e["credits"]) for e in account["entries"]["nodes"]]
    assert Decimal(str(account["balance"])) == sum(entries) == Decimal("4.00")
    assert account["creditsEarned"] == "4.00"
    assert account["creditsRecognised"] == "0.00"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"ratio": "0"}, "ratio"),
        ({"ratio": "10.5"}, "ratio"),
        ({"maxCredits": "0"}, "maxCredits"),
        ({"maxCredits": "5000"}, "maxCredits"),
        ({"toOrganization": "art"}, "toOrganization"),
    ],
)
async def test_a_rule_out_of_range_is_refused_and_nothing_written(
    bank: Bank, given: dict[str, str], field: str
) -> None:
    ids = bank.ids
    values = {"agreement": ids["agreement"], "fromOrganization": ids["art"]}
    values |= {"toOrganization": ids["lle"]}
    values |= {k: ids.get(v, v) for k, v in given.items()}
    count = "query ($id: ID!) { node(id: $id) { ... on Agreement { "
    count += "recognitionRules { totalCount } } } }"
    before = await query(bank.admin, count, {"id": ids["agreement"]})
    refused = await mutate(bank.admin, "createRecognitionRule", values, "recognitionRule { id }")
    assert errors(refused) == [("BAD_USER_INPUT", field)]
    assert await query(bank.admin, count, {"id": ids["agreement"]}) == before


async def test_a_rule_applied_under_keeps_its_terms(bank: Bank) -> None:
    rule = await query(
        bank.admin,
        "query ($id: ID!) { node(id: $id) { ... on RecognitionRule { version } } }",
        {"id": bank.ids["art rule"]},
    )
    changed = await mutate(
        bank.admin,
        "updateRecognitionRule",
        {"id": bank.ids["art rule"], "version": rule["node"]["version"], "ratio": "2"},
    )
    assert errors(changed) == [("RULE_IN_USE", "ratio")]


CONVERTED = (
    "entry { id kind credits unitCode reason convertedFrom { id kind credits unitCode "
    "corrects { id } } } takenOut { id credits unitCode }"
)
BALANCES = """query ($id: ID!) { node(id: $id) { ... on CreditAccount {
  balance balances { unitCode credits }
  entries { nodes { id kind credits unitCode } }
} } }"""


async def _course_in(bank: Bank, course: str, unit: str) -> None:
    found = await query(
        bank.admin,
        "query ($id: ID!) { node(id: $id) { ... on Course { version } } }",
        {"id": course},
    )
    changed = await mutate(
        bank.admin,
        "updateCourse",
        {"id": course, "version": found["node"]["version"], "creditUnitCode": unit},
        "course { creditUnitCode }",
    )
    assert errors(changed) == []


async def test_credits_convert_between_units_as_an_entry_pair(bank: Bank) -> None:
    await _course_in(bank, bank.ids["art course"], "UK_CREDIT")
    mine = await new_learner(bank)
    earned = (await _earn(bank, mine["account"], bank.ids["art course"]))["entry"]["id"]

    async def convert(entry: str, to: str, credits: str | None = "1") -> dict[str, Any]:
        given: dict[str, Any] = {"id": entry, "toUnit": to}
        if credits is not None:
            given["credits"] = credits
        return await mutate(bank.jou, "convertCredits", given, CONVERTED)

    done = await convert(earned, "ECTS")
    assert errors(done) == []
    put_in, taken = done["entry"], done["takenOut"]
    assert (put_in["kind"], put_in["credits"], put_in["unitCode"]) == ("CONVERTED", "0.50", "ECTS")
    assert put_in["convertedFrom"] == {
        "id": taken["id"],
        "kind": "CONVERTED",
        "credits": "-1.00",
        "unitCode": "UK_CREDIT",
        "corrects": {"id": earned},
    }
    assert errors(await convert(earned, "UK_CREDIT")) == [("BAD_USER_INPUT", "toUnit")]
    assert errors(await convert(earned, "NOPE")) == [("UNKNOWN_CODE", "toUnit")]
    assert errors(await convert(earned, "CN_CREDIT")) == [("UNIT_UNKNOWN", "toUnit")]
    assert errors(await convert(earned, "ECTS", "1.5")) == [("LEDGER_RULE", "credits")]
    assert errors(await convert(earned, "ECTS", "0")) == [("BAD_USER_INPUT", "credits")]
    assert errors(await convert(taken["id"], "ECTS")) == [("LEDGER_RULE", "id")]
    outsider = await mutate(bank.tsinghua, "convertCredits", {"id": earned, "toUnit": "ECTS"})
    assert errors(outsider) == [("NOT_FOUND", "id")]
    # the converted credits are a source of their own: back to UK credits, all of them
    back = await convert(put_in["id"], "UK_CREDIT", None)
    assert errors(back) == []
    assert (back["entry"]["credits"], back["entry"]["unitCode"]) == ("1.00", "UK_CREDIT")
    # the source's expiry takes only what was not converted
    expired = await mutate(
        bank.jou,
        "expireCreditEntry",
        {"id": earned, "reason": "validity passed"},
        "entry { credits unitCode }",
    )
    assert expired["entry"] == {"credits": "-1.00", "unitCode": "UK_CREDIT"}
    account = await query(bank.admin, BALANCES, {"id": mine["account"]})
    node = account["node"]
    assert node["balances"] == [
        {"unitCode": "ECTS", "credits": "0.00"},
        {"unitCode": "UK_CREDIT", "credits": "1.00"},
    ]
    for balance in node["balances"]:
        entries = [e for e in node["entries"]["nodes"] if e["unitCode"] == balance["unitCode"]]
        assert sum(Decimal(e["credits"]) for e in entries) == Decimal(balance["credits"])
    assert [e["kind"] for e in node["entries"]["nodes"]] == [
        "EARNED",
        "CONVERTED",
        "CONVERTED",
        "CONVERTED",
        "CONVERTED",
        "EXPIRED",
    ]
    feed = await query(
        bank.admin,
        '{ changes(first: 100, filter: {types: ["CreditEntry"]}) '
        "{ edges { node { entityId kind } } } }",
    )
    created = {
        e["node"]["entityId"] for e in feed["changes"]["edges"] if e["node"]["kind"] == "CREATED"
    }
    assert {e["id"] for e in node["entries"]["nodes"]} <= created


async def test_credits_of_no_recorded_unit_are_not_converted(bank: Bank) -> None:
    mine = await new_learner(bank)
    entry = (await _earn(bank, mine["account"], bank.ids["lle course"]))["entry"]
    refused = await mutate(bank.admin, "convertCredits", {"id": entry["id"], "toUnit": "ECTS"})
    assert errors(refused) == [("UNIT_UNKNOWN", "id")]
    account = await query(bank.admin, BALANCES, {"id": mine["account"]})
    assert account["node"]["balances"] == [{"unitCode": None, "credits": entry["credits"]}]
