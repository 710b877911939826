"""An accept checks again when it runs, and of accepts that race one wins.

On the demo data (see `proposal_world.py`).
"""

import asyncio

import pytest
import sqlalchemy as sa

from db import tables as t
from db.base import table_of
from tests.graphql import query
from tests.resolvers.proposal_world import (
    World,
    agreement_state,
    answer,
    call,
    codes,
    list_proposals,
    party_names,
    party_proposal,
)

pytestmark = pytest.mark.anyio


async def test_an_accept_checks_again_and_changes_nothing_when_it_fails(world: World) -> None:
    w = world
    proposal = await party_proposal(w)
    state = await agreement_state(w.admin, w.ids["agreement"])
    ended = await query(
        w.art,
        "mutation ($input: AgreementVersionInput!) { abandonAgreement(input: $input) { "
        "userErrors { code } } }",
        {"input": {"id": w.ids["agreement"], "version": state["version"]}},
    )
    assert ended["abandonAgreement"]["userErrors"] == []
    refused = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    assert codes(refused) == ["INVALID_TRANSITION"]
    [still] = await list_proposals(w.tsinghua)
    assert (still["status"], still["version"]) == ("PENDING", proposal["version"])
    assert "Tsinghua University" not in await party_names(w.admin, w.ids["agreement"])


async def test_two_accepts_one_wins(world: World) -> None:
    w = world
    proposal = await party_proposal(w)
    first = await call(w.tsinghua, "acceptProposal", **answer(proposal))
    second = await call(w.admin, "acceptProposal", **answer(proposal))
    assert first["userErrors"] == []
    assert [(e["code"], e["field"]) for e in second["userErrors"]] == [("STALE_VERSION", "version")]
    parties = await party_names(w.admin, w.ids["agreement"])
    assert len(parties) == 3


async def test_racing_accepts_on_postgresql_one_wins(world: World, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the race needs concurrent transactions; SQLite serialises its writers")
    w = world
    proposal = await party_proposal(w)
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
