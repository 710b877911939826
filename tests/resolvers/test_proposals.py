"""Proposals through the API: binding another organization waits for that side's answer.

On the demo data: the School of Art (Jiangsu Open University) and Nanjing University's School
of Lifelong Education are the parties of an agreement under negotiation, the partners of a
program and participants of a meeting; Tsinghua University is the outsider asked to join; the
Jiangxi alliance's secretariat invites organizations and answers requests to join.
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of
from db.enums import TokenRole
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
PROPOSAL_FIELDS = """id kind status role version expiresOn answeredBy note proposerToken
  subject { name } organization { name }
  proposedBy { organization { name } alliance { name } }
  addressedTo { organization { name } alliance { name } }"""
PAYLOAD = f"proposal {{ {PROPOSAL_FIELDS} }} userErrors {{ message code field }}"
INPUTS = {
    "proposeAgreementParty": "ProposeAgreementPartyInput",
    "proposeMembership": "ProposeMembershipInput",
    "proposeProgramPartner": "ProposeProgramPartnerInput",
    "proposeActivityParticipant": "ProposeActivityParticipantInput",
    "acceptProposal": "AnswerProposalInput",
    "declineProposal": "AnswerProposalInput",
    "withdrawProposal": "WithdrawProposalInput",
}


async def call(client: httpx.AsyncClient, mutation: str, **given: Any) -> dict[str, Any]:
    data = await query(
        client,
        f"mutation ($input: {INPUTS[mutation]}!) {{ {mutation}(input: $input) {{ {PAYLOAD} }} }}",
        {"input": given},
    )
    payload: dict[str, Any] = data[mutation]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def answer(proposal: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": proposal["id"], "version": proposal["version"], **more}


@dataclass
class World:
    engine: AsyncEngine
    admin: httpx.AsyncClient
    art: httpx.AsyncClient
    """An editor of Jiangsu Open University (its School of Art is a party, partner, participant)."""
    lle: httpx.AsyncClient
    """A viewer of the School of Lifelong Education (the other party): sees, changes nothing."""
    tsinghua: httpx.AsyncClient
    """An editor of Tsinghua University, the organization asked to join."""
    ncu: httpx.AsyncClient
    """An editor of Nanchang University: a third party to all of it."""
    secretariat: httpx.AsyncClient
    ids: dict[str, str]


async def _ids(admin: httpx.AsyncClient) -> dict[str, str]:
    data = await query(
        admin,
        """{
          agreements(filter: {text: "social education"}) { nodes { id } }
          alliances(filter: {text: "Sino-Foreign"}) { nodes { id } }
          programs(filter: {text: "Micro-specialties"}) { nodes { id } }
          meeting: activities(filter: {kind: [MEETING]}) { nodes { id } }
          inauguration: activities(filter: {kind: [INAUGURATION]}) { nodes { id } }
          organizations(first: 100) { nodes { id name } }
        }""",
    )
    orgs = {o["name"]: o["id"] for o in data["organizations"]["nodes"]}
    return {
        "agreement": data["agreements"]["nodes"][0]["id"],
        "alliance": data["alliances"]["nodes"][0]["id"],
        "program": data["programs"]["nodes"][0]["id"],
        "meeting": data["meeting"]["nodes"][0]["id"],
        "inauguration": data["inauguration"]["nodes"][0]["id"],
        "tsinghua": orgs["Tsinghua University"],
        "art": orgs["School of Art"],
        "ncu": orgs["Nanchang University"],
        "jsou": orgs["Jiangsu Open University"],
    }


@pytest.fixture
async def world(demo_engine: AsyncEngine, databases: Databases) -> AsyncIterator[World]:
    tokens = {
        "art": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University"
        ),
        "lle": await make_token(
            demo_engine, TokenRole.VIEWER, organization="School of Lifelong Education"
        ),
        "tsinghua": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Tsinghua University"
        ),
        "ncu": await make_token(demo_engine, TokenRole.EDITOR, organization="Nanchang University"),
        "secretariat": await make_token(demo_engine, TokenRole.SECRETARIAT, alliance=JIANGXI),
    }
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(api_client(demo_engine, token))
            for name, token in {"admin": databases.admin_token, **tokens}.items()
        }
        yield World(engine=demo_engine, ids=await _ids(clients["admin"]), **clients)


async def _sees(client: httpx.AsyncClient, global_id: str) -> bool:
    data = await query(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    return data["node"] is not None


async def _party_names(client: httpx.AsyncClient, agreement: str) -> set[str]:
    data = await query(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Agreement { "
        "parties { nodes { organization { name } } } } } }",
        {"id": agreement},
    )
    return {p["organization"]["name"] for p in data["node"]["parties"]["nodes"]}


async def _history(client: httpx.AsyncClient, proposal: str) -> list[str]:
    data = await query(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Proposal { history { nodes { action } } } } }",
        {"id": proposal},
    )
    return [h["action"] for h in data["node"]["history"]["nodes"]]


async def _proposals(
    client: httpx.AsyncClient, direction: str = "ANY", statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    data = await query(
        client,
        "query ($filter: ProposalFilter) { proposals(filter: $filter) { totalCount "
        f"nodes {{ {PROPOSAL_FIELDS} }} }} }}",
        {"filter": {"direction": direction, "statuses": statuses}},
    )
    nodes: list[dict[str, Any]] = data["proposals"]["nodes"]
    assert data["proposals"]["totalCount"] == len(nodes)
    return nodes


async def _party_proposal(w: World) -> dict[str, Any]:
    made = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert made["userErrors"] == []
    proposal: dict[str, Any] = made["proposal"]
    return proposal


AGREEMENT_STATE = (
    "query ($id: ID!) { node(id: $id) { ... on Agreement { version status termsHash "
    "history { nodes { action } } } } }"
)


async def _agreement(client: httpx.AsyncClient, agreement: str) -> dict[str, Any]:
    data = await query(client, AGREEMENT_STATE, {"id": agreement})
    node: dict[str, Any] = data["node"]
    return node


async def test_a_party_joins_an_agreement_only_when_it_accepts(world: World) -> None:
    w = world
    before = await _agreement(w.admin, w.ids["agreement"])
    proposal = await _party_proposal(w)
    assert (proposal["kind"], proposal["status"], proposal["role"]) == (
        "AGREEMENT_PARTY",
        "PENDING",
        "PARTNER",
    )
    assert proposal["subject"]["name"] == "Cooperation on social education projects"
    assert proposal["proposedBy"] == {"organization": {"name": "School of Art"}, "alliance": None}
    assert proposal["addressedTo"]["organization"] == {"name": "Tsinghua University"}
    assert proposal["expiresOn"] == (date.today() + timedelta(days=30)).isoformat()
    assert "Tsinghua University" not in await _party_names(w.admin, w.ids["agreement"])
    assert await _agreement(w.admin, w.ids["agreement"]) == before, "nothing changed yet"

    assert not await _sees(w.tsinghua, w.ids["agreement"]), "not before it accepts"
    [incoming] = await _proposals(w.tsinghua, "INCOMING")
    assert incoming["id"] == proposal["id"]
    assert await _proposals(w.tsinghua, "OUTGOING") == []
    assert [p["id"] for p in await _proposals(w.art, "OUTGOING")] == [proposal["id"]]
    assert await _proposals(w.ncu) == [], "a third party sees nothing of it"
    assert not await _sees(w.ncu, proposal["id"])

    accepted = await call(w.tsinghua, "acceptProposal", **answer(proposal, note="Gladly"))
    assert accepted["userErrors"] == []
    assert accepted["proposal"]["status"] == "ACCEPTED"
    assert accepted["proposal"]["note"] == "Gladly"
    assert accepted["proposal"]["answeredBy"].startswith("token:")
    assert "Tsinghua University" in await _party_names(w.tsinghua, w.ids["agreement"])

    after = await _agreement(w.admin, w.ids["agreement"])
    assert after["version"] == before["version"] + 1
    assert after["termsHash"] != before["termsHash"], "a party is part of the terms"
    actions = [h["action"] for h in after["history"]["nodes"]]
    assert actions[len(before["history"]["nodes"]) :] == [
        "party added by accepted proposal",
        "terms changed",
    ]
    assert await _history(w.art, proposal["id"]) == ["proposed", "accepted"]
    assert await _history(w.tsinghua, proposal["id"]) == ["proposed", "accepted"]
    assert not await _sees(w.ncu, proposal["id"])


async def test_a_declined_proposal_links_nothing(world: World) -> None:
    w = world
    before = await _agreement(w.admin, w.ids["agreement"])
    proposal = await _party_proposal(w)
    declined = await call(w.tsinghua, "declineProposal", **answer(proposal, note="Not now"))
    assert declined["userErrors"] == []
    assert (declined["proposal"]["status"], declined["proposal"]["note"]) == (
        "DECLINED",
        "Not now",
    )
    assert await _agreement(w.admin, w.ids["agreement"]) == before
    assert not await _sees(w.tsinghua, w.ids["agreement"])
    late = await call(w.tsinghua, "acceptProposal", **answer(declined["proposal"]))
    assert codes(late) == ["PROPOSAL_CLOSED"]
    assert await _history(w.art, proposal["id"]) == ["proposed", "declined"]


async def test_the_proposer_withdraws_and_only_the_proposer(world: World) -> None:
    w = world
    proposal = await _party_proposal(w)
    by_the_other_side = await call(w.tsinghua, "withdrawProposal", **answer(proposal))
    assert codes(by_the_other_side) == ["FORBIDDEN"]
    withdrawn = await call(w.art, "withdrawProposal", **answer(proposal))
    assert withdrawn["userErrors"] == []
    assert withdrawn["proposal"]["status"] == "WITHDRAWN"
    late = await call(w.tsinghua, "acceptProposal", **answer(withdrawn["proposal"]))
    assert codes(late) == ["PROPOSAL_CLOSED"]
    assert "Tsinghua University" not in await _party_names(w.admin, w.ids["agreement"])
    again = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert again["userErrors"] == [], "a withdrawn proposal may be made again"


async def test_an_unanswered_proposal_lapses(world: World) -> None:
    w = world
    proposal = await _party_proposal(w)
    table = table_of(t.Proposal)
    async with w.engine.begin() as connection:
        await connection.execute(
            sa.update(table).values(expires_on=date.today() - timedelta(days=1))
        )
    [lapsed] = await _proposals(w.tsinghua, statuses=["LAPSED"])
    assert lapsed["status"] == "LAPSED"
    assert await _proposals(w.tsinghua, statuses=["PENDING"]) == []
    refused = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    assert codes(refused) == ["PROPOSAL_LAPSED"]
    assert codes(await call(w.tsinghua, "declineProposal", **answer(proposal))) == [
        "PROPOSAL_LAPSED"
    ]
    assert "Tsinghua University" not in await _party_names(w.admin, w.ids["agreement"])
    again = await call(
        w.art,
        "proposeAgreementParty",
        agreement=w.ids["agreement"],
        organization=w.ids["tsinghua"],
        expiresOn=(date.today() + timedelta(days=7)).isoformat(),
    )
    assert again["userErrors"] == []
    assert again["proposal"]["expiresOn"] == (date.today() + timedelta(days=7)).isoformat()
    past = await call(
        w.art,
        "proposeAgreementParty",
        agreement=w.ids["agreement"],
        organization=w.ids["ncu"],
        expiresOn=(date.today() - timedelta(days=1)).isoformat(),
    )
    assert [(e["code"], e["field"]) for e in past["userErrors"]] == [
        ("BAD_USER_INPUT", "expiresOn")
    ]


async def test_a_secretariat_sees_an_invited_members_agreements_only_once_it_accepts(
    world: World,
) -> None:
    w = world
    invited = await call(
        w.secretariat,
        "proposeMembership",
        alliance=w.ids["alliance"],
        organization=w.ids["art"],
        joinedOn="2026-01-01",
    )
    assert invited["userErrors"] == []
    proposal = invited["proposal"]
    assert proposal["proposedBy"]["alliance"] == {"name": JIANGXI}
    assert proposal["addressedTo"]["organization"] == {"name": "School of Art"}
    assert not await _sees(w.secretariat, w.ids["agreement"])
    assert codes(await call(w.secretariat, "acceptProposal", **answer(proposal))) == ["FORBIDDEN"]
    assert not await _sees(w.secretariat, w.ids["agreement"])

    accepted = await call(w.art, "acceptProposal", **answer(proposal))
    assert accepted["userErrors"] == []
    assert await _sees(w.secretariat, w.ids["agreement"]), "a member's agreement, now"
    data = await query(
        w.secretariat,
        "query ($id: ID!) { node(id: $id) { ... on Alliance { memberships(filter: "
        "{current: true}) { nodes { joinedOn organization { name } "
        "history { nodes { action } } } } } } }",
        {"id": w.ids["alliance"]},
    )
    [member] = [
        m
        for m in data["node"]["memberships"]["nodes"]
        if m["organization"]["name"] == "School of Art"
    ]
    assert member["joinedOn"] == "2026-01-01"
    assert [h["action"] for h in member["history"]["nodes"]] == ["joined by accepted proposal"]


async def test_an_organization_asks_to_join_and_the_secretariat_answers(world: World) -> None:
    w = world
    asked = await call(
        w.tsinghua,
        "proposeMembership",
        alliance=w.ids["alliance"],
        organization=w.ids["tsinghua"],
        role="OBSERVER",
    )
    assert asked["userErrors"] == []
    proposal = asked["proposal"]
    assert proposal["addressedTo"] == {"organization": None, "alliance": {"name": JIANGXI}}
    assert proposal["role"] == "OBSERVER"
    assert codes(await call(w.tsinghua, "acceptProposal", **answer(proposal))) == ["FORBIDDEN"]
    [incoming] = await _proposals(w.secretariat, "INCOMING")
    assert incoming["id"] == proposal["id"]
    accepted = await call(w.secretariat, "acceptProposal", **answer(proposal))
    assert accepted["userErrors"] == []
    for_another = await call(
        w.tsinghua, "proposeMembership", alliance=w.ids["alliance"], organization=w.ids["ncu"]
    )
    assert codes(for_another) == ["FORBIDDEN"]
    second_chair = await call(
        w.secretariat,
        "proposeMembership",
        alliance=w.ids["alliance"],
        organization=w.ids["art"],
        role="CHAIR",
    )
    assert codes(second_chair) == ["MEMBERSHIP_CONFLICT"]


async def test_a_program_partner_and_an_activity_participant_join_when_they_accept(
    world: World,
) -> None:
    w = world
    partner = await call(
        w.art, "proposeProgramPartner", program=w.ids["program"], organization=w.ids["tsinghua"]
    )
    participant = await call(
        w.art,
        "proposeActivityParticipant",
        activity=w.ids["meeting"],
        organization=w.ids["tsinghua"],
        role="observer",
    )
    assert partner["userErrors"] == participant["userErrors"] == []
    assert participant["proposal"]["role"] == "observer"
    assert not await _sees(w.tsinghua, w.ids["meeting"])
    for made in (partner, participant):
        accepted = await call(w.tsinghua, "acceptProposal", **answer(made["proposal"]))
        assert accepted["userErrors"] == []
    data = await query(
        w.tsinghua,
        "query ($p: ID!, $a: ID!) { p: node(id: $p) { ... on Program { partners { nodes { "
        "role organization { name } } } } } a: node(id: $a) { ... on Activity { participants "
        "{ nodes { role organization { name } } } } } }",
        {"p": w.ids["program"], "a": w.ids["meeting"]},
    )
    partners = {p["organization"]["name"]: p["role"] for p in data["p"]["partners"]["nodes"]}
    assert partners["Tsinghua University"] == "PARTNER"
    assert data["a"] is not None, "a participant sees the activity, now"
    participants = {
        p["organization"]["name"]: p["role"] for p in data["a"]["participants"]["nodes"]
    }
    assert participants["Tsinghua University"] == "observer"
    twice = await call(
        w.art, "proposeProgramPartner", program=w.ids["program"], organization=w.ids["tsinghua"]
    )
    assert codes(twice) == ["ALREADY_LINKED"]


async def test_a_secretariat_proposes_participants_of_its_alliances_activity(
    world: World,
) -> None:
    w = world
    made = await call(
        w.secretariat,
        "proposeActivityParticipant",
        activity=w.ids["inauguration"],
        organization=w.ids["tsinghua"],
    )
    assert made["userErrors"] == []
    assert made["proposal"]["proposedBy"]["alliance"] == {"name": JIANGXI}
    assert (await call(w.tsinghua, "acceptProposal", **answer(made["proposal"])))[
        "userErrors"
    ] == []
    assert await _sees(w.tsinghua, w.ids["inauguration"])
    not_its_own = await call(
        w.secretariat,
        "proposeActivityParticipant",
        activity=w.ids["meeting"],
        organization=w.ids["tsinghua"],
    )
    assert codes(not_its_own) == ["NOT_FOUND"], "the meeting is not the secretariat's to see"


async def test_who_may_propose(world: World) -> None:
    w = world
    missing = "QWdyZWVtZW50Ojk5OTk5"  # Agreement:99999
    hidden = await call(
        w.ncu, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["ncu"]
    )
    absent = await call(
        w.ncu, "proposeAgreementParty", agreement=missing, organization=w.ids["ncu"]
    )
    assert hidden["userErrors"] == absent["userErrors"]
    assert codes(hidden) == ["NOT_FOUND"], "an agreement the caller cannot see is missing"
    seen_not_editor = await call(
        w.lle, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["ncu"]
    )
    assert codes(seen_not_editor) == ["FORBIDDEN"]
    outsider = await call(
        w.ncu, "proposeProgramPartner", program=w.ids["program"], organization=w.ids["ncu"]
    )
    assert codes(outsider) == ["FORBIDDEN"], "a public program, not the caller's"
    already = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["art"]
    )
    assert codes(already) == ["ALREADY_LINKED"]
    await _party_proposal(w)
    twice = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert codes(twice) == ["ALREADY_PROPOSED"]


async def test_the_other_party_proposing_the_same_learns_nothing_of_the_first(
    world: World,
) -> None:
    w = world
    first = await _party_proposal(w)
    token = await make_token(
        w.engine, TokenRole.EDITOR, organization="School of Lifelong Education"
    )
    async with api_client(w.engine, token) as other_party:
        second = await call(
            other_party,
            "proposeAgreementParty",
            agreement=w.ids["agreement"],
            organization=w.ids["tsinghua"],
        )
        assert second["userErrors"] == []
        assert [p["id"] for p in await _proposals(other_party)] == [second["proposal"]["id"]]
    assert (await call(w.tsinghua, "acceptProposal", **answer(first)))["userErrors"] == []
    late = await call(w.tsinghua, "acceptProposal", **answer(second["proposal"]))
    assert codes(late) == ["ALREADY_LINKED"]


async def test_who_may_answer(world: World) -> None:
    w = world
    proposal = await _party_proposal(w)
    hidden = await call(w.ncu, "acceptProposal", **answer(proposal))
    missing = await call(w.ncu, "acceptProposal", id="UHJvcG9zYWw6OTk5OTk", version=1)
    assert codes(hidden) == ["NOT_FOUND"]
    assert hidden["userErrors"] == missing["userErrors"], "hidden reads as missing"
    stale_hidden = await call(w.ncu, "acceptProposal", **answer(proposal, version=7))
    assert codes(stale_hidden) == ["NOT_FOUND"], "before any version check"
    assert codes(await call(w.art, "acceptProposal", **answer(proposal))) == ["FORBIDDEN"]
    assert codes(await call(w.art, "declineProposal", **answer(proposal))) == ["FORBIDDEN"]
    by_admin = await call(w.admin, "acceptProposal", **answer(proposal))
    assert by_admin["userErrors"] == []


async def test_an_accept_checks_again_and_changes_nothing_when_it_fails(world: World) -> None:
    w = world
    proposal = await _party_proposal(w)
    state = await _agreement(w.admin, w.ids["agreement"])
    ended = await query(
        w.art,
        "mutation ($input: AgreementVersionInput!) { abandonAgreement(input: $input) { "
        "userErrors { code } } }",
        {"input": {"id": w.ids["agreement"], "version": state["version"]}},
    )
    assert ended["abandonAgreement"]["userErrors"] == []
    refused = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    assert codes(refused) == ["INVALID_TRANSITION"]
    [still] = await _proposals(w.tsinghua)
    assert (still["status"], still["version"]) == ("PENDING", proposal["version"])
    assert "Tsinghua University" not in await _party_names(w.admin, w.ids["agreement"])


async def test_two_accepts_one_wins(world: World) -> None:
    w = world
    proposal = await _party_proposal(w)
    first = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    second = await call(w.admin, "acceptProposal", **answer(proposal))
    assert first["userErrors"] == []
    assert [(e["code"], e["field"]) for e in second["userErrors"]] == [("STALE_VERSION", "version")]
    parties = await _party_names(w.admin, w.ids["agreement"])
    assert len(parties) == 3


async def test_racing_accepts_on_postgresql_one_wins(world: World, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the race needs concurrent transactions; SQLite serialises its writers")
    w = world
    proposal = await _party_proposal(w)
    results = await asyncio.gather(
        *[
            call(w.tsinghua if i % 2 else w.admin, "acceptProposal", **answer(proposal))
            for i in range(6)
        ]
    )
    won = [r for r in results if not r["userErrors"]]
    lost = [r for r in results if r["userErrors"]]
    assert len(won) == 1
    assert {e["code"] for r in lost for e in r["userErrors"]} == {"STALE_VERSION"}
    party = table_of(t.AgreementParty)
    async with w.engine.connect() as connection:
        rows = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(party)
            .where(
                party.c.organization_id.in_(
                    sa.select(table_of(t.Organization).c.id).where(
                        table_of(t.Organization).c.name == "Tsinghua University"
                    )
                )
            )
        )
    assert rows == 1


async def _one_of_each(w: World, organization: str) -> None:
    made = [
        await call(
            w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=organization
        ),
        await call(
            w.art, "proposeProgramPartner", program=w.ids["program"], organization=organization
        ),
        await call(
            w.art,
            "proposeActivityParticipant",
            activity=w.ids["meeting"],
            organization=organization,
        ),
        await call(
            w.secretariat,
            "proposeMembership",
            alliance=w.ids["alliance"],
            organization=organization,
        ),
    ]
    assert [m["userErrors"] for m in made] == [[]] * 4


async def test_the_list_costs_the_same_statements_however_long(
    world: World, statements: StatementCounter
) -> None:
    w = world
    document = (
        "{ proposals(first: 50) { totalCount nodes { id status role organization { name } "
        "subject { agreement { title } alliance { name } program { name } activity { title } } "
        "proposedBy { organization { name } alliance { name } } "
        "addressedTo { organization { name } } history { nodes { action } } } } }"
    )
    await _one_of_each(w, w.ids["tsinghua"])
    statements.reset()
    four = await query(w.admin, document)
    counted = statements.count
    await _one_of_each(w, w.ids["jsou"])
    statements.reset()
    eight = await query(w.admin, document)
    demo = 1
    assert len(four["proposals"]["nodes"]) == demo + 4
    assert len(eight["proposals"]["nodes"]) == demo + 8
    assert statements.count == counted


async def test_a_proposal_reads_the_same_on_either_road(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    """On PostgreSQL a plain-data `node` is compiled to one statement; a proposal read that way
    must obey the same visibility and give the ordinary road's answer."""
    ordinary = dataclasses.replace(TEST_SETTINGS, compiled_reads=False)
    document = (
        "query ($id: ID!) { node(id: $id) { __typename id ... on Proposal { kind version "
        "expiresOn joinedOn note answeredBy } } }"
    )
    async with api_client(demo_engine, databases.admin_token) as admin:
        [demo] = await _proposals(admin)
    tokens = {
        "admin": databases.admin_token,
        "proposer": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Beijing Normal University"
        ),
        "addressed": await make_token(
            demo_engine, TokenRole.VIEWER, organization="Open University of China"
        ),
        "third": await make_token(
            demo_engine, TokenRole.EDITOR, organization="Nanchang University"
        ),
        "anonymous": None,
    }
    for role, token in tokens.items():
        answers = []
        for settings in (TEST_SETTINGS, ordinary):
            async with api_client(demo_engine, token, settings) as client:
                answers.append(await query(client, document, {"id": demo["id"]}))
        assert answers[0] == answers[1], role
        seen = answers[0]["node"] is not None
        assert seen == (role in {"admin", "proposer", "addressed"}), role
