"""The demo loader fills an empty database once, in one transaction, keeping the rules."""

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.loaders.demo import database_is_empty, load_demo
from db.migrate import upgrade
from db.tables import AgreementParty, Membership, Organization

pytestmark = pytest.mark.anyio


async def test_loads_into_an_empty_database_only_once(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    assert await database_is_empty(empty_engine)

    counts = await load_demo(empty_engine)

    assert not await database_is_empty(empty_engine)
    assert counts["organization"] == await _organizations(empty_engine)
    assert counts["membership"] >= 6


async def _organizations(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            sa.select(sa.func.count()).select_from(table_of(Organization))
        )
    return int(count or 0)


async def test_a_failed_load_leaves_nothing_behind(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await load_demo(empty_engine)
    loaded = await _organizations(empty_engine)

    with pytest.raises(sa.exc.IntegrityError):
        await load_demo(empty_engine)  # the alliance name is unique, so a second load fails

    assert await _organizations(empty_engine) == loaded


async def test_the_demo_has_one_current_chair_and_signed_parties_have_dates(
    demo_engine: AsyncEngine,
) -> None:
    membership = table_of(Membership)
    party = table_of(AgreementParty)
    async with demo_engine.connect() as connection:
        chairs = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(membership)
            .where(membership.c.role == "chair", membership.c.left_on.is_(None))
        )
        undated = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(party)
            .join(table_of(Organization), party.c.organization_id == table_of(Organization).c.id)
            .where(
                party.c.role != "approver",
                party.c.signed_on.is_(None),
                party.c.agreement_id.in_(
                    sa.text("SELECT id FROM agreement WHERE status = 'signed'")
                ),
            )
        )
    assert chairs == 1
    assert undated == 0
