"""Who may propose and who may answer: a hidden record reads as a missing one, and one side
learns nothing of the other's proposal.

On the demo data (see `proposal_world.py`).
"""

import pytest

from db.enums import TokenRole
from tests.conftest import api_client, make_token
from tests.resolvers.proposal_world import (
    World,
    answer,
    call,
    codes,
    list_proposals,
    party_proposal,
)

pytestmark = pytest.mark.anyio


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
    await party_proposal(w)
    twice = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert codes(twice) == ["ALREADY_PROPOSED"]


async def test_the_other_party_proposing_the_same_learns_nothing_of_the_first(
    world: World,
) -> None:
    w = world
    first = await party_proposal(w)
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
        assert [p["id"] for p in await list_proposals(other_party)] == [second["proposal"]["id"]]
    assert (await call(w.tsinghua, "acceptProposal", **answer(first)))["userErrors"] == []
    late = await call(w.tsinghua, "acceptProposal", **answer(second["proposal"]))
    assert codes(late) == ["ALREADY_LINKED"]


async def test_who_may_answer(world: World) -> None:
    w = world
    proposal = await party_proposal(w)
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
