"""Proposals through the API, kind by kind: the other side joins only when it accepts; a
declined, withdrawn or lapsed proposal links nothing.

On the demo data (see `proposal_world.py`).
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from db import tables as t
from db.base import table_of
from tests.graphql import query
from tests.resolvers.proposal_world import (
    JIANGXI,
    World,
    agreement_state,
    answer,
    call,
    codes,
    history,
    list_proposals,
    party_names,
    party_proposal,
    sees,
)

pytestmark = pytest.mark.anyio


async def test_a_party_joins_an_agreement_only_when_it_accepts(world: World) -> None:
    w = world
    before = await agreement_state(w.admin, w.ids["agreement"])
    proposal = await party_proposal(w)
    assert (proposal["kind"], proposal["status"], proposal["role"]) == (
        "AGREEMENT_PARTY",
        "PENDING",
        "PARTNER",
    )
    assert proposal["subject"]["name"] == "Cooperation on social education projects"
    assert proposal["proposedBy"] == {"organization": {"name": "School of Art"}, "alliance": None}
    assert proposal["addressedTo"]["organization"] == {"name": "Tsinghua University"}
    assert proposal["expiresOn"] == (date.today() + timedelta(days=30)).isoformat()
    assert "Tsinghua University" not in await party_names(w.admin, w.ids["agreement"])
    assert await agreement_state(w.admin, w.ids["agreement"]) == before, "nothing changed yet"

    assert not await sees(w.tsinghua, w.ids["agreement"]), "not before it accepts"
    [incoming] = await list_proposals(w.tsinghua, "INCOMING")
    assert incoming["id"] == proposal["id"]
    assert await list_proposals(w.tsinghua, "OUTGOING") == []
    assert [p["id"] for p in await list_proposals(w.art, "OUTGOING")] == [proposal["id"]]
    assert await list_proposals(w.ncu) == [], "a third party sees nothing of it"
    assert not await sees(w.ncu, proposal["id"])

    accepted = await call(w.tsinghua, "acceptProposal", **answer(proposal, note="Gladly"))
    assert accepted["userErrors"] == []
    assert accepted["proposal"]["status"] == "ACCEPTED"
    assert accepted["proposal"]["note"] == "Gladly"
    assert accepted["proposal"]["answeredBy"].startswith("token:")
    assert "Tsinghua University" in await party_names(w.tsinghua, w.ids["agreement"])

    after = await agreement_state(w.admin, w.ids["agreement"])
    assert after["version"] == before["version"] + 1
    assert after["termsHash"] != before["termsHash"], "a party is part of the terms"
    actions = [h["action"] for h in after["history"]["nodes"]]
    assert actions[len(before["history"]["nodes"]) :] == [
        "party added by accepted proposal",
        "terms changed",
    ]
    assert await history(w.art, proposal["id"]) == ["proposed", "accepted"]
    assert await history(w.tsinghua, proposal["id"]) == ["proposed", "accepted"]
    assert not await sees(w.ncu, proposal["id"])


async def test_a_declined_proposal_links_nothing(world: World) -> None:
    w = world
    before = await agreement_state(w.admin, w.ids["agreement"])
    proposal = await party_proposal(w)
    declined = await call(w.tsinghua, "declineProposal", **answer(proposal, note="Not now"))
    assert declined["userErrors"] == []
    assert (declined["proposal"]["status"], declined["proposal"]["note"]) == (
        "DECLINED",
        "Not now",
    )
    assert await agreement_state(w.admin, w.ids["agreement"]) == before
    assert not await sees(w.tsinghua, w.ids["agreement"])
    late = await call(w.tsinghua, "acceptProposal", **answer(declined["proposal"]))
    assert codes(late) == ["PROPOSAL_CLOSED"]
    assert await history(w.art, proposal["id"]) == ["proposed", "declined"]


async def test_the_proposer_withdraws_and_only_the_proposer(world: World) -> None:
    w = world
    proposal = await party_proposal(w)
    by_the_other_side = await call(w.tsinghua, "withdrawProposal", **answer(proposal))
    assert codes(by_the_other_side) == ["FORBIDDEN"]
    withdrawn = await call(w.art, "withdrawProposal", **answer(proposal))
    assert withdrawn["userErrors"] == []
    assert withdrawn["proposal"]["status"] == "WITHDRAWN"
    late = await call(w.tsinghua, "acceptProposal", **answer(withdrawn["proposal"]))
    assert codes(late) == ["PROPOSAL_CLOSED"]
    assert "Tsinghua University" not in await party_names(w.admin, w.ids["agreement"])
    again = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert again["userErrors"] == [], "a withdrawn proposal may be made again"


async def test_an_unanswered_proposal_lapses(world: World) -> None:
    w = world
    proposal = await party_proposal(w)
    table = table_of(t.Proposal)
    async with w.engine.begin() as connection:
        await connection.execute(
            sa.update(table).values(expires_on=date.today() - timedelta(days=1))
        )
    [lapsed] = await list_proposals(w.tsinghua, statuses=["LAPSED"])
    assert lapsed["status"] == "LAPSED"
    assert await list_proposals(w.tsinghua, statuses=["PENDING"]) == []
    refused = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    assert codes(refused) == ["PROPOSAL_LAPSED"]
    assert codes(await call(w.tsinghua, "declineProposal", **answer(proposal))) == [
        "PROPOSAL_LAPSED"
    ]
    assert "Tsinghua University" not in await party_names(w.admin, w.ids["agreement"])
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
    assert not await sees(w.secretariat, w.ids["agreement"])
    assert codes(await call(w.secretariat, "acceptProposal", **answer(proposal))) == ["FORBIDDEN"]
    assert not await sees(w.secretariat, w.ids["agreement"])

    accepted = await call(w.art, "acceptProposal", **answer(proposal))
    assert accepted["userErrors"] == []
    assert await sees(w.secretariat, w.ids["agreement"]), "a member's agreement, now"
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
    [incoming] = await list_proposals(w.secretariat, "INCOMING")
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
    assert not await sees(w.tsinghua, w.ids["meeting"])
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
    assert await sees(w.tsinghua, w.ids["inauguration"])
    not_its_own = await call(
        w.secretariat,
        "proposeActivityParticipant",
        activity=w.ids["meeting"],
        organization=w.ids["tsinghua"],
    )
    assert codes(not_its_own) == ["NOT_FOUND"], "the meeting is not the secretariat's to see"
