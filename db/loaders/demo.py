"""The demo data, built from the source documents in `../shared/seeds/`.

Organizations, people, the Jiangxi alliance, the agreements signed in Nanchang, the meetings and
the lifelong-learning platform are as the documents give them; ROR ids and websites come from
`../shared/data/` (ROR and Hipo). A date the documents leave out stays empty rather than guessed.
A few rows the documents do not describe (a course, a learner's credits, a grant, an evaluation)
are there so that every part of the API has something to show: they are flagged
`is_illustrative` where the table has that flag, and say "Illustrative" in their text otherwise.
The facts are in `demo_data`, the row builder in `demo_builder`, the rows in `demo_agreements`,
`demo_approvals` and `demo_lifelong`.
"""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.loaders.demo_agreements import add_jiangsu, add_jiangxi, refresh_all_terms
from db.loaders.demo_approvals import add_approvals
from db.loaders.demo_builder import Builder
from db.loaders.demo_indicators import add_indicators
from db.loaders.demo_lifelong import add_lifelong_learning, add_proposal
from db.loaders.demo_mobility import add_mobility
from db.tables import Organization

__all__ = ["database_is_empty", "load_demo"]


async def load_demo(engine: AsyncEngine) -> dict[str, int]:
    """Load the demo data in one transaction; returns the rows added per table."""
    async with AsyncSession(engine) as session, session.begin():
        builder = Builder(session)
        await builder.organizations()
        await builder.names()
        await builder.people_and_positions()
        await add_jiangxi(builder)
        await add_jiangsu(builder)
        await add_approvals(builder)
        await add_indicators(builder)
        await add_lifelong_learning(builder)
        await add_proposal(builder)
        await add_mobility(builder)
        await refresh_all_terms(builder)
    return dict(sorted(builder.counts.items()))


async def database_is_empty(engine: AsyncEngine) -> bool:
    """True when no organization is stored yet (the demo is loaded only into an empty database)."""
    async with engine.connect() as connection:
        found = await connection.scalar(sa.select(sa.literal(1)).select_from(Organization).limit(1))
    return found is None
