"""Reading proposals: the list costs the same statements however long, and a proposal reads the
same on either road.

On the demo data (see `proposal_world.py`).
"""

import dataclasses

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import TEST_SETTINGS, Databases, api_client, make_token
from tests.graphql import query
from tests.resolvers.proposal_world import World, list_proposals, propose_one_of_each
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio


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
    await propose_one_of_each(w, w.ids["tsinghua"])
    statements.reset()
    four = await query(w.admin, document)
    counted = statements.count
    await propose_one_of_each(w, w.ids["jsou"])
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
        [demo] = await list_proposals(admin)
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
