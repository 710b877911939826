"""The instances of issue 15 (points 2 and 3), each as it was reproduced: an editor widening its
own reach by writing, and mutations telling what reads hide. The general rule is
`resolvers/write_scope.py`, checked for every mutation by `tests/resolvers/test_write_matrix.py`."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import Databases, api_client, make_token
from tests.graphql import mutate, query, user_errors

pytestmark = pytest.mark.anyio

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
MISSING_AGREEMENT = "QWdyZWVtZW50Ojk4NzY1NA"  # Agreement:987654


@dataclass
class Callers:
    admin: httpx.AsyncClient
    jou: httpx.AsyncClient
    """The editor of Jiangsu Open University (its School of Art is a party to the agreement
    under negotiation)."""
    nju: httpx.AsyncClient
    """The editor of Nanjing University (its School of Lifelong Education is the other party)."""
    secretariat: httpx.AsyncClient


@pytest.fixture
async def callers(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[Callers]:
    jou = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    nju = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanjing University")
    secretariat = await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=JIANGXI)
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, jou) as jou_client,
        api_client(demo_engine, nju) as nju_client,
        api_client(demo_engine, secretariat) as secretariat_client,
    ):
        yield Callers(admin, jou_client, nju_client, secretariat_client)


_mutate = mutate
_errors = user_errors


async def _id(client: httpx.AsyncClient, root: str, text: str, name: str = "name") -> str:
    data = await query(
        client,
        f"query ($t: String!) {{ {root}(filter: {{text: $t}}) {{ nodes {{ id {name} }} }} }}",
        {"t": text},
    )
    found = [n["id"] for n in data[root]["nodes"] if text in n[name]]
    assert found, (root, text)
    return str(found[0])


async def _visible(client: httpx.AsyncClient, global_id: str) -> bool:
    data = await query(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    return data["node"] is not None


async def _agreement(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    data = await query(
        client,
        "query ($t: String!) { agreements(filter: {text: $t}) { nodes { id version status "
        "parties { nodes { organization { id name } } } } } }",
        {"t": text},
    )
    [found] = data["agreements"]["nodes"]
    return dict(found)


async def test_an_editor_cannot_take_in_another_organizations_person(callers: Callers) -> None:
    chen = await _id(callers.admin, "people", "Chen Fangyi")
    jou = await _id(callers.admin, "organizations", "Jiangsu Open University")
    payload = await _mutate(
        callers.jou,
        "createPosition",
        {"person": chen, "organization": jou, "title": "Adviser"},
        "position { id }",
    )
    assert _errors(payload) == [("NOT_FOUND", "person")]
    assert not await _visible(callers.jou, chen)
    update = await _mutate(callers.jou, "updatePerson", {"id": chen, "version": 1, "name": "X"})
    delete = await _mutate(callers.jou, "deletePerson", {"id": chen, "version": 1})
    assert _errors(update) == _errors(delete) == [("NOT_FOUND", "id")]


async def test_a_person_is_created_with_a_position_at_an_organization_its_editor_edits(
    callers: Callers,
) -> None:
    jou = await _id(callers.admin, "organizations", "Jiangsu Open University")
    nju = await _id(callers.admin, "organizations", "Nanjing University")
    ownerless = await _mutate(callers.jou, "createPerson", {"name": "Nobody's"}, "person { id }")
    foreign = await _mutate(
        callers.jou,
        "createPerson",
        {"name": "Elsewhere", "position": {"organization": nju, "title": "Clerk"}},
    )
    own = await _mutate(
        callers.jou,
        "createPerson",
        {"name": "Lu Wei", "position": {"organization": jou, "title": "Clerk"}},
        "person { id name positions { nodes { title organization { name } } } }",
    )
    assert _errors(ownerless) == [("FORBIDDEN", "position")]
    assert _errors(foreign) == [("FORBIDDEN", "position.organization")]
    assert own["person"]["positions"]["nodes"] == [
        {"title": "Clerk", "organization": {"name": "Jiangsu Open University"}}
    ]
    by_admin = await _mutate(callers.admin, "createPerson", {"name": "Unplaced"}, "person { id }")
    assert by_admin["userErrors"] == []


async def test_activity_participants_are_proposed_not_added(callers: Callers) -> None:
    jou = await _id(callers.admin, "organizations", "Jiangsu Open University")
    tsinghua = await _id(callers.admin, "organizations", "Tsinghua University")
    exchange = await _id(callers.admin, "activities", "OUC and Tsinghua", "title")
    meeting = await _id(callers.admin, "activities", "social education projects", "title")
    hidden = await _mutate(
        callers.jou, "createActivityParticipant", {"activity": exchange, "organization": jou}
    )
    other = await _mutate(
        callers.jou, "createActivityParticipant", {"activity": meeting, "organization": tsinghua}
    )
    own = await _mutate(
        callers.jou, "createActivityParticipant", {"activity": meeting, "organization": jou}
    )
    assert _errors(hidden) == [("NOT_FOUND", "activity")]
    assert _errors(other) == [("CONSENT_REQUIRED", "organization")]
    assert "proposeActivityParticipant" in other["userErrors"][0]["message"]
    assert own["userErrors"] == []
    assert not await _visible(callers.jou, exchange)


async def test_program_partners_are_proposed_and_outsiders_cannot_join(callers: Callers) -> None:
    jou = await _id(callers.admin, "organizations", "Jiangsu Open University")
    tsinghua = await _id(callers.admin, "organizations", "Tsinghua University")
    platform = await _id(callers.admin, "programs", "Silver-age")
    micro = await _id(callers.admin, "programs", "Micro-specialties")
    join = await _mutate(
        callers.jou, "createProgramPartner", {"program": platform, "organization": jou}
    )
    invite = await _mutate(
        callers.jou, "createProgramPartner", {"program": micro, "organization": tsinghua}
    )
    course = await _mutate(
        callers.jou, "createCourse", {"program": platform, "organization": jou, "title": "Mine"}
    )
    assert _errors(join) == [("FORBIDDEN", "program")]
    assert _errors(invite) == [("CONSENT_REQUIRED", "organization")]
    assert "proposeProgramPartner" in invite["userErrors"][0]["message"]
    assert _errors(course) == [("FORBIDDEN", "program")]


async def test_no_outcome_on_another_organizations_account(callers: Callers) -> None:
    """The issue's 3 -> 1002 credits: an account at another bank, for a learner of another
    organization (one with no application involving this editor's organization), takes no
    outcome from this editor."""
    lle = await _id(callers.admin, "organizations", "School of Lifelong Education")
    made = await _mutate(
        callers.admin,
        "createLearner",
        {"name": "A learner of another organization", "homeOrganization": lle},
        "learner { id }",
    )
    learner_id = made["learner"]["id"]
    nju = await _id(callers.admin, "organizations", "Nanjing University")
    jou = await _id(callers.admin, "organizations", "Jiangsu Open University")
    opened = await _mutate(
        callers.admin,
        "createCreditAccount",
        {"learner": learner_id, "bank": nju},
        "creditAccount { id }",
    )
    account = opened["creditAccount"]["id"]
    course = await _id(callers.admin, "courses", "community education", "title")
    outcome = await _mutate(
        callers.jou,
        "recordEarnedCredits",
        {"account": account, "course": course, "earnedOn": "2026-06-30"},
    )
    assert _errors(outcome) == [("NOT_FOUND", "account")]
    foreign = await _mutate(
        callers.jou, "createCreditAccount", {"learner": learner_id, "bank": jou}
    )
    assert _errors(foreign) == [("NOT_FOUND", "learner")]


@pytest.mark.parametrize(
    ("mutation", "extra"),
    [
        ("createFunding", {"amount": "1.00", "currency": "CNY", "funder": "JOU"}),
        ("createEvaluation", {"evaluator": "JOU"}),
        ("createRecognitionRule", {"fromOrganization": "JOU", "toOrganization": "JOU"}),
        ("createResourceShare", {"resource": "BANK", "organization": "JOU"}),
    ],
)
async def test_nothing_hangs_off_an_agreement_the_editor_cannot_see(
    callers: Callers, mutation: str, extra: dict[str, str]
) -> None:
    hidden = (await _agreement(callers.admin, "Sydney"))["id"]
    names = {
        "JOU": await _id(callers.admin, "organizations", "Jiangsu Open University"),
        "BANK": await _id(callers.admin, "resources", "credit banking"),
    }
    given = {k: names.get(v, v) for k, v in extra.items()}
    answers = [
        _errors(await _mutate(callers.jou, mutation, {**given, "agreement": agreement}))
        for agreement in (hidden, MISSING_AGREEMENT)
    ]
    assert answers == [[("NOT_FOUND", "agreement")]] * 2


async def test_a_secretariat_adds_no_organization_and_so_sees_no_more(
    callers: Callers,
) -> None:
    before = await query(callers.secretariat, "{ agreements { totalCount } }")
    alliance = await _id(callers.admin, "alliances", "Sino-Foreign")
    for name in ("Jiangsu Open University", "Nanjing University"):
        org = await _id(callers.admin, "organizations", name)
        payload = await _mutate(
            callers.secretariat, "addMember", {"alliance": alliance, "organization": org}
        )
        assert _errors(payload) == [("CONSENT_REQUIRED", "organization")]
    assert await query(callers.secretariat, "{ agreements { totalCount } }") == before


async def test_one_party_cannot_rewrite_the_others(callers: Callers) -> None:
    social = await _agreement(callers.admin, "social education")
    names = {p["organization"]["name"]: p["organization"]["id"] for p in social["parties"]["nodes"]}
    art, lifelong = names["School of Art"], names["School of Lifelong Education"]
    tsinghua = await _id(callers.admin, "organizations", "Tsinghua University")
    version = social["version"]

    async def parties(*given: str) -> list[tuple[str, str | None]]:
        payload = await _mutate(
            callers.nju,
            "updateAgreement",
            {
                "id": social["id"],
                "version": version,
                "parties": [{"organization": o} for o in given],
            },
            "agreement { version }",
        )
        return _errors(payload)

    assert await parties(lifelong, tsinghua) == [("FORBIDDEN", "parties")]
    assert await parties(art, lifelong, tsinghua) == [
        ("CONSENT_REQUIRED", "parties.2.organization")
    ]
    assert await parties(lifelong) == [("FORBIDDEN", "parties")]
    after = await _agreement(callers.admin, "social education")
    assert {p["organization"]["name"] for p in after["parties"]["nodes"]} == set(names)
    assert await parties(art, lifelong) == [], "keeping the parties as they are is no change"
    leaving = await _mutate(
        callers.jou,
        "updateAgreement",
        {"id": social["id"], "version": version + 1, "parties": [{"organization": lifelong}]},
    )
    assert leaving["userErrors"] == [], "a party may leave by itself"


async def test_an_editor_proposes_the_other_party_of_a_new_agreement(callers: Callers) -> None:
    art = await _id(callers.admin, "organizations", "School of Art")
    lifelong = await _id(callers.admin, "organizations", "School of Lifelong Education")
    both = await _mutate(
        callers.jou,
        "createAgreement",
        {
            "title": "Both",
            "kind": "FRAMEWORK",
            "parties": [{"organization": art}, {"organization": lifelong}],
        },
    )
    assert _errors(both) == [("CONSENT_REQUIRED", "parties.1.organization")]
    assert "proposeAgreementParty" in both["userErrors"][0]["message"]
    draft = await _mutate(
        callers.jou,
        "createAgreement",
        {"title": "Ours", "kind": "FRAMEWORK", "parties": [{"organization": art}]},
        "agreement { id version }",
    )
    agreement = draft["agreement"]
    version = agreement["version"]
    for step in ("openNegotiation", "submitForApproval"):
        payload = await query(
            callers.jou,
            f"mutation ($input: AgreementVersionInput!) {{ {step}(input: $input) "
            "{ agreement { version } userErrors { code field } } }",
            {"input": {"id": agreement["id"], "version": version}},
        )
        result = payload[step]
        if step == "openNegotiation":
            version = result["agreement"]["version"]
    assert _errors(result) == [("BAD_USER_INPUT", "id")], "one party cannot submit"


SIGN = (
    "mutation ($input: SignAgreementInput!) { signAgreement(input: $input) "
    "{ agreement { id } userErrors { message code field } } }"
)
VERSIONED = (
    "mutation ($input: AgreementVersionInput!) {{ {0}(input: $input) "
    "{{ userErrors {{ message code field }} }} }}"
)


async def test_mutations_on_a_hidden_agreement_answer_as_on_a_missing_one(
    callers: Callers,
) -> None:
    """The issue's "cannot sign an agreement that is signed" and "STALE_VERSION (it is at
    version 3)" on an agreement the editor cannot see, and FORBIDDEN where a missing ID says
    NOT_FOUND: now one answer, before any state or version check."""
    hidden = await _agreement(callers.admin, "Sydney")
    art = await _id(callers.admin, "organizations", "School of Art")
    xia = await _id(callers.admin, "people", "Xia Xuemin")
    answers = []
    for agreement in (hidden["id"], MISSING_AGREEMENT):
        per_mutation = []
        for version in (hidden["version"], hidden["version"] + 7):
            signed = await query(
                callers.jou,
                SIGN,
                {"input": {"id": agreement, "version": version, "party": art, "signatory": xia}},
            )
            per_mutation.append(signed["signAgreement"]["userErrors"])
            for name in ("terminateAgreement", "deleteAgreement", "renewAgreement"):
                kind = (
                    "RenewAgreementInput" if name == "renewAgreement" else "AgreementVersionInput"
                )
                data = await query(
                    callers.jou,
                    VERSIONED.format(name).replace("AgreementVersionInput", kind),
                    {"input": {"id": agreement, "version": version}},
                )
                per_mutation.append(data[name]["userErrors"])
        answers.append(per_mutation)
    expected = [{"message": "no Agreement with that ID", "code": "NOT_FOUND", "field": "id"}]
    assert answers[0] == answers[1] == [expected] * 8


async def test_a_visible_agreement_the_caller_may_not_change_is_forbidden(
    callers: Callers,
) -> None:
    seen = await _agreement(callers.secretariat, "Sydney")
    data = await query(
        callers.secretariat,
        VERSIONED.format("terminateAgreement"),
        {"input": {"id": seen["id"], "version": seen["version"]}},
    )
    assert [e["code"] for e in data["terminateAgreement"]["userErrors"]] == ["FORBIDDEN"]


async def test_one_party_abandons_a_shared_draft_but_does_not_delete_it(callers: Callers) -> None:
    """Deleting removes every party's link: only a caller who answers for all of them (or an
    admin) deletes; one party abandons the agreement, or leaves it."""
    social = await _agreement(callers.admin, "social education")
    given = {"input": {"id": social["id"], "version": social["version"]}}
    deleted = await query(callers.jou, VERSIONED.format("deleteAgreement"), given)
    assert [e["code"] for e in deleted["deleteAgreement"]["userErrors"]] == ["FORBIDDEN"]
    abandoned = await query(callers.jou, VERSIONED.format("abandonAgreement"), given)
    assert abandoned["abandonAgreement"]["userErrors"] == []
    micro = await _id(callers.admin, "programs", "Micro-specialties")
    program = await _mutate(callers.jou, "deleteProgram", {"id": micro, "version": 1})
    assert _errors(program) == [("FORBIDDEN", "id")]
