"""The benchmark's data generator makes data the API accepts as its own."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.generate import generate
from db import tables
from db.base import table_of
from resolvers.agreement_writes import refresh_terms_hash
from tests.graphql import query

pytestmark = pytest.mark.anyio

AGREEMENT = table_of(tables.Agreement)
PARTY = table_of(tables.AgreementParty)
MEMBERSHIP = table_of(tables.Membership)


async def test_generated_network_keeps_the_rules_and_reads_through_the_api(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    async with demo_engine.connect() as connection:
        before = await connection.scalar(sa.select(sa.func.count()).select_from(AGREEMENT))
    await generate(demo_engine, organizations=60, agreements=300, seed=7)

    async with demo_engine.begin() as connection:
        generated = (
            await connection.execute(
                sa.select(AGREEMENT.c.id, AGREEMENT.c.terms_hash, AGREEMENT.c.version)
                .where(AGREEMENT.c.title.like("Bench agreement %"))
                .order_by(AGREEMENT.c.id)
            )
        ).all()
        assert len(generated) == 300
        assert await connection.scalar(sa.select(sa.func.count()).select_from(AGREEMENT)) == (
            (before or 0) + 300
        )
        for key, stored, version in generated[:40]:
            assert version == 1
            assert stored == await refresh_terms_hash(connection, key)
        sizes = (
            await connection.execute(
                sa.select(sa.func.count())
                .select_from(PARTY)
                .where(PARTY.c.agreement_id.in_([row.id for row in generated]))
                .group_by(PARTY.c.agreement_id)
            )
        ).scalars()
        assert {size for size in sizes} <= {2, 3, 4, 5}
        chairs = (
            await connection.execute(
                sa.select(MEMBERSHIP.c.alliance_id, sa.func.count())
                .where(MEMBERSHIP.c.role == "chair", MEMBERSHIP.c.left_on.is_(None))
                .group_by(MEMBERSHIP.c.alliance_id)
            )
        ).all()
        assert chairs and all(count == 1 for _, count in chairs)

    data = await query(
        client,
        """{ agreements(first: 5, filter: {text: "Bench agreement"}) {
              totalCount edges { node { title termsHash version
                parties { edges { node { organization { name } } } } } } } }""",
    )
    assert data["agreements"]["totalCount"] == 300
    for edge in data["agreements"]["edges"]:
        assert len(edge["node"]["parties"]["edges"]) >= 2

    # a second network goes on top of the first (ids continue, sequences follow)
    await generate(demo_engine, organizations=20, agreements=10, seed=8)
    data = await query(
        client,
        """mutation { createOrganization(input: {name: "After", kind: UNIVERSITY, country: "CN"})
              { organization { name } userErrors { message } } }""",
    )
    assert data["createOrganization"]["userErrors"] == []
