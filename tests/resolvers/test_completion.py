"""Programs that can be completed, through the API: requirements set by a partner and public,
`completion(learner:)` saying what is done and missing, and the completion recorded once."""

from typing import Any

import pytest

from tests.graphql import query
from tests.resolvers.credit_callers import Bank, errors, mutate, new_learner

pytestmark = pytest.mark.anyio

STATUS = """query ($p: ID!, $l: ID!) { node(id: $p) { ... on Program {
  completions { totalCount }
  completion(learner: $l) { complete missing totalCredits minTotalCredits listCredits
    minListCredits deadline requiredDone { title } requiredMissing { title }
    completion { completedOn creditsCounted } } } } }"""


async def _status(bank: Bank, learner: str, client: Any = None) -> dict[str, Any]:
    data = await query(client or bank.lle, STATUS, {"p": bank.ids["micro"], "l": learner})
    found: dict[str, Any] = data["node"]
    return found


async def _complete(bank: Bank, learner: str) -> dict[str, Any]:
    return await mutate(
        bank.lle,
        "recordProgramCompletion",
        {"program": bank.ids["micro"], "learner": learner},
        "completion { completedOn creditsCounted learner { id } }",
    )


async def test_the_requirements_are_public(bank: Bank, anonymous_client: Any) -> None:
    data = await query(
        anonymous_client,
        """query ($p: ID!) { node(id: $p) { ... on Program { requirements {
          minTotalCredits minListCredits timeLimitMonths
          requiredCourses { code } listCourses { code } } } } }""",
        {"p": bank.ids["micro"]},
    )
    assert data["node"]["requirements"] == {
        "minTotalCredits": "4.00",
        "minListCredits": "2.00",
        "timeLimitMonths": 24,
        "requiredCourses": [{"code": "MS-101"}],
        "listCourses": [{"code": "MS-201"}],
    }


async def test_the_demo_learner_has_completed_and_it_is_recorded_once(bank: Bank) -> None:
    learner = bank.ids["learner"]
    status = await _status(bank, learner)
    assert status["completion"]["complete"] is True
    assert status["completion"]["missing"] == []
    assert status["completion"]["totalCredits"] == "4.00"
    assert status["completion"]["deadline"] == "2028-03-01"
    recorded = await _complete(bank, learner)
    assert errors(recorded) == []
    assert recorded["completion"]["creditsCounted"] == "4.00"
    again = await _complete(bank, learner)
    assert errors(again) == [("ALREADY_COMPLETED", "learner")]
    status = await _status(bank, learner)
    assert status["completions"]["totalCount"] == 1
    assert status["completion"]["completion"]["creditsCounted"] == "4.00"
    enrolment = await query(
        bank.lle,
        "query ($l: ID!) { node(id: $l) { ... on Learner { enrolments { nodes { status } } } } }",
        {"l": learner},
    )
    assert enrolment["node"]["enrolments"]["nodes"] == [{"status": "COMPLETED"}]


async def test_an_unfinished_program_says_what_is_missing_and_records_nothing(
    bank: Bank,
) -> None:
    mine = await new_learner(bank)
    await mutate(
        bank.jou,
        "recordEarnedCredits",
        {"account": mine["account"], "course": bank.ids["art course"], "earnedOn": "2026-06-30"},
    )
    status = (await _status(bank, mine["learner"]))["completion"]
    assert status["complete"] is False
    assert status["requiredDone"] == [
        {"title": "Illustrative micro-course: design for community education"}
    ]
    assert status["requiredMissing"] == []
    assert status["listCredits"] == "0.00"
    assert status["missing"] == ["2.00 more credits from the list", "2.00 more credits in all"]
    refused = await _complete(bank, mine["learner"])
    assert errors(refused) == [("NOT_COMPLETE", "learner")]
    assert "more credits from the list" in refused["userErrors"][0]["message"]
    assert (await _status(bank, mine["learner"]))["completions"]["totalCount"] == 0


async def test_a_learner_the_caller_cannot_see_has_no_completion(bank: Bank) -> None:
    assert (await _status(bank, bank.ids["learner"], bank.tsinghua))["completion"] is None


async def test_requirements_are_set_by_a_partner_and_checked(bank: Bank) -> None:
    ids = bank.ids

    async def put(client: Any, **given: Any) -> dict[str, Any]:
        values = {"program": ids["micro"], "minTotalCredits": "2", **given}
        return await mutate(
            client,
            "setProgramRequirements",
            values,
            "requirements { minTotalCredits requiredCourses { code } }",
        )

    assert errors(await put(bank.tsinghua)) == [("FORBIDDEN", "program")]
    assert errors(await put(bank.jou, minTotalCredits="-1")) == [
        ("BAD_USER_INPUT", "minTotalCredits")
    ]
    assert errors(await put(bank.jou, timeLimitMonths=0)) == [("BAD_USER_INPUT", "timeLimitMonths")]
    twice = await put(
        bank.jou, requiredCourses=[ids["art course"]], listCourses=[ids["art course"]]
    )
    assert errors(twice) == [("BAD_USER_INPUT", "listCourses")]
    done = await put(bank.jou, requiredCourses=[ids["lle course"]])
    assert done["requirements"] == {
        "minTotalCredits": "2.00",
        "requiredCourses": [{"code": "MS-201"}],
    }
    status = (await _status(bank, ids["learner"]))["completion"]
    assert status["complete"] is True
    assert status["requiredDone"] == [
        {"title": "Illustrative micro-course: community learning services"}
    ]
